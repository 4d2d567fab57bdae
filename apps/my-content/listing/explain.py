"""Why there is no list, in plain words: what happened and what to do about it."""

from __future__ import annotations

from connectkit import VisitorAccessError, visitor_access_advice


def explanation(problem: VisitorAccessError) -> tuple[str, str]:
    """(what happened, what to do) for a page; neither holds a token."""
    return visitor_access_advice(problem, "my-content")
