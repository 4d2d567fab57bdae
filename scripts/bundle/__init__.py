"""Bundles: one directory per app, as Connect receives it (``make bundles``).

``build`` copies the app, vendors connectkit, pins from uv.lock and has rsconnect
write the manifest.
"""
