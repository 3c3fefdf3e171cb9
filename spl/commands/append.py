"""append: add the results of a subsearch after the current results.

Splunk (https://help.splunk.com/splunk-enterprise/spl-search-reference/9.4/search-commands/append):
``append [maxtime=<int>] [maxout=<int>] [extendtimerange=<bool>] [subsearch]``; the subsearch's
results follow the main results; ``maxout`` (default 50000) caps how many are appended. The
subsearch runs over the same events as the main search (spl.subsearch).
"""
import pandas as pd

from spl import subsearch
from spl.commands import command
from spl.errors import SearchError
from spl.syntax.ast import option


def reads(node) -> set[str]:
    """Its results keep theirs as they are; the subsearch is a pipeline of its own."""
    return set()


@command("append", reads=reads,
          doc='Appends the results of a subsearch to the current results.',
          syntax='append [maxtime=N] [maxout=N] [timeout=N] [ subsearch ]')
def run(node, table, ctx):
    text = option(node.options, "maxout", "50000")
    try:
        maxout = int(text)
    except ValueError:
        raise SearchError(f"append: maxout must be an integer, not {text!r}",
                          span=node.span) from None
    return concat(table, subsearch.run(node.subsearch, ctx, maxout))


def concat(first: pd.DataFrame, second: pd.DataFrame) -> pd.DataFrame:
    """The rows of ``first`` then ``second``; a field only one side has is null on the other."""
    columns = list(first.columns) + [c for c in second.columns if c not in first.columns]
    out = {}
    for c in columns:
        values = [v for t in (first, second)
                  for v in (t[c].tolist() if c in t.columns else [None] * len(t))]
        if c == "_time":
            out[c] = pd.to_numeric(pd.Series(values, dtype=object), errors="coerce").astype(float)
        else:
            column = pd.Series(values, dtype=object)
            out[c] = column.where(column.notna(), None)
    return pd.DataFrame(out, index=range(len(first) + len(second)))
