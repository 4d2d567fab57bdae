"""OAuth integrations an app is associated with (``deploy.oauth_integrations``).

Each declared name or GUID must name exactly one integration the server has
(``GET v1/oauth/integrations``), and content open to everyone (access
``all``) cannot use a viewer integration: an anonymous visitor has no session
to act as. Both are checked before the first write. The associations are then
exactly those declared (``PUT v1/content/{guid}/oauth/integrations/associations``),
written only when they differ.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from posit.connect import Client
from posit.connect.content import ContentItem

from scripts.deploy.changes import SettingsRefused

# Auth types that act as the visitor (posit-sdk's OAuthIntegrationAuthType).
VIEWER_AUTH_TYPES = ("Viewer", "Visitor API Key")


def _pick(declared: str, integrations: Sequence[Any]) -> Any:
    by_guid = [i for i in integrations if str(i["guid"]).lower() == declared.lower()]
    found = by_guid or [i for i in integrations if i["name"] == declared]
    if len(found) == 1:
        return found[0]
    names = ", ".join(repr(i["name"]) for i in integrations) or "none"
    if not found:
        raise SettingsRefused(
            f"deploy.oauth_integrations names {declared!r}, which this server does not have "
            f"(it has: {names}); an administrator creates it (see apps/my-content/README.md)"
        )
    raise SettingsRefused(
        f"deploy.oauth_integrations names {declared!r}, which several integrations are "
        "called: give its GUID instead"
    )


def resolve_integrations(
    client: Client, declared: Sequence[str], access_type: str
) -> tuple[str, ...]:
    """The GUIDs of the declared integrations; SettingsRefused before any write."""
    if not declared:
        return ()
    integrations = client.oauth.integrations.find()
    chosen = [_pick(name, integrations) for name in declared]
    viewers = [i["name"] for i in chosen if i.get("auth_type") in VIEWER_AUTH_TYPES]
    if access_type == "all" and viewers:
        raise SettingsRefused(
            f'deploy.access_type = "all" cannot use the viewer integration(s) {viewers!r}: '
            "an anonymous visitor has no session to act as; "
            'use access_type = "logged_in" or "acl"'
        )
    return tuple(dict.fromkeys(str(i["guid"]) for i in chosen))


def current_integrations(content: ContentItem) -> set[str]:
    return {str(a["oauth_integration_guid"]) for a in content.oauth.associations.find()}


def set_integrations(content: ContentItem, guids: Sequence[str]) -> None:
    if guids:
        content.oauth.associations.update(list(guids))
    else:
        content.oauth.associations.delete()
