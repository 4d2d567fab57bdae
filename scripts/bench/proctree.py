"""A process and its children, read from /proc (Linux): peak memory and CPU time.

An app served by the runner is two processes: the gunicorn master (the runner
itself) and its worker. Each one's ``VmHWM`` is its peak resident set; their
sum is what the app costs a server at its peak (an upper bound: pages the
worker still shares with the master after the fork are counted twice).
"""

from __future__ import annotations

import os
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


def peak_rss_mb(root: int, proc: Path = PROC) -> float:
    """Sum of the peak RSS of ``root`` and its descendants, in MB (MiB)."""
    total = 0
    for pid in process_tree(root, proc):
        try:
            total += peak_kib((proc / str(pid) / "status").read_text())
        except OSError:
            continue
    return total / KIB_PER_MB


def cpu_seconds(root: int, proc: Path = PROC) -> float:
    """CPU time (user + system) used so far by ``root`` and its live descendants."""
    ticks = 0
    for pid in process_tree(root, proc):
        try:
            ticks += cpu_ticks((proc / str(pid) / "stat").read_text())
        except OSError:
            continue
    return ticks / TICKS_PER_S
