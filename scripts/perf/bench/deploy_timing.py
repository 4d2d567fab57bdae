"""Benchmark: ``make deploy-all`` in parallel against one app at a time.

Against the Connect stand-in, in one run, rounds interleaved: deploy-all with
the default JOBS, deploy-all with JOBS=1, and the slowest app deployed alone
(the baseline: the best a parallel deploy could hope for). Every command is
the real tool with the real rsconnect CLI, timed as a whole (bundles included).
A warm-up deploy creates the content first, so every timed run is an update.
Target: parallel <= 1.5x the slowest single app.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from scripts.catalog import discover_apps
from scripts.perf.bench.model import Figure
from scripts.ship.deploy.settings import load_settings

PARALLEL_JOBS = 4
TARGET_RATIO = 1.5
NAMESPACE = "bench"


class DeployBenchError(RuntimeError):
    """A timed deploy failed: its figures would mean nothing."""


def _deploy(server: str, key: str, work: Path, *args: str) -> tuple[float, dict[str, Any]]:
    """(wall seconds, report) of one whole deploy command; raises if any app failed."""
    from scripts.ship.deploy_subprocess import run_deploy_tool  # dev tooling only

    run = run_deploy_tool(server, key, work, *args, env={"NAMESPACE": NAMESPACE})
    if run.result.returncode != 0 or run.report is None:
        raise DeployBenchError(f"deploy {' '.join(args)} failed:\n{run.explain()}")
    return run.seconds, run.report


def measure(quick: bool = False) -> list[Figure]:
    from scripts.connect_local.launch import running_connect_local  # dev tooling only

    rounds = 1 if quick else 3
    apps = [a.name for a in discover_apps()]
    parallel: list[float] = []
    serial: list[float] = []
    single: list[float] = []
    with tempfile.TemporaryDirectory(prefix="bench-deploy-") as tmp:
        work = Path(tmp)
        groups = sorted({g for app in discover_apps() for g in load_settings(app).groups})
        viewer = f"bench-viewer:{','.join(groups)}"  # so that acl groups exist on the server
        with running_connect_local(work / "connect", users=[viewer]) as connect:
            url, key = connect.url, connect.api_key
            _, warm = _deploy(url, key, work, "--jobs", str(PARALLEL_JOBS))  # creates content
            slowest = max(warm["apps"], key=lambda row: row["seconds"])["app"]
            for _ in range(rounds):  # interleaved: A B C A B C
                parallel.append(_deploy(url, key, work, "--jobs", str(PARALLEL_JOBS))[0])
                seconds, report = _deploy(url, key, work, "--jobs", "1")
                serial.append(seconds)
                slowest = max(report["apps"], key=lambda row: row["seconds"])["app"]
                single.append(_deploy(url, key, work, slowest)[0])
    baseline = f"slowest app ({slowest}) deployed alone, same tool and server"
    context = f"{len(apps)} apps ({', '.join(apps)}), {os.cpu_count()} CPUs, Connect stand-in"
    return [
        Figure(
            measure=f"deploy-all wall time, JOBS={PARALLEL_JOBS}",
            subject="make deploy-all",
            baseline=baseline,
            unit="s",
            subject_samples=parallel,
            baseline_samples=single,
            max_ratio=TARGET_RATIO,
            note=context,
        ),
        Figure(
            measure="deploy-all wall time, JOBS=1",
            subject="make deploy-all JOBS=1",
            baseline=baseline,
            unit="s",
            subject_samples=serial,
            baseline_samples=single,
            note="one at a time, for comparison; " + context,
        ),
    ]


if __name__ == "__main__":
    for figure in measure(quick="--quick" in sys.argv):
        print(json.dumps(figure.to_json(), indent=2))
