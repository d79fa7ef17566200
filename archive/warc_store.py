"""Writing the raw archive: every HTTP exchange of the crawl as a gzipped WARC record pair.

The WARC files are nianbao's source of truth (the database is rebuilt from them), so they hold what
the server sent, byte for byte: the body still Content-Encoded, the headers as received. Each record
is its own gzip member, so a record can be read at its offset and a killed crawl loses at most the
record being written.
"""

from __future__ import annotations

import itertools
import os
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from http import HTTPStatus
from io import BytesIO
from pathlib import Path
from typing import BinaryIO
from urllib.parse import quote, urlsplit

from warcio.statusandheaders import StatusAndHeaders
from warcio.timeutils import datetime_to_iso_date
from warcio.warcwriter import WARCWriter

# Our own WARC headers: WARC-Nianbao-Source, WARC-Nianbao-Role, WARC-Nianbao-Link-Text, …
NIANBAO_HEADER_PREFIX = "WARC-Nianbao-"
# The body we store is already de-chunked; under its own name the header would make readers
# de-chunk a second time (the webrecorder convention).
RENAMED_TRANSFER_ENCODING = "X-Archive-Orig-Transfer-Encoding"
# Everything printable in ASCII except '%' stays readable; the rest is percent-encoded as UTF-8.
_SAFE_HEADER_CHARS = "".join(chr(c) for c in range(0x20, 0x7F) if chr(c) != "%")

# Shared by every writer in the process, so two writers opened in the same second never collide.
_file_serial = itertools.count()


@dataclass(frozen=True)
class WarcLocation:
    """Where a response record is: file name relative to the archive dir, byte offset and length."""

    filename: str
    offset: int
    length: int


def encode_header_value(value: str) -> str:
    """A WARC header value in plain ASCII whatever `value` holds (Chinese link text, newlines)."""
    return quote(value, safe=_SAFE_HEADER_CHARS)


def warc_date(moment: datetime) -> str:
    """`moment` as a WARC-Date (UTC, whole seconds); naive datetimes are taken to be UTC."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return datetime_to_iso_date(moment)


def fetched_at_text(moment: datetime) -> str:
    """`moment` spelled as `FetchedDocument.fetched_at` (as the WARC reader spells WARC-Date)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="seconds")


class _RawHeaders(StatusAndHeaders):
    """HTTP headers written back as the bytes they arrived as.

    Header strings hold the received bytes decoded as latin-1 (as Scrapy gives them); warcio would
    percent-encode anything non-ASCII, which changes a GBK Content-Disposition filename. Characters
    beyond latin-1 (a caller's own Unicode) are written as UTF-8.
    """

    def compute_headers_buffer(self, header_filter: object = None) -> None:
        text = self.to_str(header_filter)
        try:
            self.headers_buff = text.encode("latin-1") + b"\r\n"
        except UnicodeEncodeError:
            self.headers_buff = text.encode("utf-8") + b"\r\n"


def _response_headers(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    renamed = []
    for name, value in headers:
        if name.lower() == "transfer-encoding":
            name = RENAMED_TRANSFER_ENCODING
        renamed.append((name, value))
    return renamed


def _request_target(url: str) -> str:
    parts = urlsplit(url)
    target = parts.path or "/"
    return f"{target}?{parts.query}" if parts.query else target


class WarcWriter:
    """Appends request/response pairs to rotating `<prefix>-<UTC time>-<pid>-<serial>.warc.gz`.

    The response record comes first; the request record follows with `WARC-Concurrent-To` naming the
    response. The returned location is the response record's.
    """

    def __init__(
        self, directory: str | Path, prefix: str = "nianbao", max_bytes: int = 256 * 2**20
    ) -> None:
        self.directory = Path(directory)
        self.prefix = prefix
        self.max_bytes = max_bytes
        self._file: BinaryIO | None = None
        self._filename = ""
        self._writer: WARCWriter | None = None
        # Scrapy calls from one thread, but the writer is also used from plain scripts and tests.
        self._lock = threading.Lock()

    @property
    def current_file(self) -> str | None:
        """The name of the file being written, if one is open."""
        return self._filename or None

    def _open_next(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        while True:
            name = f"{self.prefix}-{stamp}-{os.getpid()}-{next(_file_serial):05d}.warc.gz"
            try:
                # "x": never append to or overwrite another writer's file.
                handle = (self.directory / name).open("xb")
            except FileExistsError:
                continue
            break
        self._file, self._filename = handle, name
        self._writer = WARCWriter(handle, gzip=True)
        info = self._writer.create_warcinfo_record(
            name,
            {
                "software": "nianbao (warcio)",
                "format": "WARC File Format 1.0",
                "description": "政府信息公开工作年度报告 crawl: raw HTTP exchanges",
            },
        )
        self._writer.write_record(info)
        handle.flush()

    def _rotate_if_full(self) -> None:
        if self._file is not None and self._file.tell() >= self.max_bytes:
            self._close_file()
        if self._file is None:
            self._open_next()

    def write_exchange(
        self,
        *,
        url: str,
        method: str,
        request_headers: list[tuple[str, str]],
        request_body: bytes,
        status: int,
        reason: str,
        response_headers: list[tuple[str, str]],
        response_body: bytes,
        fetched_at: datetime,
        extra: dict[str, str],
    ) -> WarcLocation:
        """Archive one exchange; `response_body` as received (still Content-Encoded, de-chunked)."""
        date = warc_date(fetched_at)
        extra_headers = {
            NIANBAO_HEADER_PREFIX + name.title(): encode_header_value(value)
            for name, value in extra.items()
        }
        with self._lock:
            self._rotate_if_full()
            assert self._file is not None and self._writer is not None
            writer = self._writer
            if not reason:
                try:
                    reason = HTTPStatus(status).phrase
                except ValueError:
                    reason = "Unknown"
            response = writer.create_warc_record(
                url,
                "response",
                payload=BytesIO(response_body),
                length=len(response_body),
                warc_headers_dict={"WARC-Date": date, **extra_headers},
                http_headers=_RawHeaders(
                    f"{status} {reason}", _response_headers(response_headers), protocol="HTTP/1.1"
                ),
            )
            req_headers = list(request_headers)
            if not any(name.lower() == "host" for name, _ in req_headers):
                req_headers.insert(0, ("Host", urlsplit(url).netloc))
            request = writer.create_warc_record(
                url,
                "request",
                payload=BytesIO(request_body),
                length=len(request_body),
                warc_headers_dict={"WARC-Date": date, **extra_headers},
                http_headers=_RawHeaders(
                    f"{method.upper()} {_request_target(url)} HTTP/1.1", req_headers
                ),
            )
            # Both records are composed in memory and written with one call, so a crawl killed
            # (even with SIGKILL) between exchanges never leaves half a record in the file.
            exchange = BytesIO()
            buffer_writer = WARCWriter(exchange, gzip=True)
            buffer_writer.write_record(response)
            length = exchange.tell()
            request.rec_headers.add_header(
                "WARC-Concurrent-To", response.rec_headers.get_header("WARC-Record-ID")
            )
            buffer_writer.write_record(request)
            offset = self._file.tell()
            self._file.write(exchange.getvalue())
            self._file.flush()
            return WarcLocation(self._filename, offset, length)

    def write_metadata(
        self,
        *,
        uri: str,
        payload: bytes,
        fetched_at: datetime,
        content_type: str = "application/json",
    ) -> WarcLocation:
        """Archive a `metadata` record (e.g. a crawl run's summary) about `uri`."""
        with self._lock:
            self._rotate_if_full()
            assert self._file is not None and self._writer is not None
            record = self._writer.create_warc_record(
                uri,
                "metadata",
                payload=BytesIO(payload),
                length=len(payload),
                warc_content_type=content_type,
                warc_headers_dict={"WARC-Date": warc_date(fetched_at)},
            )
            buffer = BytesIO()
            WARCWriter(buffer, gzip=True).write_record(record)
            offset = self._file.tell()
            self._file.write(buffer.getvalue())
            self._file.flush()
            return WarcLocation(self._filename, offset, buffer.tell())

    def _close_file(self) -> None:
        if self._file is not None:
            self._file.close()
        self._file, self._writer, self._filename = None, None, ""

    def close(self) -> None:
        """Close the current file; a later exchange opens a new one."""
        with self._lock:
            self._close_file()

    def __enter__(self) -> WarcWriter:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
