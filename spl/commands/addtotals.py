"""addtotals: the sum of each result's numeric fields, and optionally a result of column sums.

Splunk (https://help.splunk.com/splunk-cloud-platform/spl-search-reference/10.0.2503/search-commands/addtotals):
``addtotals [row=<bool>] [col=<bool>] [labelfield=<field>] [label=<string>] [fieldname=<field>]
[<field-list>]``. ``row`` (default true) puts the sum of the listed fields (wildcards allowed;
default every numeric field) into ``fieldname`` (default ``Total``); ``col`` (default false) adds
a result at the end holding each field's sum, with ``label`` (default ``Total``) in
``labelfield`` when one is given (created if no result has it).

spl's readings (pinned in tests/test_cmd_addtotals.py): a value counts when it is a number or a
string that reads as one; a multivalue cell or other text is skipped. Without a field list,
fields whose names start with ``_`` (``_time``, ``_span``) are not summed. A result with no
numeric value among the fields gets no row total (the field stays null). The column sums cover
every field that holds a number in some result, and the row total field too.
"""
from __future__ import annotations

import pandas as pd

from spl.commands import command
from spl.commands._args import check_known, flag
from spl.commands._fieldlist import option, words
from spl.fieldnames import expand
from spl.syntax import ast
from spl.values import as_double, is_null, to_number


def COMMAND_TYPE(node) -> str:
    """Splunk's type (spl.mapreduce; https://help.splunk.com/splunk-cloud-platform/spl-search-reference/9.3.2408/quick-reference/command-types):
    "Distributable streaming. A transforming command when used to calculate column totals"."""
    col = (ast.option(node.options, "col") or "f").lower()
    return "transforming" if col in ("t", "true", "1", "yes", "y") else \
        "distributable streaming"


def reads(node) -> set[str] | None:
    """The listed fields (a wildcard or no list: any field), and the total field, which a
    result without numbers keeps."""
    names = [w for a in node.args if isinstance(a, str) for w in a.split(",") if w]
    if not names or any("*" in n or n.startswith('"') for n in names):
        return None
    total = (ast.option(node.options, "fieldname") or "Total").rstrip(",") or "Total"
    return set(names) | {total}


@command("addtotals", reads=reads,
          doc="Adds a total of each result's numeric fields (and, col=true, a totals row).",
          syntax='addtotals [row=bool] [col=bool] [labelfield=field] [label=string] [fieldname=field] [field-list]')
def run(node: ast.Generic, table: pd.DataFrame, ctx) -> pd.DataFrame:
    check_known(node, {"row", "col", "labelfield", "label", "fieldname"})
    row, col = flag(node, "row", True), flag(node, "col", False)
    total = option(node, "fieldname", "Total")
    listed = words(node)
    if listed:
        fields = list(dict.fromkeys(f for p in listed for f in expand(p, table.columns)
                                    if f in table.columns))
    else:
        fields = [c for c in table.columns if not str(c).startswith("_") and c != total]
    out = table.copy()
    if row:
        sums = []
        for cells in zip(*(table[f].tolist() for f in fields)) if fields else \
                ([] for _ in range(len(table))):
            nums = [n for n in map(_number, cells) if n is not None]
            sums.append(as_double(sum(nums)) if nums else None)
        if sums and any(s is not None for s in sums):
            kept = out[total].tolist() if total in out.columns else [None] * len(out)
            out[total] = pd.Series([s if s is not None else k for s, k in zip(sums, kept)],
                                   index=out.index, dtype=object)
    if col:
        out = _with_column_totals(node, out, fields + ([total] if row else []))
    return out


def _number(cell):
    return None if is_null(cell) or isinstance(cell, list) else to_number(cell)


def _with_column_totals(node, table: pd.DataFrame, fields: list[str]) -> pd.DataFrame:
    """``table`` and a last result with each field's sum (and the label)."""
    summary: dict = {}
    for f in dict.fromkeys(fields):
        if f not in table.columns:
            continue
        nums = [n for n in map(_number, table[f].tolist()) if n is not None]
        if nums:
            summary[f] = as_double(sum(nums))
    labelfield = option(node, "labelfield")
    if labelfield is not None:
        summary[labelfield] = option(node, "label", "Total")
    columns = list(table.columns) + [c for c in summary if c not in table.columns]
    rows = table.reindex(columns=columns).astype(object)
    rows = rows.where(rows.notna(), None)
    last = pd.DataFrame([[summary.get(c) for c in columns]], columns=columns, dtype=object)
    out = pd.concat([rows, last], ignore_index=True)
    if "_time" in out.columns:
        out["_time"] = pd.to_numeric(out["_time"], errors="coerce").astype(float)
    return out
