"""User greeting: greet the Connect visitor by name, and list their groups.

The seed's example from Connect's Dash guide, made robust: the visitor comes
from ``connectkit.current_visitor()``, which reads the
``RStudio-Connect-Credentials`` header on the server, during the callback's
own request (never a value the browser sends), turns any malformed header
into an anonymous visitor, believes the header only on Connect or behind
``make run``, and resolves names in GUID mode.
"""

import os
from collections.abc import Mapping, Sequence

from connectkit import (
    InputError,
    create_app,
    current_visitor,
    group_display_names,
    short_text,
    visitor_display_name,
)
from dash import Dash, Input, Output, dcc, html

SALUTATIONS = ("Hello", "Greetings", "Aloha")


def greeting(salutation: str | None, name: str | None) -> str:
    """ "Hello, alice." or "Hello, stranger."; an unknown salutation is "Hello"."""
    if salutation not in SALUTATIONS:
        salutation = SALUTATIONS[0]
    return f"{salutation}, {name or 'stranger'}."


def groups_text(groups: Sequence[str]) -> str:
    return "Your groups: " + ", ".join(groups) if groups else "You are in no groups."


def build_app(environ: Mapping[str, str] = os.environ) -> Dash:
    def body() -> html.Div:
        # built per request, so it lists this visitor's groups
        visitor = current_visitor()
        return html.Div(
            [
                html.H1("Who is visiting?"),
                html.Label("Salutation", htmlFor="salutation", className="form-label"),
                dcc.Dropdown(
                    id="salutation",
                    options=list(SALUTATIONS),
                    value=SALUTATIONS[0],
                    clearable=False,
                    searchable=False,
                ),
                html.P(id="greeting", className="lead mt-3"),
                html.P(groups_text(group_display_names(visitor)), id="groups"),
            ]
        )

    app = create_app(__name__, layout=body, environ=environ)

    @app.callback(Output("greeting", "children"), Input("salutation", "value"))
    def greet(salutation: object) -> str:
        visitor = current_visitor()  # from this request's header, not from the browser
        name = None if visitor.is_anonymous else visitor_display_name(visitor)
        try:
            return greeting(short_text(salutation, "Salutation", max_chars=40), name)
        except InputError as problem:
            return str(problem)

    return app


app = build_app()
