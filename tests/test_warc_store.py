"""WarcWriter: valid gzipped WARC that warcio's own tools accept, rotated, linked, flushed."""

from __future__ import annotations

import gzip
import json
import random
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from archive.warc_store import WarcLocation, WarcWriter

WARCIO = Path(sys.executable).with_name("warcio")
FETCHED_AT = datetime(2026, 3, 1, 8, 30, 15, 123456, tzinfo=UTC)


def write(writer: WarcWriter, url: str, body: bytes, **overrides: object) -> WarcLocation:
    exchange: dict[str, object] = {
        "url": url,
        "method": "GET",
        "request_headers": [("Accept", "*/*"), ("User-Agent", "nianbao-test")],
        "request_body": b"",
        "status": 200,
        "reason": "OK",
        "response_headers": [("Content-Type", "text/html; charset=utf-8")],
        "response_body": body,
        "fetched_at": FETCHED_AT,
        "extra": {"source": "luoyang-gov", "role": "document", "link-text": "2020年度报告"},
    }
    exchange.update(overrides)
    return writer.write_exchange(**exchange)  # type: ignore[arg-type]


def records(path: Path) -> list[tuple[str, dict[str, str]]]:
    with path.open("rb") as handle:
        return [(r.rec_type, dict(r.rec_headers.headers)) for r in ArchiveIterator(handle)]


def test_warcio_check_accepts_written_files(tmp_path: Path) -> None:
    with WarcWriter(tmp_path) as writer:
        write(writer, "http://127.0.0.1:8000/a.html", "正文".encode())
        write(
            writer,
            "http://127.0.0.1:8000/b.pdf",
            gzip.compress(b"%PDF-1.4 body"),
            response_headers=[("Content-Encoding", "gzip"), ("Transfer-Encoding", "chunked")],
        )
    files = sorted(tmp_path.glob("*.warc.gz"))
    result = subprocess.run([str(WARCIO), "check", "-v", *map(str, files)], capture_output=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert b"digest pass" in result.stdout


def test_warcio_index_lists_response_then_request_per_exchange(tmp_path: Path) -> None:
    with WarcWriter(tmp_path) as writer:
        location = write(writer, "http://127.0.0.1:8000/a.html", b"<html></html>")
    result = subprocess.run(
        [str(WARCIO), "index", "-f", "warc-type,offset", str(tmp_path / location.filename)],
        capture_output=True,
        text=True,
        check=True,
    )
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [row["warc-type"] for row in rows] == ["warcinfo", "response", "request"]
    assert int(rows[1]["offset"]) == location.offset


def test_request_is_concurrent_to_its_response(tmp_path: Path) -> None:
    with WarcWriter(tmp_path) as writer:
        location = write(writer, "http://127.0.0.1:8000/a.html", b"x")
    (_, response), (_, request) = records(tmp_path / location.filename)[1:]
    assert request["WARC-Concurrent-To"] == response["WARC-Record-ID"]
    assert request["WARC-Target-URI"] == response["WARC-Target-URI"]


def test_warc_date_is_fetched_at_and_payload_digest_is_present(tmp_path: Path) -> None:
    with WarcWriter(tmp_path) as writer:
        location = write(writer, "http://127.0.0.1:8000/a.html", b"x")
    _, response = records(tmp_path / location.filename)[1]
    assert response["WARC-Date"] == "2026-03-01T08:30:15Z"
    assert response["WARC-Payload-Digest"].startswith("sha1:")


def test_nianbao_headers_on_both_records_are_ascii(tmp_path: Path) -> None:
    with WarcWriter(tmp_path) as writer:
        location = write(writer, "http://127.0.0.1:8000/a.html", b"x")
    for _, headers in records(tmp_path / location.filename)[1:]:
        assert headers["WARC-Nianbao-Source"] == "luoyang-gov"
        assert headers["WARC-Nianbao-Role"] == "document"
        assert headers["WARC-Nianbao-Link-Text"].isascii()
        assert "%E5%B9%B4" in headers["WARC-Nianbao-Link-Text"]  # 年


def test_transfer_encoding_is_renamed_and_body_kept_as_received(tmp_path: Path) -> None:
    compressed = gzip.compress("年报".encode())
    with WarcWriter(tmp_path) as writer:
        location = write(
            writer,
            "http://127.0.0.1:8000/a.html",
            compressed,
            response_headers=[("Content-Encoding", "gzip"), ("Transfer-Encoding", "chunked")],
        )
    with (tmp_path / location.filename).open("rb") as handle:
        handle.seek(location.offset)
        record = next(iter(ArchiveIterator(handle)))
        names = [name for name, _ in record.http_headers.headers]
        raw = record.raw_stream.read()
    assert "Transfer-Encoding" not in names
    assert "X-Archive-Orig-Transfer-Encoding" in names
    assert raw == compressed


def test_location_length_covers_exactly_the_response_member(tmp_path: Path) -> None:
    with WarcWriter(tmp_path) as writer:
        location = write(writer, "http://127.0.0.1:8000/a.html", b"hello")
    data = (tmp_path / location.filename).read_bytes()
    member = data[location.offset : location.offset + location.length]
    assert gzip.decompress(member).startswith(b"WARC/1.0\r\n")
    assert b"WARC-Type: response" in gzip.decompress(member)


def test_files_rotate_at_max_bytes(tmp_path: Path) -> None:
    with WarcWriter(tmp_path, max_bytes=2000) as writer:
        locations = [
            # Incompressible bodies, so each exchange alone passes max_bytes.
            write(writer, f"http://127.0.0.1:8000/{i}.bin", random.Random(i).randbytes(3000))
            for i in range(4)
        ]
    names = sorted({loc.filename for loc in locations})
    assert len(names) == 4
    assert sorted(p.name for p in tmp_path.iterdir()) == names


def test_two_writers_in_one_process_never_share_a_file(tmp_path: Path) -> None:
    with WarcWriter(tmp_path) as first, WarcWriter(tmp_path) as second:
        a = write(first, "http://127.0.0.1:8000/a", b"a")
        b = write(second, "http://127.0.0.1:8000/b", b"b")
    assert a.filename != b.filename
    assert a.filename.startswith("nianbao-") and a.filename.endswith(".warc.gz")


def test_exchange_is_on_disk_before_close(tmp_path: Path) -> None:
    writer = WarcWriter(tmp_path)
    location = write(writer, "http://127.0.0.1:8000/a.html", b"flushed")
    types = [rec_type for rec_type, _ in records(tmp_path / location.filename)]
    writer.close()
    assert types == ["warcinfo", "response", "request"]
