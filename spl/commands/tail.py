"""tail: the last N results (10 by default), in reverse order.

Splunk (https://help.splunk.com/splunk-enterprise/spl-search-reference/9.2/search-commands/tail):
"The events are returned in reverse order, starting at the end of the result set."
"""
from spl.commands import command
from spl.errors import SearchError


def reads(node) -> set[str]:
    return set()


@command("tail", reads=reads,
          doc='Returns the last N results (10 by default), last first.',
          syntax='tail [N]')
def run(node, table, ctx):
    limit = 10 if node.limit is None else node.limit
    if limit < 0:
        raise SearchError(f"tail: the number of results must be 0 or more, not {limit}",
                          span=node.span)
    if limit == 0:
        return table.iloc[0:0]
    return table.iloc[::-1].iloc[:limit]


# ---------------------------------------------------------------- map-reduce (spl.mapreduce)
# Splunk's type (https://help.splunk.com/splunk-enterprise/spl-search-reference/10.0/quick-reference/command-types): dataset
# processing. Split exactly: the last N rows of the events are among the chunks' last N.

COMMAND_TYPE = "dataset processing"


def map_partial(node, table, ctx, keys):
    from spl.mapreduce import rows_partial

    limit = 10 if node.limit is None else max(node.limit, 0)
    return rows_partial(table.iloc[max(len(table) - limit, 0):], keys)


def reduce_partials(node, partials, ctx):
    from spl.mapreduce import merge_rows

    return run(node, merge_rows(partials)[0], ctx)
