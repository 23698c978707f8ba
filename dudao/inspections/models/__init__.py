"""Inspection tours (观摩督导): tours, leaders' groups, sites, judges, score sheets as data,
scores from the judges' phones, rank votes, published results, findings and provincial results.

Data scope: a tour belongs to its organiser (usually the city's 督查室); users see the tours
organised inside their scope *and* by the governments above them (a county sees the city's
tours, because the city tours the county). Sites, results and findings belong to a county.
"""

from __future__ import annotations

from dudao.inspections.models._base import HALF as HALF
from dudao.inspections.models.findings import Finding as Finding
from dudao.inspections.models.findings import FindingQuerySet as FindingQuerySet
from dudao.inspections.models.findings import ProvincialResult as ProvincialResult
from dudao.inspections.models.scoring import RankVote as RankVote
from dudao.inspections.models.scoring import Score as Score
from dudao.inspections.models.scoring import ScoreCard as ScoreCard
from dudao.inspections.models.scoring import UnitResult as UnitResult
from dudao.inspections.models.scoring import UnitResultQuerySet as UnitResultQuerySet
from dudao.inspections.models.scoring import photo_path as photo_path
from dudao.inspections.models.sheets import Criterion as Criterion
from dudao.inspections.models.sheets import ScoreSheet as ScoreSheet
from dudao.inspections.models.tours import Judge as Judge
from dudao.inspections.models.tours import Site as Site
from dudao.inspections.models.tours import SiteQuerySet as SiteQuerySet
from dudao.inspections.models.tours import Tour as Tour
from dudao.inspections.models.tours import TourGroup as TourGroup
from dudao.inspections.models.tours import TourQuerySet as TourQuerySet
from dudao.inspections.models.tours import TourSheet as TourSheet
from dudao.inspections.models.tours import TourUnit as TourUnit
from dudao.inspections.models.tours import TourUnitQuerySet as TourUnitQuerySet
from dudao.inspections.models.tours import UnitGroup as UnitGroup
