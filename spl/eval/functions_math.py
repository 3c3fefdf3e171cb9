"""Eval functions: trigonometric and hyperbolic, bitwise, and the precision functions sigfig and
exact. Registered into the one registry of ``spl.eval.functions``.

TRIG = https://help.splunk.com/splunk-enterprise/spl-search-reference/9.4/evaluation-functions/trig-and-hyperbolic-functions
BIT  = https://help.splunk.com/splunk-enterprise/spl-search-reference/9.4/evaluation-functions/bitwise-functions
MATH = https://help.splunk.com/splunk-enterprise/spl-search-reference/9.4/evaluation-functions/mathematical-functions

Readings where the pages are silent (pinned in tests/test_eval_math.py):
- An argument that is not a number, is multivalue or null, or lies outside a function's domain
  (acos(2), atanh(1), acosh(0.5)) gives null, as sqrt of a negative number does here.
- Bitwise functions take non-negative integers (BIT) below 2**53, the integers a double holds
  exactly; anything else gives null. bit_not inverts within a mask, 2**53 - 1 by default, so
  bit_not(9) is 2**53 - 1 - 9; bit_shift_left keeps the result within the same 53 bits.
- sigfig applies the page's rule to the operation that computes its argument: for * and / the
  fewest significant figures of the operands, for + and - the fewest decimal places. A literal
  operand counts as written (1.00 has three figures), a field as its text. A plain number (no
  operation) keeps its own figures, that is, comes out unchanged.
- exact returns its argument's value unchanged: this engine does not shorten a double, so there
  is no precision for exact to restore (how numbers print is spl.values' business).
"""
from __future__ import annotations

import math
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from spl.eval.functions import _math1, function, special
from spl.syntax import ast
from spl.values import MAX_EXACT, to_number, to_str


def _number(v):
    """A single numeric argument, else None (null, multivalue, text, Boolean)."""
    if v is None or isinstance(v, (list, bool)):
        return None
    n = to_number(v)
    return None if n is None or (isinstance(n, float) and math.isnan(n)) else n


# ---------------------------------------------------------------- trigonometric, hyperbolic

_TRIG = [
    ("acos", math.acos, lambda n: -1 <= n <= 1, "arc cosine in radians; x from -1 to 1"),
    ("acosh", math.acosh, lambda n: n >= 1, "arc hyperbolic cosine; x >= 1"),
    ("asin", math.asin, lambda n: -1 <= n <= 1, "arc sine in radians; x from -1 to 1"),
    ("asinh", math.asinh, lambda n: True, "arc hyperbolic sine"),
    ("atan", math.atan, lambda n: True, "arc tangent in radians"),
    ("atanh", math.atanh, lambda n: -1 < n < 1, "arc hyperbolic tangent; x between -1 and 1"),
    ("cos", math.cos, lambda n: True, "cosine of x radians"),
    ("cosh", math.cosh, lambda n: True, "hyperbolic cosine"),
    ("sin", math.sin, lambda n: True, "sine of x radians"),
    ("sinh", math.sinh, lambda n: True, "hyperbolic sine"),
    ("tan", math.tan, lambda n: True, "tangent of x radians"),
    ("tanh", math.tanh, lambda n: True, "hyperbolic tangent"),
]
for _name, _fn, _domain, _doc in _TRIG:
    function(_name, 1, 1, f"{_name}(x): {_doc}")(_math1(_fn, _domain, read=_number))


@function("atan2", 2, 2, "atan2(y, x): arc tangent of y/x in radians, from -pi to pi")
def _atan2(y, x):
    a, b = _number(y), _number(x)
    return None if a is None or b is None else math.atan2(a, b)


@function("hypot", 2, 2, "hypot(x, y): sqrt(x*x + y*y), the hypotenuse")
def _hypot(x, y):
    a, b = _number(x), _number(y)
    return None if a is None or b is None else math.hypot(a, b)


# ---------------------------------------------------------------- bitwise

BIT_MASK = 2 ** 53 - 1  # the non-negative integers a double holds exactly


def _bits(v) -> int | None:
    """A non-negative integer below 2**53, else None."""
    n = _number(v)
    if n is None or n < 0 or n > MAX_EXACT or (isinstance(n, float) and not n.is_integer()):
        return None
    return int(n)


def _fold(op):
    def f(*args):
        ints = [_bits(a) for a in args]
        if any(i is None for i in ints):
            return None
        out = ints[0]
        for i in ints[1:]:
            out = op(out, i)
        return out
    return f


function("bit_and", 2, None, "bit_and(x, y, ...): bitwise AND of non-negative integers")(
    _fold(lambda a, b: a & b))
function("bit_or", 2, None, "bit_or(x, y, ...): bitwise OR of non-negative integers")(
    _fold(lambda a, b: a | b))
function("bit_xor", 2, None, "bit_xor(x, y, ...): bitwise XOR of non-negative integers")(
    _fold(lambda a, b: a ^ b))


@function("bit_not", 1, 2, "bit_not(x[, mask]): x's bits inverted within mask (2**53 - 1)")
def _bit_not(x, mask=BIT_MASK):
    a, m = _bits(x), _bits(mask)
    return None if a is None or m is None else ~a & m


@function("bit_shift_left", 2, 2, "bit_shift_left(x, n): x shifted left n bits (53 bits kept)")
def _bit_shift_left(x, n):
    a, k = _bits(x), _bits(n)
    return None if a is None or k is None else (a << min(k, 64)) & BIT_MASK


@function("bit_shift_right", 2, 2, "bit_shift_right(x, n): x shifted right n bits")
def _bit_shift_right(x, n):
    a, k = _bits(x), _bits(n)
    return None if a is None or k is None else a >> k


# ---------------------------------------------------------------- precision

_NUMERAL = re.compile(r"\s*[+-]?(\d*)(?:\.(\d*))?(?:[eE][+-]?\d+)?\s*\Z")


def significant_figures(text: str) -> int | None:
    """Significant figures of a written number: leading zeros never count, trailing zeros of a
    number without a decimal point do not either ("1100" has 2, "1.00" has 3, "0" has 1)."""
    m = _NUMERAL.match(text)
    if m is None or not (m.group(1) or m.group(2)):
        return None
    whole, frac = m.group(1), m.group(2)
    if frac is None:
        digits = whole.lstrip("0").rstrip("0")
        return max(len(digits), 1)
    digits = (whole + frac).lstrip("0")
    return max(len(digits), 1)


def decimal_places(text: str) -> int | None:
    m = _NUMERAL.match(text)
    if m is None or not (m.group(1) or m.group(2)):
        return None
    return len(m.group(2) or "")


def _round_figures(x, figures: int):
    if x == 0 or not math.isfinite(x):
        return x
    exponent = math.floor(math.log10(abs(x)))
    return _round_places(x, figures - 1 - exponent)


def _round_places(x, places: int):
    try:
        q = Decimal(repr(float(x))).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    except InvalidOperation:
        return x
    return int(q) if places <= 0 else float(q)


@special("sigfig", 1, 1,
         "sigfig(x op y): the result rounded to the precision of the operands (* /: fewest "
         "significant figures; + -: fewest decimal places)")
def _sigfig(call, c):
    node = call.args[0]
    whole = c.compile(node)
    if not (isinstance(node, ast.BinOp) and node.op in ("*", "/", "+", "-")):
        return whole
    operands = [(c.compile(side), _written(side, c)) for side in (node.left, node.right)]
    count = significant_figures if node.op in ("*", "/") else decimal_places

    def f(i):
        result = whole(i)
        n = _number(result)
        if n is None:
            return result
        precisions = []
        for value, written in operands:
            text = written if written is not None else to_str(value(i))
            p = count(text) if text is not None else None
            if p is None:
                return result
            precisions.append(p)
        if node.op in ("*", "/"):
            return _round_figures(n, min(precisions))
        return _round_places(n, min(precisions))
    return f


def _written(node, c) -> str | None:
    """A number literal as written in the search text (1.00 stays 1.00), else None."""
    if not isinstance(node, ast.Literal) or isinstance(node.value, str):
        return None
    text = c.ctx.text[node.span.start:node.span.end] if c.ctx.text else ""
    if to_number(text) != node.value:  # no source text for this node: the value's own digits
        return to_str(node.value)
    return text


@function("exact", 1, 1, "exact(x): x with its full precision (unchanged here)")
def _exact(x):
    return x

