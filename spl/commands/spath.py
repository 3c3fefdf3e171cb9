"""spath: values from the JSON text of a field, by location path or all at once.

Splunk (https://help.splunk.com/splunk-enterprise/spl-search-reference/9.0/search-commands/spath):
``input`` defaults to ``_raw``; without ``output`` the path is the field name; a path is steps
separated by periods, each a name with an optional ``{}`` (every element of an array, giving a
multivalue field) or ``{n}`` (one element; JSON arrays count from 0, as the SPL2 spath example
``cooperative{1}`` -> "Forbidden Island" shows,
https://help.splunk.com/en/splunk-cloud-platform/search/spl2-search-reference/spath-command/spath-command-examples).
Without a path every field is extracted with the names automatic JSON extraction gives
(spl.data.extract), from the first ``extraction_cutoff`` (5000) bytes, as limits.conf says of
both auto-KV and spath.

spl's reading where the page is silent: a path ending on an object or array gives that value's
JSON text exactly as written (so a later ``spath input=`` can read it, and displays match the
event); a name step does not descend into an array without ``{}``; a path with no match leaves
the output field as it was; a multivalue input is read value by value. XML input is not read.
``{}`` after a name whose value is an object (not an array) is that object: ESCU's production
detection "AWS Defense Evasion PutBucketLifecycle" groups by
``spath path=requestParameters{}.bucketName`` over CloudTrail, where requestParameters is always
an object, and its attack-data test (which must return rows in Splunk) could not pass otherwise.
``{n}`` on an object, and ``{}`` on a string or number, reach nothing.
"""
from __future__ import annotations

import json
import re

import orjson
import pandas as pd

from spl.commands import command
from spl.data.extract import extract_text
from spl.data.props import DEFAULT_EXTRACTION_CUTOFF
from spl.errors import SearchError
from spl.values import make_mv, mv_values, to_str

_STEP = re.compile(r"([^.{}]*)((?:\{[^{}]*\})*)\Z")
_BRACE = re.compile(r"\{([^{}]*)\}")
_WS = re.compile(r"[ \t\r\n]*")
_DECODER = json.JSONDecoder()


def parse_path(path: str, span=None) -> list[tuple[str, object]]:
    """A location path as steps: ("key", name), ("each", None) for ``{}``, ("index", n)."""
    steps: list[tuple[str, object]] = []
    for part in path.split("."):
        m = _STEP.match(part)
        if m is None or (not m.group(1) and not m.group(2)):
            raise SearchError(f"spath: invalid location step {part!r} in path {path!r}", span=span)
        if m.group(1):
            steps.append(("key", m.group(1)))
        for index in _BRACE.findall(m.group(2)):
            index = index.strip()
            if index == "":
                steps.append(("each", None))
            elif re.fullmatch(r"\d+", index):
                steps.append(("index", int(index)))
            else:
                steps.append(("attr", index))  # an XML attribute: never matches JSON
    return steps


def values_at(text: str, steps) -> list[str]:
    """The values ``steps`` reach in a JSON text, in document order: leaves as Splunk shows them
    (strings decoded, numbers/true/false/null as written), objects and arrays as their text.

    A fast parse answers when every value reached is a string, an integer, a boolean or null
    (their text is known); a float, object or array is read again from the text as written.
    """
    try:
        nodes = _walk(orjson.loads(text), steps)
    except orjson.JSONDecodeError:
        return _values_in_text(text, steps)
    if all(n is None or isinstance(n, (str, int)) for n in nodes):  # bool is an int
        return [_leaf_text(n) for n in nodes]
    return _values_in_text(text, steps)


def _walk(root, steps) -> list:
    nodes = [root]
    for kind, arg in steps:
        if kind == "key":
            nodes = [n[arg] for n in nodes if isinstance(n, dict) and arg in n]
        elif kind == "each":  # an object's {} is the object itself (module doc)
            nodes = [x for n in nodes if isinstance(n, (list, dict))
                     for x in (n if isinstance(n, list) else [n])]
        elif kind == "index":
            nodes = [n[arg] for n in nodes if isinstance(n, list) and arg < len(n)]
        else:
            nodes = []
    return nodes


def _leaf_text(v) -> str:
    if v is None:
        return "null"
    if v is True or v is False:
        return "true" if v else "false"
    return v if isinstance(v, str) else str(v)


def _skip_ws(text: str, i: int) -> int:
    """Where the JSON whitespace at ``i`` ends."""
    m = _WS.match(text, i)
    assert m is not None  # [ \t\r\n]* matches the empty string too
    return m.end()


def _values_in_text(text: str, steps) -> list[str]:
    """values_at, read from the text itself so that values keep their written form."""
    start = _skip_ws(text, 0)
    if start == len(text):
        return []
    spans = [(start, len(text))]  # the root's end is never read: every path has a step
    try:
        for kind, arg in steps:
            spans = [child for span in spans for child in _step(text, span, kind, arg)]
    except ValueError:
        return []
    return [_value(text, s, e) for s, e in spans]


def _step(text: str, span, kind, arg):
    start, _ = span
    if kind == "key":
        if text[start] == "{":
            return [(s, e) for key, s, e in _children(text, start) if key == arg]
        return []
    if kind == "each" and text[start] == "{":  # an object's {} is the object itself (module doc)
        return [span]
    if kind in ("each", "index") and text[start] == "[":
        elements = [(s, e) for _, s, e in _children(text, start)]
        if kind == "each":
            return elements
        return elements[arg:arg + 1]
    return []


def _children(text: str, i: int):
    """(key or None, start, end) of each member of the object or array opening at ``text[i]``."""
    close = "}" if text[i] == "{" else "]"
    i = _skip_ws(text, i + 1)
    if text.startswith(close, i):
        return
    while True:
        key = None
        if close == "}":
            key, i = _DECODER.raw_decode(text, i)
            i = _skip_ws(text, i)
            if not text.startswith(":", i):
                raise ValueError("expected ':'")
            i = _skip_ws(text, i + 1)
        _, end = _DECODER.raw_decode(text, i)
        yield key, i, end
        i = _skip_ws(text, end)
        if text.startswith(close, i):
            return
        if not text.startswith(",", i):
            raise ValueError("expected ','")
        i = _skip_ws(text, i + 1)


def _value(text: str, start: int, end: int) -> str:
    if text[start] == '"':
        return json.loads(text[start:end])
    return text[start:end]


def reads(node) -> set[str] | None:
    """The input, and the target kept where the path finds nothing; without a path every field
    the JSON holds is such a target."""
    if node.path is None:
        return None
    return {node.input or "_raw", node.output or node.path}


# Splunk's type (spl.mapreduce; https://help.splunk.com/splunk-enterprise/spl-search-reference/10.0/quick-reference/command-types)
COMMAND_TYPE = "distributable streaming"


@command("spath", reads=reads,
          doc='Extracts fields from structured JSON (or XML) text.',
          syntax='spath [input=F] [output=F] [path=P | P]')
def run(node, table, ctx):
    source = node.input or "_raw"
    if node.path is None and node.output is not None:
        raise SearchError("spath: output= needs a path (without one, spath extracts every field)",
                          span=node.span)
    if source not in table.columns or table.empty:
        return table
    texts = [[to_str(v) for v in mv_values(cell)] for cell in table[source]]
    if node.path is None:
        return _extract_all(table, texts)
    steps = parse_path(node.path, node.span)
    target = node.output or node.path
    found = [make_mv([v for text in values for v in values_at(text, steps)]) for values in texts]
    old = table[target] if target in table.columns else pd.Series(None, index=table.index, dtype=object)
    table = table.copy()
    table[target] = pd.Series([new if new is not None else prev for new, prev in zip(found, old)],
                              index=table.index, dtype=object)
    return table


def _extract_all(table: pd.DataFrame, texts) -> pd.DataFrame:
    """Every field of every row's JSON; a field found overwrites the row's old value."""
    rows: list[dict] = []
    for values in texts:
        merged: dict[str, list] = {}
        for text in values:
            for name, value in extract_text(text, DEFAULT_EXTRACTION_CUTOFF).items():
                merged.setdefault(name, []).extend(mv_values(value))
        rows.append({k: make_mv(v) for k, v in merged.items()})
    names = list(dict.fromkeys(name for row in rows for name in row))
    updates = {}
    for name in names:
        new = [row.get(name) for row in rows]
        old = table[name].tolist() if name in table.columns else [None] * len(rows)
        updates[name] = pd.Series([n if n is not None else o for n, o in zip(new, old)],
                                  index=table.index, dtype=object)
    kept = table.drop(columns=[n for n in names if n in table.columns])
    result = pd.concat([kept, pd.DataFrame(updates, index=table.index)], axis=1)
    return result[list(table.columns) + [n for n in names if n not in table.columns]]
