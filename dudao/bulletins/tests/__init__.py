"""Tests of the bulletins app."""
