"""foreach: a templated subsearch run once per field (or per value), the template filled in.

Splunk (https://help.splunk.com/splunk-enterprise/spl-search-reference/9.4/search-commands/foreach):
``foreach [mode=multifield|multivalue|json_array] <wildcard-field-list>|<field> [<mode-options>]
<subsearch>``. In multifield mode (the default) the subsearch runs once for each field the
wildcard list matches, with ``<<FIELD>>`` replaced by the field's name, ``<<MATCHSTR>>`` by the
part of the name the wildcard matched and ``<<MATCHSEG1>>``..``<<MATCHSEG3>>`` by what the
first..third wildcard matched; ``fieldstr=``, ``matchstr=``, ``matchseg1=``.. rename those
placeholders. In multivalue mode the subsearch runs once for each value of one multivalue
field, and in json_array mode once for each element of a field holding a JSON array, with
``<<ITEM>>`` (``itemstr=``) replaced by the value. The template is filled in as text (so a field
name with spaces or dots needs the template's quotes: ``'<<FIELD>>'``), then parsed and run.

Readings where the page is silent (pinned in tests/test_cmd_foreach.py):
- Fields are visited in the order the results hold them (the order a wildcard expands to in
  ``table``); a field matched by two patterns is visited once. A pattern matches a field whose
  name starts with ``_`` only when the pattern itself starts with ``_`` (``*`` is not ``_time``).
- ``<<MATCHSTR>>`` with a pattern of more than one wildcard is not defined by the page: refused.
- multivalue/json_array: the subsearch runs per result, once per value, in order; a result
  without the field is left as it is. A json_array element that is a string is put in as its
  text, a number as Splunk prints it, an object or array as compact JSON. A field that does
  not hold a JSON array is left as it is.
- A foreach inside a template is filled in by the outer one first (its ``<<FIELD>>`` too:
  give the inner one its own ``fieldstr=``).
- ``mode=auto_collections`` and ``<<ITER>>`` (newer releases) are not supported.
"""
from __future__ import annotations

import json

import pandas as pd

from spl import commands
from spl.commands import command
from spl.commands._args import check_known
from spl.commands._generic import unquote
from spl.context import Context
from spl.errors import SearchError, SplError, UnsupportedError
from spl.fieldnames import name_regex
from spl.syntax import ast
from spl.values import format_number, is_null, mv_values, to_str

MODES = {"multifield", "multivalue", "json_array"}
PLACEHOLDERS = {"fieldstr": "<<FIELD>>", "matchstr": "<<MATCHSTR>>", "matchseg1": "<<MATCHSEG1>>",
                "matchseg2": "<<MATCHSEG2>>", "matchseg3": "<<MATCHSEG3>>"}
OPTIONS = {"mode", "fieldstr", "matchstr", "matchseg1", "matchseg2", "matchseg3", "itemstr"}


def reads(node) -> None:
    """Every field: the wildcard list, and the template's fields, are known only at run time."""
    return None


# Splunk's type (spl.mapreduce; https://help.splunk.com/splunk-enterprise/spl-search-reference/10.0/quick-reference/command-types)
COMMAND_TYPE = "distributable streaming"


@command("foreach", reads=reads,
          doc='Runs an eval template once per field of a wildcard list (or per value).',
          syntax='foreach [mode=multifield|multivalue|json_array] wc-field-list [fieldstr=string] [matchstr=string] ... [ eval-subsearch ]')
def run(node, table, ctx):
    mode = ast.option(node.options, "mode", "multifield").lower()
    if mode == "auto_collections":
        raise UnsupportedError("foreach: mode=auto_collections is not supported", span=node.span)
    check_known(node, OPTIONS)
    if mode not in MODES:
        raise SearchError(f"foreach: mode={mode} must be multifield, multivalue or json_array",
                          span=node.span)
    subs = [a for a in node.args if isinstance(a, ast.Subsearch)]
    names = [unquote(a) for a in node.args if isinstance(a, str)]
    if len(subs) != 1 or node.args[-1] is not subs[0]:
        raise SearchError("foreach needs one [subsearch] template after its fields",
                          span=node.span)
    if not names:
        raise SearchError("foreach needs a field or a wildcard field list", span=node.span)
    template = _template_text(subs[0], ctx)
    if "<<ITER>>" in template:
        raise UnsupportedError("foreach: <<ITER>> is not supported", span=subs[0].span)
    if mode == "multifield":
        return _multifield(node, names, template, subs[0], table, ctx)
    if len(names) != 1:
        raise SearchError(f"foreach: mode={mode} takes one field", span=node.span)
    return _per_value(node, mode, names[0], template, subs[0], table, ctx)


def _template_text(sub: ast.Subsearch, ctx) -> str:
    """The template as written between the brackets (it is filled in as text)."""
    text = ctx.text[sub.span.start:sub.span.end]
    if not (text.startswith("[") and text.endswith("]")):
        raise SearchError("foreach: the template's text is not available", span=sub.span)
    return text[1:-1]


def _multifield(node, patterns, template, sub, table, ctx):
    placeholders = {key: ast.option(node.options, key, default)
                    for key, default in PLACEHOLDERS.items()}
    visits: list[tuple[str, tuple[str, ...]]] = []
    seen: set[str] = set()
    for pattern in patterns:
        rx = name_regex(pattern)
        for column in table.columns:
            if column in seen or (column.startswith("_") and not pattern.startswith("_")):
                continue
            m = rx.match(column)
            if m is not None:
                if placeholders["matchstr"] in template and len(m.groups()) > 1:
                    raise UnsupportedError(
                        f"foreach: {placeholders['matchstr']} with the pattern {pattern}, which "
                        f"has more than one wildcard, is not supported", span=node.span)
                seen.add(column)
                visits.append((column, m.groups()))
    for column, groups in visits:
        text = template.replace(placeholders["fieldstr"], column)
        text = text.replace(placeholders["matchstr"], "".join(groups))
        for i in range(3):
            text = text.replace(placeholders[f"matchseg{i + 1}"],
                                groups[i] if i < len(groups) else "")
        table = _run_template(text, sub, table, ctx, f"field {column}")
    return table


def _items(mode: str, cell) -> list[str] | None:
    """The texts a result's cell gives ``<<ITEM>>``, or None to leave the result alone."""
    if mode == "multivalue":
        values = [_text(v) for v in mv_values(cell) if not is_null(v)]
        return values or None
    text = to_str(cell) if not isinstance(cell, list) else None
    try:
        doc = json.loads(text) if text is not None else None
    except (ValueError, RecursionError):
        return None
    if not isinstance(doc, list):
        return None
    return [_text(e) if isinstance(e, (str, int, float)) and not isinstance(e, bool)
            else json.dumps(e, separators=(",", ":"), ensure_ascii=False) for e in doc]


def _text(v) -> str:
    """A single value as the template's text (numbers as Splunk prints them)."""
    return v if isinstance(v, str) else format_number(v)


def _per_value(node, mode, field, template, sub, table, ctx):
    itemstr = ast.option(node.options, "itemstr", "<<ITEM>>")
    if field not in table.columns:
        return table
    pieces = []
    for i, cell in enumerate(table[field].tolist()):
        row = table.iloc[i:i + 1]
        for item in _items(mode, cell) or []:
            row = _run_template(template.replace(itemstr, item), sub, row, ctx,
                                f"value {item!r}")
        pieces.append(row)
    if not pieces:
        return table
    out = pd.concat(pieces).astype(object)
    return out.where(out.notna(), None)


_PARSED: dict[str, ast.Pipeline] = {}


def _run_template(text: str, sub: ast.Subsearch, table, ctx, what: str):
    """The filled-in template run over ``table`` (errors placed at the template)."""
    from spl.engine import check_supported
    from spl.syntax import parse

    source = text if text.lstrip().startswith("|") else "| " + text  # its commands, not a search
    try:
        pipeline = _PARSED.get(source)
        if pipeline is None:
            pipeline = parse(source)
            if len(_PARSED) < 1024:
                _PARSED[source] = pipeline
        check_supported(pipeline)
    except SplError as e:
        raise type(e)(f"foreach: the template filled in for {what} ({text.strip()!r}): "
                      f"{e.message}", span=sub.span) from None
    for cmd in pipeline.commands:
        run_cmd = commands.lookup(cmd.name)
        assert run_cmd is not None  # check_supported refused the others
        try:
            table = run_cmd(cmd, table, Context(now=ctx.now, tz=ctx.tz, text=source,
                                                session=ctx.session, warnings=ctx.warnings))
        except SplError as e:
            if e.text is None and e.span is not None:  # a place in the filled-in text
                raise type(e)(f"foreach: in the template filled in for {what} "
                              f"({text.strip()!r}): {e.message}", span=sub.span) from None
            raise
    return table
