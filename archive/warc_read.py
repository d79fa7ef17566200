"""Reading the archive back: WARC response records as the `FetchedDocument`s the crawl handled.

`nianbao rebuild` walks every file with `iter_archived`; a report page links back to its record with
`read_record`. The document built here must equal the one the crawl built from the live response
(see `crawler.middlewares.archive`): same decoded body, same lower-cased latin-1 headers, same fetched_at
spelling, same source/role/link text. A damaged file is reported, never allowed to stop the walk.
"""

from __future__ import annotations

import zlib
from collections.abc import Collection, Iterator
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import unquote

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.recordloader import ArcWarcRecordLoader
from warcio.statusandheaders import StatusAndHeadersParser, StatusAndHeadersParserException
from warcio.timeutils import iso_date_to_datetime

from archive.content import ContentDecodingError, decode_content
from archive.warc_store import NIANBAO_HEADER_PREFIX, RENAMED_TRANSFER_ENCODING, fetched_at_text
from pipeline.extraction.document import ROLE_OTHER, FetchedDocument

WARC_SUFFIXES = (".warc.gz", ".warc")
# What a damaged file raises from inside warcio: bad gzip, a cut-off record, a garbled header block.
_DAMAGE = (
    ArchiveLoadFailed,
    StatusAndHeadersParserException,
    zlib.error,
    EOFError,
    OSError,
    ValueError,
    IndexError,
)


class WarcReadError(Exception):
    """A WARC file or record that cannot be read; the message names the file and the offset."""


class _Latin1HttpParser(StatusAndHeadersParser):
    """Reads HTTP header lines as latin-1, the way Scrapy decodes them.

    warcio tries UTF-8 first, which makes the bytes E9 and C3 A9 both come back as "é"; a
    rebuilt document must see exactly the header text the crawl saw.
    """

    @staticmethod
    def decode_header(line: bytes | str) -> str:
        return line.decode("latin-1") if isinstance(line, bytes) else line


def _archive_iterator(handle: BinaryIO) -> ArchiveIterator:
    iterator = ArchiveIterator(handle, check_digests=True)
    iterator.loader.http_parser = _Latin1HttpParser(ArcWarcRecordLoader.HTTP_TYPES, verify=False)
    return iterator


def _http_headers(record: Any) -> dict[str, str]:
    headers: dict[str, str] = {}
    if record.http_headers is None:
        return headers
    for name, value in record.http_headers.headers:
        name = name.lower()
        if name == RENAMED_TRANSFER_ENCODING.lower():
            name = "transfer-encoding"
        headers[name] = value
    return headers


def _nianbao_headers(record: Any) -> dict[str, str]:
    prefix = NIANBAO_HEADER_PREFIX.lower()
    return {
        name[len(prefix) :].lower(): unquote(value)
        for name, value in record.rec_headers.headers
        if name.lower().startswith(prefix)
    }


def _document(record: Any, body: bytes, filename: str, offset: int) -> FetchedDocument:
    headers = _http_headers(record)
    try:
        decoded = decode_content(body, headers.get("content-encoding"))
    except ContentDecodingError:
        # The crawl keeps the body as received when it does not decode; so must the rebuild.
        decoded = body
    extra = _nianbao_headers(record)
    date = record.rec_headers.get_header("WARC-Date") or ""
    status = record.http_headers.get_statuscode() if record.http_headers else "0"
    return FetchedDocument(
        url=record.rec_headers.get_header("WARC-Target-URI") or "",
        status=int(status) if status.isdigit() else 0,
        body=decoded,
        headers=headers,
        fetched_at=fetched_at_text(iso_date_to_datetime(date)) if date else "",
        source_id=extra.get("source") or None,
        role=extra.get("role") or ROLE_OTHER,
        link_text=extra.get("link-text") or None,
        run_id=extra.get("run") or None,
        warc_file=filename,
        warc_offset=offset,
    )


def _expected_length(record: Any) -> int:
    """How many payload bytes the record's Content-Length promises (after any HTTP headers)."""
    if record.payload_length is not None and record.payload_length >= 0:
        return int(record.payload_length)
    return int(record.length or 0)


def _complete(record: Any, body: bytes) -> bool:
    """Whether a record has its mandatory headers and all the bytes its Content-Length promises."""
    headers = record.rec_headers
    if record.rec_type is None or record.length is None:
        return False
    if not headers.get_header("WARC-Record-ID") or not headers.get_header("WARC-Date"):
        return False
    return len(body) >= _expected_length(record)


def warc_files(archive_dir: str | Path) -> list[Path]:
    """The WARC files under `archive_dir` in name order (write order, for nianbao's own files)."""
    root = Path(archive_dir)
    if not root.is_dir():
        return []
    files = [p for p in root.rglob("*") if p.is_file() and p.name.endswith(WARC_SUFFIXES)]
    return sorted(files, key=lambda p: p.relative_to(root).as_posix())


def iter_file(
    root: Path,
    path: Path,
    roles: Collection[str] | None = None,
    errors: list[str] | None = None,
    metadata: list[tuple[str, bytes]] | None = None,
) -> Iterator[FetchedDocument]:
    """`iter_archived` of the one file at `path` under `root`."""
    filename = path.relative_to(root).as_posix()
    offset = 0

    def problem(message: str) -> None:
        text = f"{filename} at offset {offset}: {message}"
        if errors is None:
            raise WarcReadError(text)
        errors.append(text)

    with path.open("rb") as handle:
        iterator = _archive_iterator(handle)
        try:
            for record in iterator:
                offset = iterator.offset
                if record.format != "warc":
                    # warcio falls back to ARC parsing on anything that is not WARC.
                    problem("not a WARC record; rest of file skipped")
                    return
                # Every record is read to its end: a cut-off one is how truncation shows.
                body = record.raw_stream.read()
                if not _complete(record, body):
                    problem("record cut off (truncated file); rest of file skipped")
                    return
                if record.rec_type == "metadata" and metadata is not None:
                    uri = record.rec_headers.get_header("WARC-Target-URI") or ""
                    metadata.append((uri, body))
                if record.rec_type != "response":
                    continue
                extra = _nianbao_headers(record)
                if roles is not None and (extra.get("role") or ROLE_OTHER) not in roles:
                    continue
                if record.digest_checker.passed is False:
                    problem("; ".join(record.digest_checker.problems) or "digest mismatch")
                    continue
                yield _document(record, body, filename, offset)
        except WarcReadError:
            raise
        except _DAMAGE as exc:
            problem(f"unreadable from here on ({type(exc).__name__}: {exc})".rstrip())
            return
        # A gzip member cut off at the end of the file ends warcio's walk without an error.
        offset = iterator.offset
        handle.seek(offset)
        if handle.read().strip():
            problem("truncated or unreadable data up to the end of the file")


def iter_archived(
    archive_dir: str | Path,
    roles: Collection[str] | None = None,
    errors: list[str] | None = None,
    metadata: list[tuple[str, bytes]] | None = None,
) -> Iterator[FetchedDocument]:
    """Every response record under `archive_dir` (files in name order), optionally only some roles;
    the target URI and content of every metadata record met on the way are appended to `metadata`.

    A damaged record or file is appended to `errors` and the walk goes on with the next record or
    file; with `errors=None` it raises `WarcReadError` instead (after yielding what came before).
    """
    root = Path(archive_dir)
    for path in warc_files(root):
        yield from iter_file(root, path, roles, errors, metadata)


def read_record(archive_dir: str | Path, filename: str, offset: int) -> FetchedDocument:
    """The response record at `offset` in `filename` (relative to `archive_dir`)."""
    path = Path(archive_dir) / filename
    where = f"{filename} at offset {offset}"
    try:
        with path.open("rb") as handle:
            handle.seek(offset)
            record = next(iter(_archive_iterator(handle)), None)
            if record is None:
                raise WarcReadError(f"{where}: no record there")
            if record.rec_type != "response":
                raise WarcReadError(f"{where}: a {record.rec_type} record, not a response")
            body = record.raw_stream.read()
            if not _complete(record, body):
                raise WarcReadError(f"{where}: record cut off (truncated file)")
            if record.digest_checker.passed is False:
                raise WarcReadError(f"{where}: " + "; ".join(record.digest_checker.problems))
            return _document(record, body, filename, offset)
    except WarcReadError:
        raise
    except FileNotFoundError as exc:
        raise WarcReadError(f"{where}: no such file") from exc
    except _DAMAGE as exc:
        raise WarcReadError(f"{where}: {type(exc).__name__}: {exc}") from exc
