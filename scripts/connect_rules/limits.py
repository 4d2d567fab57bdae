"""Connect's documented limits, in one place: what the deploy tool checks before
its first request and what the stand-in refuses, as Connect does.

Sources: Connect's API reference (content fields and their error codes) and
posit-sdk; see scripts/connect_local/README.md for the stand-in's fidelity.
"""

from __future__ import annotations

ACCESS_TYPES = ("all", "logged_in", "acl")  # most permissive first
TITLE_LENGTH = (3, 1024)  # error code 122
MAX_DESCRIPTION = 4096  # error code 123
MAX_TIMEOUT_S = 2_592_000  # 30 days; error code 151
# Connect's own variable families: it sets them itself and refuses them (code 108).
PROHIBITED_ENV_PREFIXES = ("CONNECT_", "RSTUDIO_", "POSIT_")
