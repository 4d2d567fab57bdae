"""Compression and asset caching: what a Flask server behind Connect's proxy should send.

Connect's proxy passes responses through as the app wrote them: an app that
does not compress sends plotly.js at full size on every first visit.
"""

from __future__ import annotations

from flask import Flask, Response
from flask_compress import Compress

COMPRESSION = {
    # zstd, then br, then gzip: flask-compress's order (Dash's own compress=True
    # means the same, plus a package-metadata lookup at every start).
    "COMPRESS_ALGORITHM": ["zstd", "br", "gzip"],
    "COMPRESS_REGISTER": False,  # registered below, behind the small-JSON rule
}
# Dash links assets/ files with ``?m=<mtime>``: a changed file gets a new URL,
# so a year-long cache is safe, and a repeat visit fetches none of them again
# (without it, compressed responses' ETags never matched: the group dashboard
# sent its 391 KiB plotly.js bundle on every visit).
ASSET_MAX_AGE_S = 365 * 24 * 3600
# A callback answer smaller than this fits in one packet as it is: compressing
# it saves no round trip and costs every callback CPU time.
MIN_COMPRESSED_JSON_BYTES = 1024


def enable_compression(server: Flask) -> None:
    """Compress what is worth it (scripts, CSS, the index, callback answers over
    1 KiB) and let browsers keep fingerprinted assets for a year."""
    for key, value in COMPRESSION.items():
        server.config.setdefault(key, value)
    server.config["SEND_FILE_MAX_AGE_DEFAULT"] = ASSET_MAX_AGE_S
    compress = Compress(server)

    def compress_unless_small_json(response: Response) -> Response:
        if response.mimetype == "application/json" and (
            response.content_length is not None
            and response.content_length < MIN_COMPRESSED_JSON_BYTES
        ):
            return response
        return compress.after_request(response)

    server.after_request(compress_unless_small_json)
