"""Read a government web page (already decoded) into its title, date, body text, tables and links.

Portals run a handful of CMSs (TRS WCM's `div.TRS_Editor`, `#zoom`, `.article`/`.content`…); the
body is the first such container that holds text, else the element carrying the most paragraph text.
Tables come back as rows of ORIGINAL cell texts (cells covered by rowspan/colspan are not repeated),
which is what `pipeline.tables.read_tables` expects. Word-pasted tables split one label over several
<p>/<span>; their fragments are joined without spaces between Chinese characters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from lxml import etree, html

ATTACHMENT_SUFFIXES = (".pdf", ".doc", ".docx", ".xls", ".xlsx", ".wps", ".txt")
_DROPPED_TAGS = ("script", "style", "noscript", "nav", "iframe", "template", "select", "button")
_BODY_XPATHS = (
    "//div[contains(concat(' ', normalize-space(@class), ' '), ' TRS_Editor ')]",
    "//*[@id='zoom' or @id='Zoom' or @id='UCAP-CONTENT' or @id='zoomcon']",
    "//*[contains(@class, 'article') or contains(@class, 'content') or @id='content']",
)
# Elements whose end is a line break in the body text.
_BLOCK_TAGS = frozenset(
    "p div br li tr h1 h2 h3 h4 h5 h6 table section article blockquote pre dd dt ul ol".split()
)
_CELL_TAGS = frozenset(("td", "th"))
_SPACES = re.compile(r"[\s\u00a0\u3000\u2002\u2003\u200b\ufeff]+")
# A space between two non-ASCII characters is layout (Word spans, source line breaks), not text.
_SPACE_BETWEEN_WIDE = re.compile(r"(?<=[^\x00-\x7f]) (?=[^\x00-\x7f])")
_DATE = re.compile(r"((?:19|20)\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")
_DATE_LABEL = re.compile(
    r"(?:发布|成文|公开|印发|生成)?(?:时间|日期)\s*[:：]?\s*"
    r"((?:19|20)\d{2}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2})"
)
_TITLE_META = ("articletitle", "title", "og:title")
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


def _flatten(element: etree._Element) -> str:
    """The text of an element, with a line break at the end of each block-level descendant."""
    parts: list[str] = []

    def walk(node: etree._Element) -> None:
        tag = node.tag if isinstance(node.tag, str) else ""
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


def cell_text(cell: etree._Element) -> str:
    """The text of one table cell: fragments joined, whitespace collapsed, "" when blank."""
    lines = [clean_text(line) for line in _flatten(cell).split("\n")]
    joined = ""
    for line in filter(None, lines):
        # Fragments from separate <p>s join directly unless both sides are ASCII words.
        if joined and joined[-1].isascii() and line[0].isascii() and joined[-1].isalnum():
            joined += " "
        joined += line
    return joined


# A page's cell texts, computed once: the tables and the body text both need them.
CellTexts = dict[etree._Element, str]


def _cell_text_cached(cell: etree._Element, cache: CellTexts) -> str:
    text = cache.get(cell)
    if text is None:
        text = cache[cell] = cell_text(cell)
    return text


def _rows_of(table: etree._Element, cache: CellTexts) -> list[list[str]]:
    rows: list[list[str]] = []
    for row in table.xpath("./tr | ./thead/tr | ./tbody/tr | ./tfoot/tr"):
        rows.append([_cell_text_cached(cell, cache) for cell in row.xpath("./td | ./th")])
    return [row for row in rows if row]


def _data_tables(root: etree._Element, cache: CellTexts) -> list[list[list[str]]]:
    """Tables with no table inside them: layout tables wrap data tables, so read the innermost."""
    tables = []
    for table in root.iter("table"):
        if next(table.iterdescendants("table"), None) is None:
            rows = _rows_of(table, cache)
            if rows:
                tables.append(rows)
    return tables


def _flatten_with_cells(element: etree._Element, cache: CellTexts) -> str:
    """`_flatten`, with each data cell (a td/th holding no table) as its cell text and a tab."""
    parts: list[str] = []

    def walk(node: etree._Element) -> None:
        tag = node.tag if isinstance(node.tag, str) else ""
        if tag in _CELL_TAGS and next(node.iterdescendants("table"), None) is None:
            parts.append(_cell_text_cached(node, cache) + "\t")
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


def _body_text(element: etree._Element, cache: CellTexts) -> str:
    """Body text with paragraph breaks; table rows become tab-separated lines."""
    lines = []
    # Layout cells (holding a table) keep their structure; data cells become "text<TAB>".
    for line in _flatten_with_cells(element, cache).split("\n"):
        cells = [clean_text(part) for part in line.split("\t")]
        lines.append("\t".join(cells).rstrip("\t"))
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def _paragraph_weight(element: etree._Element) -> int:
    return sum(len((p.text_content() or "").strip()) for p in element.xpath("./p | ./div/p"))


def _find_body(root: etree._Element) -> etree._Element:
    for xpath in _BODY_XPATHS:
        for candidate in root.xpath(xpath):
            if len(clean_text(candidate.text_content())) >= 20:
                return candidate
    blocks = root.xpath("//div | //td | //article | //section | //main")
    best = max(blocks, key=_paragraph_weight, default=None)
    if best is not None and _paragraph_weight(best) > 0:
        return best
    body = root.find("body")
    return body if body is not None else root


def _find_title(root: etree._Element, meta: dict[str, str]) -> str | None:
    for name in _TITLE_META[:1]:
        if meta.get(name):
            return clean_text(meta[name])
    for xpath in (
        "//h1",
        "//*[contains(@class, 'title') and not(self::title)]",
        "//h2",
    ):
        for element in root.xpath(xpath):
            text = clean_text(element.text_content())
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
    match = _DATE_LABEL.search(clean_text(root.text_content())[:20_000])
    return iso_date(match.group(1)) if match else None


def _is_attachment(href: str) -> bool:
    parts = urlsplit(href)
    path, query = parts.path.lower(), parts.query.lower()
    return path.endswith(ATTACHMENT_SUFFIXES) or query.endswith(ATTACHMENT_SUFFIXES)


def parse_html(text: str, url: str) -> HtmlDocument:
    """Read a decoded page. Pages without a parseable tree give an empty `HtmlDocument`."""
    if not text.strip():
        return HtmlDocument()
    try:
        root = html.document_fromstring(text)
    except (etree.ParserError, ValueError):
        return HtmlDocument()
    meta = {
        (element.get("name") or element.get("property") or "").lower(): element.get("content", "")
        for element in root.xpath("//meta[@content]")
    }
    meta.pop("", None)
    base = root.xpath("string(//base/@href)") or url
    base = urljoin(url, base)
    attachments: dict[str, str] = {}
    for anchor in root.xpath("//a[@href]"):
        href = anchor.get("href", "").strip()
        if href and _is_attachment(href):
            absolute = urljoin(base, href)
            attachments.setdefault(absolute, clean_text(anchor.text_content()))
    title = _find_title(root, meta)
    published = _find_published(root, meta)
    for element in root.xpath("|".join(f"//{tag}" for tag in _DROPPED_TAGS)):
        element.drop_tree()
    body = _find_body(root)
    cache: CellTexts = {}
    tables = _data_tables(body, cache) or _data_tables(root, cache)
    return HtmlDocument(
        title=title,
        published=published,
        text=_body_text(body, cache),
        tables=tables,
        attachments=list(attachments),
        attachment_texts=attachments,
        meta=meta,
    )
