"""Page 3 of the Connect guide's example, here a site map: every page's URL
as the registry gives it (``page["relative_path"]`` carries the prefix)."""

from dash import dcc, html, page_registry, register_page

register_page(__name__, path="/page-3", name="Page 3", title="Page 3 · Multi-page", order=2)


def layout(**_query: str) -> html.Div:
    rows = [
        html.Tr(
            [
                html.Td(dcc.Link(page["name"], href=page["relative_path"])),
                html.Td(html.Code(page["relative_path"])),
            ]
        )
        for page in page_registry.values()
    ]
    return html.Div(
        [
            html.H1("Page 3", id="page-heading"),
            html.P("Every page and the URL it has here; back and forward work as usual."),
            html.Table(
                [html.Thead(html.Tr([html.Th("Page"), html.Th("URL")])), html.Tbody(rows)],
                className="table table-sm w-auto",
                id="site-map",
            ),
        ]
    )
