"""Loading CloudTrail files into the event table, with the fields Splunk shows at search time.

``load(paths)`` reads the files (spl.data.readers), extracts JSON fields with Splunk's names
(spl.data.extract) and applies the sourcetype definition (spl.data.props: aliases, calculated
fields, lookups). Rows come in file order; the engine sorts them.

Each event has ``_time`` (float epoch seconds from ``eventTime``), ``_raw`` (the record's text
exactly as in the file), ``sourcetype``, ``source`` (the file path unless given), ``host`` (this
machine's name unless given, as Splunk's default host for a monitored file) and ``index``.

A record whose ``eventTime`` is missing or not a timestamp is kept, as Splunk keeps it: it gets
the time of the previous event of the same file, or the file's modification time when it is the
first (precedence rules of https://docs.splunk.com/Documentation/Splunk/9.3.1/Data/HowSplunkextractstimestamps),
and a DataProblem says so.
"""
from __future__ import annotations

import socket
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import pandas as pd

from spl.data.extract import (InexactNumber, flatten, flatten_prefix, parse_event_time,
                              prefixes)
from spl.data.props import Sourcetype, load_sourcetype
from spl.data.readers import (DataProblem, Record, expand_paths, file_mtime, parse_exact,
                              read_file)

__all__ = ["load", "LoadResult", "DataProblem", "BASE_FIELDS", "load_sourcetype"]

BASE_FIELDS = ("_time", "_raw", "sourcetype", "source", "host", "index")


@dataclass
class LoadResult:
    table: pd.DataFrame
    problems: list[DataProblem] = field(default_factory=list)
    files: list[str] = field(default_factory=list)


def load(paths: Sequence[str | Path], *, sourcetype: str = "aws:cloudtrail",
         source: str | None = None, host: str | None = None, index: str = "main",
         fields: set[str] | None = None, ta: Path | None = None, strict: bool = False,
         progress: bool = False) -> LoadResult:
    """Read CloudTrail files (NDJSON, ``{"Records": [...]}``, gzipped, directories) into events.

    ``fields``: None for every field, else only these (plus the base fields) need to be right;
    the JSON paths to extract are worked out from the sourcetype definition. A name with ``*``
    means every field. ``ta``: a Splunk Add-on for AWS directory to take the definition from.
    ``strict``: raise spl.errors.DataError at the first problem instead of reporting it.
    """
    if isinstance(paths, (str, Path)):
        paths = [paths]
    files = expand_paths(paths)
    st = load_sourcetype(sourcetype, Path(ta) if ta is not None else None)
    wanted = None
    if fields is not None and not any("*" in f for f in fields):
        wanted = prefixes(st.needed(set(fields)))
    problems: list[DataProblem] = []
    rows: list[dict] = []
    times: list[float] = []
    raws: list[str] = []
    sources: list[str] = []
    for k, path in enumerate(files, 1):
        if progress:
            print(f"reading {path} ({k}/{len(files)})", file=sys.stderr)
        last_time: float | None = None
        for item in read_file(path):
            if isinstance(item, DataProblem):
                if strict:
                    raise item.error()
                problems.append(item)
                continue
            t = _event_time(item, path, last_time, problems, strict)
            last_time = t
            rows.append(_extract(item, wanted, st.extraction_cutoff))
            times.append(t)
            raws.append(item.raw)
            sources.append(source if source is not None else str(path))
    cols = _columns(rows, times, raws, sources, sourcetype,
                    host if host is not None else socket.gethostname(), index)
    cols = st.apply_columns(cols, len(rows))
    # a field no event has does not exist (Splunk lists only fields with values)
    cols = {c: v for c, v in cols.items()
            if c in BASE_FIELDS or ((wanted is None or c in fields)
                                    and any(x is not None for x in v))}
    table = pd.DataFrame({c: pd.Series(v, dtype="float64" if c == "_time" else object)
                          for c, v in cols.items()})
    return LoadResult(table, problems, [str(f) for f in files])


def _extract(rec: Record, wanted, cutoff: int) -> dict:
    """The JSON fields of a record as Splunk's auto-KV extracts them (see spl.data.extract)."""
    raw = rec.raw
    if len(raw) > cutoff or (len(raw) * 4 > cutoff and len(raw.encode("utf-8")) > cutoff):
        return flatten_prefix(raw, cutoff, wanted)
    try:
        return flatten(rec.value, wanted)
    except InexactNumber:
        return flatten(parse_exact(raw), wanted)


def _event_time(rec: Record, path: Path, last: float | None, problems, strict) -> float:
    value = rec.value.get("eventTime")
    t = parse_event_time(value)
    if t is not None:
        return t
    what = "no eventTime" if value is None else f"eventTime {value!r} is not a timestamp"
    if strict:
        raise DataProblem(rec.file, rec.line, what).error()
    if last is not None:
        problems.append(DataProblem(rec.file, rec.line,
                                    f"{what}; _time is that of the previous event of the file"))
        return last
    problems.append(DataProblem(rec.file, rec.line,
                                f"{what}; _time is the file's modification time"))
    return file_mtime(path)


def _columns(rows, times, raws, sources, sourcetype, host, index) -> dict[str, list]:
    """The event table as {column: values}: base fields first, then fields in order of appearance."""
    n = len(rows)
    cols: dict[str, list] = {
        "_time": times, "_raw": raws, "sourcetype": [sourcetype] * n, "source": sources,
        "host": [host] * n, "index": [index] * n,
    }
    cells: dict[str, list] = {}  # field -> [(row, value)], so building costs one step a cell
    for i, r in enumerate(rows):
        for k, v in r.items():
            cells.setdefault(k, []).append((i, v))
    for name, pairs in cells.items():
        if name in cols:
            continue  # a record's own "_raw"/"source"/... key never replaces the event's own
        values = [None] * n
        for i, v in pairs:
            values[i] = v
        cols[name] = values
    return cols
