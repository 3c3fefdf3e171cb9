"""search: keep the rows that match a search expression (rules live in spl/search/)."""
from spl import search as matching
from spl.commands import command
from spl.syntax import ast


def reads(node) -> set[str] | None:
    """What the expression tests: fields, ``_raw`` for keywords, ``_time`` for time bounds."""
    return ast.references(node.expr)


# Splunk's type (spl.mapreduce; https://help.splunk.com/splunk-enterprise/spl-search-reference/10.0/quick-reference/command-types)
COMMAND_TYPE = "distributable streaming"


@command("search", reads=reads,
          doc='Keeps the results that match search terms (field comparisons, keywords, AND/OR/NOT).',
          syntax='search <search-expression>')
def run(node, table, ctx):
    if node.expr is None or table.empty:
        return table
    return table[matching.match(node.expr, table, ctx).to_numpy(dtype=bool)]
