"""Is a new bundle the same as the content's active one? Then nothing is uploaded.

The active bundle is downloaded (``GET v1/content/{guid}/bundles/{id}/download``)
and the files its manifest lists are compared, byte for byte, with the new
bundle's files. ``manifest.json`` itself is left out on both sides: it is
written by the tooling (rsconnect's and pip's versions) and lists exactly the
files compared. Whatever else the download holds (what a server adds) is
ignored. So the comparison can run on a staged bundle, before the slow
import check and manifest (``scripts.bundle.build.complete_bundle``).
"""

from __future__ import annotations

import io
import json
import tarfile
from collections.abc import Mapping
from pathlib import Path

import requests
from posit.connect import Client
from posit.connect.errors import ClientError

from scripts.bundle.build import bundle_files

MANIFEST = "manifest.json"
NOT_FOUND = 404


def local_files(bundle_dir: Path) -> dict[str, bytes]:
    """The bundle's files but its manifest."""
    return {n: (bundle_dir / n).read_bytes() for n in bundle_files(bundle_dir) if n != MANIFEST}


def archived_files(data: bytes) -> dict[str, bytes]:
    """The files a bundle tarball's manifest lists (all if none), without the manifest."""
    members: dict[str, bytes] = {}
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        for member in tar.getmembers():
            extracted = tar.extractfile(member) if member.isfile() else None
            if extracted is not None:
                members[member.name.removeprefix("./")] = extracted.read()
    manifest = json.loads(members[MANIFEST]) if MANIFEST in members else {}
    listed = manifest.get("files") or members
    return {name: members[name] for name in listed if name != MANIFEST and name in members}


def same_as_active(client: Client, content: Mapping[str, object], bundle_dir: Path) -> bool:
    """True when ``content``'s active bundle has exactly the files of ``bundle_dir``."""
    bundle_id = content.get("bundle_id")
    if not bundle_id:
        return False
    path = f"v1/content/{content['guid']}/bundles/{bundle_id}/download"
    try:
        response = client.get(path)
    except (ClientError, requests.HTTPError) as error:
        status = getattr(error, "http_status", None) or getattr(error.response, "status_code", 0)
        if status == NOT_FOUND:  # the active bundle's archive is gone: cannot tell, so deploy
            return False
        raise
    return archived_files(response.content) == local_files(bundle_dir)
