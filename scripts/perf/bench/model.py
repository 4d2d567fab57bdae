"""One benchmark figure: subject samples against baseline samples, same run.

Machines here are shared and noisy, so a figure is reported as the ratio of
the subject's median to the baseline's median (samples interleaved A B A B),
or the median of per-pair ratios when each pair was measured at once, with
min and max, and an optional target checked against the ratio or the
absolute median.

Noise cannot flip a verdict: each figure carries an interval for the
median (``spread``), of the per-round ratios subject/baseline (sample i of
each was taken in the same round) or of the samples themselves for an
absolute target. A target is missed only when the whole interval lies past
it; an interval that straddles it is "within noise" (``within_noise``).
"""

from __future__ import annotations

import statistics
from dataclasses import asdict, dataclass, field
from typing import Any

from scripts.perf.bench.spread import Interval, median_interval


@dataclass
class Figure:
    measure: str  # e.g. "cold start", "callback p95 (1 client)"
    subject: str  # e.g. "hello"
    baseline: str  # e.g. "bare Dash app, same server"
    unit: str  # e.g. "ms", "KiB", "req/s", "MB"
    subject_samples: list[float] = field(default_factory=list)
    baseline_samples: list[float] = field(default_factory=list)
    max_ratio: float | None = None  # target: subject/baseline <= this
    min_ratio: float | None = None  # target: subject/baseline >= this (throughput)
    max_value: float | None = None  # target: subject median <= this (absolute)
    note: str = ""
    # Samples taken at the same moment in pairs (subject i with baseline i): the
    # ratio is then the median of the pairs' ratios, so a load that changes
    # between rounds cancels out within each pair.
    paired: bool = False

    @property
    def subject_median(self) -> float:
        return statistics.median(self.subject_samples)

    @property
    def baseline_median(self) -> float | None:
        return statistics.median(self.baseline_samples) if self.baseline_samples else None

    @property
    def ratio(self) -> float | None:
        if self.paired and self.baseline_samples:
            if len(self.subject_samples) != len(self.baseline_samples):
                raise ValueError(
                    f"{self.measure}: paired samples differ in number "
                    f"({len(self.subject_samples)} vs {len(self.baseline_samples)})"
                )
            pairs = zip(self.subject_samples, self.baseline_samples, strict=True)
            return statistics.median(s / b for s, b in pairs if b)
        base = self.baseline_median
        return self.subject_median / base if base else None

    def pair_ratios(self) -> list[float] | None:
        """Subject/baseline per round (sample i of each came from round i), if counts match."""
        if not self.baseline_samples or len(self.baseline_samples) != len(self.subject_samples):
            return None
        pairs = zip(self.subject_samples, self.baseline_samples, strict=True)
        return [s / b for s, b in pairs if b] or None

    @property
    def ratio_interval(self) -> Interval | None:
        ratios = self.pair_ratios()
        return median_interval(ratios) if ratios else None

    @property
    def value_interval(self) -> Interval:
        return median_interval(self.subject_samples)

    def _judged(self) -> list[tuple[str, str]]:
        """(verdict, text) per target: "missed", "noise" (straddles it) or "met"."""
        found = []
        ratio, spread = self.ratio, self.ratio_interval
        if ratio is not None:
            low, high = (spread.low, spread.high) if spread else (ratio, ratio)
            shown = f"ratio {ratio:.2f}" + _range(f"{low:.2f}", f"{high:.2f}")
            if self.max_ratio is not None:
                found.append(_against(shown, ">", self.max_ratio, low > self.max_ratio,
                                      high > self.max_ratio))  # fmt: skip
            if self.min_ratio is not None:
                found.append(_against(shown, "<", self.min_ratio, high < self.min_ratio,
                                      low < self.min_ratio))  # fmt: skip
        if self.max_value is not None:
            values = self.value_interval
            shown = f"{self.subject_median:.1f} {self.unit}"
            shown += _range(f"{values.low:.1f}", f"{values.high:.1f}")
            found.append(_against(shown, ">", self.max_value, values.low > self.max_value,
                                  values.high > self.max_value, f" {self.unit}"))  # fmt: skip
        return found

    def misses(self) -> list[str]:
        """Targets this figure misses whatever the noise (its whole interval lies past them)."""
        return [text for verdict, text in self._judged() if verdict == "missed"]

    def within_noise(self) -> list[str]:
        """Targets its interval straddles: neither met nor missed beyond doubt."""
        return [text for verdict, text in self._judged() if verdict == "noise"]

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data.update(
            subject_median=self.subject_median,
            subject_min=min(self.subject_samples),
            subject_max=max(self.subject_samples),
            baseline_median=self.baseline_median,
            ratio=self.ratio,
            ratio_interval=_interval_json(self.ratio_interval),
            value_interval=_interval_json(self.value_interval),
            misses=self.misses(),
            within_noise=self.within_noise(),
        )
        return data


def _against(
    shown: str, sign: str, limit: float, wholly: bool, partly: bool, unit: str = ""
) -> tuple[str, str]:
    """The verdict on one target: past it wholly (missed), partly (noise), or not at all."""
    verdict = "missed" if wholly else "noise" if partly else "met"
    return verdict, f"{shown} {sign} {limit:g}{unit}"


def _range(low: str, high: str) -> str:
    """`` (low-high)`` as shown, or nothing when both ends show alike."""
    return "" if low == high else f" ({low}-{high})"


def _interval_json(interval: Interval | None) -> dict[str, float] | None:
    return None if interval is None else asdict(interval)


class Skipped(Exception):
    """Raised by ``measure()`` that has nothing to measure (the reason is reported)."""


class PartialFailure(Exception):
    """Raised by ``measure()`` when some subjects failed: keeps the figures that worked."""

    def __init__(self, figures: list[Figure], errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.figures = figures
        self.errors = errors
