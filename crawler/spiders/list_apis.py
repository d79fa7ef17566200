"""Columns whose list comes from an API call after (or instead of) the HTML page: the calls and their answers.

Many portals render page 1 of a column (or only a shell) and fetch the rest with a script. The
script's parameters sit in the page, so the calls can be read from it without running it:

- `hanweb_dataproxy`: Hanweb (大汉) JCMS's jpage. The page's `<datastore>` holds the first group of
  records and a `<nextgroup>` link to `/module/web/jpage/dataproxy.jsp?…&columnid=…&unitid=…&webid=…`;
  the next groups are POSTed to that URL with `startrecord`, `endrecord` and `perpage` in the query
  and the column's parameters (`col`, `appid`, `webid`, `path`, `columnid`, `sourceContentType`,
  `unitid`, `webname`, `permissiontype`) as the form, as the real jpage script and the open
  crawlers of these sites do. The answer is another datastore (`<record><![CDATA[…]]></record>`).
- `jpaas_unit`: 开普云 (jpaas) columns: `…/front/page/build/unit?webId=…&pageId=…&tplSetId=…&tagId=…`
  with `paramJson={"pageNo":N,"pageSize":S}`, answering JSON whose `data.html` is the list.
- `json_list`: `getInfoList`-style calls (TRS list APIs, 信息公开目录 platforms): a script's
  `$.ajax({url: '…/getInfoList', data: {catId: '…', pageIndex: 1, pageSize: 20}})`, answering JSON
  whose items carry a title and a URL, and often the page count.
- `gkmlpt`: Guangdong's 政府信息公开目录管理平台 (every Guangdong government site): the catalogue
  page `…/gkmlpt/index` carries `window._CONFIG = {SID: '…', TREE: [{id, name, children}…]}`;
  each category whose name is the 年报's is listed by `GET …/gkmlpt/api/all/{id}?page=N&sid=SID`,
  answering `{"articles": [{title, url, …}], "total": N}` (read as a `json_list` answer).
- `trs_search`: TRS's avalon list model (`require(["list2.trsapi"], … listModel({maxStaticIndex: 1,
  listArgs: {channelid, classsql: "chnlid=…", sortfield}, pagebar: {prepage, recordCount}}))`):
  the pages past the static ones are POSTed to the site's document search, `/fjdzapp/search`,
  with the list arguments and `page`, `prepage`, answering `{"pageCount": N, "data": [{doctitle,
  docpuburl, chnldocurl, …}]}` (read as a `json_list` answer).

`list_calls` reads a list page and returns the calls to make; `read_answer` reads an answer and
returns its links and the calls that follow (the rest of the pages when the answer states the
count, else the next page while pages keep bringing items). Pure: no Scrapy, no settings; the
caller passes its page cap (`NIANBAO_MAX_LIST_PAGES`) and no function returns more calls than that.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html import unescape
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from parsel import Selector

STYLE_HANWEB_DATAPROXY = "hanweb_dataproxy"
STYLE_JPAAS_UNIT = "jpaas_unit"
STYLE_JSON_LIST = "json_list"
STYLE_GKMLPT = "gkmlpt"
STYLE_TRS_SEARCH = "trs_search"


@dataclass(frozen=True)
class ListCall:
    """One request for part of a column's list: GET `url`, or POST `form` to it."""

    style: str
    url: str
    form: tuple[tuple[str, str], ...] = ()

    @property
    def method(self) -> str:
        return "POST" if self.form else "GET"

    @property
    def key(self) -> str:
        """What tells this call from another: its URL, and its form when POSTed to one URL."""
        return f"{self.url} POST {urlencode(self.form)}" if self.form else self.url


@dataclass
class Answer:
    """What an API answer lists: (absolute URL, title) pairs, and the calls to make next."""

    links: list[tuple[str, str]] = field(default_factory=list)
    next_calls: list[ListCall] = field(default_factory=list)


def _query(url: str) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(url).query, keep_blank_values=True))


def _with_query(url: str, params: list[tuple[str, str]]) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(params), ""))


def _anchors(html: str, base_url: str) -> list[tuple[str, str]]:
    """(absolute URL, full title) of each anchor of an HTML fragment."""
    found = []
    for anchor in Selector(text=html).xpath("//a[@href]"):
        href = anchor.attrib["href"].strip()
        if not href or href.startswith(("javascript:", "mailto:", "#")):
            continue
        text = re.sub(r"\s+", "", "".join(anchor.xpath(".//text()").getall()))
        title = re.sub(r"\s+", "", anchor.attrib.get("title", ""))
        found.append((urljoin(base_url, href), title if len(title) > len(text) else text))
    return found


# -- Hanweb jpage: dataproxy.jsp -------------------------------------------------------------------

# The link as a quoted attribute or string (a nextgroup's href="…?path='/'&webname='…'" keeps
# the other quote inside), else bare.
_DATAPROXY = re.compile(
    r"""(["'])((?:https?://[^\s"'<>]+)?/module/[\w/]*?jpage/dataproxy\.jsp)\?([^<>\s]*?)\1"""
    r"""|((?:https?://[^\s"'<>]+)?/module/[\w/]*?jpage/dataproxy\.jsp)\?([^"'<>\s]*)"""
)
_RECORD = re.compile(r"<record>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>", re.S)
_TOTAL_RECORD_XML = re.compile(r"<totalrecord>\s*(\d+)\s*</totalrecord>", re.I)
# The jpage call's options: `perPage:15`, `totalRecord:123`, `groupSize:3` (quoted or not).
_JPAGE_OPTION = r"""\b{}\s*[:=]\s*['"]?(\d+)"""
_FORM_DEFAULTS = (("col", "1"), ("appid", "1"), ("sourceContentType", "1"))
_RECORD_RANGE = ("startrecord", "endrecord", "perpage")


def _option(script: str, name: str) -> int | None:
    match = re.search(_JPAGE_OPTION.format(name), script, re.I)
    return int(match[1]) if match else None


def _dataproxy_calls(
    proxy: str,
    form: tuple[tuple[str, str], ...],
    start: int,
    group: int,
    per_page: int,
    total: int | None,
    max_pages: int,
) -> list[ListCall]:
    """Groups of `group` records from `start`: up to `total`, or the one next group if unknown."""
    last = total if total is not None else start + group - 1
    calls = []
    for first in range(start, last + 1, group):
        query = [
            ("startrecord", str(first)),
            ("endrecord", str(min(first + group - 1, last))),
            ("perpage", str(per_page)),
        ]
        calls.append(ListCall(STYLE_HANWEB_DATAPROXY, _with_query(proxy, query), form))
        if len(calls) * max(group // max(per_page, 1), 1) >= max_pages:
            break
    return calls


def _hanweb_dataproxy(html: str, url: str, max_pages: int) -> list[ListCall]:
    if "dataproxy.jsp" not in html:
        return []  # most list pages: no unescaping of the whole page
    match = _DATAPROXY.search(unescape(html))
    if match is None:
        return []
    proxy = urljoin(url, match[2] or match[4])
    link_query = match[3] if match[2] else match[5]
    params = [
        (k, v) for k, v in parse_qsl(link_query, keep_blank_values=True) if k.lower() != "page"
    ]
    params = [(k, v) for k, v in params if k.lower() not in _RECORD_RANGE]
    # `appid=1&appid=1` in real nextgroup links: each field once, in the page's order.
    form = dict(_FORM_DEFAULTS) | dict(params)
    shown = len(_RECORD.findall(html))
    per_page = _option(html, "perPage") or 15
    group_size = _option(html, "groupSize")
    # jpage's default group is 3 pages; a page that states none holds at least one group.
    group = per_page * (group_size or 3)
    if shown and group_size is None:
        group = max(group, shown)
    total = _option(html, "totalRecord")
    if total is None:
        xml_total = _TOTAL_RECORD_XML.search(html)
        total = int(xml_total[1]) if xml_total else None
    if total is not None and total <= shown:
        return []
    return _dataproxy_calls(
        proxy, tuple(form.items()), shown + 1, group, per_page, total, max_pages
    )


def _dataproxy_answer(text: str, call: ListCall, max_pages: int) -> Answer:
    records = _RECORD.findall(text)
    answer = Answer([link for record in records for link in _anchors(record, call.url)])
    query = _query(call.url)
    first, last = int(query.get("startrecord", 1)), int(query.get("endrecord", 0))
    per_page = int(query.get("perpage", 15) or 15)
    group = max(last - first + 1, per_page)
    total_match = _TOTAL_RECORD_XML.search(text)
    total = int(total_match[1]) if total_match else None
    if total is not None and total > last:
        answer.next_calls = _dataproxy_calls(
            call.url, call.form, last + 1, group, per_page, total, max_pages
        )
    elif total is None and len(records) >= group:
        answer.next_calls = _dataproxy_calls(
            call.url, call.form, last + 1, group, per_page, None, max_pages
        )
    return answer


# -- 开普云 jpaas: /front/page/build/unit ------------------------------------------------------------

_JPAAS_PATH = re.compile(
    r"""['"]((?:https?://[^\s"'<>]+)?/[^\s"'<>]*?/front/page/build/unit)['"]"""
)
_JPAAS_DEFAULT_PATH = "/api-gateway/jpaas-publish-server/front/page/build/unit"
_JPAAS_REQUIRED = ("webId", "pageId", "tplSetId")
_JPAAS_DEFAULTS = (("parseType", "bulidstatic"), ("pageType", "column"), ("tagId", ""))


def _page_parameter(html: str, name: str) -> str | None:
    """A parameter's value as a page writes it: `'webId':'3549'`, `webId: "3549"`, `webId=3549`."""
    for pattern in (
        rf"""['"]?\b{name}['"]?\s*[:=]\s*['"]([^'"<>]{{1,180}})['"]""",
        rf"""\b{name}=([^&'"\s<>]{{1,180}})""",
        rf"""\bdata-{name.lower()}\s*=\s*['"]([^'"<>]{{1,180}})['"]""",
    ):
        match = re.search(pattern, html)
        if match:
            return unescape(match[1]).strip()
    return None


def _jpaas_call(base: str, params: list[tuple[str, str]], page: int, size: int) -> ListCall:
    param_json = json.dumps({"pageNo": page, "pageSize": size}, separators=(",", ":"))
    return ListCall(STYLE_JPAAS_UNIT, _with_query(base, [*params, ("paramJson", param_json)]))


def _jpaas_unit(html: str, url: str, max_pages: int) -> list[ListCall]:
    if "/front/page/build/unit" not in html:
        return []
    path = _JPAAS_PATH.search(html)
    base = urljoin(url, path[1] if path else _JPAAS_DEFAULT_PATH)
    values = {name: _page_parameter(html, name) for name in _JPAAS_REQUIRED}
    if not all(values.values()):
        return []
    params = [(name, str(values[name])) for name in _JPAAS_REQUIRED]
    for name, default in _JPAAS_DEFAULTS:
        params.append((name, _page_parameter(html, name) or default))
    edit_type = _page_parameter(html, "editType")
    if edit_type:  # the real loaders pass it along ('editType':'null')
        params.append(("editType", edit_type))
    size = _option(html, "pageSize") or 15
    # The shell page lists nothing itself, or page 1 only: asking for page 1 again costs one call.
    return [_jpaas_call(base, params, 1, size)]


def _json(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return None


def _jpaas_answer(text: str, call: ListCall, max_pages: int) -> Answer:
    data = _json(text)
    html = data.get("data", {}).get("html") if isinstance(data, dict) else None
    if not isinstance(html, str):
        return Answer()
    answer = Answer(_anchors(html, call.url))
    query = list(parse_qsl(urlsplit(call.url).query, keep_blank_values=True))
    paging = _json(dict(query).get("paramJson", ""))
    if not isinstance(paging, dict):
        paging = {}
    try:
        page, size = int(paging.get("pageNo", 1)), int(paging.get("pageSize", 15))
    except (TypeError, ValueError):
        return answer  # not a paging our call wrote: nothing to follow
    # One call at a time: an API that never runs dry is cut by the spider's page cap, which
    # records the cut (a limit here would end the column silently).
    if answer.links:
        params = [(k, v) for k, v in query if k != "paramJson"]
        answer.next_calls = [_jpaas_call(call.url, params, page + 1, size)]
    return answer


# -- getInfoList-style JSON lists -------------------------------------------------------------------

# The endpoints a script may call for a column's list (the last path segment).
_JSON_ENDPOINT = re.compile(
    r"""['"]((?:https?://[^\s"'<>]+)?/[^\s"'<>?]*?/(?:get\w*List|\w*[Ll]ist\.json|queryList|"""
    r"""list\.do)(?:\?[^\s"'<>]*)?)['"]"""
)
# Every name `_JSON_ENDPOINT` accepts contains one of these.
_JSON_ENDPOINT_WORDS = ("List", "list.json", "list.do")
_PAGE_KEYS = ("pageIndex", "pageNo", "pageNum", "curPage", "currentPage", "page")
_SIZE_KEYS = ("pageSize", "perPage", "rows", "size", "limit")
# The options of an $.ajax/axios call, which are not the API's parameters.
_AJAX_OPTIONS = {
    "url",
    "type",
    "method",
    "dataType",
    "async",
    "cache",
    "contentType",
    "timeout",
    "success",
    "error",
    "complete",
    "beforeSend",
    "data",
    "headers",
    "jsonp",
}
_PAIR = re.compile(r"""['"]?(\w+)['"]?\s*:\s*(?:'([^'\n]{0,120})'|"([^"\n]{0,120})"|(-?\d+))""")
_METHOD_POST = re.compile(r"""\b(?:type|method)\s*:\s*['"]post['"]""", re.I)


def _json_list(html: str, url: str, max_pages: int) -> list[ListCall]:
    if not any(word in html for word in _JSON_ENDPOINT_WORDS):
        return []  # a quick look for the endpoint's name before the full pattern
    endpoint = _JSON_ENDPOINT.search(html)
    if endpoint is None:
        return []
    # The call's options follow its URL within the same script statement.
    window = html[endpoint.end() : endpoint.end() + 800].split("</script>")[0]
    window = window.split(");")[0]
    params: list[tuple[str, str]] = []
    for key, single, double, number in _PAIR.findall(window):
        if key in _AJAX_OPTIONS or any(key == k for k, _ in params):
            continue
        params.append((key, single or double or number))
    page_key = next((k for k, _ in params if k in _PAGE_KEYS), None)
    if page_key is None:
        return []
    start = int(dict(params)[page_key] or 1) if dict(params)[page_key].isdigit() else 1
    target = urljoin(url, endpoint[1])
    post = bool(_METHOD_POST.search(window))
    return [_json_list_call(target, params, page_key, start, post)]


def _json_list_call(
    target: str, params: list[tuple[str, str]], page_key: str, page: int, post: bool
) -> ListCall:
    values = [(k, str(page) if k == page_key else v) for k, v in params]
    if post:
        return ListCall(STYLE_JSON_LIST, target, tuple(values))
    merged = [*parse_qsl(urlsplit(target).query, keep_blank_values=True), *values]
    return ListCall(STYLE_JSON_LIST, _with_query(target, merged))


_URL_KEYS = (
    "url",
    "link",
    "href",
    "docpuburl",
    "puburl",
    "docurl",
    "arturl",
    "detailurl",
    "chnldocurl",
    "post_url",
    "statichtmlurl",
    "linkurl",
    "path",
)
_TITLE_KEYS = ("title", "doctitle", "name", "infotitle", "arttitle", "subject", "text")
_PAGES_KEYS = ("totalpage", "totalpages", "pagecount", "pages", "pagetotal")
_TOTAL_KEYS = (
    "total",
    "totalcount",
    "totalrecord",
    "totalrecords",
    "count",
    "recordcount",
    "post_count",
)


def _items(node: Any) -> Iterator[tuple[str, str]]:
    """(URL, title) of each object in a JSON tree that has both (keys compared case-blind)."""
    if isinstance(node, list):
        for child in node:
            yield from _items(child)
    elif isinstance(node, dict):
        lowered = {str(k).lower(): v for k, v in node.items()}
        link = next((lowered[k] for k in _URL_KEYS if isinstance(lowered.get(k), str)), None)
        title = next((lowered[k] for k in _TITLE_KEYS if isinstance(lowered.get(k), str)), None)
        if link and title:
            yield link, re.sub(r"\s+", "", unescape(re.sub(r"<[^>]*>", "", title)))
        for value in node.values():
            if isinstance(value, (dict, list)):
                yield from _items(value)


def _count(node: Any, keys: tuple[str, ...]) -> int | None:
    """The first number under one of `keys`, breadth first, in a JSON tree."""
    queue = [node]
    while queue:
        current = queue.pop(0)
        if isinstance(current, dict):
            for key, value in current.items():
                if str(key).lower() in keys and str(value).isdigit():
                    return int(value)
            queue.extend(v for v in current.values() if isinstance(v, (dict, list)))
        elif isinstance(current, list):
            queue.extend(v for v in current if isinstance(v, (dict, list)))
    return None


def _json_list_answer(text: str, call: ListCall, max_pages: int) -> Answer:
    data = _json(text)
    if data is None:
        return Answer()
    answer = Answer([(urljoin(call.url, link), title) for link, title in _items(data)])
    params = list(call.form) or list(parse_qsl(urlsplit(call.url).query, keep_blank_values=True))
    page_key = next((k for k, _ in params if k in _PAGE_KEYS), None)
    if page_key is None or not answer.links:
        return answer
    page = int(dict(params)[page_key])
    size_key = next((k for k, _ in params if k in _SIZE_KEYS), None)
    pages = _count(data, _PAGES_KEYS)
    total = _count(data, _TOTAL_KEYS)
    if pages is None and total is not None:
        asked = dict(params).get(size_key or "", "")
        if not asked.isdigit() and page > 1:
            # The size is only known from the first page (a later one may be the short last):
            # the first page's answer asked for every page already.
            return answer
        # The page size the call asked for, else the one the first page came with.
        size = int(asked) if asked.isdigit() else len(answer.links)
        pages = -(-total // max(size, 1))
    post = bool(call.form)
    # A GET call carries its parameters in the query: the next one is built from the bare path.
    target = call.url if post else _with_query(call.url, [])
    following = range(page + 1, min(pages, page + max_pages) + 1) if pages else [page + 1]
    answer.next_calls = [_json_list_call(target, params, page_key, n, post) for n in following][
        :max_pages
    ]
    return answer


# -- Guangdong gkmlpt ------------------------------------------------------------------------------

_GKMLPT_SID = re.compile(r"""\bSID\s*:\s*['"](\d+)['"]""")
_GKMLPT_TREE = re.compile(r"\bTREE\s*:\s*(?=\[)")
# The catalogue's 年报 category (a year in the name makes it one year's report, not the category).
_REPORT_CATEGORY = re.compile(r"(年报|年度报告)")
_YEAR = re.compile(r"(?:19|20)\d{2}")


def _tree_nodes(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, list):
        for child in node:
            yield from _tree_nodes(child)
    elif isinstance(node, dict):
        yield node
        yield from _tree_nodes(node.get("children") or [])


def _gkmlpt(html: str, url: str, max_pages: int) -> list[ListCall]:
    path = urlsplit(url).path
    if "/gkmlpt/" not in path:
        return []
    sid = _GKMLPT_SID.search(html)
    tree_at = _GKMLPT_TREE.search(html)
    if sid is None or tree_at is None:
        return []
    try:
        tree, _ = json.JSONDecoder().raw_decode(html, tree_at.end())
    except ValueError:
        return []
    base = urljoin(url, path[: path.index("/gkmlpt/")] + "/gkmlpt/api/all/")
    calls = []
    for node in _tree_nodes(tree):
        name, number = str(node.get("name", "")), node.get("id")
        if _REPORT_CATEGORY.search(name) and not _YEAR.search(name) and str(number).isdigit():
            query = [("page", "1"), ("sid", sid[1])]
            calls.append(ListCall(STYLE_JSON_LIST, _with_query(f"{base}{number}", query)))
    return calls


# -- TRS avalon list model (list2.trsapi) -----------------------------------------------------------

# The document search the list model posts to, as the portals of Fujian's TRS platform serve it
# (the Pingtan archive's crawler and open crawlers of gxt, sthjt, scjgj, yjj and tjj.fujian.gov.cn
# all POST there); the path is in the model's own script, not the page.
_TRS_SEARCH_PATH = "/fjdzapp/search"
_TRS_LIST_MODEL = re.compile(r"\blistModel\s*\(\s*\{")
_TRS_BLOCK = r"\b{}\s*:\s*\{{([^{{}}]*)\}}"
# `key: value,` inside a block; the value may be an expression (`"" || "chnlid=1813"`).
_TRS_ARG = re.compile(r"""(\w+)\s*:\s*((?:'[^'\n]*'|"[^"\n]*"|[^,\n'"])+)""")
_TRS_LITERAL = re.compile(r"""'([^']*)'|"([^"]*)"|(?<![\w.])(-?\d+)(?![\w.])""")
_TRS_REFERENCE = re.compile(r"^[A-Za-z_$][\w$]*\.([A-Za-z_$][\w$]*)$")


def _trs_value(expression: str, html: str) -> str | None:
    """What a list argument is: its last non-empty literal (`"" || "chnlid=1813"` is the second),
    or the number a `SiteInfo.searchId` reference is set to elsewhere in the page."""
    expression = expression.strip()
    reference = _TRS_REFERENCE.match(expression)
    if reference:
        return _page_number(html, reference[1])
    literals = [a or b or c for a, b, c in _TRS_LITERAL.findall(expression)]
    literals = [value for value in literals if value]
    return literals[-1] if literals else None


def _page_number(html: str, name: str) -> str | None:
    match = re.search(rf"\b{name}\s*:\s*['\"]?(\d+)", html)
    return match[1] if match else None


def _trs_search(html: str, url: str, max_pages: int) -> list[ListCall]:
    if "listArgs" not in html:
        return []  # a quick look before the patterns
    model = _TRS_LIST_MODEL.search(html)
    if model is None:
        return []
    script = html[model.end() :].split("</script>")[0]
    block = re.search(_TRS_BLOCK.format("listArgs"), script)
    if block is None:
        return []
    args = [(key, _trs_value(value, html)) for key, value in _TRS_ARG.findall(block[1])]
    form = [(key, value) for key, value in args if value is not None]
    if not any(key == "channelid" for key, _ in form):
        return []
    pagebar = re.search(_TRS_BLOCK.format("pagebar"), script)
    bar = dict(_TRS_ARG.findall(pagebar[1])) if pagebar else {}
    size = int(_trs_value(bar.get("prepage", ""), script) or 0) or 15
    records = _trs_value(bar.get("recordCount", ""), script)
    static = int(_trs_value(_option_text(script, "maxStaticIndex"), script) or 1)
    first = static + 1
    # The pages the stated record count makes; without one, the first page past the static ones
    # (its answer's pageCount asks for the rest).
    last = -(-int(records) // size) if records and records.isdigit() else first
    target = urljoin(url, _TRS_SEARCH_PATH)
    pages = range(first, min(last, static + max_pages) + 1)
    return [
        _json_list_call(target, [*form, ("page", "1"), ("prepage", str(size))], "page", n, True)
        for n in pages
    ]


def _option_text(script: str, name: str) -> str:
    match = re.search(rf"\b{name}\s*:\s*([^,\n]+)", script)
    return match[1] if match else ""


# -- entry points ----------------------------------------------------------------------------------

_DETECTORS = (
    (STYLE_HANWEB_DATAPROXY, _hanweb_dataproxy),
    (STYLE_JPAAS_UNIT, _jpaas_unit),
    (STYLE_JSON_LIST, _json_list),
    (STYLE_GKMLPT, _gkmlpt),
    (STYLE_TRS_SEARCH, _trs_search),
)
# The styles that may answer on a portal's navigation pages: a catalogue platform's home is the
# column (its 年报 category is in its tree, not in a link).
CATALOGUE_STYLES = (STYLE_GKMLPT,)
_READERS = {
    STYLE_HANWEB_DATAPROXY: _dataproxy_answer,
    STYLE_JPAAS_UNIT: _jpaas_answer,
    STYLE_JSON_LIST: _json_list_answer,
}


def list_calls(
    html: str,
    url: str,
    max_pages: int,
    first: tuple[str, ...] = (),
    only: tuple[str, ...] | None = None,
) -> list[ListCall]:
    """The API calls a list page makes for its column (styles in `first` tried first; with
    `only`, no other style)."""
    ordered = sorted(_DETECTORS, key=lambda entry: entry[0] not in first)
    for style, detect in ordered:
        if only is not None and style not in only:
            continue
        calls = detect(html, url, max_pages)
        if calls:
            return calls[:max_pages]
    return []


def read_answer(text: str, call: ListCall, max_pages: int) -> Answer:
    """The links an API answer lists and the calls that follow it."""
    answer = _READERS[call.style](text, call, max_pages)
    answer.next_calls = answer.next_calls[:max_pages]
    return answer
