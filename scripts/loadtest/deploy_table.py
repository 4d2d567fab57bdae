"""Put measured process settings into an app's ``[tool.monorepo.deploy]``, checked.

A line-level edit (the file's comments and order stay): each key's line is
replaced where the table has it, else added at the table's end. The result
is checked by the deploy's own validation (``scripts.deploy.settings``); a
refused value restores the file as it was and says why.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from scripts.catalog import AppInfo
from scripts.deploy.settings import SettingsError, load_settings

TABLE = "[tool.monorepo.deploy]"
_HEADER = re.compile(r"^\s*\[")


class DeployTableError(ValueError):
    """The app has no deploy table, or the deploy refuses the values; the file is unchanged."""


def _line(key: str, value: int | float) -> str:
    return f"{key} = {value}  # make capacity (docs/loadtest.md)"


def with_settings(text: str, settings: Mapping[str, int | float], where: str) -> str:
    lines = text.splitlines()
    try:
        start = next(i for i, line in enumerate(lines) if line.strip() == TABLE)
    except StopIteration:
        raise DeployTableError(f"{where} has no {TABLE} table to write into") from None
    end = next((i for i in range(start + 1, len(lines)) if _HEADER.match(lines[i])), len(lines))
    while end > start + 1 and not lines[end - 1].strip():
        end -= 1  # add after the table's last line, before the blank lines that follow it
    for key, value in settings.items():
        pattern = re.compile(rf"^\s*{re.escape(key)}\s*=")
        found = [i for i in range(start + 1, end) if pattern.match(lines[i])]
        if found:
            lines[found[0]] = _line(key, value)
        else:
            lines.insert(end, _line(key, value))
            end += 1
    return "\n".join(lines) + "\n"


def write_process_settings(app: AppInfo, settings: Mapping[str, int | float]) -> None:
    pyproject = app.path / "pyproject.toml"
    before = pyproject.read_text()
    pyproject.write_text(with_settings(before, settings, str(pyproject)))
    try:
        load_settings(app)
    except SettingsError as error:
        pyproject.write_text(before)
        raise DeployTableError(
            f"{pyproject}: the deploy refuses {dict(settings)}: {error}; file left unchanged"
        ) from None
