"""Demo tasks of the fictional 示范市: the speech's priorities as a real 督查任务清单.

Three sources (the 观摩督导总结会议, a 批示 on following up signed deals, the 清单化管理
notice), twelve city tasks — 集聚区提质转型 (融合/创新/绿色/转型), 项目建设 (三季度开工,
竣工投产), 招商引资 (产业图谱, 跟踪问效) and the four 抓落实 — each cascaded to every county,
one county splitting further to its 发改委 and park; children in every state, and the lights
computed week by week so the history and the escalation items are real. At province scale the
same tasks repeat over monthly 推进会 sources until about 20,000 tasks exist.
"""

from __future__ import annotations

from dudao.supervision.demo._base import EVIDENCE_PDF as EVIDENCE_PDF
from dudao.supervision.demo._base import SPEECH as SPEECH
from dudao.supervision.demo._base import S as S
from dudao.supervision.demo.build import SOURCES as SOURCES
from dudao.supervision.demo.data import PRIORITIES as PRIORITIES
from dudao.supervision.demo.data import STATES as STATES
from dudao.supervision.demo.data import Priority as Priority
from dudao.supervision.demo.generator import supervision as supervision
