"""dedup: keep the first N results of each combination of field values.

Splunk (https://help.splunk.com/en/splunk-enterprise/search/spl-search-reference/10.0/search-commands/dedup):
the first results in search order are kept; results lacking any of the fields are dropped unless
``keepempty=true``; ``consecutive=true`` removes only runs of duplicates; ``keepevents=true``
keeps every result but clears the fields on the duplicates; ``sortby`` sorts what is kept;
multivalue fields must match in all their values.
"""
from spl.commands import command
from spl.commands.sort import order
from spl.syntax.ast import option
from spl.values import is_null, mv_values, to_str


def _flag(node, name):
    return option(node.options, name, "false").lower() in ("true", "t", "1")


@command("dedup")
def run(node, table, ctx):
    keepempty, consecutive, keepevents = (_flag(node, n) for n in
                                          ("keepempty", "consecutive", "keepevents"))
    columns = [table[f].tolist() if f in table.columns else [None] * len(table)
               for f in node.fields]
    seen: dict[tuple, int] = {}
    keep, duplicates = [], []
    previous = None
    for i in range(len(table)):
        cells = [c[i] for c in columns]
        if any(is_null(v) for v in cells):
            if keepempty or keepevents:
                keep.append(i)
            continue
        key = tuple(tuple(to_str(v) for v in mv_values(c)) for c in cells)
        if consecutive:
            count = seen.get(key, 0) + 1 if key == previous else 1
            seen = {key: count}
            previous = key
        else:
            count = seen.get(key, 0) + 1
            seen[key] = count
        if count <= node.count:
            keep.append(i)
        elif keepevents:
            keep.append(i)
            duplicates.append(i)
    out = table.copy() if duplicates else table
    if duplicates:
        labels = out.index[duplicates]
        for f in node.fields:
            if f in out.columns:
                out.loc[labels, f] = None
    out = out.iloc[keep]
    if node.sortby:
        out = out.iloc[order(out, node.sortby)]
    return out
