"""map: run a search once per result, with the result's values put into it.

Splunk (https://help.splunk.com/splunk-enterprise/spl-search-reference/9.4/search-commands/map):
``map (<searchoption> | <savedsplunkoption>) [maxsearches=<int>]``, where the search is
``search="<string>"`` or a ``[subsearch]``, and ``$field$`` in it stands for the value of that
field in the result being mapped (``$_serial_id$``: the result's number, from 1). The searches
run over the same events as the main search (spl.subsearch) and their results, one search after
the other in result order, replace the input. ``maxsearches`` (default 10) is how many results
are mapped; "a message is generated if there are more search results than the maximum", here a
warning. Saved searches (``savedsearch=``) are not supported: spl has none.

spl's readings (pinned in tests/test_cmd_map.py): a value is put in as its text, unquoted (the
search writes quotes around ``$field$`` when it needs them); a multivalue field gives its values
joined by a space; a result lacking a field the search names runs no search; ``$$`` stands for
one ``$``.
"""
from __future__ import annotations

import re

import pandas as pd

from spl import subsearch
from spl.commands import command
from spl.commands._args import check_known, integer
from spl.commands.append import concat
from spl.context import Context
from spl.errors import SearchError, SplError, UnsupportedError
from spl.syntax import ast
from spl.syntax.parser import parse
from spl.values import is_null, mv_values, to_str

MAXSEARCHES = 10
_TOKEN = re.compile(r"\$(\$|[^$\s]+)\$")


def reads(node) -> None:
    """The search may name any field of the results."""
    return None


@command("map", reads=reads, narrows=True,
          doc='Runs a search once per result, with $field$ filled from that result.',
          syntax='map (search="string" | [ subsearch ]) [maxsearches=N]')
def run(node: ast.Generic, table: pd.DataFrame, ctx: Context) -> pd.DataFrame:
    check_known(node, {"search", "maxsearches"}, unsupported={"savedsearch"})
    most = integer(node, "maxsearches", MAXSEARCHES, minimum=1)
    text = _search_text(node, ctx)
    if len(table) > most:
        ctx.warn(f"map: {len(table)} results, only the first {most} were mapped "
                 f"(maxsearches={most})")
    records = table.iloc[:most].to_dict("records")
    out = pd.DataFrame()
    for i, record in enumerate(records, 1):
        search = _substitute(text, record, i)
        if search is None:
            continue
        try:
            pipeline = parse(search)
        except SplError as e:
            raise SearchError(f"map: the search for result {i} does not parse: {search!r} "
                              f"({e.message})", span=node.span) from None
        results = subsearch.run(ast.Subsearch(pipeline, node.span), ctx)
        out = results if out.empty and not len(out.columns) else concat(out, results)
    return out


def _search_text(node: ast.Generic, ctx: Context) -> str:
    """The search to map: ``search="..."`` or the text of the ``[subsearch]``."""
    option = ast.option(node.options, "search")
    subs = [a for a in node.args if isinstance(a, ast.Subsearch)]
    if option is not None and not subs and not node.args:
        return option
    if option is None and len(subs) == 1 and len(node.args) == 1 and ctx.text:
        span = subs[0].span
        return ctx.text[span.start + 1:span.end - 1]
    if option is None and not node.args:
        raise UnsupportedError("map: only search=\"...\" or a [subsearch] is supported "
                               "(spl has no saved searches)", span=node.span)
    raise SearchError('map takes search="<search>" or one [subsearch], and maxsearches',
                      span=node.span)


def _substitute(text: str, record: dict, serial: int) -> str | None:
    """``text`` with each ``$field$`` replaced; None when the result lacks one of the fields."""
    missing = False

    def value(m: re.Match) -> str:
        nonlocal missing
        name = m.group(1)
        if name == "$":
            return "$"
        if name == "_serial_id":
            return str(serial)
        cell = record.get(name)
        if is_null(cell):
            missing = True
            return ""
        return " ".join(to_str(v) for v in mv_values(cell))

    out = _TOKEN.sub(value, text)
    return None if missing else out
