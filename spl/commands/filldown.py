"""filldown: a null value replaced by the last non-null value of its field in the rows above.

Splunk (https://help.splunk.com/splunk-cloud-platform/spl-search-reference/9.3.2408/search-commands/filldown):
``filldown [<wc-field-list>]``; without a list every field is filled; ``*`` is a wildcard in a
name; a field with no earlier value stays null.
Readings where the page is silent (pinned in tests/test_cmd_filldown.py): only null (a missing
field) is filled, an empty string is a value and is carried down like any other; a multivalue
value is carried whole; a named field no row has is not created.
"""
import pandas as pd

from spl.commands import command
from spl.commands._generic import no_options, words
from spl.fieldnames import expand
from spl.values import is_null


def reads(node) -> set[str] | None:
    """The fields named; every field when none is (a wildcard too: spl.plan widens it)."""
    names = {a[1:-1] if len(a) >= 2 and a[0] == a[-1] == '"' else a
             for a in node.args if isinstance(a, str)}
    return names or None


# Splunk's type (spl.mapreduce; https://help.splunk.com/splunk-enterprise/spl-search-reference/10.0/quick-reference/command-types)
COMMAND_TYPE = "centralized streaming"


@command("filldown", reads=reads,
          doc="Fills a field's empty values with the last non-empty value before them.",
          syntax='filldown [field-list]')
def run(node, table, ctx):
    no_options(node)
    patterns = words(node)
    if patterns:
        names: list[str] = []
        for pattern in patterns:
            names += [c for c in expand(pattern, table.columns) if c in table.columns
                      and c not in names]
    else:
        names = list(table.columns)
    if not names:
        return table
    table = table.copy()
    for name in names:
        last = None
        values = table[name].tolist()
        for i, v in enumerate(values):
            if is_null(v):
                values[i] = last
            else:
                last = v
        table[name] = pd.Series(values, index=table.index, dtype=object)
    return table
