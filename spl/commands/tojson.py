"""tojson: each result's fields as one JSON object, written into a field (``_raw`` by default).

Splunk (https://help.splunk.com/splunk-enterprise/spl-search-reference/9.2/search-commands/tojson):
``| tojson [<tojson-function>]... [default_type=<datatype>] [fill_null=<bool>]
[include_internal=<bool>] [output_field=<string>]``, a function being
``(auto|bool|json|none|num|str)(<wc-field>)``. Named fields limit the object to them; with
none, every field is included (``none(*)``). A field may also be named without a function: it
takes ``default_type`` (the page: "fields that aren't specifically associated with a datatype
function"). A multivalue field becomes a JSON array.
``default_type`` (default none) types fields no function names; ``fill_null=true`` writes null
where a value was skipped (e.g. not valid for its type); ``include_internal`` (default false)
adds internal fields such as ``_time``; ``output_field`` (default ``_raw``) names the field.

The datatypes, as spl reads the page (pinned in tests/test_cmd_tojson.py):
- none: a value as the result holds it (a number as a JSON number, text as a string);
- auto: a number or numeric text as a number, "true"/"false" as Booleans, "null" as null, other
  text as a string;
- num: numbers and numeric text as numbers, anything else skipped;
- str: every value as a string (numbers as Splunk prints them);
- bool: true/t/yes/y/1 and false/f/no/n/0 (any case), or a number (0 is false), else skipped;
- json: text that parses as JSON as that JSON, anything else skipped.
Readings where the page is silent: keys come in code-point order of the field names (the
makejson page says field order cannot be set by ``table``; sorted is spl's choice); a field
without a value in a result is left out (fill_null applies to values skipped by their type); a
field named by two functions takes the first; an element of a multivalue field that its type
skips is left out of the array (null with fill_null).
"""
import json
import re

import pandas as pd

from spl.commands import command
from spl.commands._args import boolean, check_known, flag
from spl.commands._generic import words
from spl.errors import SearchError
from spl.fieldnames import name_regex
from spl.syntax import ast
from spl.values import is_null, mv_values, to_number, to_str

TYPES = ("auto", "bool", "json", "none", "num", "str")
_FUNCTION = re.compile(r"(\w+)\((.*)\)\Z", re.S)
_SKIP = object()


def reads(node) -> set[str] | None:
    """The fields named inside the functions; every field when none is (or a wildcard)."""
    names = set()
    for arg in node.args:
        if isinstance(arg, str) and "(" in arg and arg.endswith(")"):
            names.add(arg[arg.index("(") + 1:-1])
        elif isinstance(arg, str):
            names.add(arg[1:-1] if len(arg) >= 2 and arg[0] == arg[-1] == '"' else arg)
    return None if not names or any("*" in n for n in names) else names


# Splunk's type (spl.mapreduce; https://help.splunk.com/splunk-enterprise/spl-search-reference/10.0/quick-reference/command-types)
COMMAND_TYPE = "distributable streaming"


def _convert(kind: str, v):
    """One single value as JSON of datatype ``kind``, or _SKIP."""
    if kind == "none":
        return v if isinstance(v, (int, float)) and not isinstance(v, bool) else to_str(v)
    if kind == "str":
        return to_str(v)
    n = to_number(v)
    if kind == "num":
        return _SKIP if n is None else n
    if kind == "auto":
        if n is not None:
            return n
        text = to_str(v)
        return {"true": True, "false": False, "null": None}.get(text, text)
    if kind == "bool":
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            return v != 0
        truth = boolean(to_str(v))
        return _SKIP if truth is None else truth
    try:  # json
        return json.loads(to_str(v))
    except (ValueError, RecursionError):
        return _SKIP


def _value(kind: str, cell, fill_null: bool):
    if isinstance(cell, list):
        out = [_convert(kind, x) for x in cell]
        return [None if x is _SKIP else x for x in out if fill_null or x is not _SKIP]
    x = _convert(kind, cell)
    return None if x is _SKIP and fill_null else x


@command("tojson", reads=reads,
          doc='Writes fields of each result as a JSON object into a field.',
          syntax='tojson [datatype(field)...] [default_type=function] [fill_null=bool] [include_internal=bool] [output_field=string]')
def run(node, table, ctx):
    check_known(node, {"default_type", "fill_null", "include_internal", "output_field"})
    default = ast.option(node.options, "default_type", "none").lower()
    if default not in TYPES:
        raise SearchError(f"tojson: default_type={default} must be one of {', '.join(TYPES)}",
                          span=node.span)
    fill_null = flag(node, "fill_null", False)
    internal = flag(node, "include_internal", False)
    output = ast.option(node.options, "output_field", "_raw")
    functions = []
    for arg in words(node):
        if "(" not in arg and ")" not in arg:  # a field named without a function
            functions.append((default, arg))
            continue
        m = _FUNCTION.match(arg)
        if m is None or m.group(1).lower() not in TYPES or not m.group(2):
            raise SearchError(f"tojson: '{arg}' is not a datatype function such as auto(<field>)"
                              f" ({', '.join(TYPES)})", span=node.span)
        functions.append((m.group(1).lower(), m.group(2)))
    columns = [c for c in table.columns if internal or not c.startswith("_")]
    kinds: dict[str, str] = {}
    for kind, pattern in functions or [(default, "*")]:
        rx = name_regex(pattern)
        for c in columns:
            if c not in kinds and rx.match(c):
                kinds[c] = kind
    if not functions:
        kinds = {c: default for c in columns}
    names = sorted(kinds)
    cells = {c: table[c].tolist() for c in names}
    out = []
    for i in range(len(table)):
        doc = {}
        for c in names:
            cell = cells[c][i]
            if is_null(cell) or not mv_values(cell):
                continue
            v = _value(kinds[c], cell, fill_null)
            if v is not _SKIP:
                doc[c] = v
        out.append(json.dumps(doc, separators=(",", ":"), ensure_ascii=False))
    table = table.copy()
    table[output] = pd.Series(out, index=table.index, dtype=object)
    return table
