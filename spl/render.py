"""Results as a person or a program reads them: a rich table, JSON or CSV.

Multivalue cells are JSON arrays (one value per line in a table and in CSV); numbers print as
Splunk prints them (integers without ``.0``); ``_time`` renders as an ISO-8601 time in the
session's zone, as Splunk's exports do.

Output is inert. Logged values are written by whoever called the API (a CloudTrail
``userAgent`` is any text a client chose), so everything a terminal shows passes through
:func:`inert`: a control character or escape sequence prints as its escape (``\x1b``,
``\u202e``) instead of moving the cursor, clearing the screen, setting the clipboard (OSC 52) or
reordering what is shown; table cells are rich ``Text``, never read as markup. ``--format json``
and ``csv`` are for programs: :func:`emit` writes them byte for byte, uninterpreted by rich
(which would turn ``:smile:`` into an emoji and drop a carriage return).

This module imports neither pandas nor the engine, so the CLI can use it on any error path.
"""
from __future__ import annotations

import io
import shutil
import unicodedata
from typing import TYPE_CHECKING

from spl import timefmt
from spl.values import is_null, to_number, to_str

if TYPE_CHECKING:  # rich is imported by the functions that draw: JSON and CSV output need none
    import pandas as pd
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from spl.errors import SplError

TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%3N%:z"

# Unicode categories whose characters act on the terminal or hide text instead of showing a
# glyph: Cc (C0 controls with ESC, DEL, C1 controls with the 8-bit CSI 0x9b), Cf (format
# characters: the bidi overrides and isolates of "Trojan Source", CVE-2021-42574, which show
# "invoice<U+202E>fdp.exe" as "invoiceexe.pdf"; zero-width spaces; the tag characters of
# "ASCII smuggling"),
# Cs (lone surrogates, which the terminal's encoder cannot even write) and the line and
# paragraph separators Zl/Zp. Kept: the zero-width (non-)joiners U+200C/U+200D, which Persian and
# Indic scripts and emoji sequences need and which reorder nothing. Private-use and unassigned
# code points show as a box, harmlessly, and stay.
_ACTIVE = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
_KEEP = frozenset("\u200c\u200d")
_NAMED = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def _escape(ch: str) -> str:
    if ch in _NAMED:
        return _NAMED[ch]
    cp = ord(ch)
    return f"\\x{cp:02x}" if cp < 0x100 else f"\\u{cp:04x}" if cp < 0x10000 else f"\\U{cp:08x}"


def inert(text: str) -> str:
    """``text`` safe to show on a terminal: each active character (see ``_ACTIVE``) as its
    Python-style escape, every other character as it is.

    Newlines and tabs are escaped too, so a value is always one line that no value can fake.
    A backslash stays a backslash: the escapes are for a person to see; the exact value is in
    ``--format json`` or ``csv``."""
    if text.isprintable():  # the common case, checked in C
        return text
    return "".join(_escape(ch) if ch not in _KEEP and unicodedata.category(ch) in _ACTIVE
                   else ch for ch in text)


def inert_lines(text: str) -> str:
    """Like :func:`inert`, but line breaks stay: for text made of lines (a message, a search)."""
    return "\n".join(inert(line) for line in text.split("\n"))


def error_text(err: SplError, width: int | None = None) -> str:
    """An error as a terminal shows it: its message, file and search line made inert, the caret
    still under the text it points at; a long search line cut to the part around the error so
    that it fits ``width`` columns (default: the terminal's, 80 when there is none)."""
    if width is None:
        width = shutil.get_terminal_size((80, 24)).columns
    return err.render(clean=inert_lines, width=width)


def emit(console: Console, text: str) -> None:
    """Write ``text`` to the console's file exactly (JSON and CSV: no markup, emoji codes or
    stripped control characters)."""
    console.file.write(text)
    console.file.flush()


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


def to_json(table: pd.DataFrame, tz: str = "UTC", extra: list[dict] | None = None) -> str:
    """The result as one JSON text (spl.output.write_json's bytes without the last newline)."""
    from spl import output  # here: it imports pandas, and render must not (see above)

    buf = io.BytesIO()
    output.write_json(output.batches(table), buf, tz, extra)
    return buf.getvalue().decode()[:-1]


def to_csv(table: pd.DataFrame, tz: str = "UTC") -> str:
    from spl import output  # here: it imports pandas, and render must not (see above)

    buf = io.BytesIO()
    output.write_csv(output.batches(table), buf, tz)
    return buf.getvalue().decode()


def _text(value) -> Text:
    """A cell as plain text: data is never read as rich markup (``[aws-sdk-go]`` stays)."""
    from rich.text import Text

    if value is None:
        return Text("")
    return Text("\n".join(inert(v) for v in value) if isinstance(value, list) else inert(value))


def to_rich(table: pd.DataFrame, tz: str = "UTC", title: str | None = None) -> Table:
    from rich.table import Table
    from rich.text import Text

    columns = display_columns(table)
    out = Table(title=Text(inert(title)) if title else None, show_lines=True)
    for c in columns:
        out.add_column(Text(inert(c)), overflow="fold")
    for row in table[columns].itertuples(index=False, name=None):
        cells = [cell_value(c, v, tz) for c, v in zip(columns, row)]
        out.add_row(*[_text(x) for x in cells])
    return out


def to_cards(table: pd.DataFrame, tz: str = "UTC") -> list[Table]:
    """One two-column (field, value) table per result: for results too wide for the terminal."""
    from rich.table import Table
    from rich.text import Text

    cards = []
    columns = display_columns(table)
    for i, row in enumerate(table[columns].itertuples(index=False, name=None), 1):
        card = Table(title=f"result {i}", show_header=False, title_justify="left")
        card.add_column("field", style="bold", no_wrap=True)
        card.add_column("value", overflow="fold")
        for c, v in zip(columns, row):
            value = cell_value(c, v, tz)
            if value is not None:
                card.add_row(Text(inert(c)), _text(value))
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
        from spl import output

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
