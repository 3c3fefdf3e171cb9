"""The eval function registry: every function with its arity and a one-line doc.

Most functions are plain value functions (``impl(*args)``, args already evaluated for the row);
functions that must see their arguments unevaluated (if, case, coalesce short-circuit; mvfilter
evaluates its predicate once per value) register a ``special`` compiler instead.

Names are looked up exactly as written: Splunk's eval function names are lower case, and
``IF(...)`` is not the function ``if``. Reference pages:
https://help.splunk.com/en/splunk-enterprise/search/spl-search-reference/10.0/evaluation-functions
"""
from __future__ import annotations

import hashlib
import importlib
import ipaddress
import json
import math
import random as _random
import re
import time as _time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from spl import timefmt
from spl.errors import SearchError, UnsupportedError
from spl.eval import evaluator
from spl.eval.regex import bounded_value, expand_replacement
from spl.syntax import ast
from spl.values import MAX_EXACT, as_double, make_mv, order_key, to_number, to_str


@dataclass(frozen=True)
class FunctionSpec:
    """An eval function: ``max_args`` None means any number. ``result`` is "bool" for tests,
    "any" when an argument passes through (if, case, coalesce...), else "value"."""

    name: str
    min_args: int
    max_args: int | None
    doc: str
    impl: Callable[..., Any] | None = None
    special: Callable[[ast.Call, evaluator.Compiler], Callable[[int], Any]] | None = None
    needs_ctx: bool = False
    result: str = "value"

    def arity_text(self) -> str:
        if self.max_args == self.min_args:
            return f"{self.min_args} argument{'s' if self.min_args != 1 else ''}"
        if self.max_args is None:
            return f"at least {self.min_args} argument{'s' if self.min_args != 1 else ''}"
        return f"{self.min_args} to {self.max_args} arguments"


_REGISTRY: dict[str, FunctionSpec] = {}

# Families kept in modules of their own; each registers here with ``function``/``special`` when
# imported. They import this module, so this one loads them on first use, not at import.
_FAMILIES = ("functions_conv", "functions_info", "functions_json", "functions_math",
             "functions_search")
_families_loaded = False


def _load_families() -> None:
    global _families_loaded
    if not _families_loaded:
        _families_loaded = True
        for family in _FAMILIES:
            importlib.import_module(f"spl.eval.{family}")


def lookup(name: str) -> FunctionSpec | None:
    """The function called ``name``, in any letter case, or None.

    Production ESCU detections call ``CASE(``, ``ISNOTNULL(`` and run in Splunk, so Splunk
    resolves eval function names without regard to case.
    """
    _load_families()
    return _REGISTRY.get(name.lower())


def names() -> list[str]:
    """Every registered function name, sorted."""
    _load_families()
    return sorted(_REGISTRY)


def _register(name: str, min_args: int, max_args: int | None, doc: str, *, special=None,
              needs_ctx: bool = False, result: str = "value"):
    def deco(fn):
        _REGISTRY[name] = FunctionSpec(name, min_args, max_args, doc,
                                       impl=None if special else fn,
                                       special=fn if special else None, needs_ctx=needs_ctx,
                                       result=result)
        return fn
    return deco


def function(name: str, min_args: int, max_args: int | None, doc: str, *, needs_ctx=False,
             result: str = "value"):
    """Register a value function ``impl(*values)`` (``impl(ctx, *values)`` with needs_ctx)."""
    return _register(name, min_args, max_args, doc, needs_ctx=needs_ctx, result=result)


def special(name: str, min_args: int, max_args: int | None, doc: str, *, result: str = "value"):
    """Register a function compiled from its unevaluated arguments."""
    return _register(name, min_args, max_args, doc, special=True, result=result)


# ---------------------------------------------------------------- helpers


def _values(v) -> list:
    """Values of an argument: [] for null, the list for a multivalue, [v] otherwise."""
    if v is None:
        return []
    return v if isinstance(v, list) else [v]


def _per_value(fn: Callable[[Any], Any]):
    """Apply a one-value function to each value of a multivalue argument (null stays null)."""
    def apply(v, *rest):
        if v is None:
            return None
        if isinstance(v, list):
            return make_mv([fn(x, *rest) for x in v])
        return fn(v, *rest)
    return apply


def _single(fn: Callable[..., Any]):
    """A function Splunk documents as "not supported on multivalue fields": null for those."""
    def apply(v, *rest):
        if v is None or isinstance(v, list):
            return None
        return fn(v, *rest)
    return apply


def _text(v) -> str | None:
    """A single argument as text; multivalue and null give None."""
    if v is None or isinstance(v, list):
        return None
    return to_str(v)


def _int_arg(v, what: str) -> int | None:
    n = to_number(v) if not isinstance(v, list) else None
    if n is None:
        return None
    if isinstance(n, float):
        if not n.is_integer():
            raise SearchError(f"{what} must be an integer, got {to_str(v)}")
        n = int(n)
    return n


def _num(v):
    return None if isinstance(v, list) else to_number(v)


# ---------------------------------------------------------------- conditional / comparison


@special("if", 3, 3, "if(cond, x, y): x when cond is true, else y", result="any")
def _if(call, c):
    cond, yes, no = (c.compile(a) for a in call.args)
    return lambda i: yes(i) if cond(i) is True else no(i)


def _compiled_pairs(call, c, what: str):
    """The arguments of case()/validate() compiled as (condition, value) pairs."""
    if len(call.args) % 2:
        raise SearchError(f"{call.name.lower()}() takes pairs of {what}", span=call.span)
    return [(c.compile(call.args[k]), c.compile(call.args[k + 1]))
            for k in range(0, len(call.args), 2)]


@special("case", 2, None,
         "case(cond1, v1, cond2, v2, ...): the value of the first true condition, else null",
         result="any")
def _case(call, c):
    pairs = _compiled_pairs(call, c, "condition and value")

    def f(i):
        for cond, value in pairs:
            if cond(i) is True:
                return value(i)
        return None
    return f


@special("coalesce", 1, None, "coalesce(x, ...): the first argument that is not null", result="any")
def _coalesce(call, c):
    args = [c.compile(a) for a in call.args]

    def f(i):
        for a in args:
            v = a(i)
            if v is not None:
                return v
        return None
    return f


@special("validate", 2, None,
         "validate(cond1, msg1, ...): the message of the first false condition, else null")
def _validate(call, c):
    pairs = _compiled_pairs(call, c, "condition and message")

    def f(i):
        for cond, msg in pairs:
            if cond(i) is not True:
                return msg(i)
        return None
    return f


@special("in", 2, None, "in(x, v1, v2, ...): true if x equals one of the values", result="bool")
def _in(call, c):
    """The same test as the ``x IN (...)`` operator (quoted values compare as text)."""
    return c.compile(ast.In(call.args[0], call.args[1:], call.span))


@function("like", 2, 2,
          "like(text, pattern): true if text matches the SQL pattern (% any run, _ one char)",
          result="bool")
def _like(x, pattern):
    return evaluator.like(x, pattern)


@function("match", 2, 2,
          "match(text, regex): true if the regex matches anywhere in text", result="bool")
def _match(x, regex):
    if x is None or regex is None:
        return False
    rx = bounded_value(regex if type(regex) is str else to_str(regex), "match()")
    if type(x) is str:
        return rx.search(x) is not None
    return any(rx.search(to_str(v)) is not None for v in _values(x))


@function("cidrmatch", 2, 2,
          "cidrmatch(cidr, ip): true if the IPv4/IPv6 address is in the subnet", result="bool")
def _cidrmatch(cidr, ip):
    if cidr is None or ip is None or isinstance(cidr, list):
        return False
    try:
        net = ipaddress.ip_network(to_str(cidr).strip(), strict=False)
    except ValueError:
        return False
    for v in _values(ip):
        try:
            addr = ipaddress.ip_address(to_str(v).strip())
        except ValueError:
            continue
        if addr.version == net.version and addr in net:
            return True
    return False


@special("searchmatch", 1, 1,
         "searchmatch(search): true if the event matches the search string (not supported)",
         result="bool")
def _searchmatch(call, c):
    raise UnsupportedError("eval function searchmatch is not supported", span=call.span)


@function("null", 0, 0, "null(): the null value", result="any")
def _null():
    return None


@function("true", 0, 0, "true(): Boolean true", result="bool")
def _true():
    return True


@function("false", 0, 0, "false(): Boolean false", result="bool")
def _false():
    return False


@function("nullif", 2, 2, "nullif(x, y): null if x equals y, else x", result="any")
def _nullif(x, y):
    return None if evaluator.BINARY["="](x, y) else x


# ---------------------------------------------------------------- informational


@function("isnull", 1, 1, "isnull(x): true if x is null", result="bool")
def _isnull(x):
    return x is None


@function("isnotnull", 1, 1, "isnotnull(x): true if x is not null", result="bool")
def _isnotnull(x):
    return x is not None


def _is_number(x) -> bool:
    return not isinstance(x, (bool, list)) and to_number(x) is not None


def _is_nan_text(x) -> bool:
    """The text "NaN" (any case, spaces around allowed): Splunk's name of the not-a-number double."""
    return isinstance(x, str) and x.strip().lower() == "nan"


@function("isnum", 1, 1, "isnum(x): true if x is a number (a numeric string, and \"NaN\", count)",
          result="bool")
def _isnum(x):
    """INFO's isnum: NaN is a double, so the text "NaN" is a number too (issue 14)."""
    return _is_number(x) or _is_nan_text(x)


@function("isint", 1, 1, "isint(x): true if x is an integer number", result="bool")
def _isint(x):
    if not _is_number(x):
        return False
    if isinstance(x, str):
        return re.fullmatch(r"\s*[+-]?\d+\s*", x) is not None
    return isinstance(x, int) or float(x).is_integer()


@function("isstr", 1, 1, "isstr(x): true if x is a string that is not a number", result="bool")
def _isstr(x):
    return isinstance(x, str) and to_number(x) is None and not _is_nan_text(x)


@function("isbool", 1, 1, "isbool(x): true if x is a Boolean", result="bool")
def _isbool(x):
    return isinstance(x, bool)


@function("typeof", 1, 1, "typeof(x): Number, String, Bool, Multivalue or Invalid (null)")
def _typeof(x):
    """INFO's example: typeof(12) + typeof("string") + typeof(1==2) + typeof(badfield) is
    "NumberStringBoolInvalid": a Boolean is "Bool" (issue 14)."""
    if x is None:
        return "Invalid"
    if isinstance(x, bool):
        return "Bool"
    if isinstance(x, list):
        return "Multivalue"
    return "Number" if to_number(x) is not None or _is_nan_text(x) else "String"


# ---------------------------------------------------------------- text


@function("lower", 1, 1, "lower(text): text in lower case")
@_per_value
def _lower(x):
    return x.lower() if isinstance(x, str) else x


@function("upper", 1, 1, "upper(text): text in upper case")
@_per_value
def _upper(x):
    return x.upper() if isinstance(x, str) else x


@function("len", 1, 1, "len(text): number of characters (code points)")
@_single
def _len(x):
    return len(to_str(x))


_TRIM_DEFAULT = " \t"


@function("trim", 1, 2,
          "trim(text[, chars]): text without leading/trailing chars (spaces and tabs)")
def _trim(x, chars=_TRIM_DEFAULT):
    return _single(lambda v: to_str(v).strip(_chars(chars)))(x)


@function("ltrim", 1, 2, "ltrim(text[, chars]): text without leading chars (spaces and tabs)")
def _ltrim(x, chars=_TRIM_DEFAULT):
    return _single(lambda v: to_str(v).lstrip(_chars(chars)))(x)


@function("rtrim", 1, 2, "rtrim(text[, chars]): text without trailing chars (spaces and tabs)")
def _rtrim(x, chars=_TRIM_DEFAULT):
    return _single(lambda v: to_str(v).rstrip(_chars(chars)))(x)


def _chars(chars) -> str:
    return _TRIM_DEFAULT if chars is None else to_str(chars)


@function("substr", 2, 3,
          "substr(text, start[, length]): 1-based substring; negative start counts from the end")
def _substr(x, start, length=None):
    p1 = _int_arg(start, "substr start")
    p2 = _int_arg(length, "substr length") if length is not None else None
    if p1 is None or (length is not None and p2 is None):
        return None
    return _single(lambda v: sqlite_substr(to_str(v), p1, p2))(x)


def sqlite_substr(text: str, p1: int, p2: int | None) -> str:
    """SQLite's substr(), which Splunk documents substr() to follow: position 0 lies just before
    the first character, a negative start counts from the end, a negative length takes the
    characters before the start."""
    n = len(text)
    if p2 is None:
        p2 = n + 1
    negative = p2 < 0
    p2 = abs(p2)
    if p1 < 0:
        p1 += n
        if p1 < 0:
            p2 += p1
            p1 = 0
    elif p1 > 0:
        p1 -= 1
    elif p2 > 0:
        p2 -= 1
    if negative:
        p1 -= p2
        if p1 < 0:
            p2 += p1
            p1 = 0
    return text[p1:p1 + max(p2, 0)]


@function("replace", 3, 3,
          "replace(text, regex, replacement): every match replaced; \\1 refers to a group")
def _replace(x, regex, replacement):
    if regex is None or replacement is None:
        return None
    rx = bounded_value(to_str(regex), "replace()")
    repl = expand_replacement(rx, to_str(replacement))
    return _single(lambda v: rx.sub(repl, to_str(v)))(x)


@function("split", 2, 2, "split(text, delim): the pieces between delimiters, as a multivalue")
def _split(x, delim):
    if x is None or delim is None:
        return None
    d = to_str(delim)
    pieces: list[str] = []
    for v in _values(x):
        text = to_str(v)
        pieces.extend(list(text) if d == "" else text.split(d))
    if not pieces:
        return None
    return pieces[0] if len(pieces) == 1 else pieces


@function("urldecode", 1, 1, "urldecode(url): %XX escapes decoded")
@_single
def _urldecode(x):
    return urllib.parse.unquote(to_str(x))


def _hash(algorithm: str):
    def digest(x):
        text = _text(x)
        if text is None:
            return None
        return hashlib.new(algorithm, text.encode("utf-8")).hexdigest()
    return digest


for _algo in ("md5", "sha1", "sha256", "sha512"):
    function(_algo, 1, 1, f"{_algo}(text): hex {_algo.upper()} digest of the UTF-8 text")(_hash(_algo))


PRINTF_MAX_WIDTH = 10_000  # the printf page sets no limit; a wider field is surely a mistake
_PRINTF = re.compile(r"%([-+ #0']*)(\*|\d+)?(?:\.(\*|\d*))?([diouxXeEfFgGaAcszp%])")


@function("printf", 1, None,
          "printf(format, args...): C sprintf-style formatting (%d %s %f %x %e %g %c %', ...)")
def _printf(fmt, *args):
    """Conversions, flags, width and precision as in Splunk's printf page; ``%z`` is ``%s`` and
    ``%p`` is ``%X`` there, and the ``'`` flag groups thousands with commas."""
    text = _text(fmt)
    if text is None:
        return None
    queue = list(args)

    def take():
        return queue.pop(0) if queue else None

    def render(m: re.Match) -> str:
        flags, width, prec, conv = m.groups()
        if conv == "%":
            return "%"
        if width == "*":
            width = str(_int_arg(take(), "printf width") or 0)
        if prec == "*":
            prec = str(_int_arg(take(), "printf precision") or 0)
        if prec == "":
            prec = "0"
        if max(abs(int(width or 0)), int(prec or 0)) > PRINTF_MAX_WIDTH:
            raise SearchError(f"printf(): width and precision must be at most "
                              f"{PRINTF_MAX_WIDTH:,}")
        conv = {"z": "s", "p": "X", "i": "d", "u": "d", "F": "f"}.get(conv, conv)
        grouping = "'" in flags
        flags = flags.replace("'", "")
        value = take()
        spec = "%" + flags + (width or "") + (f".{prec}" if prec is not None else "")
        if conv in "doxX":
            n = _num(value)
            n = 0 if n is None else int(n)
            if grouping and conv == "d":
                return ("%" + flags + (width or "") + "s") % f"{n:,}"
            return (spec + conv) % n
        if conv in "eEfgGaA":
            n = _num(value)
            n = 0.0 if n is None else float(n)
            if conv in "aA":
                body = float.hex(n) if prec is None else _hex_float(n, int(prec))
                return body.upper() if conv == "A" else body
            if grouping and conv == "f":
                return ("%" + flags + (width or "") + "s") % f"{n:,.{int(prec or 6)}f}"
            return (spec + conv) % n
        if conv == "c":
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                return (spec + "s") % chr(int(value))
            return (spec + "s") % (_text(value) or "")[:1]
        s = "" if value is None else (" ".join(map(to_str, value)) if isinstance(value, list)
                                       else to_str(value))
        return (spec + "s") % s
    return _PRINTF.sub(render, text)


def _hex_float(n: float, digits: int) -> str:
    """C's %a with a precision: the mantissa rounded to ``digits`` hex digits."""
    if n == 0 or not math.isfinite(n):
        return float.hex(n)
    mantissa, exponent = math.frexp(abs(n))  # n = m * 2**e, 0.5 <= m < 1
    mantissa, exponent = mantissa * 2, exponent - 1
    scaled = round(mantissa * 16 ** digits)
    whole, frac = divmod(scaled, 16 ** digits)
    body = f"{whole:x}" + (f".{frac:0{digits}x}" if digits else "")
    return ("-" if n < 0 else "") + f"0x{body}p{exponent:+d}"


# ---------------------------------------------------------------- conversion


@function("tonumber", 1, 2,
          "tonumber(text[, base]): the number text stands for in base 2-36, else null")
def _tonumber(x, base=10):
    b = _int_arg(base, "tonumber base")
    if b is None or not 2 <= b <= 36:
        raise SearchError("tonumber() base must be between 2 and 36")

    def one(v):
        if isinstance(v, bool):
            return None
        if isinstance(v, (int, float)):
            return v
        text = to_str(v)
        if text != text.strip():
            return None  # documented: leading/trailing spaces make the value unparsable
        if b == 10:
            return to_number(text)
        if b == 16 and text.lower().startswith(("0x", "-0x", "+0x")):
            text = text.replace("0x", "", 1).replace("0X", "", 1)
        try:
            return as_double(int(text, b))
        except ValueError:
            return None
    return _per_value(one)(x)


@function("tostring", 1, 2, "tostring(x[, \"hex\"|\"binary\"|\"commas\"|\"duration\"]): x as text")
def _tostring(x, fmt=None):
    mode = None if fmt is None else to_str(fmt)

    def one(v):
        if isinstance(v, bool):
            return "True" if v else "False"
        if mode is None:
            return to_str(v)
        n = to_number(v)
        if n is None:
            return to_str(v)  # the format only applies to numbers
        if mode == "hex":
            return "0x" + format(int(n) & (2 ** 64 - 1), "X")
        if mode == "binary":
            return format(int(n) & (2 ** 64 - 1), "b")
        if mode == "commas":
            if isinstance(n, int) or float(n).is_integer():
                return f"{int(n):,}"
            return f"{_round_half_up(n, 2):,.2f}"
        if mode == "duration":
            return _duration(n)
        raise SearchError(f"tostring() format must be \"hex\", \"binary\", \"commas\" or "
                          f"\"duration\", got {mode!r}")
    return _per_value(one)(x)


def _duration(n) -> str:
    """Seconds as [D+]HH:MM:SS (fractions kept as .ffffff)."""
    sign = "-" if n < 0 else ""
    n = abs(n)
    whole = int(n)
    days, rest = divmod(whole, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    text = f"{hours:02d}:{minutes:02d}:{seconds:02d}"
    if days:
        text = f"{days}+{text}"
    frac = n - whole
    if frac:
        text += f".{round(frac * 1e6):06d}"
    return sign + text


# ---------------------------------------------------------------- math


def _round_half_up(x, digits: int):
    try:
        q = Decimal(repr(float(x))).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
    except InvalidOperation:
        return x
    return float(q)


@function("round", 1, 2,
          "round(x[, digits]): x rounded half away from zero (to an integer by default)")
def _round(x, digits=0):
    n, d = _num(x), _int_arg(digits, "round digits")
    if n is None or d is None:
        return None
    if isinstance(n, float) and not math.isfinite(n):
        return n
    r = _round_half_up(n, d)
    return _whole(r) if d <= 0 else r


def _whole(x: float):
    """An integral float as an int when it is exactly one (within ±2**53), else the float."""
    return int(x) if abs(x) <= MAX_EXACT else float(x)


@function("abs", 1, 1, "abs(x): absolute value")
def _abs(x):
    n = _num(x)
    return None if n is None else abs(n)


@function("ceil", 1, 1, "ceil(x): smallest integer not below x")
def _ceil(x):
    n = _num(x)
    return None if n is None or not math.isfinite(n) else _whole(math.ceil(n))


function("ceiling", 1, 1, "ceiling(x): same as ceil(x)")(_ceil)


@function("floor", 1, 1, "floor(x): largest integer not above x")
def _floor(x):
    n = _num(x)
    return None if n is None or not math.isfinite(n) else _whole(math.floor(n))


def _math1(fn, domain=lambda n: True, read=None):
    """A one-number function: null when the argument (read by ``read``, default ``_num``) is
    not a number in ``domain`` or ``fn`` fails on it."""
    read = _num if read is None else read

    def f(x):
        n = read(x)
        if n is None or not domain(n):
            return None
        try:
            return fn(n)
        except (ValueError, OverflowError):
            return None
    return f


function("sqrt", 1, 1, "sqrt(x): square root (null for negative x)")(_math1(math.sqrt, lambda n: n >= 0))
@function("exp", 1, 1, "exp(x): e to the power x (inf when beyond the double range)")
def _exp(x):
    n = _num(x)
    if n is None:
        return None
    try:
        return math.exp(n)
    except OverflowError:  # a double overflows to inf
        return math.inf
function("ln", 1, 1, "ln(x): natural logarithm (null for x <= 0)")(_math1(math.log, lambda n: n > 0))


@function("log", 1, 2, "log(x[, base]): logarithm, base 10 by default")
def _log(x, base=10):
    n, b = _num(x), _num(base)
    if n is None or b is None or n <= 0 or b <= 0 or b == 1:
        return None
    return math.log(n, b) if b != 10 else math.log10(n)


@function("pow", 2, 2, "pow(x, y): x to the power y (±inf when beyond the double range)")
def _pow(x, y):
    """Computed on doubles, as Splunk's numbers are: a result beyond the double range is ±inf
    (as C's pow gives), 0 to a negative power and a negative base to a fractional power null."""
    a, b = _num(x), _num(y)
    if a is None or b is None:
        return None
    try:
        r = math.pow(a, b)
    except OverflowError:
        odd = float(b).is_integer() and math.fmod(b, 2) != 0
        return -math.inf if a < 0 and odd else math.inf
    except ValueError:  # 0 to a negative power; a negative base to a fractional power
        return None
    exact = isinstance(a, int) and isinstance(b, int) and b >= 0 and r.is_integer()
    return _whole(r) if exact else r


@function("pi", 0, 0, "pi(): the constant pi")
def _pi():
    return math.pi


@function("random", 0, 0, "random(): a pseudo-random integer from 0 to 2147483647")
def _rand():
    return _random.randint(0, 2 ** 31 - 1)


def _extreme(args, pick_max: bool):
    """eval min/max: numbers compare numerically and sort before strings; strings lexicographic."""
    values = [v for a in args for v in _values(a) if not isinstance(v, bool)]
    if not values:
        return None
    return (max if pick_max else min)(values, key=order_key)


def _numbers(args) -> list:
    """Every numeric value of the arguments (multivalue fields included, non-numbers skipped)."""
    out = []
    for a in args:
        for v in _values(a):
            n = None if isinstance(v, bool) else to_number(v)
            if n is not None:
                out.append(n)
    return out


@function("avg", 1, None, "avg(x, ...): mean of the numeric values (non-numbers ignored)")
def _avg(*args):
    nums = _numbers(args)
    if not nums:
        return None
    total = sum(nums)
    return evaluator.divide(total, len(nums))


@function("sum", 1, None, "sum(x, ...): total of the numeric values (non-numbers ignored)")
def _sum(*args):
    nums = _numbers(args)
    return as_double(sum(nums)) if nums else None


@function("max", 1, None, "max(x, ...): the largest value; strings rank above numbers")
def _max(*args):
    return _extreme(args, True)


@function("min", 1, None, "min(x, ...): the smallest value; numbers rank below strings")
def _min(*args):
    return _extreme(args, False)


# ---------------------------------------------------------------- multivalue


@function("mvcount", 1, 1, "mvcount(mv): number of values (null for a null field)")
def _mvcount(x):
    return None if x is None else len(_values(x))


@function("mvindex", 2, 3,
          "mvindex(mv, start[, end]): value(s) by 0-based position, end inclusive; negative from the end")
def _mvindex(x, start, end=None):
    values = _values(x)
    s = _int_arg(start, "mvindex start")
    if not values or s is None:
        return None
    n = len(values)
    s = s + n if s < 0 else s
    if end is None:
        return values[s] if 0 <= s < n else None
    e = _int_arg(end, "mvindex end")
    if e is None:
        return None
    e = e + n if e < 0 else e
    if s < 0 or e >= n or e < s:  # documented: out-of-range or invalid indexes give null
        return None
    return make_mv(values[s:e + 1])


@function("mvjoin", 2, 2, "mvjoin(mv, delim): the values joined into one string")
def _mvjoin(x, delim):
    if x is None or delim is None:
        return None
    return to_str(delim).join(to_str(v) for v in _values(x))


@function("mvappend", 1, None, "mvappend(x, ...): all values of all arguments as one multivalue")
def _mvappend(*args):
    return make_mv([v for a in args for v in _values(a)])


@function("mvdedup", 1, 1, "mvdedup(mv): the values without duplicates, first occurrence kept")
def _mvdedup(x):
    seen, out = set(), []
    for v in _values(x):
        key = to_str(v)
        if key not in seen:
            seen.add(key)
            out.append(v)
    return make_mv(out)


@function("mvfind", 2, 2,
          "mvfind(mv, regex): 0-based index of the first value matching regex, else null")
def _mvfind(x, regex):
    if regex is None:
        return None
    rx = bounded_value(to_str(regex), "mvfind()")
    for k, v in enumerate(_values(x)):
        if rx.search(to_str(v)):
            return k
    return None


@function("mvsort", 1, 1, "mvsort(mv): the values sorted lexicographically")
def _mvsort(x):
    return make_mv(sorted(_values(x), key=to_str))


@function("mvzip", 2, 3, "mvzip(mvX, mvY[, delim]): pairwise \"x,y\" values (delim default ',')")
def _mvzip(x, y, delim=","):
    if x is None or y is None:
        return None
    d = to_str(delim) if delim is not None else ","
    return make_mv([to_str(a) + d + to_str(b) for a, b in zip(_values(x), _values(y))])


_SPAN = re.compile(r"([+-]?)(\d+)([a-zA-Z]+)\Z")


# Splunk's mvrange page documents no limit; spl stops at 100,000 values and says so.
MVRANGE_LIMIT = 100_000
MVRANGE_WARNING = (f"mvrange() stopped at {MVRANGE_LIMIT:,} values (spl's limit on one "
                   "multivalue field); the rest of the range was dropped")


@function("mvrange", 2, 3,
          "mvrange(start, end[, step]): numbers from start up to (not including) end; a step like \"7d\" steps through time",
          needs_ctx=True)
def _mvrange(ctx, start, end, step=1):
    a, b = _num(start), _num(end)
    if a is None or b is None:
        return None
    s = _num(step)
    if s is None:
        m = _SPAN.match(_text(step) or "")
        if m is None:
            return None
        spec = ("-" if m.group(1) == "-" else "+") + m.group(2) + m.group(3)
        advance = lambda v: timefmt.relative_time(v, spec, ctx.tz)  # noqa: E731
        forward = m.group(1) != "-"
    elif s == 0:
        return None
    else:
        advance = lambda v: v + s  # noqa: E731
        forward = s > 0
    out: list = []
    v = a
    while v < b if forward else v > b:
        if len(out) == MVRANGE_LIMIT:
            ctx.warn(MVRANGE_WARNING)
            break
        out.append(_whole(v) if isinstance(v, float) and v.is_integer() and isinstance(a, int)
                   else as_double(v))
        v = advance(v)
    return make_mv(out)


@special("mvfilter", 1, 1,
         "mvfilter(predicate): the values of the one field in predicate for which it is true")
def _mvfilter(call, c):
    fields = sorted({f.name for f in _fields_in(call.args[0])})
    if len(fields) != 1:
        raise SearchError("mvfilter() takes an expression that refers to exactly one field",
                          span=call.span)
    name = fields[0]
    source = c.compile(ast.Field(name, call.span))
    current = [None]
    predicate = _compile_bound(c, call.args[0], name, lambda i: current[0])

    def f(i):
        kept = []
        for v in _values(source(i)):
            current[0] = v
            if predicate(i) is True:
                kept.append(v)
        return make_mv(kept)
    return f


@special("mvmap", 2, 2,
         "mvmap(mv, expr): expr computed for each value of mv (expr names mv's field)")
def _mvmap(call, c):
    fields = list(_fields_in(call.args[0]))
    if not fields:
        raise SearchError("mvmap() needs a field as its first argument", span=call.span)
    source = c.compile(call.args[0])
    current = [None]
    expr = _compile_bound(c, call.args[1], fields[0].name, lambda i: current[0])

    def f(i):
        out = []
        for v in _values(source(i)):
            current[0] = v
            out.extend(_values(expr(i)))
        return make_mv(out)
    return f


def _compile_bound(c, node, name: str, value_fn):
    """Compile ``node`` with field ``name`` standing for ``value_fn``'s value."""
    saved = c.bindings.get(name)
    c.bindings[name] = value_fn
    try:
        return c.compile(node)
    finally:
        if saved is None:
            del c.bindings[name]
        else:
            c.bindings[name] = saved


@function("mvreverse", 1, 1, "mvreverse(mv): the values in reverse order")
def _mvreverse(x):
    return make_mv(list(reversed(_values(x))))


def _fields_in(node):
    if isinstance(node, ast.Field):
        yield node
    elif isinstance(node, ast.BinOp):
        yield from _fields_in(node.left)
        yield from _fields_in(node.right)
    elif isinstance(node, ast.UnaryOp):
        yield from _fields_in(node.operand)
    elif isinstance(node, ast.In):
        yield from _fields_in(node.expr)
        for v in node.values:
            yield from _fields_in(v)
    elif isinstance(node, ast.Call):
        for a in node.args:
            yield from _fields_in(a)


# ---------------------------------------------------------------- time


@function("now", 0, 0, "now(): the time the search started, epoch seconds", needs_ctx=True)
def _now(ctx):
    return int(ctx.now)


@function("time", 0, 0, "time(): the wall-clock time now, epoch seconds with microseconds")
def _time_now():
    return round(_time.time(), 6)


@function("strftime", 2, 2,
          "strftime(epoch, format): the time rendered with Splunk's format variables",
          needs_ctx=True)
def _strftime(ctx, t, fmt):
    n, f = _num(t), _text(fmt)
    if n is None or f is None or not math.isfinite(n):
        return None
    try:
        return timefmt.strftime(n, f, ctx.tz)
    except SearchError:  # a time outside the calendar has no rendering
        return None


@function("strptime", 2, 2,
          "strptime(text, format): epoch seconds of text parsed with format, else null",
          needs_ctx=True)
def _strptime(ctx, text, fmt):
    s, f = _text(text), _text(fmt)
    if s is None or f is None:
        return None
    return timefmt.strptime(s, f, ctx.tz)


@function("relative_time", 2, 2,
          "relative_time(epoch, modifier): epoch moved by a modifier such as \"-1d@d\"",
          needs_ctx=True)
def _relative_time(ctx, t, spec):
    n, s = _num(t), _text(spec)
    if n is None or s is None:
        return None
    try:
        r = timefmt.relative_time(n, s, ctx.tz)
    except SearchError:
        return None
    return int(r) if isinstance(n, int) and r.is_integer() else r


# ---------------------------------------------------------------- JSON


_STEP = re.compile(r"\{(\d*)\}|([^.{}]+)")


def _json_path(path: str) -> list:
    """``a.b{0}.c{}`` as steps: str keys, int indexes, and None for every element."""
    steps: list = []
    for m in _STEP.finditer(path):
        if m.group(2) is not None:
            steps.append(m.group(2))
        else:
            steps.append(int(m.group(1)) if m.group(1) else None)
    return steps


def _walk(doc, steps: list) -> list:
    """Every node at the end of ``steps``; a key applied to an array applies to each element."""
    nodes = [doc]
    for step in steps:
        nxt = []
        for node in nodes:
            if isinstance(step, str):
                if isinstance(node, dict) and step in node:
                    nxt.append(node[step])
                elif isinstance(node, list):
                    nxt.extend(el[step] for el in node if isinstance(el, dict) and step in el)
            elif step is None:
                if isinstance(node, list):
                    nxt.extend(node)
            elif isinstance(node, list) and -len(node) <= step < len(node):
                nxt.append(node[step])
        nodes = nxt
    return nodes


def _json_text(node) -> str | None:
    """A JSON node as Splunk shows it: strings bare, null as null, others as JSON text."""
    if node is None:
        return None
    if isinstance(node, str):
        return node
    if isinstance(node, bool):
        return "true" if node else "false"
    if isinstance(node, (int, float)):
        return to_str(node)
    return json.dumps(node, separators=(",", ":"), ensure_ascii=False)


def _load_json(x):
    text = _text(x)
    if text is None:
        return None, False
    try:
        return json.loads(text), True
    except ValueError:
        return None, False


@function("spath", 2, 2, "spath(json, path): the value(s) at path ({} for every array element)")
def _spath(x, path):
    doc, ok = _load_json(x)
    p = _text(path)
    if not ok or p is None:
        return None
    return make_mv([_json_text(n) for n in _walk(doc, _json_path(p))])


@function("json_extract", 1, None,
          "json_extract(json[, path, ...]): value at path as JSON text (several paths: a JSON array)")
def _json_extract(x, *paths):
    doc, ok = _load_json(x)
    if not ok:
        return None
    if not paths:
        return _json_text(doc)
    results = []
    for p in paths:
        text = _text(p)
        nodes = _walk(doc, _json_path(text)) if text else [doc]
        results.append(nodes[0] if len(nodes) == 1 else (nodes or None))
    if len(paths) == 1:
        return _json_text(results[0])
    return json.dumps(results, separators=(",", ":"), ensure_ascii=False)
