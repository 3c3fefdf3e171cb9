"""head: the first N results (10 by default), or results while an expression is true.

Splunk (https://help.splunk.com/splunk-enterprise/spl-search-reference/9.3/search-commands/head):
``head (<eval>)`` stops at the first result for which the expression is false or null, which is
dropped unless ``keeplast=true``; ``null=true`` treats a null result as true.
"""
from collections.abc import Iterable

from spl.commands import command
from spl.commands._args import check_known, flag, integer
from spl.errors import SearchError
from spl.eval import evaluate
from spl.syntax import ast


def reads(node) -> set[str] | None:
    """What ``head (<expr>)`` reads."""
    return ast.references(node.expr)


@command("head", reads=reads,
          doc='Returns the first N results (10 by default), or those before a condition turns false.',
          syntax='head [N | (expression)] [limit=N] [null=bool] [keeplast=bool]')
def run(node, table, ctx):
    check_known(node, {"limit", "null", "keeplast"})
    limit = node.limit if node.limit is not None else integer(node, "limit", None)
    if limit is not None and limit < 0:
        raise SearchError(f"head: the number of results must be 0 or more, not {limit}",
                          span=node.span)
    if node.expr is None:
        return table.iloc[:10 if limit is None else limit]
    null_true = flag(node, "null", False)
    keeplast = flag(node, "keeplast", False)
    values: Iterable = evaluate(node.expr, table, ctx) if len(table) else []
    stop = len(table)
    for i, v in enumerate(values):
        if not (v is True or (v is None and null_true)):
            stop = i + 1 if keeplast else i
            break
    return table.iloc[:stop if limit is None else min(stop, limit)]


# ---------------------------------------------------------------- map-reduce (spl.mapreduce)
# Splunk's type (https://help.splunk.com/splunk-enterprise/spl-search-reference/10.0/quick-reference/command-types): centralized
# streaming. Split anyway, exactly: a chunk keeps its first N rows (with an expression, up to
# and including its first row that stops head); every row head returns is among them.

COMMAND_TYPE = "centralized streaming"


def map_partial(node, table, ctx, keys):
    from spl.mapreduce import rows_partial

    check_known(node, {"limit", "null", "keeplast"})
    limit = node.limit if node.limit is not None else integer(node, "limit", None)
    stop = len(table)
    if node.expr is not None and len(table):
        null_true = flag(node, "null", False)
        for i, v in enumerate(evaluate(node.expr, table, ctx)):
            if not (v is True or (v is None and null_true)):
                stop = i + 1
                break
    if node.expr is None and limit is None:
        limit = 10
    return rows_partial(table.iloc[:stop if limit is None or limit < 0 else min(stop, limit)],
                        keys)


def reduce_partials(node, partials, ctx):
    from spl.mapreduce import merge_rows

    return run(node, merge_rows(partials)[0], ctx)
