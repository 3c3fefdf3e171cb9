"""Compile an eval expression once into a closure over row numbers, then run it per row.

Field columns are read out of the DataFrame once as plain lists, so evaluating a row costs a few
Python calls, not pandas indexing. The value rules are those of ``spl.values``: None is null,
numeric strings (what JSON extraction gives) act as numbers in arithmetic and comparison, a list
is a multivalue field, and ``bool`` only exists inside an expression. A double-quoted literal is
always a string, as Splunk types literals.
"""
from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from spl.context import Context
from spl.errors import SearchError, SplError
from spl.eval.regex import wildcard_fullmatch
from spl.syntax import ast
from spl.values import as_double, is_null, to_number, to_str
from spl.vocabulary import refuse

RowFn = Callable[[int], Any]


def _clean(v):
    """A cell as eval sees it: NaN/NA become None, one-element lists their element."""
    if isinstance(v, np.generic):
        v = v.item()
    if v is None or isinstance(v, (str, int)):
        return v
    if isinstance(v, float):
        return None if v != v else v
    if isinstance(v, (list, tuple)) or hasattr(v, "tolist"):
        values = [x for x in (v.tolist() if hasattr(v, "tolist") else v) if not is_null(x)]
        if not values:
            return None
        return values[0] if len(values) == 1 else list(values)
    if v is pd.NA or v is pd.NaT:
        return None
    return v


class Compiler:
    """Turns AST nodes into ``f(row) -> value`` closures over the columns of one table.

    ``bindings`` maps a field name to a closure that overrides the table's column; mvfilter uses
    it to make its field stand for the value being tested.
    """

    def __init__(self, columns: Callable[[str], list | None], ctx: Context):
        self._columns = columns
        self._cache: dict[str, list | None] = {}
        self.ctx = ctx
        self.bindings: dict[str, RowFn] = {}

    def column(self, name: str) -> list | None:
        if name not in self._cache:
            self._cache[name] = self._columns(name)
        return self._cache[name]

    def compile(self, node) -> RowFn:
        if isinstance(node, ast.Literal):
            value = node.value
            return lambda i: value
        if isinstance(node, ast.Field):
            return self._field(node.name)
        if isinstance(node, ast.BinOp):
            return self._binop(node)
        if isinstance(node, ast.UnaryOp):
            return self._unary(node)
        if isinstance(node, ast.In):
            target = self.compile(node.expr)
            text = _is_text(node.expr)
            options = [(self.compile(v), TEXT_EQUAL if text or _is_text(v) else EQUAL)
                       for v in node.values]
            return lambda i: _any_option(target(i), options, i)
        if isinstance(node, ast.Call):
            return self._call(node)
        raise SearchError(f"cannot evaluate {type(node).__name__} in an eval expression",
                          span=getattr(node, "span", None))

    def _field(self, name: str) -> RowFn:
        if name in self.bindings:
            return self.bindings[name]
        col = self.column(name)
        if col is None:
            return lambda i: None
        return col.__getitem__

    def _binop(self, node: ast.BinOp) -> RowFn:
        """A binary operator; a chain of them (``a OR b OR ...``, ``a.b.c...``, ``1+2+...``: the
        parser nests them to the left) becomes one loop, not one closure calling the next, so a
        long chain does not run out of Python's stack."""
        spine = [node]
        while isinstance(spine[-1].left, ast.BinOp):
            spine.append(spine[-1].left)
        spine.reverse()  # innermost first: the order the operators apply in
        first = self.compile(spine[0].left)
        steps = [self._step(n) for n in spine]
        if len(steps) == 1:
            return self._pair(*steps[0], first)

        def chain(i):
            a = first(i)
            for op, fn, right in steps:
                if op == "AND":
                    a = False if a is False else logical_and(a, right(i))
                elif op == "OR":
                    a = True if a is True else logical_or(a, right(i))
                else:
                    a = fn(a, right(i))
            return a
        return chain

    def _step(self, node: ast.BinOp) -> tuple[str, Any, RowFn]:
        """(operator, function, right operand) of one binary operator of a chain; the function is
        None for AND and OR, which the caller evaluates itself (typed Any: its loop calls it only
        for the other operators)."""
        op = node.op.upper()
        right = self.compile(node.right)
        if op in ("AND", "OR"):
            return op, None, right
        fn = BINARY.get(op)
        if fn is None:
            raise SearchError(f"unknown operator {node.op!r}", span=node.span)
        if _is_text(node.left) or _is_text(node.right):
            # A "quoted" literal is a string, never a number: "5" + "3" is "53" and
            # x = "05" compares text (Splunk types literals; see the statistical page's avg()).
            fn = TEXT_BINARY.get(op, fn)
        return op, fn, right

    @staticmethod
    def _pair(op: str, fn, right: RowFn, left: RowFn) -> RowFn:
        """One operator alone: AND and OR leave the right side unevaluated when the left decides."""
        if op == "AND":
            def f_and(i):
                a = left(i)
                if a is False:
                    return False
                return logical_and(a, right(i))
            return f_and
        if op == "OR":
            def f_or(i):
                a = left(i)
                if a is True:
                    return True
                return logical_or(a, right(i))
            return f_or
        return lambda i: fn(left(i), right(i))

    def _unary(self, node: ast.UnaryOp) -> RowFn:
        """NOT or minus; a run of them (``NOT NOT ... x``) is one loop over the operators."""
        ops: list[str] = []
        inner: ast.Expr = node
        while isinstance(inner, ast.UnaryOp):
            op = inner.op.upper()
            if op not in ("NOT", "-"):
                raise SearchError(f"unknown operator {inner.op!r}", span=inner.span)
            ops.append(op)
            inner = inner.operand
        operand = self.compile(inner)
        if len(ops) == 1:
            return (lambda i: logical_not(operand(i))) if ops[0] == "NOT" else \
                (lambda i: negate(operand(i)))
        fns = [logical_not if op == "NOT" else negate for op in reversed(ops)]

        def run(i):
            v = operand(i)
            for fn in fns:
                v = fn(v)
            return v
        return run

    def _call(self, node: ast.Call) -> RowFn:
        from spl.eval.functions import lookup, names

        spec = lookup(node.name)
        if spec is None:
            raise refuse("eval function", node.name, names(), node.span)
        n = len(node.args)
        if n < spec.min_args or (spec.max_args is not None and n > spec.max_args):
            raise SearchError(f"{spec.name}() takes {spec.arity_text()}, got {n}", span=node.span)
        if spec.special is not None:
            fn = spec.special(node, self)
        else:
            args = [self.compile(a) for a in node.args]
            impl = spec.impl
            assert impl is not None  # a function is registered with an impl or a special
            if spec.needs_ctx:
                ctx = self.ctx
                fn = lambda i: impl(ctx, *[a(i) for a in args])  # noqa: E731
            elif n == 1:
                a0 = args[0]
                fn = lambda i: impl(a0(i))  # noqa: E731
            elif n == 2:
                a0, a1 = args
                fn = lambda i: impl(a0(i), a1(i))  # noqa: E731
            else:
                fn = lambda i: impl(*[a(i) for a in args])  # noqa: E731
        span, name = node.span, spec.name

        def call(i):
            try:
                return fn(i)
            except SplError as e:
                if e.span is None:
                    e.span = span
                raise
            except (ArithmeticError, ValueError, TypeError) as e:
                raise SearchError(f"{name}() cannot compute this value: {e}", span=span) from None
        return call


# ---------------------------------------------------------------- operators


def _is_text(node) -> bool:
    """A double-quoted string literal."""
    return isinstance(node, ast.Literal) and isinstance(node.value, str)


_NUMBERS: dict[str, Any] = {}


def number(v):
    """``to_number`` with a memo for strings: field values repeat, and parsing is the hot spot."""
    if type(v) is str:
        n = _NUMBERS.get(v, _NUMBERS)
        if n is _NUMBERS:
            n = to_number(v)
            if len(_NUMBERS) < 100_000:
                _NUMBERS[v] = n
        return n
    return to_number(v)


def _scalar(v):
    """The single value of an operand; a multivalue operand has none (null) in arithmetic."""
    return None if isinstance(v, list) else v


def _numeric_or_null(v):
    return number(_scalar(v))


def _int_if_exact(x, a, b):
    """Keep int results int when both operands were ints (Splunk prints them without '.0')."""
    if isinstance(a, int) and isinstance(b, int) and isinstance(x, float) and x.is_integer() \
            and abs(x) < 2 ** 53:
        return int(x)
    return x


def add_text(a, b):
    """``+`` with a string literal operand: concatenation of two strings, else null."""
    a, b = _scalar(a), _scalar(b)
    if isinstance(a, str) and isinstance(b, str):
        return a + b
    return None


def add(a, b):
    """``+``: sum of two numbers (numeric strings count), else concatenation of two strings."""
    a, b = _scalar(a), _scalar(b)
    if a is None or b is None:
        return None
    x, y = number(a), number(b)
    if x is not None and y is not None:
        return as_double(x + y)
    if isinstance(a, str) and isinstance(b, str):
        return a + b
    return None


def subtract(a, b):
    x, y = _numeric_or_null(a), _numeric_or_null(b)
    return None if x is None or y is None else as_double(x - y)


def multiply(a, b):
    x, y = _numeric_or_null(a), _numeric_or_null(b)
    return None if x is None or y is None else as_double(x * y)


def divide(a, b):
    """``/``: division by zero is null (Splunk docs, eval)."""
    x, y = _numeric_or_null(a), _numeric_or_null(b)
    if x is None or y is None or y == 0:
        return None
    return _int_if_exact(x / y, x, y)


def modulo(a, b):
    """``%``: remainder with the sign of the dividend (C fmod), null for a zero divisor."""
    x, y = _numeric_or_null(a), _numeric_or_null(b)
    if x is None or y is None or y == 0:
        return None
    if isinstance(x, int) and isinstance(y, int):
        r = abs(x) % abs(y)
        return -r if x < 0 else r
    try:
        return math.fmod(x, y)
    except ValueError:  # an infinite dividend has no remainder
        return None


def concat(a, b):
    """``.``: both sides as strings (numbers in their printed form); null if either is null."""
    a, b = _scalar(a), _scalar(b)
    if a is None or b is None:
        return None
    return to_str(a) + to_str(b)


def negate(v):
    x = _numeric_or_null(v)
    return None if x is None else as_double(-x)


def _compare_pair(op: str, a, b, text: bool = False) -> bool:
    """One comparison of two non-null single values: numeric when both are numbers (and neither
    is a string literal, ``text``), else as text."""
    if isinstance(a, bool) or isinstance(b, bool):
        if op == "=":
            return a is b
        if op == "!=":
            return a is not b
        return False
    x, y = (None, None) if text else (number(a), number(b))
    if x is None or y is None:
        x, y = to_str(a), to_str(b)
    if op == "=":
        return x == y
    if op == "!=":
        return x != y
    if op == "<":
        return x < y
    if op == "<=":
        return x <= y
    if op == ">":
        return x > y
    return x >= y


def _comparison(op: str, text: bool = False):
    def compare(a, b) -> bool:
        """True if any value of a multivalue side compares true; never true against null."""
        if a is None or b is None:
            return False
        if isinstance(a, list) or isinstance(b, list):
            return any(_compare_pair(op, x, y, text) for x in _values(a) for y in _values(b))
        return _compare_pair(op, a, b, text)
    compare.__name__ = f"compare_{op}"
    return compare


def _values(v) -> list:
    return v if isinstance(v, list) else [v]


EQUAL, TEXT_EQUAL = _comparison("="), _comparison("=", text=True)


def _any_option(target, options, i) -> bool:
    """``x IN (a, b)``: options are (closure, equality) pairs, tried in order."""
    return any(eq(target, option(i)) for option, eq in options)


def like(value, pattern) -> bool:
    """Case-sensitive LIKE (``%`` any run, ``_`` one character, the whole value must match); any
    value of a multivalue field may match; null never matches. Matched without a regex, so a
    pattern of many ``%`` cannot backtrack (spl.eval.regex.wildcard_fullmatch)."""
    if value is None or pattern is None or isinstance(pattern, list):
        return False
    pieces = to_str(pattern).split("%")
    return any(wildcard_fullmatch(pieces, to_str(v), "_") for v in _values(value))


def _truth(v):
    """A Boolean operand: True/False, or None when the operand is null or not a Boolean."""
    return v if isinstance(v, bool) else None


def logical_and(a, b):
    a, b = _truth(a), _truth(b)
    if a is False or b is False:
        return False
    if a is None or b is None:
        return None
    return True


def logical_or(a, b):
    a, b = _truth(a), _truth(b)
    if a is True or b is True:
        return True
    if a is None or b is None:
        return None
    return False


def logical_xor(a, b):
    a, b = _truth(a), _truth(b)
    if a is None or b is None:
        return None
    return a != b


def logical_not(v):
    v = _truth(v)
    return None if v is None else not v


BINARY: dict[str, Callable[[Any, Any], Any]] = {
    "+": add, "-": subtract, "*": multiply, "/": divide, "%": modulo, ".": concat,
    "=": _comparison("="), "==": _comparison("="), "!=": _comparison("!="),
    "<": _comparison("<"), "<=": _comparison("<="), ">": _comparison(">"), ">=": _comparison(">="),
    "XOR": logical_xor, "LIKE": like,
}
TEXT_BINARY: dict[str, Callable[[Any, Any], Any]] = {
    "+": add_text, **{k: _comparison(k if k != "==" else "=", text=True)
                      for k in ("=", "==", "!=", "<", "<=", ">", ">=")},
}


# ---------------------------------------------------------------- entry points


def _table_columns(table: pd.DataFrame) -> Callable[[str], list | None]:
    def column(name: str):
        if name not in table.columns:
            return None
        series = table[name]
        if isinstance(series, pd.DataFrame):  # duplicate column names: the first one wins
            series = series.iloc[:, 0]
        return _cells(series.tolist())
    return column


def _cells(values: list) -> list:
    """A column's cells as eval sees them (_clean; strings, most cells, as they are)."""
    return [v if type(v) is str else _clean(v) for v in values]


def evaluate_columns(expr, columns: dict[str, list], n: int, ctx: Context) -> list:
    """``evaluate`` over ``n`` rows of columns held as lists (a missing one is null), without
    building a table: props.conf EVALs work out many small ones (spl.data.props._Split)."""
    def column(name: str):
        values = columns.get(name)
        return None if values is None else _cells(values)
    fn = Compiler(column, ctx).compile(expr)
    return [fn(i) for i in range(n)]


def compile_expression(expr, table: pd.DataFrame, ctx: Context) -> RowFn:
    """``f(row_position) -> value`` for ``expr`` over ``table`` (positions 0..len-1)."""
    return Compiler(_table_columns(table), ctx).compile(expr)


def evaluate(expr, table: pd.DataFrame, ctx: Context) -> pd.Series:
    """One value per row of ``table``, index-aligned; a missing field is null."""
    fn = compile_expression(expr, table, ctx)
    values = [fn(i) for i in range(len(table))]
    return pd.Series(values, index=table.index, dtype=object)


_VALUE_OPERATORS = {"+", "-", "*", "/", "%", "."}


def _never_boolean(expr) -> bool:
    """True when ``expr`` cannot give a Boolean whatever the data: a literal, arithmetic or
    concatenation, or a call of a function that only returns values."""
    from spl.eval.functions import lookup

    if isinstance(expr, ast.Literal):
        return True
    if isinstance(expr, ast.BinOp):
        return expr.op in _VALUE_OPERATORS
    if isinstance(expr, ast.UnaryOp):
        return expr.op == "-"
    if isinstance(expr, ast.Call):
        spec = lookup(expr.name)
        return spec is not None and spec.result == "value"
    return False


def where_mask(expr, table: pd.DataFrame, ctx: Context) -> pd.Series:
    """The rows ``where`` keeps: those for which the expression is Boolean true; null, false and
    non-Boolean values drop the row. An expression that can never be Boolean is an error: the
    where page says its expression "must be Boolean" and is checked before the search runs."""
    if _never_boolean(expr):
        raise SearchError("where needs a Boolean expression, such as a comparison, AND/OR/NOT, "
                          "or a test like isnull() or like()", span=getattr(expr, "span", None))
    fn = compile_expression(expr, table, ctx)
    return pd.Series([fn(i) is True for i in range(len(table))], index=table.index, dtype=bool)


def evaluate_row(expr, fields: dict, ctx: Context):
    """The value of ``expr`` for one event given as a dict of field values (macros' iseval,
    validation, tests)."""
    def column(name: str):
        return [_clean(fields[name])] if name in fields else None
    return Compiler(column, ctx).compile(expr)(0)
