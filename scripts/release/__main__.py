"""``python -m scripts.release check|record``: make release-check, make release-record.

``check``: the version matches the code (``scripts.release.record``), then the
wheel and sdist build, pass ``twine check --strict``, and the wheel installs
in a fresh virtualenv and imports with no workspace on the path.
``record``: records the current files as the current version.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from scripts.catalog import REPO_ROOT
from scripts.release import dist, record

DIST_DIR = REPO_ROOT / "build" / "dist"


def check_dist(version: str) -> None:
    built = dist.build(DIST_DIR)
    print(f"built {built.wheel.name} and {built.sdist.name} in {DIST_DIR.relative_to(REPO_ROOT)}")
    dist.twine_check(built)
    print("twine check --strict: passed")
    with tempfile.TemporaryDirectory(prefix="connectkit-alone-") as tmp:
        python = dist.install_alone(built.wheel, Path(tmp) / "venv")
        found = dist.probe(python, cwd=Path(tmp))
    expected = {
        "version": version,
        "metadata_version": version,
        "entry_points": ["connectkit.entry_point"],
        "typed": True,
    }
    wrong = {k: found.get(k) for k, v in expected.items() if found.get(k) != v}
    inside = str(found.get("file", "")).startswith(tmp)
    if wrong or not inside:
        raise dist.DistError(
            f"the installed wheel is not what was built: {wrong} (from {found.get('file')})"
        )
    print(f"installed alone in a fresh venv and imported from it: connectkit {version}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.release", description=__doc__)
    parser.add_argument("action", choices=("check", "record"))
    args = parser.parse_args(argv)
    try:
        if args.action == "record":
            new = record.record()
            where = record.RECORD_FILE.relative_to(REPO_ROOT)
            print(f"recorded connectkit {new.version} ({new.digest[:12]}) in {where}")
            return 0
        version = record.check()
        print(f"connectkit {version}: its files are the ones recorded for it")
        check_dist(version)
    except (record.ReleaseError, dist.DistError) as error:
        print(f"release-check: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
