"""What the sample portal publishes: report specs, the five seeds, noise items, ground truth.

A `ReportSpec` is one report as the portal knows it before any rendering: agency, year, template,
the numbers of its tables (the ground truth) and the prose around them. The seeds are read from
`portal/seeds/*.yaml` (hand-checked) and `*.txt` (served byte for byte), by the functions the tests
take their seed truth from too; the synthetic generator builds the same `ReportSpec` from random
values. Sites decide where a spec is published and in which format; every URL that holds a spec's
tables gets a `TruthReport`.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from pipeline.extraction.keys import APPLY_COLUMNS, APPLY_ROWS_2019, REVIEW_OUTCOMES, TEMPLATE_2019
from pipeline.extraction.report import DOC_ANNUAL_REPORT

SEEDS_DIR = Path(__file__).parent / "seeds"

# 2019-format table 二 rows and the key suffixes of their cells, in the order the seed YAML lists
# them (the YAML header documents this order).
_SEED_ACTIVE_FIELDS: dict[str, tuple[str, ...]] = {
    "rules": ("made", "published", "total"),
    "normative": ("made", "published", "total"),
    "licensing": ("prev", "change", "decisions"),
    "other_services": ("prev", "change", "decisions"),
    "penalty": ("prev", "change", "decisions"),
    "coercion": ("prev", "change", "decisions"),
    "fees": ("prev", "change"),
    "procurement": ("count", "amount"),
}


@dataclass
class TruthReport:
    """The known content of one document holding a report's tables (or a narrative report)."""

    agency: str
    year: int
    template: str
    doc_type: str
    metrics: dict[str, float | None]
    title: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class ReportSpec:
    """One report before rendering: its truth, the printed text of odd cells, and its prose."""

    agency: str
    year: int
    template: str
    doc_type: str
    title: str
    published: datetime
    metrics: dict[str, float | None]
    raw: dict[str, str] = field(default_factory=dict)  # key -> printed text, where not the number
    intro: list[str] = field(default_factory=list)  # paragraphs before the tables
    outro: list[str] = field(default_factory=list)  # paragraphs after the tables
    seed_name: str | None = None  # e.g. "000_78fa2b2d43082721" for the bundled seeds
    seed_text: bytes | None = None  # the seed's original bytes, served unchanged
    omitted_rows: frozenset[str] = frozenset()  # template rows not printed (portal.tables)

    @property
    def has_tables(self) -> bool:
        return bool(self.metrics)

    def truth(self) -> TruthReport:
        return TruthReport(
            agency=self.agency,
            year=self.year,
            template=self.template,
            doc_type=self.doc_type,
            metrics=dict(self.metrics),
            title=self.title,
        )

    def cell_text(self, key: str) -> str:
        """What the table prints for `key`: the raw text if any, else the number, else blank."""
        if key in self.raw:
            return self.raw[key]
        return format_number(self.metrics.get(key))


def format_number(value: float | None) -> str:
    if value is None:
        return ""
    if float(value).is_integer():
        return str(int(value))
    return f"{value:g}"


@dataclass(frozen=True)
class NoiseItem:
    """A non-report page in a report column (guides, notices) — what spiders must skip."""

    title: str
    published: datetime
    body: str


def noise_items(count: int, agency: str) -> list[NoiseItem]:
    """`count` plausible non-report items for a 年报 column, deterministic."""
    templates = (
        ("{agency}政府信息公开指南", "为了更好地提供政府信息公开服务，特编制本指南。"),
        (
            "关于做好{year}年政府信息公开工作年度报告编制发布工作的通知",
            "各单位：请按要求编制年度报告。",
        ),
        ("{agency}{year}年政务公开工作要点", "现将本年度政务公开工作要点印发给你们。"),
        ("{agency}政府信息公开制度", "第一条 为规范政府信息公开工作，制定本制度。"),
        ("关于开展政务公开满意度调查的公告", "欢迎社会公众参与调查。"),
        ("{agency}依申请公开流程图", "申请人可通过网络、信函等方式提出申请。"),
    )
    items: list[NoiseItem] = []
    for index in range(count):
        title_pattern, body = templates[index % len(templates)]
        year = 2019 + index % 6
        title = title_pattern.format(agency=agency, year=year)
        items.append(NoiseItem(title, datetime(year, 1 + index % 12, 1 + index % 27, 9, 30), body))
    return items


# -- seeds ----------------------------------------------------------------------------------------
# The one reading of the seeds' truth files: the portal publishes from it and the tests take their
# ground truth from it. It only spells out what the hand-checked YAML lists, so the truth stays
# independent of the extraction it checks.


def seed_truth_paths(tabled_only: bool = False, seeds_dir: Path = SEEDS_DIR) -> list[Path]:
    """The seeds' truth files in file order; `tabled_only` keeps those whose report has tables."""
    paths = sorted(seeds_dir.glob("*.yaml"))
    if tabled_only:
        paths = [path for path in paths if seed_metrics(load_seed_truth(path))]
    return paths


def load_seed_truth(path: Path) -> dict[str, Any]:
    """A seed's truth file as written: agency, year, template, table rows as lists, raw texts."""
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def seed_text(path: Path) -> bytes:
    """The original report text that the truth file at `path` describes, byte for byte."""
    return (path.parent / load_seed_truth(path)["seed"]).read_bytes()


def seed_metrics(truth: dict[str, Any]) -> dict[str, float | None]:
    """{metric key: value} of a truth file's tables; empty where the report has no 2019 tables."""
    if str(truth.get("template")) != TEMPLATE_2019:
        return {}
    metrics: dict[str, float | None] = {}
    for row, suffixes in _SEED_ACTIVE_FIELDS.items():
        values = (truth.get("active") or {}).get(row)
        if values is None:
            continue
        for suffix, value in zip(suffixes, values, strict=True):
            metrics[f"active.{row}.{suffix}"] = _number(value)
    # A truth file may leave out an apply row it read as all zeros; the row is filled in here.
    apply_rows = truth.get("apply") or {}
    for row in APPLY_ROWS_2019:
        values = apply_rows.get(row, [0] * len(APPLY_COLUMNS))
        for column, value in zip(APPLY_COLUMNS, values, strict=True):
            metrics[f"apply.{row}.{column}"] = _number(value)
    for group, values in (truth.get("review") or {}).items():
        for outcome, value in zip(REVIEW_OUTCOMES, values, strict=True):
            metrics[f"{group}.{outcome}"] = _number(value)
    return metrics


def seed_raw(truth: dict[str, Any]) -> dict[str, str]:
    """{metric key: printed text} for the cells whose text is not the plain number."""
    return {key: str(text) for key, text in (truth.get("raw") or {}).items()}


def _number(value: Any) -> float | None:
    return None if value is None else float(value)


def _paragraphs(lines: list[str]) -> list[str]:
    cleaned = (re.sub(r"^[#\s\u3000]+", "", line).strip() for line in lines)
    return [line for line in cleaned if line]


def _split_prose(text: str) -> tuple[list[str], list[str]]:
    """The seed's prose before its tables and after them (section 五 onwards)."""
    lines = text.splitlines()
    heading = re.compile(r"^[#\s\u3000]*([一二三四五六七八九]、.*)$")
    start = next(
        (i for i, line in enumerate(lines) if (m := heading.match(line)) and "主动公开" in m[1]),
        len(lines),
    )
    end = next(
        (
            i
            for i, line in enumerate(lines)
            if (m := heading.match(line)) and m[1].startswith("五、")
        ),
        len(lines),
    )
    return _paragraphs(lines[:start]), _paragraphs(lines[end:])


def load_seeds(seeds_dir: Path = SEEDS_DIR) -> list[ReportSpec]:
    """The bundled seed reports, in file order, with their hand-checked truth."""
    specs: list[ReportSpec] = []
    for index, truth_path in enumerate(seed_truth_paths(seeds_dir=seeds_dir)):
        data = load_seed_truth(truth_path)
        text_bytes = seed_text(truth_path)
        text = text_bytes.decode("utf-8")
        year = int(data["year"])
        doc_type = data.get("doc_type", DOC_ANNUAL_REPORT)
        if doc_type == DOC_ANNUAL_REPORT:
            title = f"{data['agency']}{year}年政府信息公开工作年度报告"
            intro, outro = _split_prose(text)
        else:
            # The self-inspection report has no tables: all of it is prose. Its first line (with
            # the doubled 濮) is kept as printed; the page title is the clean one.
            title = f"{data['agency']}{year}年度政府信息和政务公开工作自查情况的报告"
            intro, outro = _paragraphs(text.splitlines()), []
        specs.append(
            ReportSpec(
                agency=data["agency"],
                year=year,
                template=str(data.get("template")),
                doc_type=doc_type,
                title=title,
                published=datetime(year + 1, 1, 15 + index, 10, 0),
                metrics=seed_metrics(data),
                raw=seed_raw(data),
                intro=intro,
                outro=outro,
                seed_name=truth_path.stem,
                seed_text=text_bytes,
            )
        )
    return specs
