"""head: the first N results (10 by default), or results while an expression is true.

Splunk (https://help.splunk.com/splunk-enterprise/spl-search-reference/9.3/search-commands/head):
``head (<eval>)`` stops at the first result for which the expression is false or null, which is
dropped unless ``keeplast=true``; ``null=true`` treats a null result as true.
"""
from spl.commands import command
from spl.eval import evaluate
from spl.syntax.ast import option


@command("head")
def run(node, table, ctx):
    if node.expr is None:
        limit = node.limit if node.limit is not None else int(option(node.options, "limit", "10"))
        return table.iloc[:limit]
    null_true = option(node.options, "null", "false").lower() in ("true", "t", "1")
    keeplast = option(node.options, "keeplast", "false").lower() in ("true", "t", "1")
    values = evaluate(node.expr, table, ctx) if len(table) else []
    stop = len(table)
    for i, v in enumerate(values):
        if not (v is True or (v is None and null_true)):
            stop = i + 1 if keeplast else i
            break
    limit = node.limit if node.limit is not None else int(option(node.options, "limit", str(stop)))
    return table.iloc[:min(stop, limit)]
