"""Fuzz the extraction entry points at scale: no uncaught exception, every bad input a structured result.

    .venv/bin/python bench/fuzz_extract.py [--examples 20000] [--seed 0]

Hypothesis generates inputs from real documents (the seeds, saved fixture pages, generated PDF/DOCX):
byte flips, truncations, splices, inserted markup and control characters, under every content type
the crawler meets, plus pure random bytes. `extract_document` must return an `ExtractedReport`
whose status is one of the known ones, with a reason whenever it failed. `tests/test_faults_fuzz.py`
runs the same property with few examples.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.extraction.extract import extract_document  # noqa: E402
from pipeline.extraction.report import STATUS_FAILED, STATUSES, ExtractedReport  # noqa: E402

CONTENT_TYPES = (
    "text/html; charset=utf-8", "text/html; charset=gbk", "text/html", "text/plain",
    "application/pdf", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.ms-excel", "application/octet-stream", "",
)  # fmt: skip
URLS = (
    "http://127.0.0.1/a.htm", "http://127.0.0.1/a.pdf", "http://127.0.0.1/a.docx",
    "http://127.0.0.1/a.xls", "http://127.0.0.1/a.txt", "http://127.0.0.1/download?f=x.xlsx",
)  # fmt: skip
INSERTS = (
    b"<table>", b"</table>", b"<tr><td>", b"\x00", b"\xff\xfe", b"%PDF-1.4", b"PK\x03\x04",
    b"<script>", b"\xe4\xb8\x80", b"\xd2\xbb", b"\r\n", b"<!--", b"]]>", b"&#x0;",
)  # fmt: skip


def corpus() -> list[bytes]:
    files = sorted((ROOT / "portal" / "seeds").glob("*.txt"))
    files += sorted((ROOT / "tests" / "fixtures" / "documents").glob("*"))
    return [f.read_bytes() for f in files if f.is_file()]


@st.composite
def damaged(draw: st.DrawFn, bases: list[bytes]) -> bytes:
    if draw(st.booleans()) and draw(st.booleans()):
        return draw(st.binary(max_size=4096))
    body = bytearray(draw(st.sampled_from(bases)))
    for _ in range(draw(st.integers(0, 6))):
        if not body:
            break
        at = draw(st.integers(0, len(body) - 1))
        action = draw(st.sampled_from(("flip", "cut", "insert", "drop", "repeat")))
        if action == "flip":
            body[at] ^= draw(st.integers(1, 255))
        elif action == "cut":
            del body[at:]
        elif action == "insert":
            body[at:at] = draw(st.sampled_from(INSERTS)) * draw(st.integers(1, 50))
        elif action == "drop":
            del body[at : at + draw(st.integers(1, 4096))]
        else:
            body[at:at] = body[at : at + 2048] * draw(st.integers(1, 5))
    return bytes(body)


def check(report: object) -> str:
    """The status of a well-formed result; AssertionError for anything else."""
    assert isinstance(report, ExtractedReport), type(report)
    assert report.status in STATUSES, report.status
    if report.status == STATUS_FAILED:
        assert report.status_reason, "a failure without its reason"
    return report.status


def run(examples: int, seed: int | None = None) -> Counter[str]:
    statuses: Counter[str] = Counter()
    bases = corpus()

    @settings(max_examples=examples, deadline=None, database=None, derandomize=seed is not None,
              suppress_health_check=list(HealthCheck))  # fmt: skip
    @given(damaged(bases), st.sampled_from(CONTENT_TYPES), st.sampled_from(URLS))
    def property_(body: bytes, content_type: str, url: str) -> None:
        headers = {"content-type": content_type} if content_type else {}
        statuses[check(extract_document(body, url, headers))] += 1

    property_()
    return statuses


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--examples", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=None)
    options = parser.parse_args()
    started = time.monotonic()
    statuses = run(options.examples, options.seed)
    elapsed = time.monotonic() - started
    print(
        f"fuzz_extract: {sum(statuses.values())} inputs in {elapsed:.0f} s, no uncaught exception"
    )
    for status, count in statuses.most_common():
        print(f"  {status:<12} {count}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
