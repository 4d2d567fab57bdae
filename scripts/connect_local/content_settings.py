"""What a content item's settings may be: Connect's limits and the server's policy.

``checked_settings(body, current, policy)`` returns the fields of a
``POST``/``PATCH v1/content`` body once every one is acceptable, or raises the
``ApiError`` Connect answers for the first refused one, so a refused field
changes nothing (Connect's PATCH is all-or-nothing). The name (unique per
owner) is checked by the API, which sees the other items.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from scripts.connect_local.errors import (
    CODE_ACCESS_TYPE_NOT_ALLOWED,
    CODE_DESCRIPTION_LENGTH,
    CODE_LOAD_FACTOR,
    CODE_MAX_PROCESSES_LIMIT,
    CODE_MIN_ABOVE_MAX,
    CODE_TIMEOUT_RANGE,
    CODE_TITLE_LENGTH,
    CODE_UNKNOWN_ACCESS_TYPE,
    bad_request,
)
from scripts.connect_rules.limits import ACCESS_TYPES, MAX_DESCRIPTION, MAX_TIMEOUT_S, TITLE_LENGTH

CONTENT_FIELDS = ("name", "title", "description", "access_type", "locked", "content_category")
TIMEOUT_FIELDS = ("connection_timeout", "read_timeout", "init_timeout", "idle_timeout")
NUMBER_FIELDS = ("max_conns_per_process", "load_factor", "memory_limit", "cpu_limit")
RUNTIME_TEXT_FIELDS = ("run_as", "default_image_name", "service_account_name")
# Runtime settings: stored (null = the server default) and validated, but the
# stand-in runs one process per bundle whatever they say.
RUNTIME_FIELDS = (
    *TIMEOUT_FIELDS,
    "max_processes",
    "min_processes",
    *NUMBER_FIELDS,
    *RUNTIME_TEXT_FIELDS,
    "run_as_current_user",
)


@dataclass(frozen=True)
class Policy:
    """The server settings that limit content (Connect's defaults unless flags say)."""

    most_permissive_access_type: str = "all"  # Applications.MostPermissiveAccessType
    max_processes_limit: int = 20  # Scheduler.MaxProcessesLimit
    default_max_processes: int = 3  # Scheduler.MaxProcesses
    default_access_type: str = "acl"

    def allows(self, access_type: str) -> bool:
        return ACCESS_TYPES.index(access_type) >= ACCESS_TYPES.index(
            self.most_permissive_access_type
        )


def _integer(name: str, value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise bad_request(f"{name} must be an integer or null (the server default), not {value!r}")
    return value


def _check_text_fields(body: Mapping[str, Any]) -> None:
    title = body.get("title")
    low, high = TITLE_LENGTH
    if title is not None and (not isinstance(title, str) or not low <= len(title) <= high):
        raise bad_request(
            f"title must be {low} to {high} characters; got {title!r}", CODE_TITLE_LENGTH
        )
    description = body.get("description")
    if description is not None and not isinstance(description, str):
        raise bad_request(f"description must be text, not {description!r}")
    if description is not None and len(description) > MAX_DESCRIPTION:
        raise bad_request(
            f"description must be at most {MAX_DESCRIPTION} characters; got {len(description)}",
            CODE_DESCRIPTION_LENGTH,
        )
    for name in (*RUNTIME_TEXT_FIELDS, "content_category"):
        if body.get(name) is not None and not isinstance(body[name], str):
            raise bad_request(f"{name} must be text or null, not {body[name]!r}")
    for name in ("locked", "run_as_current_user"):
        if name in body and not isinstance(body[name], bool):
            raise bad_request(f"{name} must be true or false, not {body[name]!r}")


def _check_access_type(body: Mapping[str, Any], policy: Policy) -> None:
    if "access_type" not in body:
        return
    access_type = body["access_type"]
    if access_type not in ACCESS_TYPES:
        raise bad_request(
            f"access_type must be one of {', '.join(ACCESS_TYPES)}", CODE_UNKNOWN_ACCESS_TYPE
        )
    if not policy.allows(access_type):
        raise bad_request(
            f"access_type {access_type!r} is more permissive than this server allows "
            f"(most permissive: {policy.most_permissive_access_type!r})",
            CODE_ACCESS_TYPE_NOT_ALLOWED,
        )


def _check_numbers(body: Mapping[str, Any]) -> None:
    for name in TIMEOUT_FIELDS:
        value = _integer(name, body.get(name))
        if value is not None and not 0 <= value <= MAX_TIMEOUT_S:
            raise bad_request(
                f"{name} must be between 0 and {MAX_TIMEOUT_S} seconds; got {value}",
                CODE_TIMEOUT_RANGE,
            )
    for name in NUMBER_FIELDS:
        value = body.get(name)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
            raise bad_request(f"{name} must be a number or null, not {value!r}")
        if value is not None and value < 0:
            raise bad_request(f"{name} must not be negative; got {value}")
        if name == "load_factor" and value is not None and value > 1:
            raise bad_request(
                f"load_factor must be between 0.0 and 1.0; got {value}", CODE_LOAD_FACTOR
            )


def _check_processes(body: Mapping[str, Any], current: Mapping[str, Any], policy: Policy) -> None:
    if "max_processes" not in body and "min_processes" not in body:
        return
    merged = {**current, **body}
    max_processes = _integer("max_processes", merged.get("max_processes"))
    min_processes = _integer("min_processes", merged.get("min_processes"))
    if max_processes is not None and max_processes < 1:
        raise bad_request(f"max_processes must be at least 1; got {max_processes}")
    if max_processes is not None and max_processes > policy.max_processes_limit:
        raise bad_request(
            f"max_processes {max_processes} is above this server's limit "
            f"({policy.max_processes_limit})",
            CODE_MAX_PROCESSES_LIMIT,
        )
    effective_max = policy.default_max_processes if max_processes is None else max_processes
    if min_processes is not None and min_processes < 0:
        raise bad_request(f"min_processes must not be negative; got {min_processes}")
    if min_processes is not None and min_processes > effective_max:
        raise bad_request(
            f"min_processes {min_processes} is above the effective "
            f"max_processes ({effective_max}"
            + (", the server default)" if max_processes is None else ")"),
            CODE_MIN_ABOVE_MAX,
        )


def checked_settings(body: Any, current: Mapping[str, Any], policy: Policy) -> dict[str, Any]:
    """``body`` once every field in it is known and acceptable; else the first refusal."""
    if not isinstance(body, dict):
        raise bad_request("expected a JSON object of content fields")
    unknown = sorted(set(body) - set(CONTENT_FIELDS) - set(RUNTIME_FIELDS))
    if unknown:
        raise bad_request(
            f"unknown fields {unknown}; content fields are {CONTENT_FIELDS + RUNTIME_FIELDS}"
        )
    _check_text_fields(body)
    _check_access_type(body, policy)
    _check_numbers(body)
    _check_processes(body, current, policy)
    return dict(body)
