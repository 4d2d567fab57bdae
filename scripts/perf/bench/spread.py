"""How far noise can move a figure: a confidence interval for the median.

Distribution-free (order statistics): of ``n`` samples sorted, the k-th
smallest and the k-th largest enclose the true median with probability
``1 - 2 * P(Binomial(n, 1/2) < k)``, whatever the samples' distribution.
The interval is the narrowest with at least ``CONFIDENCE`` of that; with too
few samples for it (fewer than five) it is the whole range, with the
coverage the range actually has, so a quick run says how little it knows.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import comb

CONFIDENCE = 0.9


@dataclass(frozen=True)
class Interval:
    low: float
    high: float
    confidence: float  # the probability that it holds the true median

    def above(self, limit: float) -> bool:
        """All of it lies past an upper limit."""
        return self.low > limit

    def below(self, limit: float) -> bool:
        """All of it lies short of a lower limit."""
        return self.high < limit


def coverage(n: int, k: int) -> float:
    """The probability that the k-th smallest and k-th largest of n enclose the median."""
    tail = sum(comb(n, i) for i in range(k)) / 2**n
    return 1 - 2 * tail


def median_interval(samples: list[float], confidence: float = CONFIDENCE) -> Interval:
    if not samples:
        raise ValueError("no samples: nothing to put an interval around")
    ordered = sorted(samples)
    n = len(ordered)
    k = 1
    while k + 1 <= (n + 1) // 2 and coverage(n, k + 1) >= confidence:
        k += 1
    return Interval(ordered[k - 1], ordered[n - k], coverage(n, k))
