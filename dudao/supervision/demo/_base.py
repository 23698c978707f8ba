"""督查督办 demo (`dudao.supervision.demo`): shared constants and helpers."""

from __future__ import annotations

from dudao.supervision.models import (
    SupervisionTask,
)

S = SupervisionTask.Status
SPEECH = (
    "对于事关全市改革发展的重点工作、重点项目、重大决策，要实行督查任务清单化管理，层层分解任务、"
    "层层传导压力、层层压实责任，做到责任主体明确、工作任务明确、工作目标明确、完成时限明确。"
)
EVIDENCE_PDF = b"%PDF-1.4\n% demo evidence\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
