"""Results written as they arrive: JSON by orjson, CSV as the csv module quotes it, a batch at a
time.

Building one JSON string of 200k events and printing it through rich took minutes and gigabytes.
Here each batch of rows (a DataFrame; ``batches`` cuts a finished result, an engine can feed its
chunks in order) is converted a column at a time -- strings pass through untouched, numbers and
``_time`` are formatted for the whole column at once -- serialized, and written to a byte stream,
so memory holds the result table and one batch. The bytes are those of one document for the whole
result: a JSON array of result objects (null fields left out, a multivalue field an array of
strings, ``_time`` as ISO-8601 in the session's zone, as Splunk's exports give it), or a CSV
header line and a line a row (a multivalue cell one value a line).
"""
from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from typing import Protocol

import numpy as np
import orjson
import pandas as pd

from spl import timefmt
from spl.render import cell_value

BATCH_ROWS = 5000  # a batch's dicts and bytes stay in the tens of MB even for wide events
# Seconds that timefmt.strftime renders (years 1 to 9999); outside them it raises SearchError.
_FIRST, _LAST = -62135596800, 253402300799


def batches(table: pd.DataFrame, rows: int = BATCH_ROWS) -> Iterator[pd.DataFrame]:
    """The table in slices of ``rows`` rows; an empty table is one empty slice (its columns
    still name the CSV header)."""
    yield table.iloc[:rows]
    for start in range(rows, len(table), rows):
        yield table.iloc[start:start + rows]


def column_values(name: str, column: pd.Series, tz: str = "UTC") -> list:
    """A column's cells as ``cell_value`` gives them (None for null), worked out for the whole
    column where its type allows: a column of strings and None (most of an event table) is
    passed through as it is."""
    return _column(name, column, tz)[0]


def _column(name: str, column: pd.Series, tz: str) -> tuple[list, bool]:
    """``column_values``, and whether a cell may be a multivalue list."""
    dtype = column.dtype
    if isinstance(dtype, pd.StringDtype) and dtype.na_value is np.nan:
        # pandas' str dtype: NaN is null. pandas takes na_value=None; pandas-stubs leave None out
        values = column.to_numpy(dtype=object, na_value=None)  # type: ignore[call-overload]
    elif isinstance(dtype, np.dtype):
        values = column.to_numpy()
    else:  # an extension type: cell by cell, as its values iterate
        return [cell_value(name, v, tz) for v in column], True
    kind = values.dtype.kind
    if kind in "iuf" and (name == "_time" or kind == "f"):
        x = values.astype(np.float64, copy=False)
        present = ~np.isnan(x)
        out = np.full(len(x), None, dtype=object)
        out[present] = _times(x[present], tz) if name == "_time" else _numbers(x[present])
        return out.tolist(), False
    if kind in "iu":
        return list(map(str, values.tolist())), False
    if kind == "b" and name != "_time":
        return ["true" if v else "false" for v in values.tolist()], False
    if kind != "O":
        return [cell_value(name, v, tz) for v in column], True
    # numpy compares each object with None; its stubs take no None operand
    given = values[~np.equal(values, None)]  # type: ignore[call-overload]
    cells = values.tolist()
    if name == "_time":  # a number is a time; a numeric string too
        if set(map(type, given)) <= {float, int}:
            times = pd.Series([np.nan if v is None else v for v in cells], dtype=np.float64)
            return _column(name, times, tz)
        return [cell_value(name, v, tz) for v in cells], True
    if not len(given) or pd.api.types.infer_dtype(given, skipna=False) == "string":
        return cells, False
    return [v if type(v) is str else cell_value(name, v, tz) for v in cells], True


def _numbers(x: np.ndarray) -> list[str]:
    """Non-NaN doubles as Splunk prints them (values.format_number): whole numbers below 1e16
    without a point, the rest as Python's repr (``2.5``, ``1e+16``, ``inf``)."""
    whole = np.isfinite(x) & (np.trunc(x) == x) & (np.abs(x) < 1e16)
    out = np.where(whole, x, 0).astype(np.int64).astype(str).astype(object)
    if not whole.all():
        out[~whole] = [repr(v) for v in x[~whole].tolist()]
    return out.tolist()


def _times(epoch: np.ndarray, tz: str) -> list[str]:
    """Epoch seconds as ISO-8601 with milliseconds in zone ``tz`` (TIME_FORMAT), a column at a
    time: numpy formats UTC dates; another zone's offset is worked out once a distinct second."""
    if not len(epoch):
        return []
    with np.errstate(invalid="ignore", over="ignore"):
        micros = np.rint(epoch * 1_000_000)  # round half to even, as timefmt's round() does
    finite = np.isfinite(micros).all()
    secs = np.floor_divide(micros, 1_000_000) if finite else None
    if secs is None or (len(secs) and (secs.min() < _FIRST or secs.max() > _LAST)):
        return [cell_value("_time", v, tz) for v in epoch.tolist()]  # raises its SearchError
    micros = micros.astype(np.int64)
    if timefmt.zone(tz) is timefmt.zone("UTC"):
        stamps = np.datetime_as_string(micros.astype("datetime64[us]"), unit="ms").tolist()
        return [s + "+00:00" for s in stamps]
    seconds, where = np.unique(micros // 1_000_000, return_inverse=True)
    local = [timefmt.strftime(s, "%Y-%m-%dT%H:%M:%S %:z", tz).split(" ")
             for s in seconds.tolist()]
    millis = (micros % 1_000_000 // 1000).tolist()
    return [f"{local[w][0]}.{ms:03d}{local[w][1]}" for w, ms in zip(where.tolist(), millis)]


def _rows(batch: pd.DataFrame, tz: str) -> list[dict]:
    """A batch as result objects without their null fields, keys in column order."""
    names = list(batch.columns)
    if not names:
        return [{} for _ in range(len(batch))]
    columns = [column_values(name, batch.iloc[:, k], tz) for k, name in enumerate(names)]
    return [{k: v for k, v in zip(names, row) if v is not None} for row in zip(*columns)]


def write_json(parts: Iterable[pd.DataFrame], stream: ByteSink, tz: str = "UTC",
               extra: Sequence[dict] | None = None) -> int:
    """Write one JSON array (indented by two spaces, a newline after it) of the rows of
    ``parts``, each batch serialized by orjson as it comes; ``extra[i]`` adds fields to row i
    (``spl detect``'s risk message). Returns the number of rows."""
    n = 0
    for batch in parts:
        rows = _rows(batch, tz)
        if extra:
            for row, more in zip(rows, extra[n:n + len(rows)]):
                row.update(more)
        if rows:
            # orjson indents the batch as the array's elements; drop its own "[\n" and "\n]"
            stream.write(b"[\n" if n == 0 else b",\n")
            stream.write(orjson.dumps(rows, option=orjson.OPT_INDENT_2)[2:-2])
        n += len(rows)
    stream.write(b"\n]\n" if n else b"[]\n")
    return n


def write_csv(parts: Iterable[pd.DataFrame], stream: ByteSink, tz: str = "UTC") -> int:
    """Write a CSV header (the first batch's columns) and a line a row, UTF-8, ``\\n`` line
    ends; a null is an empty cell, a multivalue cell its values one a line. Returns the rows.

    The header is the csv module's; the rows are joined here with its quoting rules (_Quoter),
    a column at a time: the module copies text a character at a time, 20 MB/s on events,
    slower than everything else here together."""
    quote = _Quoter()
    header = None
    n = 0
    for batch in parts:
        names = list(batch.columns)
        if header is None:
            header = names
            stream.write(quote.line(header).encode("utf-8"))
        elif names != header:
            raise ValueError(f"CSV output: a later batch has the fields {names}, not {header}")
        columns = []
        for k, name in enumerate(names):
            cells, lists = _column(name, batch.iloc[:, k], tz)
            if lists:
                cells = ["\n".join(c) if type(c) is list else c for c in cells]
            columns.append(quote.column(cells))
        if len(columns) == 1:  # the csv module writes a row of one empty field as ""
            columns = [[c or '""' for c in columns[0]]]
        lines = map(",".join, zip(*columns)) if columns else [""] * len(batch)
        stream.write(("\n".join(lines) + "\n").encode("utf-8") if len(batch) else b"")
        n += len(batch)
    return n


class _Quoter:
    """Fields as the csv module writes them (QUOTE_MINIMAL, double quotes doubled, ``\\n``
    line ends): a field holding a character that makes this Python's module quote is put in
    double quotes, its own doubled; the rest are written as they are. A carriage return is
    quoted too, although the module (line ends ``\\n``) leaves it bare: a bare CR splits the
    row for most CSV readers."""

    def __init__(self):
        self.buf = io.StringIO()
        self.writer = csv.writer(self.buf, lineterminator="\n")
        # which of these make the module quote is asked of the module, not assumed
        self.special = re.compile("[" + "".join(
            re.escape(c) for c in ',"\r\n'
            if c == "\r" or self.line([f"a{c}b"]).startswith('"')) + "]")

    def line(self, fields: list) -> str:
        """One line by the csv module itself."""
        self.buf.seek(0)
        self.buf.truncate()
        self.writer.writerow(fields)
        return self.buf.getvalue()

    def column(self, cells: list) -> list[str]:
        """A column's cells (str or None) as CSV fields, None as an empty one."""
        cells = ["" if c is None else c for c in cells] if None in cells else cells
        search = self.special.search
        if not search("".join(cells)):
            return cells
        return ['"' + c.replace('"', '""') + '"' if search(c) else c for c in cells]


class ByteSink(Protocol):
    """Where json and csv bytes go: a binary file (``sys.stdout.buffer``) or a _TextSink."""

    def write(self, data: bytes, /) -> int: ...

    def flush(self) -> None: ...


class _TextSink:
    """A byte stream over a text file without a binary buffer (io.StringIO, a test's capture)."""

    def __init__(self, file):
        self.file = file

    def write(self, data: bytes) -> int:
        return self.file.write(data.decode("utf-8"))

    def flush(self) -> None:
        self.file.flush()


def byte_stream(file) -> ByteSink:
    """The binary side of a text file (``sys.stdout.buffer``), its text flushed first so what
    was printed before stays before."""
    file.flush()
    buffer = getattr(file, "buffer", None)
    return buffer if buffer is not None else _TextSink(file)


def uniform(parts: Iterable[pd.DataFrame], order) -> Iterator[pd.DataFrame]:
    """Batches that may each have their own columns (spl.session.Session.stream), given back
    with one set: every batch's columns, in ``order`` (a function of the names). CSV needs its
    header first, so the batches wait in a temporary file (pickled), not in memory."""
    import pickle
    import tempfile

    names: set[str] = set()
    count = 0
    with tempfile.TemporaryFile(prefix="spl-batches-") as spill:
        for batch in parts:
            names.update(batch.columns)
            pickle.dump(batch, spill, protocol=pickle.HIGHEST_PROTOCOL)
            count += 1
        header = order(names)
        if not count:
            yield pd.DataFrame({c: pd.Series([], dtype=object) for c in header})
        spill.seek(0)
        for _ in range(count):
            yield pickle.load(spill).reindex(columns=header)


def write(fmt: str, parts: Iterable[pd.DataFrame], stream: ByteSink, tz: str = "UTC",
          extra: Sequence[dict] | None = None) -> int:
    """Write in format ``fmt`` (json or csv) and flush; returns the number of rows."""
    if fmt == "json":
        n = write_json(parts, stream, tz, extra)
    elif fmt == "csv":
        n = write_csv(parts, stream, tz)
    else:
        raise ValueError(f"no streaming writer for {fmt!r}")
    stream.flush()
    return n
