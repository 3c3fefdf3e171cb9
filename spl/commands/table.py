"""table: keep the named fields, in the order named (wildcards expand in table order)."""
import pandas as pd

from spl.commands import command
from spl.fieldnames import expand


def reads(node) -> set[str]:
    return set(node.fields)


@command("table", reads=reads, narrows=True)
def run(node, table, ctx):
    columns: list[str] = []
    for pattern in node.fields:
        for name in expand(pattern, table.columns):
            if name not in columns:
                columns.append(name)
    out = pd.DataFrame(index=table.index)
    for name in columns:
        out[name] = table[name] if name in table.columns else pd.Series(
            [None] * len(table), index=table.index, dtype=object)
    return out
