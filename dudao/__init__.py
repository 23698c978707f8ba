"""Dudao (督导): supervision of major projects and industrial cluster zones."""

__version__ = "0.1.0"
