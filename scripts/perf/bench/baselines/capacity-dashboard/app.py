"""Baseline for the dashboard's capacity: bare Dash doing the same work per request.

No connectkit, no dash-bootstrap-components: plain Dash components with the
dashboard's ids. The layout function and the update callback run the
dashboard's own queries on the same database through its own modules
(``sales``: store, cache, queries, views), for every region (the bench's
subject visitors are admins), so the same recorded steps (two channel picks)
play on both and what is left between them is what the app adds.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from dash import Dash, Input, Output, dcc, html

sys.path.insert(0, str(Path(__file__).resolve().parents[5] / "apps" / "group-dashboard"))

from sales.filters import Filters  # type: ignore[import-not-found]
from sales.queries import SalesQueries  # type: ignore[import-not-found]
from sales.scope import REGIONS  # type: ignore[import-not-found]
from sales.settings import load_settings  # type: ignore[import-not-found]
from sales.store import SalesStore  # type: ignore[import-not-found]
from sales.views import dashboard_outputs  # type: ignore[import-not-found]

EVERY_REGION = tuple(REGIONS)
FILTERS = ("dates.start_date", "dates.end_date", "product.value", "channel.value", "country.value")
settings = load_settings(os.environ)
queries = SalesQueries(SalesStore(settings.database), settings.refresh_s)


def page() -> Any:
    choices = queries.choices(EVERY_REGION)
    everything = Filters.checked(choices, None, None, None, None, None)
    revenue, units, orders, over_time, by_country, table = dashboard_outputs(
        queries.summary(EVERY_REGION, everything)
    )
    first, last = (d.isoformat() if d else None for d in (choices.first_day, choices.last_day))
    return html.Div(
        [
            html.H1("Sales"),
            dcc.DatePickerRange(id="dates", start_date=first, end_date=last),
            *(
                dcc.Dropdown(id=id_, options=list(options), multi=True)
                for id_, options in (
                    ("product", choices.products),
                    ("channel", choices.channels),
                    ("country", choices.countries),
                )
            ),
            html.Div(revenue, id="kpi-revenue"),
            html.Div(units, id="kpi-units"),
            html.Div(orders, id="kpi-orders"),
            dcc.Graph(id="revenue-over-time", figure=over_time),
            dcc.Graph(id="revenue-by-country", figure=by_country),
            html.Div(table, id="top-table"),
        ]
    )


app = Dash(__name__, compress=True)
app.layout = page


OUTPUTS = (
    "kpi-revenue.children kpi-units.children kpi-orders.children "
    "revenue-over-time.figure revenue-by-country.figure top-table.children"
)


@app.callback(
    *(Output(*key.split(".")) for key in OUTPUTS.split()),
    *(Input(*key.split(".")) for key in FILTERS),
    prevent_initial_call=True,
)
def update(*values: Any) -> tuple[Any, ...]:
    filters = Filters.checked(queries.choices(EVERY_REGION), *values)
    return tuple(dashboard_outputs(queries.summary(EVERY_REGION, filters)))
