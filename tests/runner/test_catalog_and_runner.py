"""App discovery and the runner's command line."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from scripts.catalog import REPO_ROOT, UnknownAppError, did_you_mean, discover_apps, find_app


def test_discovers_folders_with_app_py(tmp_path: Path) -> None:
    for name in ("beta", "alpha"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "app.py").write_text("")
    (tmp_path / "not-an-app").mkdir()
    assert [a.name for a in discover_apps(tmp_path)] == ["alpha", "beta"]


def test_unknown_app_lists_the_known_ones(tmp_path: Path) -> None:
    (tmp_path / "alpha").mkdir()
    (tmp_path / "alpha" / "app.py").write_text("")
    with pytest.raises(UnknownAppError, match=r"'nope'.*expected one of: alpha"):
        find_app("nope", tmp_path)


def test_run_with_unknown_app_exits_with_the_list() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "scripts.runner.run", "no-such-app"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "no app named 'no-such-app'" in result.stderr
    assert "hello" in result.stderr


def test_make_list_prints_the_apps() -> None:
    result = subprocess.run(
        ["make", "--no-print-directory", "list"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    lines = {line.split()[0]: line for line in result.stdout.splitlines()}
    assert sorted(lines) == [a.name for a in discover_apps()]
    for app in discover_apps():  # each app with its one-line description
        assert app.description() and lines[app.name].endswith(app.description())


def test_a_near_miss_is_suggested(tmp_path: Path) -> None:
    for name in ("hello", "multi-page"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "app.py").write_text("")
    with pytest.raises(UnknownAppError, match=r"'helo' .*did you mean 'hello'\?"):
        find_app("helo", tmp_path)
    assert did_you_mean("multipage", ["hello", "multi-page"]) == " (did you mean 'multi-page'?)"
    assert did_you_mean("zzz", ["hello", "multi-page"]) == ""


def make(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["make", "--no-print-directory", *args],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )


def test_make_run_with_a_typo_suggests_the_app() -> None:
    result = make("run", "APP=helo", "PORT=0")
    assert result.returncode != 0
    assert "did you mean 'hello'?" in result.stderr


def test_make_run_without_app_shows_the_command_to_type() -> None:
    result = make("run", "PORT=0")
    assert result.returncode != 0
    assert "make run APP=hello" in result.stderr
    for app in discover_apps():
        assert f"{app.name} " in result.stderr and app.description() in result.stderr


def test_make_deploy_with_a_typo_names_the_app_before_the_server() -> None:
    unset = ("CONNECT_SERVER", "CONNECT_API_KEY", "SERVER", "DRY_RUN")
    env = {k: v for k, v in os.environ.items() if k not in unset}
    result = make("deploy", "APP=helo", env=env)
    assert result.returncode == 2
    assert "APP=helo" in result.stderr and "did you mean 'hello'?" in result.stderr
    assert "CONNECT_SERVER" not in result.stderr


def test_make_help_is_coloured_on_a_terminal_only() -> None:
    piped = make("help")
    assert piped.returncode == 0 and "\033" not in piped.stdout and "  run " in piped.stdout
    leader, follower = pty.openpty()
    try:
        on_tty = subprocess.run(
            ["make", "--no-print-directory", "help"],
            cwd=REPO_ROOT,
            stdout=follower,
            timeout=60,
            check=True,
        )
        assert on_tty.returncode == 0
        output = os.read(leader, 65536).decode()
    finally:
        os.close(leader)
        os.close(follower)
    assert "\033[36m" in output


def test_make_run_says_what_to_run_for_an_app_that_acts_as_its_visitor() -> None:
    from scripts.runner.run import acts_as_visitor_note

    note = acts_as_visitor_note("my-content", find_app("my-content").path, "bob")
    assert note is not None
    assert "make connect-local API_KEY=dev-key USER=bob" in note
    assert "CONNECT_API_KEY=dev-key make deploy APP=my-content" in note
    assert acts_as_visitor_note("hello", find_app("hello").path, "bob") is None


def test_visitor_keys_are_read_from_a_file_and_a_bad_one_is_named(tmp_path: Path) -> None:
    from connectkit.credentials import credentials_header

    from scripts.runner.run import read_visitor_keys

    good = tmp_path / "keys.json"
    good.write_text('{"k1": {"user": "ada", "groups": ["sales-emea"]}, "k2": {"user": "bob"}}')
    assert read_visitor_keys(good) == {
        "k1": credentials_header("ada", ["sales-emea"]),
        "k2": credentials_header("bob", []),
    }
    bad = tmp_path / "bad.json"
    bad.write_text('{"k1": {"name": "ada"}}')
    with pytest.raises(SystemExit, match=r"--visitor-keys .*bad.json.*expected a JSON object"):
        read_visitor_keys(bad)
    assert read_visitor_keys(None) == {}
