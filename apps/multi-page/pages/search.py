"""A page that reads the query string: /search?q=... lists the pages whose name matches."""

from dash import dcc, html, page_registry, register_page

register_page(__name__, path="/search", name="Search", title="Search · Multi-page", order=4)


def first_value(value: str | list[str] | None) -> str:
    """Dash passes a repeated parameter (``?q=a&q=b``) as a list: use the first."""
    if isinstance(value, list):
        return value[0] if value else ""
    return value or ""


def layout(q: str | list[str] | None = None, **_other: str) -> html.Div:
    query = first_value(q).strip()
    here = page_registry[__name__]["relative_path"]
    matches = [
        page
        for page in page_registry.values()
        if query and query.lower() in str(page["name"]).lower() and page.get("nav", True)
    ]
    return html.Div(
        [
            html.H1("Search", id="page-heading"),
            # A plain GET form: the browser loads <prefix>search?q=..., a fresh deep link.
            html.Form(
                [
                    dcc.Input(name="q", value=query, type="search", className="form-control"),
                    html.Button("Search", type="submit", className="btn btn-primary"),
                ],
                action=here,
                method="GET",
                className="d-flex gap-2 my-3",
                id="search-form",
            ),
            html.P(
                ["You searched for: ", html.Strong(query, id="search-query")]
                if query
                else "Type a word, or add ?q=word to the URL."
            ),
            html.Ul(
                [html.Li(dcc.Link(p["name"], href=p["relative_path"])) for p in matches],
                id="search-results",
            ),
        ]
    )
