"""A facet the URL asks for that the table already shows by default is counted once, not twice.

Datasette counts a table's default facets (metadata.yml) on every view and then every `_facet=` of
the URL on top, even a column it has just counted: `/nianbao/reports?_facet=year` counted years over
every report twice and showed the facet twice (as year and year_2). Such a request argument is
dropped before the table view reads it; the default facet stays, so the page shows the same facets.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlencode

from datasette import hookimpl


def default_facets(table_metadata: dict[str, Any]) -> set[str]:
    """The columns a table facets by by default (plain column facets only)."""
    return {facet for facet in table_metadata.get("facets", []) if isinstance(facet, str)}


@hookimpl
def filters_from_request(request: Any, database: str, table: str, datasette: Any) -> None:
    defaults = default_facets(datasette.table_metadata(database, table))
    if not defaults:
        return None
    pairs = parse_qsl(request.query_string, keep_blank_values=True)
    kept = [(key, value) for key, value in pairs if not (key == "_facet" and value in defaults)]
    if len(kept) != len(pairs):
        # The table view and its facets read the request after this hook: they never see the repeat.
        request.scope["query_string"] = urlencode(kept).encode("latin-1")
    return None
