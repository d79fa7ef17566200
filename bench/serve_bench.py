"""Serve figures: latency of Datasette pages and queries, `nianbao serve` on a large database.

Requests (each repeated, p50 and p95 in ms): every chart query of the overview dashboard (as its
JSON API call, optional `[[ … ]]` filters left out), a facet page of `reports`, `report_summary` with
its default facets, the `search` canned query with a 2-character term (a rare one and one every report
contains) and a 4-character term, and a report page (`/-/report/<id>`). The database file must be
called nianbao.db: the canned query and the metadata apply to a database of that name.
"""

from __future__ import annotations

import re
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote, urlencode

import sqlite_utils
import yaml

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def dashboard_queries() -> dict[str, str]:
    metadata = yaml.safe_load((ROOT / "datasette" / "metadata.yml").read_text(encoding="utf-8"))
    dashboards = metadata.get("plugins", {}).get("datasette-dashboards", {})
    charts = dashboards.get("overview", {}).get("charts", {})
    return {
        name: re.sub(r"\[\[.*?\]\]", "", chart["query"], flags=re.S)
        for name, chart in charts.items()
    }


def _get(url: str) -> float:
    started = time.perf_counter()
    with urllib.request.urlopen(url, timeout=120) as response:
        response.read()
        if response.status != 200:
            raise RuntimeError(f"{url}: HTTP {response.status}")
    return (time.perf_counter() - started) * 1000


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def bench_serve(db_path: Path, repeat: int) -> dict[str, dict[str, float]]:
    """{request name: {"p50_ms", "p95_ms"}} for `nianbao serve` on `db_path`."""
    if db_path.stem != "nianbao":
        raise ValueError(f"{db_path}: serve it as nianbao.db, or the canned queries are missing")
    report_id = (
        sqlite_utils.Database(db_path).execute("SELECT id FROM reports LIMIT 1").fetchone()[0]
    )
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "nianbao.cli", "serve", "--db", str(db_path), "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 300  # the inspect file of a large database takes a while
        while True:
            try:
                _get(base + "/-/versions.json")
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("nianbao serve did not start") from None
                time.sleep(0.2)
        requests = {
            f"dashboard:{name}": f"{base}/nianbao.json?" + urlencode({"sql": sql})
            for name, sql in dashboard_queries().items()
        }
        requests["facet page"] = (
            f"{base}/nianbao/reports?_facet=year&_facet=template&_facet=extraction_status"
        )
        requests["summary facet page"] = f"{base}/nianbao/report_summary"
        requests["search 2 chars"] = f"{base}/nianbao/search.json?q={quote('诉讼')}"
        # A term in every report: how long search takes when it has to rank them all.
        requests["search 2 chars, common"] = f"{base}/nianbao/search.json?q={quote('公开')}"
        requests["search 4 chars"] = f"{base}/nianbao/search.json?q={quote('申请公开')}"
        requests["report page"] = f"{base}/-/report/{report_id}"
        results = {}
        for name, url in requests.items():
            _get(url)  # warm: the first call pays for SQLite's page cache
            times = [_get(url) for _ in range(repeat)]
            results[name] = {
                "p50_ms": statistics.median(times),
                "p95_ms": _percentile(times, 0.95),
            }
        return results
    finally:
        server.terminate()
        server.wait(timeout=30)
