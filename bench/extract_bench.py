"""Extraction throughput on the sample portal's report pages, against merely parsing them with lxml.

    .venv/bin/python bench/extract_bench.py [--reports N] [--repeat R] [--profile]
    .venv/bin/python bench/extract_bench.py --formats [--reports 30] [--repeat R]

Pages are generated in-process: N synthetic reports (portal.synthetic.generate) rendered as the
portal renders them (Word-pasted TRS tables and plain Hanweb tables, alternately) plus the five
seed texts. Prints reports/s for full extraction (`pipeline.extraction.extract.extract_document`), for an lxml
parse of the same bytes, and the ratio of the two median times (the target is 3x or less). The two
are timed in turns, run after run, so that other load on the machine weighs on both. A plain
script, not a test: figures depend on the machine.

With --formats it instead prints ms per document for the attachment readers, each fast reader
beside the library it replaces (PDF: PDFium `read_pdf` vs pdfplumber; DOCX: lxml `read_docx` vs
python-docx), over N synthetic reports rendered as the portal serves them; CPU time
(`time.process_time`), medians of the runs, so other load on the machine weighs little.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import statistics
import sys
import time
from html import escape
from pathlib import Path

import lxml.html

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pipeline.extraction.extract import extract_document  # noqa: E402
from portal.content import load_seeds  # noqa: E402
from portal.html_render import report_body  # noqa: E402
from portal.synthetic import generate  # noqa: E402

HTML_HEADERS = {"content-type": "text/html; charset=utf-8"}
TEXT_HEADERS = {"content-type": "text/plain; charset=utf-8"}


def _page(title: str, body: str) -> bytes:
    return (
        '<!DOCTYPE html><html><head><meta http-equiv="Content-Type" content="text/html; '
        f'charset=utf-8" />\n<title>{escape(title)}_示例市人民政府</title>\n'
        f'<meta name="ArticleTitle" content="{escape(title)}">\n</head><body>\n'
        f'<div class="header"><a href="/">示例市人民政府</a></div>\n<div class="article">'
        f'<h1>{escape(title)}</h1><div class="TRS_Editor">{body}</div></div>\n'
        '<div class="footer">主办单位：示例市人民政府办公室</div></body></html>\n'
    ).encode()


def documents(count: int) -> list[tuple[bytes, str, dict[str, str]]]:
    """(body, url, headers) for `count` synthetic pages and the seed texts."""
    docs = []
    for index, spec in enumerate(generate(count, seed=7)):
        body = _page(spec.title, report_body(spec, word_style=index % 2 == 0))
        docs.append((body, f"http://127.0.0.1/art/{index}.html", HTML_HEADERS))
    for spec in load_seeds():
        if spec.seed_text:
            docs.append((spec.seed_text, f"http://127.0.0.1/{spec.seed_name}.txt", TEXT_HEADERS))
    return docs


def _time_once(function, docs) -> float:
    start = time.perf_counter()
    for body, url, headers in docs:
        function(body, url, headers)
    return time.perf_counter() - start


def _parse_only(body: bytes, _url: str, _headers: dict[str, str]) -> object:
    """The baseline: lxml parses the same raw bytes into a tree, and nothing else."""
    return lxml.html.document_fromstring(body)


def measure(docs, repeat: int) -> tuple[list[float], list[float]]:
    """(parse times, extraction times) of `repeat` runs over all documents, taken in turns so
    that load from other work on the machine falls on both alike."""
    parse_times, full_times = [], []
    for _ in range(repeat):
        parse_times.append(_time_once(_parse_only, docs))
        full_times.append(_time_once(extract_document, docs))
    return parse_times, full_times


def format_breakdown(count: int, repeat: int) -> list[tuple[str, float]]:
    """(reader, median CPU ms per document) for each attachment reader and its reference."""
    from pipeline.extraction import attachments
    from portal.file_render import render_docx, render_pdf

    specs = generate(count, seed=7)
    readers = [
        ("pdf  PDFium (read_pdf)", attachments.read_pdf, render_pdf),
        ("pdf  pdfplumber", attachments.read_pdf_plumber, render_pdf),
        ("docx lxml (read_docx)", attachments.read_docx, render_docx),
        ("docx python-docx", attachments.read_docx_python_docx, render_docx),
    ]
    bodies = {render: [render(spec) for spec in specs] for _, _, render in readers}
    results = []
    for name, read, render in readers:
        read(bodies[render][0])  # warm-up: imports
        runs = []
        for _ in range(repeat):
            start = time.process_time()
            for body in bodies[render]:
                read(body)
            runs.append((time.process_time() - start) * 1000 / len(bodies[render]))
        results.append((name, statistics.median(runs)))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reports", type=int, default=200, help="synthetic reports (default 200)")
    parser.add_argument("--repeat", type=int, default=5, help="runs (the median counts)")
    parser.add_argument("--profile", action="store_true", help="print the top of a cProfile run")
    parser.add_argument(
        "--formats", action="store_true", help="ms/doc of the PDF and DOCX readers instead"
    )
    args = parser.parse_args()
    if args.formats:
        count = args.reports if args.reports != 200 else 30
        for name, ms in format_breakdown(count, args.repeat):
            print(
                f"{name:24s} {ms:7.1f} ms/doc  ({count} synthetic reports, median of {args.repeat})"
            )
        return
    docs = documents(args.reports)
    megabytes = sum(len(body) for body, _, _ in docs) / 1e6
    extract_document(*docs[0][:3])  # warm-up: imports, regex compilation
    parse_times, full_times = measure(docs, args.repeat)
    parse_s, full_s = statistics.median(parse_times), statistics.median(full_times)
    print(f"documents: {len(docs)} ({megabytes:.1f} MB), {args.repeat} runs each, medians")
    print(f"lxml parse only:   {len(docs) / parse_s:8.1f} reports/s  ({parse_s:.3f} s)")
    print("  (lxml.html.document_fromstring on each document's raw bytes)")
    print(f"full extraction:   {len(docs) / full_s:8.1f} reports/s  ({full_s:.3f} s)")
    print("  (pipeline.extraction.extract.extract_document on the same bytes, URL and headers)")
    print(f"extraction / parse time ratio: {full_s / parse_s:.2f}x (target <= 3x)")
    best = min(full / parse for parse, full in zip(parse_times, full_times, strict=True))
    print(
        f"  best single run: {best:.2f}x; fastest runs: parse {min(parse_times):.3f} s, "
        f"extraction {min(full_times):.3f} s"
    )
    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        for body, url, headers in docs:
            extract_document(body, url, headers)
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)


if __name__ == "__main__":
    main()
