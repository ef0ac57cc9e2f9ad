"""The Functions app's shape: PlayFab's exact routes, one trigger per endpoint of the table, and a local host that
serves exactly them."""

from __future__ import annotations

import inspect
import json
import re
import typing
from pathlib import Path
from typing import Any

from functions.fallback import ALL_METHODS
from local_host.asgi import routes_of
from shared.endpoints import ENDPOINTS
from tests.support.routes import CATCH_ALL, FUNCTIONS
from tests.support.server import REPO

# A PlayFab method, or one of this project's extensions ("ext-" and a method name: shared/endpoints.py).
PLAYFAB_ROUTE = re.compile(r"^(Client|Server|Authentication|Object|Profile|CloudScript|Event)/(ext-)?[A-Z][A-Za-z]+$")
# The Functions host refuses any route template starting with "admin" and never dispatches request paths
# under /admin to functions; Admin/* routes therefore start with a constrained parameter instead.
ADMIN_TEMPLATE = "{api:regex(^Admin$)}"
# What the Functions host indexes for each function. An endpoint added or removed on purpose is re-recorded
# with `python -m tests.hosts.test_function_app`; any other difference is a change nobody asked for.
REGISTERED = REPO / "tests" / "support" / "registered_triggers.json"
# The app's own pages (not PlayFab endpoints), each a trigger of its own: the password-reset page
# (functions/reset_page.py) and the studio's console (functions/console_page.py).
PAGES = [
    ("reset_password_page", "account/reset-password", ["GET", "POST"]),
    ("console_page", "console/{*path}", ["GET"]),
]


def registered(fn: Any) -> dict[str, Any]:
    """A function as the Python worker indexes it: its name, its bindings (route, methods, auth level), and
    the handler's parameters, resolved type hints, async-ness and directory."""
    user_fn = fn.get_user_function()
    hints = typing.get_type_hints(user_fn)
    return {
        "name": fn.get_function_name(),
        "function_json": json.loads(fn.get_function_json()),
        "parameters": list(inspect.signature(user_fn).parameters),
        "type_hints": {name: f"{hint.__module__}.{hint.__qualname__}" for name, hint in hints.items()},
        "async": inspect.iscoroutinefunction(user_fn),
        "directory": Path(inspect.getfile(user_fn)).parent.relative_to(REPO).as_posix(),
    }


def registered_now() -> list[dict[str, Any]]:
    return sorted((registered(fn) for fn in FUNCTIONS), key=lambda f: f["name"])


def _triggers() -> list[dict]:
    return [fn.get_trigger().get_dict_repr() for fn in FUNCTIONS]


def test_registered_triggers_are_exactly_the_recorded_ones():
    assert registered_now() == json.loads(REGISTERED.read_text(encoding="utf-8"))


def test_host_json_serves_playfab_paths_without_a_prefix():
    host = json.loads((REPO / "host.json").read_text())
    assert host["version"] == "2.0"
    assert host["extensions"]["http"]["routePrefix"] == ""


def test_every_endpoint_is_one_anonymous_post_trigger_on_a_playfab_path():
    pages = {route for _, route, _ in PAGES}
    routes = [t["route"] for t in _triggers() if t["route"] != "{*path}" and t["route"] not in pages]
    assert len(routes) == len(set(routes)) >= 2
    for trigger in _triggers():
        assert str(trigger["authLevel"].value) == "anonymous"
        if trigger["route"] != "{*path}" and trigger["route"] not in pages:
            assert PLAYFAB_ROUTE.match(trigger["route"].replace(ADMIN_TEMPLATE + "/", "Server/")), trigger["route"]
            assert [m.value for m in trigger["methods"]] == ["POST"]


def test_no_route_template_starts_with_the_hosts_reserved_admin_segment():
    for trigger in _triggers():
        assert not trigger["route"].lower().startswith("admin"), trigger["route"]
    assert any(t["route"].startswith(ADMIN_TEMPLATE + "/") for t in _triggers())


def test_the_local_host_serves_exactly_the_apps_triggers():
    served = routes_of(FUNCTIONS)
    assert len(served) == len(FUNCTIONS)
    assert {r.function for r in served} == {fn.get_user_function() for fn in FUNCTIONS}
    assert served[-1].pattern.pattern == "^(?:/(?P<path>.*))?$"  # the catch-all is tried last


def test_a_trailing_catch_all_may_match_nothing_as_in_aspnet_routing():
    (console,) = [r for r in routes_of(FUNCTIONS, "game") if "console" in r.pattern.pattern]
    assert console.pattern.match("/game/console")["path"] is None
    assert console.pattern.match("/game/console/")["path"] == ""
    assert console.pattern.match("/game/console/js/app.js")["path"] == "js/app.js"
    assert not console.pattern.match("/game/consoles") and not console.pattern.match("/console/")


def test_there_is_one_trigger_per_endpoint_of_the_table_and_the_catch_all():
    """Each endpoint is its own function to the host: its name, its route, POST only; the catch-all last."""
    triggers = [(fn.get_function_name(), fn.get_trigger().get_dict_repr()) for fn in FUNCTIONS]
    registered = [(name, t["route"], [m.value for m in t["methods"]]) for name, t in triggers]
    expected = [(e.function_name, e.route, ["POST"]) for e in ENDPOINTS]
    assert registered == [*expected, *PAGES, ("unknown_endpoint", CATCH_ALL, ALL_METHODS)]
    assert len({e.function_name for e in ENDPOINTS}) == len({e.route for e in ENDPOINTS}) == len(ENDPOINTS)


def test_functions_do_not_hold_rules():
    """Nothing in functions/ but the glue imports pydantic, the store or PlayFabError."""
    for path in (REPO / "functions").glob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "PlayFabError" not in text and "pydantic" not in text and "storage" not in text, path.name


def test_admin_api_through_a_route_prefix_as_deployed_on_azure(tmp_path):
    """On Azure the app runs under a route prefix (paths under /admin never reach functions)."""
    import playfab.PlayFabSettings as settings
    from playfab import PlayFabAdminAPI

    from tests.support import sdk
    from tests.support.players import new_player
    from tests.support.server import running_server

    with running_server(tmp_path, AzureFunctionsJobHost__extensions__http__routePrefix="playfab") as srv:
        sdk.point_at(srv)
        settings.ProductionEnvironmentURL = srv.url + "/playfab"
        player = new_player()
        written = sdk.call(PlayFabAdminAPI.UpdateUserReadOnlyData, {"PlayFabId": player.playfab_id, "Data": {"k": "v"}})
        assert written == {"DataVersion": 1}
        read = sdk.call(PlayFabAdminAPI.GetUserReadOnlyData, {"PlayFabId": player.playfab_id})
        assert read["Data"]["k"]["Value"] == "v"
        unprefixed = srv.post("/Client/LoginWithCustomID", {})
        assert unprefixed.status_code == 404


if __name__ == "__main__":  # python -m tests.hosts.test_function_app: re-record after adding or removing an endpoint
    REGISTERED.write_text(json.dumps(registered_now(), indent=1) + "\n", encoding="utf-8")
    print(f"wrote {REGISTERED.relative_to(REPO)}")
