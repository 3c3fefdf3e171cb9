"""Planning: what a parsed pipeline needs from the data, worked out before any of it is read.

Which fields the loader must extract (``required_fields``) and what text a record must hold to
be worth parsing (``search_terms``, for the pre-filter). Only the syntax tree and the commands'
own declarations (``reads``, ``narrows``: spl.commands) are looked at, so this module imports
neither pandas nor the commands: ``spl run`` plans and starts reading while the engine is still
being imported. tests/test_plan_differential.py checks that a planned load gives what a load of
every field gives.
"""
from __future__ import annotations

from spl.commands import declarations
from spl.fieldnames import has_wildcard
from spl.search.literals import literal_terms
from spl.syntax import ast


def required_fields(pipeline: ast.Pipeline, own_subsearches: bool = False) -> set[str] | None:
    """The event fields the pipeline can read, or None when it may read any field.

    The union of what each command declares it reads, up to the first command after which only
    the fields it names exist (stats, table, top, ``fields +``). Every field is asked for when a
    command may read any field (or one the registry does not know), when a name is a wildcard,
    when no command narrows the fields (whole events are the result, every field shows), and
    when the pipeline holds a subsearch: the terms it returns name fields (a lookup's columns, a
    ``search`` field's text) no one can list before it runs. Asking for a field that no event
    has costs nothing, so over-asking is safe; under-asking would lose matches.

    ``own_subsearches``: each subsearch reads the events for itself (spl.session.Session), so
    a command's subsearch needs nothing of this read (the command declares what it reads of the
    results); a subsearch among a search's terms still names fields no one can list.
    """
    if _searches_again(pipeline, own_subsearches) or own_subsearches and any(
            isinstance(node, ast.SubsearchTerm) for node in ast.walk(pipeline)):
        return None
    specs = declarations()
    names: set[str] = set()
    for cmd in pipeline.commands:
        spec = specs.get(cmd.name)
        if spec is None:
            return None
        read = spec.reads(cmd)
        if read is None or any(has_wildcard(n) for n in read):
            return None
        names |= read
        if spec.narrows(cmd):
            return names - {"_time"}  # every event has it (made from eventTime)
    return None


def returns_events(pipeline: ast.Pipeline) -> bool:
    """Whether a search returns events as they are: searches and ``where``, then at most
    ``table *`` (spl.session.Session.stream can then give them a batch at a time, each batch's
    columns the loader's order of its fields)."""
    cmds = pipeline.commands
    if cmds and isinstance(cmds[-1], ast.Table) and cmds[-1].fields == ("*",):
        cmds = cmds[:-1]
    return (not pipeline.generating and bool(cmds) and isinstance(cmds[0], ast.Search)
            and all(isinstance(c, (ast.Search, ast.Where)) for c in cmds))


def search_terms(pipeline: ast.Pipeline, own_subsearches: bool = False):
    """What a record must contain to survive the pipeline's first search (spl.search.literal_terms),
    or None when the pipeline does not start by searching the events.

    A subsearch (join, append, ``[ ... ]``) searches the same events for other records, so a
    pipeline holding one reads every record; so does one with a command the registry does not
    know (it may read the events in its own way).

    Commands that see every field (fillnull without a field list, ``table *``, ``fields a*``)
    do not stop the pre-filter: right after the first search the engine keeps only the fields
    the found events have (spl.engine), and those events are the same with or without it.
    """
    if pipeline.generating or not pipeline.commands:
        return None
    if _searches_again(pipeline, own_subsearches):
        return None
    specs = declarations()
    if any(cmd.name not in specs for cmd in pipeline.commands):
        return None
    first = pipeline.commands[0]
    if not isinstance(first, ast.Search) or first.expr is None:
        return None
    return literal_terms(first.expr)


def _searches_again(pipeline: ast.Pipeline, own_subsearches: bool = False) -> bool:
    """Whether the pipeline searches the events of this read again: a subsearch (unless each
    reads for itself), or ``map``, whose ``search="..."`` is a search kept as text
    (spl/commands/map_.py)."""
    return any((isinstance(node, ast.Subsearch) and not own_subsearches)
               or (isinstance(node, ast.Generic) and node.name == "map")
               for node in ast.walk(pipeline))


def reads_by_session(pipeline: ast.Pipeline) -> bool:
    """Whether a search is best run by a Session that loads the times and lets each part read
    what it needs: one starting with ``tstats`` (its data model's fields, which the plan cannot
    tell: the model's directories come with the session; spl.session.Session.events_of), or
    one with a subsearch (each reads for itself, and the search then reads its own records,
    pre-filtered), instead of every field of every event for all of them."""
    cmds = pipeline.commands
    if pipeline.generating and cmds and cmds[0].name == "tstats":
        return True
    return _searches_again(pipeline) and not _searches_again(pipeline, own_subsearches=True)
