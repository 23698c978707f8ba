"""Read-side queries of the opendata app, each starting from the user's data scope."""
