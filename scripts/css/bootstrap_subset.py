"""Bootstrap's CSS cut down to what the chrome and the apps use: ``make bootstrap-subset``.

Every app page links connectkit's Bootstrap CSS; the whole file is 227 KiB
(34 KiB compressed), about a tenth of a bare Dash page's first load, for the
two dozen classes the chrome and the apps use. This tool writes
``connectkit/static/bootstrap-subset.min.css``: every rule of the full file
whose selectors name only classes found in the Python sources of connectkit
and the apps (any string constant, split on spaces), plus every rule that
names no class at all (Bootstrap's variables, reboot and element styles),
the licence header and the classes connectkit.css imitates (ALWAYS_KEEP).
Apps that use dash-bootstrap-components get the full file (their classes
come from dbc's JavaScript, not from our sources).

``python -m scripts.css.bootstrap_subset [--check]``: ``--check`` exits 1
when the committed subset is not what the sources need (a unit test runs it).
"""

from __future__ import annotations

import argparse
import ast
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from scripts.catalog import REPO_ROOT

STATIC = REPO_ROOT / "shared" / "src" / "connectkit" / "static"
FULL = STATIC / "bootstrap.min.css"
SUBSET = STATIC / "bootstrap-subset.min.css"
SOURCES = (REPO_ROOT / "shared" / "src" / "connectkit", REPO_ROOT / "apps")
# At-rules holding rules (filtered inside); any other block is kept or dropped whole.
NESTING_AT_RULES = ("@media", "@supports", "@container", "@layer")
CLASS = re.compile(r"\.(-?[_a-zA-Z][\w-]*)")
NOT = re.compile(r":not\([^()]*\)")
KEYFRAMES_NAME = re.compile(r"@(?:-webkit-)?keyframes\s+([\w-]+)")
# Kept although no source names them: connectkit.css gives Dash's inputs and
# dropdowns the look of these, and the app tests measure them against these.
ALWAYS_KEEP = frozenset({"form-control", "form-select"})
GENERATED_NOTE = "/* Subset for this repository: python -m scripts.css.bootstrap_subset */\n"


class CssSyntaxError(ValueError):
    """The CSS has an unbalanced brace or an unterminated string or comment."""


@dataclass
class Node:
    """A statement (``@charset "x";``), a rule (``a{b}``) or a block of rules (``@media``)."""

    prelude: str
    body: str = ""  # declarations of a rule, or the whole inside of an opaque block
    children: list[Node] = field(default_factory=list)
    nested: bool = False  # an at-rule whose children are parsed
    statement: bool = False

    def css(self) -> str:
        if self.statement:
            return self.prelude + ";"
        if self.nested:
            return self.prelude + "{" + "".join(c.css() for c in self.children) + "}"
        return self.prelude + "{" + self.body + "}"


def _skip_string(text: str, start: int) -> int:
    """Index just after the string that opens at ``start``."""
    quote, i = text[start], start + 1
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text[i] == quote:
            return i + 1
        i += 1
    raise CssSyntaxError(f"unterminated string at offset {start}")


def _block_end(text: str, open_at: int) -> int:
    """Index of the ``}`` matching the ``{`` at ``open_at``."""
    depth, i = 0, open_at
    while i < len(text):
        char = text[i]
        if char in "\"'":
            i = _skip_string(text, i)
            continue
        if text.startswith("/*", i):
            end = text.find("*/", i + 2)
            if end < 0:
                raise CssSyntaxError(f"unterminated comment at offset {i}")
            i = end + 2
            continue
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    raise CssSyntaxError(f"unbalanced brace at offset {open_at}")


def parse(text: str) -> list[Node]:
    """The top-level statements, rules and blocks of a (minified) stylesheet; comments dropped."""
    nodes, i, prelude = [], 0, ""
    while i < len(text):
        char = text[i]
        if text.startswith("/*", i):
            end = text.find("*/", i + 2)
            if end < 0:
                raise CssSyntaxError(f"unterminated comment at offset {i}")
            i = end + 2
        elif char in "\"'":
            end = _skip_string(text, i)
            prelude, i = prelude + text[i:end], end
        elif char == ";":
            if prelude.strip():
                nodes.append(Node(prelude.strip(), statement=True))
            prelude, i = "", i + 1
        elif char == "{":
            end = _block_end(text, i)
            head, inside = prelude.strip(), text[i + 1 : end]
            if head.startswith(NESTING_AT_RULES):
                nodes.append(Node(head, children=parse(inside), nested=True))
            else:
                nodes.append(Node(head, body=inside))
            prelude, i = "", end + 1
        elif char == "}":
            raise CssSyntaxError(f"unbalanced brace at offset {i}")
        else:
            prelude, i = prelude + char, i + 1
    if prelude.strip():
        raise CssSyntaxError(f"text after the last rule: {prelude.strip()[:40]!r}")
    return nodes


def split_selectors(prelude: str) -> list[str]:
    """``a,b:not(.c,.d)`` -> ``["a", "b:not(.c,.d)"]``: commas outside brackets."""
    parts, depth, current = [], 0, ""
    for char in prelude:
        if char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    return [*parts, current]


def selector_classes(selector: str) -> set[str]:
    """Classes an element must carry to match (those inside ``:not()`` are not required)."""
    without_attributes = re.sub(r"\[[^\]]*\]", "", NOT.sub("", selector))
    return set(CLASS.findall(without_attributes))


def keep_selectors(prelude: str, used: set[str]) -> list[str]:
    return [s for s in split_selectors(prelude) if selector_classes(s) <= used]


def _filter(nodes: Iterable[Node], used: set[str]) -> Iterator[Node]:
    for node in nodes:
        if node.statement:
            yield node
        elif node.nested:
            children = list(_filter(node.children, used))
            if children:
                yield Node(node.prelude, children=children, nested=True)
        elif node.prelude.startswith("@"):
            yield node  # @keyframes, @font-face: dropped later if unused
        elif selectors := keep_selectors(node.prelude, used):
            yield Node(",".join(selectors), body=node.body)


def _drop_unused_keyframes(nodes: list[Node]) -> list[Node]:
    kept_text = "".join(n.css() for n in nodes if not KEYFRAMES_NAME.match(n.prelude))
    return [
        n
        for n in nodes
        if not (match := KEYFRAMES_NAME.match(n.prelude)) or match.group(1) in kept_text
    ]


def licence_header(text: str) -> str:
    """The ``/*! ... */`` comment Bootstrap's licence asks to keep."""
    match = re.search(r"/\*!.*?\*/", text, re.DOTALL)
    if match is None:
        raise CssSyntaxError("no /*! licence */ comment in the full stylesheet")
    return match.group(0) + "\n"


def subset(full_css: str, used: set[str]) -> str:
    """The stylesheet with only the rules ``used`` classes can match (licence header first)."""
    nodes = _drop_unused_keyframes(list(_filter(parse(full_css), used)))
    charset = [n for n in nodes if n.statement and n.prelude.startswith("@charset")]
    rest = [n for n in nodes if n not in charset]
    return (
        "".join(n.css() for n in charset)
        + licence_header(full_css)
        + GENERATED_NOTE
        + "".join(n.css() for n in rest)
        + "\n"
    )


def string_constants(source: str) -> Iterator[str]:
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield node.value


def used_classes(roots: Iterable[Path], known: set[str]) -> set[str]:
    """Bootstrap classes named in any string constant of the Python files under ``roots``."""
    found: set[str] = set()
    for root in roots:
        for path in sorted(root.rglob("*.py")):
            for constant in string_constants(path.read_text()):
                found.update(word for word in constant.split() if word in known)
    return found


def all_classes(full_css: str) -> set[str]:
    return set(CLASS.findall(re.sub(r"\{[^{}]*\}", "{}", full_css)))


def generate(full: Path = FULL, roots: Iterable[Path] = SOURCES) -> str:
    full_css = full.read_text()
    return subset(full_css, used_classes(roots, all_classes(full_css)) | ALWAYS_KEEP)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the subset is stale")
    args = parser.parse_args(argv)
    wanted = generate()
    if args.check:
        if not SUBSET.is_file() or SUBSET.read_text() != wanted:
            print(
                f"{SUBSET.relative_to(REPO_ROOT)} is stale: run `make bootstrap-subset`",
                file=sys.stderr,
            )
            return 1
        return 0
    SUBSET.write_text(wanted)
    print(f"wrote {SUBSET.relative_to(REPO_ROOT)} ({len(wanted):,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
