"""Getting a nianbao database ready for Datasette: labels, convenience views and Chinese full-text search.

`prepare_for_publishing` is idempotent and runs at the end of every crawl and rebuild. It derives
everything it creates from the stored rows (and the metric keys of `pipeline/keys.py`), so running
it again after more reports were stored simply refreshes it.
"""

from __future__ import annotations

import sqlite_utils

from archive.cross_year import cross_year_checks
from archive.schema import ensure_reader_indexes
from pipeline import keys

FTS_TABLE = "reports_fts"
BIGRAM_TABLE = "reports_bigrams"
FTS_COLUMNS = ("title", "text")

TABLE_NAMES = {
    "二": ("二、主动公开政府信息情况", "Table 2: information published proactively"),
    "三": (
        "三、收到和处理政府信息公开申请情况",
        "Table 3: disclosure applications received and handled",
    ),
    "四": (
        "四、政府信息公开行政复议、行政诉讼情况",
        "Table 4: administrative reviews and lawsuits",
    ),
}

# Table 二: row stems and the columns each template prints, as printed (zh) and in English.
_ACTIVE_ROWS = {
    "rules": ("规章", "Rules"),
    "normative": ("行政规范性文件", "Normative documents"),
    "licensing": ("行政许可", "Administrative licensing"),
    "other_services": ("其他对外管理服务事项", "Other external management services"),
    "penalty": ("行政处罚", "Administrative penalties"),
    "coercion": ("行政强制", "Administrative coercion"),
    "fees": ("行政事业性收费", "Administrative fees"),
    "procurement": ("政府集中采购", "Centralised government procurement"),
}
_ACTIVE_COLUMNS = {
    "made": ("本年新制作数量", "made this year"),
    "published": ("本年新公开数量", "newly published this year"),
    "total": ("对外公开总数量", "total published"),
    "prev": ("上一年项目数量", "items the year before"),
    "change": ("本年增/减", "change this year"),
    "decisions": ("处理决定数量", "decisions"),
    "count": ("采购项目数量", "procurement items"),
    "amount": ("采购总金额", "total amount"),
    "issued": ("本年制发件数", "issued this year"),
    "repealed": ("本年废止件数", "repealed this year"),
    "in_force": ("现行有效件数", "in force"),
}
# The 2019 template words one row differently.
_ACTIVE_ROWS_2019 = {"normative": ("规范性文件", "Normative documents")}
# The 2021 template words two shared columns differently.
_ACTIVE_COLUMNS_2021 = {
    "decisions": ("本年处理决定数量", "decisions this year"),
    "amount": ("本年收费金额", "fees collected this year"),
}

# Table 三 row labels as the templates print them, group heading first.
_APPLY_ROWS = {
    "new": ("一、本年新收政府信息公开申请数量", "New applications this year"),
    "carried_in": ("二、上年结转政府信息公开申请数量", "Carried over from last year"),
    "granted": ("三、本年度办理结果（一）予以公开", "Outcome: disclosed"),
    "partial": (
        "三、本年度办理结果（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
        "Outcome: partly disclosed",
    ),
    "denied.secret": ("（三）不予公开 1.属于国家秘密", "Refused: state secret"),
    "denied.law": ("（三）不予公开 2.其他法律行政法规禁止公开", "Refused: barred by other law"),
    "denied.safety": (
        "（三）不予公开 3.危及“三安全一稳定”",
        "Refused: endangers security or stability",
    ),
    "denied.third_party": ("（三）不予公开 4.保护第三方合法权益", "Refused: third-party rights"),
    "denied.internal": ("（三）不予公开 5.属于三类内部事务信息", "Refused: internal affairs"),
    "denied.process": ("（三）不予公开 6.属于四类过程性信息", "Refused: deliberative process"),
    "denied.enforcement": ("（三）不予公开 7.属于行政执法案卷", "Refused: enforcement case file"),
    "denied.query": ("（三）不予公开 8.属于行政查询事项", "Refused: administrative query matter"),
    "unable.not_held": ("（四）无法提供 1.本机关不掌握相关政府信息", "Unable: not held"),
    "unable.need_create": (
        "（四）无法提供 2.没有现成信息需要另行制作",
        "Unable: would need creating",
    ),
    "unable.unclear": ("（四）无法提供 3.补正后申请内容仍不明确", "Unable: still unclear"),
    "unprocessed.petition": (
        "（五）不予处理 1.信访举报投诉类申请",
        "Not processed: petition/complaint",
    ),
    "unprocessed.repeat": ("（五）不予处理 2.重复申请", "Not processed: repeated application"),
    "unprocessed.publication": (
        "（五）不予处理 3.要求提供公开出版物",
        "Not processed: asks for a publication",
    ),
    "unprocessed.mass": (
        "（五）不予处理 4.无正当理由大量反复申请",
        "Not processed: mass repeated applications",
    ),
    "unprocessed.confirm": (
        "（五）不予处理 5.要求行政机关确认或重新出具已获取信息",
        "Not processed: asks to confirm or reissue information",
    ),
    "other": ("（六）其他处理", "Other handling"),
    "other.no_correction": (
        "（六）其他处理 1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
        "Other: applicant did not supplement in time",
    ),
    "other.no_fee": (
        "（六）其他处理 2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
        "Other: applicant did not pay the fee in time",
    ),
    "other.other": ("（六）其他处理 3.其他", "Other: other"),
    "total": ("（七）总计", "Total handled"),
    "carried_out": ("四、结转下年度继续办理", "Carried over to next year"),
}
_APPLY_COLUMNS = {
    "natural": ("自然人", "natural persons"),
    "business": ("法人或其他组织·商业企业", "businesses"),
    "research": ("法人或其他组织·科研机构", "research institutions"),
    "nonprofit": ("法人或其他组织·社会公益组织", "non-profit organisations"),
    "legal": ("法人或其他组织·法律服务机构", "legal service providers"),
    "other_org": ("法人或其他组织·其他", "other organisations"),
    keys.APPLY_SUBTOTAL_COLUMN: ("法人或其他组织·小计", "organisations, subtotal"),
    "total": ("总计", "total"),
}

_REVIEW_GROUPS = {
    "review": ("行政复议", "Administrative review"),
    "litigation.direct": ("行政诉讼·未经复议直接起诉", "Lawsuit without prior review"),
    "litigation.after_review": ("行政诉讼·复议后起诉", "Lawsuit after review"),
}
_REVIEW_OUTCOMES = {
    "upheld": ("结果维持", "upheld"),
    "corrected": ("结果纠正", "corrected"),
    "other": ("其他结果", "other outcome"),
    "pending": ("尚未审结", "pending"),
    "total": ("总计", "total"),
}

_AMOUNT_KEYS = frozenset({"active.procurement.amount", "active.fees.amount"})
# 2019 table 二 counts items (项) in its 上一年项目数量 / 本年增减 columns, documents (件) elsewhere.
_ITEM_COLUMNS = frozenset({"prev", "change", "count"})


def _active_label(key: str, template: str) -> dict[str, str]:
    _, row, column = key.split(".")
    rows = {**_ACTIVE_ROWS, **_ACTIVE_ROWS_2019} if template == "2019" else _ACTIVE_ROWS
    row_zh, row_en = rows[row]
    columns = {**_ACTIVE_COLUMNS, **_ACTIVE_COLUMNS_2021} if template == "2021" else _ACTIVE_COLUMNS
    column_zh, column_en = columns[column]
    if key in _AMOUNT_KEYS:
        unit = "万元"
    else:
        unit = "项" if column in _ITEM_COLUMNS else "件"
    return {
        "label_zh": f"{row_zh}·{column_zh}",
        "label_en": f"{row_en}, {column_en}",
        "row_zh": row_zh,
        "column_zh": column_zh,
        "unit": unit,
    }


def _apply_label(key: str) -> dict[str, str]:
    stem, column = key[len("apply.") :].rsplit(".", 1)
    row_zh, row_en = _APPLY_ROWS[stem]
    column_zh, column_en = _APPLY_COLUMNS[column]
    return {
        "label_zh": f"{row_zh}·{column_zh}",
        "label_en": f"{row_en}, {column_en}",
        "row_zh": row_zh,
        "column_zh": column_zh,
        "unit": "件",
    }


def _review_label(key: str) -> dict[str, str]:
    group, outcome = key.rsplit(".", 1)
    group_zh, group_en = _REVIEW_GROUPS[group]
    outcome_zh, outcome_en = _REVIEW_OUTCOMES[outcome]
    return {
        "label_zh": f"{group_zh}·{outcome_zh}",
        "label_en": f"{group_en}, {outcome_en}",
        "row_zh": group_zh,
        "column_zh": outcome_zh,
        "unit": "件",
    }


def metric_label_rows() -> list[dict[str, object]]:
    """One row per metric key of either template (plus the 法人小计 column), in template order."""
    apply_rows = dict.fromkeys(keys.APPLY_ROWS_2019 + keys.APPLY_ROWS_2021)
    subtotal_keys = tuple(f"apply.{row}.{keys.APPLY_SUBTOTAL_COLUMN}" for row in apply_rows)
    ordered = dict.fromkeys(
        keys.ACTIVE_KEYS_2019
        + keys.ACTIVE_KEYS_2021
        + tuple(
            dict.fromkeys(
                keys.apply_keys(keys.APPLY_ROWS_2019) + keys.apply_keys(keys.APPLY_ROWS_2021)
            )
        )
        + subtotal_keys
        + keys.REVIEW_KEYS
    )
    rows: list[dict[str, object]] = []
    for position, key in enumerate(ordered):
        templates = [
            t for t in (keys.TEMPLATE_2019, keys.TEMPLATE_2021) if key in keys.TEMPLATE_KEYS[t]
        ]
        if key.startswith("active."):
            # Shared keys are labelled as the newer template prints them.
            label = _active_label(key, templates[-1])
            table = "二"
        elif key.startswith("apply."):
            label = _apply_label(key)
            table = "三"
        else:
            label = _review_label(key)
            table = "四"
        # How the 2019 form prints the same cell, where its wording differs (the report page
        # follows the report's own template).
        label_2019 = (
            _active_label(key, keys.TEMPLATE_2019)
            if key.startswith("active.") and keys.TEMPLATE_2019 in templates
            else label
        )
        rows.append(
            {
                "key": key,
                **label,
                "row_zh_2019": label_2019["row_zh"],
                "column_zh_2019": label_2019["column_zh"],
                "table": table,
                "table_zh": TABLE_NAMES[table][0],
                "templates": ",".join(templates) or "2019,2021",
                "position": position,
            }
        )
    return rows


def _refresh_metric_labels(db: sqlite_utils.Database) -> None:
    db.execute("DROP TABLE IF EXISTS metric_labels")
    db.table("metric_labels").insert_all(metric_label_rows(), pk="key")


def bigrams(text: str | None) -> str:
    """`text` as space-separated overlapping two-character tokens, for the short-term index."""
    if not text:
        return ""
    words = text.split()
    return " ".join(
        " ".join(map("".join, zip(word, word[1:], strict=False))) if len(word) > 1 else word
        for word in words
    )


def _refresh_bigram_index(db: sqlite_utils.Database) -> None:
    # A trigram index cannot match one or two characters (诉讼, 复议); this contentless index of
    # overlapping character pairs can, without scanning every report's text.
    db.execute(f"DROP TABLE IF EXISTS [{BIGRAM_TABLE}]")
    db.execute(
        f"CREATE VIRTUAL TABLE [{BIGRAM_TABLE}] USING fts5(title, text, content='', "
        "tokenize='unicode61 remove_diacritics 0')"
    )
    rows = db.execute("SELECT rowid, title, text FROM reports")
    while batch := rows.fetchmany(500):
        db.conn.executemany(
            f"INSERT INTO [{BIGRAM_TABLE}] (rowid, title, text) VALUES (?, ?, ?)",
            [(rowid, bigrams(title), bigrams(text)) for rowid, title, text in batch],
        )


def _refresh_fts(db: sqlite_utils.Database) -> None:
    # No triggers: reports are stored with INSERT OR REPLACE, whose implicit delete fires no delete
    # trigger (unless recursive_triggers is on), so triggers would leave stale index entries. The
    # index is rebuilt whole here instead, after every crawl and rebuild.
    db.execute(f"DROP TABLE IF EXISTS [{FTS_TABLE}]")
    db.table("reports").enable_fts(list(FTS_COLUMNS), tokenize="trigram", replace=True)


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
    AS refusal_rate_pct
FROM reports r
LEFT JOIN agencies a ON a.id = r.agency_id
LEFT JOIN metrics m ON m.report_id = r.id AND m.key IN ({_SUMMARY_KEYS})
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
    SELECT a.id AS agency_id, a.name, a.region, a.level,
      CASE WHEN a.name LIKE '%人民政府' OR a.name LIKE '%人民政府（%）' OR a.name LIKE '%人民政府(%)'
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
SELECT due.agency_id, k.name AS agency, k.region, k.level, k.kind, due.year,
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

# The dashboard's figures, summed per year, region, document kind and extraction status: every
# chart (and every year/region filter it offers) reads a few hundred of these rows instead of
# scanning report_summary's 100,000 wide rows once per chart series.
TOTALS_GROUPS = ("year", "region", "doc_type", "extraction_status")
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


# The best document of each agency-year report: tables read, most numbers, first seen, then URL.
# Ranked once into a temporary table: a correlated subquery per row would be quadratic.
_PRIMARY_RANKED = """
CREATE TEMP TABLE _primary AS
SELECT id, first_value(id) OVER (
    PARTITION BY agency_id, year, doc_type
    ORDER BY extraction_status = 'ok' DESC, coalesce(metric_count, 0) DESC, first_seen, url
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


def _refresh_summaries(db: sqlite_utils.Database) -> None:
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


def is_prepared(db: sqlite_utils.Database) -> bool:
    """Whether `db` has everything `prepare_for_publishing` makes (in this version's shape)."""
    labels = db.table("metric_labels")
    label_columns = set(labels.columns_dict) if labels.exists() else set()
    return (
        FTS_TABLE in db.table_names()
        and set(VIEWS) <= set(db.view_names())
        and set(SUMMARIES) <= set(db.table_names())
        and set(metric_label_rows()[0]) <= label_columns
    )


def prepare_for_publishing(db: sqlite_utils.Database) -> None:
    """Create or refresh metric_labels, the summary tables, the convenience views and the trigram
    index over reports."""
    ensure_reader_indexes(db)  # a load stopped midway may have left them dropped
    cross_year_checks(db)
    with db.conn:
        mark_primary_documents(db)
        _refresh_metric_labels(db)
        _refresh_summaries(db)
        for name, sql in VIEWS.items():
            db.execute(f"DROP VIEW IF EXISTS [{name}]")
            db.execute(f"CREATE VIEW [{name}] AS {sql.strip()}")
    _refresh_fts(db)
    with db.conn:
        _refresh_bigram_index(db)
