"""chart: statistics in a table of rows (the row split) by columns (the column split).

Splunk (https://help.splunk.com/splunk-enterprise/spl-search-reference/9.4/search-commands/chart):
``chart [<chart-options>] [agg=<stats-agg-term>] <stats-agg-term>... [BY <row-split>
<column-split>] | [OVER <row-split>] [BY <column-split>]``, a transforming command. Every stats
function works (spl/aggregates.py), grouped as stats groups (spl/commands/stats.py). Chart options:
``limit`` (``N``, ``topN``, ``bottomN``; 0 keeps every series), ``useother``/``otherstr``,
``usenull``/``nullstr``, ``sep``/``format`` (the column names when several terms are split),
``agg`` (how a series is scored for ``limit``), ``cont`` and the bin options of the row split
(``span``, ``bins``, ``minspan``, ``start``, ``end``: the row split is binned as ``bin`` bins it).

Without a column split the result is stats' (one row per row-split value). With one, there is a
row per row-split value (in stats' order) and a column per column-split value. spl's readings
where the page is silent (each pinned in tests/test_cmd_chart.py):
- limit defaults to 10; series are scored by ``agg`` (default sum) over the numeric cells of all
  of the series' columns, and the top (largest first; ``bottomN``: smallest) are kept, ties going
  to the series that sorts first. With ``useother=true`` (default) the events of the other series
  are charted again as one series named ``otherstr`` (default ``OTHER``), so count/sum of OTHER
  is the sum of theirs and dc/avg are over their events; with ``useother=false`` they are dropped.
- ``usenull=true`` (default) charts events without a column-split value as the series
  ``nullstr`` (default ``NULL``); it is not subject to the limit. Events without a row-split value
  are left out, as stats leaves them out.
- Columns: the kept series in stats' order of values (numbers first, numerically), then NULL,
  then OTHER. With several terms, each term's columns come together, named
  ``<term><sep><value>`` (sep ": "), or by ``format`` with ``$AGG$`` and ``$VAL$`` replaced.
- A row with no event of a series gets what the function gives over no values: 0 for
  count/dc/estdc, else null.
"""
from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np
import pandas as pd

from spl import aggregates
from spl.commands import command
from spl.commands._args import check_known, flag
from spl.commands.stats import _terms, run_stats
from spl.errors import SearchError
from spl.syntax import ast
from spl.values import is_null, make_mv, mv_values, order_key, to_number, to_str

COMMAND_TYPE = "transforming"
BIN_OPTIONS = {"span", "bins", "minspan", "start", "end", "aligntime"}
CHART_OPTIONS = {"limit", "useother", "usenull", "otherstr", "nullstr", "sep", "format", "agg",
                 "cont", "dedup_splitvals"}
DEFAULT_LIMIT = 10
ROW, COL = "\x00row", "\x00col"  # the work table's split columns (no field name can equal them)
_LIMIT = re.compile(r"(top|bottom)?(\d+)\Z", re.I)


def reads(node) -> set[str] | None:
    """The fields aggregated, the split fields, and ``_time``."""
    found = ast.references(node.aggregations)
    if found is None:
        return None
    return found | set(node.by) | ({node.over} if node.over else set()) | {"_time"}


@command("chart", reads=reads, narrows=True,
          doc='Statistics in a table of rows (OVER field) by columns (BY field).',
          syntax='chart [limit=N] [useother=bool] [usenull=bool] stats-agg ... [OVER field [bin-options]] [BY field]')
def run(node: ast.Chart, table: pd.DataFrame, ctx) -> pd.DataFrame:
    check_known(node, CHART_OPTIONS | BIN_OPTIONS)
    flag(node, "cont", True)  # read for its errors; chart's rows are the values found
    row = node.over if node.over is not None else (node.by[0] if node.by else None)
    col = node.by[-1] if len(node.by) == 2 or (node.over is not None and node.by) else None
    if row is None:  # no split: stats
        return run_stats(_stats(node, ()), table, ctx)
    if any(ast.option(node.options, k) is not None for k in BIN_OPTIONS):
        table = _binned(node, table, ctx, row)
    work = table.copy()
    work[ROW] = table[row] if row in table.columns else None
    long = split(node, work, ctx, ROW, None if col is None else _column(table, col))
    out = pivot(node, long, ROW, _unique_rows(long[ROW]), work)
    return out.rename(columns={ROW: row})


def _column(table: pd.DataFrame, name: str) -> pd.Series:
    """A field's cells (all null when no event has it)."""
    if name in table.columns:
        return table[name]
    return pd.Series([None] * len(table), index=table.index, dtype=object)


def _stats(node: ast.Chart, by: tuple[str, ...]) -> ast.Stats:
    options = tuple((k, v) for k, v in node.options if k.lower() == "dedup_splitvals")
    return ast.Stats("stats", node.span, node.aggregations, by, options)


def _binned(node: ast.Chart, table: pd.DataFrame, ctx, field: str) -> pd.DataFrame:
    """The row split binned by the bin options, as ``bin`` bins it."""
    from spl.commands import bin as bin_

    options = tuple((k, v) for k, v in node.options if k.lower() in BIN_OPTIONS)
    return bin_.run(ast.Bin("bin", node.span, field, None, options), table, ctx)


def _unique_rows(column: pd.Series) -> list:
    """The row-split values of the long table, in its (stats') order, each once."""
    seen: dict = {}
    for v in column.tolist():
        seen.setdefault(to_str(v), v)
    return list(seen.values())


# ---------------------------------------------------------------- shared with timechart


def parse_limit(node) -> tuple[int, bool]:
    """(how many series ``limit`` keeps (0: all), whether the largest are kept)."""
    text = ast.option(node.options, "limit")
    if text is None:
        return DEFAULT_LIMIT, True
    m = _LIMIT.match(text.strip())
    if m is None:
        raise SearchError(f"{node.name}: option limit={text} must be a number, topN or bottomN",
                          span=node.span)
    return int(m.group(2)), (m.group(1) or "top").lower() == "top"


def _scorer(node) -> Callable[[list], float]:
    """``agg``: the stats function that scores a series from its numeric cells (default sum)."""
    text = ast.option(node.options, "agg", "sum").strip().lower()
    name = text[:-2] if text.endswith("()") else text
    spec = aggregates.lookup(name)
    if spec is None or not spec.numeric and name not in ("min", "max", "count"):
        raise SearchError(f"{node.name}: option agg={text} must be a statistical function such "
                          "as sum, max or avg", span=node.span)

    def score(values: list) -> float:
        got = to_number(spec.reduce(values)) if values else None
        return -np.inf if got is None else float(got)
    return score


def split(node, work: pd.DataFrame, ctx, row: str, col: pd.Series | None) -> pd.DataFrame:
    """stats of ``work`` by the row key (a column of ``work``) and the column split ``col`` (its
    cells; None: no column split), after the series filtering of ``limit``: the long table, one
    row per (row, series) with a value, the series in column COL."""
    by = (row,)
    if col is None:
        return run_stats(_stats(node, by), work, ctx)
    usenull = flag(node, "usenull", True)
    useother = flag(node, "useother", True)
    nullstr = ast.option(node.options, "nullstr", "NULL")
    otherstr = ast.option(node.options, "otherstr", "OTHER")
    cells = col.tolist()
    work = work.copy()
    work[COL] = pd.Series([nullstr if usenull and is_null(c) else c for c in cells],
                          index=work.index, dtype=object)
    long = run_stats(_stats(node, by + (COL,)), work, ctx)
    limit, top = parse_limit(node)
    series = _series(long)
    ranked = [s for s in series if not (usenull and s == nullstr)]
    if limit == 0 or len(ranked) <= limit:
        return long
    score = _scorer(node)
    values = [c for c in long.columns if c not in (ROW, COL)]
    names = long[COL].map(to_str).tolist()
    per: dict[str, list] = {s: [] for s in ranked}
    for i, name in enumerate(names):
        if name in per:
            per[name].extend(n for c in values if (n := to_number(long[c].iat[i])) is not None)
    scores = {s: score(v) for s, v in per.items()}
    order = sorted(range(len(ranked)), key=lambda i: (-scores[ranked[i]] if top
                                                      else scores[ranked[i]], i))
    keep = {ranked[i] for i in order[:limit]} | ({nullstr} if usenull else set())

    def relabel(cell):
        got = [v if to_str(v) in keep else (otherstr if useother else None)
               for v in mv_values(cell)]
        return make_mv(got)

    work[COL] = work[COL].map(relabel).astype(object)
    return run_stats(_stats(node, by + (COL,)), work, ctx)


def _series(long: pd.DataFrame) -> list[str]:
    """The series of a long table as strings, in stats' order of values, each once."""
    names = dict.fromkeys(to_str(v) for v in long[COL].tolist())
    return sorted(names, key=order_key)


def pivot(node, long: pd.DataFrame, row: str, rows: list, work: pd.DataFrame) -> pd.DataFrame:
    """The long table as a chart: one row per value of ``rows`` (in that order), the row key in
    column ``row``, then the terms (without a column split) or a column per term and series."""
    terms = _terms(_stats(node, ()), work)
    outs = list(dict.fromkeys(t.out for t in terms))
    empty = {t.out: t.spec.empty for t in terms}
    keys = [to_str(r) for r in rows]
    data: dict[str, list] = {row: list(rows)}
    if COL not in long.columns:
        at = {to_str(v): i for i, v in enumerate(long[row].tolist())}
        for out in outs:
            column = long[out].tolist() if out in long.columns else []
            data[out] = [column[at[k]] if k in at else empty[out] for k in keys]
        return _frame(data)
    nullstr = ast.option(node.options, "nullstr", "NULL")
    otherstr = ast.option(node.options, "otherstr", "OTHER")
    found = _series(long)
    last = [s for s in (nullstr, otherstr) if s in found]
    series = [s for s in found if s not in last] + last
    cell: dict[tuple, int] = {}
    for i, (r, s) in enumerate(zip(long[row].map(to_str).tolist(),
                                   long[COL].map(to_str).tolist())):
        cell[(r, s)] = i
    sep = ast.option(node.options, "sep", ": ")
    fmt = ast.option(node.options, "format")
    for out in outs:
        column = long[out].tolist()
        for s in series:
            if fmt is not None:
                name = fmt.replace("$AGG$", out).replace("$VAL$", s)
            else:
                name = s if len(outs) == 1 else f"{out}{sep}{s}"
            data[name] = [column[cell[(k, s)]] if (k, s) in cell else empty[out] for k in keys]
    return _frame(data)


def _frame(data: dict[str, list]) -> pd.DataFrame:
    return pd.DataFrame({k: pd.Series(v, dtype=object) for k, v in data.items()},
                        columns=list(data))
