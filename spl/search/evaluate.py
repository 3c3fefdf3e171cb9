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

AND and OR only evaluate a term on the rows still undecided, so expensive tests (keywords over
``_raw``) run on as few rows as possible.
"""
from __future__ import annotations

import operator
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
    """The rows ``search <expr>`` keeps, as a bool Series aligned to ``table.index``."""
    if expr is None:
        return pd.Series(True, index=table.index, dtype=bool)
    keep = _Evaluator(table, ctx, _timeformat(expr)).run(expr, np.arange(len(table)))
    return pd.Series(keep, index=table.index, dtype=bool)


def fields_used(expr: ast.SearchExpr | None) -> set[str]:
    """The field names an expression reads: ``_raw`` for keywords, ``_time`` for time bounds."""
    if expr is None:
        return set()
    if isinstance(expr, ast.Term):
        return set() if patterns.is_match_all(expr.value) else {"_raw"}
    if isinstance(expr, (ast.Compare, ast.FieldIn)):
        return {expr.field}
    if isinstance(expr, ast.TimeModifier):
        return {"_time"}
    if isinstance(expr, (ast.SearchAnd, ast.SearchOr)):
        return set().union(*(fields_used(item) for item in expr.items))
    if isinstance(expr, ast.SearchNot):
        return fields_used(expr.item)
    return set()  # SubsearchTerm: its own pipeline reads its own fields


class _Evaluator:
    """One evaluation: the table, the clock, and each column read once as an object array."""

    def __init__(self, table: pd.DataFrame, ctx: Context, timeformat: str):
        self.table = table
        self.ctx = ctx
        self.timeformat = timeformat
        self.columns: dict[str, np.ndarray | None] = {}

    def column(self, name: str) -> np.ndarray | None:
        if name not in self.columns:
            self.columns[name] = (self.table[name].to_numpy(dtype=object)
                                  if name in self.table.columns else None)
        return self.columns[name]

    def run(self, expr: ast.SearchExpr, rows: np.ndarray) -> np.ndarray:
        """Bool array over ``rows`` (positions into the table)."""
        if isinstance(expr, ast.SearchAnd):
            return self._combine(expr.items, rows, want=True)
        if isinstance(expr, ast.SearchOr):
            return self._combine(expr.items, rows, want=False)
        if isinstance(expr, ast.SearchNot):
            return ~self.run(expr.item, rows)
        if isinstance(expr, ast.Term):
            return self._term(expr, rows)
        if isinstance(expr, ast.Compare):
            return self._compare(expr.field, expr.op, expr.value, expr.case, rows)
        if isinstance(expr, ast.FieldIn):
            items = tuple(ast.Compare(expr.field, "=", v, False, expr.span) for v in expr.values)
            return self._combine(items, rows, want=False)
        if isinstance(expr, ast.TimeModifier):
            return self._time(expr, rows)
        if isinstance(expr, ast.SubsearchTerm):
            raise UnsupportedError("subsearches are not supported yet", span=expr.span)
        raise SearchError(f"cannot evaluate {type(expr).__name__} in a search",
                          span=getattr(expr, "span", None))

    def _combine(self, items, rows: np.ndarray, want: bool) -> np.ndarray:
        """AND (``want`` True) or OR (False), evaluating each item only where still undecided."""
        result = np.full(len(rows), want, dtype=bool)
        for item in items:
            open_ = np.flatnonzero(result == want)
            if not len(open_):
                break
            result[open_] = self.run(item, rows[open_])
        return result

    # ------------------------------------------------------------------ leaves

    def _term(self, node: ast.Term, rows: np.ndarray) -> np.ndarray:
        if patterns.is_match_all(node.value):
            return np.ones(len(rows), dtype=bool)
        raw = self.column("_raw")
        if raw is None:
            return np.zeros(len(rows), dtype=bool)
        test = patterns.term_matcher(node.value, node.case, node.term)
        return _each(raw[rows], lambda v: type(v) is str and test(v))

    def _compare(self, field: str, op: str, value: str, case: bool, rows: np.ndarray) -> np.ndarray:
        values = self.column(field)
        if values is None:
            return np.zeros(len(rows), dtype=bool)
        cells = values[rows]
        if op in ("=", "!="):
            if patterns.is_match_all(value):
                # f=* : the field exists; f!=* never matches (every value matches *).
                return _each(cells, lambda v: not is_null(v)) if op == "=" else np.zeros(len(rows), bool)
            test = patterns.value_matcher(value, case)
            wanted = op == "="
            return _each(cells, lambda v: _any_value(v, lambda s: test(s) == wanted))
        if op in _ORDER:
            compare = _ORDER[op]
            number = to_number(value)

            def ordered(x) -> bool:
                n = to_number(x) if number is not None else None
                return compare(n, number) if n is not None else compare(to_str(x), value)

            return _each(cells, lambda v: any(ordered(x) for x in mv_values(v)))
        raise SearchError(f"unknown comparison operator {op!r}")

    def _time(self, node: ast.TimeModifier, rows: np.ndarray) -> np.ndarray:
        if node.name.lower() == "timeformat":  # it only says how starttime/endtime are written
            return np.ones(len(rows), dtype=bool)
        op, bound = _time_bound(node, self.ctx, self.timeformat)
        times = self.column("_time")
        if times is None:
            return np.zeros(len(rows), dtype=bool)
        t = pd.to_numeric(pd.Series(times[rows]), errors="coerce").to_numpy(dtype=float)
        with np.errstate(invalid="ignore"):
            return op(t, bound)


def _each(cells: np.ndarray, test) -> np.ndarray:
    return np.fromiter(map(test, cells), dtype=bool, count=len(cells))


def _any_value(cell, test) -> bool:
    """Whether any value of a cell (string fast path; numbers as Splunk prints them) passes."""
    if type(cell) is str:
        return test(cell)
    return any(test(to_str(v)) for v in mv_values(cell))


# ---------------------------------------------------------------------- time modifiers

# Older spellings that stand for a relative earliest (start...) or latest (end...) bound.
_AGO_UNITS = {"daysago": "d", "hoursago": "h", "minutesago": "m", "monthsago": "mon"}


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
        bound = strptime(node.value, timeformat, ctx.tz)
        if bound is None:
            raise SearchError(f"{node.name}={node.value!r} does not fit timeformat {timeformat!r}",
                              span=node.span)
        return (np.greater_equal if name == "starttime" else np.less_equal), bound
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
