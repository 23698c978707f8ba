"""Open data: publication decisions, public disclosure pages for major projects and the
OC4IDS 0.9.5 export."""
