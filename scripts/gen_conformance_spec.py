"""Generate tests/api/conformance/playfab.swagger.json: PlayFab's OpenAPI documents cut down to what this app serves.

    python scripts/gen_conformance_spec.py [SPECS_DIR]

PlayFab publishes one swagger 2.0 document per API (Client, Server, Admin, ...), under Apache-2.0. This
keeps only the facts the conformance suite needs: the paths the app serves, their request and response
schemas, and every schema those reach. Prose (descriptions, examples, links) is dropped. Schema names
are prefixed with their API ("Client_GetUserDataRequest") because the APIs reuse names for different
shapes. Three deliberate changes, each reasoned in the output's `info.x-changes`:
  - a property PlayFab's own `<Api>.api.json` declares a map (`"collection": "map"`, e.g. GetUserDataResult
    .Data) is written as an object of such values; the swagger twin lost that and says the property is
    one value;
  - every operation gets a `default` error response (PlayFab's ApiErrorWrapper): PlayFab's documents
    declare only 400, while its status-code page lists 401, 403, 404, 413, 429 and 503 for errors too;
  - security declarations are left out: the suite sends each operation's real credential itself;
  - a call the `.api.json` still lists but its swagger twin has dropped (PlayFab removes deprecated
    calls such as GetPlayersInSegment from the swagger first) is written from the `.api.json`: its
    request, its result and every datatype they reach, in the swagger's own shapes.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
DEFAULT_SPECS = REPO.parent / "shared" / "playfab-api" / "specs"
OUTPUT = REPO / "tests" / "api" / "conformance" / "playfab.swagger.json"
APIS = ("Client", "Server", "Admin", "Authentication", "Data", "Profiles", "CloudScript", "Events")
SECTIONS = ("definitions", "parameters", "responses")
# Schema keywords kept; everything else (description, example, x-*) is prose or tooling.
SCHEMA_KEYS = frozenset(
    {"type", "format", "enum", "required", "items", "additionalProperties", "properties", "$ref", "allOf"}
    | {"minimum", "maximum", "minLength", "maxLength", "pattern", "minItems", "maxItems"}
)
CHANGES = [
    "Properties the matching .api.json declares as maps are objects of their values (the swagger says one value).",
    "A default response (ApiErrorWrapper) on every operation: the sources declare only 400 for errors.",
    "No security declarations: the suite sends each operation's credential itself.",
    "Calls only the .api.json still lists (deprecated ones the swagger dropped) are written from the .api.json.",
]
_SCALARS: dict[str, dict[str, Any]] = {
    "String": {"type": "string"},
    "Boolean": {"type": "boolean"},
    "Number": {"type": "number"},
    "DateTime": {"type": "string", "format": "date-time"},
    "int32": {"type": "integer", "format": "int32"},
    "uint32": {"type": "integer", "format": "int32", "minimum": 0},
    "int64": {"type": "integer", "format": "int64"},
    "uint64": {"type": "integer", "format": "int64", "minimum": 0},
    "double": {"type": "number", "format": "double"},
    "float": {"type": "number", "format": "float"},
    "object": {"type": "object"},
}


def _twin_property(prop: dict[str, Any]) -> dict[str, Any]:
    kind = prop["actualtype"]
    one: dict[str, Any] = (
        {"$ref": f"#/definitions/{kind}"} if prop.get("isclass") or prop.get("isenum") else dict(_SCALARS[kind])
    )
    if prop.get("collection") == "array":
        return {"type": "array", "items": one}
    if prop.get("collection") == "map":
        return {"type": "object", "additionalProperties": one}
    return one


def _twin_datatype(datatype: dict[str, Any]) -> dict[str, Any]:
    if datatype.get("isenum"):
        return {"type": "string", "enum": [value["name"] for value in datatype["enumvalues"]]}
    props = datatype.get("properties", [])
    node: dict[str, Any] = {"type": "object", "properties": {p["name"]: _twin_property(p) for p in props}}
    required = [p["name"] for p in props if not p.get("optional")]
    if required:
        node["required"] = required
    return node


def _add_from_twin(doc: dict[str, Any], twin: dict[str, Any]) -> None:
    """Write into `doc` each call the .api.json lists and the swagger lacks, with the datatypes it reaches."""
    for call in twin["calls"]:
        if call["url"] in doc["paths"]:
            continue
        request, result = call["request"], call["result"]
        doc["paths"][call["url"]] = {
            "post": {
                "operationId": call["name"],
                "parameters": [{"$ref": f"#/parameters/{request}"}],
                "responses": {"200": {"$ref": f"#/responses/{result}"}, "400": {"$ref": "#/responses/ApiErrorWrapper"}},
            }
        }
        doc["parameters"].setdefault(
            request, {"name": request, "in": "body", "schema": {"$ref": f"#/definitions/{request}"}}
        )
        doc["responses"].setdefault(
            result,
            {
                "description": "",
                "schema": {
                    "type": "object",
                    "properties": {
                        "code": {"type": "integer"},
                        "status": {"type": "string"},
                        "data": {"$ref": f"#/definitions/{result}"},
                    },
                },
            },
        )
        pending = [request, result]
        while pending:
            name = pending.pop()
            if name in doc["definitions"]:
                continue
            datatype = twin["datatypes"][name]
            doc["definitions"][name] = _twin_datatype(datatype)
            pending += [p["actualtype"] for p in datatype.get("properties", []) if p.get("isclass") or p.get("isenum")]


def _ref(api: str, ref: str) -> str:
    _, section, name = ref.split("/")
    return f"#/{section}/{api}_{name}"


def _schema(api: str, node: Any) -> Any:
    if isinstance(node, list):
        return [_schema(api, item) for item in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key not in SCHEMA_KEYS:
            continue
        if key == "$ref":
            out[key] = _ref(api, value)
        elif key == "properties":
            out[key] = {name: _schema(api, prop) for name, prop in value.items()}
        else:
            out[key] = _schema(api, value)
    if "$ref" in out:  # swagger 2.0 ignores a $ref's siblings; keep the document honest
        return {"$ref": out["$ref"]}
    return out


def _parameter(api: str, param: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in param:
        return {"$ref": _ref(api, param["$ref"])}
    keep: dict[str, Any] = {k: param[k] for k in ("name", "in", "required") if k in param}
    return {**keep, "schema": _schema(api, param["schema"])}


def _response(api: str, resp: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in resp:
        return {"$ref": _ref(api, resp["$ref"])}
    return {"description": "", "schema": _schema(api, resp.get("schema", {}))}


def _refs(node: Any) -> Iterable[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _refs(item)


def load(specs_dir: Path) -> dict[str, dict[str, Any]]:
    """Each API's swagger document, with `x-maps`: {definition: [map properties]} from its .api.json twin."""
    docs = {}
    for api in APIS:
        doc = json.loads((specs_dir / f"{api}.swagger.json").read_text(encoding="utf-8"))
        twin = json.loads((specs_dir / f"{api}.api.json").read_text(encoding="utf-8"))
        doc["x-maps"] = {
            name: [p["name"] for p in datatype.get("properties", []) if p.get("collection") == "map"]
            for name, datatype in twin["datatypes"].items()
        }
        _add_from_twin(doc, twin)
        docs[api] = doc
    return docs


def _definition(api: str, raw: dict[str, Any], maps: list[str]) -> dict[str, Any]:
    node: dict[str, Any] = _schema(api, raw)
    for name in maps:
        prop = node.get("properties", {}).get(name)
        if prop is not None and "$ref" in prop:
            node["properties"][name] = {"type": "object", "additionalProperties": prop}
    return node


def build(sources: dict[str, dict[str, Any]], paths: Iterable[str]) -> dict[str, Any]:
    out_paths: dict[str, Any] = {}
    versions = sorted({doc["info"]["version"] for doc in sources.values()})
    for path in sorted(paths):
        api = next((api for api, doc in sources.items() if path in doc["paths"]), None)
        if api is None:
            raise SystemExit(f"{path} is in no PlayFab document")
        post = sources[api]["paths"][path]["post"]
        responses = {code: _response(api, resp) for code, resp in post["responses"].items()}
        responses["default"] = {"$ref": _ref(api, "#/responses/ApiErrorWrapper")}
        out_paths[path] = {
            "post": {
                "operationId": f"{api}_{post['operationId']}",
                "parameters": [_parameter(api, p) for p in post.get("parameters", [])],
                "responses": responses,
            }
        }
    doc: dict[str, Any] = {
        "swagger": "2.0",
        "info": {
            "title": "PlayFab endpoints this backend serves",
            "version": ",".join(versions),
            "license": {"name": "Apache 2.0 (PlayFab API specs)"},
            "x-changes": CHANGES,
        },
        "basePath": "/",
        "schemes": ["http"],
        "consumes": ["application/json"],
        "produces": ["application/json"],
        "paths": out_paths,
        **{section: {} for section in SECTIONS},
    }
    pending = list(_refs(out_paths))
    while pending:
        _, section, name = pending.pop().split("/")
        if name in doc[section]:
            continue
        api, _, original = name.partition("_")
        raw = sources[api][section][original]
        node = None
        if section == "definitions":
            node = _definition(api, raw, sources[api]["x-maps"].get(original, []))
        elif section == "parameters":
            node = _parameter(api, raw)
        elif section == "responses":
            node = _response(api, raw)
        doc[section][name] = node
        pending.extend(_refs(node))
    for section in SECTIONS:
        doc[section] = dict(sorted(doc[section].items()))
    return doc


def render(specs_dir: Path, paths: Iterable[str]) -> str:
    return json.dumps(build(load(specs_dir), paths), indent=1, sort_keys=False) + "\n"


def served_paths() -> list[str]:
    """The PlayFab endpoints the app serves: its own extensions (`ext-` methods) have no PlayFab schema."""
    sys.path.insert(0, str(REPO))
    from shared.endpoints import ENDPOINTS  # the app's endpoint table

    return sorted(endpoint.path for endpoint in ENDPOINTS if not endpoint.is_extension)


def main() -> None:
    specs_dir = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_SPECS
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(render(specs_dir, served_paths()), encoding="utf-8")
    print(f"wrote {OUTPUT.relative_to(REPO)}")


if __name__ == "__main__":
    main()
