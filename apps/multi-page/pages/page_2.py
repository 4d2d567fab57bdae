"""Page 2 of the Connect guide's example: a plain page at /page-2."""

from dash import dcc, get_app, html, register_page

register_page(__name__, path="/page-2", name="Page 2", title="Page 2 · Multi-page", order=1)


def layout(**_query: str) -> html.Div:
    app = get_app()
    return html.Div(
        [
            html.H1("Page 2", id="page-heading"),
            html.P("A plain page. Open it straight from the address bar: the deep link works."),
            dcc.Link("On to page 3", href=app.get_relative_path("/page-3")),
        ]
    )
