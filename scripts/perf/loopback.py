"""A small keep-alive HTTP client for benchmarks and load tests, loopback only.

Refuses any host but 127.0.0.1/localhost/::1: these tools hammer a server,
and must never be pointed at someone else's.
"""

from __future__ import annotations

import http.client
import json
import time
from typing import Any
from urllib.parse import urlsplit

LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}


class LoopbackClient:
    """One keep-alive connection to ``base_url`` (e.g. http://127.0.0.1:8050/content/x/)."""

    def __init__(self, base_url: str, timeout: float = 30.0) -> None:
        parts = urlsplit(base_url)
        if parts.scheme != "http" or parts.hostname not in LOOPBACK_HOSTS:
            raise ValueError(
                f"{base_url!r} is not a loopback http URL; expected http://127.0.0.1:PORT/"
            )
        self.base_path = parts.path if parts.path.endswith("/") else parts.path + "/"
        self.host, self.port, self.timeout = parts.hostname, parts.port or 80, timeout
        self.connection = http.client.HTTPConnection(self.host, self.port, timeout=timeout)

    def request(self, method: str, path: str, body: Any = None) -> tuple[int, float, bytes]:
        """(status, seconds, body); reconnects once if the server closed the connection."""
        data = None if body is None else json.dumps(body).encode()
        headers = {"Content-Type": "application/json"} if data is not None else {}
        for attempt in (1, 2):
            started = time.perf_counter()
            try:
                self.connection.request(method, self.base_path + path.lstrip("/"), data, headers)
                response = self.connection.getresponse()
                payload = response.read()
                return response.status, time.perf_counter() - started, payload
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                self.connection.close()
                self.connection = http.client.HTTPConnection(
                    self.host, self.port, timeout=self.timeout
                )
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def close(self) -> None:
        self.connection.close()
