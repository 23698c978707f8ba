"""Writes of 省级考评. Only 督查员 (the city's 督查室, which keeps the provincial evaluation
files) configures regimes, enters inputs, computes and imports; every change is one audit event
in its own transaction.

The package is split by topic (regimes, inputs, results, awards; shared helpers in common,
the derivation of titles and star eligibility in derive); every public name stays importable
from ``dudao.evaluation.services``. Public services are durable transactions; the
``_name`` functions are their bodies, for this app's importers and demo, which compose them
in one transaction of their own.
"""

from __future__ import annotations

from dudao.evaluation.services.awards import (
    StarRow,
    TitleRow,
    _import_stars,
    _import_titles,
    import_stars,
    import_titles,
)
from dudao.evaluation.services.common import MAX_YEAR, MIN_YEAR, REGIME_FIELDS, Changes
from dudao.evaluation.services.derive import _derive
from dudao.evaluation.services.inputs import _set_inputs, input_codes, set_inputs
from dudao.evaluation.services.regimes import (
    create_regime,
    delete_dimension,
    delete_gate,
    delete_indicator,
    delete_star_rule,
    regimes_by_code,
    save_dimension,
    save_gate,
    save_indicator,
    save_star_rule,
    update_regime,
)
from dudao.evaluation.services.results import (
    PublishedRow,
    _compute_results,
    _publish_results,
    compute_results,
    delete_result_set,
    publish_results,
)

__all__ = [
    "MAX_YEAR",
    "MIN_YEAR",
    "REGIME_FIELDS",
    "Changes",
    "PublishedRow",
    "StarRow",
    "TitleRow",
    "_compute_results",
    "_derive",
    "_import_stars",
    "_import_titles",
    "_publish_results",
    "_set_inputs",
    "compute_results",
    "create_regime",
    "delete_dimension",
    "delete_gate",
    "delete_indicator",
    "delete_result_set",
    "delete_star_rule",
    "import_stars",
    "import_titles",
    "input_codes",
    "publish_results",
    "regimes_by_code",
    "save_dimension",
    "save_gate",
    "save_indicator",
    "save_star_rule",
    "set_inputs",
    "update_regime",
]
