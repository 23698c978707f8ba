"""Demo projects of the fictional 示范市: about sixty per county (600 in all), a third of them
in a park; at province scale 20,000 spread over every county.

A package by topic: `registry` (the projects), `progress` (plans, reports, locks, roll-ups)
and `extras` (texts, lists, targets). Importing it registers both generators."""

from dudao.projects.demo.progress import project_progress
from dudao.projects.demo.registry import projects

__all__ = ["project_progress", "projects"]
