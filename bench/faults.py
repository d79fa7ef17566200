"""Crawl N synthetic reports under a heavy fault mix and account for every one of them.

    .venv/bin/python bench/faults.py [--reports 1000] [--spec heavy] [--seed 6] [--out bench/faults.json]

1. a clean crawl of the portal (the time to beat);
2. the same portal with faults (`portal.faults`, the `heavy` preset by default): a first crawl, then a
   second that must recover the transient failures; every generated report must end archived with
   the generator's metrics or listed as failed with its reason; no duplicates, `PRAGMA
   integrity_check` ok, every WARC file passes `warcio check`;
3. a crawl killed with SIGKILL at three random moments and resumed each time, compared with an
   uninterrupted crawl of the same portal (reports, versions and metrics).

Prints a table and writes the figures as JSON (run by `make faults`).
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import time
from pathlib import Path
from tempfile import mkdtemp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from portal.accounting import account  # noqa: E402
from portal.faults import parse_spec  # noqa: E402
from portal.kill_resume import (  # noqa: E402
    NIANBAO,
    after_seconds,
    crawl_content,
    kill_and_resume,
    warc_failures,
)
from portal.server import SamplePortal  # noqa: E402

SETTINGS = [
    "-s", "DOWNLOAD_TIMEOUT=3",
    "-s", "NIANBAO_RETRY_BASE_DELAY=0.2",
    "-s", "NIANBAO_RETRY_MAX_DELAY=2",
    "-s", "NIANBAO_MAX_LIST_PAGES=60",
]  # fmt: skip


def crawl(portal: SamplePortal, work: Path, *extra: str) -> float:
    work.mkdir(parents=True, exist_ok=True)
    portal.write_sources(work / "sources.yaml")
    started = time.monotonic()
    subprocess.run(
        [*NIANBAO, "crawl", "--sources", str(work / "sources.yaml"), "--db", str(work / "nianbao.db"),
         "--archive", str(work / "archive"), "--log-level", "ERROR", *SETTINGS, *extra],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False,
    )  # fmt: skip
    return time.monotonic() - started


def killed_and_resumed(reports: int, seed: int, work: Path) -> dict[str, object]:
    """Three SIGKILLs at random moments, a resume after each; compared with a clean crawl."""
    rng = random.Random(seed)
    with SamplePortal(synthetic=reports, seed=seed, include_seeds=False) as portal:
        killed = work / "killed"
        killed.mkdir(parents=True, exist_ok=True)
        portal.write_sources(killed / "sources.yaml")
        args = ["crawl", "--sources", str(killed / "sources.yaml"), "--db",
                str(killed / "nianbao.db"), "--archive", str(killed / "archive"),
                "--log-level", "ERROR", "-s", "DOWNLOAD_DELAY=0.02"]  # fmt: skip
        clean_s = crawl(portal, work / "uninterrupted", "-s", "DOWNLOAD_DELAY=0.02")
        # Moments drawn within the clean crawl's own length, early enough that each resumed run
        # still has work left when its moment comes (fixed 3–12 s moments outran a crawl that had
        # become faster, and the third kill never landed).
        moments = [after_seconds(rng.uniform(0.1, 0.3) * clean_s) for _ in range(3)]
        resumed = kill_and_resume(args, moments, cwd=ROOT)
        truth = {u for u, t in portal.truth.items() if t.metrics}
    killed_content = crawl_content(killed / "nianbao.db")
    same = killed_content == crawl_content(work / "uninterrupted" / "nianbao.db")
    stored = {row[0] for row in killed_content[0]}
    return {"kills": resumed.kills, "equal_to_uninterrupted": same, "all_reports": truth <= stored}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reports", type=int, default=1000)
    parser.add_argument("--spec", default="heavy,hold_s=4")
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--kill-reports", type=int, default=150)
    parser.add_argument("--out", default=str(ROOT / "bench" / "faults.json"))
    parser.add_argument("--work", default=None, help="working directory (default: a new temp dir)")
    options = parser.parse_args()
    work = Path(options.work or mkdtemp(prefix="nianbao-faults-"))
    spec = parse_spec(options.spec)

    with SamplePortal(synthetic=options.reports, seed=options.seed, include_seeds=False) as clean:
        time_clean = crawl(clean, work / "clean")
    with SamplePortal(
        synthetic=options.reports, seed=options.seed, include_seeds=False, faults=spec
    ) as portal:
        assert portal.faults is not None
        truth = {u: t.to_dict() for u, t in portal.truth.items() if t.metrics}
        time_faults = crawl(portal, work / "faults")
        first = account(work / "faults" / "nianbao.db", portal)
        crawl(portal, work / "faults")
        second = account(work / "faults" / "nianbao.db", portal)
        injected = portal.faults.counts()
        permanent = portal.faults.permanent_urls()
    warc_files = len(list((work / "faults" / "archive").glob("*.warc.gz")))
    warc_bad = len(warc_failures(work / "faults" / "archive"))
    kill = killed_and_resumed(options.kill_reports, options.seed, work / "kill")

    figures = {
        "reports": len(truth),
        "archived": len(second.archived),
        "failed": len(second.failed),
        "lost": len(second.lost),
        "wrong_metrics": len(second.wrong),
        "duplicates": second.duplicates,
        "faults_injected": injected,
        "faults_total": sum(injected.values()),
        "first_run": {k: len(getattr(first, k)) for k in ("archived", "wrong", "failed", "lost")},
        "first_run_failed_reasons": first.failed,
        "recovered": len(set(second.archived) - set(first.archived)),
        "archived_share": round(len(second.archived) / max(1, len(truth)), 5),
        "permanent_faults": len(permanent),
        "failed_reasons": second.failed,
        "integrity_check": second.integrity,
        "warc_files": warc_files,
        "warc_check_failures": warc_bad,
        "time_clean_s": round(time_clean, 1),
        "time_faults_s": round(time_faults, 1),
        "ratio": round(time_faults / max(time_clean, 1e-9), 2),
        "kill9": kill,
        "spec": spec.describe(),
    }
    Path(options.out).parent.mkdir(parents=True, exist_ok=True)
    Path(options.out).write_text(json.dumps(figures, ensure_ascii=False, indent=1))
    listed = ("failed_reasons", "first_run_failed_reasons", "faults_injected")
    rows = [(k, v) for k, v in figures.items() if k not in listed]
    rows += [(f"injected {k}", v) for k, v in injected.items()]
    for name, value in rows:
        print(f"{name:<24} {value}")
    print(f"written to {options.out}")
    ok = (
        not first.lost and not first.wrong and not second.lost and not second.wrong
        and second.duplicates == 0 and second.integrity == "ok" and warc_bad == 0
        and figures["archived_share"] >= 0.999
        and kill["equal_to_uninterrupted"] and kill["kills"] == 3
    )  # fmt: skip
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
