"""The plain family: hand-built sites whose list pages link 下一页 and whose reports are files.

Detail pages are kept as documents (they may carry the report themselves) and their attachments
(PDF, DOCX, XLS(X), TXT) are followed; list pages are walked by `crawler.spiders.pagers`: 下一页
links, or every page to the last when the page states where it stands (第3页/共40页) and its
pages are numbered (list_4.html, ?page=4).
"""

from __future__ import annotations

from crawler.spiders.column import ColumnSpider


class PlainSpider(ColumnSpider):
    name = "plain"
    family = "plain"
