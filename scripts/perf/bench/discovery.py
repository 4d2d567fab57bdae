"""Find and run every bench module: any ``scripts/perf/bench/*.py`` defining ``measure()``.

A module plugs in by defining ``def measure(quick: bool = False) -> list[Figure]``
(and optionally ``ORDER``, an int: lower runs first, default 50). A module that
fails to import or raises is reported as failed; the others still run.
"""

from __future__ import annotations

import importlib
import re
import time
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from scripts.perf.bench.model import Figure, PartialFailure, Skipped

BENCH_DIR = Path(__file__).resolve().parent
PACKAGE = "scripts.perf.bench"
DEFINES_MEASURE = re.compile(r"^def measure\(", re.MULTILINE)
DEFAULT_ORDER = 50


@dataclass
class ModuleResult:
    name: str  # the key BENCH_SKIP takes: module name with dashes, e.g. "cold-start"
    status: str  # "ok", "partial", "failed" or "skipped"
    seconds: float = 0.0
    figures: list[Figure] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "status": self.status,
            "seconds": round(self.seconds, 1),
            "errors": self.errors,
        }


def key_of(module_name: str) -> str:
    return module_name.replace("_", "-")


def discover(bench_dir: Path = BENCH_DIR) -> list[str]:
    """Module names (``cold_start``) whose source defines a top-level ``measure``."""
    return sorted(
        path.stem
        for path in bench_dir.glob("*.py")
        if not path.stem.startswith("_") and DEFINES_MEASURE.search(path.read_text())
    )


def check_selection(known: Iterable[str], skip: Iterable[str], only: Iterable[str]) -> None:
    """Reject names that match no module, listing the ones there are."""
    keys = {key_of(k) for k in known}
    unknown = sorted({key_of(n) for n in [*skip, *only]} - keys)
    if unknown:
        raise ValueError(
            f"unknown bench module(s) {', '.join(unknown)}; expected some of: "
            + ", ".join(sorted(keys))
        )


def order_of(module: ModuleType | None) -> int:
    order = getattr(module, "ORDER", DEFAULT_ORDER)
    return order if isinstance(order, int) else DEFAULT_ORDER


def run_one(key: str, measure: Callable[..., list[Figure]], quick: bool) -> ModuleResult:
    started = time.perf_counter()
    try:
        figures = measure(quick=quick)
        if not isinstance(figures, list) or not all(isinstance(f, Figure) for f in figures):
            raise TypeError(f"measure() returned {type(figures).__name__}, not list[Figure]")
        result = ModuleResult(key, "ok", figures=figures)
    except Skipped as reason:
        result = ModuleResult(key, "skipped", errors=[str(reason)])
    except PartialFailure as partial:
        result = ModuleResult(key, "partial", figures=partial.figures, errors=partial.errors)
    except Exception as error:  # any failure is reported, never fatal to the run
        last = traceback.format_exc().strip().splitlines()[-6:]
        result = ModuleResult(key, "failed", errors=[f"{type(error).__name__}: {error}", *last])
    result.seconds = time.perf_counter() - started
    return result


def run_all(
    quick: bool,
    skip: Iterable[str] = (),
    only: Iterable[str] = (),
    on_result: Callable[[ModuleResult], None] = lambda _: None,
    on_start: Callable[[str], None] = lambda _: None,
    bench_dir: Path = BENCH_DIR,
    package: str = PACKAGE,
) -> list[ModuleResult]:
    names = discover(bench_dir)
    skip, only = [key_of(s) for s in skip], [key_of(o) for o in only]
    check_selection(names, skip, only)
    loaded: list[tuple[int, str, ModuleType | None, str]] = []
    for name in names:
        try:
            module: ModuleType | None = importlib.import_module(f"{package}.{name}")
            error = ""
        except Exception as exc:  # a broken module is reported, never fatal
            module, error = None, f"import failed: {type(exc).__name__}: {exc}"
        loaded.append((order_of(module), name, module, error))
    results = []
    for _, name, module, error in sorted(loaded, key=lambda item: item[:2]):
        key = key_of(name)
        if key in skip or (only and key not in only):
            result = ModuleResult(key, "skipped", errors=["not selected (BENCH_SKIP / ONLY)"])
        elif module is None:
            result = ModuleResult(key, "failed", errors=[error])
        else:
            on_start(key)
            result = run_one(key, module.measure, quick)
        on_result(result)
        results.append(result)
    return results
