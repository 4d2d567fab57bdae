"""The README chart: each app's ratio to its baseline, and its share of each absolute target."""

from __future__ import annotations

from pathlib import Path
from typing import Any

Doc = dict[str, Any]
MET, MISSED = "#3b7dd8", "#d8453b"


def ratio_bars(doc: Doc) -> list[tuple[str, float, float | None, bool]]:
    """(label, subject/baseline, max ratio, missed) for figures with a baseline."""
    return [
        (f"{f['measure']}: {f['subject']}", f["ratio"], f.get("max_ratio"), bool(f["misses"]))
        for f in doc["figures"]
        if f.get("ratio") is not None
    ]


def target_bars(doc: Doc) -> list[tuple[str, float, bool]]:
    """(label, median / absolute target, missed) for figures with a positive max_value."""
    return [
        (f"{f['measure']}: {f['subject']}", f["subject_median"] / f["max_value"], bool(f["misses"]))
        for f in doc["figures"]
        if f.get("max_value")
    ]


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
        ax.barh(labels, [r[1] for r in ratios], color=[MISSED if r[3] else MET for r in ratios])
        for y, (_, _, limit, _) in enumerate(ratios):
            if limit is not None:
                ax.plot([limit, limit], [y - 0.4, y + 0.4], color="black", linewidth=2)
        ax.axvline(1.0, color="grey", linestyle=":")
        ax.set_xlabel("app / baseline measured in the same run (black tick: target)")
        ax.invert_yaxis()
    if shares:
        ax = next(axis_iter)
        labels = [s[0] for s in shares]
        ax.barh(labels, [s[1] for s in shares], color=[MISSED if s[2] else MET for s in shares])
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
