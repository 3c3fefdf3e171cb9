"""Splunk's statistical functions (stats, eventstats, streamstats), one registry of them.

A function sees the values of one group in input (search) order and returns one cell. How the
values are handed over is the spec's ``kind``:

- ``values``: every value, multivalue cells split into their values, nulls dropped;
- ``cells``: whole non-null cells (first/last keep a multivalue cell as it is);
- ``timed``: (``_time``, cell) pairs of the non-null cells of events that have a ``_time``.

Facts and sources (short keys as in docs/spl-semantics.md):
- AGG = https://help.splunk.com/splunk-enterprise/spl-search-reference/9.4/statistical-and-charting-functions/aggregate-functions
- MVF = https://help.splunk.com/splunk-enterprise/spl-search-reference/9.4/statistical-and-charting-functions/multivalue-stats-and-chart-functions
- count/dc/values/list/mode process values as strings ("1" and "1.0" differ); avg, sum and the
  other numeric functions ignore values that are not numbers; min/max compare numbers as
  numbers, put numbers before strings and compare strings lexicographically.
- var/stdev of one value: 0, the spread of one number (AGG's stdev/var entries; issue 14: Splunk's
  documented example shows 0, not null); varp/stdevp of one value are 0 by their formula too.
- rate (TIME): "(latest(X) - earliest(X)) / (latest_time(X) - earliest_time(X))", the per-second
  change of a counter, valid in stats (and mstats/tstats); null with fewer than two numeric
  points or no time between them, as the page requires both. The page adds that it "handles the
  largest value reset": our reading is a counter restarting from zero, so a value below the one
  before it adds itself (not the negative step) to the change.
- per_second/per_minute/per_hour/per_day (TIME): "You can use this function with the timechart
  command" only; ``lookup`` refuses them (``only_in`` says why) and ``timechart_lookup`` gives
  their spec: the sum of the values, which timechart divides by the bucket's span in the unit.
- estdc (AGG): documented as an estimate of dc; we count exactly, an estimate with no error, so
  estdc_error, "the theoretical error of the estimated count ... a ratio of
  absolute_value(estimate_distinct_count - real_distinct_count)/real_distinct_count", is 0.
TIME = https://help.splunk.com/splunk-enterprise/spl-search-reference/9.4/statistical-and-charting-functions/time-functions
- median: with an even count, the higher of the two middle values (AGG).
- perc/p/upperperc: AGG's prose says nearest rank, its worked example (1..10: perc50 = 5.5,
  perc95 = 9.55) interpolates between the closest ranks, and so does Splunk in the field: p90 of
  the ten response times in PERC90 gives 5.51 (interpolation: 5.5166). We interpolate, exactly
  (the radix-tree approximation only starts above 1000 distinct values); upperperc, the
  approximation's upper bound, is then the same number.
- exactperc: PERC90 reports exactperc90 = 27.203, the largest of those ten values: the value at
  0-based index floor(p/100 * n). For p = 50 that is median's "higher of the two middle values".
PERC90 = https://community.splunk.com/t5/Getting-Data-In/How-to-get-the-percentile-90-of-the-response-time-in-Splunk/m-p/623886
"""
from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from spl.values import as_double, make_mv, order_key, to_number, to_str

# list() keeps the first 100 values: "If more than 100 values are in a field, only the first 100
# are returned" (https://help.splunk.com/splunk-enterprise/spl-search-reference/9.4/statistical-and-charting-functions/multivalue-stats-and-chart-functions),
# limits.conf [stats] list_maxsize. values() has no default limit ([stats] maxvalues = 0).
LIST_LIMIT = 100


def truncation(spec: AggSpec, members: list, column: str) -> str | None:
    """The warning for a group whose values ``spec`` cuts short, else None."""
    if spec.name == "list" and len(members) > LIST_LIMIT:
        return (f"{column}: list() kept the first {LIST_LIMIT} values of a group and dropped the "
                f"rest (limits.conf [stats] list_maxsize = {LIST_LIMIT})")
    return None


@dataclass(frozen=True)
class AggSpec:
    """One statistical function: how it reduces a group, and what it gives over no values."""

    name: str
    doc: str
    reduce: Callable[[list], Any]
    kind: str = "values"
    empty: Any = None
    numeric: bool = False  # an allnum=true candidate: computes over numbers only
    # Optional whole-table shortcut: (group ids, non-null single-value cells, number of groups)
    # -> one result per group, or None when the cells are not the simple kind it handles.
    vector: Callable[[np.ndarray, np.ndarray, int], list | None] | None = None


# ---------------------------------------------------------------- helpers


def _numbers(values: list) -> list:
    out = []
    for v in values:
        n = to_number(v)
        if n is not None and not (isinstance(n, float) and math.isnan(n)):
            out.append(n)
    return out


def _strings(values: list) -> list[str]:
    return [s for s in (to_str(v) for v in values) if s is not None]


# ---------------------------------------------------------------- the functions


def _count(values):
    return len(values)


def _dc(values):
    return len(set(_strings(values)))


def _values(values):
    return make_mv(sorted(set(_strings(values))))


def _list(values):
    return make_mv(_strings(values[:LIST_LIMIT]))


def _extreme(values, pick):
    """min or max with numbers before strings; a number comes out as a number."""
    if not values:
        return None
    best = pick(values, key=order_key)
    n = to_number(best)
    return n if n is not None else to_str(best)


def _min(values):
    return _extreme(values, min)


def _max(values):
    return _extreme(values, max)


def _sum(values):
    nums = _numbers(values)
    return as_double(sum(nums)) if nums else None


def _avg(values):
    nums = _numbers(values)
    return sum(nums) / len(nums) if nums else None


def _range(values):
    nums = _numbers(values)
    return as_double(max(nums) - min(nums)) if nums else None


def _sumsq(values):
    nums = _numbers(values)
    return as_double(sum(n * n for n in nums)) if nums else None


def _variance(nums: list, sample: bool):
    """Sample (n - 1) or population (n) variance; one value has none of either: 0."""
    n = len(nums)
    if n == 0:
        return None
    if n == 1:
        return 0
    mean = sum(nums) / n
    return sum((x - mean) ** 2 for x in nums) / (n - 1 if sample else n)


def _var(values):
    return _variance(_numbers(values), sample=True)


def _varp(values):
    return _variance(_numbers(values), sample=False)


def _stdev(values):
    v = _var(values)
    return None if v is None else math.sqrt(v)


def _stdevp(values):
    v = _varp(values)
    return None if v is None else math.sqrt(v)


def _rank_percentile(p: float) -> Callable[[list], Any]:
    """The value at 0-based index floor(p/100 * n) of the sorted numbers (exactperc, median)."""

    def reduce(values):
        nums = sorted(_numbers(values))
        if not nums:
            return None
        return nums[min(int(p / 100 * len(nums)), len(nums) - 1)]

    return reduce


_median = _rank_percentile(50)  # odd count: the middle; even: the higher of the two middle values


def _mode(values):
    counts: dict[str, int] = {}
    for s in _strings(values):
        counts[s] = counts.get(s, 0) + 1
    if not counts:
        return None
    top = max(counts.values())
    return next(s for s, c in counts.items() if c == top)  # ties: the first seen


def _percentile(p: float) -> Callable[[list], Any]:
    """Linear interpolation between the closest ranks: rank p/100 * (n - 1), 0-based."""

    def reduce(values):
        nums = sorted(_numbers(values))
        if not nums:
            return None
        rank = p / 100 * (len(nums) - 1)
        lo = math.floor(rank)
        hi = min(lo + 1, len(nums) - 1)
        frac = rank - lo
        if frac == 0:
            return nums[lo]
        return nums[lo] + (nums[hi] - nums[lo]) * frac

    return reduce


def _first(cells):
    return cells[0] if cells else None


def _last(cells):
    return cells[-1] if cells else None


def _pick_time(pairs, better) -> tuple | None:
    best = None
    for t, cell in pairs:
        if best is None or better(t, best[0]):
            best = (t, cell)
    return best


def _earliest(pairs):
    best = _pick_time(pairs, lambda a, b: a < b)
    return None if best is None else best[1]


def _latest(pairs):
    best = _pick_time(pairs, lambda a, b: a > b)
    return None if best is None else best[1]


def _earliest_time(pairs):
    best = _pick_time(pairs, lambda a, b: a < b)
    return None if best is None else best[0]


def _latest_time(pairs):
    best = _pick_time(pairs, lambda a, b: a > b)
    return None if best is None else best[0]


def _estdc_error(values):
    """0 over any values: estdc counts exactly (see the module docstring); null over none."""
    return 0 if values else None


def _rate(pairs):
    """Per-second change of a counter between its earliest and latest points (TIME).

    Numeric points only, ordered by time (ties keep input order); a drop is a counter reset
    from zero, so the value after it counts in full."""
    numbers = ((t, None if isinstance(c, list) else to_number(c)) for t, c in pairs)
    points = sorted(((t, n) for t, n in numbers if n is not None), key=lambda p: p[0])
    if len(points) < 2 or points[-1][0] == points[0][0]:
        return None
    change = 0
    for (_, before), (_, after) in zip(points, points[1:]):
        change += after - before if after >= before else after
    return change / (points[-1][0] - points[0][0])


# ---------------------------------------------------------------- whole-table shortcuts
# The same results as the functions above, computed by pandas for the common plain columns:
# only numbers (e.g. _time) for min/max, only strings for dc/values.


def _kind(cells: np.ndarray) -> str:
    return pd.api.types.infer_dtype(cells, skipna=False)


def _vec_minmax(how: str):
    def vector(gids, cells, ngroups):
        if _kind(cells) not in ("floating", "integer", "mixed-integer-float"):
            return None
        series = pd.Series(cells.tolist()).groupby(gids).agg(how)
        out = [None] * ngroups
        for g, v in zip(series.index.tolist(), series.tolist()):
            out[g] = v
        return out

    return vector


def _unique_strings(gids, cells):
    frame = pd.DataFrame({"g": gids, "v": cells}).drop_duplicates()
    return frame["g"].to_numpy(), frame["v"].to_numpy(dtype=object)


def _vec_dc(gids, cells, ngroups):
    if _kind(cells) != "string":
        return None
    g, _ = _unique_strings(gids, cells)
    return np.bincount(g, minlength=ngroups).tolist()


def _vec_values(gids, cells, ngroups):
    if _kind(cells) != "string":
        return None
    g, v = _unique_strings(gids, cells)
    order = np.lexsort((v, g))
    g, v = g[order], v[order].tolist()
    bounds = np.searchsorted(g, np.arange(ngroups + 1))
    return [make_mv(v[bounds[i]:bounds[i + 1]]) for i in range(ngroups)]


_SPECS: dict[str, AggSpec] = {}


def _add(names: str, doc: str, reduce, **kw) -> None:
    for name in names.split():
        _SPECS[name] = AggSpec(name=names.split()[0], doc=doc, reduce=reduce, **kw)


_add("count c", "number of values (number of events when written without a field)", _count,
     empty=0)
_add("dc distinct_count", "number of distinct values, compared as strings", _dc, empty=0,
     vector=_vec_dc)
_add("estdc", "estimated distinct count (computed exactly)", _dc, empty=0, vector=_vec_dc)
_add("estdc_error", "error ratio of estdc: 0, as estdc counts exactly", _estdc_error)
_add("values", "distinct values in lexicographic order", _values, vector=_vec_values)
_add("list", "the first 100 values in event order", _list)
_add("min", "smallest value: numbers before strings", _min, vector=_vec_minmax("min"))
_add("max", "largest value: strings after numbers", _max, vector=_vec_minmax("max"))
_add("sum", "sum of the numeric values", _sum, numeric=True)
_add("avg mean", "mean of the numeric values", _avg, numeric=True)
_add("range", "max - min of the numeric values", _range, numeric=True)
_add("sumsq", "sum of the squares of the numeric values", _sumsq, numeric=True)
_add("var", "sample variance", _var, numeric=True)
_add("varp", "population variance", _varp, numeric=True)
_add("stdev", "sample standard deviation", _stdev, numeric=True)
_add("stdevp", "population standard deviation", _stdevp, numeric=True)
_add("median", "middle value; with an even count the higher middle value", _median, numeric=True)
_add("mode", "most frequent value (ties: the first seen)", _mode)
_add("first", "first value seen in input order", _first, kind="cells")
_add("last", "last value seen in input order", _last, kind="cells")
_add("earliest", "value of the event with the smallest _time", _earliest, kind="timed")
_add("latest", "value of the event with the largest _time", _latest, kind="timed")
_add("earliest_time", "smallest _time of the events having the field", _earliest_time,
     kind="timed")
_add("latest_time", "largest _time of the events having the field", _latest_time, kind="timed")
_add("rate", "per-second change of a counter from its earliest to its latest value", _rate,
     kind="timed")

# timechart-only functions: the bucket's sum, which timechart scales to the unit (TIME).
PER_UNIT = {"per_second": 1, "per_minute": 60, "per_hour": 3600, "per_day": 86400}
_TIMECHART_ONLY = {name: AggSpec(name=name, doc=f"sum of the values per {name[4:]} of the span",
                                 reduce=_sum, numeric=True) for name in PER_UNIT}

_PERC = re.compile(r"(perc|p|exactperc|upperperc)(\d+(?:\.\d+)?)\Z")
_PERC_DOC = "percentile, interpolated between the closest ranks"


def lookup(func: str) -> AggSpec | None:
    """The spec of stats function ``func`` (lower case), or None when Splunk has no such one.

    The percentile family is parsed from the name: ``perc95``, ``p99.9``, ``exactperc50``,
    ``upperperc75``.
    """
    spec = _SPECS.get(func)
    if spec is not None:
        return spec
    m = _PERC.match(func)
    if m:
        p = float(m.group(2))
        if 0 <= p <= 100:
            if m.group(1) == "exactperc":
                return AggSpec(name="exactperc", doc="exact percentile: the value at rank p/100*n",
                               reduce=_rank_percentile(p), numeric=True)
            return AggSpec(name=m.group(1), doc=_PERC_DOC, reduce=_percentile(p), numeric=True)
    return None


def timechart_lookup(func: str) -> AggSpec | None:
    """``lookup`` for timechart, which also takes per_second/per_minute/per_hour/per_day."""
    return _TIMECHART_ONLY.get(func) or lookup(func)


def only_in(func: str) -> str | None:
    """Why stats refuses ``func`` although SPL has it, or None: the per_* functions are
    timechart's alone (TIME)."""
    if func in _TIMECHART_ONLY:
        return f"{func}() can only be used with the timechart command"
    return None


def names() -> list[str]:
    """Every function name, for completion; percentiles appear in their ``perc<N>`` forms."""
    return sorted([*_SPECS, "perc<N>", "p<N>", "exactperc<N>", "upperperc<N>"])
