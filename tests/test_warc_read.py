"""Reading the archive back: documents as the crawl saw them; damage reported, never fatal."""

from __future__ import annotations

import gzip
import zlib
from datetime import UTC, datetime
from pathlib import Path

import pytest

from archive.warc_read import WarcReadError, iter_archived, read_record
from archive.warc_store import WarcLocation, WarcWriter
from pipeline.extraction.document import FetchedDocument

FETCHED_AT = datetime(2026, 3, 1, 8, 30, 15, 999999, tzinfo=UTC)
GBK_NAME = "2020年报.pdf".encode("gbk").decode("latin-1")  # as Scrapy hands header bytes over


def write(writer: WarcWriter, url: str, body: bytes, **overrides: object) -> WarcLocation:
    exchange: dict[str, object] = {
        "url": url,
        "method": "GET",
        "request_headers": [("Accept", "*/*")],
        "request_body": b"",
        "status": 200,
        "reason": "OK",
        "response_headers": [("Content-Type", "text/html; charset=utf-8")],
        "response_body": body,
        "fetched_at": FETCHED_AT,
        "extra": {"source": "luoyang-gov", "role": "document"},
    }
    exchange.update(overrides)
    return writer.write_exchange(**exchange)  # type: ignore[arg-type]


def test_document_reads_back_as_the_crawl_built_it(tmp_path: Path) -> None:
    entity = "洛阳市民政局2020年政府信息公开工作年度报告".encode("gbk")
    with WarcWriter(tmp_path) as writer:
        location = write(
            writer,
            "http://127.0.0.1:8000/art/2021/1.pdf?id=3",
            gzip.compress(entity),
            response_headers=[
                ("Content-Type", "application/pdf"),
                ("Content-Encoding", "gzip"),
                ("Transfer-Encoding", "chunked"),
                ("Content-Disposition", f'attachment; filename="{GBK_NAME}"'),
                ("Set-Cookie", "a=1"),
                ("Set-Cookie", "b=2"),
            ],
            extra={"source": "luoyang-gov", "role": "attachment", "link-text": "附件：年报\n%20"},
        )
    expected = FetchedDocument(
        url="http://127.0.0.1:8000/art/2021/1.pdf?id=3",
        status=200,
        body=entity,
        headers={
            "content-type": "application/pdf",
            "content-encoding": "gzip",
            "transfer-encoding": "chunked",
            "content-disposition": f'attachment; filename="{GBK_NAME}"',
            "set-cookie": "b=2",
        },
        fetched_at="2026-03-01T08:30:15+00:00",
        source_id="luoyang-gov",
        role="attachment",
        link_text="附件：年报\n%20",
        warc_file=location.filename,
        warc_offset=location.offset,
    )
    assert list(iter_archived(tmp_path)) == [expected]


def test_utf8_header_bytes_come_back_as_latin1_text(tmp_path: Path) -> None:
    utf8_name = "年报.pdf".encode().decode("latin-1")
    with WarcWriter(tmp_path) as writer:
        write(writer, "http://127.0.0.1:8000/a", b"x", response_headers=[("X-Name", utf8_name)])
    (doc,) = iter_archived(tmp_path)
    assert doc.headers["x-name"] == utf8_name


def test_deflate_body_is_decoded(tmp_path: Path) -> None:
    with WarcWriter(tmp_path) as writer:
        write(
            writer,
            "http://127.0.0.1:8000/a",
            zlib.compress(b"deflated entity"),
            response_headers=[("Content-Encoding", "deflate")],
        )
    (doc,) = iter_archived(tmp_path)
    assert doc.body == b"deflated entity"


def test_body_that_lies_about_its_encoding_is_kept_as_received(tmp_path: Path) -> None:
    with WarcWriter(tmp_path) as writer:
        write(
            writer,
            "http://127.0.0.1:8000/a",
            b"plain",
            response_headers=[("Content-Encoding", "gzip")],
        )
    (doc,) = iter_archived(tmp_path)
    assert doc.body == b"plain"


def test_missing_nianbao_headers_give_defaults(tmp_path: Path) -> None:
    with WarcWriter(tmp_path) as writer:
        write(writer, "http://127.0.0.1:8000/robots.txt", b"User-agent: *", extra={})
    (doc,) = iter_archived(tmp_path)
    assert (doc.source_id, doc.role, doc.link_text) == (None, "other", None)


def test_roles_filter_keeps_only_those_roles(tmp_path: Path) -> None:
    with WarcWriter(tmp_path) as writer:
        for role in ("list", "document", "attachment", "other"):
            write(writer, f"http://127.0.0.1:8000/{role}", role.encode(), extra={"role": role})
    docs = iter_archived(tmp_path, roles=("document", "attachment"))
    assert [d.url.rsplit("/", 1)[1] for d in docs] == ["document", "attachment"]


def test_files_are_read_in_name_order(tmp_path: Path) -> None:
    for name in ("b", "a", "c"):
        with WarcWriter(tmp_path, prefix=name) as writer:
            write(writer, f"http://127.0.0.1:8000/{name}", b"x")
    assert [d.url[-1] for d in iter_archived(tmp_path)] == ["a", "b", "c"]


def test_read_record_returns_the_response_at_an_offset(tmp_path: Path) -> None:
    with WarcWriter(tmp_path) as writer:
        write(writer, "http://127.0.0.1:8000/first", b"1")
        second = write(writer, "http://127.0.0.1:8000/second", b"2")
    doc = read_record(tmp_path, second.filename, second.offset)
    assert (doc.url, doc.body, doc.warc_offset) == (
        "http://127.0.0.1:8000/second",
        b"2",
        second.offset,
    )


def test_read_record_at_a_request_record_is_an_error(tmp_path: Path) -> None:
    with WarcWriter(tmp_path) as writer:
        location = write(writer, "http://127.0.0.1:8000/a", b"1")
    with pytest.raises(WarcReadError, match=rf"{location.filename}.*request"):
        read_record(tmp_path, location.filename, location.offset + location.length)


def _two_files(tmp_path: Path) -> tuple[Path, Path]:
    with WarcWriter(tmp_path, prefix="a") as writer:
        for i in range(3):
            write(writer, f"http://127.0.0.1:8000/a{i}", f"body {i}".encode())
    with WarcWriter(tmp_path, prefix="b") as writer:
        write(writer, "http://127.0.0.1:8000/b0", b"later file")
    first, second = sorted(tmp_path.glob("*.warc.gz"))
    return first, second


@pytest.mark.parametrize("cut", [60, 300, 500, 700])
def test_truncated_file_yields_what_precedes_the_cut_and_reports_it(
    tmp_path: Path, cut: int
) -> None:
    first, _ = _two_files(tmp_path)
    data = first.read_bytes()
    first.write_bytes(data[: len(data) - cut])  # cut into the last exchange
    errors: list[str] = []
    urls = [d.url.rsplit("/", 1)[1] for d in iter_archived(tmp_path, errors=errors)]
    assert urls[:2] == ["a0", "a1"] and urls[-1] == "b0"
    assert len(errors) == 1 and first.name in errors[0] and "offset" in errors[0]


def test_garbage_in_the_middle_of_a_file_is_reported(tmp_path: Path) -> None:
    first, _ = _two_files(tmp_path)
    data = first.read_bytes()
    middle = len(data) // 2
    first.write_bytes(data[:middle] + b"\x00garbage" * 20 + data[middle:])
    errors: list[str] = []
    urls = [d.url.rsplit("/", 1)[1] for d in iter_archived(tmp_path, errors=errors)]
    assert urls[0] == "a0" and urls[-1] == "b0"
    assert errors and first.name in errors[0]


def test_without_an_errors_list_damage_raises_after_the_good_records(tmp_path: Path) -> None:
    first, _ = _two_files(tmp_path)
    first.write_bytes(first.read_bytes()[:-300])
    seen: list[str] = []
    with pytest.raises(WarcReadError, match=first.name):
        for doc in iter_archived(tmp_path):
            seen.append(doc.url)
    assert len(seen) >= 2


def test_a_file_that_is_not_warc_at_all_is_reported(tmp_path: Path) -> None:
    (tmp_path / "0-broken.warc.gz").write_bytes(b"this is not a WARC file\r\n" * 10)
    with WarcWriter(tmp_path) as writer:
        write(writer, "http://127.0.0.1:8000/ok", b"ok")
    errors: list[str] = []
    assert [d.url for d in iter_archived(tmp_path, errors=errors)] == ["http://127.0.0.1:8000/ok"]
    assert len(errors) == 1 and "0-broken.warc.gz" in errors[0]


def test_read_record_of_a_cut_off_response_is_an_error(tmp_path: Path) -> None:
    with WarcWriter(tmp_path) as writer:
        location = write(writer, "http://127.0.0.1:8000/a", bytes(range(256)) * 40)
    path = tmp_path / location.filename
    path.write_bytes(path.read_bytes()[: location.offset + location.length // 2])
    with pytest.raises(WarcReadError, match=location.filename):
        read_record(tmp_path, location.filename, location.offset)
