"""connectkit's wheel and sdist: built with ``uv build``, checked, installed alone.

``installed_alone`` proves the wheel stands by itself: a fresh virtualenv
with nothing but the wheel and its dependencies, Python started isolated
(``-I``: no ``PYTHONPATH``, no working directory on the path) from a folder
outside the workspace.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from scripts.release.record import SHARED_DIR

BUILD_TIMEOUT_S = 300.0
INSTALL_TIMEOUT_S = 600.0
# What the installed package says about itself, printed as JSON by the fresh interpreter.
_PROBE = """
import json
from importlib.metadata import entry_points, version
from importlib.resources import files
import connectkit
print(json.dumps({
    "file": connectkit.__file__,
    "version": connectkit.__version__,
    "metadata_version": version("connectkit"),
    "entry_points": [e.value for e in entry_points(group="dash_hooks") if e.name == "connectkit"],
    "typed": files("connectkit").joinpath("py.typed").is_file(),
}))
"""


class DistError(RuntimeError):
    """Building, checking or installing the package failed; the message carries the output."""


@dataclass(frozen=True)
class Dist:
    wheel: Path
    sdist: Path


def find_uv() -> str:
    """uv from ``$UV``, else PATH, else next to this Python (as the Makefile's)."""
    for candidate in (
        os.environ.get("UV"),
        shutil.which("uv"),
        str(Path(sys.executable).parent / "uv"),
    ):
        if candidate and Path(candidate).is_file():
            return candidate
    raise DistError("uv not found: set UV=/path/to/uv or put uv on PATH")


def _run(command: list[str], *, timeout: float, cwd: Path | None = None) -> str:
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    try:
        done = subprocess.run(
            command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired:
        raise DistError(f"{' '.join(command)} did not finish in {timeout:.0f} s") from None
    if done.returncode != 0:
        tail = "\n".join((done.stdout + done.stderr).splitlines()[-25:])
        raise DistError(f"{' '.join(command)} failed (exit {done.returncode}):\n{tail}")
    return done.stdout


def build(out_dir: Path, shared_dir: Path = SHARED_DIR) -> Dist:
    """``uv build`` of ``shared/``: the wheel (built from the sdist) and the sdist."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for old in [*out_dir.glob("connectkit-*.whl"), *out_dir.glob("connectkit-*.tar.gz")]:
        old.unlink()
    _run(
        [find_uv(), "build", "--quiet", "--out-dir", str(out_dir), str(shared_dir)],
        timeout=BUILD_TIMEOUT_S,
    )
    wheels, sdists = (
        list(out_dir.glob("connectkit-*.whl")),
        list(out_dir.glob("connectkit-*.tar.gz")),
    )
    if len(wheels) != 1 or len(sdists) != 1:
        raise DistError(
            f"uv build left {wheels + sdists} in {out_dir}; expected one wheel and one sdist"
        )
    return Dist(wheel=wheels[0], sdist=sdists[0])


def twine_check(dist: Dist) -> None:
    """PyPI's metadata check (``twine check --strict``: warnings fail too)."""
    twine = Path(sys.executable).parent / "twine"
    _run(
        [str(twine), "check", "--strict", str(dist.wheel), str(dist.sdist)], timeout=BUILD_TIMEOUT_S
    )


def install_alone(wheel: Path, venv: Path) -> Path:
    """A fresh virtualenv holding the wheel and its dependencies; its ``python``."""
    uv = find_uv()
    _run([uv, "venv", "--quiet", "--python", sys.executable, str(venv)], timeout=INSTALL_TIMEOUT_S)
    python = venv / "bin" / "python"
    _run(
        [uv, "pip", "install", "--quiet", "--python", str(python), str(wheel)],
        timeout=INSTALL_TIMEOUT_S,
    )
    return python


def probe(python: Path, cwd: Path) -> dict[str, object]:
    """What ``import connectkit`` gives in that interpreter, isolated, run from ``cwd``."""
    out = _run([str(python), "-I", "-c", _PROBE], cwd=cwd, timeout=BUILD_TIMEOUT_S)
    result = json.loads(out.strip().splitlines()[-1])
    assert isinstance(result, dict)
    return result
