"""Planning: what a parsed pipeline needs from the data, worked out before any of it is read.

Which fields the loader must extract (``required_fields``) and what text a record must hold to
be worth parsing (``search_terms``, for the pre-filter). Only the syntax tree is looked at, so
this module imports neither pandas nor the commands: ``spl run`` plans and starts reading while
the engine is still being imported.
"""
from __future__ import annotations

from spl.fieldnames import has_wildcard
from spl.search.literals import literal_terms
from spl.search.patterns import is_match_all
from spl.syntax import ast

# Commands after which only the fields they name (or produce) exist.
_NARROWING = (ast.Stats, ast.Table, ast.Top)


def required_fields(pipeline: ast.Pipeline) -> set[str] | None:
    """The event fields the pipeline can read, or None when it may read any field.

    Conservative by design: every name mentioned anywhere before the first command that narrows
    the fields (stats, table, top, ...) is requested, and a wildcard, an unknown command or a
    pipeline that returns whole events asks for everything. So does a subsearch: the terms it
    returns name fields (a lookup's columns, a ``search`` field's text) no one can list before
    it runs. Requesting a field that no event has costs nothing, so over-asking is safe;
    under-asking would lose matches.
    """
    if any(isinstance(node, ast.Subsearch) for node in ast.walk(pipeline)):
        return None
    names: set[str] = set()
    for cmd in pipeline.commands:
        if isinstance(cmd, (ast.Generic, ast.Spath, ast.Join, ast.Append, ast.Lookup,
                            ast.InputLookup, ast.From, ast.MvExpand, ast.MakeMv,
                            ast.Tstats)):
            return None  # (tstats: a data model's fields come from any field of the events)
        if isinstance(cmd, ast.Fields) and not cmd.remove:
            mentioned = _names_in(cmd)
            # fields keeps _raw and _time unless they are removed (spl/commands/fields.py)
            return None if mentioned is None else names | mentioned | {"_raw"}
        mentioned = _names_in(cmd)
        if mentioned is None:
            return None
        names |= mentioned
        if isinstance(cmd, _NARROWING) and not isinstance(cmd, (ast.EventStats, ast.StreamStats)):
            return names
    return None  # whole events are the result: every field shows


def search_terms(pipeline: ast.Pipeline):
    """What a record must contain to survive the pipeline's first search (spl.search.literal_terms),
    or None when the pipeline does not start by searching the events.

    A subsearch (join, append, ``[ ... ]``) searches the same events for other records, so a
    pipeline holding one reads every record; so does one with a command of unknown effect.

    Commands that see every field (fillnull without a field list, ``table *``, ``fields a*``)
    do not stop the pre-filter: right after the first search the engine keeps only the fields
    the found events have (spl.engine), and those events are the same with or without it.
    """
    if pipeline.generating or not pipeline.commands:
        return None
    if any(isinstance(node, ast.Subsearch) for node in ast.walk(pipeline)):
        return None
    if any(isinstance(cmd, ast.Generic) for cmd in pipeline.commands):
        return None
    first = pipeline.commands[0]
    if not isinstance(first, ast.Search) or first.expr is None:
        return None
    return literal_terms(first.expr)


def _names_in(node) -> set[str] | None:
    """Every field name a node mentions, or None if one of them is a wildcard pattern."""
    found: set[str] = set()
    for item in ast.walk(node):
        if isinstance(item, ast.Field):
            found.add(item.name)
        elif isinstance(item, ast.Term) and not is_match_all(item.value):
            found.add("_raw")  # a keyword is looked for in _raw
        elif isinstance(item, ast.Call) and item.name.lower() == "searchmatch":
            found.add("_raw")
        elif isinstance(item, (ast.Compare, ast.FieldIn)):
            found.add(item.field)
        elif isinstance(item, ast.Aggregation) and item.field:
            found.add(item.field)
        elif isinstance(item, ast.Assignment):
            found.add(item.field)
        elif isinstance(item, (ast.SortKey, ast.Conversion)):
            found.add(item.field)
        if isinstance(item, (ast.Stats, ast.Top)):
            found.update(item.by)
        if isinstance(item, (ast.Table, ast.Fields, ast.Dedup, ast.FillNull, ast.Top)):
            found.update(item.fields)
        if isinstance(item, ast.Rename):
            for old, new in item.pairs:
                found.update((old, new))
        if isinstance(item, ast.Bin):
            found.add(item.field)
        if isinstance(item, ast.Rex):
            return None  # its named groups create fields we cannot list without compiling it
    if any(has_wildcard(n) for n in found):
        return None
    return found
