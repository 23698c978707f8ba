"""Writes of 观摩督导. Every function is one transaction with one audit event for its change.

The organiser (督查员 of the organising office) plans tours, groups, units, sites and judges,
opens and closes scoring and publishes the results; judges (评委) score on their phones and
record findings. Publication computes the results once, stores every intermediate number and
locks the tour.
"""

from __future__ import annotations

from dudao.inspections.services._base import DEFAULT_GROUPS as DEFAULT_GROUPS
from dudao.inspections.services._base import HALF as HALF
from dudao.inspections.services._base import RULE_FIELDS as RULE_FIELDS
from dudao.inspections.services._base import TOUR_FIELDS as TOUR_FIELDS
from dudao.inspections.services._base import S as S
from dudao.inspections.services.findings import confirm_finding as confirm_finding
from dudao.inspections.services.findings import dismiss_finding as dismiss_finding
from dudao.inspections.services.findings import record_finding as record_finding
from dudao.inspections.services.planning import add_group as add_group
from dudao.inspections.services.planning import add_judge as add_judge
from dudao.inspections.services.planning import add_site as add_site
from dudao.inspections.services.planning import add_unit as add_unit
from dudao.inspections.services.planning import county_of as county_of
from dudao.inspections.services.planning import remove_judge as remove_judge
from dudao.inspections.services.planning import remove_site as remove_site
from dudao.inspections.services.planning import selection_warnings as selection_warnings
from dudao.inspections.services.scoring import attach_photo as attach_photo
from dudao.inspections.services.scoring import cast_votes as cast_votes
from dudao.inspections.services.scoring import parse_points as parse_points
from dudao.inspections.services.scoring import save_card as save_card
from dudao.inspections.services.scoring import submit_card as submit_card
from dudao.inspections.services.sheets import copy_sheet as copy_sheet
from dudao.inspections.services.sheets import save_criterion as save_criterion
from dudao.inspections.services.tours import TRANSITIONS as TRANSITIONS
from dudao.inspections.services.tours import SheetsMissing as SheetsMissing
from dudao.inspections.services.tours import cancel_tour as cancel_tour
from dudao.inspections.services.tours import create_tour as create_tour
from dudao.inspections.services.tours import publish_tour as publish_tour
from dudao.inspections.services.tours import store_results as store_results
from dudao.inspections.services.tours import transition_tour as transition_tour
from dudao.inspections.services.tours import update_tour as update_tour
