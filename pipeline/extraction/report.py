"""The typed result of extracting one document: what every extractor returns and the loader stores.

Extraction is pure (bytes + URL + headers in, an `ExtractedReport` out), so these types carry no
Scrapy or SQLite objects. Problems a document can have are values here (`status`, `status_reason`),
never exceptions.

The status says how much of the template was read, so that `ok` can be trusted on its own:

* `ok`: every row of tables 二, 三 and 四 of the detected template (2019 or 2021;
  `keys.TEMPLATE_ROWS`) was found (`pipeline.extraction.tables` says what found means: its cells
  were read, whatever they print, 0 and "—" included), and at least one cell prints something. A
  pre-2019 report is `ok` when its old 统计表 was read (it has no fixed rows to miss).
* `partial`: the tables were read, but some rows were not found; `missing_rows` names them.
* `ocr`: a scan (an image-only PDF, a table image) whose template tables were read by OCR. Its
  numbers carry the recogniser's confidence, and `missing_rows` names rows not found; the reason
  says how many cells are doubtful. A scan in which OCR finds nothing readable stays `image_only`.
* `blank`: the template's tables are there but not one of their cells prints anything (headings
  and empty cells: an unfilled form, often the blank template attached for reference). It is its
  own status rather than `partial` with a reason because it holds no figure at all, so a
  researcher filtering `partial` for rows to recover, or summing `ok` and `partial` reports, is
  not misled by forms; `missing_rows` still names the rows the form lacks. A cell printing a
  placeholder ("—", "无") is an answer, not blank: a report printing only dashes is `ok`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

# Document kinds.
DOC_ANNUAL_REPORT = "annual_report"
DOC_SELF_INSPECTION = "self_inspection"
DOC_OTHER = "other"

# Extraction outcomes, stored as reports.extraction_status.
STATUS_OK = "ok"  # every row of the template's tables was found and read
STATUS_PARTIAL = "partial"  # tables read, but rows of the template missing (see missing_rows)
STATUS_BLANK = "blank"  # the template's tables with nothing printed in any cell: an empty form
STATUS_NO_TABLES = "no_tables"  # a report, read as text, but no statistical table in it
STATUS_IMAGE_ONLY = "image_only"  # a scanned document with no text layer: nothing guessed
STATUS_OCR = "ocr"  # a scan whose tables were read by OCR: see metrics.confidence, missing_rows
STATUS_NOT_REPORT = "not_report"  # readable, but not an annual report (notice, guide, …)
STATUS_FAILED = "failed"  # could not be read at all; status_reason says why
STATUSES = (
    STATUS_OK,
    STATUS_PARTIAL,
    STATUS_BLANK,
    STATUS_NO_TABLES,
    STATUS_IMAGE_ONLY,
    STATUS_OCR,
    STATUS_NOT_REPORT,
    STATUS_FAILED,
)

# A check's verdict, stored as checks.verdict. `unverifiable` (a blank cell, a missing report or
# section) is neither a pass nor a fail: nothing counts it as either.
VERDICT_PASS = "pass"
VERDICT_FAIL = "fail"
VERDICT_UNVERIFIABLE = "unverifiable"
VERDICTS = (VERDICT_PASS, VERDICT_FAIL, VERDICT_UNVERIFIABLE)


def verdict_of(passed: bool | int | None) -> str:
    """The verdict a `passed` value stands for: None (could not be evaluated) is unverifiable."""
    if passed is None:
        return VERDICT_UNVERIFIABLE
    return VERDICT_PASS if passed else VERDICT_FAIL


# Where a cell was printed: its page (1-based) and box (x0, top, x1, bottom in PDF points from the
# page's top-left corner, as pdfplumber gives them).
Place = tuple[int, tuple[float, float, float, float]]


@dataclass(frozen=True)
class Metric:
    """One cell of a statistical table: the number and the text the agency printed, and where.

    `page` (1-based) and `bbox` (`x0, top, x1, bottom` in PDF points from the page's top-left) say
    where a PDF or image cell was printed; None for HTML and Word, whose cells have no page.
    `confidence` (0–1) is the OCR engine's for a number read from pixels; None for a text layer.
    """

    key: str
    value: float | None
    raw: str
    page: int | None = None
    bbox: tuple[float, float, float, float] | None = None
    confidence: float | None = None

    def at(self, place: Place | None) -> Metric:
        """This metric read at `place` (page, box); itself when the place is unknown."""
        if place is None:
            return self
        return Metric(self.key, self.value, self.raw, place[0], place[1], self.confidence)


@dataclass(frozen=True)
class Check:
    """One accounting identity (勾稽关系) or plausibility rule evaluated on a report.

    `passed` is None when the rule could not be evaluated (a blank cell, say): its verdict is then
    `unverifiable`. `expected` is what the identity implies, `printed` what the table says; the
    printed number is never corrected. `evidence` is what the verdict was decided on, readable:
    the cells with their printed text, or the sentences.
    """

    rule: str
    passed: bool | None
    expected: float | None = None
    printed: float | None = None
    detail: str = ""
    severity: str = "error"  # "error" for in-table sums, "warning" for cross-year/narrative rules
    evidence: str = ""

    @property
    def verdict(self) -> str:
        return verdict_of(self.passed)


@dataclass(frozen=True)
class Fact:
    """A figure stated in the report's prose, with its sentence as evidence."""

    kind: str  # e.g. "website.items", "apply.received", "training.sessions"
    value: float
    unit: str
    sentence: str


@dataclass
class ExtractedReport:
    """Everything nianbao reads from one document (a page, a text file or an attachment)."""

    url: str
    status: str = STATUS_FAILED
    status_reason: str = ""
    doc_type: str = DOC_OTHER
    agency: str | None = None
    year: int | None = None
    template: str = "unknown"
    title: str | None = None
    published: str | None = None  # ISO date, when the page gives one
    text: str = ""
    content_type: str = ""
    metrics: dict[str, Metric] = field(default_factory=dict)
    # Rows of the template's tables not found ('apply.denied.secret', 'review'; keys.TEMPLATE_ROWS).
    missing_rows: list[str] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    facts: list[Fact] = field(default_factory=list)
    attachments: list[str] = field(default_factory=list)  # absolute URLs of linked documents

    def value(self, key: str) -> float | None:
        """The number stored under `key`, or None when absent or blank."""
        metric = self.metrics.get(key)
        return metric.value if metric else None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (what `nianbao extract --json` prints)."""
        data = asdict(self)
        data["metrics"] = {k: _metric_dict(m) for k, m in self.metrics.items()}
        for check, row in zip(self.checks, data["checks"], strict=True):
            row["verdict"] = check.verdict
        return data


def _metric_dict(metric: Metric) -> dict[str, Any]:
    """A metric for JSON: value and printed text, and where it was printed when known."""
    data: dict[str, Any] = {"value": metric.value, "raw": metric.raw}
    if metric.page is not None:
        data["page"] = metric.page
        data["bbox"] = None if metric.bbox is None else [round(v, 1) for v in metric.bbox]
    if metric.confidence is not None:
        data["confidence"] = metric.confidence
    return data
