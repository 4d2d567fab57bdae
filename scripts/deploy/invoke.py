"""Run the deploy tool (``python -m scripts.deploy``) as ``make deploy-all`` does."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scripts.catalog import REPO_ROOT

TIMEOUT_S = 1800.0


@dataclass
class DeployRun:
    result: subprocess.CompletedProcess[str]
    report: dict[str, Any] | None  # build/deploy-report.json's content, if written
    bundles_dir: Path
    seconds: float  # wall time of the whole command

    @property
    def output(self) -> str:
        return self.result.stdout + self.result.stderr

    def by_app(self) -> dict[str, dict[str, Any]]:
        assert self.report is not None, self.output
        return {row["app"]: row for row in self.report["apps"]}

    def explain(self) -> str:
        return f"exit {self.result.returncode}\n{self.output[-6000:]}"


def run_deploy_tool(
    server: str, key: str, work: Path, *args: str, env: Mapping[str, str] | None = None
) -> DeployRun:
    """Deploy to ``server``, keeping bundles, logs and the report under ``work``."""
    report = work / f"deploy-report-{time.monotonic_ns()}.json"
    environ = {k: v for k, v in os.environ.items() if not k.startswith("CONNECT_")}
    environ.update(CONNECT_SERVER=server, CONNECT_API_KEY=key, **(env or {}))
    command = [sys.executable, "-m", "scripts.deploy", "--bundles-dir", str(work / "bundles")]
    command += ["--logs-dir", str(work / "logs")]
    started = time.perf_counter()
    result = subprocess.run(
        [*command, "--report", str(report), *args],
        cwd=REPO_ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
    )
    seconds = time.perf_counter() - started
    data = json.loads(report.read_text()) if report.exists() else None
    return DeployRun(result, data, work / "bundles", seconds)
