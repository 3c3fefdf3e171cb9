"""mvcombine: results that differ only in one field merged into one, that field multivalue.

Splunk (https://help.splunk.com/splunk-enterprise/spl-search-reference/9.4/search-commands/mvcombine):
``mvcombine [delim=<string>] <field>``: results whose other fields are all identical become one
result whose <field> holds the values of them all. ``delim`` only shapes the single-value
rendering of the combined field (the page: to use it, ``nomv`` must follow immediately), which
spl does not keep: a delim other than the default single space is refused as not supported,
rather than silently ignored. The page: mvcombine "does not apply to internal fields" (naming
one is an error here).
Readings where the page is silent (pinned in tests/test_cmd_mvcombine.py): every other field
counts, internal ones (``_time``, ``_raw``) too; a combined result stands where the first of its
results stood; values keep the results' order, duplicates included (a multivalue input adds each
of its values); a result without <field> is combined with the others of its group (it adds no
value), and a group where none has it keeps no value.
"""
import pandas as pd

from spl.commands import command
from spl.commands._args import check_known
from spl.commands._generic import words
from spl.errors import SearchError, UnsupportedError
from spl.syntax import ast
from spl.values import is_null, make_mv, mv_values


def reads(node) -> None:
    """Every field: results are compared on all of them."""
    return None


# Splunk's type (spl.mapreduce; https://help.splunk.com/splunk-enterprise/spl-search-reference/10.0/quick-reference/command-types)
COMMAND_TYPE = "transforming"


def _key(v):
    """A cell as a hashable grouping key (null is one value, a multivalue its tuple)."""
    if is_null(v):
        return None
    if isinstance(v, list):
        return ("\x00mv",) + tuple(v)
    return (type(v) is str, v)


@command("mvcombine", reads=reads,
          doc='Merges results that differ in one field into one result with a multivalue field.',
          syntax='mvcombine [delim=string] field')
def run(node, table, ctx):
    check_known(node, {"delim"})
    if ast.option(node.options, "delim", " ") != " ":
        raise UnsupportedError("mvcombine: option delim is not supported (spl keeps no "
                               "single-value rendering of a multivalue field)", span=node.span)
    args = words(node)
    if len(args) != 1:
        raise SearchError("mvcombine takes one field name", span=node.span)
    field = args[0]
    if field.startswith("_"):
        raise SearchError(f"mvcombine does not apply to internal fields ({field})",
                          span=node.span)
    if field not in table.columns or table.empty:
        return table
    others = [c for c in table.columns if c != field]
    groups: dict[tuple, list] = {}
    first: dict[tuple, int] = {}
    cells = table[field].tolist()
    rows = table[others].itertuples(index=False, name=None) if others else ([()] * len(table))
    for i, row in enumerate(rows):
        key = tuple(_key(v) for v in row)
        if key not in groups:
            groups[key], first[key] = [], i
        groups[key] += mv_values(cells[i])
    positions = sorted(first.values())
    out = table.iloc[positions].copy()
    combined = {first[k]: make_mv(v) for k, v in groups.items()}
    out[field] = pd.Series([combined[p] for p in positions], index=out.index, dtype=object)
    return out
