"""Results as a person or a program reads them: a rich table, JSON or CSV.

Multivalue cells are JSON arrays (one value per line in a table and in CSV); numbers print as
Splunk prints them (integers without ``.0``); ``_time`` renders as an ISO-8601 time in the
session's zone, as Splunk's exports do.
"""
from __future__ import annotations

import io

import pandas as pd
from rich.console import Console
from rich.table import Table
from rich.text import Text

from spl import output
from spl.output import cell_value  # one cell, for tables here and the REPL


def display_columns(table: pd.DataFrame) -> list[str]:
    """Columns to show: ``_raw`` only when nothing else is there, ``_time`` first."""
    cols = [c for c in table.columns if c != "_raw"] or list(table.columns)
    if "_time" in cols:
        cols = ["_time"] + [c for c in cols if c != "_time"]
    return cols


def to_json(table: pd.DataFrame, tz: str = "UTC", extra: list[dict] | None = None) -> str:
    """The result as one JSON text (spl.output.write_json's bytes without the last newline)."""
    buf = io.BytesIO()
    output.write_json(output.batches(table), buf, tz, extra)
    return buf.getvalue().decode()[:-1]


def to_csv(table: pd.DataFrame, tz: str = "UTC") -> str:
    buf = io.BytesIO()
    output.write_csv(output.batches(table), buf, tz)
    return buf.getvalue().decode()


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


def show(table: pd.DataFrame, fmt: str, console: Console, tz: str = "UTC",
         max_rows: int | None = None) -> int:
    """Print ``table`` in format ``fmt`` (table, json or csv); returns the rows shown. json and
    csv stream every row to the console's file (spl.output); a table shows the first
    ``max_rows`` (all when None or 0) and the count of all."""
    if fmt in ("json", "csv"):
        return output.write(fmt, output.batches(table), output.byte_stream(console.file), tz)
    n = len(table)
    table = table.head(max_rows) if max_rows else table
    if _fits(table, console.width):
        console.print(to_rich(table, tz))
    else:
        for card in to_cards(table, tz):
            console.print(card)
    console.print(f"{n} result{'s' if n != 1 else ''}", style="dim")
    return len(table)
