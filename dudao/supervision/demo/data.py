"""督查督办 demo (`dudao.supervision.demo`): The priorities and the child states."""

from __future__ import annotations

from dataclasses import dataclass

# --- The priorities and the child states ----------------------------------------------------------


@dataclass(frozen=True)
class Priority:
    category: str
    title: str
    content: str
    goal: str
    lead: str  # organisation code
    child_goal: str
    weights: str  # "all" | "some" | "none"
    cycle: str = "monthly"
    source: str = "meeting"


PRIORITIES = [
    Priority(
        "JJQ",
        "强化融合发展",
        "推进产城融合、产业融合、产链融合，加快生产生活服务平台建设和区内村庄迁并改造，发展金融保险、现代物流等生产性服务业。",
        "各产业集聚区形成主导产业链条图，生产性服务业项目至少落地1个。",
        "SFS-FGW",
        "本县产业集聚区完成产城融合规划修编，落地生产性服务业项目1个以上。",
        "all",
    ),
    Priority(
        "JJQ",
        "强化创新发展",
        "打通“四个通道”推动科研成果就地转化，推进“互联网+”、大数据等业态创新，探索组建园区开发公司。",
        "每个产业集聚区建成至少1个研发平台，组建或引进园区开发公司。",
        "SFS-FGW",
        "建成研发平台1个，形成园区开发公司组建方案。",
        "some",
    ),
    Priority(
        "JJQ",
        "强化绿色发展",
        "完善产业集聚区规划环评，严格产业和环保准入门槛，推进生产生活服务设施共建共享。",
        "规划环评全部完成修编，新入驻项目环保准入审查率100%。",
        "SFS-FGW",
        "完成本县产业集聚区规划环评修编，建立准入审查台账。",
        "none",
    ),
    Priority(
        "JJQ",
        "强化转型发展",
        "推动产业集聚区向高新区、经开区转型，积极申报国家级开发区。",
        "形成转型发展方案，符合条件的集聚区启动国家级开发区申报。",
        "SFS-FGW",
        "报送本县集聚区转型发展方案。",
        "all",
    ),
    Priority(
        "XMJS",
        "三季度新开工一批项目",
        "严格落实责任、严控时间节点，对存在的困难和问题逐项排查化解，确保三季度一批新项目开工建设。",
        "三季度计划新开工项目全部开工。",
        "SFS-FGW",
        "本县三季度计划新开工项目全部开工，逐项销号。",
        "all",
        "weekly",
    ),
    Priority(
        "XMJS",
        "在建项目竣工投产一批",
        "倒排工期，加快在建项目建设，确保三季度一批在建项目竣工投产。",
        "年度计划竣工项目按期竣工投产。",
        "SFS-FGW",
        "本县计划竣工项目按节点竣工投产。",
        "some",
    ),
    Priority(
        "ZSYZ",
        "制定主导、新兴、特色三类产业图谱",
        "围绕未来重点发展的主导、新兴、特色三类产业制定产业图谱，明确招商具体目标和方向。",
        "发布全市三类产业图谱，各县（市、区）形成招商目标企业清单。",
        "SFS-SWJ",
        "形成本县招商目标企业清单（不少于20家）。",
        "all",
    ),
    Priority(
        "ZSYZ",
        "加强已签约项目跟踪问效",
        "对已签约项目逐个建立跟踪台账，确保早落地、早见效。",
        "已签约项目开工率不低于80%。",
        "SFS-SWJ",
        "本县已签约项目逐个明确落地时间表，开工率不低于80%。",
        "all",
        "monthly",
        "instruction",
    ),
    Priority(
        "ZLS",
        "积极作为抓落实",
        "保持抓工作的韧劲、解难题的钻劲、干事业的拼劲，着力解决发展中的突出问题。",
        "梳理发展中的突出问题清单并逐项明确解决措施。",
        "SFS-FGW",
        "报送本县突出问题清单和解决措施。",
        "none",
        "monthly",
        "document",
    ),
    Priority(
        "ZLS",
        "盯紧目标抓落实",
        "对照省市年初确定的各项工作目标，逐一分类排队、查找薄弱环节、明确时间节点、制定改进措施。",
        "年度目标任务逐项分类排队并按季度通报。",
        "SFS-TJJ",
        "本县年度目标逐项分类排队，按季度报送完成情况。",
        "all",
        "monthly",
        "document",
    ),
    Priority(
        "ZLS",
        "强化责任抓落实",
        "实行督查任务清单化管理，层层分解任务、层层传导压力、层层压实责任。",
        "重点工作任务清单化管理覆盖率100%。",
        "SFS-FGW",
        "本县重点工作全部纳入任务清单，四个明确。",
        "some",
        "monthly",
        "document",
    ),
    Priority(
        "ZLS",
        "转变作风抓落实",
        "增强抓落实的使命担当、时间观念和效率意识，解决不想为、不会为、不敢为等问题。",
        "建立作风问题台账并按月销号。",
        "SFS-FGW",
        "建立本县作风问题台账，按月销号。",
        "none",
        "monthly",
        "document",
    ),
]

# Child states, spread so that every parent shows several and every state appears.
STATES = [
    "closed_on_time",
    "behind",
    "applied",
    "on_track",
    "overdue",
    "returned",
    "silent",
    "due_soon",
    "extended",
    "closed_late",
    "ext_pending",
    "long_overdue",
]
