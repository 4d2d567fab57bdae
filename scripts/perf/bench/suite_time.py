"""Test suite: wall time of ``make test`` (target: 3 minutes); CI runs it and ``make test-slow``.

Exactly ``make test`` with no arguments: ``ARGS=`` is set empty so a slice
given to ``make bench`` (make passes its variables on) cannot shrink the run.

One run (it takes minutes), after the other figures so no bench server
competes with it; skipped under QUICK=1 and with BENCH_SKIP=suite-time.
"""

from __future__ import annotations

import subprocess
import time

from scripts.catalog import REPO_ROOT
from scripts.perf.bench.launch import LOG_DIR
from scripts.perf.bench.model import Figure, PartialFailure, Skipped

ORDER = 90
TARGET_S = 180.0
SUITE_COMMAND = ("make", "test", "ARGS=")


def pytest_summary(output: str) -> str:
    """pytest's last ``== N passed in T s ==`` line (make prints its own lines after it)."""
    for line in reversed(output.splitlines()):
        if line.startswith("=") and (" passed" in line or " failed" in line or " error" in line):
            return line.strip("= ")
    return "no pytest summary in the output"


def measure(quick: bool = False) -> list[Figure]:
    if quick:
        raise Skipped("takes minutes: runs in the full bench only")
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    log = LOG_DIR / "make-test.log"
    with log.open("wb") as out:
        started = time.perf_counter()
        result = subprocess.run(SUITE_COMMAND, cwd=REPO_ROOT, stdout=out, stderr=out)
        elapsed = time.perf_counter() - started
    summary = pytest_summary(log.read_text(errors="replace"))
    figure = Figure(
        measure="make test wall time",
        subject="test suite",
        baseline="",
        unit="s",
        subject_samples=[elapsed],
        max_value=TARGET_S,
        note=f"one run; {summary}",
    )
    if result.returncode != 0:
        raise PartialFailure([figure], [f"make test exited {result.returncode}; see {log}"])
    return [figure]
