"""Subsearches: run ``[ ... ]`` through the engine, and turn its results into a search.

A subsearch runs over the same session's events as the main search (with the same clock, time
zone and lookups). ``[ search ... ]`` and ``[ | search ... ]`` both search those events; any
other leading ``|`` command (``inputlookup``, ``makeresults``) starts from no rows.

As a search term, the results become what Splunk's implicit ``format`` makes of them
(https://help.splunk.com/en/splunk-enterprise/search/search-manual/9.2/subsearches/change-the-format-of-subsearch-results):
``(f1="v1" AND f2="v2") OR (f1="v3" ...)``, one group per result; fields whose name starts with
``_`` are ignored; the value of a field named ``search`` or ``query`` is inserted as search text;
a multivalue field gives ``(f="a" OR f="b")``; no results give ``NOT ()``, which matches nothing
(format page: https://help.splunk.com/en/splunk-enterprise/search/spl-search-reference/10.0/search-commands/format).
A subsearch term reads at most 10,000 results (limits.conf ``[subsearch] maxout``).
"""
from __future__ import annotations

import pandas as pd

from spl.context import Context
from spl.errors import SearchError, SplError
from spl.syntax import ast
from spl.values import is_null, mv_values, to_str

TERM_MAXOUT = 10_000


def run(sub: ast.Subsearch, ctx: Context, maxout: int | None = None) -> pd.DataFrame:
    """The results of a subsearch, at most ``maxout`` of them."""
    from spl.engine import execute

    pipeline = sub.pipeline
    session = ctx.session
    inner = Context(now=ctx.now, tz=ctx.tz, text=ctx.text, session=session,
                    warnings=ctx.warnings)
    own = getattr(session, "subsearch", None)  # a Session reads what the subsearch needs
    if own is not None:
        table = own(pipeline, inner)
    else:
        events = session.events if session is not None else pd.DataFrame(
            {"_time": pd.Series([], dtype=float)})
        table = execute(pipeline, events, inner)
    if maxout is not None and maxout > 0:
        table = table.iloc[:maxout]
    return table


def as_search(sub: ast.Subsearch, ctx: Context) -> ast.SearchExpr:
    """The search expression a subsearch term stands for (its results, formatted)."""
    return format_results(run(sub, ctx, TERM_MAXOUT), sub.span, ctx)


def format_results(table: pd.DataFrame, span, ctx: Context) -> ast.SearchExpr:
    """``format``: one AND group per result, the groups joined by OR."""
    nothing = ast.SearchNot(ast.SearchAnd((), span), span)  # NOT (): no event matches
    fields = [c for c in table.columns if not str(c).startswith("_")]
    groups: list[ast.SearchExpr] = []
    for row in table[fields].itertuples(index=False, name=None):
        terms: list[ast.SearchExpr] = []
        for name, cell in zip(fields, row):
            values = [to_str(v) for v in mv_values(cell) if not is_null(v)]
            if not values:
                continue
            if name in ("search", "query"):
                terms.extend(_search_text(v, span) for v in values)
                continue
            compares = [ast.Compare(name, "=", v, True, span) for v in values]
            terms.append(compares[0] if len(compares) == 1 else ast.SearchOr(tuple(compares), span))
        if terms:
            groups.append(terms[0] if len(terms) == 1 else ast.SearchAnd(tuple(terms), span))
    if not groups:
        return nothing
    return groups[0] if len(groups) == 1 else ast.SearchOr(tuple(groups), span)


def _search_text(text: str, span) -> ast.SearchExpr:
    """A ``search``/``query`` value: parsed as the terms of a search."""
    from spl.syntax import parse

    try:
        pipeline = parse(text)
    except SplError as e:
        raise type(e)(f"the subsearch returned search text that does not parse: {text!r} "
                      f"({e.message})", span=span) from None
    first = pipeline.commands[0] if pipeline.commands else None
    if len(pipeline.commands) != 1 or not isinstance(first, ast.Search):
        raise SearchError(f"the subsearch returned search text with commands: {text!r}",
                          span=span)
    return first.expr if first.expr is not None else ast.SearchAnd((), span)
