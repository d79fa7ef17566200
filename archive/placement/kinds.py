"""What kind of agency a name is: a people's government, its general office, or a department, and
which department (民政, 公安, 财政 …) in one normalised word.

Read from the part of the name after its divisions (洛阳市|民政局, 河南省|人民政府办公厅), or from
the whole name when it has none. A department whose name matches no known type is `other`:
better a plain `other` than a guess.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

KIND_GOVERNMENT = "government"
KIND_GENERAL_OFFICE = "general_office"
KIND_DEPARTMENT = "department"
DEPARTMENT_OTHER = "other"

# A district that is a new area (两江新区) is run by its 管理委员会.
_GOVERNMENT = re.compile(r"^(人民政府|政府|行政公署|行署|管理委员会|管委会)?$")
_GENERAL_OFFICE = re.compile(r"^(人民政府|政府|行政公署|行署)?办公(厅|室)$")
# A township's government: 某某镇人民政府, 某某乡政府, 某某街道办事处.
_TOWNSHIP = re.compile(r"^[\u4e00-\u9fff]{1,10}?(镇|乡|街道)(人民政府|政府|办事处|街道办事处|办)?$")
# A development zone's administration, which a government sets up to run it (its 派出机构).
ZONE_WORDS = r"(开发区|高新区|新区|园区|示范区|试验区|实验区|合作区|保税区|管理区|产业园|工业园)"
_ZONE_GOVERNMENT = re.compile(rf"^[\u4e00-\u9fff]{{0,16}}{ZONE_WORDS}(管理委员会|管委会)$")
_ZONE_OFFICE = re.compile(rf"^[\u4e00-\u9fff]{{0,16}}{ZONE_WORDS}(管理委员会|管委会)办公室$")
_GOVERNMENT_WORDS = re.compile(r"中华人民共和国|人民政府")
_TRAILING_NOTE = re.compile(r"[（(][^（）()]*[）)]$")

# Normalised department types and the words their names are written with. The word found first
# in the name decides (公安局交通警察支队 is 公安, not 交通).
DEPARTMENT_WORDS: dict[str, tuple[str, ...]] = {
    "民政": ("民政",),
    "公安": ("公安",),
    "财政": ("财政",),
    "教育": ("教育", "教体"),
    "人社": ("人力资源和社会保障", "人力资源社会保障", "人社"),
    "自然资源": ("自然资源", "国土资源"),
    "生态环境": ("生态环境", "环境保护", "环保"),
    "住建": ("住房和城乡建设", "住房城乡建设", "城乡建设", "住建"),
    "交通": ("交通运输", "交通"),
    "卫健": ("卫生健康", "卫健", "卫生和计划生育", "卫生计生", "卫计", "卫生局"),
    "市场监管": ("市场监督管理", "市场监管", "工商行政管理", "质量技术监督", "食品药品监督"),
    "税务": ("税务",),
    "发改": ("发展和改革", "发展改革", "发改"),
    "司法": ("司法",),
    "农业农村": ("农业农村", "农业", "农牧"),
    "水利": ("水利", "水务"),
    "商务": ("商务",),
    "文旅": ("文化和旅游", "文化广电和旅游", "文化广电旅游", "文化旅游", "文广旅", "文广新"),
    "应急": ("应急管理", "安全生产监督"),
    "审计": ("审计",),
    "统计": ("统计",),
    "退役军人": ("退役军人",),
    "医保": ("医疗保障", "医保"),
    "林业": ("林业",),
    "城管": ("城市管理", "城管", "综合行政执法"),
    "科技": ("科学技术", "科技"),
    "工信": ("工业和信息化", "工业信息化", "经济和信息化", "经信", "工信"),
    "人防": ("人民防空", "人防"),
    "信访": ("信访",),
    "民族宗教": ("民族宗教", "民族和宗教", "民宗"),
    "国资": ("国有资产监督管理", "国资"),
    "政务服务": ("政务服务", "行政审批", "大数据"),
    "体育": ("体育",),
    "粮食": ("粮食",),
    "外事": ("外事",),
    "档案": ("档案",),
    "机关事务": ("机关事务",),
    "金融": ("金融",),
    "气象": ("气象",),
    "海关": ("海关",),
}
_WORDS = sorted(
    ((word, kind) for kind, words in DEPARTMENT_WORDS.items() for word in words),
    key=lambda pair: -len(pair[0]),
)


@dataclass(frozen=True)
class AgencyKind:
    """`kind` and `department_type` (None unless a department); `township` when the name is a
    township's government, `zone` when it is a development zone's administration or office."""

    kind: str
    department_type: str | None = None
    township: bool = False
    zone: bool = False


def department_type(name: str) -> str:
    """The normalised type of a department's name: the known word found earliest in it."""
    # 人民政府 and 中华人民共和国 hold 民政 and 人民 by accident of spelling, never as a type.
    name = _GOVERNMENT_WORDS.sub("", name)
    found = [(name.find(word), -len(word), kind) for word, kind in _WORDS if word in name]
    return min(found)[2] if found else DEPARTMENT_OTHER


def unplaced_kind(name: str) -> AgencyKind:
    """The kind of a name whose divisions are not known (甲市人民政府, 市民政局): read from where
    its government words start, else the whole name."""
    for word in ("人民政府", "行政公署"):
        if word in name:
            return agency_kind(name[name.index(word) :])
    return agency_kind(name)


def agency_kind(rest: str) -> AgencyKind:
    """The kind of agency `rest` names: what follows the divisions in its name."""
    rest = _TRAILING_NOTE.sub("", rest.strip())
    if _GOVERNMENT.match(rest):
        return AgencyKind(KIND_GOVERNMENT)
    if _GENERAL_OFFICE.match(rest):
        return AgencyKind(KIND_GENERAL_OFFICE)
    if _TOWNSHIP.match(rest):
        return AgencyKind(KIND_GOVERNMENT, township=True)
    if _ZONE_GOVERNMENT.match(rest):
        return AgencyKind(KIND_GOVERNMENT, zone=True)
    if _ZONE_OFFICE.match(rest):
        return AgencyKind(KIND_GENERAL_OFFICE, zone=True)
    return AgencyKind(KIND_DEPARTMENT, department_type(rest))
