"""The pull request's one preview comment on GitHub: fetch it into a file, post a file back.

    python -m scripts.preview.github fetch --pr 12 --file build/preview/pr-12.md
    python -m scripts.preview.github post --pr 12 --file build/preview/pr-12.md

The comment is found by the hidden marker (``preview_comment.MARKER``) among
comments written by a bot (the workflow's token), so a person quoting the
marker cannot take it over. ``post`` updates that comment in place, or creates
it. Reads ``GITHUB_TOKEN``, ``GITHUB_REPOSITORY`` and ``GITHUB_API_URL``, as
set in GitHub Actions.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import requests

from scripts.preview.comment import MARKER

TIMEOUT_S = 30.0
PAGE_SIZE = 100


def find_comment(comments: Iterable[Mapping[str, Any]]) -> Mapping[str, Any] | None:
    """The first bot comment holding the marker, else None."""
    for comment in comments:
        if comment.get("user", {}).get("type") == "Bot" and MARKER in comment.get("body", ""):
            return comment
    return None


class GitHub:
    def __init__(self, environ: Mapping[str, str]) -> None:
        missing = [n for n in ("GITHUB_TOKEN", "GITHUB_REPOSITORY") if not environ.get(n)]
        if missing:
            raise KeyError(f"{' and '.join(missing)} not set (set by GitHub Actions)")
        self.base = environ.get("GITHUB_API_URL", "https://api.github.com").rstrip("/")
        self.repo = environ["GITHUB_REPOSITORY"]
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

    def post(self, pr: int, body: str) -> str:
        existing = find_comment(self.comments(pr))
        if existing is None:
            return str(self._call("POST", f"issues/{pr}/comments", json={"body": body})["html_url"])
        path = f"issues/comments/{existing['id']}"
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
            found = find_comment(github.comments(args.pr))
            if found is None:
                print(f"PR {args.pr} has no preview comment yet")
                return 0
            args.file.parent.mkdir(parents=True, exist_ok=True)
            args.file.write_text(found["body"])
            print(f"fetched {found['html_url']} into {args.file}")
        else:
            print(f"posted {github.post(args.pr, args.file.read_text())}")
    except (KeyError, OSError, requests.RequestException) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
