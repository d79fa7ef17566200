"""Sample sites whose column's records come from an API call: Hanweb dataproxy.jsp, jpaas, getInfoList,
gkmlpt, TRS's document search.

Each models what the real platforms serve (see `crawler.spiders.list_apis` and
`tests/fixtures/real/README.md` for the real pages and crawlers they are taken from):

- `dataproxy`: a Hanweb (大汉) JCMS column. The page holds the first group of records (3 pages of
  15) in its `<datastore>`, a `<nextgroup>` link to `dataproxy.jsp` with the column's `webid`,
  `columnid` and `unitid`, and the jpage call (`perPage`, `totalRecord`, `groupSize`). Later
  groups are POSTed: `dataproxy.jsp?startrecord=46&endrecord=90&perpage=15` with the form.
- `jpaas`: a 开普云 column: a shell page naming `webId`/`pageId`/`tplSetId`/`tagId`, whose list is
  `…/front/page/build/unit?…&paramJson={"pageNo":N,"pageSize":15}` answering `{"data":{"html":…}}`.
- `xxgk`: a 信息公开目录 sub-site: the catalogue's categories (年报 among them), a category page
  whose table (索引号, 名称, 发布机构, 生成日期) is filled by a POST to `getInfoList`, answering JSON
  with the page count, and detail pages carrying the 索引号/发布机构 metadata table.
- `gkml`: Guangdong's gkmlpt (政府信息公开目录管理平台): `/gkmlpt/index`, whose categories are a
  tree in `window._CONFIG` (with the site's `SID`), the 年报 category listed by
  `GET /gkmlpt/api/all/{id}?page=N&sid=SID` answering `{"articles": […], "total": N}`, and
  `/gkmlpt/content/…/post_{id}.html` detail pages with the 索引号/发布机构 table.
- `trssearch`: a TRS column drawn by the avalon list model (`list2.trsapi`, "动静结合"), as the
  real 平潭综合实验区 column (`tests/fixtures/real/pingtan_zfxxgknb_list.html`): page 1 static,
  its `listModel({maxStaticIndex: 1, listArgs: {channelid: SiteInfo.searchId, classsql:
  "chnlid=…", sortfield}, pagebar: {prepage, recordCount}})`, and every later page POSTed to
  `/fjdzapp/search` with the list arguments, `page` and `prepage`, answering `{"pageCount": N,
  "data": [{"doctitle", "docpuburl", "chnldocurl"}]}` (what the Pingtan archive's own crawler
  reads from the real endpoint).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import datetime
from html import escape

from portal.placement import Entry, FamilyLayout, ListPage, Navigation, ReportColumn
from portal.sites import Site, html_page
from portal.style_pages import index_number, noise_page, report_placer

_JSON = "application/json; charset=UTF-8"


def _served(site: Site, entries: list[Entry], start: int, stop: int) -> tuple[list[Entry], int]:
    """The entries `start`…`stop` of a column and the total its answer states.

    Under a calendar trap (`Site.calendar_trap`) the total always runs one page past the end, and
    a page past the end lists the last entry again: an API that never runs dry."""
    if not site.calendar_trap:
        return entries[max(start, 0) : max(stop, 0)], len(entries)
    span = max(stop - start, 1)
    if start >= len(entries):
        site.trap_pages_served += 1
        return entries[-1:], stop + span
    return entries[max(start, 0) : stop], len(entries) + span


def _page_and_size(
    params: dict[str, str], page_key: str, size_key: str | None, size: int
) -> tuple[int, int] | None:
    """The page number (from 1) and page size a list API call asks for; None for nonsense."""
    try:
        page = int(params.get(page_key, 1))
        size = int(params.get(size_key, size)) if size_key else size
    except ValueError:
        return None
    return (page, size) if page >= 1 and size >= 1 else None


def _json_answer(data: object) -> tuple[str, bytes]:
    return _JSON, json.dumps(data, ensure_ascii=False).encode("utf-8")


def _api_layout(
    *,
    open_gov_paths: tuple[str, ...],
    columns: list[tuple[str, str]],
    first_page_paths: tuple[str, ...],
    page_size: int,
    first_id: int,
    document_path: Callable[[datetime, int], str],
    catalogue: bool,
    list_page: Callable[[Site, ListPage], str],
    endpoints: Callable[[Site, list[Entry]], None],
) -> FamilyLayout:
    """The layout of a site whose column is served statically on its first page only (at
    `first_page_paths`), the rest by its list API (`endpoints`); reports are article pages."""
    return FamilyLayout(
        Navigation(home_paths=("/", "/index.html"), open_gov_paths=open_gov_paths, columns=columns),
        ReportColumn(
            page_size=page_size,
            first_id=first_id,
            document_path=document_path,
            href=lambda path: path,
            place_report=report_placer(catalogue=catalogue),
            noise_page=noise_page,
            list_paths=lambda index: first_page_paths if index == 0 else (),
            list_page=list_page,
            page_index=lambda path, query: None,
            endpoints=endpoints,
        ),
    )


# -- Hanweb dataproxy.jsp --------------------------------------------------------------------------

DATAPROXY_COLUMN = "/col/col2451/index.html"
DATAPROXY_LIST = re.compile(r"^/col/col2451/index\.html$")
DATAPROXY_PATH = "/module/web/jpage/dataproxy.jsp"
_COLUMN_ID, _UNIT_ID, _WEB_ID, _PER_PAGE, _GROUP = "2451", "8765", "3", 5, 3


def _record(entry: Entry) -> str:
    return (
        f'<record><![CDATA[<li><a href="{escape(entry.href)}" title="{escape(entry.title)}" '
        f'target="_blank">{escape(entry.title)}</a><span>{entry.published:%Y-%m-%d}</span></li>]]>'
        "</record>"
    )


def _dataproxy_list(site: Site, page: ListPage) -> str:
    records = "\n".join(_record(e) for e in page.entries)
    # A calendar trap's column counts a page more than it holds (see `_served`).
    total = page.total + (_PER_PAGE if site.calendar_trap else 0)
    next_group = (
        f"{DATAPROXY_PATH}?page=1&amp;appid=1&amp;webid={_WEB_ID}&amp;path=/&amp;"
        f"columnid={_COLUMN_ID}&amp;unitid={_UNIT_ID}&amp;webname={escape(site.name)}&amp;"
        "permissiontype=0"
    )
    body = (
        '<div class="position">当前位置：<a href="/">首页</a> &gt; '
        '<a href="/col/col2400/index.html">政务公开</a> &gt; 政府信息公开年报</div>\n'
        f'<div id="{_UNIT_ID}"><script type="text/xml"><datastore>'
        f'<nextgroup><![CDATA[<a href="{next_group}"></a>]]></nextgroup>\n'
        f"<recordset>\n{records}\n</recordset></datastore></script></div>\n"
        '<script language="javascript" src="/module/jslib/jquery/jpage/jquery.page.min.js">'
        "</script>\n<script>$(document).ready(function(){$('#" + _UNIT_ID + "').jpage({"
        f"dataStore: dataStore, perPage:{_PER_PAGE}, totalRecord:{total}, "
        f"groupSize:{_GROUP}, proxyUrl:'{DATAPROXY_PATH}', barPosition:'bottom'"
        "});});</script>"
    )
    return html_page("政府信息公开年报", body, site)


def _dataproxy_endpoint(site: Site, entries: list[Entry]) -> None:
    def answer(params: dict[str, str]) -> tuple[str, bytes] | None:
        if params.get("columnid") != _COLUMN_ID or params.get("unitid") != _UNIT_ID:
            return None
        try:
            first, last = int(params["startrecord"]), int(params["endrecord"])
        except (KeyError, ValueError):
            return None
        chosen, total = _served(site, entries, max(first, 1) - 1, last)
        body = (
            f"<datastore><totalrecord>{total}</totalrecord>"
            f"<totalpage>{-(-total // _PER_PAGE)}</totalpage><recordset>\n"
            + "\n".join(_record(e) for e in chosen)
            + "\n</recordset></datastore>"
        )
        return "text/xml; charset=UTF-8", body.encode("utf-8")

    site.endpoints[DATAPROXY_PATH] = answer


DATAPROXY_LAYOUT = _api_layout(
    open_gov_paths=("/col/col2400/index.html",),
    columns=[
        ("/col/col2450/index.html", "政府信息公开指南"),
        (DATAPROXY_COLUMN, "政府信息公开年报"),
        ("/col/col2452/index.html", "政策解读"),
    ],
    first_page_paths=(DATAPROXY_COLUMN,),
    page_size=_PER_PAGE * _GROUP,
    first_id=7001,
    document_path=lambda p, doc_id: (
        f"/art/{p.year}/{p.month}/{p.day}/art_{_COLUMN_ID}_{doc_id}.html"
    ),
    catalogue=False,
    list_page=_dataproxy_list,
    endpoints=_dataproxy_endpoint,
)

# -- 开普云 jpaas unit -------------------------------------------------------------------------------

JPAAS_COLUMN = "/col/zfxxgknb/index.html"
JPAAS_LIST = re.compile(r"^/col/zfxxgknb/index\.html$")
JPAAS_PATH = "/api-gateway/jpaas-publish-server/front/page/build/unit"
_JPAAS_IDS = {"webId": "3549", "pageId": "1229106011", "tplSetId": "zfHuDn7pjzPV0dB1wLhu9"}
_JPAAS_SIZE = 6


def _jpaas_list(site: Site, page: ListPage) -> str:
    config = ", ".join(f"'{k}':'{v}'" for k, v in _JPAAS_IDS.items())
    body = (
        '<div class="position">当前位置：<a href="/">首页</a> &gt; '
        '<a href="/col/zwgk/index.html">政务公开</a> &gt; 政府信息公开年报</div>\n'
        '<div class="list-box" id="list"></div>\n<script>\n'
        f"var unitParams = {{{config}, 'parseType':'bulidstatic', 'pageType':'column', "
        "'tagId':'栏目列表'};\n"
        f"var pageSize = {_JPAAS_SIZE};\n"
        "function loadPage(pageNo) {\n"
        f"  $.get('{JPAAS_PATH}', $.extend({{}}, unitParams, "
        "{paramJson: JSON.stringify({pageNo: pageNo, pageSize: pageSize})}),\n"
        "    function (res) { $('#list').html(res.data.html); });\n}\nloadPage(1);\n</script>"
    )
    return html_page("政府信息公开年报", body, site)


def _jpaas_endpoint(site: Site, entries: list[Entry]) -> None:
    def answer(params: dict[str, str]) -> tuple[str, bytes] | None:
        if any(params.get(k) != v for k, v in _JPAAS_IDS.items()):
            return None
        try:
            paging = json.loads(params.get("paramJson", "{}"))
            page, size = int(paging.get("pageNo", 1)), int(paging.get("pageSize", _JPAAS_SIZE))
        except (ValueError, AttributeError):
            return None
        if page < 1 or size < 1:
            return None
        chosen, _ = _served(site, entries, (page - 1) * size, page * size)
        items = "".join(
            f'<li><a href="{escape(e.href)}" title="{escape(e.title)}" target="_blank">'
            f"{escape(e.title)}</a><span>{e.published:%Y-%m-%d}</span></li>"
            for e in chosen
        )
        data = {"code": 200, "success": True, "data": {"html": f"<ul>{items}</ul>"}}
        return _JSON, json.dumps(data, ensure_ascii=False).encode("utf-8")

    site.endpoints[JPAAS_PATH] = answer


JPAAS_LAYOUT = _api_layout(
    open_gov_paths=("/col/zwgk/index.html",),
    columns=[
        ("/col/zfxxgkzn/index.html", "政府信息公开指南"),
        (JPAAS_COLUMN, "政府信息公开年报"),
    ],
    first_page_paths=(JPAAS_COLUMN,),
    page_size=_JPAAS_SIZE,
    first_id=10001,
    document_path=lambda p, doc_id: f"/art/{p.year}/art_{doc_id:08x}.html",
    catalogue=False,
    list_page=_jpaas_list,
    endpoints=_jpaas_endpoint,
)

# -- 信息公开目录 (xxgk) with getInfoList --------------------------------------------------------------

XXGK_HOME = "/xxgk/gkml/index.html"
XXGK_COLUMN = "/xxgk/gkml/nb/index.html"
XXGK_LIST = re.compile(r"^/xxgk/gkml/nb/index\.html$")
XXGK_API = "/xxgk/api/getInfoList"
_CATALOGUE_ID, _SITE_ID, _XXGK_SIZE = "nb", "9", 8


def _xxgk_list(site: Site, page: ListPage) -> str:
    body = (
        '<div class="position">当前位置：<a href="/">首页</a> &gt; '
        f'<a href="{XXGK_HOME}">政府信息公开目录</a> &gt; 政府信息公开年报</div>\n'
        '<table class="gkml-list"><thead><tr><th>索引号</th><th>名称</th><th>发布机构</th>'
        '<th>生成日期</th></tr></thead><tbody id="infoList"></tbody></table>\n'
        '<div id="pager"></div>\n<script>\nfunction getInfoList(pageIndex) {\n'
        f"  $.ajax({{url: '{XXGK_API}', type: 'post', dataType: 'json',\n"
        f"    data: {{catId: '{_CATALOGUE_ID}', siteId: '{_SITE_ID}', pageIndex: 1, "
        f"pageSize: {_XXGK_SIZE}}},\n"
        "    success: function (res) { render(res.data.list, res.data.totalPage); }});\n"
        "}\ngetInfoList(1);\n</script>"
    )
    return html_page("政府信息公开年报", body, site)


def _xxgk_endpoint(site: Site, entries: list[Entry]) -> None:
    def answer(params: dict[str, str]) -> tuple[str, bytes] | None:
        if params.get("catId") != _CATALOGUE_ID or params.get("siteId") != _SITE_ID:
            return None
        asked = _page_and_size(params, "pageIndex", "pageSize", _XXGK_SIZE)
        if asked is None:
            return None
        page, size = asked
        chosen, total = _served(site, entries, (page - 1) * size, page * size)
        items = [
            {
                "indexNo": index_number(e.published, int(re.sub(r"\D", "", e.path)[-5:])),
                "title": e.title,
                "url": e.href,
                "publisher": site.agency,
                "publishDate": f"{e.published:%Y-%m-%d}",
            }
            for e in chosen
        ]
        data = {"code": 0, "data": {"list": items, "total": total, "totalPage": -(-total // size)}}
        return _json_answer(data)

    site.endpoints[XXGK_API] = answer


def _xxgk_doc(published: datetime, doc_id: int) -> str:
    return f"/xxgk/gkml/nb/{published:%Y%m}/t{published:%Y%m%d}_{doc_id}.html"


XXGK_LAYOUT = _api_layout(
    # The catalogue's home is where 政务公开 leads: its categories, 年报 among them.
    open_gov_paths=(XXGK_HOME,),
    columns=[
        ("/xxgk/gkml/zn/index.html", "政府信息公开指南"),
        ("/xxgk/gkml/zd/index.html", "政府信息公开制度"),
        ("/xxgk/gkml/jgzn/index.html", "机构职能"),
        ("/xxgk/gkml/zcwj/index.html", "政策文件"),
        (XXGK_COLUMN, "政府信息公开年报"),
    ],
    first_page_paths=(XXGK_COLUMN,),
    page_size=_XXGK_SIZE,
    first_id=31001,
    document_path=_xxgk_doc,
    catalogue=True,
    list_page=_xxgk_list,
    endpoints=_xxgk_endpoint,
)


# -- Guangdong gkmlpt --------------------------------------------------------------------------------

GKMLPT_HOME = "/gkmlpt/index"
GKMLPT_LIST = re.compile(r"^/gkmlpt/index$")
_GKMLPT_SID, _GKMLPT_REPORTS, _GKMLPT_SIZE = "755041", 721, 8
_GKMLPT_TREE = [
    {"id": 1, "name": "机构职能", "children": []},
    {"id": 2, "name": "政策文件", "children": [{"id": 3, "name": "规范性文件", "children": []}]},
    {"id": 4, "name": "政府信息公开指南", "children": []},
    {"id": _GKMLPT_REPORTS, "name": "政府信息公开年报", "children": []},
    {"id": 5, "name": "政务服务", "jump_url": "/zwfw/", "children": []},
]
GKMLPT_API = f"/gkmlpt/api/all/{_GKMLPT_REPORTS}"


def _gkmlpt_index(site: Site, page: ListPage) -> str:
    tree = json.dumps(_GKMLPT_TREE, ensure_ascii=False)
    body = (
        '<div id="app"></div>\n<script>\nwindow._CONFIG = {\n'
        f"  SID: '{_GKMLPT_SID}',\n  TREE: {tree},\n  SERVICE_AREA_ID: 0\n}};\n</script>\n"
        '<script src="/gkmlpt/gkml/pc/js/chunk-common.js"></script>'
    )
    return html_page("政府信息公开目录", body, site)


def _gkmlpt_endpoint(site: Site, entries: list[Entry]) -> None:
    def answer(params: dict[str, str]) -> tuple[str, bytes] | None:
        if params.get("sid") != _GKMLPT_SID:
            return None
        asked = _page_and_size(params, "page", None, _GKMLPT_SIZE)
        if asked is None:
            return None
        page, size = asked
        chosen, total = _served(site, entries, (page - 1) * size, page * size)
        articles = [
            {
                "id": int(e.path.rsplit("_", 1)[1].split(".")[0]),
                "title": e.title,
                "url": site.url(e.path),
                "identifier": index_number(e.published, int(e.path.rsplit("_", 1)[1][:-5])),
                "publisher": site.agency,
                "created_at": f"{e.published:%Y-%m-%d %H:%M:%S}",
            }
            for e in chosen
        ]
        classify = {"id": _GKMLPT_REPORTS, "name": "政府信息公开年报", "post_count": total}
        return _json_answer({"articles": articles, "total": total, "classify": classify})

    site.endpoints[GKMLPT_API] = answer


def _gkmlpt_doc(published: datetime, doc_id: int) -> str:
    return f"/gkmlpt/content/0/{doc_id // 1000}/post_{doc_id}.html"


GKMLPT_LAYOUT = _api_layout(
    open_gov_paths=("/zwgk/", "/zwgk/index.html"),
    columns=[(GKMLPT_HOME, "政府信息公开目录"), ("/zwgk/tzgg/", "通知公告")],
    first_page_paths=(GKMLPT_HOME,),
    page_size=_GKMLPT_SIZE,
    first_id=963101,
    document_path=_gkmlpt_doc,
    catalogue=True,
    list_page=_gkmlpt_index,
    endpoints=_gkmlpt_endpoint,
)


# -- TRS list2.trsapi with the document search /fjdzapp/search ---------------------------------------

TRS_SEARCH_COLUMN = "/zwgk/zfxxgk/zfxxgknb/"
TRS_SEARCH_LIST = re.compile(r"^/zwgk/zfxxgk/zfxxgknb/(index\.htm)?$")
TRS_SEARCH_PATH = "/fjdzapp/search"
_SEARCH_ID, _CHANNEL, _SORT, _PREPAGE = "200210", "1813", "-docorderpri,-docreltime", 5


def _trs_search_list(site: Site, page: ListPage) -> str:
    items = "\n".join(
        f'<li><a href="{escape(e.href)}" target="_blank" title="{escape(e.title)}">'
        f"{escape(e.title)}</a><span>{e.published:%Y-%m-%d}</span></li>"
        for e in page.entries
    )
    # A calendar trap's column counts a page more than it holds (see `_served`).
    records = page.total + (_PREPAGE if site.calendar_trap else 0)
    body = (
        '<div class="position">当前位置：<a href="/">首页</a> &gt; '
        '<a href="/zwgk/">政务公开</a> &gt; 政府信息公开年报</div>\n'
        f'<ul class="list" ms-controller="listCtrl">\n{items}\n</ul>\n'
        '<div class="pagebar" id="pagebar"></div>\n'
        "<script>\nvar SiteInfo = {\n    itpSiteId: 21,\n"
        f"    searchId: {_SEARCH_ID}, //默认的文档检索频道的ID\n"
        '    defaultPgTemp: "pgBar_pt.html"\n};\n</script>\n'
        '<script>\nrequire(["list2.trsapi", "tools"], function(listModel, tools) {\n'
        '    listModel({\n        quickMode: "动静结合",\n        maxStaticIndex: 1,\n'
        "        listArgs: {\n            channelid: SiteInfo.searchId,\n"
        f'            classsql: "" || "chnlid={_CHANNEL}",\n'
        f'            sortfield: "{_SORT}"\n        }},\n'
        f"        pagebar: {{\n            prepage: {_PREPAGE},\n"
        f"            recordCount: '{records}',\n"
        '            pgTemp: "pgBar_xxgk.html",\n            pgCountMode: "recordCount"\n'
        "        }\n    });\n});\n</script>"
    )
    return html_page("政府信息公开年报", body, site)


def _trs_search_endpoint(site: Site, entries: list[Entry]) -> None:
    def answer(params: dict[str, str]) -> tuple[str, bytes] | None:
        if params.get("channelid") != _SEARCH_ID or params.get("classsql") != f"chnlid={_CHANNEL}":
            return None
        asked = _page_and_size(params, "page", "prepage", _PREPAGE)
        if asked is None:
            return None
        page, size = asked
        chosen, total = _served(site, entries, (page - 1) * size, page * size)
        data = [
            {
                "doctitle": e.title,
                "docpuburl": site.url(e.path),
                "chnldocurl": site.url(e.path),
                "docreltime": f"{e.published:%Y-%m-%d %H:%M:%S}",
            }
            for e in chosen
        ]
        return _json_answer({"pageCount": -(-total // size), "recordCount": total, "data": data})

    site.endpoints[TRS_SEARCH_PATH] = answer


def _trs_search_doc(published: datetime, doc_id: int) -> str:
    return f"{TRS_SEARCH_COLUMN}{published:%Y%m}/t{published:%Y%m%d}_{doc_id}.htm"


TRS_SEARCH_LAYOUT = _api_layout(
    open_gov_paths=("/zwgk/", "/zwgk/index.htm"),
    columns=[
        ("/zwgk/zfxxgk/zfxxgkzn/", "政府信息公开指南"),
        (TRS_SEARCH_COLUMN, "政府信息公开年报"),
    ],
    first_page_paths=(TRS_SEARCH_COLUMN, TRS_SEARCH_COLUMN + "index.htm"),
    page_size=_PREPAGE,
    first_id=97001,
    document_path=_trs_search_doc,
    catalogue=False,
    list_page=_trs_search_list,
    endpoints=_trs_search_endpoint,
)
