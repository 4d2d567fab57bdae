"""The report builder's own modules, imported as on Connect (its folder on sys.path)."""

from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace

import pytest

from scripts.catalog import find_app


@pytest.fixture
def reports() -> Iterator[SimpleNamespace]:
    with pytest.MonkeyPatch.context() as patch:
        patch.syspath_prepend(str(find_app("report-builder").path))
        from reports import (  # type: ignore[import-not-found]
            forecast,
            history,
            job,
            managers,
            owners,
            settings,
        )

        yield SimpleNamespace(
            forecast=forecast,
            history=history,
            job=job,
            managers=managers,
            owners=owners,
            settings=settings,
        )
