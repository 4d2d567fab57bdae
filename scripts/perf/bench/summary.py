"""The bench's results: one JSON document, shown as a text table or Markdown.

Everything here reads the JSON document (plain dicts), so the README can be
regenerated from a saved results file without measuring again.
"""

from __future__ import annotations

import os
import platform
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from scripts.perf.bench import missed
from scripts.perf.bench.discovery import ModuleResult

SCHEMA = 1
Doc = dict[str, Any]
FigureDoc = dict[str, Any]
Notes = dict[str, missed.Note]  # why each missed target is missed (missed.toml)
COLUMNS = ("measure", "subject", "median (min-max)", "baseline (min-max)", "ratio", "target", "")


def machine() -> dict[str, Any]:
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    return {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "system": platform.platform(terse=True),
        "load_average_at_start": load,
    }


def document(results: Sequence[ModuleResult], quick: bool, started: datetime) -> Doc:
    figures = [
        {"module": result.name, **figure.to_json()}
        for result in results
        for figure in result.figures
    ]
    return {
        "schema": SCHEMA,
        "started": started.astimezone(UTC).isoformat(timespec="seconds"),
        "quick": quick,
        "machine": machine(),
        "modules": [result.to_json() for result in results],
        "figures": figures,
    }


def number(value: float | None) -> str:
    if value is None:
        return "-"
    if abs(value) >= 100 or float(value).is_integer():
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def spread(median: float | None, low: float | None, high: float | None, unit: str) -> str:
    if median is None:
        return "-"
    if low == high:
        return f"{number(median)} {unit}"
    return f"{number(median)} {unit} ({number(low)}-{number(high)})"


def ratio_text(ratio: float | None) -> str:
    """``1.03x``; small shares keep three decimals (``0.013x``, not ``0.01x``)."""
    if ratio is None:
        return "-"
    return f"{ratio:.3f}x" if ratio < 0.1 else f"{ratio:.2f}x"


def target(figure: FigureDoc) -> str:
    parts = []
    if figure.get("max_ratio") is not None:
        parts.append(f"<= {figure['max_ratio']:g}x")
    if figure.get("min_ratio") is not None:
        parts.append(f">= {figure['min_ratio']:g}x")
    if figure.get("max_value") is not None:
        parts.append(f"<= {figure['max_value']:g} {figure['unit']}")
    return ", ".join(parts) or "-"


def verdict(figure: FigureDoc, notes: Notes | None = None) -> str:
    if figure["misses"]:
        if notes is None:
            return "MISSED"
        return "MISSED (see below)" if missed.key(figure) in notes else "MISSED (NO NOTE)"
    if figure.get("within_noise"):
        return "within noise"
    return "ok" if target(figure) != "-" else ""


def ratio_cell(figure: FigureDoc) -> str:
    """``1.03x (0.98-1.09)``: the ratio and the interval the rounds' ratios give it."""
    text = ratio_text(figure.get("ratio"))
    spread = figure.get("ratio_interval")
    if spread:
        low, high = ratio_text(spread["low"]), ratio_text(spread["high"])
        if low != high:
            text += f" ({low[:-1]}-{high})"
    return text


def rows(doc: Doc, notes: Notes | None = None) -> list[tuple[str, ...]]:
    table: list[tuple[str, ...]] = []
    for f in doc["figures"]:
        base = f.get("baseline_samples") or []
        baseline = (
            spread(f["baseline_median"], min(base), max(base), f["unit"]) + f" [{f['baseline']}]"
            if base
            else "-"
        )
        ratio = ratio_cell(f)
        median = spread(f["subject_median"], f["subject_min"], f["subject_max"], f["unit"])
        if f.get("note"):
            median += f" ({f['note']})"
        table.append(
            (f["measure"], f["subject"], median, baseline, ratio, target(f), verdict(f, notes))
        )
    return table


def missed_line(figure: FigureDoc, notes: Notes | None) -> str:
    """``target missed: ...``, with the note's why and next (or a call for one)."""
    line = f"target missed: {figure['measure']} of {figure['subject']}: " + "; ".join(
        figure["misses"]
    )
    if notes is None:
        return line
    note = notes.get(missed.key(figure))
    if note is None:
        return f"{line}. NO NOTE: add [{missed.key(figure)!r}] to scripts/perf/bench/missed.toml"
    return f"{line}. {note.sentence()}"


def noise_line(figure: FigureDoc, notes: Notes | None) -> str:
    """``within noise: ...``: the interval straddles the target (its note, if any)."""
    line = f"within noise: {figure['measure']} of {figure['subject']}: " + "; ".join(
        figure["within_noise"]
    )
    note = (notes or {}).get(missed.key(figure))
    return f"{line}. {note.sentence()}" if note else line


def problems(doc: Doc, notes: Notes | None = None) -> list[str]:
    """One line per missed target (with its note), target within noise, failed or partial module."""
    lines = [missed_line(f, notes) for f in doc["figures"] if f["misses"]]
    lines += [
        noise_line(f, notes) for f in doc["figures"] if not f["misses"] and f.get("within_noise")
    ]
    for module in doc["modules"]:
        if module["status"] in ("failed", "partial"):
            lines.append(f"{module['status']}: {module['name']}: {module['errors'][0]}")
    return lines


def skipped(doc: Doc) -> list[str]:
    return [
        f"{m['name']} ({m['errors'][0] if m['errors'] else 'skipped'})"
        for m in doc["modules"]
        if m["status"] == "skipped"
    ]


def text_table(doc: Doc, notes: Notes | None = None) -> str:
    table = [COLUMNS, *rows(doc, notes)]
    widths = [max(len(row[i]) for row in table) for i in range(len(COLUMNS))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) for row in table]
    lines.insert(1, "  ".join("-" * w for w in widths))
    out = [line.rstrip() for line in lines]
    out += [f"! {line}" for line in problems(doc, notes)]
    out += [f"skipped: {line}" for line in skipped(doc)]
    return "\n".join(out)


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def markdown(doc: Doc, chart: str | None = None, notes: Notes | None = None) -> str:
    """The README block: when and how measured, the table, the chart, what went wrong and why."""
    when = doc["started"].replace("T", " ").replace("+00:00", " UTC")
    mode = "quick run (`QUICK=1`)" if doc["quick"] else "full run"
    box = doc["machine"]
    load = box.get("load_average_at_start")
    lines = [
        f"Measured {when}, {mode}, on {box['cpus']} CPUs (Python {box['python']}"
        + (f", load average {load:.1f} at start" if load is not None else "")
        + "). Medians of the runs after a warm-up, min-max in brackets; each baseline"
        " is measured in the same run, interleaved with the apps. A ratio's brackets hold"
        " the interval the rounds' ratios give its median (order statistics, 90% where"
        " the rounds allow): a target is missed only when all of it lies past the target,"
        " and a ratio whose interval straddles it is within noise.",
        "",
        "| " + " | ".join(COLUMNS[:-1]) + " | result |",
        "|" + "---|" * len(COLUMNS),
    ]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows(doc, notes)]
    if chart:
        lines += ["", f"![bench chart: ratios to the baselines]({chart})"]
    if found := problems(doc, notes):
        lines += ["", *[f"- {line}" for line in found]]
    if left_out := skipped(doc):
        lines += ["", "Not measured in this run: " + "; ".join(left_out) + "."]
    return "\n".join(lines)


def started_now() -> datetime:
    return datetime.now(UTC)
