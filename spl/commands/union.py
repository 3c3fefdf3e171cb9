"""union: merge the results of subsearches (and the current results) into one set.

Splunk (https://help.splunk.com/splunk-cloud-platform/spl-search-reference/10.0.2503/search-commands/union):
``union [maxtime=<int>] [maxout=<int>] [timeout=<int>] <dataset> [<dataset>...]``: "Merges the
results from two or more datasets into one dataset. One of the datasets can be a result set that
is then piped into the union command". It "appends or merges event from the specified datasets,
depending on whether the dataset is streaming or non-streaming", and "automatically interleaves
results on the _time when processing events". ``maxout`` (default 50,000) caps each subsearch's
results. Named datasets (``datamodel:x``, ``savedsearch:x``, ``inputlookup:x``) are not
supported: only ``[subsearch]`` datasets.

spl's readings (pinned in tests/test_cmd_union.py): when union starts the search and every
subsearch is made of distributable streaming commands (events), the results are interleaved
newest first by ``_time`` (equal times: in dataset order); otherwise the incoming results come
first and each subsearch's results follow in the order written. ``maxtime``/``timeout`` bound
running time, which spl does not cut short; they are checked to be numbers.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from spl import subsearch as subsearches
from spl.commands import command
from spl.commands._args import check_known, integer
from spl.commands.append import concat
from spl.context import Context
from spl.errors import SearchError, UnsupportedError
from spl.syntax import ast

MAXOUT = 50_000


def reads(node) -> set[str]:
    """The incoming results are passed on as they are; each subsearch reads for itself."""
    return set()


@command("union", reads=reads,
          doc='Merges the results of several datasets or subsearches.',
          syntax='union [ subsearch ] [ subsearch ] ...')
def run(node: ast.Generic, table: pd.DataFrame, ctx: Context) -> pd.DataFrame:
    check_known(node, {"maxtime", "maxout", "timeout"})
    integer(node, "maxtime", 0)
    integer(node, "timeout", 0)
    maxout = integer(node, "maxout", MAXOUT)
    subs = datasets(node, 1)
    results = [subsearches.run(s, ctx, maxout) for s in subs]
    if not len(table.columns) and all(streaming(s) for s in subs):
        return interleave(results)
    out = table
    for r in results:
        out = concat(out, r)
    return out


def datasets(node: ast.Generic, least: int) -> list[ast.Subsearch]:
    """The command's ``[subsearch]`` datasets, at least ``least`` of them."""
    subs = []
    for arg in node.args:
        if isinstance(arg, ast.Subsearch):
            subs.append(arg)
        elif ":" in arg:
            raise UnsupportedError(f"{node.name}: named datasets such as {arg} are not "
                                   "supported, only [subsearch] datasets", span=node.span)
        else:
            raise SearchError(f"{node.name}: {arg} is not a dataset: write [search ...]",
                              span=node.span)
    if len(subs) < least:
        raise SearchError(f"{node.name} needs at least {least} [subsearch] "
                          f"dataset{'s' * (least > 1)}", span=node.span)
    return subs


def streaming(sub: ast.Subsearch) -> bool:
    """Whether a subsearch searches events with distributable streaming commands only."""
    from spl.mapreduce import STREAMING, command_type

    commands = sub.pipeline.commands
    return bool(commands) and isinstance(commands[0], ast.Search) and \
        all(command_type(c) == STREAMING for c in commands)


def interleave(results: list[pd.DataFrame]) -> pd.DataFrame:
    """The results merged newest first by ``_time`` (equal times: in dataset order)."""
    merged = pd.DataFrame()
    for r in results:
        merged = concat(merged, r) if len(merged.columns) else r.reset_index(drop=True)
    if "_time" not in merged.columns or merged.empty:
        return merged
    times = pd.to_numeric(merged["_time"], errors="coerce").to_numpy(dtype=float)
    order = np.argsort(np.where(np.isnan(times), np.inf, -times), kind="stable")
    return merged.iloc[order].reset_index(drop=True)
