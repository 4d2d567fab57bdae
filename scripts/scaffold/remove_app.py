"""Remove an app again: ``make remove-app NAME=my-report``, the reverse of ``make new-app``.

Deletes ``apps/<name>/`` (screenshot included) and its tests
(``tests/apps/<module>/``), then ``uv lock``
drops it from the workspace lock and the README gallery is redrawn without it.
An unknown name is refused with the nearest app name. The reference apps
(hello, multi-page, user-greeting, group-dashboard) are refused unless
``FORCE=1``: other tests, the bench and the README use them by name.
The files are moved aside first and put back if ``uv lock`` fails.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from scripts.catalog import REPO_ROOT, UnknownAppError, discover_apps, find_app
from scripts.gallery.table import GalleryError, write_readme
from scripts.scaffold.new_app import Scaffold, ScaffoldError, uv_lock

# Apps the rest of the repository names (tests, bench subjects, README text).
REFERENCE_APPS = frozenset(
    {"hello", "multi-page", "user-greeting", "group-dashboard", "my-content", "report-builder"}
)


def doomed_paths(scaffold: Scaffold) -> list[Path]:
    """The app folder and its tests folder, as they exist now."""
    return [p for p in (scaffold.app_dir, scaffold.test_dir) if p.exists()]


def validate(root: Path, name: str, force: bool) -> Scaffold:
    """The app to remove, or ScaffoldError naming the problem and the fix."""
    if not name:
        raise ScaffoldError("NAME is not set: e.g. make remove-app NAME=my-report")
    try:
        find_app(name, root / "apps")
    except UnknownAppError as error:
        raise ScaffoldError(f"NAME={name}: {error}") from None
    if name in REFERENCE_APPS and not force:
        raise ScaffoldError(
            f"NAME={name} is one of the reference apps, which other tests, the bench and "
            f"the README use by name; make remove-app NAME={name} FORCE=1 removes it anyway"
        )
    return Scaffold(root, name)


def remove(
    root: Path, name: str, force: bool = False, lock: Callable[[Path], None] = uv_lock
) -> list[Path]:
    """Remove the app and its tests, then lock; if locking fails, put everything back."""
    scaffold = validate(root, name, force)
    doomed = doomed_paths(scaffold)
    lock_file = root / "uv.lock"
    lock_before = lock_file.read_bytes() if lock_file.is_file() else None
    # Parked outside apps/: uv reads every apps/* folder as a workspace member.
    (root / "build").mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=f"remove-{name}-", dir=root / "build") as aside:
        moved = [(path, Path(aside) / str(i)) for i, path in enumerate(doomed)]
        for path, parked in moved:
            shutil.move(path, parked)
        try:
            lock(root)
        except BaseException:
            for path, parked in moved:
                shutil.move(parked, path)
            if lock_before is not None:
                lock_file.write_bytes(lock_before)
            raise
    return doomed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("name", help="the app's folder name under apps/")
    parser.add_argument("--force", action="store_true", help="also remove a reference app")
    parser.add_argument("--root", type=Path, default=REPO_ROOT, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    try:
        removed = remove(args.root, args.name, args.force)
    except ScaffoldError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    for path in removed:
        print(f"removed {path.relative_to(args.root)}")
    print(f"removed {args.name} from uv.lock")
    readme = args.root / "README.md"
    try:
        write_readme(discover_apps(args.root / "apps"), readme)
        print("README.md: gallery table rewritten without it")
    except (GalleryError, FileNotFoundError):
        print("README.md has no gallery to update")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
