"""The summary table and the JSON report."""

from __future__ import annotations

import json
from pathlib import Path

from scripts.deploy.content import content_name
from scripts.deploy.report import AppResult, render_table, write_report


def test_table_has_one_row_per_app_sorted() -> None:
    table = render_table(
        [
            AppResult("zeta", "failed", seconds=1.25, error="boom"),
            AppResult("alpha", "created", guid="g-1", url="http://c/content/g-1/", seconds=12.0),
        ]
    ).splitlines()
    assert table[0].split() == ["app", "status", "guid", "content", "url", "seconds"]
    assert table[2].split() == ["alpha", "created", "g-1", "http://c/content/g-1/", "12.0"]
    assert table[3].split() == ["zeta", "failed", "-", "-", "1.2"]


def test_json_report(tmp_path: Path) -> None:
    path = write_report(
        [AppResult("a", "updated", guid="g")], {"dry_run": False}, tmp_path / "r.json"
    )
    data = json.loads(path.read_text())
    assert data["dry_run"] is False
    assert data["apps"][0] | {"app": "a", "status": "updated", "guid": "g"} == data["apps"][0]


def test_content_names_are_stable_and_safe() -> None:
    assert content_name("My Repo.git", "hello") == "my-repo-git-hello"
    assert content_name("team", "group-dashboard") == "team-group-dashboard"
