"""What may enter a bundle, and what app code sees while the pipeline runs it.

A bundle holds the app's own regular files only: a link (to ``/proc/self/environ``
above all), a FIFO, a socket stops that app's build with an error naming the
file, and the other apps still build. The import check and the manifest step
run app code with an allow-list environment: no key of the pipeline reaches it.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest

from scripts.bundle.build import BundleError, build_bundle, copy_app_files, vendor_shared_package
from scripts.catalog import REPO_ROOT, AppInfo
from tests.support.workspace import scratch_workspace

HELLO = (REPO_ROOT / "apps" / "hello" / "app.py").read_text()
SECRET = f"pipeline-secret-{uuid.uuid4().hex}"  # in the deployer's environment only
# Connect's own, GitHub's, the runner's and a cloud key: none may reach app code.
PIPELINE_SECRETS = {
    "CONNECT_API_KEY": SECRET,
    "GITHUB_TOKEN": SECRET,
    "ACTIONS_RUNTIME_TOKEN": SECRET,
    "AWS_SECRET_ACCESS_KEY": SECRET,
    "DATABASE_URL": f"postgresql://app:{SECRET}@db.example/sales",  # not declared
}
DUMPING_APP = (
    "import json, os\n"
    "with open(os.environ['ENV_DUMP'], 'w') as out:\n"
    "    json.dump(dict(os.environ), out)\n" + HELLO
)
DECLARES = '\n[tool.monorepo.deploy]\nenvironment = ["ENV_DUMP", "REPORT_TITLE", "GITHUB_TOKEN"]\n'


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    apps = {
        "leaky": {"app.py": HELLO, "assets/style.css": "body {}"},
        "fine": {"app.py": HELLO},
        "dumper": {"app.py": DUMPING_APP},
    }
    root = scratch_workspace(tmp_path_factory.mktemp("safety") / "ws", apps)
    (root / "apps" / "leaky" / "assets" / "env.txt").symlink_to("/proc/self/environ")
    with (root / "apps" / "dumper" / "pyproject.toml").open("a") as pyproject:
        pyproject.write(DECLARES)  # after the lock: a [tool] table does not change it
    return root


def test_a_link_to_proc_environ_fails_that_app_alone_and_leaks_nothing(
    workspace: Path, tmp_path: Path
) -> None:
    """In a child process whose own /proc/self/environ holds the secrets, as in CI."""
    out = tmp_path / "bundles"
    script = (
        "import json, sys\n"
        "from pathlib import Path\n"
        "from scripts.bundle.build import build_bundles\n"
        "from scripts.catalog import find_app\n"
        "ws = Path(sys.argv[1])\n"
        "apps = [find_app(n, ws / 'apps') for n in ('leaky', 'fine')]\n"
        "built, failed = build_bundles(apps, Path(sys.argv[2]), workspace=ws)\n"
        "print(json.dumps({'built': [b.app.name for b in built],\n"
        "                  'failed': {f.app_name: f.message for f in failed}}))\n"
    )
    env = {**os.environ, **PIPELINE_SECRETS}
    result = subprocess.run(
        [sys.executable, "-c", script, str(workspace), str(out)],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    outcome = json.loads(result.stdout.splitlines()[-1])
    assert outcome["built"] == ["fine"]
    message = outcome["failed"]["leaky"]
    assert "assets/env.txt is a symbolic link" in message and "regular files" in message
    assert (out / "fine" / "manifest.json").is_file()
    assert not (out / "leaky" / "assets" / "env.txt").exists()
    for path in out.rglob("*"):
        if path.is_file():
            assert SECRET.encode() not in path.read_bytes(), path
    assert SECRET not in result.stdout + result.stderr


def _fifo(path: Path) -> None:
    os.mkfifo(path)


def _socket(path: Path) -> None:
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(path))
    server.close()  # the socket file stays


def _file_link(path: Path) -> None:
    path.symlink_to("app.py")  # even a link to the app's own file


def _folder_link(path: Path) -> None:
    path.symlink_to("/etc", target_is_directory=True)


@pytest.mark.parametrize(
    ("make", "kind"),
    [
        (_fifo, "FIFO"),
        (_socket, "socket"),
        (_file_link, "symbolic link"),
        (_folder_link, "symbolic link"),
    ],
    ids=["fifo", "socket", "link-to-own-file", "link-to-folder"],
)
def test_anything_but_a_regular_file_stops_the_copy(
    make: Callable[[Path], None], kind: str, tmp_path: Path
) -> None:
    app = tmp_path / "apps" / "demo"
    (app / "data").mkdir(parents=True)
    (app / "app.py").write_text(HELLO)
    make(app / "data" / "special")
    with pytest.raises(BundleError, match=rf"demo: .*data/special is a {kind}"):
        copy_app_files(app, tmp_path / "bundle")
    assert not (tmp_path / "bundle" / "data" / "special").exists()


def test_links_in_folders_a_bundle_leaves_out_are_never_read(tmp_path: Path) -> None:
    app = tmp_path / "apps" / "demo"
    (app / ".venv" / "bin").mkdir(parents=True)
    (app / "app.py").write_text(HELLO)
    (app / ".venv" / "bin" / "python").symlink_to(sys.executable)  # a virtualenv's link
    (app / ".env").symlink_to("/proc/self/environ")  # left out by name: never opened
    copy_app_files(app, tmp_path / "bundle")
    assert sorted(p.name for p in (tmp_path / "bundle").iterdir()) == ["app.py"]


def test_the_vendored_package_is_copied_without_links_too(tmp_path: Path) -> None:
    package = tmp_path / "src" / "connectkit"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "secrets.txt").symlink_to("/proc/self/environ")
    (tmp_path / "bundle").mkdir()
    with pytest.raises(BundleError, match=r"connectkit/secrets.txt is a symbolic link"):
        vendor_shared_package(tmp_path / "bundle", package)


def test_the_import_check_runs_app_code_with_an_allow_list_environment(
    workspace: Path, tmp_path: Path
) -> None:
    dump_path = tmp_path / "environ.json"
    allowed = {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "ENV_DUMP": str(dump_path),  # declared
        "REPORT_TITLE": "Quarterly",  # declared
    }
    environ = {**PIPELINE_SECRETS, **allowed, "UNDECLARED_SETTING": "not for the app"}
    app = AppInfo("dumper", workspace / "apps" / "dumper")
    build_bundle(app, tmp_path / "bundles", environ=environ, workspace=workspace)
    seen = json.loads(dump_path.read_text())
    assert seen.pop("PYTHONDONTWRITEBYTECODE") == "1"  # the check's own
    assert seen == allowed  # GITHUB_TOKEN is declared, and still not passed: a credential
    assert SECRET not in json.dumps(seen)
