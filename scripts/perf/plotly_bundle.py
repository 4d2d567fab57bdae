"""The group dashboard's partial plotly.js: fetch it from npm, checked, into the app's assets.

``make plotly-bundle`` (``python -m scripts.perf.plotly_bundle``). The dashboard
draws only scatter and bar traces, so it ships plotly.js's official "basic"
bundle (scatter, bar, pie: npm ``plotly.js-basic-dist-min``, MIT licence,
about a quarter of full plotly.js on the wire) as
``shared/src/connectkit/static/plotly-basic.min.js`` (linked by apps created
with ``create_app(..., plotly_basic=True)``: the group dashboard, usage). Dash links every script
in ``assets/`` into the page, so ``window.Plotly`` is defined before any
``dcc.Graph`` renders, and the Graph uses it instead of loading the full
plotly.js (Dash 4's ``plotly/package_data/plotly.min.js``).

The version is the plotly.js the installed ``plotly`` package ships
(``plotly.offline.get_plotlyjs_version()``): figures are validated against
it. The tarball comes from the npm registry through ``npm pack`` (no CDN),
and its sha512 must match the integrity the registry publishes. The
package's LICENSE is kept beside the file; the file keeps its own header.
"""

from __future__ import annotations

import base64
import hashlib
import json
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from scripts.catalog import REPO_ROOT

PACKAGE = "plotly.js-basic-dist-min"
BUNDLE_FILE = "plotly-basic.min.js"
LICENSE_FILE = "plotly-basic.LICENSE.txt"
HEADER_MARK = "plotly.js (basic - minified) v"


def installed_plotlyjs_version() -> str:
    from plotly.offline import get_plotlyjs_version  # plotly: a dev dependency here

    return str(get_plotlyjs_version())


def assets_dir() -> Path:
    """connectkit's packaged static files: every app that links the bundle gets it there."""
    return REPO_ROOT / "shared" / "src" / "connectkit" / "static"


def bundle_version(text: str) -> str | None:
    """The version in a bundle's licence header, e.g. ``4.1.1``; None without one."""
    head = text[:400]
    if HEADER_MARK not in head:
        return None
    return head.split(HEADER_MARK, 1)[1].split()[0]


def _npm(*args: str, cwd: Path) -> str:
    done = subprocess.run(["npm", *args], cwd=cwd, capture_output=True, text=True, timeout=300)
    if done.returncode != 0:
        raise SystemExit(f"npm {' '.join(args)} failed:\n{done.stderr[-2000:]}")
    return done.stdout


def fetch(version: str, work: Path) -> Path:
    """``npm pack`` the package into ``work``; the tarball, its integrity checked."""
    spec = f"{PACKAGE}@{version}"
    integrity = json.loads(_npm("view", spec, "dist.integrity", "--json", cwd=work))
    packed = json.loads(_npm("pack", spec, "--json", "--pack-destination", str(work), cwd=work))
    tarball = work / packed[0]["filename"]
    digest = base64.b64encode(hashlib.sha512(tarball.read_bytes()).digest()).decode()
    if integrity != f"sha512-{digest}":
        raise SystemExit(f"{tarball.name}: sha512 {digest} is not the registry's {integrity}")
    return tarball


def install(tarball: Path, target: Path, version: str) -> None:
    with tarfile.open(tarball) as archive:
        for member, name in ((f"package/{BUNDLE_FILE}", BUNDLE_FILE),
                             ("package/LICENSE", LICENSE_FILE)):  # fmt: skip
            source = archive.extractfile(member)
            if source is None:
                raise SystemExit(f"{tarball.name} has no {member}")
            (target / name).write_bytes(source.read())
    found = bundle_version((target / BUNDLE_FILE).read_text(errors="replace"))
    if found != version:
        raise SystemExit(f"{BUNDLE_FILE} says v{found}, expected v{version}")


def main() -> int:
    version = installed_plotlyjs_version()
    with tempfile.TemporaryDirectory(prefix="plotly-bundle-") as tmp:
        install(fetch(version, Path(tmp)), assets_dir(), version)
    print(f"wrote {PACKAGE}@{version} to {assets_dir() / BUNDLE_FILE} (and {LICENSE_FILE})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
