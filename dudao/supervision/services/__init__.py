"""Every write of 督查督办: one transaction, a role check, one audit event per change.

The cycle: register a source → create a task (draft) → issue it (四个明确 checked, deadline
computed) → split it for sub-units → units post feedback on their cycle → apply for close-out
with evidence → the issuing office verifies (销号) or returns it; extensions are asked before
the deadline and approved or refused. Progress roll-ups and the task's light are refreshed in
the same transaction as the change that moves them.
"""

from __future__ import annotations

from dudao.supervision.services._base import MAX_DEPTH as MAX_DEPTH
from dudao.supervision.services._base import MAX_FILES as MAX_FILES
from dudao.supervision.services._base import TASK_FIELDS as TASK_FIELDS
from dudao.supervision.services._base import S as S
from dudao.supervision.services._base import Upload as Upload
from dudao.supervision.services._helpers import can_verify as can_verify
from dudao.supervision.services._helpers import task_url as task_url
from dudao.supervision.services.cascade import OVERRIDABLE as OVERRIDABLE
from dudao.supervision.services.cascade import CascadeUnit as CascadeUnit
from dudao.supervision.services.cascade import cascade_task as cascade_task
from dudao.supervision.services.config import update_light_rule as update_light_rule
from dudao.supervision.services.deadlines import (
    recompute_provisional_deadlines as recompute_provisional_deadlines,
)
from dudao.supervision.services.digest import digest_sources as digest_sources
from dudao.supervision.services.digest import (
    register_digest_source as register_digest_source,
)
from dudao.supervision.services.extensions import decide_extension as decide_extension
from dudao.supervision.services.extensions import request_extension as request_extension
from dudao.supervision.services.feedback import apply_closeout as apply_closeout
from dudao.supervision.services.feedback import post_feedback as post_feedback
from dudao.supervision.services.feedback import verify_closeout as verify_closeout
from dudao.supervision.services.instructions import DEADLINE_DAYS as DEADLINE_DAYS
from dudao.supervision.services.instructions import InstructionTarget as InstructionTarget
from dudao.supervision.services.instructions import TargetKind as TargetKind
from dudao.supervision.services.instructions import instruction_ref as instruction_ref
from dudao.supervision.services.instructions import instruction_target as instruction_target
from dudao.supervision.services.instructions import on_target_registered as on_target_registered
from dudao.supervision.services.instructions import (
    register_instruction_target as register_instruction_target,
)
from dudao.supervision.services.instructions import target_kinds as target_kinds
from dudao.supervision.services.instructions import write_instruction as write_instruction
from dudao.supervision.services.notices import notify_users as notify_users
from dudao.supervision.services.progress import children_shares as children_shares
from dudao.supervision.services.progress import record_light as record_light
from dudao.supervision.services.sources import _create_source as _create_source
from dudao.supervision.services.sources import create_source as create_source
from dudao.supervision.services.tasks import _create_task as _create_task
from dudao.supervision.services.tasks import create_task as create_task
from dudao.supervision.services.tasks import issue_task as issue_task
from dudao.supervision.services.tasks import missing_clarities as missing_clarities
from dudao.supervision.services.tasks import update_task as update_task
