"""Helpers for engine tests: a table from plain rows, and a search run over it."""
from __future__ import annotations

from dataclasses import replace

import pandas as pd

from spl.context import Context
from spl.engine import execute
from spl.syntax import parse

NOW = 1_773_064_800.0  # 2026-03-09T14:00:00Z, a fixed "now" for searches that ask for it


def table(rows: list[dict]) -> pd.DataFrame:
    """An event table: one object column per field, None where a row lacks the field."""
    columns: list[str] = []
    for row in rows:
        columns += [k for k in row if k not in columns]
    return pd.DataFrame({c: pd.Series([row.get(c) for row in rows], dtype=object)
                         for c in columns})


def run(search: str, rows: list[dict] | pd.DataFrame, tz: str = "UTC") -> pd.DataFrame:
    """Run ``search`` (no macros) over ``rows`` in the order given.

    A search starting with ``|`` runs its commands over ``rows`` (rather than over no rows, as a
    generating search would), so each test states only the command it is about.
    """
    events = rows if isinstance(rows, pd.DataFrame) else table(rows)
    pipeline = replace(parse(search), generating=False)
    return execute(pipeline, events, Context(now=NOW, tz=tz, text=search))


def column(result: pd.DataFrame, name: str) -> list:
    """A result column as a list, None for nulls."""
    return [None if (isinstance(v, float) and v != v) else v for v in result[name].tolist()]
