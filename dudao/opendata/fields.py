"""The catalogue of publishable project fields: their key, Chinese label, disclosure category
(国办发〔2017〕94号) and default class. Which of them is public is data (`FieldClass` rows,
seeded from this list by migration 0002 and changed by a supervisor through
`services.set_field_class`); this module only says what exists and what can never change."""

from __future__ import annotations

from dataclasses import dataclass

from dudao.opendata.models import Category

C = Category


@dataclass(frozen=True)
class FieldSpec:
    key: str
    label: str
    category: str
    public_by_default: bool
    # Personal data or 涉密: never public, whatever a supervisor chooses.
    locked_internal: bool = False
    # Needed by the public list (name, place, category, stage): never internal.
    required: bool = False


CATALOGUE: tuple[FieldSpec, ...] = (
    FieldSpec("name", "项目名称", C.BASIC, True, required=True),
    FieldSpec("county", "所在县（市、区）", C.BASIC, True, required=True),
    FieldSpec("category", "项目类别", C.BASIC, True, required=True),
    FieldSpec("level", "项目级别", C.BASIC, True),
    FieldSpec("park", "所在园区", C.BASIC, True),
    FieldSpec("responsible_unit", "责任单位", C.BASIC, True),
    FieldSpec("code", "项目代码", C.APPROVAL_SERVICE, True),
    FieldSpec("description", "建设内容及规模", C.APPROVAL_RESULT, True),
    FieldSpec("total_investment", "总投资（万元）", C.APPROVAL_RESULT, True),
    FieldSpec("build_nature", "建设性质", C.APPROVAL_RESULT, True),
    FieldSpec("industry_code", "国民经济行业代码", C.APPROVAL_RESULT, True),
    FieldSpec("builder_name", "建设单位", C.APPROVAL_RESULT, True),
    FieldSpec("builder_uscc", "建设单位统一社会信用代码", C.APPROVAL_RESULT, True),
    FieldSpec("stage", "建设阶段", C.CONSTRUCTION, True, required=True),
    FieldSpec("milestones", "形象进度节点（计划与实际日期）", C.CONSTRUCTION, True),
    FieldSpec("investment", "年度计划投资与完成投资", C.CONSTRUCTION, True),
    FieldSpec("completion", "竣工（投产）日期", C.COMPLETION, True),
    FieldSpec("lead_leader", "包联领导", C.BASIC, False, locked_internal=True),
    FieldSpec("liaison", "联络员", C.BASIC, False, locked_internal=True),
    FieldSpec("liaison_phone", "联络电话", C.BASIC, False, locked_internal=True),
)

BY_KEY = {spec.key: spec for spec in CATALOGUE}

# The project fields that are internal by construction: a test walks every public output for
# their demo values.
PERSONAL_KEYS = tuple(spec.key for spec in CATALOGUE if spec.locked_internal)
