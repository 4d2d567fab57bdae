"""``python -m scripts.connect_local``: see scripts.connect_local.server."""

from scripts.connect_local.server import main

main()
