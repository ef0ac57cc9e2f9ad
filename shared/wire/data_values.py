"""Data values as PlayFab keeps them: text, whatever JSON scalar the caller sent.

PlayFab's `Data` is a string dictionary, yet JavaScript and Lua callers send numbers and booleans (the
JavaScript SDK's own tests wrote `{"testCounter": 3}` and read back a string). Such scalars are stored as
text: integers in full, other numbers as the shortest text that reads back as the same double, spelled as
JavaScript's `String(n)` spells it (so what a JavaScript caller sent), and booleans in JSON's spelling.
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

from pydantic_core import PydanticCustomError


def _number_text(value: float) -> str:
    """ECMAScript Number::toString: what a JavaScript caller holding `value` would print."""
    if value == 0:
        return "0"  # -0 too, as JavaScript prints it
    sign = "-" if value < 0 else ""
    # repr() gives the shortest digits that round-trip; Decimal splits them into digits and exponent.
    parts = Decimal(repr(abs(value))).normalize().as_tuple()
    digits = "".join(str(d) for d in parts.digits)
    k = len(digits)
    n = k + int(parts.exponent)  # the value is 0.<digits> x 10^n
    if k <= n <= 21:
        text = digits + "0" * (n - k)
    elif 0 < n <= 21:
        text = digits[:n] + "." + digits[n:]
    elif -6 < n <= 0:
        text = "0." + "0" * -n + digits
    else:
        exponent = f"e{'+' if n - 1 >= 0 else '-'}{abs(n - 1)}"
        text = (digits if k == 1 else digits[0] + "." + digits[1:]) + exponent
    return sign + text


def data_text(value: Any) -> Any:
    """A `Data` value as stored text; strings pass, `null` is left for the model (it removes the key)."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):  # before int: a bool is an int in Python
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):  # 1e400 parses as infinity: no double holds it
            raise PydanticCustomError("data_number", "be a number within the range of a double")
        return _number_text(value)
    raise PydanticCustomError("data_value", "be a string, a number, a boolean or null")
