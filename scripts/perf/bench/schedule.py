"""Interleaved repetitions: A B C A B C ..., warm-up rounds thrown away.

Running every subject once per round (baseline first) means a machine that
slows down during the run slows all of them alike, so their ratio holds.
Where the load changes faster than a round, ``in_parallel`` measures a
subject and its baseline at the same moment instead.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

QUICK_RUNS = 2
FULL_RUNS = 5
WARMUP_ROUNDS = 1


@dataclass(frozen=True)
class Slot:
    round: int
    label: str
    warmup: bool


def rounds_for(quick: bool, full: int = FULL_RUNS, quick_runs: int = QUICK_RUNS) -> int:
    return quick_runs if quick else full


def schedule(labels: Sequence[str], runs: int, warmup: int = WARMUP_ROUNDS) -> list[Slot]:
    """Every label once per round, in the given order, warm-up rounds first."""
    if runs < 1:
        raise ValueError(f"runs must be at least 1, got {runs}")
    if warmup < 0:
        raise ValueError(f"warmup must be 0 or more, got {warmup}")
    if len(set(labels)) != len(labels):
        raise ValueError(f"labels must be distinct, got {list(labels)}")
    return [
        Slot(round=r, label=label, warmup=r < warmup)
        for r in range(warmup + runs)
        for label in labels
    ]


@dataclass
class Samples:
    """What an interleaved run gave: samples per label, and the labels that failed."""

    values: dict[str, list[float]]
    errors: dict[str, str]


def interleaved(
    probes: Mapping[str, Callable[[], float]], runs: int, warmup: int = WARMUP_ROUNDS
) -> Samples:
    """Call each probe once per round (dict order); keep the non-warm-up samples.

    A probe that raises is dropped from the later rounds and its error kept,
    so one broken subject does not cost the others their figures.
    """
    result = Samples(values={label: [] for label in probes}, errors={})
    for slot in schedule(list(probes), runs, warmup):
        if slot.label in result.errors:
            continue
        try:
            value = probes[slot.label]()
        except Exception as error:  # reported, never fatal: see the docstring
            result.errors[slot.label] = f"{type(error).__name__}: {error}"
            result.values[slot.label] = []
            continue
        if not slot.warmup:
            result.values[slot.label].append(value)
    return result


def in_parallel(jobs: Sequence[Callable[[], None]]) -> float:
    """Run each job in its own thread, all at once; seconds until the last one ended."""
    threads = [threading.Thread(target=job) for job in jobs]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.monotonic() - started
