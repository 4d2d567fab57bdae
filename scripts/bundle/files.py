"""What may enter a bundle: the app's own regular files, copied without following a link.

``shutil.copytree`` copies what a symbolic link points to, so
``assets/env.txt -> /proc/self/environ`` would put the deploying process's
environment (its API key) into a bundle that Connect serves under
``/assets/``. Here every entry that would be bundled is looked at without
following links: a directory is walked, a regular file is copied (opened with
``O_NOFOLLOW``, checked again on the open file), and anything else (a symbolic
link, a device, a socket, a FIFO) stops the copy with an error naming it.
Entries ``skip`` leaves out (tests, caches, virtualenvs...) are never opened.
"""

from __future__ import annotations

import os
import shutil
import stat
from collections.abc import Callable
from pathlib import Path

Skip = Callable[[os.DirEntry[str]], bool]
_KINDS = (
    (stat.S_ISLNK, "symbolic link"),
    (stat.S_ISFIFO, "FIFO (named pipe)"),
    (stat.S_ISSOCK, "socket"),
    (stat.S_ISCHR, "character device"),
    (stat.S_ISBLK, "block device"),
)


class NotRegularFile(ValueError):
    """An entry that is neither a folder nor a regular file; the message names it."""


def kind_of(mode: int) -> str:
    return next((name for test, name in _KINDS if test(mode)), "special file")


def _refuse(path: Path, mode: int) -> NotRegularFile:
    return NotRegularFile(
        f"{path} is a {kind_of(mode)}: a bundle holds only the app's own regular files "
        "(links are not followed); replace it with the file itself, or remove it"
    )


def copy_regular_file(source: Path, target: Path) -> None:
    """Copy one regular file; refuse it if it is (or became) anything else."""
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK  # a FIFO must not block the open
    try:
        fd = os.open(source, flags)
    except OSError:
        mode = os.lstat(source).st_mode
        if not stat.S_ISREG(mode):
            raise _refuse(source, mode) from None
        raise
    with os.fdopen(fd, "rb") as reader:
        info = os.fstat(reader.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise _refuse(source, info.st_mode)
        with open(target, "xb") as writer:
            shutil.copyfileobj(reader, writer)
    os.chmod(target, stat.S_IMODE(info.st_mode))
    os.utime(target, ns=(info.st_atime_ns, info.st_mtime_ns))


def copy_regular_tree(source: Path, target: Path, skip: Skip) -> None:
    """``source`` into a new folder ``target``: folders and regular files, ``skip`` left out."""
    target.mkdir(parents=True)
    with os.scandir(source) as scan:
        entries = sorted(scan, key=lambda e: e.name)
    for entry in entries:
        if skip(entry):
            continue
        path = Path(entry.path)
        mode = entry.stat(follow_symlinks=False).st_mode
        if stat.S_ISDIR(mode):
            copy_regular_tree(path, target / entry.name, skip)
        elif stat.S_ISREG(mode):
            copy_regular_file(path, target / entry.name)
        else:
            raise _refuse(path, mode)
