"""Why a target is missed and what is next: the sentence every MISSED row carries.

The notes live in ``missed.toml`` beside this module, one table per figure,
keyed ``"<measure> / <subject>"`` as the bench table shows them::

    ["cold start / group-dashboard"]
    why = "It builds its million-row table at import."
    next = "The database rewrite queries the data instead (issue #17)."

The README block prints the note under its missed row; a missed figure with
no note is listed as such and makes ``make bench`` (and ``make bench-readme``)
exit 1, so a result cannot be published unexplained. A note for a figure
this run measured and found clearly met (its interval inside the target) is
refused the same way: a stale note would explain a miss that is gone. A
figure within noise may keep its note.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

NOTES = Path(__file__).resolve().parent / "missed.toml"


class BadNotes(ValueError):
    """missed.toml holds an entry without both sentences."""


@dataclass(frozen=True)
class Note:
    why: str
    next: str

    def sentence(self) -> str:
        return f"Why: {self.why.strip()} Next: {self.next.strip()}"


def key(figure: dict[str, Any]) -> str:
    return f"{figure['measure']} / {figure['subject']}"


def parse(data: dict[str, Any], where: str = "missed.toml") -> dict[str, Note]:
    notes = {}
    for name, entry in data.items():
        fields = entry if isinstance(entry, dict) else {}
        texts = {f: fields.get(f) for f in ("why", "next")}
        if not all(isinstance(t, str) and t.strip() for t in texts.values()) or len(fields) != 2:
            raise BadNotes(
                f"{where}: [{name!r}] must hold exactly a non-empty `why` and `next`, got {entry!r}"
            )
        notes[name] = Note(why=str(texts["why"]), next=str(texts["next"]))
    return notes


def load(path: Path = NOTES) -> dict[str, Note]:
    return parse(tomllib.loads(path.read_text()), str(path)) if path.is_file() else {}


def unexplained(figures: list[dict[str, Any]], notes: dict[str, Note]) -> list[str]:
    """Keys of missed figures that have no note."""
    return [key(f) for f in figures if f["misses"] and key(f) not in notes]


def stale(figures: list[dict[str, Any]], notes: dict[str, Note]) -> list[str]:
    """Keys of notes whose figure this run measured and found met beyond noise."""
    measured = {key(f): f for f in figures}
    return [
        name
        for name in notes
        if name in measured
        and not measured[name]["misses"]
        and not measured[name].get("within_noise")
    ]


def refusals(figures: list[dict[str, Any]], notes: dict[str, Note]) -> list[str]:
    """What stops a result from being published: missed figures without a note, stale notes."""
    found = []
    if unexplained_keys := unexplained(figures, notes):
        found.append(f"missed targets without a note in {NOTES.name}: {unexplained_keys}")
    if stale_keys := stale(figures, notes):
        found.append(f"notes in {NOTES.name} for targets this run met (remove them): {stale_keys}")
    return found
