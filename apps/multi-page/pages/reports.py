"""A page with a path variable: /reports/<report_id> shows the report it names."""

from urllib.parse import unquote

from dash import html, register_page

SAMPLE_REPORT = "2026-q3"  # where the navbar's "Reports" link goes


def report_title(report_id: str | None = None) -> str:
    return f"Report {unquote(report_id)} · Multi-page" if report_id else "Reports · Multi-page"


register_page(
    __name__,
    path_template="/reports/<report_id>",
    path=f"/reports/{SAMPLE_REPORT}",  # the registry's relative_path: the navbar link
    name="Reports",
    title=report_title,
    order=3,
)


def layout(report_id: str | None = None, **_query: str) -> html.Div:
    # Dash passes the variable as the browser's pathname has it: percent-encoded.
    # It calls layout() once with no arguments, to validate callbacks.
    shown = unquote(report_id) if report_id else "(none)"
    return html.Div(
        [
            html.H1(["Report ", html.Span(shown, id="report-id")], id="page-heading"),
            html.P(
                "The report id comes from the URL path: any /reports/<id> renders "
                "this page with that id."
            ),
        ]
    )
