"""What a first page load put on the wire, from the browser's network journal."""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

from scripts.browser.driver import Request

# Responses of these types shrink several-fold when compressed.
COMPRESSIBLE = ("text/", "javascript", "json", "xml", "svg")
# Below this many bytes on the wire, compression gains nothing worth a check
# (flask-compress itself leaves bodies under 500 bytes alone).
MIN_COMPRESSIBLE_BYTES = 1024
KIB = 1024.0


def total_kib(requests: Iterable[Request]) -> float:
    return sum(r.encoded_bytes for r in requests) / KIB


def uncompressed(requests: Iterable[Request]) -> list[str]:
    """URLs of compressible responses that came without a Content-Encoding."""
    return [
        r.url
        for r in requests
        if r.status == 200
        and not r.content_encoding
        and r.encoded_bytes >= MIN_COMPRESSIBLE_BYTES
        and any(kind in r.mime_type for kind in COMPRESSIBLE)
    ]


def short(urls: Iterable[str], limit: int = 3) -> str:
    """A few file names for a note: ``cdn.example/x.css, b.js (+2 more)``."""
    paths = sorted({_file_name(u) for u in urls})
    shown = ", ".join(paths[:limit])
    return shown + (f" (+{len(paths) - limit} more)" if len(paths) > limit else "")


def _file_name(url: str) -> str:
    parts = urlsplit(url)
    name = "(index)" if parts.path.endswith("/") else parts.path.rsplit("/", 1)[-1]
    return name if parts.hostname in ("127.0.0.1", "localhost") else f"{parts.netloc}/{name}"


def transferred(requests: Iterable[Request]) -> list[Request]:
    """Responses that put bytes on the wire (not served from the browser's cache), largest first."""
    return sorted(
        (r for r in requests if r.encoded_bytes > 0), key=lambda r: r.encoded_bytes, reverse=True
    )


def breakdown(requests: Iterable[Request], limit: int = 4) -> str:
    """What made up a load: ``(index) 2.4, _dash-layout 0.6 KiB (+3 more: 0.9)``."""
    sent = transferred(requests)
    shown = ", ".join(f"{_file_name(r.url)} {r.encoded_bytes / KIB:.1f}" for r in sent[:limit])
    rest = sent[limit:]
    more = f" (+{len(rest)} more: {total_kib(rest):.1f})" if rest else ""
    return f"{shown} KiB{more}" if sent else "nothing"
