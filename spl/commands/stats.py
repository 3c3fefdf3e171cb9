"""stats, eventstats and streamstats: statistical functions over groups of events.

The three share one way of reading aggregation terms and BY clauses:
- an event whose BY field is null belongs to no group; a multivalue BY field puts a stats event
  into one group per value (``dedup_splitvals=false``, the default, keeps repeated values);
- events group by the text of their BY values (5 and 5.0 are one group, shown as first seen);
  stats emits groups sorted numbers before strings, numbers numerically, strings in code-point
  (UTF-8 byte) order, uppercase before lowercase;
- eventstats/streamstats give an event with a multivalue BY field the statistics of its first
  value's group (eventstats still counts the event in every group, as stats does);
- the output name of a term is its ``AS`` name or the call as written (``values(errorCode)``);
  a term over ``eval(...)`` must be named (Splunk refuses it: "You must specify a rename for
  the aggregation specifier on the dynamically evaluated field").

Sources: https://help.splunk.com/splunk-enterprise/search/spl-search-reference/9.3/search-commands/stats,
https://help.splunk.com/splunk-cloud-platform/spl-search-reference/9.2.2406/search-commands/eventstats,
https://help.splunk.com/splunk-enterprise/spl-search-reference/9.4/search-commands/streamstats
"""
from __future__ import annotations

import itertools
from collections import deque
from dataclasses import dataclass

import numpy as np
import pandas as pd

from spl import aggregates
from spl.aggregates import AggSpec
from spl.commands import command
from spl.commands._args import check_known, flag, integer
from spl.context import Context
from spl.errors import SearchError, SplError, UnsupportedError
from spl.eval import evaluate, evaluate_row, where_mask
from spl.fieldnames import expand, has_wildcard, substitute
from spl.syntax import ast
from spl.syntax.parser import parse_expression
from spl.values import as_double, is_null, order_key, to_number, to_str

# ---------------------------------------------------------------- aggregation terms


@dataclass(frozen=True)
class _Term:
    """One output column: a function over a field (a wildcard term gives one per field)."""

    agg: ast.Aggregation
    spec: AggSpec
    field: str | None
    out: str


def _terms(node: ast.Stats, table: pd.DataFrame) -> list[_Term]:
    """The output columns of ``node``; also checks its BY clause, which takes no wildcards."""
    for field in node.by:
        if has_wildcard(field):
            raise SearchError(f"{node.name}: BY fields cannot hold wildcards ('{field}')",
                              span=node.span)
    terms = []
    for agg in node.aggregations:
        spec = aggregates.lookup(agg.func)
        if spec is None:
            raise UnsupportedError(f"unknown statistical function '{agg.func}'", span=agg.span)
        if agg.expr is not None and agg.alias is None:
            raise SearchError(
                f"you must name '{agg.text}' with AS: it aggregates an eval expression",
                span=agg.span)
        if agg.field is None and agg.expr is None and spec.name != "count":
            raise UnsupportedError(f"'{agg.func}' needs a field", span=agg.span)
        if agg.field is not None and has_wildcard(agg.field):
            terms.extend(_wildcard_terms(agg, spec, table, node.by))
        else:
            terms.append(_Term(agg, spec, agg.field, agg.alias or agg.text))
    return terms


def _wildcard_terms(agg: ast.Aggregation, spec: AggSpec, table: pd.DataFrame,
                    by: tuple[str, ...]) -> list[_Term]:
    """``values(*) AS *``: one term per field the pattern matches, named after the alias pattern.

    The BY fields, fields with no value at all, and internal fields (``_time``, ``_raw``...)
    unless the pattern itself starts with ``_`` are left out.
    """
    if agg.alias is not None and not has_wildcard(agg.alias):
        raise SearchError(f"'{agg.text}' names many fields: its AS name needs a * as well",
                          span=agg.span)
    pattern = agg.field
    assert pattern is not None  # the caller passes fields with a wildcard only
    fields = [f for f in expand(pattern, table.columns)
              if f not in by and (pattern.startswith("_") or not f.startswith("_"))
              and table[f].notna().any()]
    terms = []
    for f in sorted(fields):
        out = substitute(pattern, f, agg.alias or agg.text)
        assert out is not None  # f was expanded from the pattern, so the pattern matches it
        terms.append(_Term(agg, spec, f, out))
    return terms


def _term_cells(term: _Term, table: pd.DataFrame, ctx: Context) -> np.ndarray | None:
    """The cells a term aggregates, one per row; None for a bare ``count`` (it counts rows)."""
    if term.agg.expr is not None:
        result = evaluate(term.agg.expr, table, ctx)
        # eval's false is no value: count(eval(x="y")) counts the rows where the test holds
        return _object_array([None if (v is False or is_null(v)) else v for v in list(result)])
    if term.field is None:
        return None
    return _cells(table, term.field)


def _cells(table: pd.DataFrame, field: str) -> np.ndarray:
    """A column as an object array with None for null (whatever dtype the column has)."""
    if field not in table.columns:
        return np.full(len(table), None, dtype=object)
    column = table[field]
    if column.dtype != object:
        column = column.astype(object).where(column.notna(), None)
    return column.to_numpy(dtype=object)


def _object_array(items: list) -> np.ndarray:
    """``items`` as a 1-d object array, lists kept as cells (numpy would nest equal-length ones)."""
    out = np.empty(len(items), dtype=object)
    for i, item in enumerate(items):
        out[i] = item
    return out


def _strings_or_none(cells: np.ndarray) -> bool:
    """Every cell a str or None (the types counted in C, not tested cell by cell in Python)."""
    return set(map(type, cells)) <= _STR_OR_NONE


_STR_OR_NONE = {str, type(None)}


def _has_mv(cells: np.ndarray) -> bool:
    return not _strings_or_none(cells) and any(isinstance(c, list) for c in cells)


def _nonnull(cells: np.ndarray) -> np.ndarray:
    return ~pd.isna(pd.Series(cells, dtype=object)).to_numpy()


def _allnum_ok(cells: list) -> bool:
    return all(to_number(v) is not None for c in cells for v in (c if isinstance(c, list) else [c]))


def _reduce_groups(term: _Term, cells: np.ndarray | None, times: np.ndarray | None,
                   gids: np.ndarray, ngroups: int, allnum: bool,
                   ctx: Context | None = None) -> list:
    """One result per group: ``cells``/``times``/``gids`` are aligned, one entry per member row.
    A function that cuts a group short (list()) warns through ``ctx``."""
    spec = term.spec
    if cells is None:  # bare count: rows per group
        return np.bincount(gids, minlength=ngroups).tolist() if ngroups else []
    keep = _nonnull(cells)
    if spec.kind == "timed":
        keep &= ~pd.isna(times)
    cells, gids = cells[keep], gids[keep]
    if spec.kind == "values" and not (allnum and spec.numeric) and not _has_mv(cells):
        if spec.name == "count":
            return np.bincount(gids, minlength=ngroups).tolist() if ngroups else []
        fast = spec.vector(gids, cells, ngroups) if spec.vector and len(cells) else None
        if fast is not None:
            return fast
    order = np.argsort(gids, kind="stable")
    bounds = np.searchsorted(gids[order], np.arange(ngroups + 1))
    sorted_cells = cells[order].tolist()
    sorted_times = (times[keep][order].tolist() if spec.kind == "timed" and times is not None
                    else None)
    out: list = []
    for g in range(ngroups):
        members = sorted_cells[bounds[g]:bounds[g + 1]]
        if allnum and spec.numeric and not _allnum_ok(members):
            out.append(None)
            continue
        if spec.kind == "values":
            members = [v for c in members for v in (c if isinstance(c, list) else (c,))]
        elif sorted_times is not None:  # a timed function
            members = list(zip(sorted_times[bounds[g]:bounds[g + 1]], members))
        if ctx is not None and (note := aggregates.truncation(spec, members, term.out)):
            ctx.warn(note)
        out.append(spec.reduce(members) if members else spec.empty)
    return out


# ---------------------------------------------------------------- grouping


def _key_strings(cells: np.ndarray) -> tuple[np.ndarray, dict | None]:
    """BY values as the strings that name their group (null stays null), and, when some are not
    strings (numbers from eval, ``_time``), each string's first original value for the output."""
    if _strings_or_none(cells):
        return cells, None
    originals: dict = {}
    out = np.empty(len(cells), dtype=object)
    for i, c in enumerate(cells):
        if isinstance(c, list):
            out[i] = [to_str(v) for v in c]
            for s, v in zip(out[i], c):
                originals.setdefault(s, v)
        else:
            out[i] = to_str(c)
            if out[i] is not None:
                originals.setdefault(out[i], c)
    return out, originals


@dataclass
class _Groups:
    """Which rows belong to which group: ``rows[i]`` is in group ``gids[i]``; ``keys[g]`` names g."""

    rows: np.ndarray
    gids: np.ndarray
    keys: list[tuple]


def _group(table: pd.DataFrame, by: tuple[str, ...], split_mv: bool, dedup: bool) -> _Groups:
    n = len(table)
    if not by:
        return _Groups(np.arange(n), np.zeros(n, dtype=np.int64), [()])
    rows, codes, uniques, originals = _group_codes(table, by, split_mv, dedup)
    order = sorted(range(len(uniques)), key=lambda g: [order_key(s) for s in uniques[g]])
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    keys = [tuple(k if o is None else o[k] for k, o in zip(uniques[g], originals))
            for g in order]
    return _Groups(rows, rank[codes], keys)


def _group_codes(table: pd.DataFrame, by: tuple[str, ...], split_mv: bool, dedup: bool):
    """(rows, their group codes, each code's BY strings, each BY field's first original value
    of each string or None): the groups unsorted, codes in the order _plain_keys/_split_keys
    give them (ties of the sort keep it)."""
    empty = np.empty(0, dtype=np.int64)
    if any(f not in table.columns for f in by):
        return empty, empty, [], [None] * len(by)
    cols, originals = zip(*(_key_strings(_cells(table, f)) for f in by))
    if any(o is not None and _has_mv(c) for c, o in zip(cols, originals)):
        rows, keys = _split_keys(cols, split_mv, dedup)
        if not keys:
            return empty, empty, [], originals
        codes, uniques = pd.factorize(pd.Series(keys, dtype=object), sort=False)
        return np.asarray(rows, dtype=np.int64), codes, list(uniques), originals
    rows, codes, uniques = _plain_keys(cols)
    return rows, codes, uniques, originals


def _plain_keys(cols: list[np.ndarray], per_col=None):
    """Rows having every BY field, their group codes and the key tuples (no multivalue cells).
    ``per_col``: pd.factorize of each column, when already done."""
    per_col = per_col or [pd.factorize(c, use_na_sentinel=True) for c in cols]
    codes = np.stack([c for c, _ in per_col])
    rows = np.flatnonzero((codes >= 0).all(axis=0))
    codes = codes[:, rows]
    dims = [max(len(u), 1) for _, u in per_col]
    size = float(np.prod(dims, dtype=float))
    if size < 2.0 ** 62:
        combined = np.ravel_multi_index(tuple(codes), dims) if len(cols) > 1 else codes[0]
        if size <= max(len(combined), 1 << 16):  # a table of every combination: no sort
            seen = np.zeros(int(size), dtype=bool)
            seen[combined] = True
            uniq = np.flatnonzero(seen)
            rank = np.cumsum(seen) - 1
            inverse = rank[combined]
        else:
            uniq, inverse = np.unique(combined, return_inverse=True)
        parts = np.unravel_index(uniq, dims) if len(cols) > 1 else (uniq,)
    else:  # too many combinations for one integer: factorize the tuples
        inverse, uniq_tuples = pd.factorize(pd.Series(list(zip(*codes)), dtype=object))
        parts = tuple(np.array([t[j] for t in uniq_tuples], dtype=np.int64)
                      for j in range(len(cols)))
    keys = list(zip(*(np.asarray(u, dtype=object)[p] for (_, u), p in zip(per_col, parts))))
    return rows, np.asarray(inverse, dtype=np.int64).ravel(), keys


def _split_keys(cols: list[np.ndarray], split_mv: bool, dedup: bool):
    """Rows and key tuples when some BY cell is multivalue (stats: one group per value)."""
    rows, keys = [], []
    for i in range(len(cols[0])):
        per_field = []
        for col in cols:
            c = col[i]
            if is_null(c):
                break
            if isinstance(c, list):
                vals = c if split_mv else c[:1]
                if dedup:
                    vals = list(dict.fromkeys(vals))
                per_field.append(vals)
            else:
                per_field.append([c])
        else:
            for combo in itertools.product(*per_field):
                rows.append(i)
                keys.append(combo)
    return rows, keys


def _aggregate(table: pd.DataFrame, ctx: Context, groups: _Groups, terms: list[_Term],
               allnum: bool) -> dict[str, list]:
    """Column name -> one result per group, for every term (a later duplicate name wins)."""
    times = _cells(table, "_time")
    out: dict[str, list] = {}
    for term in terms:
        cells = _term_cells(term, table, ctx)
        out[term.out] = _reduce_groups(
            term, None if cells is None else cells[groups.rows], times[groups.rows],
            groups.gids, len(groups.keys), allnum, ctx)
    return out


# ---------------------------------------------------------------- stats


def reads(node: ast.Stats) -> set[str] | None:
    """The fields aggregated (and what ``count(eval(...))`` reads), the BY fields, and ``_time``
    (earliest(), latest() and streamstats' time_window go by it)."""
    found = ast.references(node.aggregations)
    return None if found is None else found | set(node.by) | {"_time"}


def reads_in_place(node: ast.Stats) -> set[str] | None:
    """As stats, and the fields eventstats/streamstats set, which an event in no group keeps; a
    reset_before/reset_after condition is an expression in an option, not looked into."""
    found = ast.references(node.aggregations)
    if found is None or any(ast.option(node.options, name) is not None
                            for name in ("reset_before", "reset_after")):
        return None
    return found | set(node.by) | {"_time"} | {agg.alias or agg.text for agg in node.aggregations}


@command("stats", reads=reads, narrows=True,
          doc='Calculates aggregate statistics over the results, optionally grouped by fields.',
          syntax='stats [allnum=bool] [delim=S] [partitions=N] function(field) [AS name] ... [BY field-list]')
def run_stats(node: ast.Stats, table: pd.DataFrame, ctx: Context) -> pd.DataFrame:
    """One row per group (one row in all without BY, even over no events)."""
    check_known(node, {"dedup_splitvals", "allnum", "delim", "partitions"})
    terms = _terms(node, table)
    groups = _group(table, node.by, split_mv=True,
                    dedup=flag(node, "dedup_splitvals", False))
    results = _aggregate(table, ctx, groups, terms, flag(node, "allnum", False))
    data: dict[str, list] = {}
    for i, field in enumerate(node.by):
        data[field] = [k[i] for k in groups.keys]
    data.update(results)
    return pd.DataFrame({k: pd.Series(v, dtype=object) for k, v in data.items()},
                        columns=list(data))


# ---------------------------------------------------------------- eventstats


@command("eventstats", reads=reads_in_place,
          doc='Adds aggregate statistics to every result, grouped by fields, keeping the results.',
          syntax='eventstats [allnum=bool] function(field) [AS name] ... [BY field-list]')
def run_eventstats(node: ast.Stats, table: pd.DataFrame, ctx: Context) -> pd.DataFrame:
    """Every event gets the statistics of its group; events in no group are left as they are."""
    check_known(node, {"allnum"})
    terms = _terms(node, table)
    groups = _group(table, node.by, split_mv=True, dedup=False)
    results = _aggregate(table, ctx, groups, terms, flag(node, "allnum", False))
    # A multivalue BY field adds the event to each of its groups; it receives its first group's.
    first = pd.Series(groups.gids).groupby(groups.rows, sort=False).first()
    rows, gids = first.index.to_numpy(dtype=np.int64), first.to_numpy(dtype=np.int64)
    out = table.copy()
    for name, per_group in results.items():
        column = (out[name].to_numpy(dtype=object).copy() if name in out.columns
                  else np.full(len(out), None, dtype=object))
        column[rows] = _object_array(per_group)[gids]
        out[name] = pd.Series(column, index=out.index, dtype=object)
    return out


# ---------------------------------------------------------------- streamstats


MAX_STREAM_WINDOW = 10000  # limits.conf [stats] max_stream_window: the window when none is set


@command("streamstats", reads=reads_in_place,
          doc='Adds cumulative statistics to each result, in the order the results come.',
          syntax='streamstats [current=bool] [window=N] [global=bool] [reset_on_change=bool] function(field) [AS name] ... [BY field-list]')
def run_streamstats(node: ast.Stats, table: pd.DataFrame, ctx: Context) -> pd.DataFrame:
    """Running statistics, event by event in the order of the table.

    ``current`` (default true) counts the event itself; ``window=N`` keeps the last N events
    (unset or 0: max_stream_window, 10,000), over all events when ``global=true`` (default) else
    per group; ``reset_on_change`` starts every group afresh when the BY values differ from the
    previous event's; ``reset_before="(<eval>)"`` starts afresh before an event for which the
    expression is true, ``reset_after="(<eval>)"`` after it (its expression also sees the
    statistics just computed). An event with no group gets no statistics. ``time_window=<span>``
    keeps only the earlier events within the span of the event's time (see _time_window).
    """
    check_known(node, {"current", "window", "global", "reset_on_change", "allnum",
                       "reset_before", "reset_after", "time_window"})
    terms = _terms(node, table)
    current = flag(node, "current", True)
    per_group_window = not flag(node, "global", True)
    reset = flag(node, "reset_on_change", False)
    allnum = flag(node, "allnum", False)
    window = min(integer(node, "window", 0) or MAX_STREAM_WINDOW, MAX_STREAM_WINDOW)
    prior = window - 1 if current else window  # earlier events the window keeps

    n = len(table)
    keys = _stream_keys(table, node.by)
    times = _cells(table, "_time")
    span, seconds = _time_window(node, times)
    makers = [_state_maker(t, _term_cells(t, table, ctx), times, allnum) for t in terms]
    results = [np.full(n, None, dtype=object) for _ in terms]
    before = _reset_condition(node, "reset_before")
    if before is not None:
        reset_before = where_mask(before, table, ctx).to_numpy(dtype=bool)
    after = _reset_condition(node, "reset_after")
    if after is not None:
        records = table.to_dict("records")

    windows: dict[tuple, tuple[deque, list]] = {}  # group -> (its rows in the window, states)
    previous = None
    for i in range(n):
        if before is not None and reset_before[i]:
            windows.clear()
        if after is not None and i and _after_true(after, records[i - 1], terms, results, i - 1,
                                                   ctx):
            windows.clear()
        key = keys[i]
        if key is None:
            continue
        if reset and previous is not None and key != previous:
            windows.clear()
        previous = key
        if key not in windows:
            windows[key] = (deque(), [make() for make in makers])
        rows, states = windows[key]
        while rows and ((len(rows) > prior if per_group_window else rows[0] < i - prior)
                        or (span is not None and abs(seconds[i] - seconds[rows[0]]) >= span)):
            old = rows.popleft()
            for state in states:
                state.remove(old)
        for t, state in enumerate(states):
            if current:
                state.add(i)
                results[t][i] = state.value()
            else:
                results[t][i] = state.value()
                state.add(i)
        rows.append(i)
    out = table.copy()
    grouped = np.array([k is not None for k in keys], dtype=bool)
    for term, column in zip(terms, results):
        if term.out in out.columns:  # events in no group keep what they had
            column = np.where(grouped, column, out[term.out].to_numpy(dtype=object))
        out[term.out] = pd.Series(column, index=out.index, dtype=object)
    return out


_TIME_UNITS = {"s": 1, "sec": 1, "secs": 1, "second": 1, "seconds": 1, "m": 60, "min": 60,
               "mins": 60, "minute": 60, "minutes": 60, "h": 3600, "hr": 3600, "hrs": 3600,
               "hour": 3600, "hours": 3600, "d": 86400, "day": 86400, "days": 86400,
               "w": 604800, "week": 604800, "weeks": 604800}


def _time_window(node: ast.Stats, times: np.ndarray) -> tuple[float | None, np.ndarray]:
    """``time_window=<int><timescale>`` in seconds (None when not set), and the times as numbers.

    The page: a window "based on time", limited by ``window`` (or max_stream_window), which
    needs the results sorted by time, ascending or descending. spl's readings (pinned in
    tests/test_cmd_streamstats_time_window.py): an earlier event stays in the window while its _time differs
    from the current event's by less than the span (a 1h window holds the last hour, not the
    event exactly an hour before); results not in time order, or without a _time, are an error
    rather than a silently wrong window; month, quarter and year spans (of varying length) are
    not supported.
    """
    text = ast.option(node.options, "time_window")
    if text is None:
        return None, times
    digits = text.strip()
    unit = digits.lstrip("0123456789")
    count, unit = digits[:len(digits) - len(unit)], unit.strip().lower()
    if not count or unit not in _TIME_UNITS:
        if count and unit in ("mon", "month", "months", "q", "qtr", "qtrs", "quarter",
                              "quarters", "y", "yr", "yrs", "year", "years"):
            raise UnsupportedError(f"streamstats: time_window={text}: month, quarter and year "
                                   f"spans are not supported", span=node.span)
        raise SearchError(f"streamstats: time_window={text} must be a span such as 30s, 5m, 1h "
                          f"or 1d", span=node.span)
    seconds = int(count[-15:]) * _TIME_UNITS[unit] if len(count) <= 15 else 0
    if seconds <= 0:  # zero, or more digits than any span means
        raise SearchError(f"streamstats: time_window={text} must be positive, of at most 15 "
                          f"digits", span=node.span)
    t = [to_number(v) for v in times]
    if any(x is None for x in t):
        raise SearchError("streamstats: time_window needs every result to have a _time",
                          span=node.span)
    numbers = np.asarray(t, dtype=float)
    steps = np.diff(numbers)
    if not (np.all(steps >= 0) or np.all(steps <= 0)):
        raise SearchError("streamstats: time_window needs the results sorted by _time "
                          "(ascending or descending)", span=node.span)
    return float(seconds), numbers


def _reset_condition(node: ast.Stats, name: str) -> ast.Expr | None:
    """The eval expression of ``reset_before``/``reset_after`` (written ``"(<expr>)"``)."""
    text = ast.option(node.options, name)
    if text is None:
        return None
    try:
        return parse_expression(text)
    except SplError as err:
        raise SearchError(f"streamstats: {name}={text}: {err.message}", span=node.span) from None


def _after_true(expr, record: dict, terms, results, row: int, ctx) -> bool:
    """reset_after's test for ``row``: its fields with the statistics it just received."""
    fields = {k: v for k, v in record.items() if not is_null(v)}
    for term, column in zip(terms, results):
        if column[row] is not None:
            fields[term.out] = column[row]
    return evaluate_row(expr, fields, ctx) is True


# Window states: each keeps what one term needs about the rows in one group's window.
# add(row) when a row enters, remove(row) when the oldest leaves, value() for the current result.


class _Totals:
    """count, sum and avg as running totals."""

    def __init__(self, func: str, contrib: list):
        self.func, self.contrib, self.total = func, contrib, [0, 0, 0]

    def add(self, row):
        for j in range(3):
            self.total[j] += self.contrib[row][j]

    def remove(self, row):
        for j in range(3):
            self.total[j] -= self.contrib[row][j]

    def value(self):
        count, nums, total = self.total
        if self.func == "count":
            return count
        if nums == 0:
            return None
        return as_double(total) if self.func == "sum" else total / nums


class _Distinct:
    """dc, estdc, values, min and max from a count of each distinct value (as a string)."""

    def __init__(self, spec: AggSpec, values: list):
        self.spec, self.values = spec, values
        self.counts: dict[str, list] = {}  # value's string: [count, value]

    def add(self, row):
        for s, v in self.values[row]:
            if s in self.counts:
                self.counts[s][0] += 1
            else:
                self.counts[s] = [1, v]

    def remove(self, row):
        for s, _ in self.values[row]:
            entry = self.counts[s]
            entry[0] -= 1
            if entry[0] == 0:
                del self.counts[s]

    def value(self):
        if self.spec.name in ("dc", "estdc"):
            return len(self.counts)
        if not self.counts:
            return self.spec.empty
        return self.spec.reduce([v for _, v in self.counts.values()])


class _Recompute:
    """Any other function: its reduce over the rows in the window, recomputed each time."""

    def __init__(self, term: _Term, cells, times, allnum: bool):
        self.term, self.cells, self.times, self.allnum = term, cells, times, allnum
        self.rows: deque = deque()

    def add(self, row):
        self.rows.append(row)

    def remove(self, row):
        self.rows.popleft()

    def value(self):
        rows = np.fromiter(self.rows, dtype=np.int64, count=len(self.rows))
        cells = None if self.cells is None else self.cells[rows]
        return _reduce_groups(self.term, cells, self.times[rows],
                              np.zeros(len(rows), dtype=np.int64), 1, self.allnum)[0]


def _row_values(cells) -> list[list]:
    return [[] if is_null(c) else (c if isinstance(c, list) else [c]) for c in cells]


def _state_maker(term: _Term, cells, times, allnum: bool):
    """A factory of window states for ``term`` (per-row inputs prepared once)."""
    func = term.spec.name
    if not allnum and func in ("count", "sum", "avg"):
        if cells is None:
            contrib = [(1, 0, 0)] * len(times)
        else:
            contrib = []
            for values in _row_values(cells):
                nums = [x for x in (to_number(v) for v in values) if x is not None]
                contrib.append((len(values), len(nums), sum(nums)))
        return lambda: _Totals(func, contrib)
    if func in ("dc", "estdc", "values", "min", "max") and cells is not None:
        values = [[(to_str(v), v) for v in vs] for vs in _row_values(cells)]
        return lambda: _Distinct(term.spec, values)
    return lambda: _Recompute(term, cells, times, allnum)


def _stream_keys(table: pd.DataFrame, by: tuple[str, ...]) -> list[tuple | None]:
    """Each row's group (None: a BY field is null); a multivalue BY field counts by its first value."""
    n = len(table)
    if not by:
        return [()] * n
    if any(f not in table.columns for f in by):
        return [None] * n
    cols = [_key_strings(_cells(table, f))[0] for f in by]
    keys: list[tuple | None] = []
    for i in range(n):
        parts: list = []
        for col in cols:
            c = col[i]
            if is_null(c):
                keys.append(None)
                break
            parts.append(c[0] if isinstance(c, list) else c)
        else:
            keys.append(tuple(parts))
    return keys


# ---------------------------------------------------------------- map-reduce (spl.mapreduce)
# Splunk's command types (https://help.splunk.com/splunk-enterprise/spl-search-reference/10.0/quick-reference/command-types):
# stats is transforming: a partial per chunk ("prestats" on the indexers), merged once.
# eventstats (dataset processing) and streamstats (centralized streaming) need every event.


def COMMAND_TYPE(node) -> str:
    return {"stats": "transforming", "eventstats": "dataset processing",
            "streamstats": "centralized streaming"}.get(node.name, "")


def unsplittable(node) -> str | None:
    if node.name == "eventstats":
        return "eventstats gives every event its group's statistics"
    if node.name == "streamstats":
        return "streamstats runs through the events in order"
    return None


# A term's partial state for one group, merged exactly: ("n", count), ("set", strings) or
# ("rows", [(event-order key, value)...]): the candidates from which the function's own reduce,
# over them in event order, gives the answer over all values. Each function keeps only what can
# win: first/last one row, min/max/earliest/latest each chunk's first winner, list its first
# LIST_LIMIT values; the others keep every value: median and perc are exact, and sum, avg,
# var and stdev add floats one by one in event order as Splunk does (AGG: 100 x 3.99 averages
# 3.9900000000000055), which no sufficient statistic reproduces.
_KEEP_ONE = {"first": "first", "last": "last", "min": "first", "max": "first",
             "earliest": "first", "latest": "first", "earliest_time": "first",
             "latest_time": "first"}


@dataclass
class StatsPartial:
    """stats' partial result of one chunk."""

    groups: dict          # BY strings -> [first row's key (and place), {term id: state}]
    firsts: list          # per BY field: {string: (key, first original value)}
    mv: bool              # some BY cell was multivalue (groups are then told apart by first row)
    wild: dict            # aggregation index -> fields its wildcard matched


def map_partial(node: ast.Stats, table: pd.DataFrame, ctx: Context, keys) -> StatsPartial:
    """stats over one chunk (rows in event order), as mergeable states. ``keys(positions)``:
    the event-order keys of rows."""
    check_known(node, {"dedup_splitvals", "allnum", "delim", "partitions"})
    terms = _terms(node, table)
    allnum = flag(node, "allnum", False)
    n = len(table)
    by_cells = [_cells(table, f) for f in node.by if f in table.columns]
    plain = len(by_cells) == len(node.by) and all(map(_strings_or_none, by_cells))
    mv = False
    if not node.by:
        rows, codes, uniques = np.arange(n), np.zeros(n, dtype=np.int64), ([()] if n else [])
        firsts = []
    elif plain:  # strings only (the usual case): each column factorized once
        per_col = [pd.factorize(c, use_na_sentinel=True) for c in by_cells]
        rows, codes, uniques = _plain_keys(by_cells, per_col)
        firsts = [_first_codes(c, u, keys) for c, u in per_col]
    else:
        rows, codes, uniques, _ = _group_codes(
            table, node.by, True, flag(node, "dedup_splitvals", False))
        firsts = [_first_strings(table, f, keys) for f in node.by]
        mv = any(_has_mv(c) for c in by_cells)
    codes = np.asarray(codes, dtype=np.int64)
    first_at = np.unique(codes, return_index=True)[1] if len(codes) else np.empty(0, np.int64)
    first_keys = keys(rows[first_at]) if len(first_at) else []
    groups: dict[tuple, list] = {uniques[g]: [(first_keys[g], int(first_at[g])), {}]
                                 for g in range(len(uniques))}
    times = _cells(table, "_time") if any(t.spec.kind == "timed" for t in terms) else \
        np.full(n, None, dtype=object)
    wild: dict[int, list] = {}
    index = {id(a): k for k, a in enumerate(node.aggregations)}
    for term in terms:
        k = index[id(term.agg)]
        if term.agg.field is not None and has_wildcard(term.agg.field):
            wild.setdefault(k, []).append(term.field)
        cells = _term_cells(term, table, ctx)
        states = _partial_states(term, None if cells is None else cells[rows], times[rows],
                                 rows, codes, len(uniques), allnum, keys)
        for g, state in states.items():
            groups[uniques[g]][1][(k, term.field)] = state
    return StatsPartial(groups, firsts, mv, wild)


def _first_codes(codes: np.ndarray, uniq, keys) -> dict:
    """{string: (key, string)} of a factorized string column: each string's first row."""
    at = np.flatnonzero(codes >= 0)
    if not len(at):
        return {}
    u, first = np.unique(codes[at], return_index=True)
    return {uniq[c]: (key, uniq[c]) for c, key in zip(u.tolist(), keys(at[first]))}


def _first_strings(table: pd.DataFrame, field: str, keys) -> dict:
    """{string: (key, original value)} of a BY field: each string's first cell in the chunk."""
    if field not in table.columns:
        return {}
    cells = _cells(table, field)
    if _strings_or_none(cells):
        return _first_codes(*pd.factorize(cells, use_na_sentinel=True), keys)
    pending: dict = {}
    for i, c in enumerate(cells.tolist()):
        for v in ([] if is_null(c) else (c if isinstance(c, list) else [c])):
            pending.setdefault(to_str(v), (i, v))
    found = keys(np.array([i for i, _ in pending.values()], dtype=np.int64))
    return {s: (key, v) for (s, (_, v)), key in zip(pending.items(), found)}


def _partial_states(term: _Term, cells, times, rows, codes, ngroups: int, allnum: bool,
                    keys) -> dict:
    """{group code: state} of one term over the chunk's group members (see above)."""
    spec = term.spec
    if cells is None:  # bare count
        return {g: ("n", int(c)) for g, c in enumerate(np.bincount(codes, minlength=ngroups))}
    keep = _nonnull(cells)
    if spec.kind == "timed":
        keep &= ~pd.isna(times)
    cells, times, rows, codes = cells[keep], times[keep], rows[keep], codes[keep]
    order = np.argsort(codes, kind="stable")
    bounds = np.searchsorted(codes[order], np.arange(ngroups + 1))
    member_rows = rows[order]
    cells = cells[order].tolist()
    times = times[order].tolist()
    numeric_check = allnum and spec.numeric
    out: dict[int, tuple] = {}
    for g in range(ngroups):
        lo, hi = bounds[g], bounds[g + 1]
        if lo == hi:
            continue
        members = cells[lo:hi]
        if spec.kind == "values":
            flat = [(i, j, v) for i, c in enumerate(members)
                    for j, v in enumerate(c if isinstance(c, list) else (c,))]
        else:
            flat = [(i, 0, c) for i, c in enumerate(members)]
        if numeric_check:
            out[g] = ("rows", _keyed(flat, member_rows[lo:hi], keys), _allnum_ok(members))
            continue
        if spec.name == "count":
            out[g] = ("n", len(flat))
        elif spec.name in ("dc", "estdc", "values"):
            out[g] = ("set", {s for s in map(to_str, (v for _, _, v in flat)) if s is not None})
        elif spec.name in _KEEP_ONE:
            if spec.kind == "timed":
                flat = [(i, 0, (t, c)) for (i, _, c), t in zip(flat, times[lo:hi])]
            out[g] = ("rows", _keyed(_winner(spec, flat), member_rows[lo:hi], keys), True)
        elif spec.name == "list":
            out[g] = ("rows", _keyed(flat[:aggregates.LIST_LIMIT], member_rows[lo:hi], keys), True)
        else:
            out[g] = ("rows", _keyed(flat, member_rows[lo:hi], keys), True)
    return out


def _winner(spec: AggSpec, flat: list) -> list:
    """The one candidate a keep-one function can pick from a chunk: the one its reduce picks
    (each picks the first of equals in input order)."""
    if spec.name == "first":
        return flat[:1]
    if spec.name == "last":
        return flat[-1:]
    values = [v for _, _, v in flat]
    best = spec.reduce(values)
    if spec.kind == "timed":  # the (time, cell) pair the reduce picked: first of the best time
        pick = min if spec.name.startswith("earliest") else max
        t = pick(v[0] for v in values)
        return [next(x for x in flat if x[2][0] == t)]
    key = order_key(best)
    return [next(x for x in flat if order_key(x[2]) == key)]


def _keyed(flat: list, member_rows: np.ndarray, keys) -> list:
    """Candidates as (event-order key, place in the cell, value)."""
    if not flat:
        return []
    found = keys(member_rows[[i for i, _, _ in flat]])
    return [(key, j, v) for key, (_, j, v) in zip(found, flat)]


def reduce_partials(node: ast.Stats, partials: list, ctx: Context) -> pd.DataFrame:
    """stats' result from its chunks' partials: exactly run_stats over all their events."""
    check_known(node, {"dedup_splitvals", "allnum", "delim", "partitions"})
    _terms(node, pd.DataFrame())  # the errors stats raises whatever the data
    partials = [p for p in partials if isinstance(p, StatsPartial)]
    firsts: list[dict] = [{} for _ in node.by]
    groups: dict = {}
    wild: dict[int, set] = {}
    mv = any(p.mv for p in partials)
    for p in partials:
        for merged, found in zip(firsts, p.firsts):
            for s, (key, v) in found.items():
                if s not in merged or key < merged[s][0]:
                    merged[s] = (key, v)
        for k, fields in p.wild.items():
            wild.setdefault(k, set()).update(fields)
        for gkey, (first, states) in p.groups.items():
            mine = groups.get(gkey)
            if mine is None:
                groups[gkey] = [first, dict(states)]
                continue
            mine[0] = min(mine[0], first)
            for tid, state in states.items():
                mine[1][tid] = _merge_state(mine[1].get(tid), state)
    if not node.by and () not in groups:
        groups[()] = [None, {}]

    def tie(gkey):
        if not node.by or mv:  # groups first met first
            return [groups[gkey][0]]
        return [firsts[j][s][0] for j, s in enumerate(gkey)]

    ordered = sorted(groups, key=lambda g: ([order_key(s) for s in g], tie(g)))
    terms: list[tuple[int, _Term]] = []
    for k, agg in enumerate(node.aggregations):
        spec = aggregates.lookup(agg.func)
        assert spec is not None  # the map half made its terms from the same node (_terms)
        if agg.field is not None and has_wildcard(agg.field):
            for f in sorted(wild.get(k, ())):  # fields the map half expanded the pattern to
                out = substitute(agg.field, f, agg.alias or agg.text)
                assert out is not None  # f was expanded from the pattern, so it matches it
                terms.append((k, _Term(agg, spec, f, out)))
        else:
            terms.append((k, _Term(agg, spec, agg.field, agg.alias or agg.text)))
    data: dict[str, list] = {}
    for j, f in enumerate(node.by):
        data[f] = [firsts[j][g[j]][1] for g in ordered]
    for k, term in terms:
        data[term.out] = [_final(term.spec, groups[g][1].get((k, term.field))) for g in ordered]
    return pd.DataFrame({c: pd.Series(v, dtype=object) for c, v in data.items()},
                        columns=list(data))


def _merge_state(mine, other):
    if mine is None:
        return other
    tag = mine[0]
    if tag == "n":
        return ("n", mine[1] + other[1])
    if tag == "set":
        return ("set", mine[1] | other[1])
    return ("rows", mine[1] + other[1], mine[2] and other[2])


def _final(spec: AggSpec, state):
    """One cell of the result from a group's merged state (None: the group had no value)."""
    if state is None:
        return spec.empty
    tag = state[0]
    if tag == "n":
        return state[1]
    if tag == "set":
        if spec.name == "values":
            return aggregates.make_mv(sorted(state[1]))
        return len(state[1])
    _, rows, ok = state
    if not ok:
        return None
    rows = sorted(rows, key=lambda r: (r[0], r[1]))
    values = [v for _, _, v in rows]
    if spec.name == "list":
        values = values[:aggregates.LIST_LIMIT]
    return spec.reduce(values) if values else spec.empty
