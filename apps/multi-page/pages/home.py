"""The index page: what the app shows, with a link to each kind of page."""

from urllib.parse import urlencode

from dash import dcc, get_app, html, register_page

# nav=False: the navbar's brand (the app's name) already links here.
register_page(__name__, path="/", name="Home", title="Multi-page", order=0, nav=False)


def layout(**_query: str) -> html.Div:
    app = get_app()  # the app serving this request: its prefix, not a guessed one
    return html.Div(
        [
            html.Div(
                [
                    html.Img(src=app.get_asset_url("compass.svg"), alt="", width=48, height=48),
                    html.H1("Multi-page app", className="m-0"),
                ],
                className="d-flex align-items-center gap-3 mb-3",
            ),
            html.P(
                "Every link here is built from the app's URL prefix, so the same code "
                "works at /content/<GUID>/ on Connect, at / locally and anywhere else.",
                className="lead",
            ),
            html.Ul(
                [
                    html.Li(
                        dcc.Link(
                            "Report 2026-q3 (a path variable)",
                            href=app.get_relative_path("/reports/2026-q3"),
                            id="link-report",
                        )
                    ),
                    html.Li(
                        dcc.Link(
                            "Search for 'page' (a query string)",
                            href=app.get_relative_path("/search") + "?" + urlencode({"q": "page"}),
                            id="link-search",
                        )
                    ),
                    html.Li(
                        dcc.Link(
                            "A page that does not exist (the 404 page)",
                            href=app.get_relative_path("/no-such-page"),
                            id="link-missing",
                        )
                    ),
                ]
            ),
        ]
    )
