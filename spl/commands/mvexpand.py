"""mvexpand: one result per value of a multivalue field, every other field copied.

Splunk (https://help.splunk.com/splunk-cloud-platform/spl-search-reference/10.0.2503/search-commands/mvexpand):
``limit`` is the number of values used for each input event, default 0 (no limit); the command
"can't be applied to internal fields" (spl leaves them untouched). Results keep their order, the
expanded values in their order. A result without the field gives no result: the Splunk answers
advise ``fillnull`` before ``mvexpand`` to keep such events (spl's reading; the page is silent).
"""
import pandas as pd

from spl.commands import command
from spl.commands._args import check_known, integer
from spl.values import mv_values


def reads(node) -> set[str]:
    return {node.field}


# Splunk's type (spl.mapreduce; https://help.splunk.com/splunk-enterprise/spl-search-reference/10.0/quick-reference/command-types)
COMMAND_TYPE = "distributable streaming"
MOVES_ROWS = True  # rows are copied: spl.mapreduce carries their order label


@command("mvexpand", reads=reads,
          doc='Makes one result per value of a multivalue field.',
          syntax='mvexpand [limit=N] field')
def run(node, table, ctx):
    check_known(node, {"limit"})
    limit = integer(node, "limit", 0)
    field = node.field
    if field.startswith("_") or table.empty:
        return table
    if field not in table.columns:
        return table.iloc[0:0]
    positions: list[int] = []
    values: list = []
    for pos, cell in enumerate(table[field].tolist()):
        cell_values = mv_values(cell)
        if limit:
            cell_values = cell_values[:limit]
        positions.extend([pos] * len(cell_values))
        values.extend(cell_values)
    out = table.iloc[positions].reset_index(drop=True)
    out[field] = pd.Series(values, dtype=object)
    return out
