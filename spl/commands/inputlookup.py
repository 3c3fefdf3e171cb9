"""inputlookup: the rows of a lookup table as results.

Splunk (https://help.splunk.com/splunk-enterprise/spl-search-reference/10.0/search-commands/inputlookup):
``| inputlookup [append=<bool>] [start=<int>] [max=<int>] <table> [where <search-query>]``; rows in file
order, ``start`` is the 0-based first row, ``max`` the most rows read (default 1000000000);
``append=true`` adds them after the current results instead of replacing them. Empty cells are
absent fields. ``where`` is a search query ("[WHERE <search-query>]"), written and matched as
``search`` does (case-insensitive values, unquoted wildcards like ``user=AL*``), not as eval's
``where``.
"""
import pandas as pd

from spl import search
from spl.commands import command
from spl.commands._args import check_known, flag, integer
from spl.commands.append import concat
from spl.lookups import table_for


def reads(node) -> set[str]:
    """Nothing of the events: the where clause tests the lookup's rows."""
    return set()


@command("inputlookup", reads=reads,
          doc='Generates results from the rows of a lookup table.',
          syntax='| inputlookup [append=bool] [start=N] [max=N] table [WHERE search]')
def run(node, table, ctx):
    check_known(node, {"append", "strict", "start", "max"})
    append = flag(node, "append", False)
    flag(node, "strict", False)  # read for its errors; a lookup spl cannot read always fails
    start, most = integer(node, "start", 0), integer(node, "max", 1_000_000_000)
    lookup = table_for(node, ctx)
    rows = lookup.rows[start:start + most] if most > 0 else lookup.rows[start:]
    result = pd.DataFrame({c: pd.Series([r[c] for r in rows], dtype=object)
                           for c in lookup.columns}, index=range(len(rows)))
    if "_time" in result.columns:  # as outputlookup wrote it: epoch seconds
        result["_time"] = pd.to_numeric(result["_time"], errors="coerce").astype("float64")
    if node.where is not None and len(result):
        keep = search.match(node.where, result, ctx)
        result = result[keep.to_numpy(dtype=bool)]
    if not append:
        return result.reset_index(drop=True)
    return concat(table, result)
