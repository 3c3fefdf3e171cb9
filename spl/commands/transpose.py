"""transpose: results as columns and fields as rows.

Splunk (https://help.splunk.com/splunk-enterprise/spl-search-reference/9.4/search-commands/transpose):
``transpose [int] [column_name=<string>] [header_field=<field>] [include_empty=<bool>]``: the
first ``int`` results (default 5) become columns named ``row 1``, ``row 2``... (or the values of
``header_field``), and each field becomes a row whose ``column_name`` (default ``column``) field
holds the field's name; ``include_empty`` (default true) keeps fields with no value in those
results.

spl's readings (pinned in tests/test_cmd_transpose.py): fields are taken in the results' column
order; fields whose names start with ``_`` are not transposed (Splunk's internal fields);
``transpose 0`` transposes every result; a ``header_field`` value that is null names its column
``row N`` as if there were no header field, and of two equal names the first column is kept.
"""
from __future__ import annotations

import pandas as pd

from spl.commands import command
from spl.commands._args import check_known, flag
from spl.commands._fieldlist import option, words
from spl.errors import SearchError
from spl.syntax import ast
from spl.values import is_null, to_str

COMMAND_TYPE = "transforming"
DEFAULT_ROWS = 5


def reads(node) -> None:
    """Every field becomes a row."""
    return None


@command("transpose", reads=reads, narrows=True,
          doc='Turns result rows into columns.',
          syntax='transpose [N] [column_name=string] [header_field=field] [include_empty=bool]')
def run(node: ast.Generic, table: pd.DataFrame, ctx) -> pd.DataFrame:
    check_known(node, {"column_name", "header_field", "include_empty"})
    args = words(node)
    if len(args) > 1 or (args and not args[0].isdigit()):
        raise SearchError("transpose takes one number of results to transpose, and options",
                          span=node.span)
    n = int(args[0]) if args else DEFAULT_ROWS
    name = option(node, "column_name", "column")
    header = option(node, "header_field")
    keep_empty = flag(node, "include_empty", True)
    rows = table if n == 0 else table.iloc[:n]
    titles = []
    for i in range(len(rows)):
        value = rows[header].iat[i] if header is not None and header in rows.columns else None
        titles.append(f"row {i + 1}" if is_null(value) else to_str(value))
    fields = [c for c in rows.columns if not str(c).startswith("_") and c != header]
    out_rows = []
    for f in fields:
        cells = [None if is_null(v) else v for v in rows[f].tolist()]
        if not keep_empty and all(c is None for c in cells):
            continue
        out_rows.append([f] + cells)
    frame = pd.DataFrame(out_rows, columns=range(1 + len(titles)), dtype=object)
    frame.columns = pd.Index([name] + titles)
    return frame.loc[:, ~frame.columns.duplicated()]  # two equal headers: the first column
