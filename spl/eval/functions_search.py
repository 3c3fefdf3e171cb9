"""Eval functions that see the search around them: commands(), which lists the commands of a
search string, and lookup(), which reads a CSV lookup of the session. Registered into the one
registry of ``spl.eval.functions``.

MV   = https://help.splunk.com/splunk-enterprise/spl-search-reference/9.4/evaluation-functions/multivalue-eval-functions
COND = https://help.splunk.com/splunk-enterprise/spl-search-reference/9.4/evaluation-functions/comparison-and-conditional-functions

commands(search) (MV): "a multivalue field containing a list of the commands used"; example
commands("search foo | stats count | sort count") gives search, stats, sort. Our reading: the
pipes that separate commands are those outside quotes and outside a [subsearch] (a subsearch's
commands are not listed); text before the first pipe is the search command's, whether it is
written ("search foo") or implied ("foo"), as a search string that does not start with a pipe
is the search command's.

lookup(table, json_object inputs[, json_array outputs]) (COND): the output fields of the matching
row(s) as a JSON object; example lookup("dnslookup", json_object("clienthost","dns.google"),
json_array("clientip")) gives {"clientip":"8.8.8.8"}. Without outputs, every column that is not
an input. Matching is the lookup command's (spl.lookups.apply_lookup: match_type, case,
max_matches; several matches give a JSON array). Our reading where COND is silent: no matching
row gives null.
"""
from __future__ import annotations

import json

from spl.errors import SearchError
from spl.eval.functions import function, special
from spl.lookups import LookupTable, apply_lookup, session_lookups
from spl.values import make_mv, to_str


def command_names(search: str) -> list[str]:
    """The commands of ``search`` in order, lower case (see the module docstring)."""
    pieces: list[str] = []
    current: list[str] = []
    quote: str | None = None
    depth, escaped = 0, False
    for ch in search:
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif quote:
            quote = None if ch == quote else quote
        elif ch in "\"'":
            quote = ch
        elif ch == "[":
            depth += 1
        elif ch == "]":
            depth = max(depth - 1, 0)
        elif ch == "|" and depth == 0:
            pieces.append("".join(current))
            current = []
            continue
        current.append(ch)
    pieces.append("".join(current))
    names = []
    for k, piece in enumerate(pieces):
        words = piece.split()
        if words:  # text before the first pipe is the search command's, named or not
            names.append("search" if k == 0 else words[0].lower())
    return names


@function("commands", 1, 1, "commands(search): the commands used in a search string")
def _commands(x):
    if x is None or isinstance(x, list):
        return None
    return make_mv(command_names(to_str(x)))


def _json_arg(v, kind, what: str):
    """A JSON object/array argument given as JSON text (what json_object/json_array return)."""
    try:
        doc = json.loads(to_str(v))
    except (TypeError, ValueError):
        doc = None
    if not isinstance(doc, kind):
        raise SearchError(f"lookup(): the {what} must be a JSON "
                          f"{'object' if kind is dict else 'array'}, got {to_str(v)!r}")
    return doc


@special("lookup", 2, 3,
         "lookup(table, json_object(field, value, ...)[, json_array(field, ...)]): the output "
         "fields of the matching row as a JSON object")
def _lookup(call, c):
    args = [c.compile(a) for a in call.args]
    tables: dict[str, LookupTable] = {}

    def table(name: str) -> LookupTable:
        if name not in tables:
            tables[name] = session_lookups(c.ctx).table(name)
        return tables[name]

    def f(i):
        name, inputs = args[0](i), args[1](i)
        if name is None or inputs is None or isinstance(name, list):
            return None
        t = table(to_str(name))
        given = _json_arg(inputs, dict, "second argument")
        for column in given:
            if column not in t.columns:
                raise SearchError(f"lookup(): table {t.name!r} has no field {column!r}")
        if len(args) == 3 and args[2](i) is not None:
            wanted = [to_str(x) for x in _json_arg(args[2](i), list, "third argument")]
        else:
            wanted = [col for col in t.columns if col not in given]
        for column in wanted:
            if column not in t.columns:
                raise SearchError(f"lookup(): table {t.name!r} has no field {column!r}")
        cols = {f"in:{k}": [_cell(v)] for k, v in given.items()}
        apply_lookup(cols, 1, t, [(k, f"in:{k}") for k in given],
                     [(w, f"out:{w}") for w in wanted], new_only=False)
        found = {w: cols[f"out:{w}"][0] for w in wanted}
        if all(v is None for v in found.values()):
            return None
        return json.dumps({w: v for w, v in found.items() if v is not None},
                          separators=(",", ":"), ensure_ascii=False)
    return f


def _cell(v):
    """A JSON input value as a field value: text, numbers as their text, arrays as multivalue."""
    if isinstance(v, list):
        return make_mv([_cell(x) for x in v if x is not None])
    if isinstance(v, bool):
        return "true" if v else "false"
    return None if v is None else to_str(v)
