"""The archive as one WACZ file (Web Archive Collection Zipped, 1.2.0): the WARC files, a CDXJ index,
`pages/pages.jsonl` (one entry per report document, titled as the database titles it) and the
WACZ's own `datapackage.json`, so the originals replay in ReplayWeb.page or any WACZ reader without
nianbao.

The `wacz` package (0.6.0, the registry's newest) builds it and validates it as WACZ 1.1.1, the
version it writes. WACZ 1.2.0 differs only in the manifest: `profile` is `wacz` (1.1.1 says
`data-package`), with a description and a modification time recommended. So the manifest is then
rewritten as 1.2.0, its digest file renewed, every other entry copied as it was, and the result
checked against 1.2.0's rules (`check_wacz`): every listed file present with its size and SHA-256,
the digest, WARCs and the gzipped index stored uncompressed, each page with a URL and a time.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import shutil
import sqlite3
import tempfile
import zipfile
from datetime import UTC, datetime
from pathlib import Path

from wacz.main import main as wacz_main

from archive.warc_read import warc_files

WACZ_FILE = "nianbao-archive.wacz"
WACZ_VERSION = "1.2.0"
MANIFEST = "datapackage.json"
DIGEST = "datapackage-digest.json"
DESCRIPTION = (
    "The responses nianbao archived while crawling Chinese government portals for their annual "
    "reports on government information disclosure (政府信息公开工作年度报告): every page and "
    "document as fetched. `pages/pages.jsonl` lists one entry per report document."
)


class WaczError(Exception):
    """The WACZ could not be built or does not validate; the message carries the tool's output."""


def _page_ts(fetched_at: str) -> str:
    return fetched_at.replace("+00:00", "Z") if fetched_at else ""


def write_pages_jsonl(db_path: Path, path: Path) -> int:
    """A pages.jsonl of every archived report document (URL, time fetched, title); returns how many."""
    conn = sqlite3.connect(f"file:{db_path.resolve()}?mode=ro", uri=True)
    try:
        rows = conn.execute(
            "SELECT url, fetched_at, coalesce(title, url) FROM reports "
            "WHERE warc_file IS NOT NULL AND url LIKE 'http%' ORDER BY year DESC, url"
        ).fetchall()
    finally:
        conn.close()
    with path.open("w", encoding="utf-8") as handle:
        header = {"format": "json-pages-1.0", "id": "pages", "title": "nianbao reports"}
        handle.write(json.dumps(header, ensure_ascii=False) + "\n")
        for url, fetched_at, title in rows:
            page = {"url": url, "ts": _page_ts(fetched_at or ""), "title": title}
            handle.write(json.dumps(page, ensure_ascii=False) + "\n")
    return len(rows)


def _run_wacz(args: list[str]) -> tuple[int, str]:
    output = io.StringIO()
    with contextlib.redirect_stdout(output):
        code = wacz_main(args)
    return int(code or 0), output.getvalue()


def validate_wacz(path: Path) -> str:
    """Validate with the `wacz` package; returns its report, raises WaczError when invalid."""
    code, output = _run_wacz(["validate", "-f", str(path)])
    if code != 0:
        raise WaczError(f"{path.name} does not validate: {output.strip()[-2000:]}")
    return output


def write_wacz(db_path: Path, archive_dir: Path, out_path: Path) -> int:
    """Package every WARC file of `archive_dir` into `out_path`, validated; returns the pages listed."""
    warcs = warc_files(archive_dir)
    if not warcs:
        raise WaczError(f"no WARC files in {archive_dir}")
    partial = out_path.with_name(f".partial-{out_path.name}")
    with tempfile.TemporaryDirectory(prefix="nianbao-wacz-") as work:
        pages = Path(work) / "pages.jsonl"
        listed = write_pages_jsonl(db_path, pages)
        code, output = _run_wacz(
            ["create", "-o", str(partial), "-p", str(pages), "--title", "nianbao 年报 archive"]
            + [str(path) for path in warcs]
        )
    if code != 0:
        partial.unlink(missing_ok=True)
        raise WaczError(f"wacz create failed: {output.strip()[-2000:]}")
    try:
        validate_wacz(partial)
        upgraded = partial.with_name(f"{partial.name}.1.2")
        upgrade_manifest(partial, upgraded)
        upgraded.replace(partial)
        check_wacz(partial)
    except WaczError:
        partial.unlink(missing_ok=True)
        raise
    finally:
        partial.with_name(f"{partial.name}.1.2").unlink(missing_ok=True)
    partial.replace(out_path)
    return listed


def _sha256(data: bytes) -> str:
    return f"sha256:{hashlib.sha256(data).hexdigest()}"


def upgrade_manifest(source: Path, target: Path) -> None:
    """Copy the WACZ 1.1.1 at `source` to `target` as WACZ 1.2.0: a new manifest and digest, every
    other entry copied byte for byte with its compression."""
    with zipfile.ZipFile(source) as old:
        manifest = json.loads(old.read(MANIFEST))
        now = datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
        manifest |= {
            "profile": "wacz",
            "wacz_version": WACZ_VERSION,
            "description": DESCRIPTION,
            "modified": now,
            "software": f"nianbao export; {manifest.get('software', 'py-wacz')}",
        }
        manifest_bytes = json.dumps(manifest, ensure_ascii=False, indent=2).encode("utf-8")
        digest = {"path": MANIFEST, "hash": _sha256(manifest_bytes)}
        with zipfile.ZipFile(target, "w") as new:
            for info in old.infolist():
                if info.filename in (MANIFEST, DIGEST):
                    continue
                with old.open(info) as src, new.open(info, "w") as dst:
                    shutil.copyfileobj(src, dst, 1 << 20)
            new.writestr(MANIFEST, manifest_bytes, zipfile.ZIP_DEFLATED)
            new.writestr(DIGEST, json.dumps(digest, indent=2), zipfile.ZIP_DEFLATED)


def _file_hash(archive: zipfile.ZipFile, name: str) -> str:
    digest = hashlib.sha256()
    with archive.open(name) as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return f"sha256:{digest.hexdigest()}"


def check_wacz(path: Path) -> None:
    """Raise WaczError unless `path` keeps WACZ 1.2.0's rules (see the module docstring)."""
    problems: list[str] = []
    with zipfile.ZipFile(path) as archive:
        entries = {info.filename: info for info in archive.infolist()}
        manifest = json.loads(archive.read(MANIFEST))
        if (manifest.get("profile"), manifest.get("wacz_version")) != ("wacz", WACZ_VERSION):
            problems.append("the manifest is not WACZ 1.2.0")
        digest = json.loads(archive.read(DIGEST))
        if digest.get("hash") != _sha256(archive.read(MANIFEST)):
            problems.append("datapackage-digest.json does not match datapackage.json")
        listed = {resource["path"]: resource for resource in manifest.get("resources", [])}
        for name in set(entries) - set(listed) - {MANIFEST, DIGEST}:
            problems.append(f"{name} is not listed in the manifest")
        for name, resource in listed.items():
            if name not in entries:
                problems.append(f"{name} is listed but missing")
            elif resource.get("bytes") != entries[name].file_size:
                problems.append(f"{name}: size differs from the manifest")
            elif resource.get("hash") != _file_hash(archive, name):
                problems.append(f"{name}: SHA-256 differs from the manifest")
        if not any(name.startswith("archive/") for name in entries):
            problems.append("no WARC file under archive/")
        if not any(name.startswith("indexes/") for name in entries):
            problems.append("no index under indexes/")
        for name, info in entries.items():
            stored = name.startswith("archive/") or name.endswith(".cdx.gz")
            if stored and info.compress_type != zipfile.ZIP_STORED:
                problems.append(f"{name} is compressed again (must be stored)")
        if "pages/pages.jsonl" not in entries:
            problems.append("no pages/pages.jsonl")
        else:
            lines = archive.read("pages/pages.jsonl").decode("utf-8").splitlines()[1:]
            pages = [json.loads(line) for line in lines if line.strip()]
            if any(not page.get("url") or not page.get("ts") for page in pages):
                problems.append("a page in pages.jsonl lacks its url or ts")
    if problems:
        raise WaczError(f"{path.name} is not a valid WACZ 1.2.0: " + "; ".join(problems[:10]))
