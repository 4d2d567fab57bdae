"""The floor for the usage app's time to first data: bare Dash, one dcc.Graph.

No connectkit, no OAuth exchange, no dash-bootstrap-components: Dash with its
own compression and a layout function that reads every visit of the last 90
days from Connect's instrumentation API with the content's own key
(``CONNECT_SERVER``, ``CONNECT_API_KEY``: Connect sets both), cursor page by
cursor page, and draws visits per day. Deployed on the same stand-in as the
usage app, by the same administrator.
"""

from __future__ import annotations

import os
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import requests
from dash import Dash, dcc

SESSION = requests.Session()
SESSION.headers["Authorization"] = f"Key {os.environ.get('CONNECT_API_KEY', '')}"
URL = (
    os.environ.get("CONNECT_SERVER", "").rstrip("/") + "/__api__/v1/instrumentation/content/visits"
)


def layout() -> Any:
    since = (datetime.now(UTC) - timedelta(days=90)).strftime("%Y-%m-%dT%H:%M:%SZ")
    days: Counter[str] = Counter()
    cursor = None
    while True:
        params = {"from": since, "limit": 500, **({"next": cursor} if cursor else {})}
        page = SESSION.get(URL, params=params, timeout=30).json()
        days.update(v["time"][:10] for v in page["results"])
        cursor = page["paging"]["cursors"]["next"]
        if not cursor:
            break
    trace = {"type": "bar", "x": sorted(days), "y": [days[d] for d in sorted(days)]}
    return dcc.Graph(figure={"data": [trace], "layout": {"height": 320}})


app = Dash(__name__, compress=True)
app.layout = layout
