"""The extractor's version: what a cached extraction is valid for (`archive.extraction_cache`).

A cached report may be served only by the extractor that made it, so the version must change
whenever extraction's behaviour can. A hand-bumped number would be forgotten the one time it
mattered, so the version is computed: a SHA-256 over

- the source of every module of this package (its path and bytes): any edit, even a comment,
  makes a new version, which costs one cold rebuild and never a stale report;
- the versions of the libraries extraction reads with (`READER_DISTRIBUTIONS`);
- the Python version (`re`, `unicodedata` and `str` methods change between minor versions);
- LibreOffice's `versionrc`, when LibreOffice is installed: it converts .doc and .wps files.

Computed once per process (about 30 ms, mostly reading the distributions' metadata). Reads no
settings.
"""

from __future__ import annotations

import functools
import hashlib
import os
import shutil
import sys
from importlib import metadata
from pathlib import Path

from pipeline.extraction.attachments.office_converter import SOFFICE_FALLBACK

# The distributions whose code turns bytes into text and rows here (pdfminer.six under pdfplumber).
READER_DISTRIBUTIONS = (
    "pdfplumber",
    "pdfminer.six",
    "pypdfium2",
    "lxml",
    "python-docx",
    "openpyxl",
    "xlrd",
    "charset-normalizer",
)
PACKAGE_DIR = Path(__file__).resolve().parent


def _libreoffice_build() -> bytes:
    """The bytes of LibreOffice's versionrc (its version and build id), or b"" without one."""
    soffice = shutil.which("soffice") or SOFFICE_FALLBACK
    versionrc = Path(os.path.realpath(soffice)).parent / "versionrc"
    try:
        return versionrc.read_bytes()
    except OSError:
        return b""


def _distribution_version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "absent"


@functools.cache
def extractor_version() -> str:
    """A short hex digest naming this extractor: its source, its readers' versions, Python's and
    LibreOffice's."""
    digest = hashlib.sha256()
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        digest.update(path.relative_to(PACKAGE_DIR).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    for name in READER_DISTRIBUTIONS:
        digest.update(f"{name}=={_distribution_version(name)}\0".encode())
    digest.update(f"python {sys.version_info[0]}.{sys.version_info[1]}\0".encode())
    digest.update(_libreoffice_build())
    return digest.hexdigest()[:16]
