"""The capacity chart: p95 latency and throughput against visitors, one process."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def draw_capacity(result: dict[str, Any], target: Path) -> Path:
    """Write the PNG at ``target``: p95 per kind (left axis, with the limit), req/s (right)."""
    import matplotlib

    matplotlib.use("Agg")  # no display here
    import matplotlib.pyplot as plt

    steps = result["steps"]
    users = [s["users"] for s in steps]
    figure, latency = plt.subplots(figsize=(7, 4), dpi=100)
    for kind, style in (("page", "o-"), ("callback", "s-")):
        points = [(s["users"], s["p95_ms"][kind]) for s in steps if kind in s["p95_ms"]]
        if points:
            latency.plot(*zip(*points, strict=True), style, label=f"{kind} p95 (ms)")
    latency.axhline(result["limits"]["p95_ms"], color="#d8453b", ls="--", label="p95 limit")
    held = result["visitors_per_process"]
    if held:
        latency.axvline(held, color="#888888", ls=":", label=f"holds {held} visitors")
    latency.set_xscale("log", base=2)
    latency.set_xlabel("simulated visitors (one server process)")
    latency.set_ylabel("p95 latency (ms)")
    throughput = latency.twinx()
    throughput.plot(users, [s["throughput"] for s in steps], "^-", color="#3b7dd8", alpha=0.5)
    throughput.set_ylabel("requests per second", color="#3b7dd8")
    latency.legend(loc="upper left", fontsize=8)
    latency.set_title(
        f"{result['app']}: capacity of one process "
        f"({result['pause_between_visits_s']:g} s between visits)"
    )
    figure.tight_layout()
    target.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(target)
    plt.close(figure)
    return target
