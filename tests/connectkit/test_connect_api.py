"""connectkit.connect_api: every call bounded, and a server that did not answer is
remembered for a while, so the calls after it fail at once instead of waiting."""

from __future__ import annotations

import socket
from types import SimpleNamespace

import pytest
import requests
from connectkit import connect_api


def test_a_server_that_did_not_answer_is_not_asked_again_for_a_while(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with socket.socket() as listener:  # accepts connections, never answers
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        url = f"http://127.0.0.1:{listener.getsockname()[1]}/__api__/v1/user"
        client = connect_api.with_timeout(SimpleNamespace(session=requests.Session()), 0.2)
        with pytest.raises(requests.Timeout):
            client.session.get(url)
        assert connect_api.UNANSWERED.skipped(connect_api.origin_of(url))
        with pytest.raises(requests.ConnectionError, match="did not answer lately"):
            client.session.get(url)  # not sent: the listener's queue holds one connection
        # ...and once the time is up, it is asked again
        monkeypatch.setattr(connect_api, "REMEMBER_FAILURE_S", 0.0)
        connect_api.UNANSWERED.remember(connect_api.origin_of(url))
        assert not connect_api.UNANSWERED.skipped(connect_api.origin_of(url))
        with pytest.raises(requests.Timeout):
            client.session.get(url)


def test_another_server_is_still_asked() -> None:
    connect_api.UNANSWERED.remember("http://127.0.0.1:9")
    assert not connect_api.UNANSWERED.skipped("http://127.0.0.1:10")
