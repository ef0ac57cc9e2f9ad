"""Read the deployment offline: Bicep files parsed with pycep, and the settings names the code reads.

pycep turns a Bicep file into plain JSON-like data. An identifier and a string literal both come out as
a Python str (`principalId` and `'principalId'` look alike), so checks compare against names they
expect, and dotted() rebuilds property access such as `identity.outputs.id`.
"""

from __future__ import annotations

import ast
import functools
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pycep import BicepParser

ROOT = Path(__file__).resolve().parent.parent
INFRA = ROOT / "infra"
MAIN = INFRA / "main.bicep"
MODULES = INFRA / "modules"
BICEP_FILES = sorted(INFRA.rglob("*.bicep"))
# Where the app's own code lives (everything that runs in Azure or locally, not tests or scripts).
CODE_DIRS = ("shared", "functions", "local_host")
CODE_FILES = ("function_app.py",)

SETTING_NAME = re.compile(r"^[A-Z][A-Z0-9_]*$")


@functools.cache
def parse(path: Path) -> dict[str, Any]:
    return BicepParser().parse(file_path=path)


def module(name: str) -> dict[str, Any]:
    return parse(MODULES / f"{name}.bicep")


def main_parameters() -> dict[str, Any]:
    return json.loads((INFRA / "main.parameters.json").read_text(encoding="utf-8"))["parameters"]


def body(resource: dict[str, Any]) -> dict[str, Any]:
    """A resource's declared body, looking through `[for ...]` loops and `if` conditions."""
    config = resource["config"]
    return config["config"] if "loop_type" in config or "condition" in config else config


def resources(tree: dict[str, Any], type_: str) -> list[dict[str, Any]]:
    """Bodies of the resources of one type (e.g. 'Microsoft.Web/sites'), existing references excluded."""
    found = [body(r) for r in tree.get("resources", {}).values() if r["type"] == type_ and not r["existing"]]
    assert found, f"no {type_} resource declared"
    return found


def one(tree: dict[str, Any], type_: str) -> dict[str, Any]:
    found = resources(tree, type_)
    assert len(found) == 1, f"expected one {type_}, found {len(found)}"
    return found[0]


def dotted(node: Any) -> str | None:
    """`a.b.c` for a property-access chain (or a bare identifier), None for anything else."""
    if isinstance(node, str):
        return node
    if isinstance(node, dict) and node.get("operator", {}).get("type") == "property_accessor":
        operands = node["operator"]["operands"]
        left, right = dotted(operands["operand_1"]), dotted(operands["operand_2"])
        return f"{left}.{right}" if left and right else None
    return None


def strings(node: Any) -> Iterator[str]:
    """Every string anywhere inside node: literals, identifiers, interpolations, object keys."""
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield key
            yield from strings(value)
    elif isinstance(node, list):
        for item in node:
            yield from strings(item)


def decorator_types(param: dict[str, Any]) -> set[str]:
    return {d["type"] for d in param["decorators"]}


def app_settings() -> dict[str, Any]:
    """The Function App's app settings: keys of every object merged into the `appsettings` config."""
    tree = module("app")
    config = one(tree, "Microsoft.Web/sites/config")
    assert config["name"] == "appsettings"
    merged: dict[str, Any] = {}
    for part in _union_parts(config["properties"]):
        if isinstance(part, str) and part in tree.get("variables", {}):
            part = tree["variables"][part]["value"]
        if isinstance(part, dict):
            merged.update(part)
    return merged


def _union_parts(node: Any) -> list[Any]:
    function = node.get("function", {}) if isinstance(node, dict) else {}
    if function.get("type") == "union":
        return [part for arg in function["parameters"].values() for part in _union_parts(arg)]
    return [node]


def settings_read_by_code() -> set[str]:
    """Setting names the app's code reads from the environment, found by walking its syntax trees."""
    files = [path for d in CODE_DIRS for path in (ROOT / d).rglob("*.py")] + [ROOT / f for f in CODE_FILES]
    names: set[str] = set()
    for path in files:
        names |= settings_read_in(ast.parse(path.read_text(encoding="utf-8"), filename=str(path)))
    return names


def settings_read_in(tree: ast.AST) -> set[str]:
    """Names read as env.get("X"), os.environ["X"], os.getenv("X"), "X" in os.environ, or parse_fn(env, "X", ...)."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            names |= _names_in_call(node)
        elif isinstance(node, ast.Subscript) and _is_environment(node.value):
            names |= _constant_names([node.slice])
        elif isinstance(node, ast.Compare) and any(_is_environment(c) for c in node.comparators):
            names |= _constant_names([node.left])
    return names


def _names_in_call(call: ast.Call) -> set[str]:
    func = call.func
    reads = isinstance(func, ast.Attribute) and func.attr in ("get", "pop", "getenv") and call.args
    if reads and (func.attr == "getenv" or _is_environment(func.value)):
        return _constant_names(call.args[:1])
    # A function handed the environment and then a name: _int(env, "NAME", ...).
    for before, after in zip(call.args, call.args[1:], strict=False):
        if _is_environment(before):
            return _constant_names([after])
    return set()


ENVIRONMENT_NAMES = ("env", "_env", "environ", "environment")


def _is_environment(node: ast.AST) -> bool:
    """`env`, `os.environ`, `self._env` and the like: what the code calls the environment mapping."""
    if isinstance(node, ast.Name):
        return node.id in ENVIRONMENT_NAMES
    return isinstance(node, ast.Attribute) and node.attr in ENVIRONMENT_NAMES


def _constant_names(nodes: list[ast.expr]) -> set[str]:
    values = (n.value for n in nodes if isinstance(n, ast.Constant))
    return {v for v in values if isinstance(v, str) and SETTING_NAME.match(v)}
