"""The spider for sources that name no family (`family: auto`, the default).

It navigates like every family (`crawler.spiders.column`) and detects each list page's pager and
list API from the page alone: no style is preferred, so the first that matches answers.
"""

from __future__ import annotations

from crawler.spiders.column import ColumnSpider


class AutoSpider(ColumnSpider):
    name = "auto"
    family = "auto"
