"""tail: the last N results (10 by default), in reverse order.

Splunk (https://help.splunk.com/splunk-enterprise/spl-search-reference/9.2/search-commands/tail):
"The events are returned in reverse order, starting at the end of the result set."
"""
from spl.commands import command
from spl.errors import SearchError


def reads(node) -> set[str]:
    return set()


@command("tail", reads=reads)
def run(node, table, ctx):
    limit = 10 if node.limit is None else node.limit
    if limit < 0:
        raise SearchError(f"tail: the number of results must be 0 or more, not {limit}",
                          span=node.span)
    if limit == 0:
        return table.iloc[0:0]
    return table.iloc[::-1].iloc[:limit]
