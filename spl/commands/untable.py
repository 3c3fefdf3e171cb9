"""untable: a table of x rows by series columns as long results (x, series name, value).

Splunk (https://help.splunk.com/splunk-enterprise/spl-search-reference/9.4/search-commands/untable):
``untable <x-field> <y-name-field> <y-data-field>``, the inverse of ``xyseries``: each field of a
result other than ``x-field`` gives one result holding the x value, the field's name in
``y-name-field`` and its value in ``y-data-field``.

spl's readings (pinned in tests/test_cmd_untable.py): fields are taken in the results' column
order; a null value gives no result; fields whose names start with ``_`` (``_time`` when it is
not the x field, timechart's ``_span``) are not turned into results.
"""
from __future__ import annotations

import pandas as pd

from spl.commands import command
from spl.commands._args import check_known
from spl.commands._fieldlist import words
from spl.errors import SearchError
from spl.syntax import ast
from spl.values import is_null

COMMAND_TYPE = "transforming"


def reads(node) -> None:
    """Every field of a result becomes a result."""
    return None


@command("untable", reads=reads, narrows=True,
          doc='Turns a table back into rows of (x, field name, value): the inverse of xyseries.',
          syntax='untable x-field y-name-field y-data-field')
def run(node: ast.Generic, table: pd.DataFrame, ctx) -> pd.DataFrame:
    check_known(node, set())
    args = words(node)
    if len(args) != 3:
        raise SearchError("untable needs an x field, a series-name field and a data field",
                          span=node.span)
    x, yname, ydata = args
    fields = [c for c in table.columns if c != x and not str(c).startswith("_")]
    xs = table[x].tolist() if x in table.columns else [None] * len(table)
    out: list[tuple] = []
    columns = {f: table[f].tolist() for f in fields}
    for i, xv in enumerate(xs):
        for f in fields:
            v = columns[f][i]
            if not is_null(v):
                out.append((None if is_null(xv) else xv, f, v))
    data = {x: [r[0] for r in out], yname: [r[1] for r in out], ydata: [r[2] for r in out]}
    return pd.DataFrame({k: pd.Series(v, dtype="float64" if k == "_time" else object)
                         for k, v in data.items()}, columns=list(data))
