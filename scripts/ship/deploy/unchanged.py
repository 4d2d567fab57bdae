"""Is a new bundle the same as the content's active one? Then nothing is uploaded.

The upload is ``rsconnect deploy manifest``: the tarball holds the bundle's
own ``manifest.json`` and exactly the files it lists. So the active bundle,
downloaded (``GET v1/content/{guid}/bundles/{id}/download``), is the same
when its manifest and every listed file are byte-equal to the local ones.
Anything else in the download (what a server adds) is ignored: a file added
to or removed from the app changes the manifest's file list anyway.
"""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path

from posit.connect import Client

MANIFEST = "manifest.json"


def bundle_contents(bundle_dir: Path) -> dict[str, bytes]:
    """The files rsconnect would upload from ``bundle_dir``: the manifest and what it lists."""
    manifest = (bundle_dir / MANIFEST).read_bytes()
    listed = json.loads(manifest).get("files", {})
    files = {name: (bundle_dir / name).read_bytes() for name in listed if name != MANIFEST}
    return {MANIFEST: manifest, **files}


def tarball_contents(data: bytes, wanted: set[str]) -> dict[str, bytes]:
    """The ``wanted`` members of a bundle tarball (``./`` prefixes ignored)."""
    found: dict[str, bytes] = {}
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        for member in tar.getmembers():
            name = member.name.removeprefix("./")
            extracted = tar.extractfile(member) if member.isfile() else None
            if name in wanted and extracted is not None:
                found[name] = extracted.read()
    return found


def same_as_active(client: Client, content: dict[str, object], bundle_dir: Path) -> bool:
    """True when ``content``'s active bundle has exactly the files the new one would upload."""
    bundle_id = content.get("bundle_id")
    if not bundle_id:
        return False
    local = bundle_contents(bundle_dir)
    response = client.get(f"v1/content/{content['guid']}/bundles/{bundle_id}/download")
    return tarball_contents(response.content, set(local)) == local
