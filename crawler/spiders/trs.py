"""The TRS WCM family: list pages `index.htm`, `index_1.htm`, … paged by a script.

TRS writes its pager with JavaScript (`createPageHTML(...)`, or the older `var countPage = N`
with `document.write`), so the page links are not in the HTML; `crawler.spiders.pagers` reads
the script and generates every page.
"""

from __future__ import annotations

from crawler.spiders.column import ColumnSpider


class TrsSpider(ColumnSpider):
    name = "trs"
    family = "trs"
