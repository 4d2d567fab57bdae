"""Benchmark: what ``make deploy-all`` costs when nothing changed, and what the tool adds.

Against the Connect stand-in, the real tool with the real rsconnect CLI, timed
as whole commands (bundles included). A warm-up deploy creates the content;
then, rounds interleaved: a full deploy-all (``--force``: every app uploaded,
built by the server and activated) and a no-change deploy-all (every app must
come back ``unchanged``, else the figure would mean nothing).

Figures:
- no-change deploy-all against a full one: target <= 0.1x;
- the tool's own seconds per app in a full deploy (the report's
  ``tool_seconds``: every step but rsconnect's upload and the server's build),
  against that upload step (``steps.upload``), for information.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

from scripts.catalog import discover_apps
from scripts.deploy.report import UNCHANGED, UPLOAD_STEP
from scripts.deploy.settings import load_settings
from scripts.perf.bench.model import Figure

NO_CHANGE_TARGET = 0.1  # issue 13: a no-change deploy-all takes at most a tenth of a full one
NAMESPACE = "bench"


class DeployBenchError(RuntimeError):
    """A timed deploy failed or did something else than measured: its figures would mean nothing."""


def _deploy(server: str, key: str, work: Path, *args: str) -> tuple[float, dict[str, Any]]:
    """(wall seconds, report) of one whole deploy command; raises if any app failed."""
    from scripts.deploy.invoke import run_deploy_tool  # dev tooling only

    run = run_deploy_tool(server, key, work, *args, env={"NAMESPACE": NAMESPACE})
    if run.result.returncode != 0 or run.report is None:
        raise DeployBenchError(f"deploy {' '.join(args)} failed:\n{run.explain()}")
    return run.seconds, run.report


def _per_app(report: dict[str, Any], key: str) -> float:
    """The mean over apps of a row's ``tool_seconds`` or of one of its ``steps``."""
    rows = report["apps"]
    values = [row[key] if key in row else row["steps"].get(key, 0.0) for row in rows]
    return statistics.fmean(values)


def _check_unchanged(report: dict[str, Any]) -> None:
    changed = [row["app"] for row in report["apps"] if row["status"] != UNCHANGED]
    if changed:
        raise DeployBenchError(f"a no-change deploy-all uploaded {', '.join(changed)}")


def _rounds(rounds: int) -> dict[str, list[float]]:
    from scripts.connect_local.launch import running_connect_local  # dev tooling only

    samples: dict[str, list[float]] = {"full": [], "no_change": [], "tool": [], "upload": []}
    with tempfile.TemporaryDirectory(prefix="bench-deploy-") as tmp:
        work = Path(tmp)
        groups = sorted({g for app in discover_apps() for g in load_settings(app).groups})
        viewer = f"bench-viewer:{','.join(groups)}"  # so that acl groups exist on the server
        with running_connect_local(work / "connect", users=[viewer]) as connect:
            url, key = connect.url, connect.api_key
            _deploy(url, key, work)  # creates the content
            for _ in range(rounds):  # interleaved: full, no change, full, no change, ...
                seconds, report = _deploy(url, key, work, "--force")
                samples["full"].append(seconds)
                samples["tool"].append(_per_app(report, "tool_seconds"))
                samples["upload"].append(_per_app(report, UPLOAD_STEP))
                seconds, report = _deploy(url, key, work)
                _check_unchanged(report)
                samples["no_change"].append(seconds)
    return samples


def measure(quick: bool = False) -> list[Figure]:
    samples = _rounds(1 if quick else 3)
    apps = [a.name for a in discover_apps()]
    context = f"{len(apps)} apps ({', '.join(apps)}), {os.cpu_count()} CPUs, Connect stand-in"
    return [
        Figure(
            measure="deploy-all wall time, nothing changed",
            subject="make deploy-all (every app unchanged)",
            baseline="make deploy-all FORCE=1 (every app uploaded), same tool and server",
            unit="s",
            subject_samples=samples["no_change"],
            baseline_samples=samples["full"],
            max_ratio=NO_CHANGE_TARGET,
            note=context,
        ),
        Figure(
            measure="deploy tool's own time per app (full deploy)",
            subject="the tool's steps: check, find, compare, bundle, settings, verify",
            baseline="rsconnect's upload, the server's build and activation (per app)",
            unit="s",
            subject_samples=samples["tool"],
            baseline_samples=samples["upload"],
            note="from build/deploy-report.json's per-step seconds; " + context,
        ),
    ]


if __name__ == "__main__":
    for figure in measure(quick="--quick" in sys.argv):
        print(json.dumps(figure.to_json(), indent=2))
