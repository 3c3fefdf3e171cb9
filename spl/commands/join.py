"""join: combine each result with the matching results of a subsearch.

Splunk (https://help.splunk.com/splunk-enterprise/spl-search-reference/9.4/search-commands/join):
``join [type=inner|outer|left] [usetime=<bool>] [earlier=<bool>] [overwrite=<bool>] [max=<int>]
<field-list> [subsearch]``.
- type: inner (default) keeps only results with a match; outer and left keep every result.
- field-list: the fields that must be equal; none given means every field both sides have.
- max (default 1): how many subsearch results join to each main result (0: all), each giving
  one output row, in subsearch order.
- overwrite (default true): subsearch values replace the main result's values of the same field;
  false keeps the main values.
- the subsearch reads at most 50,000 rows.
Fields compare as text, case-sensitively; a multivalue field must match in all its values. The
subsearch runs over the same events as the main search (spl.subsearch).
"""
import pandas as pd

from spl import subsearch
from spl.commands import command
from spl.commands._args import check_known, flag, integer
from spl.errors import SearchError, UnsupportedError
from spl.syntax.ast import option
from spl.values import is_null, mv_values, to_str

MAXOUT = 50_000


def _key(row: dict, fields) -> tuple | None:
    cells = [row.get(f) for f in fields]
    if any(is_null(c) for c in cells):
        return None
    return tuple(tuple(to_str(v) for v in mv_values(c)) for c in cells)


def reads(node) -> None:
    """Without a field list, the fields both sides have; and the subsearch's fields replace (or,
    with overwrite=false, yield to) the result's own, whichever they are."""
    return None


@command("join", reads=reads,
          doc='Combines the results with those of a subsearch on common fields.',
          syntax='join [type=inner|left|outer] [usetime=bool] [max=N] field-list [ subsearch ]')
def run(node, table, ctx):
    check_known(node, {"type", "usetime", "earlier", "overwrite", "max"})
    kind = option(node.options, "type", "inner").lower()
    if kind not in ("inner", "outer", "left"):
        raise SearchError(f"join: type must be inner, outer or left, not {kind!r}", span=node.span)
    flag(node, "earlier", True)  # read for its errors; it only matters with usetime=true
    if flag(node, "usetime", False):
        raise UnsupportedError("join usetime=true is not supported", span=node.span)
    overwrite = flag(node, "overwrite", True)
    most = integer(node, "max", 1)
    right = subsearch.run(node.subsearch, ctx, MAXOUT)
    fields = list(node.fields) or [c for c in table.columns
                                   if c in right.columns and not c.startswith("_")]
    index: dict[tuple, list[dict]] = {}
    for row in _rows(right):
        key = _key(row, fields)
        if key is not None:
            index.setdefault(key, []).append(row)
    out: list[dict] = []
    for row in _rows(table):
        key = _key(row, fields)
        matches = index.get(key, []) if key is not None else []
        if most > 0:
            matches = matches[:most]
        if not matches:
            if kind != "inner":
                out.append(row)
            continue
        for match in matches:
            merged = dict(row)
            for name, value in match.items():
                if is_null(value):
                    continue
                if overwrite or is_null(merged.get(name)):
                    merged[name] = value
            out.append(merged)
    columns = list(table.columns) + [c for c in right.columns if c not in table.columns]
    return pd.DataFrame({c: pd.Series([r.get(c) for r in out],
                                      dtype="float64" if c == "_time" else object)
                         for c in columns}, index=range(len(out)))


def _rows(table: pd.DataFrame) -> list[dict]:
    """The results as dicts, nulls left out."""
    names = list(table.columns)
    return [{n: v for n, v in zip(names, cells) if not is_null(v)}
            for cells in table.itertuples(index=False, name=None)]
