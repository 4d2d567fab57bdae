"""The bench's pure parts: interleaving, statistics, discovery, reports, README block."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from scripts.browser.driver import Journal, Request
from scripts.catalog import REPO_ROOT
from scripts.perf.bench import (
    callback_overhead,
    chart,
    cold_start,
    discovery,
    first_load,
    missed,
    page_load,
    proctree,
    readme,
    repeat_visit,
    subjects,
    suite_time,
    summary,
    wire,
)
from scripts.perf.bench.model import Figure, PartialFailure, Skipped
from scripts.perf.bench.schedule import in_parallel, interleaved, schedule
from scripts.perf.bench.spread import CONFIDENCE, Interval, coverage, median_interval
from scripts.perf.bench.subjects import BadBenchSettings, subject_from_settings


# -- interleaving ----------------------------------------------------------------------
def test_schedule_runs_every_label_once_per_round_warmup_first() -> None:
    slots = schedule(["base", "a", "b"], runs=2, warmup=1)
    assert [(s.round, s.label, s.warmup) for s in slots] == [
        (0, "base", True),
        (0, "a", True),
        (0, "b", True),
        (1, "base", False),
        (1, "a", False),
        (1, "b", False),
        (2, "base", False),
        (2, "a", False),
        (2, "b", False),
    ]


@pytest.mark.parametrize(
    ("labels", "runs", "warmup", "message"),
    [
        (["a"], 0, 1, "runs must be at least 1"),
        (["a"], 1, -1, "warmup must be 0 or more"),
        (["a", "a"], 1, 0, "labels must be distinct"),
    ],
)
def test_schedule_rejects_bad_input(
    labels: list[str], runs: int, warmup: int, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        schedule(labels, runs, warmup)


def test_interleaved_alternates_and_drops_warmup() -> None:
    calls: list[str] = []
    counter = iter(range(100))

    def probe(label: str) -> float:
        calls.append(label)
        return float(next(counter))

    samples = interleaved({"A": lambda: probe("A"), "B": lambda: probe("B")}, runs=2, warmup=1)
    assert calls == ["A", "B", "A", "B", "A", "B"]
    assert samples.values == {"A": [2.0, 4.0], "B": [3.0, 5.0]}  # 0 and 1 were warm-up
    assert samples.errors == {}


def test_interleaved_keeps_going_without_a_failing_probe() -> None:
    calls: list[str] = []

    def broken() -> float:
        calls.append("broken")
        raise RuntimeError("no 200")

    def fine() -> float:
        calls.append("fine")
        return 1.0

    samples = interleaved({"broken": broken, "fine": fine}, runs=3, warmup=0)
    assert calls == ["broken", "fine", "fine", "fine"]  # not retried after failing
    assert samples.values == {"broken": [], "fine": [1.0, 1.0, 1.0]}
    assert samples.errors == {"broken": "RuntimeError: no 200"}


# -- statistics and targets ------------------------------------------------------------
def test_figure_reports_median_ratio_and_misses() -> None:
    figure = Figure("cold start", "hello", "bare", "ms", [3.0, 1.0, 2.0], [1.0, 2.0, 9.0], 0.9)
    data = figure.to_json()
    assert (data["subject_median"], data["subject_min"], data["subject_max"]) == (2.0, 1.0, 3.0)
    assert data["baseline_median"] == 2.0
    assert data["ratio"] == 1.0
    # the rounds' ratios (3.0, 0.5, 0.22) straddle the target: noise, not a miss
    assert data["misses"] == []
    assert data["within_noise"] == ["ratio 1.00 (0.22-3.00) > 0.9"]
    assert data["ratio_interval"] == {"low": 2 / 9, "high": 3.0, "confidence": 0.75}
    steady = Figure("cold start", "hello", "bare", "ms", [3.0, 2.1, 2.0], [2.0, 2.0, 2.0], 0.9)
    assert steady.misses() == ["ratio 1.05 (1.00-1.50) > 0.9"] and steady.within_noise() == []


def test_figure_absolute_target_without_baseline() -> None:
    figure = Figure("peak RSS", "dash", "", "MB", [510.0, 490.0, 520.0], max_value=500)
    assert figure.ratio is None
    assert figure.misses() == [] and figure.within_noise() == ["510.0 MB (490.0-520.0) > 500 MB"]
    over = Figure("peak RSS", "dash", "", "MB", [510.0, 505.0, 520.0], max_value=500)
    assert over.misses() == ["510.0 MB (505.0-520.0) > 500 MB"]
    assert Figure("x", "y", "", "n", [0.0], max_value=0).misses() == []


def test_median_interval_is_the_narrowest_with_enough_coverage() -> None:
    assert median_interval([5.0]) == Interval(5.0, 5.0, 0.0)
    five = median_interval([4.0, 1.0, 3.0, 2.0, 5.0])
    assert (five.low, five.high) == (1.0, 5.0) and five.confidence == 1 - 2 / 32
    nine = median_interval([float(v) for v in range(9)])  # drops one sample at each end
    assert (nine.low, nine.high) == (1.0, 7.0) and nine.confidence >= CONFIDENCE
    assert coverage(9, 3) < CONFIDENCE <= coverage(9, 2)
    with pytest.raises(ValueError, match="no samples"):
        median_interval([])


def test_min_ratio_targets_are_judged_on_the_interval_too() -> None:
    straddles = Figure("throughput", "a", "b", "req/s", [70.0, 90.0, 95.0], [100.0] * 3)
    straddles.min_ratio = 0.8
    assert straddles.misses() == [] and straddles.within_noise() == ["ratio 0.90 (0.70-0.95) < 0.8"]
    straddles.subject_samples = [70.0, 75.0, 79.0]
    assert straddles.misses() == ["ratio 0.75 (0.70-0.79) < 0.8"]


# -- discovery and running -------------------------------------------------------------
FAKE_MODULES = {
    "__init__.py": "",
    "helper.py": "VALUE = 1\n",  # no measure(): not a bench module
    "good.py": (
        "from scripts.perf.bench.model import Figure\nORDER = 5\n"
        "def measure(quick=False):\n"
        "    return [Figure('m', 'app', '', 'ms', [2.0 if quick else 1.0])]\n"
    ),
    "broken.py": "def measure(quick=False):\n    raise RuntimeError('boom')\n",
    "bad_import.py": "import no_such_module_here\ndef measure(quick=False):\n    return []\n",
    "skipping.py": (
        "from scripts.perf.bench.model import Skipped\n"
        "def measure(quick=False):\n    raise Skipped('not here')\n"
    ),
    "wrong_type.py": "def measure(quick=False):\n    return 'nope'\n",
}


@pytest.fixture
def fake_bench(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    package = tmp_path / "fakebench"
    package.mkdir()
    for name, source in FAKE_MODULES.items():
        (package / name).write_text(source)
    monkeypatch.syspath_prepend(str(tmp_path))
    yield package
    for name in [m for m in sys.modules if m.startswith("fakebench")]:
        del sys.modules[name]


def test_discover_finds_modules_that_define_measure(fake_bench: Path) -> None:
    assert discovery.discover(fake_bench) == [
        "bad_import",
        "broken",
        "good",
        "skipping",
        "wrong_type",
    ]


def test_run_all_reports_each_module_and_never_raises(fake_bench: Path) -> None:
    results = discovery.run_all(True, bench_dir=fake_bench, package="fakebench")
    statuses = {r.name: r.status for r in results}
    assert statuses == {
        "good": "ok",
        "bad-import": "failed",
        "broken": "failed",
        "skipping": "skipped",
        "wrong-type": "failed",
    }
    assert results[0].name == "good"  # ORDER = 5 runs before the default 50
    assert results[0].figures[0].subject_samples == [2.0]  # quick was passed on
    errors = {r.name: r.errors[0] for r in results if r.errors}
    assert "ModuleNotFoundError" in errors["bad-import"]
    assert errors["broken"] == "RuntimeError: boom"
    assert errors["skipping"] == "not here"
    assert "not list[Figure]" in errors["wrong-type"]


def test_run_all_skips_what_it_is_told(fake_bench: Path) -> None:
    results = discovery.run_all(
        False, skip=["broken"], only=[], bench_dir=fake_bench, package="fakebench"
    )
    assert {r.name: r.status for r in results}["broken"] == "skipped"
    with pytest.raises(ValueError, match=r"unknown bench module\(s\) nope; expected some of"):
        discovery.run_all(False, skip=["nope"], bench_dir=fake_bench, package="fakebench")


def test_partial_failure_keeps_the_figures() -> None:
    figure = Figure("m", "a", "", "ms", [1.0])

    def measure(quick: bool = False) -> list[Figure]:
        raise PartialFailure([figure], ["b: did not start"])

    result = discovery.run_one("x", measure, quick=False)
    assert (result.status, result.figures, result.errors) == (
        "partial",
        [figure],
        ["b: did not start"],
    )
    assert discovery.run_one(
        "y", lambda quick: (_ for _ in ()).throw(Skipped("why")), False
    ).status == ("skipped")


def test_the_real_bench_modules_are_discovered() -> None:
    found = discovery.discover()
    assert {"cold_start", "first_load", "memory", "suite_time"} <= set(found)
    assert not {"model", "runner", "report", "schedule"} & set(found)


# -- /proc parsing ---------------------------------------------------------------------
def test_stat_parsing_survives_odd_process_names() -> None:
    line = "4242 (gunicorn: (worker) x) S 4241 4241 1 0 -1 4194624 1 0 0 0 150 25 0 0 20 0"
    assert proctree.parent_of(line) == 4241
    assert proctree.cpu_ticks(line) == 175


def test_process_tree_and_peak_rss_from_a_fake_proc(tmp_path: Path) -> None:
    def fake(pid: int, parent: int, name: str, peak_kib: int | None) -> None:
        folder = tmp_path / str(pid)
        folder.mkdir()
        (folder / "stat").write_text(f"{pid} ({name}) S {parent} 0 0 0 -1 0 0 0 0 0 10 5 0 0")
        status = f"Name:\t{name}\nVmRSS:\t1 kB\n"
        if peak_kib is not None:
            status += f"VmHWM:\t{peak_kib} kB\n"
        (folder / "status").write_text(status)

    fake(100, 1, "python -m scripts.runner.run", 30 * 1024)
    fake(101, 100, "gunicorn worker", 70 * 1024)
    fake(102, 101, "zombie child", None)
    fake(200, 1, "someone else", 999 * 1024)
    (tmp_path / "self").mkdir()
    assert sorted(proctree.process_tree(100, tmp_path)) == [100, 101, 102]
    assert proctree.peak_rss_mb(100, tmp_path) == 100.0
    assert proctree.cpu_seconds(100, tmp_path) == 45 / proctree.TICKS_PER_S


# -- what was on the wire --------------------------------------------------------------
def test_uncompressed_flags_only_large_compressible_plain_responses() -> None:
    js, big = "application/javascript", 9e4
    requests = [
        Request("http://h/big.js", status=200, mime_type=js, encoded_bytes=big),
        Request(
            "http://h/br.js", status=200, mime_type=js, encoded_bytes=big, content_encoding="br"
        ),
        Request("http://h/tiny.json", status=200, mime_type="application/json", encoded_bytes=300),
        Request("http://h/icon.png", status=200, mime_type="image/png", encoded_bytes=big),
        Request("http://h/moved", status=304, mime_type="text/css", encoded_bytes=big),
    ]
    assert wire.uncompressed(requests) == ["http://h/big.js"]
    assert wire.total_kib(requests) == (4 * 9e4 + 300) / 1024


def test_short_names_files_and_foreign_hosts() -> None:
    urls = [
        "http://127.0.0.1:5000/content/x/_dash-component-suites/dash/a.js?v=1",
        "https://cdn.example.org/npm/bootstrap.min.css",
        "http://127.0.0.1:5000/content/x/b.js",
        "http://127.0.0.1:5000/content/x/c.js",
    ]
    assert wire.short(urls) == "a.js, b.js, c.js (+1 more)"
    assert wire.short(urls[1:2]) == "cdn.example.org/bootstrap.min.css"


# -- per-app settings ------------------------------------------------------------------
def test_bench_settings_are_read_and_checked(tmp_path: Path) -> None:
    subject = subject_from_settings(
        "dash",
        tmp_path,
        {"user": "ada", "groups": ["analysts"]},
        {"env": {"ROWS": "1000000"}, "max_rss_mb": 500, "max_cold_start_ratio": 1.05},
    )
    assert (subject.user, subject.groups, subject.env) == (
        "ada",
        ("analysts",),
        {"ROWS": "1000000"},
    )
    assert subject.target("max_rss_mb") == 500.0
    assert subject.target("max_first_load_ratio") is None
    assert subject.target("max_first_load_ratio", 2.0) == 2.0


def test_first_load_baseline_is_bare_dash_unless_the_app_names_dbc(tmp_path: Path) -> None:
    plain = subject_from_settings("hello", tmp_path, {}, {})
    assert plain.first_load_baseline == subjects.BARE_DASH_COMPRESSED
    assert plain.max_first_load_ratio() == subjects.DEFAULT_MAX_FIRST_LOAD_RATIO
    dbc = subject_from_settings("dash", tmp_path, {}, {"first_load_baseline": "bare-dbc"})
    assert dbc.first_load_baseline == subjects.BARE_DBC
    # 1.1x by default whatever the floor: bare Dash with the app's component libraries
    assert dbc.max_first_load_ratio() == subjects.DEFAULT_MAX_FIRST_LOAD_RATIO
    own = subject_from_settings("x", tmp_path, {}, {"max_first_load_ratio": 1.2})
    assert own.max_first_load_ratio() == 1.2
    for name in subjects.FIRST_LOAD_BASELINES:  # each one is an app folder the bench serves
        assert (subjects.baseline(name).path / "app.py").is_file()


def test_first_load_measures_each_app_against_its_own_baseline(tmp_path: Path) -> None:
    apps = [
        subject_from_settings("a", tmp_path, {}, {}),
        subject_from_settings("b", tmp_path, {}, {"first_load_baseline": "bare-dbc"}),
        subject_from_settings("c", tmp_path, {}, {"first_load_baseline": "bare-dbc-graph"}),
    ]
    assert sorted(first_load.baselines_for(apps)) == sorted(subjects.FIRST_LOAD_BASELINES)
    assert list(first_load.baselines_for(apps[:1])) == [subjects.BARE_DASH_COMPRESSED]


@pytest.mark.parametrize(
    ("bench", "message"),
    [
        ({"env": {"ROWS": 1000000}}, "env must map names to strings"),
        ({"max_rss_mb": "500"}, "max_rss_mb must be a positive number, got '500'"),
        ({"max_rss_mb": -1}, "must be a positive number"),
        ({"max_rss_mb": True}, "must be a positive number"),
        ({"max_rss": 500}, r"unknown keys \['max_rss'\]"),
        ({"first_load_baseline": "bare"}, "first_load_baseline must be one of"),
    ],
)
def test_bad_bench_settings_name_the_key(
    tmp_path: Path, bench: dict[str, Any], message: str
) -> None:
    with pytest.raises(BadBenchSettings, match=message):
        subject_from_settings("dash", tmp_path, {}, bench)


# -- reports and the README block ------------------------------------------------------
def sample_doc() -> summary.Doc:
    ok = Figure("first-load bytes", "hello", "bare dbc", "KiB", [380.0], [379.0], max_ratio=1.1)
    missed = Figure("cold start", "dash", "bare", "ms", [300.0, 310.0], [100.0, 120.0], 1.15)
    results = [
        discovery.ModuleResult("first-load", "ok", figures=[ok]),
        discovery.ModuleResult("cold-start", "partial", figures=[missed], errors=["x: died"]),
        discovery.ModuleResult("deploy", "failed", errors=["ImportError: nope"]),
        discovery.ModuleResult("suite-time", "skipped", errors=["quick run"]),
    ]
    return summary.document(results, quick=True, started=summary.started_now())


def test_text_table_names_misses_failures_and_skips() -> None:
    text = summary.text_table(sample_doc())
    assert "380 KiB" in text and "1.00x" in text
    assert "! target missed: cold start of dash: ratio 2.77 (2.58-3.00) > 1.15" in text
    assert "! partial: cold-start: x: died" in text
    assert "! failed: deploy: ImportError: nope" in text
    assert "skipped: suite-time (quick run)" in text


def test_markdown_block_is_a_table_with_the_chart() -> None:
    block = summary.markdown(sample_doc(), "scripts/perf/bench/results/bench.png")
    lines = block.splitlines()
    table = [line for line in lines if line.startswith("|")]
    assert len(table) == 4  # header, rule, two figures
    assert all(line.count("|") == table[0].count("|") for line in table)
    assert "quick run" in block
    assert "![bench chart: ratios to the baselines](scripts/perf/bench/results/bench.png)" in block


def test_replace_block_rewrites_only_between_the_markers() -> None:
    text = f"# T\nbefore\n{readme.START}\nold\nrows\n{readme.END}\nafter\n"
    new = readme.replace_block(text, "new block\n")
    assert new == f"# T\nbefore\n{readme.START}\nnew block\n{readme.END}\nafter\n"
    assert readme.replace_block(new, "new block") == new  # idempotent


@pytest.mark.parametrize(
    "text",
    [
        "no markers",
        f"{readme.START} only the start",
        f"{readme.START}{readme.START}{readme.END}",
        f"{readme.END} reversed {readme.START}",
    ],
)
def test_replace_block_refuses_broken_markers(text: str) -> None:
    with pytest.raises(readme.MarkersMissing):
        readme.replace_block(text, "x")


def test_rewrite_from_a_results_file(tmp_path: Path) -> None:
    results, target = tmp_path / "results.json", tmp_path / "README.md"
    results.write_text(json.dumps(sample_doc()))
    target.write_text(f"intro\n{readme.START}\n{readme.END}\nrest\n")

    def no_chart(doc: summary.Doc, path: Path) -> bool:
        return False

    assert readme.rewrite(results, target, tmp_path / "a" / "bench.png", no_chart) == [target]
    text = target.read_text()
    assert text.startswith("intro\n") and text.endswith("rest\n")
    assert "| first-load bytes | hello |" in text and "![bench chart" not in text

    def fake_chart(doc: summary.Doc, path: Path) -> bool:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"png")
        return True

    written = readme.rewrite(results, target, tmp_path / "a" / "bench.png", fake_chart)
    assert written == [tmp_path / "a" / "bench.png", target]
    assert "(a/bench.png)" in target.read_text()


def test_chart_bars_come_from_ratios_and_absolute_targets() -> None:
    doc = sample_doc()
    assert [b[0] for b in chart.ratio_bars(doc)] == [
        "first-load bytes: hello",
        "cold start: dash",
    ]
    assert chart.ratio_bars(doc)[1][3] is True  # missed
    assert chart.target_bars(doc) == []
    whiskers, colours = chart.ratio_whiskers(doc)
    assert colours == [chart.MET, chart.MISSED]
    assert whiskers[0] == (0.0, 0.0)  # one round: no interval to draw
    ratio = 305 / 110  # medians' ratio; the rounds' ratios are 3.0 and 2.58
    assert whiskers[1] == pytest.approx((ratio - 310 / 120, 3.0 - ratio))


def noisy_doc() -> summary.Doc:
    noisy = Figure("cold start", "hello", "bare", "ms", [100.0, 130.0, 90.0], [100.0] * 3, 1.1)
    rss = Figure("peak RSS", "hello", "", "MB", [90.0, 120.0, 100.0], max_value=110)
    result = discovery.ModuleResult("cold-start", "ok", figures=[noisy, rss])
    return summary.document([result], quick=True, started=summary.started_now())


def test_a_target_inside_the_interval_is_within_noise_not_missed() -> None:
    doc = noisy_doc()
    text = summary.text_table(doc)
    assert "1.00x (0.90-1.30x)" in text and "within noise" in text and "MISSED" not in text
    assert "! within noise: cold start of hello: ratio 1.00 (0.90-1.30) > 1.1" in text
    assert missed.refusals(doc["figures"], {}) == []
    whiskers, colours = chart.target_whiskers(doc)
    assert colours == [chart.NOISE]
    assert whiskers[0] == pytest.approx((10 / 110, 20 / 110))


def test_chart_draws_intervals(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    path = tmp_path / "bench.png"
    assert chart.draw(noisy_doc(), path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_notes_for_targets_met_beyond_noise_are_refused() -> None:
    doc = sample_doc()
    note = missed.Note(why="Was slow.", next="Nothing.")
    notes = {"first-load bytes / hello": note, "cold start / dash": note, "gone / x": note}
    assert missed.stale(doc["figures"], notes) == ["first-load bytes / hello"]
    [refusal] = missed.refusals(doc["figures"], notes)
    assert "remove them" in refusal and "first-load bytes / hello" in refusal
    noisy = noisy_doc()["figures"]  # a note may stay while its figure is within noise
    assert missed.stale(noisy, {"cold start / hello": note}) == []


def test_in_flight_ignores_finished_and_inline_urls() -> None:
    journal = Journal(
        requests={
            "1": Request("http://h/plotly.min.js"),
            "2": Request("http://h/app.js", status=200, finished=True),
            "3": Request("data:image/png;base64,AAAA"),
            "4": Request("http://h/gone.js", failure="net::ERR_FAILED", finished=True),
        }
    )
    assert page_load.in_flight(journal) == ["http://h/plotly.min.js"]


def test_suite_summary_skips_makes_own_lines() -> None:
    output = (
        "tests/x.py ..\n===== 224 passed in 365.02s (0:06:05) =====\nmake[1]: Leaving directory\n"
    )
    assert suite_time.pytest_summary(output) == "224 passed in 365.02s (0:06:05)"
    assert (
        suite_time.pytest_summary("make: *** [test] Error 2\n") == "no pytest summary in the output"
    )


def make_dry_run(*command: str, makeflags: str = "") -> list[str]:
    """The pytest line ``make -n`` would run (nothing runs), with MAKEFLAGS as a parent make's."""
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MAKELEVEL", "ARGS")}
    result = subprocess.run(
        [*command, "-n", "--no-print-directory"],
        cwd=REPO_ROOT,
        env={**env, "MAKEFLAGS": makeflags},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return [line for line in result.stdout.splitlines() if " pytest " in line]


def test_suite_time_runs_what_make_test_runs_whatever_make_bench_was_given() -> None:
    plain = make_dry_run("make", "test")
    quick = '--no-loadscope-reorder -m "not slow and not connect" '
    assert len(plain) == 1 and plain[0].endswith(quick), plain
    # `make bench ARGS=...` hands ARGS to the make it starts: the bench's run stays whole.
    assert make_dry_run(*suite_time.SUITE_COMMAND, makeflags=" -- ARGS=-k\\ x") == plain


def test_make_test_passes_args_to_pytest() -> None:
    [line] = make_dry_run("make", "test", "ARGS=-k dashboard -x")
    assert line.endswith('-m "not slow and not connect" -k dashboard -x'), line


# -- missed targets carry a note ---------------------------------------------------------
def test_missed_rows_carry_their_note_or_ask_for_one() -> None:
    doc = sample_doc()
    note = missed.Note(why="Starts are slow.", next="Cut the imports.")
    with_note = summary.markdown(doc, None, {"cold start / dash": note})
    assert "| MISSED (see below) |" in with_note
    missed_line = "- target missed: cold start of dash: ratio 2.77 (2.58-3.00) > 1.15."
    assert f"{missed_line} Why: Starts are slow." in with_note
    assert "Next: Cut the imports." in with_note
    without = summary.markdown(doc, None, {})
    assert "| MISSED (NO NOTE) |" in without and "add ['cold start / dash']" in without
    assert missed.unexplained(doc["figures"], {}) == ["cold start / dash"]
    assert missed.unexplained(doc["figures"], {"cold start / dash": note}) == []


@pytest.mark.parametrize(
    "entry",
    [{"why": "x"}, {"why": "x", "next": " "}, {"why": "x", "next": "y", "extra": "z"}, "text"],
)
def test_bad_notes_are_refused(entry: Any) -> None:
    with pytest.raises(missed.BadNotes, match="exactly a non-empty `why` and `next`"):
        missed.parse({"cold start / dash": entry})


def test_committed_notes_parse() -> None:
    notes = missed.load()
    assert all(n.why and n.next for n in notes.values())


def test_rewrite_puts_each_note_in_the_readme(tmp_path: Path) -> None:
    results, target = tmp_path / "results.json", tmp_path / "README.md"
    results.write_text(json.dumps(sample_doc()))
    target.write_text(f"{readme.START}\n{readme.END}\n")
    notes = tmp_path / "missed.toml"
    notes.write_text('["cold start / dash"]\nwhy = "Slow."\nnext = "Faster."\n')
    readme.rewrite(results, target, tmp_path / "c.png", lambda doc, path: False, notes)
    assert "Why: Slow. Next: Faster." in target.read_text()


# -- repeat visits and callback overhead -------------------------------------------------
def test_breakdown_lists_what_still_went_over_the_wire() -> None:
    requests = [
        Request("http://127.0.0.1:1/c/", encoded_bytes=2048.0),
        Request("http://127.0.0.1:1/c/_dash-layout", encoded_bytes=512.0),
        Request("http://127.0.0.1:1/c/big.js", encoded_bytes=0.0),  # from the cache
    ]
    assert [r.url for r in wire.transferred(requests)] == [requests[0].url, requests[1].url]
    assert wire.breakdown(requests) == "(index) 2.0, _dash-layout 0.5 KiB"
    assert wire.breakdown(requests, limit=1) == "(index) 2.0 KiB (+1 more: 0.5)"
    assert wire.breakdown(requests[2:]) == "nothing"


def test_repeat_visit_figure_is_the_share_of_the_first_visit(tmp_path: Path) -> None:
    visits = repeat_visit.Visits(
        first_kib=[999.0, 300.0, 310.0],  # the warm-up round first
        repeats=[[], [], [Request("http://127.0.0.1:1/c/", encoded_bytes=3072.0)]],
    )
    app = subject_from_settings("hello", tmp_path, {}, {})
    fig = repeat_visit.figure(app, [3.0, 3.0], visits)
    assert fig.baseline_samples == [300.0, 310.0]
    assert fig.ratio == pytest.approx(3.0 / 305.0) and not fig.misses()
    assert fig.note == "still sent: (index) 3.0 KiB"
    heavy = repeat_visit.figure(app, [30.0, 30.0], visits)
    assert heavy.misses() == ["ratio 0.10 > 0.05"]


def test_callback_figures_compare_throughput_and_p95_with_the_baseline() -> None:
    def run(ms: float, count: int) -> callback_overhead.LoadRound:
        return callback_overhead.LoadRound(
            [ms] * (count - 1) + [ms * 3], 2.0, server_cpu_s=count / 250
        )

    figures = callback_overhead.figures_from(
        {
            callback_overhead.SUBJECT: [run(10.0, 180), run(10.0, 180)],
            callback_overhead.BASELINE: [run(9.0, 200), run(9.0, 200)],
        },
        {callback_overhead.SUBJECT: [5.0, 5.2], callback_overhead.BASELINE: [4.5, 4.6]},
    )
    throughput, p95, single, cpu = figures
    assert throughput.subject_samples == [90.0, 90.0] and throughput.ratio == pytest.approx(0.9)
    assert not throughput.misses()
    assert p95.subject_samples == [10.0, 10.0] and p95.ratio == pytest.approx(10 / 9)
    assert p95.misses() == ["ratio 1.11 > 1.1"]
    assert single.ratio == pytest.approx((5.0 / 4.5 + 5.2 / 4.6) / 2) and not single.misses()
    assert cpu.subject_samples == [4.0, 4.0] and cpu.ratio == pytest.approx(1.0)


def test_callback_work_is_the_same_for_both_servers() -> None:
    from scripts.perf import callback_work

    summary_text, table = callback_work.aggregate("EMEA")
    assert summary_text.startswith("EMEA: ") and len(table) == callback_work.TOP
    assert table == sorted(table, key=lambda row: row["revenue"], reverse=True)
    everything, _ = callback_work.aggregate("nowhere")  # unknown: every region
    assert everything.startswith("All regions")
    body = callback_work.request_body("AMER")
    assert body["inputs"] == [{"id": "region", "property": "value", "value": "AMER"}]


def test_rows_show_notes_and_small_ratios_with_three_decimals() -> None:
    fig = Figure("repeat-visit bytes", "hello", "first", "KiB", [3.6], [288.0], max_ratio=0.05)
    fig.note = "still sent: (index) 2.4 KiB"
    doc = summary.document(
        [discovery.ModuleResult("repeat-visit", "ok", figures=[fig])], True, summary.started_now()
    )
    (row,) = summary.rows(doc)
    assert row[2] == "3.60 KiB (still sent: (index) 2.4 KiB)"
    assert row[4] == "0.013x" and row[6] == "ok"
    assert summary.ratio_text(1.034) == "1.03x" and summary.ratio_text(None) == "-"


def test_paired_figures_take_the_median_of_the_pairs_ratios() -> None:
    # a load that halves both servers in round 2 moves both samples of that pair alike
    fig = Figure("t", "s", "b", "req/s", [90.0, 45.0, 88.0], [100.0, 50.0, 80.0], paired=True)
    assert fig.ratio == pytest.approx(0.9)
    assert Figure("t", "s", "b", "req/s", [90.0, 45.0, 88.0], [100.0, 50.0, 80.0]).ratio == (
        pytest.approx(88.0 / 80.0)
    )
    uneven = Figure("t", "s", "b", "ms", [1.0, 2.0], [1.0], paired=True)
    with pytest.raises(ValueError, match="paired samples differ in number"):
        _ = uneven.ratio


def test_in_parallel_runs_jobs_at_once() -> None:
    import threading

    barrier = threading.Barrier(3, timeout=10)  # only passes if all three run together
    seen: list[int] = []

    def job(index: int) -> None:
        barrier.wait()
        seen.append(index)

    in_parallel([partial(job, i) for i in range(3)])
    assert sorted(seen) == [0, 1, 2]


def test_cold_start_figures_pair_each_app_with_the_baseline_started_with_it(
    tmp_path: Path,
) -> None:
    starts = cold_start.Starts()
    starts.add(cold_start.Starts([1200.0], [450.0], [1000.0], [430.0]))
    starts.add(cold_start.Starts([3300.0], [460.0], [3000.0], [440.0]))  # a busier moment
    app = subject_from_settings("multi-page", tmp_path, {}, {})
    wall, cpu = cold_start.figures_for(app, starts)
    assert wall.paired and wall.ratio == pytest.approx((1.2 + 1.1) / 2)
    assert wall.max_ratio == subjects.DEFAULT_MAX_COLD_START_RATIO and not wall.misses()
    assert cpu.baseline_samples == [430.0, 440.0] and cpu.max_ratio is None
