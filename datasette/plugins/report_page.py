"""The report page, `/-/report/<id>`: a report's tables laid out like the official template.

Each table is drawn from `metric_labels` (its row and column labels as printed) and the report's
`metrics`; cells named by a failing check are highlighted, and the rows of the template the report
lacks (`reports.missing_rows`) are listed with their printed labels and marked in the tables. A
number read by OCR below `LOW_CONFIDENCE` is doubtful: its cell is marked (class `cell-doubtful`,
its confidence in the title) and listed above the tables. A cell read from a PDF or a scanned
image links to its page rendered with the cell outlined (`page_image.py`). The
archived document is shown here only as the text extracted from it, escaped; its original bytes are
replayed, sandboxed, by `replay.py`. Report ids in tables, views and
queries link here.
"""

from __future__ import annotations

import json
import os
import re
from typing import Any

from datasette.utils.asgi import NotFound, Response
from markupsafe import Markup, escape

from datasette import hookimpl

DATABASE = "nianbao"
ARCHIVE_ENV = "NIANBAO_ARCHIVE"
REPORT_ID_RE = re.compile(r"^[0-9a-f]{16}$")
TABLES = ("二", "三", "四")
# Below this an OCR'd number is doubtful (pipeline.extraction.attachments.ocr.LOW_CONFIDENCE:
# plugins import nothing of nianbao's, and tests/test_datasette_report_doubtful.py holds them equal).
LOW_CONFIDENCE = 0.8


def cells_of_rule(rule: str) -> list[str]:
    """The printed cells (metric keys) a check rule compares its sum against."""
    parts = rule.split(".")
    if rule.startswith("apply.balance."):
        return [f"apply.total.{parts[-1]}", f"apply.carried_out.{parts[-1]}"]
    if rule.startswith("apply.total_is_sum."):
        return [f"apply.total.{parts[-1]}"]
    if rule.startswith("apply.row_total."):
        return [f"apply.{rule.removeprefix('apply.row_total.')}.total"]
    if rule.startswith("apply.row_subtotal."):
        return [f"apply.{rule.removeprefix('apply.row_subtotal.')}.org_subtotal"]
    if rule.startswith("review.total_is_sum."):
        return [f"{rule.removeprefix('review.total_is_sum.')}.total"]
    return []


def is_doubtful(confidence: float | None) -> bool:
    """A number read by OCR the recogniser (or a failed identity) left unsure of."""
    return confidence is not None and confidence < LOW_CONFIDENCE


def has_pages(content_type: str | None) -> bool:
    """Whether the archived document itself has the pages metrics point into: a PDF or an image.
    The numbers of an HTML page's table images carry the image's place, but the images are not
    in the page's WARC record, so there is no page to draw."""
    return "html" not in (content_type or "").lower()


def display_value(value: float | None, raw: str | None) -> str:
    """What the report printed, or the stored number when the printed text was not kept."""
    if raw not in (None, ""):
        return str(raw)
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else str(value)


def row_key(metric_key: str) -> str:
    """The template row a metric key belongs to: 'apply.denied.secret.natural' → 'apply.denied.secret'."""
    return metric_key.rsplit(".", 1)[0]


def missing_row_labels(
    missing_rows: str | None, labels: list[dict[str, Any]], template: str = ""
) -> list[dict[str, str]]:
    """The rows named in `reports.missing_rows` (a JSON list), each with its table and label."""
    try:
        rows = json.loads(missing_rows) if missing_rows else []
    except ValueError:
        return []
    suffix = "_2019" if template == "2019" else ""
    printed: dict[str, str] = {}
    for label in labels:
        row_zh = label.get(f"row_zh{suffix}") or label["row_zh"]
        printed.setdefault(row_key(label["key"]), f"表{label['table']} {row_zh}")
    return [{"key": str(row), "label": printed.get(str(row), str(row))} for row in rows]


def layout(
    labels: list[dict[str, Any]],
    metrics: dict[str, dict[str, Any]],
    failed: dict[str, str],
    template: str = "",
    missing: frozenset[str] = frozenset(),
    paged: bool = True,
) -> list[dict[str, Any]]:
    """Sub-tables per template table: consecutive rows sharing their columns form one grid,
    worded as the report's own template prints them; rows in `missing` are marked. Cells link to
    their page when the document is `paged` (a PDF or an image)."""
    sections = []
    suffix = "_2019" if template == "2019" else ""
    for table in TABLES:
        rows: dict[str, dict[str, Any]] = {}
        for label in labels:
            if label["table"] != table:
                continue
            row_zh = label.get(f"row_zh{suffix}") or label["row_zh"]
            column_zh = label.get(f"column_zh{suffix}") or label["column_zh"]
            row = rows.setdefault(row_zh, {"label": row_zh, "cells": {}, "missing": False})
            row["missing"] = row["missing"] or row_key(label["key"]) in missing
            metric = metrics.get(label["key"], {})
            confidence = metric.get("confidence")
            row["cells"][column_zh] = {
                "key": label["key"],
                "text": display_value(metric.get("value"), metric.get("raw")),
                "failed": failed.get(label["key"]),
                "unit": label["unit"],
                # The page a PDF or scan cell was printed on: the cell links to its picture there.
                "page": metric.get("page") if paged else None,
                "confidence": confidence,
                "doubtful": is_doubtful(confidence),
            }
        grids: list[dict[str, Any]] = []
        for row in rows.values():
            columns = list(row["cells"])
            if grids and grids[-1]["columns"] == columns:
                grids[-1]["rows"].append(row)
            else:
                grids.append({"columns": columns, "rows": [row]})
        if grids:
            sections.append({"table": table, "title": labels_title(labels, table), "grids": grids})
    return sections


def doubtful_cells(sections: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The doubtful cells of the laid-out tables, in table order, with their row and column."""
    return [
        {**cell, "table": section["table"], "row": row["label"], "column": column}
        for section in sections
        for grid in section["grids"]
        for row in grid["rows"]
        for column, cell in row["cells"].items()
        if cell["doubtful"]
    ]


def labels_title(labels: list[dict[str, Any]], table: str) -> str:
    return next((label["table_zh"] for label in labels if label["table"] == table), table)


def _database(datasette: Any) -> Any:
    if DATABASE in datasette.databases:
        return datasette.get_database(DATABASE)
    names = [name for name in datasette.databases if not name.startswith("_")]
    if not names:
        raise NotFound("No database")
    return datasette.get_database(names[0])


async def report_page(datasette: Any, request: Any) -> Response:
    report_id = request.url_vars["report_id"]
    db = _database(datasette)
    found = await db.execute(
        "SELECT r.*, a.name AS agency_name, a.region, a.level FROM reports r "
        "LEFT JOIN agencies a ON a.id = r.agency_id WHERE r.id = ?",
        [report_id],
    )
    report = found.first()
    if report is None:
        raise NotFound(f"No report {report_id}")
    report = dict(report)
    metrics = {
        row["key"]: dict(row)
        for row in await db.execute(
            # confidence: a column since the OCR migration; older databases lack it.
            "SELECT * FROM metrics WHERE report_id = ?",
            [report_id],
        )
    }
    checks = [
        dict(row)
        for row in await db.execute(
            "SELECT rule, passed, expected, printed, detail, severity, evidence, "
            # Databases from before verdicts were stored: the verdict from `passed`.
            "coalesce(verdict, CASE WHEN passed IS NULL THEN 'unverifiable' WHEN passed "
            "THEN 'pass' ELSE 'fail' END) AS verdict FROM checks WHERE report_id = ? "
            "ORDER BY verdict != 'fail', verdict != 'unverifiable', rule",
            [report_id],
        )
    ]
    failed = {
        key: check["detail"] or check["rule"]
        for check in checks
        if check["verdict"] == "fail"
        for key in cells_of_rule(check["rule"])
    }
    # The template's own keys, plus any key of another template the report happens to print.
    template = report.get("template") or ""
    labels = [
        dict(row)
        for row in await db.execute(
            "SELECT * FROM metric_labels WHERE instr(templates, ?) > 0 OR key IN "
            "(SELECT key FROM metrics WHERE report_id = ?) ORDER BY position",
            [template if template in ("2019", "2021") else "-", report_id],
        )
    ]
    # The 法人小计 column is shown only when the report prints it.
    labels = [
        label
        for label in labels
        if not label["key"].endswith(".org_subtotal") or label["key"] in metrics
    ]
    url = str(report.get("url") or "")
    missing = missing_row_labels(report.get("missing_rows"), labels, template)
    paged = has_pages(report.get("content_type"))
    sections = layout(
        labels, metrics, failed, template, frozenset(row["key"] for row in missing), paged
    )
    context = {
        "report": report,
        "sections": sections,
        "missing_rows": missing,
        "doubtful": doubtful_cells(sections),
        "has_pages": paged and any(metric.get("page") for metric in metrics.values()),
        "checks": checks,
        "failed_count": sum(1 for check in checks if check["verdict"] == "fail"),
        "unverifiable_count": sum(1 for check in checks if check["verdict"] == "unverifiable"),
        "original_url": url if url.startswith(("http://", "https://")) else None,
        # The replay route (replay.py) serves the record when `nianbao serve` was given the archive.
        "replay_url": f"{datasette.urls.path('-/archived/')}{report_id}"
        if os.environ.get(ARCHIVE_ENV) and report.get("warc_file")
        else None,
        "has_text": "text" in report,
        "database": db.name,
    }
    return Response.html(await datasette.render_template("report.html", context, request=request))


@hookimpl
def register_routes() -> list[tuple[str, Any]]:
    return [(r"^/-/report/(?P<report_id>[^/]+)$", report_page)]


@hookimpl
def render_cell(value: Any, column: str, table: str | None, database: str) -> Markup | None:
    is_report_id = column == "report_id" or (table == "reports" and column == "id")
    # Tables keep their own foreign-key links; views and queries get a link to the report page.
    if table in ("metrics", "checks", "facts", "report_versions", "metric_changes"):
        return None
    if not is_report_id or not isinstance(value, str) or not REPORT_ID_RE.match(value):
        return None
    return Markup('<a href="/-/report/{0}">{0}</a>').format(escape(value))
