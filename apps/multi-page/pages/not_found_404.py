"""The page for any unknown path (Dash Pages uses a module named not_found_404)."""

from dash import dcc, get_app, html, register_page

register_page(__name__, path="/404", name="Not found", title="Page not found · Multi-page")


def layout(**_query: str) -> html.Div:
    return html.Div(
        [
            html.P("404", className="not-found-code"),
            html.H1("There is no page here", id="not-found"),
            html.P("The address may be mistyped, or the page may have moved."),
            dcc.Link(
                "Go to the index",
                href=get_app().get_relative_path("/"),
                className="btn btn-primary",
            ),
        ],
        className="not-found text-center py-5",
    )
