"""The README chart: each app's ratio to its baseline, and its share of each absolute target.

Each bar carries its interval (the whiskers: see ``spread``); a bar whose
interval straddles its target is drawn as within noise, one wholly past it
as missed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

Doc = dict[str, Any]
MET, NOISE, MISSED = "#3b7dd8", "#e0a526", "#d8453b"
Bar = tuple[str, float, float | None, bool]  # label, value, target line, missed
Whisker = tuple[float, float]  # how far below and above the value its interval reaches


def colour(figure: dict[str, Any]) -> str:
    return MISSED if figure["misses"] else NOISE if figure.get("within_noise") else MET


def _whisker(value: float, interval: dict[str, float] | None, scale: float = 1.0) -> Whisker:
    if not interval:
        return (0.0, 0.0)
    return (max(0.0, value - interval["low"] / scale), max(0.0, interval["high"] / scale - value))


def ratio_bars(doc: Doc) -> list[Bar]:
    """(label, subject/baseline, target ratio (max or min), missed) for figures with a baseline."""
    return [
        (f"{f['measure']}: {f['subject']}", f["ratio"], _ratio_target(f), bool(f["misses"]))
        for f in doc["figures"]
        if f.get("ratio") is not None
    ]


def _ratio_target(figure: dict[str, Any]) -> float | None:
    limit = figure.get("max_ratio")
    return limit if limit is not None else figure.get("min_ratio")


def target_bars(doc: Doc) -> list[tuple[str, float, bool]]:
    """(label, median / absolute target, missed) for figures with a positive max_value."""
    return [
        (f"{f['measure']}: {f['subject']}", f["subject_median"] / f["max_value"], bool(f["misses"]))
        for f in doc["figures"]
        if f.get("max_value")
    ]


def ratio_whiskers(doc: Doc) -> tuple[list[Whisker], list[str]]:
    """The interval and colour of each of ``ratio_bars``, in its order."""
    shown = [f for f in doc["figures"] if f.get("ratio") is not None]
    return [_whisker(f["ratio"], f.get("ratio_interval")) for f in shown], [
        colour(f) for f in shown
    ]


def target_whiskers(doc: Doc) -> tuple[list[Whisker], list[str]]:
    """The interval and colour of each of ``target_bars``, in its order."""
    shown = [f for f in doc["figures"] if f.get("max_value")]
    whiskers = [
        _whisker(f["subject_median"] / f["max_value"], f.get("value_interval"), f["max_value"])
        for f in shown
    ]
    return whiskers, [colour(f) for f in shown]


def _error_bars(whiskers: list[Whisker]) -> list[list[float]]:
    return [[w[0] for w in whiskers], [w[1] for w in whiskers]]


WHISKERS = {"ecolor": "#555555", "capsize": 3}  # grey, capped: not to be read as targets


def draw(doc: Doc, path: Path) -> bool:
    """Write the PNG; False (nothing written) without matplotlib or figures to draw."""
    try:
        import matplotlib

        matplotlib.use("Agg")  # no display here
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    ratios, shares = ratio_bars(doc), target_bars(doc)
    panels = [p for p in (ratios, shares) if p]
    if not panels:
        return False
    heights = [max(1.5, 0.35 * len(p) + 0.8) for p in panels]
    fig, axes = plt.subplots(
        len(panels), 1, figsize=(12, sum(heights)), height_ratios=heights, squeeze=False
    )
    axis_iter = iter(axes[:, 0])
    if ratios:
        ax = next(axis_iter)
        labels = [r[0] for r in ratios]
        whiskers, colours = ratio_whiskers(doc)
        values = [r[1] for r in ratios]
        ax.barh(labels, values, color=colours, xerr=_error_bars(whiskers), **WHISKERS)
        for y, (_, _, limit, _) in enumerate(ratios):
            if limit is not None:
                ax.plot([limit, limit], [y - 0.4, y + 0.4], color="black", linewidth=2)
        ax.axvline(1.0, color="grey", linestyle=":")
        ax.set_xlabel(
            "app / baseline, same run (black tick: target)\n"
            "whiskers: interval; amber: within noise; red: missed"
        )
        ax.invert_yaxis()
    if shares:
        ax = next(axis_iter)
        labels = [s[0] for s in shares]
        whiskers, colours = target_whiskers(doc)
        values = [s[1] for s in shares]
        ax.barh(labels, values, color=colours, xerr=_error_bars(whiskers), **WHISKERS)
        ax.axvline(1.0, color="black", linewidth=2)
        ax.set_xlabel("median / absolute target (1.0 = the limit)")
        ax.invert_yaxis()
    mode = "quick" if doc["quick"] else "full"
    fig.suptitle(f"make bench, {mode} run of {doc['started'][:16].replace('T', ' ')} UTC")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100, metadata={"Software": None})
    plt.close(fig)
    return True
