"""top / rare: the most (least) common value combinations of fields, with count and percent.

Splunk (https://help.splunk.com/splunk-enterprise/spl-search-reference/9.4/search-commands/top):
``top [N] [options] <fields> [BY <fields>]``; N and ``limit`` default to 10, 0 returns every
value; ``countfield`` (default ``count``), ``percentfield`` (default ``percent``), ``showcount``
and ``showperc`` (default true), ``useother`` (default false) adds a row for the values past the
limit, labelled ``otherstr`` (default ``OTHER``). With a BY clause the ranking is per group.
rare (https://help.splunk.com/splunk-enterprise/spl-search-reference/9.4/search-commands/rare)
is the same with the least common values first.

Output: one row per value combination, columns BY fields, then the fields, then count and
percent; the percent is of the events (of the group) that have all the fields, printed with six
decimals as Splunk shows it (``33.333333``). An event lacking one of the fields is not counted;
a multivalue field counts each of its values. Groups come in the order of their BY values, and
equal counts in the order of the values, both compared as strings (spl's reading: the page
does not say).
"""
from __future__ import annotations

import itertools
from collections import Counter

import pandas as pd

from spl.commands import command
from spl.commands._args import check_known, flag, integer
from spl.syntax import ast
from spl.values import mv_values, to_str

OPTIONS = {"countfield", "limit", "otherstr", "percentfield", "showcount", "showperc", "useother"}


def reads(node) -> set[str]:
    return set(node.fields) | set(node.by)


@command("top", "rare", reads=reads, narrows=True,
          doc='Finds the most (top) or least (rare) common values of fields, with count and percent.',
          syntax='top|rare [N] [limit=N] [countfield=F] [percentfield=F] [showcount=bool] [showperc=bool] [useother=bool] field-list [BY field-list]')
def run(node, table, ctx):
    check_known(node, OPTIONS)
    groups: dict[tuple, Counter] = {}
    for by, values, _ in _combos(node, table):
        groups.setdefault(by, Counter())[values] += 1
    return _output(node, groups)


def _combos(node, table):
    """(BY values, field values, row) of each value combination of each row, in row order."""
    for i, row in enumerate(_rows(table, node.by + node.fields)):
        keys = [[v for v in mv_values(row[f])] for f in node.by + node.fields]
        if any(not k for k in keys):
            continue
        for combo in itertools.product(*keys):
            yield combo[:len(node.by)], combo[len(node.by):], i


def _output(node, groups: dict[tuple, Counter]) -> pd.DataFrame:
    """The ranked rows of each group's counts (groups and counts in order of first appearance:
    equal sort keys keep it)."""
    limit = node.limit if node.limit is not None else integer(node, "limit", 10)
    countfield = ast.option(node.options, "countfield", "count")
    percentfield = ast.option(node.options, "percentfield", "percent")
    showcount, showperc = flag(node, "showcount", True), flag(node, "showperc", True)
    useother = flag(node, "useother", False)
    otherstr = ast.option(node.options, "otherstr", "OTHER")
    rare = node.name == "rare"
    out: list[dict] = []
    for by, counts in sorted(groups.items(), key=lambda kv: tuple(to_str(v) for v in kv[0])):
        total = sum(counts.values())
        ranked = sorted(counts.items(), key=lambda kv: (kv[1] if rare else -kv[1],
                                                        tuple(to_str(v) for v in kv[0])))
        kept = ranked[:limit] if limit else ranked
        rows = list(kept)
        rest = sum(n for _, n in ranked[len(kept):])
        if useother and rest:
            rows.append(((otherstr,) * len(node.fields), rest))
        for values, n in rows:
            rec = dict(zip(node.by, by))
            rec.update(zip(node.fields, values))
            if showcount:
                rec[countfield] = n
            if showperc:
                rec[percentfield] = f"{100.0 * n / total:.6f}"
            out.append(rec)
    columns = list(dict.fromkeys(list(node.by) + list(node.fields)
                                 + ([countfield] if showcount else [])
                                 + ([percentfield] if showperc else [])))
    return pd.DataFrame({c: pd.Series([r.get(c) for r in out], dtype=object) for c in columns})


def _rows(table: pd.DataFrame, fields):
    """Each row as {field: cell}, None for a field the table lacks."""
    cols = {f: (table[f].tolist() if f in table.columns else [None] * len(table)) for f in fields}
    for i in range(len(table)):
        yield {f: cols[f][i] for f in fields}


# ---------------------------------------------------------------- map-reduce (spl.mapreduce)
# Splunk's type (https://help.splunk.com/splunk-enterprise/spl-search-reference/10.0/quick-reference/command-types): transforming.
# A chunk's partial is its count of each (BY, values) combination with where the combination
# first appears in event order; merged, the combinations are replayed in that order, so groups
# and equal counts come out as over one table.

COMMAND_TYPE = "transforming"


def map_partial(node, table, ctx, keys) -> dict:
    check_known(node, OPTIONS)
    counts: dict[tuple, list] = {}
    for by, values, i in _combos(node, table):
        entry = counts.get((by, values))
        if entry is None:
            counts[(by, values)] = [1, i]
        else:
            entry[0] += 1
    found = keys([e[1] for e in counts.values()]) if counts else []
    for entry, key in zip(counts.values(), found):
        entry[1] = key
    return counts


def reduce_partials(node, partials, ctx) -> pd.DataFrame:
    check_known(node, OPTIONS)
    merged: dict[tuple, list] = {}
    for part in partials:
        for combo, (n, first) in part.items():
            mine = merged.get(combo)
            if mine is None:
                merged[combo] = [n, first, combo]
            else:
                mine[0] += n
                if first < mine[1]:  # the combination as first written (5 and 5.0 are equal keys)
                    mine[1], mine[2] = first, combo
    groups: dict[tuple, Counter] = {}
    for n, _, (by, values) in sorted(merged.values(), key=lambda e: e[1]):
        groups.setdefault(by, Counter())[values] += n
    return _output(node, groups)
