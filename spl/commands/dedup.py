"""dedup: keep the first N results of each combination of field values.

Splunk (https://help.splunk.com/en/splunk-enterprise/search/spl-search-reference/10.0/search-commands/dedup):
the first results in search order are kept; results lacking any of the fields are dropped unless
``keepempty=true``; ``consecutive=true`` removes only runs of duplicates; ``keepevents=true``
keeps every result but clears the fields on the duplicates; multivalue fields must match in
all their values. ``sortby`` sorts the results first, which "determines which event is retained"
(it is the same as a ``sort`` before the ``dedup``).
"""
from spl.commands import command
from spl.commands._args import check_known, flag
from spl.commands.sort import order
from spl.errors import SearchError
from spl.values import is_null, mv_values, to_str


def reads(node) -> set[str]:
    """The fields compared and the sortby keys."""
    return set(node.fields) | {key.field for key in node.sortby}


@command("dedup", reads=reads,
          doc='Removes results that repeat a combination of field values, keeping the first N of each.',
          syntax='dedup [N] field-list [keepevents=bool] [keepempty=bool] [consecutive=bool] [sortby [+|-]field ...]')
def run(node, table, ctx):
    check_known(node, {"keepempty", "consecutive", "keepevents"})
    keepempty, consecutive, keepevents = (flag(node, n, False) for n in
                                          ("keepempty", "consecutive", "keepevents"))
    if node.count < 1:
        raise SearchError(f"dedup: the count must be 1 or more, not {node.count}", span=node.span)
    if node.sortby:
        table = table.iloc[order(table, node.sortby)]
    if not consecutive and not keepevents:
        keep = _first_of_texts(table, node.fields, node.count, keepempty)
        if keep is not None:
            return table.iloc[keep]
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
    return out.iloc[keep]


def _first_of_texts(table, fields, count: int, keepempty: bool):
    """The positions dedup keeps, found column-wise when every compared cell is a text or null
    (the usual case: one value an event); None when a cell is a number or multivalue (the
    row-by-row loop compares their texts)."""
    import numpy as np
    import pandas as pd

    if not all(f in table.columns for f in fields) or not all(
            pd.api.types.infer_dtype(table[f], skipna=True) in ("string", "empty")
            for f in fields):
        return None
    null = np.zeros(len(table), dtype=bool)
    codes = []
    for f in fields:
        col = table[f]
        null |= col.isna().to_numpy()
        codes.append(pd.factorize(col)[0])
    key = pd.DataFrame({i: c for i, c in enumerate(codes)})
    rank = key.groupby(list(key.columns), sort=False).cumcount().to_numpy()
    return np.flatnonzero((rank < count) & ~null | (null & keepempty))


# ---------------------------------------------------------------- map-reduce (spl.mapreduce)
# Splunk's type (https://help.splunk.com/splunk-enterprise/spl-search-reference/10.0/quick-reference/command-types): streaming;
# "Using the sortby argument or specifying keepevents=true makes the dedup command a dataset
# processing command". The first N results of a combination in event order are among each
# chunk's first N: a chunk keeps its dedup, the merged rows are deduplicated again.


def COMMAND_TYPE(node) -> str:
    if node.sortby or flag(node, "keepevents", False):
        return "dataset processing"
    return "streaming"


def unsplittable(node) -> str | None:
    if node.sortby or flag(node, "keepevents", False):
        return "dedup with sortby or keepevents=true needs every result"
    if flag(node, "consecutive", False):
        return "dedup consecutive=true compares neighbours in the merged order"
    return None


def map_partial(node, table, ctx, keys):
    from spl.mapreduce import rows_partial

    return rows_partial(run(node, table, ctx), keys)


def reduce_partials(node, partials, ctx):
    from spl.mapreduce import merge_rows

    return run(node, merge_rows(partials)[0], ctx)
