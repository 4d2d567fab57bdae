"""Every command the README and docs/ show works as written from a fresh clone.

The README's shell blocks (fenced with no language, or sh/bash/shell) and its
inline instructions (``make ...``, ``python -m ...``, ``uv run ...``) are read
line by line: a ``make`` target must exist (``make -n`` accepts it with the
line's variables), a file it names must be in the repository (``build/`` is
output, ``.venv/bin/`` is what ``make env`` makes), and a bare command must be
one a fresh clone has (``rsconnect``, ``uv``, ``pre-commit`` and ``python``
are not on PATH there). The quick and harmless ones (``make list``,
``make help``) are run for real. App READMEs' ``make`` lines get the same check.
"""

from __future__ import annotations

import re
import shlex
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from scripts.catalog import REPO_ROOT, discover_apps

README = REPO_ROOT / "README.md"
SHELL_LANGUAGES = {"", "sh", "bash", "shell", "console"}
# What a fresh clone on a machine with python3 and make can run as written.
FRESH_CLONE_COMMANDS = {"make", "export", "git", "cd"}
# Where the commands' own tools live once `make env` has run (every target runs it).
VENV_BIN = ".venv/bin/"
SAFE_TO_RUN = {"list", "help"}  # quick, and write nothing
FENCE = re.compile(r"^```(?P<language>[\w-]*)\n(?P<body>.*?)^```", re.MULTILINE | re.DOTALL)
# Inline spans that are instructions: make targets, and tools run by hand.
INLINE_COMMAND = re.compile(r"`((?:make |python3? -m |uv run |\.venv/bin/)[^`]+)`")
ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")


@dataclass(frozen=True)
class Command:
    where: str  # file:line, for the failure message
    words: tuple[str, ...]  # the command word and its arguments, environment prefix removed
    variables: tuple[str, ...]  # NAME=value settings, before or after the command word


def parse(line: str, where: str) -> Command | None:
    """One shell line as the README writes it; ``[OPTIONAL=...]`` parts and comments dropped."""
    line = re.sub(r"\[[^\]]*\]", "", line)  # the README's notation for optional settings
    words = shlex.split(line, comments=True)
    if not words:
        return None
    prefix = 0
    while prefix < len(words) and ASSIGNMENT.match(words[prefix]):
        prefix += 1
    rest = words[prefix:]
    if not rest:
        return None
    variables = tuple(words[:prefix]) + tuple(w for w in rest[1:] if ASSIGNMENT.match(w))
    arguments = tuple(w for w in rest[1:] if not ASSIGNMENT.match(w))
    return Command(where, (rest[0], *arguments), variables)


def readme_commands(readme: Path, *, every_block: bool) -> list[Command]:
    """Shell lines of the fenced blocks (``every_block``: else only ``make`` lines) and
    the inline spans that are instructions (``make ...``, ``python -m ...``)."""
    text = readme.read_text()
    name = readme.relative_to(REPO_ROOT).as_posix()
    found = []
    for block in FENCE.finditer(text):
        if block["language"] not in SHELL_LANGUAGES:
            continue
        first_line = text.count("\n", 0, block.start("body")) + 1
        for offset, line in enumerate(block["body"].splitlines()):
            if every_block or line.startswith("make "):
                command = parse(line, f"{name}:{first_line + offset}")
                if command:
                    found.append(command)
    for span in INLINE_COMMAND.finditer(text):
        line_number = text.count("\n", 0, span.start()) + 1
        command = parse(span[1], f"{name}:{line_number} (inline)")
        if command:
            found.append(command)
    return found


def problems(command: Command) -> list[str]:
    program, *arguments = command.words
    found = []
    if program.startswith(VENV_BIN):
        if not (REPO_ROOT / program).is_file():
            found.append(f"{program} is not made by `make env`")
    elif program not in FRESH_CLONE_COMMANDS:
        found.append(f"`{program}` is not on PATH in a fresh clone (use make or {VENV_BIN})")
    for argument in arguments:
        is_path = "/" in argument and not argument.startswith(("-", "http", "build/"))
        if is_path and not (REPO_ROOT / argument).exists():
            found.append(f"names {argument}, which does not exist")
    if program == "make":
        found += make_problems([a for a in arguments if not a.startswith("-")], command)
    return found


def make_problems(targets: list[str], command: Command) -> list[str]:
    """``make -n`` (prints, runs nothing) must accept the targets with these settings;
    the safe ones must also succeed for real."""
    runs = [["-n", *targets]]
    if targets and set(targets) <= SAFE_TO_RUN:
        runs.append(targets)
    for arguments in runs:
        result = subprocess.run(
            ["make", "--no-print-directory", *arguments, *command.variables],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
        if result.returncode != 0:
            return [f"`make {' '.join(arguments)}` fails: {result.stderr.strip()[-300:]}"]
    return []


def all_commands() -> list[Command]:
    commands = readme_commands(README, every_block=True)
    for doc in sorted((REPO_ROOT / "docs").glob("*.md")):
        commands += readme_commands(doc, every_block=True)
    for app in discover_apps():
        app_readme = app.path / "README.md"
        if app_readme.is_file():
            commands += readme_commands(app_readme, every_block=False)
    return commands


def test_every_readme_command_works_as_written() -> None:
    commands = all_commands()
    assert len(commands) > 20  # the README's blocks and spans were found
    failures = [f"{c.where}: {' '.join(c.words)}: {p}" for c in commands for p in problems(c)]
    assert failures == []


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("rsconnect deploy dash -s http://x -k key dir", "`rsconnect` is not on PATH"),
        ("uv run pre-commit install", "`uv` is not on PATH"),
        ("python -m scripts.catalog", "`python` is not on PATH"),
        ("make no-such-target", "`make -n no-such-target` fails"),
        ("make run APP=hello scripts/no-such-file.py", "scripts/no-such-file.py, which does not"),
        (".venv/bin/no-such-tool --help", "is not made by `make env`"),
    ],
)
def test_a_command_that_would_fail_is_caught(line: str, expected: str) -> None:
    command = parse(line, "example")
    assert command is not None
    assert any(expected in problem for problem in problems(command)), problems(command)


def test_settings_and_notation_are_understood() -> None:
    command = parse('DRY_RUN=1 make new-app NAME=x [DESCRIPTION="a b"]   # note', "example")
    assert command == Command("example", ("make", "new-app"), ("DRY_RUN=1", "NAME=x"))
    assert problems(command) == []


def headings(text: str) -> list[str]:
    return [line[3:] for line in text.splitlines() if line.startswith("## ")]


def test_the_readme_is_a_front_door_with_the_teams_steps_in_order() -> None:
    """Set-up, the apps, the daily commands, deploying; then the reference links
    and the bench. The details live in docs/, linked."""
    text = README.read_text()
    found = headings(text)
    steps = [
        "Set-up",
        "The apps",
        "Daily commands",
        "Deploying to Connect",
        "Security model",
        "Reference",
    ]
    positions = [
        next((i for i, heading in enumerate(found) if heading.startswith(step)), -1)
        for step in [*steps, "Performance"]
    ]
    assert -1 not in positions and positions == sorted(positions), found
    # The rehearsal is one recipe: the stand-in and deploy-all in one block.
    deploying = text[text.index("## Deploying to") : text.index("## Reference")]
    assert any(
        "make connect-local" in b["body"] and "make deploy-all" in b["body"]
        for b in FENCE.finditer(deploying)
    )
    for link in re.findall(r"\]\((docs/[^)#]+)", text):
        assert (REPO_ROOT / link).is_file(), f"README links {link}, which does not exist"
