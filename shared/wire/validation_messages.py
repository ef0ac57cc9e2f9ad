"""Validation problems in PlayFab's words: its service is ASP.NET, so a missing field reads "The X field is
required." and a length breach reads as .NET's data annotations put it. `errorDetails` keys stay the field's
path in the request (`Entity.Id`, `Objects.0.ObjectName`); the message names the field itself.
"""

from __future__ import annotations

import types
from typing import Any, Union, get_args, get_origin

from pydantic import BaseModel
from pydantic_core import ErrorDetails

_KINDS: dict[str, str] = {
    "string_type": "a string",
    "bool_type": "a boolean",
    "int_type": "an integer",
    "int_from_float": "an integer",
    "float_type": "a number",
    "list_type": "an array",
    "dict_type": "an object",
    "model_type": "an object",
    "model_attributes_type": "an object",
}


def _inner_model(annotation: Any) -> type[BaseModel] | None:
    """The model a field holds, looking through Optional, lists and dicts."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if get_origin(annotation) in (Union, types.UnionType, list, dict) or get_args(annotation):
        for arg in get_args(annotation):
            if (found := _inner_model(arg)) is not None:
                return found
    return None


def field_name(model: type[BaseModel], loc: tuple[int | str, ...]) -> str:
    """The innermost model field a problem is in (list positions and dictionary keys name no field)."""
    name = "request"
    current: type[BaseModel] | None = model
    for part in loc:
        if isinstance(part, int):
            continue
        if current is None or part not in current.model_fields:
            break  # a dictionary key (Data, CustomTags): the problem belongs to the dictionary
        name = part
        current = _inner_model(current.model_fields[part].annotation)
    return name


def field_message(model: type[BaseModel], problem: ErrorDetails) -> str:
    name = field_name(model, problem["loc"])
    kind, ctx = problem["type"], problem.get("ctx") or {}
    if kind == "missing" or (kind == "string_too_short" and ctx.get("min_length") == 1):
        return f"The {name} field is required."
    if kind == "string_too_short":
        return f"The field {name} must be a string with a minimum length of {ctx['min_length']}."
    if kind == "string_too_long":
        return f"The field {name} must be a string with a maximum length of {ctx['max_length']}."
    if kind == "too_short":
        return f"The field {name} must be a string or array type with a minimum length of '{ctx['min_length']}'."
    if kind == "too_long":
        return f"The field {name} must be a string or array type with a maximum length of '{ctx['max_length']}'."
    if kind == "greater_than_equal":
        return f"The field {name} must be greater than or equal to {ctx['ge']}."
    if kind == "less_than_equal":
        return f"The field {name} must be less than or equal to {ctx['le']}."
    if kind in _KINDS:
        return f"The field {name} must be {_KINDS[kind]}."
    if kind.startswith("data_"):  # raised by shared/wire/data_values.py, worded to follow "must"
        return f"The field {name} must {problem['msg']}."
    return f"The value is not valid for {name}."
