"""督查任务清单: sources, tasks cascaded down the organisation tree, feedback, close-out,
extensions, lights with their history and escalation, and the in-app notification centre.

A task's data scope is its lead unit's subtree (`lead_org`): a county sees the tasks assigned
to it and to its sub-units; the city's 督查室 (scope: the city's tree) sees what it issued.
"""

from __future__ import annotations

from dudao.supervision.models._base import TaskCategory as TaskCategory
from dudao.supervision.models.files import Attachment as Attachment
from dudao.supervision.models.files import AttachmentQuerySet as AttachmentQuerySet
from dudao.supervision.models.files import TaskExtension as TaskExtension
from dudao.supervision.models.files import attachment_path as attachment_path
from dudao.supervision.models.lights import EscalationItem as EscalationItem
from dudao.supervision.models.lights import EscalationQuerySet as EscalationQuerySet
from dudao.supervision.models.lights import EscalationRule as EscalationRule
from dudao.supervision.models.lights import LightRecord as LightRecord
from dudao.supervision.models.lights import LightRule as LightRule
from dudao.supervision.models.notifications import Notification as Notification
from dudao.supervision.models.sources import SourceQuerySet as SourceQuerySet
from dudao.supervision.models.sources import TaskSource as TaskSource
from dudao.supervision.models.tasks import SupervisionTask as SupervisionTask
from dudao.supervision.models.tasks import TaskFeedback as TaskFeedback
from dudao.supervision.models.tasks import TaskMilestone as TaskMilestone
from dudao.supervision.models.tasks import TaskQuerySet as TaskQuerySet
