"""The environment app code runs in, as the pipeline starts it: an allow-list, never the whole.

App code is the least trusted code in the repository. The import check, the
bundle's manifest step and anything else that runs (or could run) an app's
code gets ``PATH``, ``HOME``, ``TMPDIR``, the locale, the app's declared variables
(``[tool.monorepo.deploy] environment``) and nothing else: no
``CONNECT_API_KEY``, ``GITHUB_TOKEN``, ``ACTIONS_*``, cloud keys or database
passwords that happen to be in the deployer's shell.

The pipeline's own credentials cannot be declared for pass-through either:
``pipeline_credentials`` names the refused ones (``deploy.environment`` check).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping

ALWAYS = ("PATH", "HOME", "TMPDIR", "LANG", "LANGUAGE", "TZ")
LOCALE_PREFIX = "LC_"
# Families of names the pipeline's own credentials and runner state use. Connect
# refuses its own (CONNECT_, RSTUDIO_, POSIT_) as content variables too.
PIPELINE_PREFIXES = ("CONNECT_", "RSTUDIO_", "POSIT_", "GITHUB_", "GH_", "ACTIONS_", "RUNNER_")


def is_pipeline_credential(name: str) -> bool:
    """A name the pipeline itself uses for a key or token: never handed to app code."""
    return name.upper().startswith(PIPELINE_PREFIXES)


def pipeline_credentials(names: Iterable[str]) -> list[str]:
    return [n for n in names if is_pipeline_credential(n)]


def app_environment(
    declared: Iterable[str] = (), environ: Mapping[str, str] = os.environ
) -> dict[str, str]:
    """``PATH``, ``HOME``, the locale and the declared names found in ``environ``; nothing else.

    A declared name that is a pipeline credential is left out here too, so a
    caller that skipped the settings check still hands over no key.
    """
    kept = {k: v for k, v in environ.items() if k in ALWAYS or k.startswith(LOCALE_PREFIX)}
    for name in declared:
        if name in environ and not is_pipeline_credential(name):
            kept[name] = environ[name]
    return kept
