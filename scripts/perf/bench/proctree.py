"""A process and its children, read from /proc (Linux): peak memory and CPU time.

An app served by the runner is two processes: the gunicorn master (the runner
itself) and its worker. Each one's ``VmHWM`` is its peak resident set; their
sum is what the app costs a server at its peak (an upper bound: pages the
worker still shares with the master after the fork are counted twice).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

PROC = Path("/proc")
KIB_PER_MB = 1024.0
TICKS_PER_S = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def parent_of(stat_line: str) -> int:
    """The parent pid in a ``/proc/<pid>/stat`` line (the name may hold spaces and ')')."""
    after_name = stat_line[stat_line.rindex(")") + 2 :]
    return int(after_name.split()[1])  # fields: state, ppid, ...


def cpu_ticks(stat_line: str) -> int:
    """User + system CPU time in a ``/proc/<pid>/stat`` line, in clock ticks."""
    fields = stat_line[stat_line.rindex(")") + 2 :].split()
    return int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)


def peak_kib(status_text: str) -> int:
    """``VmHWM`` from a ``/proc/<pid>/status`` text, in KiB (0 when absent: a zombie)."""
    for line in status_text.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def process_tree(root: int, proc: Path = PROC) -> list[int]:
    """``root`` and every descendant still alive."""
    children: dict[int, list[int]] = {}
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            parent = parent_of((entry / "stat").read_text())
        except (OSError, ValueError, IndexError):
            continue  # the process ended while we looked
        children.setdefault(parent, []).append(int(entry.name))
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo.extend(children.get(pid, []))
    return tree


def _sum_over_tree(root: int, proc: Path, file: str, read: Callable[[str], int]) -> int:
    """``read`` applied to ``/proc/<pid>/<file>`` of every process in the tree, summed."""
    total = 0
    for pid in process_tree(root, proc):
        try:
            total += read((proc / str(pid) / file).read_text())
        except OSError:
            continue  # ended since the tree was listed
    return total


def peak_rss_mb(root: int, proc: Path = PROC) -> float:
    """Sum of the peak RSS of ``root`` and its descendants, in MB (MiB)."""
    return _sum_over_tree(root, proc, "status", peak_kib) / KIB_PER_MB


def cpu_seconds(root: int, proc: Path = PROC) -> float:
    """CPU time (user + system) used so far by ``root`` and its live descendants."""
    return _sum_over_tree(root, proc, "stat", cpu_ticks) / TICKS_PER_S
