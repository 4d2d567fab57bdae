"""What the bench measures: every discovered app, and the baseline apps.

Per-app bench settings live in the app's pyproject.toml, next to its smoke
settings::

    [tool.monorepo.bench]
    env = { DASHBOARD_ROWS = "1000000" }  # set while the bench serves the app
    max_cold_start_ratio = 1.05            # default 1.15 (issue #8)
    max_first_load_ratio = 1.10            # default 1.10 against bare Dash, else none
    max_rss_mb = 500                       # default: none
    first_load_baseline = "bare-dbc"       # default "bare-dash-compressed" (issue #12)
                                           # or "bare-dbc-graph" (Dash + dbc + a dcc.Graph)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scripts.catalog import AppInfo, discover_apps

BASELINES_DIR = Path(__file__).resolve().parent / "baselines"
# The floors the apps are measured against (folders under baselines/).
BARE_DASH = "bare-dash"  # Dash with one html.Div: the cold-start and memory floor
BARE_DBC = "bare-dbc"  # Dash + dash-bootstrap-components, compressed: dbc apps' first-load floor
BARE_DASH_COMPRESSED = "bare-dash-compressed"  # Dash's compress=True: the first-load floor
BARE_DBC_GRAPH = "bare-dbc-graph"  # Dash + dbc + one dcc.Graph, compressed: a dbc chart's floor
FIRST_LOAD_BASELINES = (BARE_DASH_COMPRESSED, BARE_DBC, BARE_DBC_GRAPH)
DEFAULT_MAX_COLD_START_RATIO = 1.15
# Against bare Dash with the same component libraries (issues #18, #24).
DEFAULT_MAX_FIRST_LOAD_RATIO = 1.10


class BadBenchSettings(ValueError):
    """An app's [tool.monorepo.bench] table holds a value of the wrong kind."""


@dataclass(frozen=True)
class Subject:
    """An app folder the bench serves, with the visitor and settings to use."""

    name: str
    path: Path
    user: str = ""
    groups: tuple[str, ...] = ()
    env: dict[str, str] = field(default_factory=dict)
    targets: dict[str, float] = field(default_factory=dict)
    first_load_baseline: str = BARE_DASH_COMPRESSED

    def target(self, key: str, default: float | None = None) -> float | None:
        return self.targets.get(key, default)

    def max_first_load_ratio(self) -> float | None:
        """The app's own target, else 1.10 against bare Dash with its component libraries."""
        return self.target("max_first_load_ratio", DEFAULT_MAX_FIRST_LOAD_RATIO)


TARGET_KEYS = ("max_cold_start_ratio", "max_first_load_ratio", "max_rss_mb")


def subject_from_app(info: AppInfo) -> Subject:
    settings = info.settings()
    smoke = settings.get("smoke", {})
    bench = settings.get("bench", {})
    return subject_from_settings(info.name, info.path, smoke, bench)


def subject_from_settings(
    name: str, path: Path, smoke: dict[str, Any], bench: dict[str, Any]
) -> Subject:
    """Check and read the smoke visitor and bench table of one app."""
    where = f"{path / 'pyproject.toml'} [tool.monorepo.bench]"
    env = bench.get("env", {})
    if not isinstance(env, dict) or not all(isinstance(v, str) for v in env.values()):
        raise BadBenchSettings(f"{where}: env must map names to strings, got {env!r}")
    targets: dict[str, float] = {}
    for key in TARGET_KEYS:
        if key in bench:
            value = bench[key]
            if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
                raise BadBenchSettings(f"{where}: {key} must be a positive number, got {value!r}")
            targets[key] = float(value)
    first_load_baseline = bench.get("first_load_baseline", BARE_DASH_COMPRESSED)
    if first_load_baseline not in FIRST_LOAD_BASELINES:
        raise BadBenchSettings(
            f"{where}: first_load_baseline must be one of {list(FIRST_LOAD_BASELINES)}, "
            f"got {first_load_baseline!r}"
        )
    unknown = set(bench) - {"env", "first_load_baseline", *TARGET_KEYS}
    if unknown:
        raise BadBenchSettings(
            f"{where}: unknown keys {sorted(unknown)}; expected env, first_load_baseline "
            f"or {', '.join(TARGET_KEYS)}"
        )
    groups = smoke.get("groups", [])
    return Subject(
        name=name,
        path=path,
        user=str(smoke.get("user", "")),
        groups=tuple(str(g) for g in groups),
        env=dict(env),
        targets=targets,
        first_load_baseline=first_load_baseline,
    )


def apps() -> list[Subject]:
    return [subject_from_app(info) for info in discover_apps()]


def baseline(name: str) -> Subject:
    path = BASELINES_DIR / name
    if not (path / "app.py").is_file():
        raise FileNotFoundError(f"no baseline app at {path / 'app.py'}")
    return Subject(name=f"baseline: {name}", path=path)
