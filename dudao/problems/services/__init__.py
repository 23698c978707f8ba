"""Writes to the problem ledger. Every function is one transaction with one audit event and
one timeline entry (ProblemEvent).

The workflow (domain-research §4.6):

    交办 assigned ──start──▶ 整改中 fixing ──apply──▶ 申请销号 applied ──verify──▶ 核查 verifying
                                 ▲                      │  │                        │   │
                                 └──────return──────────┘  └─────────close──────────┴───┘──▶ 已销号
                                 └──────────────────────────reopen───────────────────────────┘

* start / progress / apply: 填报员 or 审核员 whose data scope holds the responsible unit;
  apply needs at least one 整改后 photo or file.
* verify / close / return: 督查员 or 审核员 of an organisation *other than* the one that fixed it
  — neither the responsible unit nor one of its sub-units, nor the unit that applied.
* reopen: 督查员, with a reason and a new deadline; counted (`reopen_count`), as returns are.
"""

from __future__ import annotations

from dudao.problems.services._base import EDITABLE_FIELDS as EDITABLE_FIELDS
from dudao.problems.services._base import FIXER_ROLES as FIXER_ROLES
from dudao.problems.services._base import ISSUER_ROLES as ISSUER_ROLES
from dudao.problems.services._base import MAX_UPLOAD_BYTES as MAX_UPLOAD_BYTES
from dudao.problems.services._base import NOTE_LABELS as NOTE_LABELS
from dudao.problems.services._base import PHOTO_EXTENSIONS as PHOTO_EXTENSIONS
from dudao.problems.services._base import REOPEN_ROLES as REOPEN_ROLES
from dudao.problems.services._base import TRANSITIONS as TRANSITIONS
from dudao.problems.services._base import VERIFIER_ROLES as VERIFIER_ROLES
from dudao.problems.services._base import A as A
from dudao.problems.services._base import S as S
from dudao.problems.services._base import Transition as Transition
from dudao.problems.services._helpers import allowed_actions as allowed_actions
from dudao.problems.services._helpers import can_edit as can_edit
from dudao.problems.services._helpers import county_of as county_of
from dudao.problems.services._helpers import default_deadline as default_deadline
from dudao.problems.services._helpers import is_fixer as is_fixer
from dudao.problems.services._helpers import next_problem_code as next_problem_code
from dudao.problems.services._helpers import verifier_refusal as verifier_refusal
from dudao.problems.services.config import update_category as update_category
from dudao.problems.services.config import update_light_rule as update_light_rule
from dudao.problems.services.evidence import add_evidence as add_evidence
from dudao.problems.services.imports import IMPORT_COMPARED as IMPORT_COMPARED
from dudao.problems.services.imports import IMPORT_ROLES as IMPORT_ROLES
from dudao.problems.services.imports import ImportPlan as ImportPlan
from dudao.problems.services.imports import apply_import as apply_import
from dudao.problems.services.imports import plan_import as plan_import
from dudao.problems.services.lights import LightsResult as LightsResult
from dudao.problems.services.lights import recompute_lights as recompute_lights
from dudao.problems.services.lights import (
    recompute_provisional_deadlines as recompute_provisional_deadlines,
)
from dudao.problems.services.lights import refresh_light as refresh_light
from dudao.problems.services.registering import create_problem as create_problem
from dudao.problems.services.registering import update_problem as update_problem
from dudao.problems.services.workflow import transition as transition
