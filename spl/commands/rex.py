"""rex: fields from a regular expression's named groups, or a sed edit of a field.

Splunk (https://help.splunk.com/splunk-enterprise/spl-search-reference/9.1/search-commands/rex):
the PCRE is unanchored and its named groups become fields of the same names; ``field`` defaults
to ``_raw``; ``max_match`` defaults to 1, 0 means unlimited, and more than one match makes a
multivalue field; ``mode=sed`` takes only ``s/regex/replacement/flags`` (flags ``g`` or a number
N, the Nth match; ``\\1`` back-references) and ``y/from/to/`` (character substitution), applied
to the field in place. ``offset_field`` names a field that receives where each group matched.

spl's reading where the page is silent: an event whose field does not match keeps the values
it had; a group that took no part in a match gives no value; ``offset_field`` holds
``name=start-end`` per group (0-based, end inclusive), joined with ``&``.
"""
from __future__ import annotations

import pandas as pd

from spl.commands import command
from spl.commands._args import check_known, integer
from spl.errors import SearchError
from spl.eval.regex import Bounded, bounded, expand_replacement
from spl.syntax import ast
from spl.values import make_mv, mv_values, to_str


def reads(node) -> set[str]:
    """The field matched, and the fields its named groups (and offset_field) set, whose old value
    an event without a match keeps. Group names are found in the pattern's text; a name that
    only looks like a group is asked for needlessly, which is harmless."""
    found = {node.field or "_raw"}
    if (ast.option(node.options, "mode") or "").lower() == "sed":
        return found
    text = node.regex
    for opener, closer in (("(?<", ">"), ("(?P<", ">"), ("(?'", "'")):
        for piece in text.split(opener)[1:]:
            name = piece.split(closer, 1)[0]
            if name.replace("_", "a").isalnum():
                found.add(name)
    offset = ast.option(node.options, "offset_field")
    return found | {offset} if offset else found


# Splunk's type (spl.mapreduce; https://help.splunk.com/splunk-enterprise/spl-search-reference/10.0/quick-reference/command-types)
COMMAND_TYPE = "distributable streaming"


@command("rex", reads=reads,
          doc="Extracts fields with a regular expression's named groups, or edits a field with sed syntax.",
          syntax='rex [field=F] ("regex" [max_match=N] [offset_field=F] | mode=sed "s/.../.../g")')
def run(node, table, ctx):
    check_known(node, {"max_match", "offset_field", "mode"})
    mode = (ast.option(node.options, "mode") or "").lower()
    if mode not in ("", "sed"):
        raise SearchError(f"rex: mode={mode} is not a mode (only mode=sed)", span=node.span)
    source = node.field or "_raw"
    if mode == "sed":
        edit = parse_sed(node.regex, node.span)
        if source not in table.columns:
            return table
        out = [make_mv([edit(to_str(v)) for v in mv_values(cell)]) for cell in table[source]]
        table = table.copy()
        table[source] = pd.Series(out, index=table.index, dtype=object)
        return table
    rx = bounded(node.regex, "rex", node.span)
    names = list(rx.groupindex)
    max_match = integer(node, "max_match", 1)
    offset_field = ast.option(node.options, "offset_field")
    cells = table[source].tolist() if source in table.columns else [None] * len(table)
    found: dict[str, list] = {name: [] for name in names}
    offsets: list = []
    for cell in cells:
        row: dict[str, list] = {name: [] for name in names}
        spans: list[str] = []
        count = 0
        for value in mv_values(cell):
            if max_match and count >= max_match:
                break
            for m in rx.finditer(to_str(value), max_match - count if max_match else 0):
                count += 1
                for name in names:
                    if m.group(name) is not None:
                        row[name].append(m.group(name))
                        spans.append(f"{name}={m.start(name)}-{m.end(name) - 1}")
        for name in names:
            found[name].append(_cell(row[name]))
        offsets.append("&".join(spans) if spans else None)
    table = table.copy()
    for name in names:
        old = table[name].tolist() if name in table.columns else [None] * len(table)
        table[name] = pd.Series([n if n is not None else o for n, o in zip(found[name], old)],
                                index=table.index, dtype=object)
    if offset_field:
        old = table[offset_field].tolist() if offset_field in table.columns else [None] * len(table)
        table[offset_field] = pd.Series([n if n is not None else o for n, o in zip(offsets, old)],
                                        index=table.index, dtype=object)
    return table


def _cell(values: list):
    """The field's cell: one value as it is (an empty match is the empty string), several as a
    multivalue field, none as null."""
    if not values:
        return None
    return values[0] if len(values) == 1 else values


def parse_sed(expr: str, span=None):
    """The edit ``s/regex/replacement/flags`` or ``y/from/to/`` stands for, as a str -> str."""
    if len(expr) < 2 or expr[0] not in "sy" or expr[1] != "/":
        raise SearchError(f"rex: sed expression {expr!r} must be s/regex/replacement/flags or "
                          "y/from/to/", span=span)
    parts = _split_sed(expr[2:])
    if len(parts) != 3:
        raise SearchError(f"rex: sed expression {expr!r} needs three '/'", span=span)
    left, right, flags = parts
    if expr[0] == "y":
        source, target = _unescape_slash(left), _unescape_slash(right)
        if len(source) != len(target) or flags:
            raise SearchError(f"rex: y/{left}/{right}/ needs two sets of the same length and "
                              "no flags", span=span)
        table = str.maketrans(source, target)
        return lambda s: s.translate(table)
    rx = bounded(left.replace("\\/", "/"), "rex mode=sed", span)
    repl = expand_replacement(rx, right.replace("\\/", "/"))
    if flags == "g":
        return lambda s: rx.sub(repl, s)
    if flags == "":
        return lambda s: rx.sub(repl, s, count=1)
    if flags.isdigit() and int(flags) > 0:
        nth = int(flags)
        return lambda s: _replace_nth(rx, repl, s, nth)
    raise SearchError(f"rex: sed flags {flags!r}: only g or a number N are supported", span=span)


def _split_sed(text: str) -> list[str]:
    """Split on '/' not escaped by a backslash (escapes kept for the regex)."""
    parts, buf, i = [], [], 0
    while i < len(text):
        if text[i] == "\\" and i + 1 < len(text):
            buf.append(text[i:i + 2])
            i += 2
        elif text[i] == "/":
            parts.append("".join(buf))
            buf = []
            i += 1
        else:
            buf.append(text[i])
            i += 1
    parts.append("".join(buf))
    return parts


def _unescape_slash(text: str) -> str:
    return text.replace("\\/", "/")


def _replace_nth(rx: Bounded, repl, s: str, nth: int) -> str:
    for k, m in enumerate(rx.finditer(s), 1):
        if k == nth:
            return s[:m.start()] + repl(m) + s[m.end():]
    return s
