"""Evaluate a search expression tree over a table: which rows does ``search`` keep?

Rules (sources in tests/test_search_match.py):
- ``field=v`` keeps rows where any value of the field matches v (case-insensitive, ``*``
  wildcards, CIDR literals); ``field!=v`` rows where the field exists and any value does not
  match; ``NOT field=v`` also keeps rows lacking the field.
- ``< <= > >=`` compare numerically when both sides are numbers, else as strings (code-point
  order, which is UTF-8 byte order); rows lacking the field never match.
- keywords and phrases match segments of ``_raw``; ``*`` alone matches every row.
- earliest/latest, starttime/endtime (read with timeformat=) and the older
  [start|end]{days,hours,minutes,months}ago bound ``_time``.

An expression is compiled once (patterns, time bounds), then AND and OR test each term only on
the rows still undecided, so expensive tests (keywords over ``_raw``) run on as few rows as
possible.
"""
from __future__ import annotations

import operator
from collections.abc import Callable

import numpy as np
import pandas as pd

from spl.context import Context
from spl.errors import SearchError, SplError, UnsupportedError
from spl.search import patterns
from spl.syntax import ast
from spl.timefmt import ABSOLUTE_FORMAT, parse_time_modifier, strptime
from spl.values import is_null, mv_values, to_number, to_str

_ORDER = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}


def match(expr: ast.SearchExpr | None, table: pd.DataFrame, ctx: Context) -> pd.Series:
    """The rows ``search <expr>`` keeps, as a bool Series aligned to ``table.index``.

    The expression is compiled first, so a bad time or a subsearch is an error whatever the data.
    """
    if expr is None:
        return pd.Series(True, index=table.index, dtype=bool)
    test = _compile(expr, ctx, _timeformat(expr))
    keep = test(_Columns(table), np.arange(len(table)))
    return pd.Series(keep, index=table.index, dtype=bool)


def fields_used(expr: ast.SearchExpr | None) -> set[str]:
    """The field names an expression reads: ``_raw`` for keywords, ``_time`` for time bounds
    (a subsearch's pipeline reads its own fields)."""
    return ast.references(expr) or set()


class _Columns:
    """The table's columns, each read once as an object array (None for a missing field)."""

    def __init__(self, table: pd.DataFrame):
        self.table = table
        self.arrays: dict[str, np.ndarray | None] = {}

    def __getitem__(self, name: str) -> np.ndarray | None:
        if name not in self.arrays:
            self.arrays[name] = (self.table[name].to_numpy(dtype=object)
                                 if name in self.table.columns else None)
        return self.arrays[name]


# A compiled expression: (columns, row positions) -> bool array over those rows.
Test = Callable[[_Columns, np.ndarray], np.ndarray]


def _compile(expr: ast.SearchExpr, ctx: Context, timeformat: str) -> Test:
    if isinstance(expr, (ast.SearchAnd, ast.SearchOr)):
        return _combine([_compile(item, ctx, timeformat) for item in expr.items],
                        want=isinstance(expr, ast.SearchAnd))
    if isinstance(expr, ast.SearchNot):
        negations = 0  # NOT NOT ... x: one test, negated or not (no recursion per NOT)
        while isinstance(expr, ast.SearchNot):
            negations, expr = negations + 1, expr.item
        inner = _compile(expr, ctx, timeformat)
        return (lambda cols, rows: ~inner(cols, rows)) if negations % 2 else inner
    if isinstance(expr, ast.Term):
        if patterns.is_match_all(expr.value):
            return lambda cols, rows: np.ones(len(rows), dtype=bool)
        test = patterns.term_matcher(expr.value, expr.case, expr.term, expr.span)
        return _leaf("_raw", lambda v: type(v) is str and test(v))
    if isinstance(expr, ast.Compare):
        return _leaf(expr.field, _cell_test(expr.op, expr.value, expr.case, expr.span))
    if isinstance(expr, ast.FieldIn):
        tests = [_cell_test("=", value, False, expr.span) for value in expr.values]
        return _leaf(expr.field, lambda v: any(test(v) for test in tests))
    if isinstance(expr, ast.TimeModifier):
        return _time_test(expr, ctx, timeformat)
    if isinstance(expr, ast.SubsearchTerm):
        from spl.subsearch import as_search  # runs the subsearch; its results, formatted

        return _compile(as_search(expr.subsearch, ctx), ctx, timeformat)
    raise SearchError(f"cannot evaluate {type(expr).__name__} in a search",
                      span=getattr(expr, "span", None))


def _combine(items: list[Test], want: bool) -> Test:
    """AND (``want`` True) or OR (False), testing each item only on the rows still undecided."""

    def test(cols: _Columns, rows: np.ndarray) -> np.ndarray:
        result = np.full(len(rows), want, dtype=bool)
        for item in items:
            undecided = np.flatnonzero(result == want)
            if not len(undecided):
                break
            result[undecided] = item(cols, rows[undecided])
        return result

    return test


def _leaf(field: str, cell_test: Callable[[object], bool]) -> Test:
    """Test one field's cells; a field the table lacks matches no row."""

    def test(cols: _Columns, rows: np.ndarray) -> np.ndarray:
        values = cols[field]
        if values is None:
            return np.zeros(len(rows), dtype=bool)
        cells = values[rows]
        if len(cells) > 64 and pd.api.types.infer_dtype(cells, skipna=True) == "string":
            # strings only (nulls aside): test each distinct value once
            codes, uniques = pd.factorize(cells)
            passed = np.fromiter(map(cell_test, uniques), dtype=bool, count=len(uniques))
            out = np.full(len(cells), bool(cell_test(None)), dtype=bool)
            known = codes >= 0
            out[known] = passed[codes[known]]
            return out
        return np.fromiter(map(cell_test, cells), dtype=bool, count=len(cells))

    return test


def _cell_test(op: str, value: str, case: bool, span) -> Callable[[object], bool]:
    """Whether one cell passes ``field <op> value``; null cells never do."""
    if op in ("=", "!="):
        if patterns.is_match_all(value):
            # f=* : the field exists; f!=* never matches (every value matches *).
            return (lambda v: not is_null(v)) if op == "=" else (lambda v: False)
        test = patterns.value_matcher(value, case)
        if op == "=":
            return lambda v: _any_value(v, test)
        return lambda v: _any_value(v, lambda s: not test(s))
    if op in _ORDER:
        compare = _ORDER[op]
        number = to_number(value)

        def ordered(x) -> bool:
            n = to_number(x) if number is not None else None
            return compare(n, number) if n is not None else compare(to_str(x), value)

        return lambda v: any(ordered(x) for x in mv_values(v))
    raise SearchError(f"unknown comparison operator {op!r}", span=span)


def _any_value(cell, test) -> bool:
    """Whether any value of a cell (string fast path; numbers as Splunk prints them) passes."""
    if type(cell) is str:
        return test(cell)
    return any(test(to_str(v)) for v in mv_values(cell))


# ---------------------------------------------------------------------- time modifiers

# Older spellings that stand for a relative earliest (start...) or latest (end...) bound.
_AGO_UNITS = {"daysago": "d", "hoursago": "h", "minutesago": "m", "monthsago": "mon"}


def _time_test(node: ast.TimeModifier, ctx: Context, timeformat: str) -> Test:
    if node.name.lower() == "timeformat":  # it only says how starttime/endtime are written
        return lambda cols, rows: np.ones(len(rows), dtype=bool)
    op, bound = _time_bound(node, ctx, timeformat)

    def test(cols: _Columns, rows: np.ndarray) -> np.ndarray:
        times = cols["_time"]
        if times is None:
            return np.zeros(len(rows), dtype=bool)
        t = pd.to_numeric(pd.Series(times[rows]), errors="coerce").to_numpy(dtype=float)
        with np.errstate(invalid="ignore"):
            return op(t, bound)

    return test


def _timeformat(expr) -> str:
    """The ``timeformat=`` written in a search (for starttime/endtime), else Splunk's default."""
    stack = [expr]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.TimeModifier) and node.name.lower() == "timeformat":
            return node.value
        if isinstance(node, (ast.SearchAnd, ast.SearchOr)):
            stack.extend(reversed(node.items))
        elif isinstance(node, ast.SearchNot):
            stack.append(node.item)
    return ABSOLUTE_FORMAT


def _time_bound(node: ast.TimeModifier, ctx: Context, timeformat: str):
    """(numpy comparison, epoch bound) for a time modifier."""
    name = node.name.lower()
    if name in ("earliest", "latest"):
        bound = _relative(node.value, ctx, node)
        return (np.greater_equal, bound) if name == "earliest" else (np.less, bound)
    for prefix, op in (("start", np.greater_equal), ("end", np.less), ("", np.greater_equal)):
        unit = _AGO_UNITS.get(name[len(prefix):]) if name.startswith(prefix) else None
        if unit is not None:
            amount = to_number(node.value)
            if not isinstance(amount, int) or amount < 0:
                raise SearchError(f"{node.name} needs a whole number, got {node.value!r}",
                                  span=node.span)
            return op, _relative(f"-{amount}{unit}", ctx, node)
    if name in ("starttime", "endtime"):
        parsed = strptime(node.value, timeformat, ctx.tz)
        if parsed is None:
            raise SearchError(f"{node.name}={node.value!r} does not fit timeformat {timeformat!r}",
                              span=node.span)
        return (np.greater_equal if name == "starttime" else np.less_equal), parsed
    if name in ("_index_earliest", "_index_latest"):
        raise UnsupportedError(f"{node.name}= is not supported: events carry no index time",
                               span=node.span)
    if name.startswith("searchtimespan"):
        raise UnsupportedError(f"{node.name}= is not supported yet; use earliest=/latest=",
                               span=node.span)
    raise SearchError(f"unknown time modifier {node.name!r}", span=node.span)


def _relative(value: str, ctx: Context, node: ast.TimeModifier) -> float:
    """Epoch seconds of an earliest/latest value (relative, snapped, epoch or absolute)."""
    try:
        return float(parse_time_modifier(value, ctx.now, ctx.tz))
    except SplError as err:
        if err.span is None:
            err.span = node.span
        raise
