"""fromjson: the keys of a JSON object held in a field made fields of the result.

Splunk (https://help.splunk.com/splunk-cloud-platform/spl-search-reference/9.3.2408/search-commands/fromjson):
``fromjson <field> [prefix=<string>]`` returns the object's keys as fields and their values as
field values (``json_object("name", "Albert", "age", 63)`` gives name=Albert, age=63), with
``prefix`` put before each name; an array becomes a multivalue field.
Readings where the page is silent (pinned in tests/test_cmd_fromjson.py): only the top-level
keys become fields; a nested object (or an object inside an array) is kept as compact JSON text;
true/false become the strings "true"/"false"; a JSON null makes the field null; a field that
does not hold a JSON object (missing, invalid JSON, a scalar or an array) extracts nothing; an
extracted field replaces one of the same name.
"""
import json

import pandas as pd

from spl.commands import command
from spl.commands._args import check_known
from spl.commands._generic import words
from spl.errors import SearchError
from spl.syntax import ast
from spl.values import make_mv, to_str


def reads(node) -> set[str]:
    """The field holding the JSON (what it extracts is written, not read)."""
    return {a[1:-1] if len(a) >= 2 and a[0] == a[-1] == '"' else a
            for a in node.args if isinstance(a, str)}


# Splunk's type (spl.mapreduce; the page: "a streaming command")
COMMAND_TYPE = "distributable streaming"


def _value(v):
    """A JSON value as a field value (module docstring)."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if v is None or isinstance(v, (int, float, str)):
        return v
    if isinstance(v, list):
        return make_mv([_element(e) for e in v])
    return json.dumps(v, separators=(",", ":"), ensure_ascii=False)


def _element(e):
    if isinstance(e, (list, dict)):
        return json.dumps(e, separators=(",", ":"), ensure_ascii=False)
    return _value(e)


@command("fromjson", reads=reads,
          doc="Extracts the top-level keys of a field's JSON object as fields.",
          syntax='fromjson field [prefix=string]')
def run(node, table, ctx):
    check_known(node, {"prefix"})
    prefix = ast.option(node.options, "prefix", "")
    args = words(node)
    if len(args) != 1:
        raise SearchError("fromjson takes one field name", span=node.span)
    field = args[0]
    if field not in table.columns:
        return table
    found: dict[str, dict[int, object]] = {}
    for i, cell in enumerate(table[field].tolist()):
        text = to_str(cell) if not isinstance(cell, list) else None
        if not text:
            continue
        try:
            doc = json.loads(text)
        except (ValueError, RecursionError):
            continue
        if isinstance(doc, dict):
            for key, v in doc.items():
                found.setdefault(prefix + key, {})[i] = _value(v)
    if not found:
        return table
    table = table.copy()
    for name, cells in found.items():
        old = table[name].tolist() if name in table.columns else [None] * len(table)
        table[name] = pd.Series([cells[i] if i in cells else old[i] for i in range(len(table))],
                                index=table.index, dtype=object)
    return table
