"""Results as a person or a program reads them: a rich table, JSON or CSV.

Multivalue cells are JSON arrays (one value per line in a table and in CSV); numbers print as
Splunk prints them (integers without ``.0``); ``_time`` renders as an ISO-8601 time in the
session's zone, as Splunk's exports do.
"""
from __future__ import annotations

import csv
import io

import orjson
import pandas as pd
from rich.console import Console
from rich.table import Table
from rich.text import Text

from spl import timefmt
from spl.values import is_null, to_number, to_str

TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%3N%:z"


def cell_value(column: str, v, tz: str):
    """One cell as JSON-ready data: None, a string, or a list of strings."""
    if is_null(v):
        return None
    if column == "_time":
        n = to_number(v)
        return timefmt.strftime(float(n), TIME_FORMAT, tz) if n is not None else to_str(v)
    if isinstance(v, list):
        return [to_str(x) for x in v]
    return to_str(v)


def display_columns(table: pd.DataFrame) -> list[str]:
    """Columns to show: ``_raw`` only when nothing else is there, ``_time`` first."""
    cols = [c for c in table.columns if c != "_raw"] or list(table.columns)
    if "_time" in cols:
        cols = ["_time"] + [c for c in cols if c != "_time"]
    return cols


def records(table: pd.DataFrame, tz: str = "UTC", columns: list[str] | None = None) -> list[dict]:
    """Rows as dicts without their null fields (Splunk's JSON results omit them)."""
    columns = columns or list(table.columns)
    out = []
    for row in table[columns].itertuples(index=False, name=None):
        item = {}
        for c, v in zip(columns, row):
            value = cell_value(c, v, tz)
            if value is not None:
                item[c] = value
        out.append(item)
    return out


def to_json(table: pd.DataFrame, tz: str = "UTC", extra: list[dict] | None = None) -> str:
    rows = records(table, tz)
    for row, more in zip(rows, extra or []):
        row.update(more)
    return orjson.dumps(rows, option=orjson.OPT_INDENT_2).decode()


def to_csv(table: pd.DataFrame, tz: str = "UTC") -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    columns = list(table.columns)
    writer.writerow(columns)
    for row in table.itertuples(index=False, name=None):
        cells = [cell_value(c, v, tz) for c, v in zip(columns, row)]
        writer.writerow(["\n".join(x) if isinstance(x, list) else ("" if x is None else x)
                         for x in cells])
    return buf.getvalue()


def _text(value) -> Text:
    """A cell as plain text: data is never read as rich markup (``[aws-sdk-go]`` stays)."""
    if value is None:
        return Text("")
    return Text("\n".join(value) if isinstance(value, list) else value)


def to_rich(table: pd.DataFrame, tz: str = "UTC", title: str | None = None) -> Table:
    columns = display_columns(table)
    out = Table(title=title, show_lines=True)
    for c in columns:
        out.add_column(Text(c), overflow="fold")
    for row in table[columns].itertuples(index=False, name=None):
        cells = [cell_value(c, v, tz) for c, v in zip(columns, row)]
        out.add_row(*[_text(x) for x in cells])
    return out


def to_cards(table: pd.DataFrame, tz: str = "UTC") -> list[Table]:
    """One two-column (field, value) table per result: for results too wide for the terminal."""
    cards = []
    columns = display_columns(table)
    for i, row in enumerate(table[columns].itertuples(index=False, name=None), 1):
        card = Table(title=f"result {i}", show_header=False, title_justify="left")
        card.add_column("field", style="bold", no_wrap=True)
        card.add_column("value", overflow="fold")
        for c, v in zip(columns, row):
            value = cell_value(c, v, tz)
            if value is not None:
                card.add_row(Text(c), _text(value))
        cards.append(card)
    return cards


def _fits(table: pd.DataFrame, width: int) -> bool:
    """Whether a column per field leaves each a readable width (values up to 24 characters)."""
    needed = 1
    for c in display_columns(table):
        longest = max([len(c)] + [len(str(v)) for v in table[c].head(50).tolist()])
        needed += min(longest, 24) + 3
    return needed <= width


def show(table: pd.DataFrame, fmt: str, console: Console, tz: str = "UTC") -> None:
    """Print ``table`` in format ``fmt`` (table, json or csv)."""
    if fmt == "json":
        console.print(to_json(table, tz), markup=False, highlight=False, soft_wrap=True)
    elif fmt == "csv":
        console.print(to_csv(table, tz), markup=False, highlight=False, soft_wrap=True, end="")
    else:
        if _fits(table, console.width):
            console.print(to_rich(table, tz))
        else:
            for card in to_cards(table, tz):
                console.print(card)
        n = len(table)
        console.print(f"{n} result{'s' if n != 1 else ''}", style="dim")
