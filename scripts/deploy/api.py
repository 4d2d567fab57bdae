"""A posit-sdk client with timeouts and transient-failure retries built in."""

from __future__ import annotations

from typing import Any

import requests
from posit.connect import Client
from requests.adapters import HTTPAdapter

from scripts.deploy.retry import RetryPolicy
from scripts.deploy.target import Target

REQUEST_TIMEOUT_S = 60.0


def connect_client(
    target: Target, policy: RetryPolicy, *, connect_retries: int | None = None
) -> Client:
    """posit-sdk's Client for ``target``; ``connect_retries=0`` fails fast when unreachable."""
    client = Client(url=target.url, api_key=target.api_key)
    adapter = HTTPAdapter(max_retries=policy.for_http(connect=connect_retries))
    client.session.mount("http://", adapter)
    client.session.mount("https://", adapter)
    request = client.session.request

    # posit-sdk sets no timeout: a hung server would hang the deploy forever.
    def request_with_timeout(method: str, url: str, **kwargs: Any) -> Any:
        kwargs.setdefault("timeout", REQUEST_TIMEOUT_S)
        return request(method, url, **kwargs)

    client.session.request = request_with_timeout
    return client


def plain_session(policy: RetryPolicy) -> requests.Session:
    """A requests session with the same retries, for non-API URLs (the content itself)."""
    session = requests.Session()
    adapter = HTTPAdapter(max_retries=policy.for_http())
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session
