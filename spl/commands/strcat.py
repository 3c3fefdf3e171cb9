"""strcat: field values and quoted strings concatenated into a new field.

Splunk (https://help.splunk.com/en/splunk-enterprise/search/spl-search-reference/9.4/search-commands/strcat):
``strcat [allrequired=<bool>] <source-fields> <dest-field>``: each source is a field name or a
quoted string (taken literally); the last argument names the destination field. With
allrequired=f (the default) the destination is always written and a missing source field counts
as an empty string; with allrequired=t it is written only for results where every source field
exists (elsewhere it is left as it was).
Readings where the page is silent (pinned in tests/test_cmd_strcat.py): a number is written as
Splunk prints it; a multivalue source contributes its first value.
"""
import pandas as pd

from spl.commands import command
from spl.commands._args import check_known, flag
from spl.commands._generic import is_quoted, unquote
from spl.errors import SearchError
from spl.syntax import ast
from spl.values import is_null, mv_values, to_str


def reads(node) -> set[str]:
    """The source fields (not the quoted literals, not the destination)."""
    return {a for a in node.args[:-1] if isinstance(a, str)
            and not (len(a) >= 2 and a[0] == a[-1] == '"')}


# Splunk's type (spl.mapreduce; https://help.splunk.com/splunk-enterprise/spl-search-reference/10.0/quick-reference/command-types)
COMMAND_TYPE = "distributable streaming"


@command("strcat", reads=reads,
          doc='Concatenates fields and quoted strings into a new field.',
          syntax='strcat [allrequired=bool] source-fields dest-field')
def run(node, table, ctx):
    check_known(node, {"allrequired"})
    required = flag(node, "allrequired", False)
    args = list(node.args)
    if len(args) < 2 or any(isinstance(a, ast.Subsearch) for a in args):
        raise SearchError("strcat needs one or more source fields or quoted strings, then the "
                          "destination field", span=node.span)
    dest = args.pop()
    if is_quoted(dest):
        raise SearchError(f"strcat: the destination {dest} must be a field name",
                          span=node.span)
    columns = {a: table[a].tolist() for a in args if not is_quoted(a) and a in table.columns}
    old = table[dest].tolist() if dest in table.columns else [None] * len(table)
    out = []
    for i in range(len(table)):
        parts: list[str] = []
        missing = False
        for a in args:
            if is_quoted(a):
                parts.append(unquote(a))
                continue
            values = mv_values(columns[a][i]) if a in columns else []
            if not values or is_null(values[0]):
                missing = True
                continue
            parts.append(to_str(values[0]))
        out.append(old[i] if missing and required else "".join(parts))
    table = table.copy()
    table[dest] = pd.Series(out, index=table.index, dtype=object)
    return table
