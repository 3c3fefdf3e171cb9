"""Run a parsed pipeline over an event table: one command function after another
(spl/commands/). What the data must provide is worked out beforehand by spl.plan.
"""
from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from spl import commands
from spl.context import Context
from spl.syntax import ast
from spl.vocabulary import refuse


def check_supported(pipeline: ast.Pipeline) -> None:
    """Refuse, before any row is read, a command or function the engine cannot run.

    Splunk rejects an unknown command or function when the search is parsed, whatever the
    data; so do we, rather than only when a row reaches it (or never, on no rows).
    """
    for node in ast.walk(pipeline):
        lacked = lacking(node)
        if lacked is not None:
            raise refuse(*lacked, node.span)


def lacking(node: object) -> tuple[str, str, Iterable[str]] | None:
    """(kind, name, the names the engine has) when ``node`` is a command, eval function or
    stats function the engine cannot run (spl.vocabulary words the refusal); else None."""
    from spl import aggregates
    from spl.eval import functions

    if isinstance(node, ast.Command) and commands.lookup(node.name) is None:
        return "command", node.name, commands.supported()
    if isinstance(node, ast.Call) and functions.lookup(node.name) is None:
        return "eval function", node.name, functions.names()
    if isinstance(node, ast.Aggregation) and aggregates.lookup(node.func) is None:
        return "stats function", node.func, aggregates.names()
    return None


def execute(pipeline: ast.Pipeline, events: pd.DataFrame, ctx: Context) -> pd.DataFrame:
    """Run every command of ``pipeline``; a generating pipeline starts from no rows.

    ``| search ...`` at the start is the search command itself, so it searches the events.
    """
    check_supported(pipeline)
    starts_searching = bool(pipeline.commands) and isinstance(pipeline.commands[0], ast.Search)
    table = pd.DataFrame() if pipeline.generating and not starts_searching else events
    for i, cmd in enumerate(pipeline.commands):
        run = commands.lookup(cmd.name)
        assert run is not None  # check_supported refused the commands the engine lacks
        table = run(cmd, table, ctx)
        if i == 0 and starts_searching:
            table = present_fields(table)
    return finish(table, pipeline, ctx)


_KEPT = ("_time", "_raw")  # every event has them


def present_fields(table: pd.DataFrame) -> pd.DataFrame:
    """Only the fields some found event has: a field of other events does not exist here.

    The event table holds a column for every field of every loaded event; after the search, a
    column with no value is a field none of the results has, and commands that act on "all
    fields" (``fillnull`` with no list, ``table *``) must not see it.
    """
    empty = _empty_columns(table, [c for c in table.columns if c not in _KEPT])
    return table.drop(columns=empty) if empty else table


_CELLS = 4_000_000  # cells tested for null at a time: bounds the Boolean table made for them


def _empty_columns(table: pd.DataFrame, columns: list) -> list:
    """The ``columns`` whose every cell is null. Tested a slice of rows at a time over all the
    columns still without a value (one null test per slice of the table, not one per column:
    events have hundreds of fields), so most columns are settled by the first, small slice; the
    slices grow eight times each, for the fields few events have."""
    todo = list(dict.fromkeys(columns))
    start, rows = 0, 256  # a small first slice settles the fields most events have
    while todo and start < len(table):
        step = min(rows, max(1024, _CELLS // len(todo)))
        has = table.iloc[start:start + step][todo].notna().any().to_numpy()
        todo = [c for c, found in zip(todo, has) if not found]
        start, rows = start + step, rows * 8
    return todo


def finish(table: pd.DataFrame, pipeline: ast.Pipeline, ctx: Context) -> pd.DataFrame:
    """Drop fields no row has (Splunk shows no column for them), but keep what `table` named;
    then format the fields a ``fieldformat`` names (spl/commands/fieldformat.py)."""
    from spl.commands import fieldformat

    table = fieldformat.apply(pipeline, table, ctx)
    pinned: set[str] = set()
    for cmd in pipeline.commands:
        if isinstance(cmd, ast.Table):
            pinned = set(table.columns)
    empty = _empty_columns(table, [c for c in table.columns if c not in pinned])
    if empty:
        table = table.drop(columns=empty)
    return table.reset_index(drop=True)
