"""The summary tables and convenience views Datasette's queries and dashboard read (one row per
report, metrics in long form, expected reports, totals per year and region), and which copy of a
report is its primary document.
"""

from __future__ import annotations

import sqlite_utils

from archive.cross_year import REPEATED_PROSE
from pipeline.extraction import keys


def _sum(pattern: str) -> str:
    return f"sum(m.value) FILTER (WHERE m.key GLOB '{pattern}')"


def _one(key: str) -> str:
    return f"max(m.value) FILTER (WHERE m.key = '{key}')"


# Only the totals the summary reads: looked up through the (report_id, key) primary key instead of
# scanning every metric of every report.
_SUMMARY_KEYS = ", ".join(
    f"'{key}'"
    for key in dict.fromkeys(
        [f"apply.{row}.total" for row in keys.APPLY_ROWS_2019 + keys.APPLY_ROWS_2021]
        + [f"{group}.total" for group in keys.REVIEW_GROUPS]
    )
)

_REPORT_SUMMARY = f"""
SELECT
  r.id AS report_id, r.agency_id, a.name AS agency, a.region, a.level, r.year, r.template,
  r.doc_type, r.extraction_status, r.failed_checks, r.published, r.title, r.url,
  a.province, a.prefecture, a.county, a.division_code, a.kind AS agency_kind, a.department_type,
  {_one("apply.new.total")} AS applications_new,
  {_one("apply.carried_in.total")} AS applications_carried_in,
  {_one("apply.granted.total")} AS granted,
  {_one("apply.partial.total")} AS partial,
  {_sum("apply.denied.*.total")} AS refused,
  {_sum("apply.unable.*.total")} AS unable,
  {_sum("apply.unprocessed.*.total")} AS not_processed,
  {_sum("apply.other*.total")} AS other_handling,
  {_one("apply.total.total")} AS handled_total,
  {_one("apply.carried_out.total")} AS carried_out,
  {_one("review.total")} AS reviews_total,
  {_sum("litigation.*.total")} AS lawsuits_total,
  round(100.0 * ({_one("apply.granted.total")} + coalesce({_one("apply.partial.total")}, 0))
        / nullif({_one("apply.total.total")}, 0), 1) AS grant_rate_pct,
  round(100.0 * {_sum("apply.denied.*.total")} / nullif({_one("apply.total.total")}, 0), 1)
    AS refusal_rate_pct,
  max(c.printed) AS repeated_share
FROM reports r
LEFT JOIN agencies a ON a.id = r.agency_id
LEFT JOIN metrics m ON m.report_id = r.id AND m.key IN ({_SUMMARY_KEYS})
LEFT JOIN checks c ON c.report_id = r.id AND c.rule = '{REPEATED_PROSE}'
WHERE r.is_primary = 1
GROUP BY r.id
"""


def _active_view(template: str) -> str:
    columns = ",\n  ".join(
        f"{_one(key)} AS [{key.removeprefix('active.').replace('.', '_')}]"
        for key in (keys.ACTIVE_KEYS_2019 if template == "2019" else keys.ACTIVE_KEYS_2021)
    )
    return f"""
SELECT r.id AS report_id, r.agency_id, a.name AS agency, a.region, a.level, r.year,
  {columns}
FROM reports r
LEFT JOIN agencies a ON a.id = r.agency_id
LEFT JOIN metrics m ON m.report_id = r.id AND m.key >= 'active.' AND m.key < 'active/'
WHERE r.template = '{template}' AND r.is_primary = 1
GROUP BY r.id
"""


_METRICS_LONG = """
SELECT m.report_id, r.agency_id, a.name AS agency, a.region, a.level, r.year, r.template,
  m.key, l.label_zh, l.label_en, l.[table], l.unit, m.value, m.raw
FROM metrics m
JOIN reports r ON r.id = m.report_id AND r.is_primary = 1
LEFT JOIN agencies a ON a.id = r.agency_id
LEFT JOIN metric_labels l ON l.key = m.key
"""

# A government (人民政府, possibly followed by a parenthesised note, or a government level) reports
# by 31 March, a department by 31 January; due every year from its first report to last year.
_EXPECTED_REPORTS = """
WITH RECURSIVE
  last_complete(year) AS (SELECT CAST(strftime('%Y', 'now') AS INTEGER) - 1),
  spans AS (
    SELECT r.agency_id, min(r.year) AS first_year
    FROM reports r WHERE r.agency_id IS NOT NULL AND r.year IS NOT NULL GROUP BY r.agency_id
  ),
  due(agency_id, year) AS (
    SELECT agency_id, first_year FROM spans WHERE first_year <= (SELECT year FROM last_complete)
    UNION ALL
    SELECT due.agency_id, due.year + 1 FROM due
    WHERE due.year + 1 <= (SELECT year FROM last_complete)
  ),
  kinds AS (
    SELECT a.id AS agency_id, a.name, a.region, a.level, a.province, a.prefecture,
      a.department_type,
      CASE WHEN a.kind = 'government' THEN 'government'
           WHEN a.kind IN ('department', 'general_office') THEN 'department'
           WHEN a.name LIKE '%人民政府' OR a.name LIKE '%人民政府（%）' OR a.name LIKE '%人民政府(%)'
             OR a.level IN ('national', 'province', 'prefecture', 'county', 'township')
           THEN 'government' ELSE 'department' END AS kind
    FROM agencies a
  ),
  found AS (
    SELECT agency_id, year, count(*) AS reports, min(substr(published, 1, 10)) AS published,
      min(id) AS report_id
    FROM reports
    WHERE doc_type = 'annual_report' AND withdrawn_at IS NULL AND is_primary = 1
    GROUP BY agency_id, year
  )
SELECT due.agency_id, k.name AS agency, k.region, k.level, k.kind, k.province, k.prefecture,
  k.department_type, due.year,
  printf('%d-%s', due.year + 1, CASE k.kind WHEN 'government' THEN '03-31' ELSE '01-31' END)
    AS deadline,
  found.report_id, found.published,
  CASE
    WHEN found.reports IS NULL THEN 'missing'
    WHEN found.published > printf('%d-%s', due.year + 1,
                                  CASE k.kind WHEN 'government' THEN '03-31' ELSE '01-31' END)
      THEN 'late'
    ELSE 'present'
  END AS status
FROM due
JOIN kinds k ON k.agency_id = due.agency_id
LEFT JOIN found ON found.agency_id = due.agency_id AND found.year = due.year
"""

# The dashboard's figures, summed per year, region, place (province, prefecture, level), department
# type, document kind and extraction status: every chart (and every filter it offers) reads a few
# thousand of these rows instead of scanning report_summary's 100,000 wide rows once per series.
TOTALS_GROUPS = (
    "year",
    "region",
    "province",
    "prefecture",
    "level",
    "department_type",
    "doc_type",
    "extraction_status",
)
TOTALS_SUMS = (
    "applications_new",
    "granted",
    "partial",
    "refused",
    "unable",
    "not_processed",
    "other_handling",
    "reviews_total",
    "lawsuits_total",
)
_REPORT_TOTALS = f"""
SELECT {", ".join(TOTALS_GROUPS)}, count(*) AS reports,
  {", ".join(f"sum({column}) AS {column}" for column in TOTALS_SUMS)}
FROM report_summary
GROUP BY {", ".join(TOTALS_GROUPS)}
"""

SUMMARIES: dict[str, str] = {
    "report_summary": _REPORT_SUMMARY,
    "active_disclosure_2019": _active_view("2019"),
    "active_disclosure_2021": _active_view("2021"),
    # After report_summary, which it is summed from.
    "report_totals": _REPORT_TOTALS,
}
VIEWS: dict[str, str] = {
    "metrics_long": _METRICS_LONG,
    "expected_reports": _EXPECTED_REPORTS,
}


# The best document of each agency-year report: every row read, then some rows read, then a scan
# read by OCR (its numbers less sure than a text layer's), then a blank form, then the rest; most
# numbers, first seen, then URL.
# Ranked once into a temporary table: a correlated subquery per row would be quadratic.
_PRIMARY_RANKED = """
CREATE TEMP TABLE _primary AS
SELECT id, first_value(id) OVER (
    PARTITION BY agency_id, year, doc_type
    ORDER BY CASE extraction_status WHEN 'ok' THEN 0 WHEN 'partial' THEN 1 WHEN 'ocr' THEN 2
      WHEN 'blank' THEN 3 ELSE 4 END, coalesce(metric_count, 0) DESC, first_seen, url
  ) AS primary_id
FROM reports
WHERE agency_id IS NOT NULL AND year IS NOT NULL AND withdrawn_at IS NULL
  AND doc_type IN ('annual_report', 'self_inspection')
"""


def mark_primary_documents(db: sqlite_utils.Database) -> None:
    """Flag one document per agency, year and doc type as the report (`is_primary`); the others
    (the same report as a page, a PDF, a text file…) point to it with `primary_report_id`."""
    db.execute("DROP TABLE IF EXISTS temp._primary")
    db.execute(_PRIMARY_RANKED)
    db.execute("UPDATE reports SET is_primary = 0, primary_report_id = NULL")
    db.execute(
        "UPDATE reports SET primary_report_id = p.primary_id, is_primary = (p.primary_id = reports.id)"
        " FROM temp._primary AS p WHERE p.id = reports.id"
    )
    db.execute("DROP TABLE temp._primary")


# Summaries over every metric of every report are read by each dashboard chart: they are stored
# as tables (refreshed here) rather than views recomputed on every request.
# Besides lookups by report and agency, each table's default facets (metadata.yml) are indexed:
# Datasette counts them on every view of the table.
SUMMARY_INDEXES: dict[str, list[list[str]]] = {
    "report_summary": [
        ["report_id"],
        ["year"],
        ["agency_id", "year"],
        ["region", "year"],
        ["level"],
        ["province", "year"],
        ["prefecture"],
        ["department_type", "year"],
        ["template"],
        ["extraction_status"],
        ["doc_type"],
    ],
    "active_disclosure_2019": [
        ["report_id"],
        ["year"],
        ["agency_id", "year"],
        ["region"],
        ["level"],
    ],
    "active_disclosure_2021": [
        ["report_id"],
        ["year"],
        ["agency_id", "year"],
        ["region"],
        ["level"],
    ],
    "report_totals": [],
}


def refresh_summaries(db: sqlite_utils.Database) -> None:
    for name, columns_list in SUMMARY_INDEXES.items():
        # Databases published before these became tables have them as views.
        kind = db.execute("SELECT type FROM sqlite_master WHERE name = ?", [name]).fetchone()
        if kind:
            db.execute(f"DROP {kind[0].upper()} [{name}]")
        db.execute(f"CREATE TABLE [{name}] AS {SUMMARIES[name].strip()}")
        for columns in columns_list:
            unique = "UNIQUE " if columns == ["report_id"] else ""
            index = f"idx_{name}_{'_'.join(columns)}"
            db.execute(
                f"CREATE {unique}INDEX [{index}] ON [{name}] ({', '.join(f'[{c}]' for c in columns)})"
            )
