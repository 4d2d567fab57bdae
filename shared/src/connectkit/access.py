"""Group gates and row scopes, enforced on the server.

Two separate ideas:

- the gate: ``has_required_group(visitor, allowed)`` is a pure rule, and
  ``require_groups(app, allowed)`` enforces it with one ``before_request``
  hook that answers every route of the app (index, deep links, Dash's
  layout, dependencies and callbacks, component suites, assets, favicon)
  with a 403 page unless the visitor is in an allowed group. Only the health
  route stays open: it answers "OK" and reveals nothing.
- the scope: ``scope_for(visitor, grants)`` says which values of a column
  (regions, say) the visitor's groups may see; the app applies it inside its
  data access, so a forged callback cannot widen it.

Both ask the one group rule, ``connectkit.groups.has_required_group``.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass

import flask
from dash import Dash

from connectkit.groups import has_required_group
from connectkit.health import HEALTH_PATH
from connectkit.identity import current_visitor
from connectkit.settings import SettingError
from connectkit.visitor import Visitor

logger = logging.getLogger(__name__)

EVERYTHING = "*"  # a scope grant meaning "every value"
DEFAULT_HOW_TO_ASK = (
    "Ask the owner of this content to add one of your groups, or ask your "
    "Connect administrator to add you to one of the groups above."
)


def parse_group_list(raw: str) -> tuple[str, ...]:
    """``"a, b,,a"`` -> ``("a", "b")``: comma-separated, blanks dropped, order kept."""
    return tuple(dict.fromkeys(part.strip() for part in raw.split(",") if part.strip()))


@dataclass(frozen=True)
class Scope:
    """The values of one column a visitor may see: some, or every one."""

    values: frozenset[str] = frozenset()
    everything: bool = False

    def allows(self, value: str) -> bool:
        return self.everything or value in self.values

    def restrict(self, universe: Iterable[str]) -> tuple[str, ...]:
        """The allowed members of ``universe``, in its order."""
        return tuple(v for v in universe if self.allows(v))

    def label(self, universe: Iterable[str], *, everything: str = "all") -> str:
        """``"EMEA, AMER"``, ``everything`` or ``"nothing"``: what the page says."""
        if self.everything:
            return everything
        return ", ".join(self.restrict(universe)) or "nothing"


def scope_for(visitor: Visitor, grants: Mapping[str, Collection[str]]) -> Scope:
    """The union of what the visitor's groups are granted (nothing when anonymous)."""
    granted: set[str] = set()
    for configured, values in grants.items():
        if has_required_group(visitor, (configured,)):
            granted.update(values)
    if EVERYTHING in granted:
        return Scope(everything=True)
    return Scope(values=frozenset(granted))


def parse_scope_grants(raw: str, *, setting: str, known: Collection[str]) -> dict[str, set[str]]:
    """``"sales-emea=EMEA; admins=*; leads=EMEA,AMER"`` -> ``{group: {value, ...}}``.

    Anything unusable is a SettingError naming the setting, the entry and the
    expected form: a typo must not silently grant or drop a scope.
    """
    grants: dict[str, set[str]] = {}
    expected = f"expected 'group=VALUE[,VALUE]; ...' with values from {sorted(known)} or '*'"
    for entry in (e.strip() for e in raw.split(";")):
        if not entry:
            continue
        group, sep, values = entry.partition("=")
        names = set(parse_group_list(values))
        if not sep or not group.strip() or not names:
            raise SettingError(f"{setting} has the entry {entry!r}; {expected}")
        unknown = names - set(known) - {EVERYTHING}
        if unknown:
            raise SettingError(f"{setting} names unknown values {sorted(unknown)}; {expected}")
        grants.setdefault(group.strip(), set()).update(names)
    return grants


def access_from_environ(
    environ: Mapping[str, str],
    *,
    groups_setting: str,
    scopes_setting: str,
    default_scopes: str,
    known: Collection[str],
) -> tuple[tuple[str, ...], dict[str, set[str]]]:
    """An app's gate and scopes from its two settings: (groups allowed in, grants).

    ``scopes_setting`` (default ``default_scopes``) grants values to groups;
    ``groups_setting`` lists who may enter, by default every group with a
    scope; set but empty, nobody. Bad values are a SettingError naming them.
    """
    grants = parse_scope_grants(
        environ.get(scopes_setting, default_scopes), setting=scopes_setting, known=known
    )
    if groups_setting in environ:
        return parse_group_list(environ[groups_setting]), grants
    return tuple(grants), grants


def forbidden_page(
    visitor: Visitor, allowed_groups: Collection[str], *, title: str, how_to_ask: str
) -> str:
    """A self-contained 403 page: who the visitor is, who may enter, how to ask."""
    esc = html.escape
    if visitor.is_anonymous:
        who = "You are not signed in (anonymous visitor)."
    else:
        groups = ", ".join(visitor.groups) or "no groups"
        who = f"You are signed in as <strong>{esc(visitor.display_name)}</strong> ({esc(groups)})."
    if allowed_groups:
        items = "".join(f"<li><code>{esc(g)}</code></li>" for g in allowed_groups)
        who_may = f"<p>Members of these groups may open it:</p><ul>{items}</ul>"
    else:
        who_may = "<p>No group may open it yet: its owner has not configured any.</p>"
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>Access denied: {esc(title)}</title><style>"
        "body{font-family:system-ui,sans-serif;max-width:40rem;margin:4rem auto;"
        "padding:0 1rem;color:#212529}h1{font-size:1.6rem}code{background:#f1f3f5;"
        "padding:0 .25rem}</style></head><body>"
        f"<h1>Access denied</h1><p><strong>{esc(title)}</strong> is limited to some groups.</p>"
        f"<p id='who'>{who}</p>{who_may}<p id='how-to-ask'>{esc(how_to_ask)}</p>"
        "</body></html>"
    )


def require_groups(
    app: Dash,
    allowed_groups: Collection[str],
    *,
    setting: str,
    how_to_ask: str = DEFAULT_HOW_TO_ASK,
    visitor: Callable[[], Visitor] = current_visitor,
) -> None:
    """Answer every request but health with a 403 page unless the visitor may enter.

    Call it while building the app (Flask refuses new hooks after the first
    request). ``setting`` names where the groups come from, for the log line
    an empty list produces: an empty list denies everyone.
    """
    allowed = frozenset(allowed_groups)
    ordered = tuple(allowed_groups)
    title = app.title
    open_paths = {app.config.routes_pathname_prefix + HEALTH_PATH}
    if not allowed:
        logger.warning(
            "%s is empty; expected a comma-separated list of groups (names or GUIDs). "
            "Everyone is denied until it is set.",
            setting,
        )

    def gate() -> flask.Response | None:
        if flask.request.path in open_paths:
            return None
        who = visitor()
        if has_required_group(who, allowed):
            return None
        page = forbidden_page(who, ordered, title=title, how_to_ask=how_to_ask)
        response = flask.Response(page, status=403, mimetype="text/html")
        response.headers["Cache-Control"] = "no-store"
        return response

    app.server.before_request(gate)  # raises if the app already served a request
    # ...and first in line: nothing else runs for a visitor who may not enter.
    hooks = app.server.before_request_funcs[None]
    hooks.insert(0, hooks.pop())
