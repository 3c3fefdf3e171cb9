"""eval: compute fields, left to right, each assignment seeing the ones before it.

A null result removes the field's value; a Boolean cannot be stored (Splunk refuses it and asks
for if()): https://help.splunk.com/en/splunk-enterprise/search/spl-search-reference/10.0/evaluation-functions/comparison-and-conditional-functions

A target with ``{field}`` in it takes its name from the row's value of that field: the eval page's
example ``eval {aName}=aValue`` makes ``counter=1234`` from aName=counter, aValue=1234
(https://help.splunk.com/en/splunk-enterprise/search/spl-search-reference/9.4/search-commands/eval).
spl's reading where the page is silent: braces may sit anywhere in the name (``x_{f}``), each
replaced by the value; a row whose named field is null or multivalue gets no field from it.
"""
import re

import pandas as pd

from spl.commands import command
from spl.errors import SearchError
from spl.eval import evaluate
from spl.syntax import ast
from spl.values import to_str

_BRACES = re.compile(r"\{([^{}]*)\}")


def _braced(name: str) -> list[str]:
    """The fields named in ``{...}`` in a target."""
    return _BRACES.findall(name)


def reads(node) -> set[str] | None:
    """What the expressions read, and the fields that name dynamic targets; the fields assigned
    are written over."""
    fields = ast.references(node.assignments)
    if fields is None:
        return None
    for assignment in node.assignments:  # the {field} parts of a target (builtins only here)
        fields |= {p.split("}", 1)[0] for p in assignment.field.split("{")[1:] if "}" in p}
    return fields


# Splunk's type (spl.mapreduce; https://help.splunk.com/splunk-enterprise/spl-search-reference/10.0/quick-reference/command-types)
COMMAND_TYPE = "distributable streaming"


@command("eval", reads=reads,
          doc='Calculates an expression and puts the value into a field.',
          syntax='eval field=expression [, field=expression ...]')
def run(node, table, ctx):
    table = table.copy()
    for k, assignment in enumerate(node.assignments, 1):
        if k % 64 == 0:  # a column added at a time fragments the frame: joined again (pandas
            table = table.copy()  # warns past 100 pieces)
        values = evaluate(assignment.expr, table, ctx) if len(table) else pd.Series([], dtype=object)
        if any(isinstance(v, bool) for v in values):
            raise SearchError("a field cannot be assigned a Boolean result; use if(<condition>, "
                              "<value>, <value>)", span=assignment.expr.span)
        column = pd.Series(values.to_numpy(dtype=object), index=table.index, dtype=object)
        if _braced(assignment.field):
            table = _assign_dynamic(table, assignment.field, column)
        else:
            table[assignment.field] = column
    return table


def _assign_dynamic(table: pd.DataFrame, template: str, column: pd.Series) -> pd.DataFrame:
    """Each row's value under the name its own field values make of ``template``."""
    names = _names(table, template)
    for name in dict.fromkeys(n for n in names if n):
        mask = [n == name for n in names]
        if name not in table.columns:
            table[name] = pd.Series([None] * len(table), index=table.index, dtype=object)
        table.loc[mask, name] = column[mask]
    return table


def _names(table: pd.DataFrame, template: str) -> list[str | None]:
    """The name ``template`` gives in each row; None where a field it names is null or
    multivalue there (or missing)."""
    texts = {f: [_text(v) for v in table[f].tolist()] if f in table.columns else [""] * len(table)
             for f in _braced(template)}
    out: list[str | None] = []
    for row in range(len(table)):
        values = {f: texts[f][row] for f in texts}
        out.append(_fill(template, values) if all(values.values()) else None)
    return out


def _fill(template: str, values: dict[str, str]) -> str:
    return _BRACES.sub(lambda m: values[m.group(1)], template)


def _text(value) -> str:
    """A cell as the text a name is made of; "" for a null or multivalue cell."""
    return "" if isinstance(value, list) else to_str(value) or ""
