"""``make screenshots [APP=name]``: a picture of every app (or one), and the README gallery.

Each discovered app is served by the same runner as ``make run`` and opened
in headless Chromium by the smoke harness, as its ``[tool.monorepo.smoke]``
visitor (an app that shows what Connect recorded: on the stand-in, with
data: ``on_stand_in``). Only a page that passes the smoke check is photographed, to
``apps/<name>/screenshot.png``; then the README's gallery table is rewritten.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

from selenium import webdriver

from scripts.browser.driver import make_driver
from scripts.browser.smoke import AppPage, SmokeFailure
from scripts.catalog import AppInfo, discover_apps, find_app, smoke_visitor
from scripts.gallery.on_stand_in import GalleryError, photographed_on_stand_in, stand_in_picture
from scripts.gallery.table import SCREENSHOT, show_picture, write_readme
from scripts.runner.serve import AppFailedToStart, serve


def photograph(app: AppInfo, driver: webdriver.Chrome, log_dir: Path) -> Path:
    """Serve ``app``, check its page, and copy the screenshot beside it."""
    target = app.path / SCREENSHOT
    picture = stand_in_picture(app)
    if picture is not None:  # an app showing what Connect recorded: with data
        with photographed_on_stand_in(app, picture, driver) as page:
            shutil.copyfile(page.screenshot_path, target)
    else:
        visitor = smoke_visitor(app)
        with serve(app.path, user=visitor.user, groups=visitor.groups, log_dir=log_dir) as served:
            page = AppPage(driver, served, label=f"gallery-{app.name}")
            page.open().check()  # saves the screenshot once the page proved clean
            shutil.copyfile(page.screenshot_path, target)
    if show_picture(app):
        print(f"{app.name}: its README.md now shows {SCREENSHOT}")
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("apps", nargs="*", help="app names (default: every app)")
    names = parser.parse_args(argv).apps
    apps = discover_apps()
    chosen = [find_app(name) for name in names] if names else apps
    failed = []
    driver = make_driver()
    try:
        with tempfile.TemporaryDirectory(prefix="screenshots-") as logs:
            for app in chosen:
                try:
                    target = photograph(app, driver, Path(logs) / app.name)
                except (SmokeFailure, AppFailedToStart, GalleryError) as error:
                    print(
                        f"{app.name}: no screenshot, the page is broken:\n{error}", file=sys.stderr
                    )
                    failed.append(app.name)
                else:
                    print(f"{app.name}: {target}")
    finally:
        driver.quit()
    write_readme(apps)
    print("README.md: gallery table rewritten")
    if failed:
        print(f"broken apps (old screenshot kept, if any): {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
