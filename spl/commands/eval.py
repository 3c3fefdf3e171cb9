"""eval: compute fields, left to right, each assignment seeing the ones before it.

A null result removes the field's value; a Boolean cannot be stored (Splunk refuses it and asks
for if()): https://help.splunk.com/en/splunk-enterprise/search/spl-search-reference/10.0/evaluation-functions/comparison-and-conditional-functions
"""
import pandas as pd

from spl.commands import command
from spl.errors import SearchError
from spl.eval import evaluate
from spl.syntax import ast


def reads(node) -> set[str] | None:
    """What the expressions read; the fields assigned are written over."""
    return ast.references(node.assignments)


# Splunk's type (spl.mapreduce; https://help.splunk.com/splunk-enterprise/spl-search-reference/10.0/quick-reference/command-types)
COMMAND_TYPE = "distributable streaming"


@command("eval", reads=reads,
          doc='Calculates an expression and puts the value into a field.',
          syntax='eval field=expression [, field=expression ...]')
def run(node, table, ctx):
    table = table.copy()
    for k, assignment in enumerate(node.assignments, 1):
        if k % 64 == 0:  # a column added at a time fragments the frame: joined again (pandas
            table = table.copy()  # warns past 100 pieces)
        values = evaluate(assignment.expr, table, ctx) if len(table) else pd.Series([], dtype=object)
        if any(isinstance(v, bool) for v in values):
            raise SearchError("a field cannot be assigned a Boolean result; use if(<condition>, "
                              "<value>, <value>)", span=assignment.expr.span)
        table[assignment.field] = pd.Series(values.to_numpy(dtype=object), index=table.index,
                                            dtype=object)
    return table
