"""Hand-made Dash callback requests, as the renderer would send them.

The security tests forge them, the benchmark and the load test replay them:
one place knows the body ``POST <prefix>_dash-update-component`` expects.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

UPDATE_PATH = "_dash-update-component"
Prop = tuple[str, str]  # (component id, property)


def output_key(outputs: Sequence[Prop]) -> str:
    """Dash's key for a callback's outputs: ``..a.children...b.figure..`` for several."""
    parts = [f"{cid}.{prop}" for cid, prop in outputs]
    return parts[0] if len(parts) == 1 else ".." + "...".join(parts) + ".."


def callback_body(
    outputs: Sequence[Prop], inputs: Sequence[tuple[str, str, Any]], state: Sequence[Any] = ()
) -> dict[str, Any]:
    """The JSON body that fires one callback with these input values."""
    return {
        "output": output_key(outputs),
        "outputs": [{"id": cid, "property": prop} for cid, prop in outputs]
        if len(outputs) > 1
        else {"id": outputs[0][0], "property": outputs[0][1]},
        "inputs": [{"id": cid, "property": prop, "value": value} for cid, prop, value in inputs],
        "changedPropIds": [f"{cid}.{prop}" for cid, prop, _ in inputs],
        "state": list(state),
    }


def encode(body: dict[str, Any]) -> bytes:
    return json.dumps(body).encode()
