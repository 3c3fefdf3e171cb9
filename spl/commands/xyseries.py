"""xyseries: long results (x, series name, value) as a table of x rows by series columns.

Splunk (https://help.splunk.com/splunk-enterprise/spl-search-reference/9.3/search-commands/xyseries):
``xyseries [grouped=<bool>] <x-field> <y-name-field> <y-data-field>... [sep=<string>]
[format=<string>]``, the inverse of ``untable``. Each value of ``x-field`` gives a row; each value
of ``y-name-field`` a column holding the ``y-data-field`` value. With several data fields the
columns are named ``<y-data-field><sep><y-name>`` (sep ": "), or by ``format`` with ``$AGG$`` (the
data field) and ``$VAL$`` (the series name) replaced.

spl's readings (pinned in tests/test_cmd_xyseries.py): rows come in the order their x value is
first met; columns in chart's order of series (numbers first, numerically, then text); a result
without an x or series value is left out; of two results for one cell the later one's value is
kept; a cell no result fills is null. ``grouped`` only tells Splunk the input is sorted; it
changes nothing here.
"""
from __future__ import annotations

import pandas as pd

from spl.commands import command
from spl.commands._args import check_known, flag
from spl.commands._fieldlist import option, words
from spl.errors import SearchError
from spl.syntax import ast
from spl.values import is_null, order_key, to_str

COMMAND_TYPE = "transforming"


def reads(node) -> set[str] | None:
    """The x, series-name and data fields."""
    names = [w for a in node.args if isinstance(a, str) for w in a.split(",") if w]
    return None if any(n.startswith('"') for n in names) else set(names)


@command("xyseries", reads=reads, narrows=True,
          doc='Turns rows of (x, y-name, y-value) into a table with a column per y-name.',
          syntax='xyseries [grouped=bool] [sep=string] [format=string] x-field y-name-field y-data-field ...')
def run(node: ast.Generic, table: pd.DataFrame, ctx) -> pd.DataFrame:
    check_known(node, {"grouped", "sep", "format"})
    flag(node, "grouped", False)
    args = words(node)
    if len(args) < 3:
        raise SearchError("xyseries needs an x field, a series-name field and a data field",
                          span=node.span)
    x, yname, data = args[0], args[1], list(dict.fromkeys(args[2:]))
    sep = option(node, "sep", ": ")
    fmt = option(node, "format")
    rows: dict[str, dict] = {}
    firsts: dict[str, object] = {}
    series: dict[str, None] = {}
    cols = {f: table[f].tolist() if f in table.columns else [None] * len(table)
            for f in [x, yname, *data]}
    for i in range(len(table)):
        xv, sv = cols[x][i], cols[yname][i]
        if is_null(xv) or is_null(sv):
            continue
        key, name = to_str(xv) or "", to_str(sv) or ""  # not null: text
        firsts.setdefault(key, xv)
        series.setdefault(name, None)
        cells = rows.setdefault(key, {})
        for f in data:
            if not is_null(cols[f][i]):
                cells[(f, name)] = cols[f][i]
    ordered = sorted(series, key=order_key)
    out: dict[str, list] = {x: [firsts[k] for k in rows]}
    for f in data:
        for name in ordered:
            if fmt is not None:
                column = fmt.replace("$AGG$", f).replace("$VAL$", name)
            else:
                column = name if len(data) == 1 else f"{f}{sep}{name}"
            out[column] = [cells.get((f, name)) for cells in rows.values()]
    return pd.DataFrame({k: pd.Series(v, dtype="float64" if k == "_time" else object)
                         for k, v in out.items()}, columns=list(out))
