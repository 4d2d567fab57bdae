"""Why there is no list, in plain words: what happened and what to do about it."""

from __future__ import annotations

from connectkit import VisitorAccessError, VisitorAccessReason

WHAT_TO_DO = {
    VisitorAccessReason.NOT_SIGNED_IN: "Sign in to Connect, then open this page again.",
    VisitorAccessReason.NO_SESSION_TOKEN: (
        'A publisher of this app associates it with the "Connect API" OAuth integration '
        "(Access settings > Integrations, or deploy.oauth_integrations), then it works."
    ),
    VisitorAccessReason.NOT_ON_CONNECT: (
        "This app acts as its visitor only on Posit Connect (or the local stand-in): "
        "make connect-local, then make deploy APP=my-content, then open it there."
    ),
    VisitorAccessReason.REFUSED: (
        "Reload the page for a fresh session. If it keeps failing, the app's "
        "integration or access settings need a publisher's look."
    ),
    VisitorAccessReason.UNREACHABLE: "Reload the page in a moment.",
    VisitorAccessReason.SERVER_TOO_OLD: (
        'Acting as the visitor through the "Connect API" integration needs Posit '
        "Connect 2025.01.0 or newer."
    ),
}


def explanation(problem: VisitorAccessError) -> tuple[str, str]:
    """(what happened, what to do) for a page; neither holds a token."""
    return problem.message[:1].upper() + problem.message[1:] + ".", WHAT_TO_DO[problem.reason]
