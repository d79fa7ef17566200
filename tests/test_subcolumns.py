"""Which links of a 年报 column's page are sub-columns to descend into (市直部门年报 → 民政局)."""

from __future__ import annotations

import pytest

from crawler.spiders.links import Link
from crawler.spiders.subcolumns import is_subcolumn, names_a_group

BASE = "/zwgk/ndbg/"
HOST = "http://www.example.gov.cn"


@pytest.mark.parametrize(
    ("url", "text"),
    [
        ("/zwgk/ndbg/szbm/", "市直部门年报"),
        ("/zwgk/ndbg/xq/", "县区年报"),
        ("/col/col5678/index.html", "乡镇街道年报"),  # a 年报 column anywhere on the portal
        ("/zwgk/ndbg/szbm/mzj/", "洛阳市民政局"),
        ("/zwgk/ndbg/xq/jxq/index.html", "涧西区"),
        ("/zwgk/ndbg/xzjd/", "乡镇（街道）"),
        ("/zwgk/ndbg/szbm/fgw/", "洛阳市发展和改革委员会"),
    ],
)
def test_a_sub_column_is_descended_into(url: str, text: str) -> None:
    assert is_subcolumn(Link(HOST + url, text), BASE)


@pytest.mark.parametrize(
    ("url", "text"),
    [
        ("/bmwz/mzj/", "洛阳市民政局"),  # the same name in the portal's menu leads elsewhere
        ("/zwgk/ndbg/szbm/mzj/t20240120_1.html", "洛阳市民政局2023年政府信息公开工作年度报告"),
        ("/zwgk/ndbg/2023/", "2023年"),
        ("/zwgk/ndbg/list_2.html", "下一页"),
        ("/zwgk/ndbg/szbm/mzj/report.pdf", "附件"),
        ("/zwgk/ndbg/tzgg/", "通知公告"),
    ],
)
def test_other_links_of_a_column_page_are_not_sub_columns(url: str, text: str) -> None:
    assert not is_subcolumn(Link(HOST + url, text), BASE)


def test_on_a_groups_index_an_agencys_column_may_be_anywhere_on_the_portal() -> None:
    # 县区年报's page links each district's column as Hanweb numbers them: /col/colNNN/.
    link = Link(HOST + "/col/col9001/index.html", "涧西区人民政府")
    assert names_a_group("县区年报") and names_a_group("市直部门")
    assert not names_a_group("2023年度")
    assert not is_subcolumn(link, BASE)
    assert is_subcolumn(link, "/")
