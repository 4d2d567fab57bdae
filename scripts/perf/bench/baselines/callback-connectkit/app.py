"""Subject of the callback benchmark: one callback on a connectkit app with a group gate.

What every callback request pays on top of its own work: Dash's dispatch,
connectkit's gate and identity, compression settings, serialisation.
"""

from connectkit import create_app, require_groups
from dash import Input, Output, dcc, html

from scripts.perf.callback_work import INPUT, OUTPUTS, aggregate

ALLOWED = ("bench",)  # the runner sends this group for the bench's visitor

app = create_app(
    __name__,
    title="Callback bench",
    layout=html.Div(
        [
            dcc.Dropdown(id=INPUT[0], options=["EMEA", "AMER", "APAC"]),
            html.P(id=OUTPUTS[0][0]),
            dcc.Store(id=OUTPUTS[1][0]),
        ]
    ),
)
require_groups(app, ALLOWED, setting="the bench's ALLOWED")


@app.callback(Output(*OUTPUTS[0]), Output(*OUTPUTS[1]), Input(*INPUT), prevent_initial_call=True)
def update(region: str | None) -> tuple[str, list[dict[str, object]]]:
    return aggregate(region)
