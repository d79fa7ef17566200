"""Garbage in gives a structured status with a reason, never an exception and never wrong numbers.

The property tests run the extraction functions on generated input (hypothesis, few examples so
each stays within a few seconds): they must not raise, and every number they return is None or a
finite float.
"""

from __future__ import annotations

import math
import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.extraction.extract import extract_document
from pipeline.extraction.labels import APPLY_ROWS_2019, APPLY_ROWS_2021
from pipeline.extraction.report import STATUS_FAILED, STATUS_NO_TABLES, STATUS_NOT_REPORT, STATUSES
from pipeline.extraction.tables import read_tables
from pipeline.extraction.text_cells import text_to_rows
from pipeline.extraction.values import parse_value

HTML = {"content-type": "text/html; charset=utf-8"}
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# Cell texts a report's tables really contain, to steer generated tables towards the labels.
VOCABULARY = [
    "本年新收政府信息公开申请数量", "上年结转政府信息公开申请数量", "（一）予以公开", "（七）总计",
    "四、结转下年度继续办理", "行政复议", "行政诉讼", "结果维持", "结果纠正", "其他结果",
    "尚未审结", "总计", "规章", "行政规范性文件", "本年制发件数", "自然人", "商业企业", "其他",
    "—", "/", "无", "", "0", "12", "+3", "１２", "1,234", "5件", "2.5万元", "-1", "1e9", "nan",
]  # fmt: skip
NUMERIC_PREFIXES = ("active.", "apply.", "review.", "litigation.", "pre2019.")


def assert_numbers_sane(report) -> None:
    for key, metric in report.metrics.items():
        assert key.startswith(NUMERIC_PREFIXES), key
        assert metric.value is None or math.isfinite(metric.value), (key, metric)
    for fact in report.facts:
        assert math.isfinite(fact.value)


def random_table_page(rng: random.Random, rows: int, cols: int) -> bytes:
    cells = "".join(
        "<tr>"
        + "".join(
            f"<td>{rng.choice(VOCABULARY) if rng.random() < 0.3 else rng.randint(0, 99999)}</td>"
            for _ in range(cols)
        )
        + "</tr>"
        for _ in range(rows)
    )
    return (
        "<html><head><title>随机表格</title></head><body><div id='zoom'><p>说明文字，共二十个字以上的说明文字。</p>"
        f"<table>{cells}</table></div></body></html>"
    ).encode()


def test_binary_junk_fails_with_a_reason() -> None:
    junk = random.Random(1).randbytes(200_000)
    report = extract_document(junk, "http://127.0.0.1/a.html", {})
    assert report.status == STATUS_FAILED and report.status_reason and report.metrics == {}


def test_binary_junk_labelled_as_text_fails_with_a_reason() -> None:
    junk = random.Random(2).randbytes(50_000)
    report = extract_document(junk, "http://127.0.0.1/a.txt", {"content-type": "text/plain"})
    assert report.status == STATUS_FAILED and "binary" in report.status_reason


def _text_with_junk(junk: str) -> bytes:
    return ("年报" * 5_000)[: 10_000 - len(junk)].encode() + junk.encode()


def test_text_is_binary_only_beyond_one_percent_control_or_replacement_characters() -> None:
    text_plain = {"content-type": "text/plain; charset=utf-8"}
    for junk in ("\x01" * 100, "\ufffd" * 50 + "\x7f" * 50, "\x0c" * 500):
        report = extract_document(_text_with_junk(junk), "http://127.0.0.1/a.txt", text_plain)
        assert "binary" not in report.status_reason, repr(junk[:2])
    for junk in ("\x01" * 101, "\ufffd" * 51 + "\x1f" * 50):
        report = extract_document(_text_with_junk(junk), "http://127.0.0.1/a.txt", text_plain)
        assert report.status == STATUS_FAILED and "binary" in report.status_reason, repr(junk[:2])


def test_html_cut_off_inside_a_tag_is_a_result_not_an_exception() -> None:
    body = "<html><head><title>某局2020年政府信息公开工作年度报告</title></head><body><div id='zo"
    report = extract_document(body.encode(), "http://127.0.0.1/a.html", HTML)
    assert report.status in (STATUS_NO_TABLES, STATUS_NOT_REPORT, STATUS_FAILED)
    assert report.status_reason and report.metrics == {}


def test_table_of_random_cells_gives_no_metrics() -> None:
    body = random_table_page(random.Random(3), rows=60, cols=8)
    report = extract_document(body, "http://127.0.0.1/a.html", HTML)
    assert report.status in (STATUS_NOT_REPORT, STATUS_NO_TABLES)
    assert report.status_reason and report.metrics == {}


def test_fifty_megabyte_page_fails_as_too_large() -> None:
    body = b"<html><body><table>" + b"<tr><td>1</td></tr>" * (50 * 1024 * 1024 // 19) + b"</table>"
    report = extract_document(body, "http://127.0.0.1/huge.html", HTML)
    assert report.status == STATUS_FAILED and "too large" in report.status_reason
    assert report.metrics == {}


def test_empty_and_whitespace_bodies_fail_with_a_reason() -> None:
    for body in (b"", b"   \n\t  "):
        report = extract_document(body, "http://127.0.0.1/a.html", HTML)
        assert report.status == STATUS_FAILED and "empty" in report.status_reason


@SETTINGS
@given(st.binary(max_size=4000), st.sampled_from(["a.html", "a.pdf", "a.xls", "a.docx", "a"]))
def test_extract_document_never_raises_on_bytes(body: bytes, name: str) -> None:
    report = extract_document(body, f"http://127.0.0.1/{name}", {})
    assert report.status in STATUSES
    assert report.status != "ok" or report.metrics
    assert_numbers_sane(report)


@SETTINGS
@given(
    st.lists(st.lists(st.sampled_from(VOCABULARY) | st.text(max_size=8), max_size=10), max_size=40)
)
def test_extract_document_never_raises_on_generated_tables(rows: list[list[str]]) -> None:
    table = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    body = f"<html><body><h1>某局2020年政府信息公开工作年度报告</h1><table>{table}</table></body></html>"
    report = extract_document(
        body.encode("utf-8", "surrogatepass"), "http://127.0.0.1/a.html", HTML
    )
    assert report.status in STATUSES
    assert_numbers_sane(report)


@SETTINGS
@given(st.text(max_size=40) | st.sampled_from(VOCABULARY))
def test_parse_value_is_none_or_finite(raw: str) -> None:
    value = parse_value(raw)
    assert value is None or math.isfinite(value)
    assert parse_value(raw, "万元") is None or math.isfinite(parse_value(raw, "万元"))


@SETTINGS
@given(st.text(alphabet=st.sampled_from("\t\n |ab1二、—\r"), max_size=300) | st.text(max_size=300))
def test_text_to_rows_never_raises_and_keeps_every_printed_character(text: str) -> None:
    rows = text_to_rows(text)
    assert all(isinstance(cell, str) for row in rows for cell in row)
    printed = "".join(c for c in text if not c.isspace() and c != "|")
    recovered = "".join(
        c for row in rows for cell in row for c in cell if not c.isspace() and c != "|"
    )
    assert recovered == printed


LABELS = [spec.words[0] for spec in APPLY_ROWS_2019 + APPLY_ROWS_2021]


@SETTINGS
@given(
    st.lists(
        st.lists(st.sampled_from(VOCABULARY + LABELS) | st.text(max_size=6), max_size=9),
        max_size=60,
    ),
    st.sampled_from([None, 2018, 2020, 2023]),
)
def test_read_tables_never_raises_and_reads_only_printed_numbers(rows, year) -> None:
    result = read_tables(rows, year=year)
    printed = {cell.strip() for row in rows for cell in row}
    for metric in result.metrics.values():
        assert metric.value is None or math.isfinite(metric.value)
        # A number is only ever read from a cell that was printed (never made up, never a sum).
        assert metric.value is None or metric.raw in printed
