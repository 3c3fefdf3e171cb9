"""accum: a running total of a numeric field, down the results.

Splunk (https://help.splunk.com/en/splunk-enterprise/search/spl-search-reference/9.4/search-commands/accum):
``accum <field> [AS <newfield>]``: for each result where <field> is a number, the running sum of
the numbers so far, written into <field> or into <newfield>.
Readings where the page is silent (pinned in tests/test_cmd_accum.py): a result whose field is
not a number (missing, text, multivalue) adds nothing and gets no value in <newfield> (<field>
itself is left as it is); a numeric string counts as its number.
"""
import pandas as pd

from spl.commands import command
from spl.commands._generic import no_options, words
from spl.errors import SearchError
from spl.values import as_double, to_number


def reads(node) -> set[str]:
    """The field summed (AS names a field written, not read)."""
    return {a for a in node.args[:1] if isinstance(a, str)}


# Splunk's type (spl.mapreduce; https://help.splunk.com/splunk-enterprise/spl-search-reference/10.0/quick-reference/command-types)
COMMAND_TYPE = "centralized streaming"


@command("accum", reads=reads,
          doc="Adds each result's value of a numeric field to a running total.",
          syntax='accum field [AS newfield]')
def run(node, table, ctx):
    no_options(node)
    args = words(node)
    if len(args) == 3 and args[1].lower() == "as":
        field, target = args[0], args[2]
    elif len(args) == 1:
        field = target = args[0]
    else:
        raise SearchError("accum takes a field, optionally followed by AS <newfield>",
                          span=node.span)
    values = table[field].tolist() if field in table.columns else [None] * len(table)
    old = table[target].tolist() if target in table.columns else [None] * len(table)
    total = 0
    out = []
    for i, v in enumerate(values):
        n = None if isinstance(v, list) else to_number(v)
        if n is None:
            out.append(old[i] if target == field else None)
            continue
        total = as_double(total + n)
        out.append(total)
    table = table.copy()
    table[target] = pd.Series(out, index=table.index, dtype=object)
    return table
