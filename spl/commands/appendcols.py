"""appendcols: add a subsearch's fields to the current results, result by result.

Splunk (https://help.splunk.com/splunk-enterprise/spl-search-reference/9.4/search-commands/appendcols):
``appendcols [override=<bool>] [maxtime=<int>] [maxout=<int>] [timeout=<int>] <subsearch>``:
"Appends the fields of the subsearch results with the input search results. All fields of the
subsearch are combined into the current results, with the exception of internal fields. For
example, the first subsearch result is merged with the first main result, the second subsearch
result is merged with the second main result, and so on." ``override`` (default false): whether
a subsearch value replaces the main result's value of the same field. The subsearch runs over the
same events as the main search (spl.subsearch) and reads at most ``maxout`` results (default
50,000, limits.conf ``[subsearch] maxout``).

spl's readings (pinned in tests/test_cmd_appendcols.py): a subsearch result beyond the last main
result becomes a result of its own; a null subsearch value never replaces a value; internal
fields are those whose names start with ``_``. ``maxtime``/``timeout`` bound the subsearch's
running time, which spl does not cut short; they are checked to be numbers.
"""
from __future__ import annotations

import pandas as pd

from spl import subsearch as subsearches
from spl.commands import command
from spl.commands._args import check_known, flag, integer
from spl.commands._fieldlist import subsearch
from spl.context import Context
from spl.syntax import ast
from spl.values import is_null

MAXOUT = 50_000


def reads(node) -> None:
    """The subsearch's fields replace (override=true) or yield to the results' own, whichever
    they are."""
    return None


@command("appendcols", reads=reads,
          doc="Adds the fields of a subsearch's results to the current results, row by row.",
          syntax='appendcols [override=bool] [ subsearch ]')
def run(node: ast.Generic, table: pd.DataFrame, ctx: Context) -> pd.DataFrame:
    check_known(node, {"override", "maxtime", "maxout", "timeout"})
    override = flag(node, "override", False)
    integer(node, "maxtime", 0)
    integer(node, "timeout", 0)
    maxout = integer(node, "maxout", MAXOUT)
    right = subsearches.run(subsearch(node), ctx, maxout)
    fields = [c for c in right.columns if not str(c).startswith("_")]
    n = max(len(table), len(right))
    columns = list(table.columns) + [c for c in fields if c not in table.columns]
    data = {c: (table[c].tolist() if c in table.columns else [None] * len(table))
            + [None] * (n - len(table)) for c in columns}
    for f in fields:
        values = right[f].tolist()
        column = data[f]
        for i, v in enumerate(values):
            if not is_null(v) and (override or is_null(column[i])):
                column[i] = v
    out = {c: pd.Series(v, dtype=object) for c, v in data.items()}
    if "_time" in out:
        out["_time"] = pd.to_numeric(out["_time"], errors="coerce").astype(float)
    return pd.DataFrame(out, columns=columns, index=range(n))
