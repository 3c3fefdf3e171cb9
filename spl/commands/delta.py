"""delta: the difference between a field's value in a result and in an earlier result.

Splunk (https://help.splunk.com/splunk-enterprise/spl-search-reference/9.4/search-commands/delta):
``delta <field> [AS <newfield>] [p=<int>]``: the value of <field> in this result minus its value
in the result p places before it (p defaults to 1), into <newfield> (default ``delta(<field>)``).
The page: "how many results prior to the current result", in search order ("values ascending
over time show negative deltas"), so p counts results whether or not they have the field; "if
<field> is not a numeric field, no output field is generated".
Readings where the page is silent (pinned in tests/test_cmd_delta.py): a result without a
number in both places (the first p results, a missing or non-numeric value, a multivalue
field) gets no value.
"""
import pandas as pd

from spl.commands import command
from spl.commands._args import check_known, integer
from spl.commands._generic import words
from spl.errors import SearchError
from spl.values import as_double, to_number

# The page gives no upper bound for p; this one keeps a typo from looking back past any search.
MAX_P = 10_000_000


def reads(node) -> set[str]:
    """The field differenced."""
    return {a for a in node.args[:1] if isinstance(a, str)}


# Splunk's type (spl.mapreduce; https://help.splunk.com/splunk-enterprise/spl-search-reference/10.0/quick-reference/command-types)
COMMAND_TYPE = "centralized streaming"


@command("delta", reads=reads,
          doc="The difference between a field's value in a result and in the result p before it.",
          syntax='delta field [AS newfield] [p=int]')
def run(node, table, ctx):
    check_known(node, {"p"})
    p = integer(node, "p", 1, minimum=1, maximum=MAX_P)
    args = words(node)
    if len(args) == 3 and args[1].lower() == "as":
        field, target = args[0], args[2]
    elif len(args) == 1:
        field, target = args[0], f"delta({args[0]})"
    else:
        raise SearchError("delta takes a field, optionally followed by AS <newfield>",
                          span=node.span)
    values = table[field].tolist() if field in table.columns else [None] * len(table)
    numbers = [None if isinstance(v, list) else to_number(v) for v in values]
    out = []
    for i, n in enumerate(numbers):
        before = numbers[i - p] if i >= p else None
        out.append(None if n is None or before is None else as_double(n - before))
    table = table.copy()
    table[target] = pd.Series(out, index=table.index, dtype=object)
    return table
