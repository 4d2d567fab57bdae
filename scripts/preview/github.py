"""The pull request's one preview comment on GitHub: fetch it into a file, post a file back.

    python -m scripts.preview.github fetch --pr 12 --file build/preview/pr-12.md
    python -m scripts.preview.github post --pr 12 --file build/preview/pr-12.md

The comment is the LATEST one holding the marker (``comment.MARKER``) at its
start whose author is the workflow's own identity: ``github-actions[bot]``
(the job token), or the GitHub App named by ``PREVIEW_COMMENT_AUTHOR`` (its
``<slug>[bot]`` login) and ``PREVIEW_COMMENT_APP_ID``. A person, or another
bot, quoting the marker cannot supply the record. ``post`` updates that
comment in place, or creates it. Reads ``GITHUB_TOKEN``,
``GITHUB_REPOSITORY`` and ``GITHUB_API_URL``, as set in GitHub Actions.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

from scripts.preview.comment import MARKER

TIMEOUT_S = 30.0
PAGE_SIZE = 100
ACTIONS_BOT = "github-actions[bot]"  # the author of comments made with a job's GITHUB_TOKEN
AUTHOR_SETTING, APP_ID_SETTING = "PREVIEW_COMMENT_AUTHOR", "PREVIEW_COMMENT_APP_ID"


@dataclass(frozen=True)
class Author:
    """Who writes the preview comment: a bot login, and the GitHub App id when one is known."""

    login: str = ACTIONS_BOT
    app_id: int | None = None

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> Author:
        login = environ.get(AUTHOR_SETTING, "").strip() or ACTIONS_BOT
        raw_id = environ.get(APP_ID_SETTING, "").strip()
        if raw_id and not raw_id.isdigit():
            raise KeyError(f"{APP_ID_SETTING}={raw_id!r}; expected the GitHub App's numeric id")
        return cls(login, int(raw_id) if raw_id else None)

    def wrote(self, comment: Mapping[str, Any]) -> bool:
        user = comment.get("user") or {}
        if user.get("login") != self.login or user.get("type") != "Bot":
            return False
        if self.app_id is None:
            return True
        app = comment.get("performed_via_github_app") or {}
        return app.get("id") == self.app_id


def find_comment(
    comments: Iterable[Mapping[str, Any]], author: Author = Author()
) -> Mapping[str, Any] | None:
    """The latest comment by ``author`` that starts with the marker, else None."""
    ours = [c for c in comments if author.wrote(c) and str(c.get("body", "")).startswith(MARKER)]
    return max(ours, key=lambda c: int(c.get("id", 0))) if ours else None


class GitHub:
    def __init__(self, environ: Mapping[str, str]) -> None:
        missing = [n for n in ("GITHUB_TOKEN", "GITHUB_REPOSITORY") if not environ.get(n)]
        if missing:
            raise KeyError(f"{' and '.join(missing)} not set (set by GitHub Actions)")
        self.base = environ.get("GITHUB_API_URL", "https://api.github.com").rstrip("/")
        self.repo = environ["GITHUB_REPOSITORY"]
        self.author = Author.from_environ(environ)
        self.session = requests.Session()
        self.session.headers.update(
            {
                "Authorization": f"Bearer {environ['GITHUB_TOKEN']}",
                "Accept": "application/vnd.github+json",
            }
        )

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self.session.request(
            method, f"{self.base}/repos/{self.repo}/{path}", timeout=TIMEOUT_S, **kwargs
        )
        response.raise_for_status()
        return response.json()

    def comments(self, pr: int) -> Iterable[Mapping[str, Any]]:
        page = 1
        while True:
            batch = self._call(
                "GET", f"issues/{pr}/comments", params={"per_page": PAGE_SIZE, "page": page}
            )
            yield from batch
            if len(batch) < PAGE_SIZE:
                return
            page += 1

    def ours(self, pr: int) -> Mapping[str, Any] | None:
        return find_comment(self.comments(pr), self.author)

    def post(self, pr: int, body: str) -> str:
        existing = self.ours(pr)
        if existing is None:
            return str(self._call("POST", f"issues/{pr}/comments", json={"body": body})["html_url"])
        path = f"issues/comments/{int(existing['id'])}"
        return str(self._call("PATCH", path, json={"body": body})["html_url"])


def main(argv: list[str] | None = None, environ: Mapping[str, str] = os.environ) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=["fetch", "post"])
    parser.add_argument("--pr", type=int, required=True)
    parser.add_argument("--file", type=Path, required=True)
    args = parser.parse_args(argv)
    try:
        github = GitHub(environ)
        if args.action == "fetch":
            found = github.ours(args.pr)
            if found is None:
                print(f"PR {args.pr} has no preview comment by {github.author.login} yet")
                return 0
            args.file.parent.mkdir(parents=True, exist_ok=True)
            args.file.write_text(str(found["body"]))
            print(f"fetched {found['html_url']} into {args.file}")
        else:
            print(f"posted {github.post(args.pr, args.file.read_text())}")
    except (KeyError, OSError, requests.RequestException) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
