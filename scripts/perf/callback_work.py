"""The work of the callback benchmark, shared by its Dash app and its Flask baseline.

A typical dashboard callback: filter a table by what the visitor picked,
aggregate it and send back a summary text and a small table. The table's
size sets the work at about 10 ms of CPU per request here, about what the
group dashboard's own callback took (9.4 ms for bare Flask at one client in
the last full bench run before issue #18): the benchmark asks what Dash and
connectkit add to a callback of that size. Pure Python on
rows built once at import, so both servers do exactly the same work and no
app dependency (pandas) is needed. The request body is the one Dash's
renderer sends (``scripts.perf.dash_requests``), so the client sends the
same bytes to both.
"""

from __future__ import annotations

import random
from collections import defaultdict
from typing import Any

from scripts.perf.dash_requests import callback_body

ROWS = 50_000
REGIONS = ("EMEA", "AMER", "APAC")
PRODUCTS = ("Atlas", "Beacon", "Comet", "Drift", "Ember", "Flux")
TOP = 8  # rows in the returned table
OUTPUTS = [("summary", "children"), ("table", "data")]
INPUT = ("region", "value")


def _rows(count: int) -> list[tuple[str, str, int, float]]:
    rng = random.Random(7)  # the same rows in every process
    return [
        (rng.choice(REGIONS), rng.choice(PRODUCTS), rng.randrange(1, 400), rng.uniform(1, 900))
        for _ in range(count)
    ]


SALES = _rows(ROWS)


def aggregate(region: str | None) -> tuple[str, list[dict[str, Any]]]:
    """(summary text, table rows) for one region (None or unknown: every region)."""
    chosen = region if region in REGIONS else None
    revenue: dict[tuple[str, int], float] = defaultdict(float)
    total = 0.0
    for row_region, product, week, amount in SALES:
        if chosen is None or row_region == chosen:
            revenue[(product, week)] += amount
            total += amount
    top = sorted(revenue.items(), key=lambda item: item[1], reverse=True)[:TOP]
    table = [{"product": p, "week": w, "revenue": round(v, 2)} for (p, w), v in top]
    return f"{chosen or 'All regions'}: {total:,.0f} revenue over {len(revenue)} weeks", table


def request_body(region: str | None) -> dict[str, Any]:
    """What the renderer posts when the region changes."""
    return callback_body(OUTPUTS, [(*INPUT, region)])
