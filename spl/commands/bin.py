"""bin / bucket: put a field's numeric values into discrete bins.

Splunk (https://help.splunk.com/splunk-enterprise/spl-search-reference/9.4/search-commands/bin):
``bin [bins=N] [minspan=S] [span=S] [start=n] [end=n] [aligntime=T] <field> [AS <newfield>]``;
``bins`` defaults to 100; ``span`` is ``<int>[<timescale>]`` (s, m, h, d, w, mon, q, y and
their long names). The span rounds the start of a bin down, and day boundaries come from
``span=1d`` (not 24h), per the timechart page
(https://help.splunk.com/en/splunk-enterprise/search/spl-search-reference/10.0/timechart):
so spans under a day count from epoch 0 (or from ``aligntime``), and spans of days, weeks,
months, quarters and years start at local midnight in the search's time zone (weeks count
7 days from the epoch, a Thursday; months from January 1970). A time bin holds the epoch of
its start. A numeric span without a timescale on another field gives the range text
``lo-hi`` (``bins=10 size AS bin_size``); on ``_time`` it bins seconds.

With ``bins`` and no span, spl picks the smallest span that gives at most ``bins`` bins over
the values (and ``start``/``end`` when they widen that range): powers of ten for numbers, and
for time the thresholds the timechart page lists for ``minspan`` (1s ... 1d, then months).
A value that is not a number is left as it is.

``span=<log-span>``, ``[<coefficient>]log[<base>]`` (the bin page: the coefficient a real number
>= 1 and < base, default 1; the base a real number > 1, default 10), gives logarithmic bins: the
value x falls in ``c*b^k - c*b^(k+1)`` with ``c*b^k <= x < c*b^(k+1)``, shown as range text like
a numeric span's. spl's reading: a value of 0 or less, which has no logarithm, is left as it is.
"""
from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

import pandas as pd

from spl import timefmt
from spl.commands import command
from spl.commands._args import check_known, integer
from spl.errors import SearchError, UnsupportedError
from spl.syntax import ast
from spl.values import as_double, format_number, make_mv, mv_values, to_number

_SPAN = re.compile(r"\s*(\d+(?:\.\d+)?)?\s*([a-zA-Z]*)\s*\Z")
_SECONDS = {"s": 1, "m": 60, "h": 3600, "ms": 1e-3, "us": 1e-6, "cs": 1e-2, "ds": 1e-1}
_MONTHS = {"mon": 1, "q": 3, "y": 12}
# timechart page, "Spans used when minspan is specified": the spans a time bin may take
_TIME_STEPS = [(1, "s"), (5, "s"), (10, "s"), (30, "s"), (1, "m"), (5, "m"), (10, "m"),
               (30, "m"), (1, "h"), (1, "d"), (1, "mon")]


class Span:
    """A bin width: ``count`` of ``unit`` (None for a plain number); a log span has unit "log",
    its coefficient as ``count`` and its ``base``."""

    def __init__(self, count: float, unit: str | None, base: float = 10.0):
        self.count, self.unit, self.base = count, unit, base

    @property
    def seconds(self) -> float:
        """Approximate length in seconds (months as 30 days), to compare spans."""
        if self.unit is None:
            return self.count
        if self.unit in _SECONDS:
            return self.count * _SECONDS[self.unit]
        if self.unit in ("d", "w"):
            return self.count * 86400 * (7 if self.unit == "w" else 1)
        return self.count * _MONTHS[self.unit] * 2592000


def parse_span(text: str, span=None) -> Span:
    """``5m``, ``1d``, ``2mon``, ``10`` (a number without timescale)."""
    if "log" in text.lower():
        return _log_span(text, span)
    m = _SPAN.match(text)
    if m is None or (m.group(1) is None and not m.group(2)):
        raise SearchError(f"bin: span={text!r} is not a span such as 5m, 1d or 10", span=span)
    count = float(m.group(1)) if m.group(1) else 1.0
    if count == int(count):
        count = int(count)
    if not m.group(2):
        if count <= 0:
            raise SearchError(f"bin: span={text} must be positive", span=span)
        return Span(count, None)
    unit = timefmt._UNITS.get(m.group(2).lower())
    if unit is None:
        raise SearchError(f"bin: unknown timescale {m.group(2)!r} in span={text}", span=span)
    if count <= 0:
        raise SearchError(f"bin: span={text} must be positive", span=span)
    return Span(count, unit)


_LOG_SPAN = re.compile(r"\s*(\d+(?:\.\d+)?)?\s*log\s*(\d+(?:\.\d+)?)?\s*\Z", re.I)


def _log_span(text: str, span=None) -> Span:
    """``[<coefficient>]log[<base>]``: base > 1, 1 <= coefficient < base."""
    m = _LOG_SPAN.match(text)
    if m is None:
        raise SearchError(f"bin: span={text!r} is not a log span such as log, log2 or 2log10",
                          span=span)
    coefficient = float(m.group(1)) if m.group(1) else 1.0
    base = float(m.group(2)) if m.group(2) else 10.0
    if not base > 1:
        raise SearchError(f"bin: span={text}: the base of a log span must be greater than 1",
                          span=span)
    if not 1 <= coefficient < base:
        raise SearchError(f"bin: span={text}: the coefficient of a log span must be at least 1 "
                          "and less than the base", span=span)
    return Span(coefficient, "log", base)


def reads(node: ast.Bin) -> set[str]:
    """The field binned (the alias, if any, is written over)."""
    return {node.field}


def COMMAND_TYPE(node) -> str:
    """Splunk's type (spl.mapreduce; https://help.splunk.com/splunk-enterprise/spl-search-reference/10.0/quick-reference/command-types):
    streaming with an explicit span; otherwise the span depends on every value (dataset
    processing)."""
    return ("distributable streaming" if ast.option(node.options, "span") is not None
            else "dataset processing")


@command("bin", "bucket", reads=reads,
          doc='Puts continuous numeric or time values into discrete sets (bins); bucket is its other name.',
          syntax='bin [span=N|<time-span>] [bins=N] [minspan=<time-span>] [start=N] [end=N] [aligntime=T] field [AS newfield]')
def run(node, table, ctx):
    check_known(node, {"span", "bins", "minspan", "start", "end", "aligntime"})
    field, target = node.field, node.alias or node.field
    if field not in table.columns or table.empty:
        return table
    is_time = field == "_time"
    span_text = ast.option(node.options, "span")
    span = parse_span(span_text, node.span) if span_text is not None else None
    if span is not None and span.unit not in (None, "log"):
        is_time = True
    cells = table[field].tolist()
    numbers = [to_number(v) for c in cells for v in mv_values(c)]
    numbers = [n for n in numbers if n is not None and math.isfinite(n)]
    if span is None:
        span = auto_span(node, numbers, is_time)
        if span is None:
            return table
    align = aligntime(node, ctx) if is_time else None
    fn: Callable[[Any], float | str]
    if span.unit == "log":
        fn = lambda n: _log_range(n, span)  # noqa: E731
    elif is_time:
        fn = lambda n: time_bin(n, span, ctx.tz, align)  # noqa: E731
    else:
        fn = lambda n: _range(n, span.count)  # noqa: E731
    out = []
    for cell in cells:
        out.append(make_mv([_binned(v, fn) for v in mv_values(cell)]))
    table = table.copy()
    dtype = "float64" if target == "_time" else object
    table[target] = pd.Series(out, index=table.index, dtype=dtype)
    return table


def _binned(v, fn):
    """The bin of one value; a value that is no number, or no time on the calendar (years
    1..9999), is left as it is."""
    n = to_number(v)
    if n is None:
        return v
    try:
        return fn(n)
    except (OverflowError, ValueError, OSError):
        return v


def _bins_needed(low: float, high: float, width: float) -> float:
    """How many bins of ``width`` cover low..high (inf when beyond the double range)."""
    a, b = high / width, low / width
    if not (math.isfinite(a) and math.isfinite(b)):
        return math.inf
    return math.floor(a) - math.floor(b) + 1


def auto_span(node, numbers: list, is_time: bool) -> Span | None:
    """The smallest span that keeps the values (and start/end) within ``bins`` bins."""
    bins = integer(node, "bins", 100, minimum=1)
    start, end = (_number_option(node, k) for k in ("start", "end"))
    low = min(numbers + ([start] if start is not None else []), default=None)
    high = max(numbers + ([end] if end is not None else []), default=None)
    if low is None or high is None:  # both or neither
        return None
    minspan_text = ast.option(node.options, "minspan")
    minspan = parse_span(minspan_text, node.span).seconds if minspan_text else 0
    if is_time:
        for count, unit in _TIME_STEPS:
            candidate = Span(count, unit)
            if candidate.seconds >= minspan and \
                    _bins_needed(low, high, candidate.seconds) <= bins:
                return candidate
        return Span(1, "y")
    first = math.floor(math.log10(minspan)) if 0 < minspan < math.inf else -10
    for k in range(first, 309):  # 10**308 is the largest power of ten a double holds
        width = 10.0 ** k
        if width >= minspan and _bins_needed(low, high, width) <= bins:
            return Span(int(width) if width >= 1 else width, None)
    raise SearchError(f"bin: no span of a power of ten puts {low:g}..{high:g} in {bins} bins",
                      span=node.span)


def _number_option(node, name: str):
    text = ast.option(node.options, name)
    if text is None:
        return None
    n = to_number(text)
    if n is None or not math.isfinite(n):
        raise SearchError(f"bin: {name}={text} must be a number", span=node.span)
    return n


def aligntime(node, ctx) -> float | None:
    text = ast.option(node.options, "aligntime")
    if text is None:
        return None
    if text.lower() in ("earliest", "latest"):
        raise UnsupportedError(f"bin: aligntime={text} needs the search's time range, which spl "
                               "does not have; give an epoch or a relative time", span=node.span)
    try:
        return timefmt.parse_time_modifier(text, ctx.now, ctx.tz)
    except SearchError as e:
        raise SearchError(f"bin: aligntime: {e.message}", span=node.span) from None


def time_bin(t: float, span: Span, tz: str, align: float | None) -> float:
    """The start of the bin holding epoch ``t``."""
    if span.unit is None or span.unit in _SECONDS:
        width = span.seconds
        base = align or 0.0
        return base + math.floor((t - base) / width) * width
    day = timefmt._local(t, tz).replace(tzinfo=None)
    if span.unit in ("d", "w"):
        days = (day.date().toordinal() - 719163)  # days since 1970-01-01 (local)
        width = span.count * (7 if span.unit == "w" else 1)
        first = days - days % width
        start = day.fromordinal(int(first) + 719163)
        return timefmt._wall(start, tz)
    months = (day.year - 1970) * 12 + day.month - 1
    width = span.count * _MONTHS[span.unit]
    first = months - months % width
    year, month = divmod(int(first), 12)
    return timefmt._wall(day.replace(year=1970 + year, month=month + 1, day=1, hour=0, minute=0,
                                     second=0, microsecond=0), tz)


def _log_range(n, span: Span):
    """``lo-hi`` of the logarithmic bin holding ``n`` (not positive: ValueError, and _binned
    leaves the value as it is)."""
    if n <= 0:
        raise ValueError(n)
    c, b = span.count, span.base
    k = math.floor(math.log(n / c, b))
    while c * b ** k > n:  # the logarithm rounded up across a boundary
        k -= 1
    while c * b ** (k + 1) <= n:  # or down
        k += 1
    return f"{format_number(_tidy(c * b ** k))}-{format_number(_tidy(c * b ** (k + 1)))}"


def _range(n, width) -> str:
    """``lo-hi`` of the numeric bin holding ``n``."""
    low = math.floor(n / width) * width
    return f"{format_number(_tidy(low))}-{format_number(_tidy(low + width))}"


def _tidy(x):
    """Integers as ints, and floats rounded off their binary noise (0.30000000000000004)."""
    x = round(x, 10)
    return as_double(int(x)) if x == int(x) else x
