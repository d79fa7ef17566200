"""Run `python ARGS…` as a child and report its peak resident memory on stderr.

    python bench/peak_rss.py -m nianbao.cli crawl …

Prints `NIANBAO_BENCH_PEAK_RSS_KB=<kB>` (from `os.wait4`'s rusage of that one child, so other
processes of the benchmark do not count) and exits with the child's exit code.
"""

from __future__ import annotations

import os
import subprocess
import sys


def main() -> None:
    child = subprocess.Popen([sys.executable, *sys.argv[1:]])
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    print(f"NIANBAO_BENCH_PEAK_RSS_KB={usage.ru_maxrss}", file=sys.stderr)
    sys.exit(child.returncode)


if __name__ == "__main__":
    main()
