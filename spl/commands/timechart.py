"""timechart: a chart whose rows are time bins.

Splunk (https://help.splunk.com/splunk-enterprise/spl-search-reference/9.4/search-commands/timechart):
``timechart [sep=..] [format=..] [partial=..] [cont=..] [limit=..] [agg=..] [<bin-options>...]
<stats-agg-term>... [BY <split-by-field> [<tc-options>...]]``, a transforming command. The rows
are ``_time`` bins, sorted by time, binned as ``bin`` bins ``_time`` (spl/commands/bin.py: ``span``
counts from the epoch below a day, days and longer from local midnight; with no span, the
smallest of the page's minspan thresholds (1s ... 1d, 1mon) that gives at most ``bins``, default
100, bins over the events). The split-by field, ``limit`` (default 10), ``useother``/``otherstr``,
``usenull``/``nullstr``, ``agg``, ``sep`` and ``format`` work as chart's (spl/commands/chart.py,
whose docstring gives spl's readings of what the pages leave open).

More readings, pinned in tests/test_cmd_timechart.py:
- ``cont=true`` (default) fills the bins between the first and the last bin that hold events
  (Splunk fills the search's time range; a search here has none but its events); a filled cell
  is what the function gives over no values: 0 for count/dc, else null. ``cont=false`` keeps the
  bins that hold events.
- Every row has ``_span``, the bin's length in seconds (a month bin: that month's length), as
  Splunk's results carry it.
- ``partial`` and ``fixedrange`` decide how the bins at the ends of the search's time range are
  shown; with no time range they change nothing here and are only checked to be booleans.
- Events without ``_time`` are left out.
"""
from __future__ import annotations

import math

import pandas as pd

from spl.commands import command
from spl.commands._args import check_known, flag
from spl.commands.bin import Span, aligntime, auto_span, parse_span, time_bin
from spl.commands.chart import BIN_OPTIONS, CHART_OPTIONS, ROW, pivot, split
from spl.syntax import ast
from spl.values import to_number

COMMAND_TYPE = "transforming"
OPTIONS = CHART_OPTIONS | BIN_OPTIONS | {"partial", "fixedrange"}


def reads(node) -> set[str] | None:
    """The fields aggregated, the split-by field, and ``_time``."""
    found = ast.references(node.aggregations)
    return None if found is None else found | set(node.by) | {"_time"}


@command("timechart", reads=reads, narrows=True,
          doc='Statistics over time: one row per time bin, a column per BY value.',
          syntax='timechart [span=time | bins=N] [limit=N] [useother=bool] [usenull=bool] stats-agg ... [BY field]')
def run(node: ast.Chart, table: pd.DataFrame, ctx) -> pd.DataFrame:
    check_known(node, OPTIONS)
    cont = flag(node, "cont", True)
    flag(node, "partial", True)
    flag(node, "fixedrange", True)
    times = [to_number(t) for t in (table["_time"].tolist() if "_time" in table.columns
                                    else [None] * len(table))]
    times = [t if t is not None and math.isfinite(t) else None for t in times]
    span_text = ast.option(node.options, "span")
    span = parse_span(span_text, node.span) if span_text is not None else \
        auto_span(node, [t for t in times if t is not None], True)
    align = aligntime(node, ctx)
    work = table.copy()
    work[ROW] = pd.Series([None if t is None or span is None else _bin(t, span, ctx.tz, align)
                           for t in times], index=table.index, dtype=object)
    col = None
    if node.by:
        field = node.by[0]
        col = table[field] if field in table.columns else \
            pd.Series([None] * len(table), index=table.index, dtype=object)
    long = split(node, work, ctx, ROW, col)
    bins = sorted({float(t) for t in long[ROW].tolist()})
    if cont and bins and span is not None:
        bins = _continuous(bins[0], bins[-1], span, ctx.tz, align)
    out = pivot(node, long, ROW, bins, work).rename(columns={ROW: "_time"})
    out["_time"] = out["_time"].astype(float)
    out["_span"] = pd.Series([_next(t, span, ctx.tz, align) - t for t in bins] if span else [],
                             dtype=object).map(_whole)
    return out


def _bin(t: float, span: Span, tz: str, align: float | None) -> float | None:
    """The start of the bin holding ``t`` (None when it is no time on the calendar)."""
    try:
        return float(time_bin(t, span, tz, align))
    except (OverflowError, ValueError, OSError):
        return None


def _next(start: float, span: Span, tz: str, align: float | None) -> float:
    """The start of the bin after the one starting at ``start``: a fixed width below a day, else
    the bin holding a point half a span into the next one (days vary with daylight saving time,
    months in length)."""
    if _fixed(span):
        return start + span.seconds
    return float(time_bin(start + span.seconds * 1.5, span, tz, align))


def _continuous(first: float, last: float, span: Span, tz: str, align: float | None) -> list:
    """Every bin from ``first`` to ``last`` (fixed widths multiplied out, not added up, so that
    a width such as 0.1 s gathers no rounding)."""
    if _fixed(span):
        return [first + k * span.seconds for k in range(round((last - first) / span.seconds) + 1)]
    out = [first]
    while out[-1] < last:
        out.append(_next(out[-1], span, tz, align))
    return out


def _fixed(span: Span) -> bool:
    return span.unit is None or span.unit in ("s", "m", "h", "ms", "us", "cs", "ds")


def _whole(x: float):
    """A span as Splunk prints it: whole seconds as an integer."""
    return int(x) if float(x).is_integer() else x
