"""inputlookup: the rows of a lookup table as results.

Splunk (https://help.splunk.com/splunk-enterprise/spl-search-reference/10.0/search-commands/inputlookup):
``| inputlookup [append=<bool>] [start=<int>] [max=<int>] <table> [where <expr>]``; rows in file
order, ``start`` is the 0-based first row, ``max`` the most rows read (default 1000000000);
``where`` filters them; ``append=true`` adds them after the current results instead of
replacing them. Empty cells are absent fields.
"""
import pandas as pd

from spl.commands import command
from spl.commands.append import concat
from spl.errors import SearchError
from spl.eval import where_mask
from spl.lookups import table_for
from spl.syntax.ast import option


def _int(node, name, default):
    text = option(node.options, name)
    if text is None:
        return default
    try:
        return int(text)
    except ValueError:
        raise SearchError(f"inputlookup: {name} must be an integer, not {text!r}",
                          span=node.span) from None


@command("inputlookup")
def run(node, table, ctx):
    lookup = table_for(node, ctx)
    start, most = _int(node, "start", 0), _int(node, "max", 1_000_000_000)
    rows = lookup.rows[start:start + most] if most > 0 else lookup.rows[start:]
    result = pd.DataFrame({c: pd.Series([r[c] for r in rows], dtype=object)
                           for c in lookup.columns}, index=range(len(rows)))
    if "_time" in result.columns:  # as outputlookup wrote it: epoch seconds
        result["_time"] = pd.to_numeric(result["_time"], errors="coerce").astype("float64")
    if node.where is not None and len(result):
        result = result[where_mask(node.where, result, ctx).to_numpy(dtype=bool)]
    if option(node.options, "append", "false").lower() not in ("true", "t", "1"):
        return result.reset_index(drop=True)
    return concat(table, result)

