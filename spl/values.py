"""How Splunk values live in a table, and the few conversions every command shares.

A cell is null (``None``; a float NaN read back from pandas counts as null too), a string (what
JSON extraction gives), a number (``int``/``float``, what eval computes; ``_time`` is float epoch
seconds), a bool (only inside eval/where, never stored by ``eval``), or a multivalue field: a
``list`` of two or more non-null strings/numbers. A one-element list is the same as its element.
"""
from __future__ import annotations

import math
import re
from typing import overload

_NUMBER = re.compile(r"\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*\Z")


def is_null(v) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


def mv_values(v) -> list:
    """The values of a cell as a list: [] for null, the list for a multivalue, [v] otherwise."""
    if is_null(v):
        return []
    if isinstance(v, list):
        return v
    return [v]


def make_mv(values: list):
    """The cell for a list of values: null when empty, the value itself when there is one."""
    values = [x for x in values if not is_null(x)]
    if not values:
        return None
    if len(values) == 1:
        return values[0]
    return values


MAX_EXACT = 2 ** 53  # integers up to this size are exact doubles


def as_double(n):
    """A number as Splunk holds it, a double: an int beyond ±2**53 becomes the nearest float
    (±inf beyond the float range); smaller ints stay ints so they print without a point."""
    if isinstance(n, int) and not isinstance(n, bool) and not -MAX_EXACT <= n <= MAX_EXACT:
        try:
            return float(n)
        except OverflowError:
            return math.inf if n > 0 else -math.inf
    return n


def to_number(v):
    """The number a value stands for, or None: numbers as they are, numeric strings parsed.

    Splunk treats a string that looks like a number as that number in arithmetic and numeric
    comparison; anything else is not a number (None). bools are not numbers.
    """
    if isinstance(v, bool) or is_null(v):
        return None
    if isinstance(v, (int, float)):
        return v
    if isinstance(v, str) and _NUMBER.match(v):
        s = v.strip()
        if len(s) <= 17 and s.lstrip("+-").isdigit():
            return as_double(int(s))
        return float(s)  # a decimal point, an exponent or too many digits for an exact int
    return None


def order_key(v) -> tuple:
    """Splunk's order of single values: numbers (numeric strings too) before strings, numbers
    numerically, strings by code point (uppercase before lowercase)."""
    n = to_number(v)
    if n is not None:
        return (0, n, "")
    return (1, 0, to_str(v))


def format_number(n) -> str:
    """A number as Splunk prints it: integers without a decimal point, other doubles in the
    shortest form that reads back as the same double (up to 17 significant digits).

    The one place every output (table, csv, json) and eval's string conversion format a number.
    Splunk's Aggregate functions page shows ``makeresults count=100 | eval test=3.99 | stats
    avg(test)`` as 3.9900000000000055 (https://docs.splunk.com/Documentation/Splunk/latest/SearchReference/Aggregatefunctions;
    tests/test_stats.py): no rounding to fewer digits, so 0.1+0.2 prints 0.30000000000000004.
    """
    if isinstance(n, bool):
        return "true" if n else "false"
    if isinstance(n, int):
        return str(n)
    if math.isnan(n):
        return "nan"
    if math.isinf(n):
        return "inf" if n > 0 else "-inf"
    if n == int(n) and abs(n) < 1e16:
        return str(int(n))
    return repr(float(n))  # (numpy's float64 has a repr of its own: np.float64(...))


@overload
def to_str(v: str) -> str: ...
@overload
def to_str(v: None) -> None: ...
@overload
def to_str(v: object) -> str | None: ...
def to_str(v):
    """A single value as a string (None for null); multivalue cells are not accepted here.

    The overloads tell a type checker that text stays text; a cell of unknown type (Any, as table
    cells are) gives Any, so each caller need not re-check a value it knows is not null."""
    if is_null(v):
        return None
    if isinstance(v, str):
        return v
    if isinstance(v, (bool, int, float)):
        return format_number(v)
    return str(v)
