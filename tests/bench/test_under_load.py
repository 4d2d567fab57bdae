"""make test-under-load: the hog runs while the suite runs and is gone after;
any failed run fails the whole."""

from __future__ import annotations

from pathlib import Path

import psutil
import pytest

from scripts.perf import under_load


def test_the_hog_spins_inside_and_is_gone_after() -> None:
    with under_load.cpu_hog(2) as hogs:
        assert all(psutil.Process(h.pid).is_running() for h in hogs)
    assert all(h.returncode is not None for h in hogs)


def test_the_hog_stops_when_the_suite_raises() -> None:
    with pytest.raises(KeyboardInterrupt), under_load.cpu_hog(1) as hogs:
        raise KeyboardInterrupt
    assert hogs[0].returncode is not None


@pytest.mark.parametrize(("statuses", "exit_status"), [((0, 0, 0), 0), ((0, 2, 0), 1)])
def test_one_failed_run_fails_the_whole(
    statuses: tuple[int, ...],
    exit_status: int,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    results = iter(statuses)
    seen: list[tuple[list[str], Path]] = []

    def suite(make_args: list[str], log: Path) -> tuple[int, float, str]:
        seen.append((list(make_args), log))
        return next(results), 1.0, "summary"

    monkeypatch.setattr(under_load, "run_suite", suite)
    monkeypatch.setattr(under_load, "LOG_DIR", tmp_path)
    assert under_load.main(["--runs", "3", "--hogs", "0", "ARGS=-k x"]) == exit_status
    assert [args for args, _ in seen] == [["ARGS=-k x"]] * 3
    said = capsys.readouterr().out
    assert f"{3 - (exit_status and 1)} of 3 run(s) passed under load" in said


def test_zero_runs_is_refused() -> None:
    with pytest.raises(SystemExit):
        under_load.main(["--runs", "0"])
