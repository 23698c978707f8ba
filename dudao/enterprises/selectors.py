"""Read-side queries of the enterprises app, each starting from the user's data scope."""
