"""Content thumbnails: which images Connect takes, told apart by their first bytes.

``PUT v1/content/{guid}/thumbnail`` takes the raw image as the body (Connect
2024.09.0+). The deploy accepts PNG and JPEG only (what a screenshot is); the
stand-in accepts every type Connect lists. The size cap is ours: Connect's API
reference states none we could verify, so both sides use this one number.
"""

from __future__ import annotations

PNG, JPEG, GIF, SVG = "image/png", "image/jpeg", "image/gif", "image/svg+xml"
MAX_THUMBNAIL_BYTES = 10 * 1024 * 1024

_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", PNG),
    (b"\xff\xd8\xff", JPEG),
    (b"GIF87a", GIF),
    (b"GIF89a", GIF),
)


def image_type(data: bytes) -> str | None:
    """The media type ``data`` starts like (PNG, JPEG, GIF, SVG), or None."""
    for magic, media_type in _MAGIC:
        if data.startswith(magic):
            return media_type
    head = data[:1024].lstrip().lower()
    if head.startswith(b"<svg") or (head.startswith(b"<?xml") and b"<svg" in head):
        return SVG
    return None
