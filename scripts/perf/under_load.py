"""``make test-under-load``: the suite, several times in a row, beside a CPU hog.

A test that passes alone and fails when the machine is busy teaches everyone
to rerun it. This proves the suite does not: ``make test`` runs ``--runs``
times in a row (each run a fresh pytest, as CI runs it) while ``--hogs``
processes spin on the CPU beside it; the hogs stop at the end, whatever
happened. Each run's pytest summary is printed; the exit status is non-zero
when any run failed. Logs: ``build/under-load/run-<n>.log``.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from scripts.catalog import REPO_ROOT
from scripts.perf.bench.suite_time import pytest_summary

LOG_DIR = REPO_ROOT / "build" / "under-load"
# One busy loop per process: each takes a whole core while the scheduler lets it.
SPIN = "while True: pass"


@contextmanager
def cpu_hog(processes: int) -> Iterator[list[subprocess.Popen[bytes]]]:
    """``processes`` busy Python processes, killed on exit (also on Ctrl-C)."""
    hogs = [subprocess.Popen([sys.executable, "-c", SPIN]) for _ in range(processes)]
    try:
        yield hogs
    finally:
        for hog in hogs:
            hog.kill()
        for hog in hogs:
            hog.wait()


def run_suite(make_args: Sequence[str], log: Path) -> tuple[int, float, str]:
    """One ``make test``: its exit status, wall seconds and pytest summary line."""
    with log.open("wb") as out:
        started = time.perf_counter()
        result = subprocess.run(["make", "test", *make_args], cwd=REPO_ROOT, stdout=out, stderr=out)
        elapsed = time.perf_counter() - started
    return result.returncode, elapsed, pytest_summary(log.read_text(errors="replace"))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make test-under-load", description=__doc__)
    parser.add_argument("--runs", type=int, default=3, help="suite runs in a row (3)")
    parser.add_argument("--hogs", type=int, default=2, help="busy processes beside it (2)")
    parser.add_argument("make_args", nargs="*", help="passed to make test (ARGS=..., APP=...)")
    args = parser.parse_args(argv)
    if args.runs < 1 or args.hogs < 0:
        parser.error(f"--runs must be 1 or more and --hogs 0 or more, not {args.runs}/{args.hogs}")
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    failed = 0
    print(f"make test, {args.runs} run(s) in a row beside {args.hogs} busy process(es)")
    with cpu_hog(args.hogs):
        for run in range(1, args.runs + 1):
            log = LOG_DIR / f"run-{run}.log"
            status, elapsed, summary = run_suite(args.make_args, log)
            verdict = "passed" if status == 0 else f"FAILED (exit {status}; log: {log})"
            print(f"run {run}/{args.runs}: {verdict} in {elapsed:.0f} s: {summary}", flush=True)
            failed += status != 0
    print(f"{args.runs - failed} of {args.runs} run(s) passed under load")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
