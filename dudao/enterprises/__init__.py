"""Enterprises in the parks: the registry, the 亩均效益 evaluation (A/B/C/D grades) and
enterprise service (liaison officers, visits, demands routed to departments)."""
