"""The content's thumbnail (``deploy.thumbnail``, default the app's screenshot.png).

``GET/PUT v1/content/{guid}/thumbnail`` carry the raw image (Connect
2024.09.0+; no rsconnect flag, no posit-sdk helper). The file was checked when
the settings were read (PNG or JPEG, size); it is uploaded only when the
server's image differs.
"""

from __future__ import annotations

from pathlib import Path

import requests
from posit.connect import Client
from posit.connect.errors import ClientError

from scripts.connect_rules.thumbnails import image_type

NOT_FOUND = 404


def read_thumbnail(app_dir: Path, relative: str | None) -> bytes | None:
    return (app_dir / relative).read_bytes() if relative else None


def current_thumbnail(client: Client, guid: str) -> bytes | None:
    """The server's image, or None when the content has none."""
    try:
        return bytes(client.get(f"v1/content/{guid}/thumbnail").content)
    except ClientError as error:
        if error.http_status == NOT_FOUND:
            return None
        raise
    except requests.HTTPError as error:  # a 404 without Connect's JSON error body
        if error.response is not None and error.response.status_code == NOT_FOUND:
            return None
        raise


def set_thumbnail(client: Client, guid: str, image: bytes) -> None:
    media_type = image_type(image) or "application/octet-stream"
    client.put(f"v1/content/{guid}/thumbnail", data=image, headers={"Content-Type": media_type})
