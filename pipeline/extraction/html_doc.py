"""Read a government web page (already decoded) into its title, date, body text, tables and links.

Portals run a handful of CMSs (TRS WCM's `div.TRS_Editor`, `#zoom`, `.article`/`.content`…); the
body is the first such container that holds text (a title box, `article_title`, is not one), else the
element carrying the most paragraph text.
Tables come back as rows of ORIGINAL cell texts (cells covered by rowspan/colspan are not repeated),
which is what `pipeline.extraction.tables.read_tables` expects. Word-pasted tables split one label over several
<p>/<span>; their fragments are joined without spaces between Chinese characters.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from lxml import etree

from pipeline.extraction.values import CACHED_TEXT_CHARS

ATTACHMENT_SUFFIXES = (".pdf", ".doc", ".docx", ".xls", ".xlsx", ".wps", ".txt")
_DROPPED_TAGS = ("script", "style", "noscript", "nav", "iframe", "template", "select", "button")
_BODY_XPATHS = tuple(
    etree.XPath(xpath)
    for xpath in (
        "//div[contains(concat(' ', normalize-space(@class), ' '), ' TRS_Editor ')]",
        "//*[@id='zoom' or @id='Zoom' or @id='UCAP-CONTENT' or @id='zoomcon']",
        "//*[contains(@class, 'article') or contains(@class, 'content') or @id='content']",
    )
)
_TITLE_XPATHS = tuple(
    etree.XPath(xpath)
    for xpath in ("//h1", "//*[contains(@class, 'title') and not(self::title)]", "//h2")
)
_BLOCKS = etree.XPath("//div | //td | //article | //section | //main")
_PARAGRAPHS = etree.XPath("./p | ./div/p")
# An element's text (descendant text nodes, no comments), as lxml.html's text_content() gives it.
_text_content = etree.XPath("string()", smart_strings=False)
# The page's own <meta charset> must not override the text already decoded.
_PARSER = etree.HTMLParser(encoding="utf-8")
_PARSER_FOR_STR = etree.HTMLParser()
# How much of the page's text a labelled publication date is looked for in.
_DATE_SCAN_CHARS = 20_000
_DATE_SCAN_RAW = 40_000
# Elements whose end is a line break in the body text.
_BLOCK_TAGS = frozenset(
    "p div br li tr h1 h2 h3 h4 h5 h6 table section article blockquote pre dd dt ul ol".split()
)
_CELL_TAGS = frozenset(("td", "th"))
_SPACES = re.compile(r"[\s\u00a0\u3000\u2002\u2003\u200b\ufeff]+")
# A space between two non-ASCII characters is layout (Word spans, source line breaks), not text.
# (Written to start with the space, which lets the regex engine skip straight to each space.)
_SPACE_BETWEEN_WIDE = re.compile(r" (?<=[^\x00-\x7f] )(?=[^\x00-\x7f])")
# What `_SPACES` matches except tab and newline: every str.isspace() character, and two more.
SPACES_BUT_TAB_AND_NEWLINE = (
    "\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
    "\u200b\ufeff"
)
# `clean_text` applied to each tab-separated part of each line of a whole text: spaces other than
# tab and newline collapse, and go where they touch a tab, a newline or an end.
_INNER_SPACES = re.compile(f"[{SPACES_BUT_TAB_AND_NEWLINE}]+")
_SPACE_AT_SEPARATOR = re.compile(r" (?:(?=[\t\n])|(?<=[\t\n] ))")
_TABS_AT_LINE_END = re.compile(r"\t+(?=\n)")
_BLANK_LINES = re.compile(r"\n{3,}")
_DATE = re.compile(r"((?:19|20)\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")
_DATE_LABEL = re.compile(
    r"(?:发布|成文|公开|印发|生成)?(?:时间|日期)\s*[:：]?\s*"
    r"((?:19|20)\d{2}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2})"
)
_TITLE_META = ("articletitle", "title", "og:title")
# The labels of the publishing agency in a page's metadata table (索引号, 发布机构, 成文日期 …,
# as 信息公开目录 platforms print it above every document).
PUBLISHER_LABELS = ("发布机构", "发文机关", "发布单位", "发文单位", "公开主体", "信息来源")
_PUBLISHER_CELLS = etree.XPath(
    "//*[" + " or ".join(f"contains(text(), '{label}')" for label in PUBLISHER_LABELS) + "]"
)
_PUBLISHER_LABEL = re.compile(
    rf"^\s*(?:{'|'.join(PUBLISHER_LABELS)})\s*[:：]?\s*(?P<value>[^\s:：|｜]*)"
)
# The labels that follow 发布机构 in such tables, where a cell runs on into the next one.
_NEXT_LABEL = re.compile(
    r"(索引号|主题分类|成文日期|发布日期|发文日期|生成日期|文号|发文字号|公开方式|公开范围|有效性|主题词|"
    r"体裁分类|组配分类|服务对象|公开时限|信息分类|名称|标题)$|"
    r"(索引号|主题分类|成文日期|发布日期|发文日期|生成日期|文号|发文字号).*$"
)
_DATE_META = ("pubdate", "publishdate", "firstpublishedtime", "article:published_time", "pubtime")


@dataclass
class HtmlDocument:
    """What a page says about itself; `tables` holds each data table's rows in page order."""

    title: str | None = None
    published: str | None = None
    text: str = ""
    tables: list[list[list[str]]] = field(default_factory=list)
    attachments: list[str] = field(default_factory=list)
    attachment_texts: dict[str, str] = field(default_factory=dict)  # URL -> anchor text
    meta: dict[str, str] = field(default_factory=dict)  # lower-cased <meta name> -> content
    publisher: str | None = None  # the 发布机构 of the page's metadata table, as printed

    @property
    def rows(self) -> list[list[str]]:
        """Every row of every data table, in order."""
        return [row for table in self.tables for row in table]


def clean_text(fragment: str) -> str:
    """Collapse whitespace runs (&nbsp;, ideographic spaces) and drop spaces inside Chinese text."""
    collapsed = _SPACES.sub(" ", fragment).strip()
    return _SPACE_BETWEEN_WIDE.sub("", collapsed)


def iso_date(text: str) -> str | None:
    """The first plausible date in `text` as YYYY-MM-DD."""
    for match in _DATE.finditer(text):
        year, month, day = (int(part) for part in match.groups())
        if 1 <= month <= 12 and 1 <= day <= 31:
            return f"{year:04d}-{month:02d}-{day:02d}"
    return None


def _flatten(element: etree._Element, cells: CellTexts | None = None) -> str:
    """The text of an element, with a line break at the end of each block-level descendant; with
    `cells`, each data cell (a td/th holding no table) as its cell text and a tab."""
    parts: list[str] = []

    def walk(node: etree._Element) -> None:
        tag = node.tag if isinstance(node.tag, str) else ""
        if (
            cells is not None
            and tag in _CELL_TAGS
            and next(node.iterdescendants("table"), None) is None
        ):
            parts.append(_cell_text_walked(node, cells) + "\t")
            return
        if node.text and tag:
            parts.append(node.text)
        for child in node:
            walk(child)
            if child.tail:
                parts.append(child.tail)
        if tag in _BLOCK_TAGS:
            parts.append("\n")

    walk(element)
    return "".join(parts)


def _join_cell_lines(flattened: str) -> str:
    """`cell_text` of a cell whose flattened text (block ends as line breaks) is `flattened`."""
    if "\n" not in flattened:
        return clean_text(flattened)
    joined = ""
    for line in filter(None, [clean_text(line) for line in flattened.split("\n")]):
        # Fragments from separate <p>s join directly unless both sides are ASCII words.
        if joined and joined[-1].isascii() and line[0].isascii() and joined[-1].isalnum():
            joined += " "
        joined += line
    return joined


def cell_text(cell: etree._Element) -> str:
    """The text of one table cell: fragments joined, whitespace collapsed, "" when blank."""
    return _join_cell_lines(_flatten(cell))


# Tables repeat the same short cell texts ("0", "", labels) over and over: flattened -> cell text.
_CELL_TEXTS: dict[str, str] = {}
_MAX_CELL_TEXTS = 1 << 16


def _mark_block_ends(root: etree._Element) -> None:
    """Append a line break inside each block element, where `_flatten` puts one.

    Once marked, lxml's C-level text serialisation of an element equals `_flatten` of it, which is
    far cheaper than walking the tree in Python (the text of comments is skipped by both).
    """
    for block in root.iter(*_BLOCK_TAGS):
        if len(block):
            last = block[-1]
            last.tail = (last.tail or "") + "\n"
        else:
            block.text = (block.text or "") + "\n"


def _flattened(element: etree._Element) -> str:
    """`_flatten(element)` of an element in a tree marked by `_mark_block_ends`."""
    if not len(element):
        return element.text or ""
    return etree.tostring(element, method="text", encoding=str, with_tail=False)


# A page's cell texts, computed once: the tables and the body text both need them.
CellTexts = dict[etree._Element, str]


def _cell_text_cached(cell: etree._Element, cache: CellTexts) -> str:
    text = cache.get(cell)
    if text is None:
        flattened = _flattened(cell)
        text = _CELL_TEXTS.get(flattened)
        if text is None:
            text = _join_cell_lines(flattened)
            if len(flattened) <= CACHED_TEXT_CHARS:
                if len(_CELL_TEXTS) >= _MAX_CELL_TEXTS:
                    _CELL_TEXTS.clear()
                _CELL_TEXTS[flattened] = text
        cache[cell] = text
    return text


def _cell_text_walked(cell: etree._Element, cache: CellTexts) -> str:
    """`_cell_text_cached` for an unmarked tree."""
    text = cache.get(cell)
    if text is None:
        text = cache[cell] = cell_text(cell)
    return text


# How a cell's text is read: from a tree marked by `_mark_block_ends`, or by walking it.
CellReader = Callable[[etree._Element, CellTexts], str]


_ROWS = etree.XPath("./tr | ./thead/tr | ./tbody/tr | ./tfoot/tr")


def _rows_of(table: etree._Element, cache: CellTexts, read: CellReader) -> list[list[str]]:
    rows: list[list[str]] = []
    for row in _ROWS(table):
        rows.append([read(cell, cache) for cell in row.iterchildren("td", "th")])
    return [row for row in rows if row]


def _data_tables(root: etree._Element, cache: CellTexts, read: CellReader) -> list[list[list[str]]]:
    """Tables with no table inside them: layout tables wrap data tables, so read the innermost."""
    tables = []
    for table in root.iter("table"):
        if next(table.iterdescendants("table"), None) is None:
            rows = _rows_of(table, cache, read)
            if rows:
                tables.append(rows)
    return tables


def _layout_cells(element: etree._Element) -> set[etree._Element]:
    """The td/th elements with a table inside them (the set keeps their proxies alive)."""
    return {cell for table in element.iter("table") for cell in table.iterancestors("td", "th")}


def _body_text(element: etree._Element, cache: CellTexts) -> str:
    """Body text with paragraph breaks; table rows become tab-separated lines."""
    lines = []
    # Layout cells (holding a table) keep their structure; data cells become "text<TAB>".
    for line in _flatten(element, cache).split("\n"):
        cells = [clean_text(part) for part in line.split("\t")]
        lines.append("\t".join(cells).rstrip("\t"))
    text = "\n".join(lines)
    return _BLANK_LINES.sub("\n\n", text).strip()


def _body_text_marked(element: etree._Element, cache: CellTexts) -> str:
    """`_body_text` of a tree marked by `_mark_block_ends`, much faster.

    Layout cells (holding a table) keep their structure; each data cell is replaced by its cell
    text and a tab, so one serialisation gives the body's lines (this edits the tree).
    """
    layout = _layout_cells(element)
    for cell in list(element.iter("td", "th")):
        if cell not in layout:
            text = _cell_text_cached(cell, cache)
            cell.clear(keep_tail=True)
            cell.text = text + "\t"
    flattened = _flattened(element)
    # clean_text for every tab-separated part of every line, on the whole text at once.
    text = _INNER_SPACES.sub(" ", flattened)
    text = _SPACE_AT_SEPARATOR.sub("", text).strip(" ")
    text = _SPACE_BETWEEN_WIDE.sub("", text)
    text = _TABS_AT_LINE_END.sub("", text)
    return _BLANK_LINES.sub("\n\n", text).strip()


def _paragraph_weight(element: etree._Element) -> int:
    return sum(len(_text_content(p).strip()) for p in _PARAGRAPHS(element))


def _has_text(element: etree._Element, minimum: int) -> bool:
    """len(clean_text(text of element)) >= minimum, without cleaning all of a long text."""
    text = _text_content(element)
    # clean_text only ever changes the end of a prefix's result by a character or two.
    if len(text) > 2 * minimum and len(clean_text(text[: 4 * minimum])) >= minimum + 2:
        return True
    return len(clean_text(text)) >= minimum


def _is_title_box(element: etree._Element) -> bool:
    """A container whose class or id names it a title (`article_title`, `content-title`): it
    matches the `article`/`content` body pattern but holds only the heading."""
    names = f"{element.get('class') or ''} {element.get('id') or ''}".lower()
    return "title" in names


def _find_body(root: etree._Element) -> etree._Element:
    for xpath in _BODY_XPATHS:
        for candidate in xpath(root):
            if not _is_title_box(candidate) and _has_text(candidate, 20):
                return candidate
    blocks = _BLOCKS(root)
    best = max(blocks, key=_paragraph_weight, default=None)
    if best is not None and _paragraph_weight(best) > 0:
        return best
    body = root.find("body")
    return body if body is not None else root


def _find_title(root: etree._Element, meta: dict[str, str]) -> str | None:
    for name in _TITLE_META[:1]:
        if meta.get(name):
            return clean_text(meta[name])
    for xpath in _TITLE_XPATHS:
        for element in xpath(root):
            text = clean_text(_text_content(element))
            if 4 <= len(text) <= 120:
                return text
    title = root.findtext(".//title")
    if title and clean_text(title):
        # "<report title>_<site name>" is the usual <title> shape.
        return re.split(r"\s*[_|]\s*|\s+-\s+", clean_text(title))[0] or None
    return None


def _find_published(root: etree._Element, meta: dict[str, str]) -> str | None:
    for name in _DATE_META:
        if meta.get(name):
            date = iso_date(meta[name])
            if date:
                return date
    text = _text_content(root)
    # The label is looked for in the first 20,000 characters of the cleaned text; cleaning a
    # prefix gives the same characters except for the last one or two.
    cleaned = clean_text(text[:_DATE_SCAN_RAW])
    if len(cleaned) < _DATE_SCAN_CHARS + 2:
        cleaned = clean_text(text)
    match = _DATE_LABEL.search(cleaned[:_DATE_SCAN_CHARS])
    return iso_date(match.group(1)) if match else None


def _find_publisher(root: etree._Element, text: str) -> str | None:
    """The agency a page's metadata table names (发布机构：洛阳市民政局), in the label's own cell
    or the one after it."""
    if not any(label in text for label in PUBLISHER_LABELS):
        return None  # most pages: no tree walk at all
    for element in _PUBLISHER_CELLS(root):
        match = _PUBLISHER_LABEL.match(clean_text(_text_content(element)))
        if match is None:
            continue
        value = _NEXT_LABEL.sub("", match.group("value"))
        following = element.getnext()
        if not value and following is not None:
            value = clean_text(_text_content(following)).strip()
        if value:
            return value
    return None


def _is_attachment(href: str) -> bool:
    parts = urlsplit(href)
    path, query = parts.path.lower(), parts.query.lower()
    return path.endswith(ATTACHMENT_SUFFIXES) or query.endswith(ATTACHMENT_SUFFIXES)


def _drop_tree(element: etree._Element) -> None:
    """Remove an element and its content, keeping its tail (lxml.html's drop_tree)."""
    parent = element.getparent()
    if parent is None:
        return
    if element.tail:
        previous = element.getprevious()
        if previous is None:
            parent.text = (parent.text or "") + element.tail
        else:
            previous.tail = (previous.tail or "") + element.tail
    parent.remove(element)


def _parse(text: str) -> etree._Element | None:
    """The page's tree; parsed from UTF-8 bytes, which lxml reads much faster than a str."""
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates: let lxml take the str as it is
        return etree.fromstring(text, _PARSER_FOR_STR)
    return etree.fromstring(data, _PARSER)


def _content(root: etree._Element, *, marked: bool) -> tuple[list[list[list[str]]], str]:
    """The data tables and the body text of a page (this edits the tree)."""
    for element in list(root.iter(*_DROPPED_TAGS)):
        _drop_tree(element)
    body = _find_body(root)
    cache: CellTexts = {}
    if not marked:
        tables = _data_tables(body, cache, _cell_text_walked)
        return tables or _data_tables(root, cache, _cell_text_walked), _body_text(body, cache)
    _mark_block_ends(root)
    tables = _data_tables(body, cache, _cell_text_cached)
    tables = tables or _data_tables(root, cache, _cell_text_cached)
    return tables, _body_text_marked(body, cache)


def parse_html(text: str, url: str) -> HtmlDocument:
    """Read a decoded page. Pages without a parseable tree give an empty `HtmlDocument`."""
    if not text.strip():
        return HtmlDocument()
    try:
        root = _parse(text)
    except (etree.ParserError, ValueError):
        return HtmlDocument()
    if root is None:
        return HtmlDocument()
    meta = {
        (element.get("name") or element.get("property") or "").lower(): element.get("content", "")
        for element in root.iter("meta")
        if element.get("content") is not None
    }
    meta.pop("", None)
    base = root.xpath("string(//base/@href)") or url
    base = urljoin(url, base)
    attachments: dict[str, str] = {}
    # root.iter with a tag walks the tree in C, faster than the equivalent //a[@href] XPath.
    for anchor in root.iter("a"):
        if anchor.get("href") is None:
            continue
        href = anchor.get("href", "").strip()
        if href and _is_attachment(href):
            absolute = urljoin(base, href)
            attachments.setdefault(absolute, clean_text(_text_content(anchor)))
    title = _find_title(root, meta)
    published = _find_published(root, meta)
    publisher = _find_publisher(root, text)
    try:
        tables, body_text = _content(root, marked=True)
    except ValueError:
        # lxml keeps control characters it parses but refuses them in a text it is given, so
        # marking such a page fails: read a fresh tree of it by walking instead.
        tables, body_text = _content(_parse(text), marked=False)
    return HtmlDocument(
        title=title,
        published=published,
        text=body_text,
        tables=tables,
        attachments=list(attachments),
        attachment_texts=attachments,
        meta=meta,
        publisher=publisher,
    )
