"""The Hanweb JCMS family: GBK pages, column records in an XML datastore, `pageNum=` paging.

Pages are decoded by the HTTP charset (GBK) before any meta tag, which some articles get wrong;
a source's `encoding` overrides both. The column's records are CDATA inside a script, which
`links_of` reads; `crawler.spiders.pagers` requests every `pageNum` page up to the datastore's
`<totalpage>` (or the highest `pageNum` link).
"""

from __future__ import annotations

from crawler.spiders.column import ColumnSpider


class HanwebSpider(ColumnSpider):
    name = "hanweb"
    family = "hanweb"
