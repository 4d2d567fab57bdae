"""Page 3 of the Connect guide's example: a plain page at /page-3."""

from dash import dcc, get_app, html, register_page

register_page(__name__, path="/page-3", name="Page 3", title="Page 3 · Multi-page", order=2)


def layout(**_query: str) -> html.Div:
    app = get_app()
    return html.Div(
        [
            html.H1("Page 3", id="page-heading"),
            html.P("The browser's back and forward buttons move between pages as usual."),
            dcc.Link("Back to the index", href=app.get_relative_path("/")),
        ]
    )
