"""where: keep the rows for which an eval expression is true."""
from spl.commands import command
from spl.eval import where_mask
from spl.syntax import ast


def reads(node) -> set[str] | None:
    return ast.references(node.expr)


# Splunk's type (spl.mapreduce; https://help.splunk.com/splunk-enterprise/spl-search-reference/10.0/quick-reference/command-types)
COMMAND_TYPE = "distributable streaming"


@command("where", reads=reads,
          doc='Keeps the results for which an eval expression is true.',
          syntax='where <eval-expression>')
def run(node, table, ctx):
    if table.empty:
        return table
    return table[where_mask(node.expr, table, ctx).to_numpy(dtype=bool)]
