"""rangemap: a field ``range`` naming the numeric ranges a field's value falls in.

Splunk (https://help.splunk.com/splunk-cloud-platform/spl-search-reference/10.0.2503/search-commands/rangemap):
``rangemap field=<string> [<attribute_name>=<numeric_range>]... [default=<string>]``. A range is
``<num>-<num>`` (integers or decimals, negatives allowed: ``Dislike=-5--1``), the first not
above the second, both ends included. ``range`` is set to the names of every range holding the
value (a multivalue field when ranges overlap), else to ``default`` ("None" when not given).
Readings where the page is silent (pinned in tests/test_cmd_rangemap.py): overlapping names
come in the order written; a result whose field is missing, not a number or multivalue gets the
default.
"""
import re

import pandas as pd

from spl.commands import command
from spl.commands._generic import words
from spl.errors import SearchError
from spl.values import make_mv, to_number

_NUM = r"-?(?:\d+(?:\.\d*)?|\.\d+)"
_RANGE = re.compile(rf"({_NUM})-({_NUM})\Z")


def reads(node) -> set[str]:
    """The field given by field=."""
    return {value for key, value in node.options if key.lower() == "field"}


# Splunk's type (spl.mapreduce; https://help.splunk.com/splunk-enterprise/spl-search-reference/10.0/quick-reference/command-types)
COMMAND_TYPE = "distributable streaming"


@command("rangemap", reads=reads,
          doc='Puts each result in a named numeric range of a field (the field range).',
          syntax='rangemap field=field [name=start-end]... [default=string]')
def run(node, table, ctx):
    if words(node):
        raise SearchError(f"rangemap: unexpected argument '{node.args[0]}'; ranges are "
                          f"written <name>=<num>-<num>", span=node.span)
    field, default, ranges = None, "None", []
    for key, value in node.options:
        if key.lower() == "field":
            field = value
        elif key.lower() == "default":
            default = value
        else:
            m = _RANGE.match(value.strip())
            if m is None:
                raise SearchError(f"rangemap: {key}={value} is not a numeric range "
                                  f"<num>-<num>", span=node.span)
            low, high = float(m.group(1)), float(m.group(2))
            if low > high:
                raise SearchError(f"rangemap: in {key}={value} the first value must not be "
                                  f"above the second", span=node.span)
            ranges.append((key, low, high))
    if field is None:
        raise SearchError("rangemap needs field=<field>", span=node.span)
    values = table[field].tolist() if field in table.columns else [None] * len(table)
    out = []
    for v in values:
        n = None if isinstance(v, list) else to_number(v)
        names = [] if n is None else [name for name, low, high in ranges if low <= n <= high]
        out.append(make_mv(names) if names else default)
    table = table.copy()
    table["range"] = pd.Series(out, index=table.index, dtype=object)
    return table
