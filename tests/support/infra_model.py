"""Read the deployment offline: Bicep files parsed with pycep.

pycep turns a Bicep file into plain JSON-like data. An identifier and a string literal both come out as
a Python str (`principalId` and `'principalId'` look alike), so checks compare against names they
expect, and dotted() rebuilds property access such as `identity.outputs.id`.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pycep import BicepParser

ROOT = Path(__file__).resolve().parents[2]
INFRA = ROOT / "infra"
MAIN = INFRA / "main.bicep"
MODULES = INFRA / "modules"
BICEP_FILES = sorted(INFRA.rglob("*.bicep"))


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
