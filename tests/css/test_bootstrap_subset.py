"""The Bootstrap subset: a small CSS parser, the rule filter, and the committed file."""

from __future__ import annotations

from pathlib import Path

import pytest

from scripts.css import bootstrap_subset as bs

SAMPLE = (
    '@charset "UTF-8";/*! Licence kept */:root{--x:1}body{margin:0}'
    ".btn,.card{color:red}.btn:not(.disabled):hover{color:blue}"
    '.a[title="}{"]{content:"{"}'
    "@media (min-width:576px){.btn{padding:1px}.card{padding:2px}}"
    "@keyframes spin{from{a:b}to{c:d}}@keyframes fade{0%{e:f}}"
    ".spinner{animation:spin 1s}/* dropped comment */"
)


def test_parse_round_trips_rules_blocks_and_strings() -> None:
    nodes = bs.parse(SAMPLE)
    assert nodes[0].statement and nodes[0].prelude == '@charset "UTF-8"'
    assert [n.prelude for n in nodes[1:4]] == [":root", "body", ".btn,.card"]
    media = next(n for n in nodes if n.prelude.startswith("@media"))
    assert [c.prelude for c in media.children] == [".btn", ".card"]
    quoted = next(n for n in nodes if n.prelude.startswith(".a["))
    assert quoted.body == 'content:"{"' and quoted.prelude == '.a[title="}{"]'
    assert "dropped comment" not in "".join(n.css() for n in nodes)


@pytest.mark.parametrize("broken", ["a{b", "a{b}}", 'a{content:"x}', "/* open", "a{b}c"])
def test_parse_rejects_broken_css(broken: str) -> None:
    with pytest.raises(bs.CssSyntaxError):
        bs.parse(broken)


def test_selector_classes_ignore_not_and_attributes() -> None:
    assert bs.selector_classes(".btn:not(.disabled):hover") == {"btn"}
    assert bs.selector_classes('.a[title=".b"] > .c') == {"a", "c"}
    assert bs.split_selectors(".a,.b:not(.c,.d)") == [".a", ".b:not(.c,.d)"]


def test_subset_keeps_what_used_classes_match_and_every_class_free_rule() -> None:
    out = bs.subset(SAMPLE, {"btn", "spinner"})
    assert out.startswith('@charset "UTF-8";/*! Licence kept */\n')
    assert ":root{--x:1}body{margin:0}" in out
    assert ".btn{color:red}" in out and ".card" not in out
    assert ".btn:not(.disabled):hover{color:blue}" in out
    assert "@media (min-width:576px){.btn{padding:1px}}" in out
    assert "@keyframes spin" in out and "fade" not in out  # only referenced keyframes
    assert bs.subset(SAMPLE, set()).count("@media") == 0  # an emptied block goes


def test_used_classes_come_from_string_constants(tmp_path: Path) -> None:
    (tmp_path / "x.py").write_text('A = "navbar me-auto unknown"\nB = f"{A} btn"\n# card\n')
    assert bs.used_classes([tmp_path], {"navbar", "me-auto", "btn", "card"}) == {
        "navbar",
        "me-auto",
        "btn",
    }


def test_the_committed_subset_is_what_the_sources_need() -> None:
    assert bs.SUBSET.read_text() == bs.generate(), "run `make bootstrap-subset`"
    assert bs.main(["--check"]) == 0


def test_the_subset_styles_the_chrome_and_is_much_smaller() -> None:
    text = bs.SUBSET.read_text()
    for selector in (".navbar-brand", ".navbar-dark", ".nav-link", ".container", ".form-select"):
        assert selector + "{" in text or selector + "," in text, selector
    assert "Licensed under MIT" in text
    assert len(text) < bs.FULL.stat().st_size / 5
