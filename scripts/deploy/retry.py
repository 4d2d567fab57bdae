"""Transient failures: what counts as one, and how often and how long to retry.

A reset connection or a 502/503/504 from a proxy in front of Connect says
nothing about the deploy itself: try again, with exponential backoff, a
bounded number of times. Anything else fails at once.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass

from urllib3.util.retry import Retry

TRANSIENT_STATUSES = (502, 503, 504)
# How rsconnect's CLI words a transient failure. It prints the status only for
# non-JSON answers; for a JSON error body it prints just the server's message,
# so the usual wording of 502/503/504 counts too.
_TRANSIENT_CLI_OUTPUT = re.compile(
    r"unexpected response from .*: (502|503|504)\b"
    r"|\((ConnectionResetError|RemoteDisconnected|BrokenPipeError|IncompleteRead|"
    r"ConnectionAbortedError)\)"
    r"|Connection reset by peer"
    r"|reported an error \(calling [^)]*\): .*"
    r"\b(service unavailable|bad gateway|gateway time-?out|temporarily unavailable)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 4  # the first try included
    base_delay_s: float = 1.0

    def delay_before(self, attempt: int) -> float:
        """Seconds to wait before attempt number ``attempt`` (2, 3, ...)."""
        return self.base_delay_s * 2.0 ** (attempt - 2)

    def for_http(self, *, connect: int | None = None) -> Retry:
        """The same policy for posit-sdk / requests calls (urllib3 Retry)."""
        retries = self.attempts - 1
        return Retry(
            total=retries,
            connect=retries if connect is None else connect,
            read=retries,
            status=retries,
            other=0,
            backoff_factor=self.base_delay_s / 2,  # urllib3 doubles it: base, 2*base, ...
            status_forcelist=TRANSIENT_STATUSES,
            allowed_methods=None,  # every method: a 5xx from a proxy changed nothing
            raise_on_status=False,  # the last response reaches the caller's error handling
            respect_retry_after_header=False,
        )

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] = os.environ) -> RetryPolicy:
        """``DEPLOY_RETRIES`` (attempts after the first) and ``DEPLOY_RETRY_DELAY`` (s)."""
        retries = int(environ.get("DEPLOY_RETRIES") or cls.attempts - 1)
        delay = float(environ.get("DEPLOY_RETRY_DELAY") or cls.base_delay_s)
        return cls(attempts=max(1, retries + 1), base_delay_s=max(0.0, delay))


def is_transient_cli_failure(output: str) -> bool:
    return bool(_TRANSIENT_CLI_OUTPUT.search(output))
