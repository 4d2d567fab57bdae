"""The trust rule: where the credentials header may be believed.

Anyone can send ``RStudio-Connect-Credentials``. It means something only when
a trustworthy layer in front of the app sets it and drops the client's own:
Posit Connect's proxy, or this repository's local runner (``make run``),
which says so through ``CONNECTKIT_TRUSTED_FRONTEND=local-runner``. Anywhere
else (a plain WSGI server on a network) the header is ignored, so nobody can
become someone else by sending it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

TRUSTED_FRONTEND_ENV = "CONNECTKIT_TRUSTED_FRONTEND"
LOCAL_RUNNER = "local-runner"
PRODUCT_ENVS = ("RSTUDIO_PRODUCT", "POSIT_PRODUCT")  # set by Connect for content
CONNECT = "CONNECT"


@dataclass(frozen=True)
class HeaderTrust:
    """Whether the header is believed, and why (for the start-up log)."""

    trusted: bool
    reason: str


def header_trust(environ: Mapping[str, str]) -> HeaderTrust:
    """Decide from the process environment whether the header is believed."""
    for key in PRODUCT_ENVS:
        if environ.get(key) == CONNECT:
            return HeaderTrust(True, f"{key}={CONNECT}: running on Posit Connect")
    frontend = environ.get(TRUSTED_FRONTEND_ENV, "")
    if frontend == LOCAL_RUNNER:
        return HeaderTrust(True, f"{TRUSTED_FRONTEND_ENV}={LOCAL_RUNNER}: behind the local runner")
    if frontend:
        return HeaderTrust(
            False,
            f"{TRUSTED_FRONTEND_ENV}={frontend!r} is not a known frontend; "
            f"expected {LOCAL_RUNNER!r}",
        )
    products = ", ".join(f"{key}={environ.get(key, '')!r}" for key in PRODUCT_ENVS)
    return HeaderTrust(
        False,
        f"not on Posit Connect ({products}; expected {CONNECT!r}) "
        f"and {TRUSTED_FRONTEND_ENV} is not set",
    )
