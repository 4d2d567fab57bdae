"""After a deploy: does the content URL answer 200 with the Dash index page?"""

from __future__ import annotations

import requests

from scripts.deploy.target import Target

VERIFY_TIMEOUT_S = 120.0  # Connect may start the app's first process on this request
# Markers every Dash index page carries (the config script and the React root).
DASH_INDEX_MARKERS = ('id="_dash-config"', 'id="react-entry-point"')


class VerifyError(RuntimeError):
    """The deployed content does not serve the Dash index."""


def _get(session: requests.Session, url: str, target: Target) -> requests.Response:
    try:
        return session.get(
            url, headers={"Authorization": f"Key {target.api_key}"}, timeout=VERIFY_TIMEOUT_S
        )
    except requests.RequestException as error:
        raise VerifyError(f"{url} did not answer ({type(error).__name__})") from None


def verify_content(
    session: requests.Session, url: str, target: Target, *, gated: bool = False
) -> str:
    """GET ``url`` with the key; VerifyError unless it is 200 and a Dash index page.

    A ``gated`` app (its own server-side group gate) may refuse the deploying
    user with 403: then its health route, which the gate leaves open, must
    answer 200. Returns what was verified.
    """
    response = _get(session, url, target)
    if gated and response.status_code == 403:
        # The route every connectkit app keeps open; imported here, as connectkit
        # imports Dash, which a deploy that verifies nothing need not load.
        from connectkit.health import HEALTH_PATH

        health = _get(session, url + HEALTH_PATH, target)
        if health.status_code != 200:
            raise VerifyError(
                f"{url} refused the deploying user (403, its group gate) and "
                f"{url + HEALTH_PATH} answered HTTP {health.status_code}, expected 200"
            )
        return "index gated for the deploying user (403); health route answered 200"
    if response.status_code != 200:
        raise VerifyError(f"{url} answered HTTP {response.status_code}, expected 200")
    if not any(marker in response.text for marker in DASH_INDEX_MARKERS):
        raise VerifyError(f"{url} answered 200 but not with a Dash index page")
    return "index answered 200 with the Dash page"


def verify_vanity(
    session: requests.Session, url: str, target: Target, *, gated: bool = False
) -> str:
    """The vanity URL reaches the index (only the index: sub-paths are not served there).

    A ``gated`` app's own gate may refuse the deploying user (403): that answer
    still came from the app, through the vanity path.
    """
    response = _get(session, url, target)
    if gated and response.status_code == 403:
        return f"{url} reached the app (its group gate answered 403 for the deploying user)"
    if response.status_code != 200:
        raise VerifyError(f"vanity URL {url} answered HTTP {response.status_code}, expected 200")
    if not any(marker in response.text for marker in DASH_INDEX_MARKERS):
        raise VerifyError(f"vanity URL {url} answered 200 but not with a Dash index page")
    return f"{url} answered 200 with the Dash page"
