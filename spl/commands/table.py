"""table: keep the named fields, in the order named (wildcards expand in table order)."""
import pandas as pd

from spl.commands import command
from spl.fieldnames import expand


def reads(node) -> set[str]:
    return set(node.fields)


@command("table", reads=reads, narrows=True,
          doc='Keeps the named fields, in that order, as a table (wildcards allowed).',
          syntax='table field-list')
def run(node, table, ctx):
    columns: list[str] = []
    for pattern in node.fields:
        for name in expand(pattern, table.columns):
            if name not in columns:
                columns.append(name)
    # built at once: a column at a time fragments a wide table (pandas' PerformanceWarning)
    return pd.DataFrame({name: table[name] if name in table.columns else pd.Series(
        [None] * len(table), index=table.index, dtype=object) for name in columns},
        index=table.index)
