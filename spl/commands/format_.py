"""format: the results as one search string, in a field named ``search``.

Splunk (https://help.splunk.com/splunk-cloud-platform/spl-search-reference/10.0.2503/search-commands/format):
``format [mvsep="<mv separator>"] [maxresults=<int>] ["<row prefix>" "<column prefix>" "<column
separator>" "<column end>" "<row separator>" "<row end>"] [emptystr="<string>"]``; defaults
``(``, ``(``, ``AND``, ``)``, ``OR``, ``)``, mvsep ``OR``, maxresults 0 (all), and ``NOT( )``
when there are no results. "If you want to specify a row or column options, you must specify
all of the row and column options."

The string: the row prefix, then each result as ``<column prefix> f1="v1" <column separator>
f2="v2" <column end>``, the results joined by the row separator, then the row end, every piece
separated by a space: ``( ( a="1" AND b="2" ) OR ( a="3" ) )``. As the subsearch page says of
the implicit format: fields whose names start with ``_`` are left out, a field named ``search``
or ``query`` puts its value in as it is, and a multivalue field gives ``( f="x" OR f="y" )``
(with mvsep). spl's readings (pinned in tests/test_cmd_format_return.py): a result's fields are
written in name order, a quote or backslash in a value is escaped with a backslash, and a result
with no field is left out.
"""
from __future__ import annotations

import pandas as pd

from spl.commands import command
from spl.commands._args import check_known, integer
from spl.commands._fieldlist import option, unquote
from spl.errors import SearchError
from spl.syntax import ast
from spl.values import is_null, mv_values, to_str

DEFAULTS = ("(", "(", "AND", ")", "OR", ")")


def reads(node) -> None:
    """Every field of the results goes into the string."""
    return None


@command("format", reads=reads, narrows=True,
          doc="Turns the results into one search string (a subsearch's output form).",
          syntax='format [mvsep=string] [maxresults=N] [row-prefix col-prefix col-sep col-end row-sep row-end]')
def run(node: ast.Generic, table: pd.DataFrame, ctx) -> pd.DataFrame:
    check_known(node, {"mvsep", "maxresults", "emptystr"})
    most = integer(node, "maxresults", 0)
    pieces = [unquote(a) for a in node.args if isinstance(a, str)]
    if len(pieces) != len(node.args) or len(pieces) not in (0, 6):
        raise SearchError('format takes all six of "<row prefix>" "<column prefix>" "<column '
                          'separator>" "<column end>" "<row separator>" "<row end>", or none',
                          span=node.span)
    row_prefix, col_prefix, col_sep, col_end, row_sep, row_end = pieces or DEFAULTS
    mvsep = option(node, "mvsep", "OR")
    rows = table if most == 0 else table.iloc[:most]
    fields = sorted(c for c in rows.columns if not str(c).startswith("_"))
    groups = []
    for record in rows[fields].itertuples(index=False, name=None):
        terms = [t for name, cell in zip(fields, record) if (t := term(name, cell, mvsep))]
        if terms:
            groups.append(f"{col_prefix} {f' {col_sep} '.join(terms)} {col_end}")
    text = f"{row_prefix} {f' {row_sep} '.join(groups)} {row_end}" if groups else \
        option(node, "emptystr", "NOT( )")
    return pd.DataFrame({"search": pd.Series([text], dtype=object)})


def term(name: str, cell, mvsep: str) -> str | None:
    """``name="value"`` for one field of a result (None when it has no value)."""
    values = [to_str(v) for v in mv_values(cell) if not is_null(v)]
    if not values:
        return None
    if name in ("search", "query"):
        return " ".join(values)
    quoted = [f'{name}="{quote(v)}"' for v in values]
    return quoted[0] if len(quoted) == 1 else f"( {f' {mvsep} '.join(quoted)} )"


def quote(value: str) -> str:
    """A value for inside double quotes: backslashes and quotes escaped."""
    return value.replace("\\", "\\\\").replace('"', '\\"')
