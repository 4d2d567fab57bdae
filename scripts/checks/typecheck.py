"""Type-check the shared package, the tooling and every app: ``make typecheck``.

mypy cannot check all apps in one run: each is a top-level module named
``app`` (as Connect imports it, with the app folder on ``sys.path``), so two
apps are two modules with the same name. The shared package and tooling are
checked in one run (``[tool.mypy] files``), then each discovered app in its own.
"""

from __future__ import annotations

import sys
from pathlib import Path

from mypy import api

from scripts.catalog import REPO_ROOT, discover_apps

CONFIG = REPO_ROOT / "pyproject.toml"


def run_mypy(*targets: Path) -> int:
    """One mypy run over ``targets`` (none: the configured files); its exit status."""
    args = ["--config-file", str(CONFIG), *(str(t) for t in targets)]
    stdout, stderr, status = api.run(args)
    sys.stdout.write(stdout)
    sys.stderr.write(stderr)
    return status


def main() -> int:
    label = "shared package and tooling"
    print(f"mypy: {label}", flush=True)
    failed = [label] if run_mypy() else []
    for app in discover_apps():
        print(f"mypy: app {app.name}", flush=True)
        if run_mypy(app.path):
            failed.append(f"app {app.name}")
    if failed:
        print(f"type errors in: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
