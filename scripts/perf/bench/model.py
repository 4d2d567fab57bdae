"""One benchmark figure: subject samples against baseline samples, same run.

Machines here are shared and noisy, so a figure is reported as the ratio of
the subject's median to the baseline's median (samples interleaved A B A B),
or the median of per-pair ratios when each pair was measured at once, with
min and max, and an optional target checked against the ratio or the
absolute median.
"""

from __future__ import annotations

import statistics
from dataclasses import asdict, dataclass, field
from typing import Any


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

    def misses(self) -> list[str]:
        """Human-readable targets this figure misses (empty: all met)."""
        missed = []
        ratio = self.ratio
        if self.max_ratio is not None and ratio is not None and ratio > self.max_ratio:
            missed.append(f"ratio {ratio:.2f} > {self.max_ratio}")
        if self.min_ratio is not None and ratio is not None and ratio < self.min_ratio:
            missed.append(f"ratio {ratio:.2f} < {self.min_ratio}")
        if self.max_value is not None and self.subject_median > self.max_value:
            missed.append(f"{self.subject_median:.1f} {self.unit} > {self.max_value} {self.unit}")
        return missed

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data.update(
            subject_median=self.subject_median,
            subject_min=min(self.subject_samples),
            subject_max=max(self.subject_samples),
            baseline_median=self.baseline_median,
            ratio=self.ratio,
            misses=self.misses(),
        )
        return data


class Skipped(Exception):
    """Raised by ``measure()`` that has nothing to measure (the reason is reported)."""


class PartialFailure(Exception):
    """Raised by ``measure()`` when some subjects failed: keeps the figures that worked."""

    def __init__(self, figures: list[Figure], errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.figures = figures
        self.errors = errors
