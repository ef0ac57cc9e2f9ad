"""The app's own route table, read once per process, and the core Operation behind each endpoint.

`app.get_functions()` may be called only once per app, so every test module takes it from here.
"""

from __future__ import annotations

import ast
import inspect
import re
import textwrap
from typing import Any

from function_app import app
from shared.pipeline import Operation

FUNCTIONS = app.get_functions()
CATCH_ALL = "{*path}"
# A segment the Functions host needs as a constrained parameter ("{api:regex(^Admin$)}") is one literal.
_LITERAL_PARAM = re.compile(r"\{\w+:regex\(\^(\w+)\$\)\}")


def public_path(route: str) -> str:
    """The path callers use for a trigger's route template: "/Admin/GetUserData"."""
    return "/" + _LITERAL_PARAM.sub(lambda m: m[1], route)


def _operation_of(fn: Any) -> Operation[Any]:
    """Evaluate the trigger's `serve(req, <operation>)` argument in the trigger's own module."""
    user_fn = fn.get_user_function()
    tree = ast.parse(textwrap.dedent(inspect.getsource(user_fn)))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "serve" and len(node.args) == 2:
            op = eval(compile(ast.Expression(node.args[1]), "<trigger>", "eval"), user_fn.__globals__)
            assert isinstance(op, Operation), f"{fn.get_function_name()} does not serve an Operation"
            return op
    raise AssertionError(f"{fn.get_function_name()} does not call serve(req, operation)")


def _endpoints() -> dict[str, Operation[Any]]:
    found = {}
    for fn in FUNCTIONS:
        route = fn.get_trigger().get_dict_repr().get("route")
        if route and route != CATCH_ALL:
            found[public_path(route)] = _operation_of(fn)
    return found


# "/Client/LoginWithCustomID" -> Operation, for every PlayFab endpoint the app serves.
ENDPOINTS: dict[str, Operation[Any]] = _endpoints()
