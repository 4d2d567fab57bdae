"""Every HTTP call posit-sdk 0.17 can make, and how the stand-in answers each.

``SDK_CALLS`` is the list, one row per method and path (relative to ``/__api__/``),
with where posit-sdk makes it, the verdict (``same``: answered as Connect
documents; ``different``: answered, in a way the note says; ``refused``:
Connect's "not supported" answer, 404 code 2, for the reason the note gives) and the
test that holds it. The README's fidelity section shows it (``fidelity_rows``).

``paths_in_sdk`` reads the installed posit-sdk's source mechanically (every
string or f-string that is an API path, and every fragment a resource appends
to its own path), so a posit-sdk that starts calling something new fails
``tests/stand_in/test_sdk_coverage.py`` until a row here says how the stand-in
answers it.
"""

from __future__ import annotations

import ast
import importlib.util
import re
from dataclasses import dataclass
from pathlib import Path

SDK_VERSION = "0.17"
VERDICTS = ("same", "different", "refused")
# Where posit-sdk's API paths start: Connect's v1 API, the older unversioned one
# (variants, schedules, applications), server settings and the content URL.
_API_PATH = re.compile(r"^/?(v1/|\.\./content/|variants/|applications/|schedules|server_settings)")
_PLACEHOLDER = re.compile(r"\{[^}]*\}")
_FRAGMENT = re.compile(r"^/?[\w{}.-]+(/[\w{}.-]+)*$")  # a path's tail, not a message

_RENDER = (
    "rendered content (R Markdown, Jupyter, Quarto): the stand-in runs Python apps only, "
    "so there are no variants to render or schedule"
)


@dataclass(frozen=True)
class SdkCall:
    method: str
    path: str  # relative to /__api__/; placeholders in braces
    sdk: str  # where posit-sdk makes the call
    verdict: str
    note: str
    test: str  # path[::test function] of the test that holds the row

    @property
    def shape(self) -> str:
        """The path with every placeholder as ``{}``: what ``paths_in_sdk`` yields."""
        return normalized(self.path)


def _held(module: str, test: str = "") -> str:
    """``tests/stand_in/test_<module>.py[::<test>]``."""
    path = f"tests/stand_in/test_{module}.py"
    return f"{path}::{test}" if test else path


def _calls(methods: str, path: str, sdk: str, verdict: str, note: str, test: str) -> list[SdkCall]:
    return [SdkCall(m, path, sdk, verdict, note, test) for m in methods.split("/")]


SDK_CALLS: tuple[SdkCall, ...] = (
    *_calls(
        "GET",
        "server_settings",
        "context.Context.version",
        "same",
        "`version`",
        _held("api"),
    ),
    *_calls(
        "GET",
        "v1/user",
        "me.get",
        "same",
        "the key's user",
        _held("users", "test_each_key_is_its_own_user_with_its_role"),
    ),
    *_calls(
        "GET/POST",
        "v1/content",
        "content.Content.find/create",
        "same",
        "visibility, `name`, `owner_guid`",
        _held("as_connect", "test_content_made_without_a_name_gets_one"),
    ),
    *_calls(
        "GET",
        "v1/content/{guid}",
        "content.Content.get",
        "same",
        "`include=owner,tags,vanity_url`",
        _held("as_connect", "test_owner_and_vanity_url_come_only_when_included"),
    ),
    *_calls(
        "PATCH/DELETE",
        "v1/content/{guid}",
        "content.ContentItem.update/delete",
        "same",
        "settings checked all-or-nothing",
        _held("api", "test_bad_content_input_is_refused_and_changes_nothing"),
    ),
    *_calls(
        "POST",
        "v1/content/{guid}/deploy",
        "ContentItem.deploy, Bundle.deploy",
        "same",
        "`bundle_id` null deploys the newest bundle",
        _held("sdk_api", "test_content_deploy_without_a_bundle_id_activates_the_newest"),
    ),
    *_calls(
        "GET",
        "../content/{guid}",
        "ContentItem.restart",
        "same",
        "the content URL, after an environment change restarts it",
        _held("as_connect", "test_changed_environment_variables_restart_the_content"),
    ),
    *_calls(
        "GET/PUT/PATCH",
        "v1/content/{guid}/environment",
        "env.EnvVars",
        "same",
        "names only",
        _held("api", "test_posit_sdk_sets_access_permissions_env_and_vanity"),
    ),
    *_calls(
        "GET/POST",
        "v1/content/{guid}/bundles",
        "bundles.Bundles",
        "same",
        "Connect's record fields",
        _held("as_connect", "test_a_bundle_record_has_connects_fields_and_the_manifest_python"),
    ),
    *_calls(
        "GET/DELETE",
        "v1/content/{guid}/bundles/{id}",
        "bundles.Bundles.get, Bundle.delete",
        "same",
        "the active bundle: 400 code 75",
        _held("drafts", "test_only_a_bundle_that_is_not_active_can_be_deleted"),
    ),
    *_calls(
        "GET",
        "v1/content/{guid}/bundles/{id}/download",
        "bundles.Bundle.download",
        "same",
        "the uploaded tar.gz",
        _held("drafts", "test_bundle_download_gives_back_the_upload"),
    ),
    *_calls(
        "GET",
        "v1/tasks/{id}",
        "tasks.Tasks.get, Task.update",
        "same",
        "unknown task 404 code 4 (Connect: 141)",
        _held(
            "content_keys_and_tasks",
            "test_a_task_is_readable_by_its_owner_and_administrators_only",
        ),
    ),
    *_calls(
        "GET/POST",
        "v1/content/{guid}/permissions",
        "permissions.Permissions",
        "same",
        "user or group, viewer or owner",
        _held("api", "test_posit_sdk_sets_access_permissions_env_and_vanity"),
    ),
    *_calls(
        "GET/PUT/DELETE",
        "v1/content/{guid}/permissions/{id}",
        "permissions.Permission",
        "same",
        "editors only",
        _held("sdk_api", "test_a_permission_is_read_changed_and_removed"),
    ),
    *_calls(
        "GET/PUT/DELETE",
        "v1/content/{guid}/vanity",
        "vanities.VanityMixin",
        "same",
        "Connect's path rules",
        _held("api", "test_posit_sdk_sets_access_permissions_env_and_vanity"),
    ),
    *_calls(
        "GET",
        "v1/vanities",
        "vanities.Vanities.all",
        "same",
        "administrators only",
        _held("sdk_api", "test_vanities_are_listed_for_administrators_only"),
    ),
    *_calls(
        "GET",
        "v1/content/{guid}/tags",
        "tags.ContentItemTags.find",
        "same",
        "whoever sees the content",
        _held("tags_thumbnails", "test_tagging_content_adds_and_removes_the_tags_above"),
    ),
    *_calls(
        "POST",
        "v1/content/{guid}/tags",
        "tags.ContentItemTags.add",
        "different",
        (
            "adds the tags above it too, as Connect does; but a tag category (no parent)"
            " is added too, where Connect's reference says categories cannot be added"
            " to content (scripts/deploy's tests add one)"
        ),
        _held("tags_thumbnails", "test_tagging_content_adds_and_removes_the_tags_above"),
    ),
    *_calls(
        "DELETE",
        "v1/content/{guid}/tags/{id}",
        "tags.ContentItemTags.delete",
        "different",
        (
            "removes the tags above it too, as posit-sdk's docstring says; Connect's"
            " reference says it removes the tags below it: unverified which Connect does"
        ),
        _held("tags_thumbnails", "test_tagging_content_adds_and_removes_the_tags_above"),
    ),
    *_calls(
        "GET/PUT",
        "v1/content/{guid}/oauth/integrations/associations",
        "oauth.associations.ContentItemAssociations",
        "same",
        "read by viewers, set by editors",
        _held("oauth", "test_integrations_and_associations_answer_as_connect"),
    ),
    *_calls(
        "GET",
        "v1/content/{guid}/jobs",
        "content.ContentItem.jobs",
        "different",
        (
            "one job per app process the stand-in started (`run_dash_app`, ...); builds are tasks, "
            "not jobs; owners, collaborators and administrators"
        ),
        _held("sdk_api", "test_jobs_list_the_app_process_and_a_kill_order_stops_it"),
    ),
    *_calls(
        "GET/DELETE",
        "v1/content/{guid}/jobs/{key}",
        "content.ContentItem.jobs (find, destroy)",
        "same",
        "DELETE registers a kill order and stops the process; a finished job: 409",
        _held("sdk_api", "test_jobs_list_the_app_process_and_a_kill_order_stops_it"),
    ),
    *_calls(
        "GET",
        "v1/content/{guid}/packages",
        "content.ContentItem.packages",
        "different",
        (
            "what the active bundle's built environment holds, gunicorn (added by the stand-in) "
            "included"
        ),
        _held("sdk_api", "test_packages_and_lockfile_come_from_the_built_environment"),
    ),
    *_calls(
        "GET",
        "v1/content/{guid}/lockfile",
        "content.ContentItem.get_lockfile",
        "different",
        (
            "`name==version` of the built environment; `Generated-By` carries `python=X.Y.Z`; the "
            "lockfile text's exact layout on Connect: unverified; before 2025.12.0: 404 code 2"
        ),
        _held("sdk_api", "test_packages_and_lockfile_come_from_the_built_environment"),
    ),
    *_calls(
        "GET/PUT/PATCH/DELETE",
        "v1/content/{guid}/repository",
        "repository.ContentItemRepositoryMixin",
        "refused",
        "git-backed content: the stand-in deploys bundles only and fetches no repository",
        _held("sdk_coverage", "test_each_call_is_served_or_refused_as_the_table_says"),
    ),
    *_calls(
        "GET",
        "applications/{guid}/variants",
        "variants.Variants.find (render, schedule)",
        "refused",
        _RENDER,
        _held("sdk_coverage", "test_each_call_is_served_or_refused_as_the_table_says"),
    ),
    *_calls(
        "POST",
        "variants/{id}/render",
        "variants.Variant.render",
        "refused",
        _RENDER,
        _held("sdk_coverage", "test_each_call_is_served_or_refused_as_the_table_says"),
    ),
    *_calls(
        "POST",
        "variants/{id}/sender",
        "variants.Variant.send_mail",
        "refused",
        _RENDER,
        _held("sdk_coverage", "test_each_call_is_served_or_refused_as_the_table_says"),
    ),
    *_calls(
        "GET",
        "variants/{id}/schedules",
        "schedules.Schedules",
        "refused",
        _RENDER,
        _held("sdk_coverage", "test_each_call_is_served_or_refused_as_the_table_says"),
    ),
    *_calls(
        "POST",
        "schedules",
        "schedules.Schedules.create",
        "refused",
        _RENDER,
        _held("sdk_coverage", "test_each_call_is_served_or_refused_as_the_table_says"),
    ),
    *_calls(
        "POST/DELETE",
        "schedules/{id}",
        "schedules.Schedules.create/delete",
        "refused",
        _RENDER,
        _held("sdk_coverage", "test_each_call_is_served_or_refused_as_the_table_says"),
    ),
    *_calls(
        "GET/POST",
        "v1/users",
        "users.Users",
        "same",
        "POST by administrators",
        _held("as_connect", "test_an_administrator_adds_and_locks_users"),
    ),
    *_calls(
        "GET",
        "v1/users/{guid}",
        "users.Users.get",
        "same",
        "",
        _held("as_connect", "test_an_administrator_adds_and_locks_users"),
    ),
    *_calls(
        "PUT",
        "v1/users/{guid}",
        "users.User.update",
        "same",
        (
            "oneself or an administrator; only administrators change a role; answers"
            " the editable fields; on a real Connect too: test_as_connect"
        ),
        _held("sdk_api", "test_a_user_changes_themselves_and_an_administrator_anyone"),
    ),
    *_calls(
        "POST",
        "v1/users/{guid}/lock",
        "users.User.lock/unlock",
        "same",
        "administrators; a locked key answers 403 code 50",
        _held("as_connect", "test_an_administrator_adds_and_locks_users"),
    ),
    *_calls(
        "GET/POST",
        "v1/groups",
        "groups.Groups",
        "same",
        "POST by publishers and administrators",
        _held("as_connect", "test_groups_are_made_filled_emptied_and_deleted"),
    ),
    *_calls(
        "GET/DELETE",
        "v1/groups/{guid}",
        "groups.Groups.get, Group.delete",
        "same",
        "its owner or an administrator deletes",
        _held("as_connect", "test_groups_are_made_filled_emptied_and_deleted"),
    ),
    *_calls(
        "GET/POST",
        "v1/groups/{guid}/members",
        "groups.GroupMembers",
        "same",
        "",
        _held("as_connect", "test_groups_are_made_filled_emptied_and_deleted"),
    ),
    *_calls(
        "DELETE",
        "v1/groups/{guid}/members/{user_guid}",
        "groups.GroupMembers.delete",
        "same",
        "",
        _held("as_connect", "test_groups_are_made_filled_emptied_and_deleted"),
    ),
    *_calls(
        "GET/POST",
        "v1/tags",
        "tags.Tags",
        "same",
        "POST by administrators",
        _held(
            "tags_thumbnails",
            "test_only_an_administrator_creates_tags_and_names_are_unique_among_siblings",
        ),
    ),
    *_calls(
        "GET",
        "v1/tags/{id}",
        "tags.Tags.get",
        "same",
        "",
        _held(
            "tags_thumbnails",
            "test_only_an_administrator_creates_tags_and_names_are_unique_among_siblings",
        ),
    ),
    *_calls(
        "PATCH/DELETE",
        "v1/tags/{id}",
        "tags.Tag.update/destroy",
        "same",
        (
            "administrators; DELETE removes the tags below it and untags their content;"
            " a tag cannot move under itself; on a real Connect too: test_as_connect"
        ),
        _held("sdk_api", "test_an_administrator_renames_moves_and_deletes_tags"),
    ),
    *_calls(
        "GET",
        "v1/tags/{id}/content",
        "tags.TagContentItems.find",
        "same",
        "the tagged content the caller may see (administrators: all)",
        _held("sdk_api", "test_an_administrator_renames_moves_and_deletes_tags"),
    ),
    *_calls(
        "GET/POST",
        "v1/environments",
        "client.Client.environments",
        "different",
        "kept and listed, never used: the stand-in builds with uv on this machine, not in images",
        _held(
            "sdk_api",
            "test_execution_environments_are_listed_by_publishers_and_changed_by_administrators",
        ),
    ),
    *_calls(
        "GET/PUT/DELETE",
        "v1/environments/{guid}",
        "client.Client.environments (find, update, destroy)",
        "different",
        "as above; administrators change them",
        _held(
            "sdk_api",
            "test_execution_environments_are_listed_by_publishers_and_changed_by_administrators",
        ),
    ),
    *_calls(
        "GET",
        "v1/packages",
        "client.Client.packages",
        "different",
        (
            "the packages of each built environment, for the content the caller sees"
            " (whether Connect limits them so: unverified)"
        ),
        _held("sdk_api", "test_packages_and_lockfile_come_from_the_built_environment"),
    ),
    *_calls(
        "GET/DELETE",
        "v1/system/caches/runtime",
        "system.SystemRuntimeCaches",
        "different",
        (
            "one cache per Python version the stand-in built environments with"
            " (`image_name` Local); DELETE removes those not in use; administrators only"
        ),
        _held("sdk_api", "test_runtime_caches_are_listed_and_removed_by_administrators"),
    ),
    *_calls(
        "GET",
        "v1/oauth/integrations",
        "oauth.integrations.Integrations.find",
        "same",
        "publishers and administrators",
        _held("oauth", "test_integrations_and_associations_answer_as_connect"),
    ),
    *_calls(
        "POST",
        "v1/oauth/integrations",
        "oauth.integrations.Integrations.create",
        "same",
        "administrators; a known template; the stand-in never calls the provider",
        _held("sdk_api", "test_an_administrator_creates_changes_and_deletes_oauth_integrations"),
    ),
    *_calls(
        "GET",
        "v1/oauth/integrations/{guid}",
        "oauth.integrations.Integrations.get",
        "same",
        "publishers and administrators",
        _held("oauth", "test_integrations_and_associations_answer_as_connect"),
    ),
    *_calls(
        "PATCH/DELETE",
        "v1/oauth/integrations/{guid}",
        "oauth.integrations.Integration.update/delete",
        "same",
        "administrators; DELETE drops its associations",
        _held("sdk_api", "test_an_administrator_creates_changes_and_deletes_oauth_integrations"),
    ),
    *_calls(
        "GET",
        "v1/oauth/integrations/{guid}/associations",
        "oauth.associations.IntegrationAssociations",
        "same",
        "administrators",
        _held("sdk_api", "test_an_administrator_creates_changes_and_deletes_oauth_integrations"),
    ),
    *_calls(
        "POST",
        "v1/oauth/integrations/credentials",
        "oauth.OAuth.get_credentials (+ external/)",
        "different",
        "user session tokens only: no content session tokens (service accounts)",
        _held("oauth", "test_each_visitor_is_exchanged_for_a_key_of_their_own"),
    ),
    *_calls(
        "GET",
        "v1/oauth/sessions",
        "oauth.sessions.Sessions.find",
        "different",
        "always empty: no one signs in to an OAuth provider here",
        _held("sdk_api", "test_there_are_no_oauth_sessions"),
    ),
    *_calls(
        "GET/DELETE",
        "v1/oauth/sessions/{guid}",
        "oauth.sessions.Sessions.get, Session.delete",
        "different",
        "404 code 4: there are none",
        _held("sdk_api", "test_there_are_no_oauth_sessions"),
    ),
    *_calls(
        "GET",
        "v1/instrumentation/content/visits",
        "metrics.visits",
        "different",
        "paging carries first/previous/next, not last; a limit over 500 is refused; the "
        "role rule (administrators all, publishers their own, viewers 403) is Connect's "
        "reference as read, unverified against a server",
        _held("instrumentation", "test_cursor_paging_walks_every_visit_once_as_posit_sdk_does"),
    ),
    *_calls(
        "GET",
        "v1/instrumentation/content/hits",
        "metrics.hits",
        "different",
        "the visits again as hits: data holds only path (Connect may count requests the "
        "visits do not: unverified); 404 code 2 below 2025.04.0",
        _held("instrumentation", "test_an_older_connect_has_no_hits_endpoint"),
    ),
    *_calls(
        "GET",
        "v1/instrumentation/shiny/usage",
        "metrics.shiny_usage",
        "different",
        "always empty: no Shiny runs here",
        _held("instrumentation", "test_cursor_paging_walks_every_visit_once_as_posit_sdk_does"),
    ),
)


def normalized(path: str) -> str:
    """A path with every placeholder as ``{}``, no leading or trailing slash."""
    return _PLACEHOLDER.sub("{}", path).strip("/")


def _text(node: ast.AST) -> str | None:
    """A string constant, or an f-string with ``{}`` for each value in it."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(
            str(part.value) if isinstance(part, ast.Constant) else "{}" for part in node.values
        )
    return None


def _appended(node: ast.AST) -> list[ast.AST]:
    """What ``posixpath.join(base, ...)`` or ``base + "..."`` adds to a resource's path."""
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "join"
        and getattr(node.func.value, "id", "") == "posixpath"
    ):
        return list(node.args[1:])
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return [node.right]
    return []


def sdk_source() -> Path:
    spec = importlib.util.find_spec("posit.connect")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("posit-sdk is not installed here: run `make env`")
    return Path(next(iter(spec.submodule_search_locations)))


def paths_in_sdk(root: Path) -> set[str]:
    """Every API path (``v1/content/{}``) and appended fragment (``{}/jobs``) in the source."""
    found: set[str] = set()
    for module in sorted(root.rglob("*.py")):
        tree = ast.parse(module.read_text(), filename=str(module))
        inside_fstrings = {
            id(part)
            for node in ast.walk(tree)
            if isinstance(node, ast.JoinedStr)
            for part in node.values
        }
        for node in ast.walk(tree):
            text = None if id(node) in inside_fstrings else _text(node)
            if text is not None and _API_PATH.match(text):
                found.add(normalized(text))
            elif text is not None and text.startswith("{}/") and _FRAGMENT.match(text):
                _add_fragment(found, text[3:])  # f"{self._path}/content"
            for fragment in map(_text, _appended(node)):
                if fragment and _FRAGMENT.match(fragment):
                    _add_fragment(found, fragment)
    return found


def _add_fragment(found: set[str], fragment: str) -> None:
    if normalized(fragment).strip("/{}"):  # at least one literal segment
        found.add("{}/" + normalized(fragment))


def _segments(path: str) -> list[str]:
    return [s for s in path.split("/") if s]


def uncovered(found: set[str], calls: tuple[SdkCall, ...] = SDK_CALLS) -> list[str]:
    """The paths in posit-sdk's source that no row covers (a fragment ``{}/x/y`` is
    covered by a row whose path has the segments ``x/y`` in a row)."""
    shapes = [_segments(c.shape) for c in calls]
    missing = []
    for path in sorted(found):
        wanted = _segments(path)
        if wanted[0] == "{}":
            part = wanted[1:]
            hit = any(
                shape[i : i + len(part)] == part
                for shape in shapes
                for i in range(len(shape) - len(part) + 1)
            )
        else:  # a row's path, or the base a resource appends to (``v1/system``)
            hit = any(shape[: len(wanted)] == wanted for shape in shapes)
        if not hit:
            missing.append(path)
    return missing


def fidelity_rows(calls: tuple[SdkCall, ...] = SDK_CALLS) -> str:
    """The README's table of posit-sdk's calls (between its sdk-calls markers)."""
    lines = [
        "| call | posit-sdk | | how; held by |",
        "| --- | --- | --- | --- |",
    ]
    for call in calls:
        held = f"`{call.test}`" if call.test else "see the usage rows"
        note = f"{call.note}; " if call.note else ""
        lines.append(
            f"| `{call.method} {call.path}` | `{call.sdk}` | {call.verdict} | {note}{held} |"
        )
    return "\n".join(lines) + "\n"
