"""What a Session keeps of its loaded files between searches, as Splunk keeps an index.

Splunk keeps the raw events, their ``_time`` and an index of their terms, and extracts fields
when a search asks. spl.session.Session keeps, for every event of its loaded files:

- its ``_time`` (read by the load), hence the event order: newest first, equal times last read
  first (spl.mapreduce.events_table's order);
- where it is: the pieces of each plain NDJSON file (byte ranges and how many events each holds,
  spl.data.LoadResult.pieces), so a search that needs a few whole events (``| head 10``) reads
  only the pieces that hold them (:meth:`EventIndex.pieces_of`);
- the fields earlier searches extracted over every event, as columns in event order (a field
  cache, CACHE_BYTES at most, the least recently used dropped first): a search that reads only
  cached fields runs without reading the files again.

``_raw`` is never cached (it is the data itself); it stays in the files.
"""
from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from spl.data import BASE_FIELDS

CACHE_BYTES = 512 << 20  # memory the cached columns may take (an estimate: cells and distinct values)


def event_order(times: np.ndarray) -> np.ndarray:
    """Reading positions in event order: ``_time`` descending (no time last), then the last
    read first, as spl.mapreduce.events_table orders a table."""
    key = np.where(np.isnan(times), np.inf, -times)
    return np.lexsort((-np.arange(len(times)), key))


def loader_order(names) -> list[str]:
    """Field names in the loader's column order: the base fields, then the others by name."""
    return sorted(names, key=lambda c: (0, BASE_FIELDS.index(c), "") if c in BASE_FIELDS
                  else (1, 0, c))


def column_bytes(values: np.ndarray) -> int:
    """About the memory a column of objects takes: a pointer a cell, and each distinct object
    once (a loaded column shares equal values, see spl.data.fast._Packed)."""
    if not len(values):
        return 0
    ids = np.fromiter(map(id, values), dtype=np.int64, count=len(values))
    first = np.flatnonzero(~pd.Series(ids).duplicated().to_numpy())  # by hashing, not sorting
    return 8 * len(values) + sum(map(sys.getsizeof, values[first]))


@dataclass
class FilePieces:
    """A loaded file's pieces: where each begins in the reading order of every loaded event."""

    path: Path
    load: Any                      # what the Session knows of the load (spl.session._Files)
    spans: list[tuple[int, int]]   # byte ranges, in file order
    starts: np.ndarray             # the reading position of each piece's first event; one more
    #                                entry at the end: the position after the file's last event


@dataclass
class EventIndex:
    """The loads' times, their files' pieces and the cached field columns (see the module)."""

    times: np.ndarray                      # every event's _time, in reading order
    files: list[FilePieces] | None         # None: some file was not read as plain NDJSON
    budget: int = field(default_factory=lambda: CACHE_BYTES)
    order: np.ndarray = field(init=False)  # reading positions in event order
    columns: dict[str, np.ndarray] = field(default_factory=dict)  # in event order
    covered: set[str] = field(default_factory=set)  # fields extracted (with or without values)
    sizes: dict[str, int] = field(default_factory=dict)
    used: dict[str, int] = field(default_factory=dict)  # name -> when last used (a counter)
    clock: int = 0

    def __post_init__(self) -> None:
        self.order = event_order(self.times)

    # ------------------------------------------------------------ cached fields

    def has(self, fields: set[str]) -> bool:
        """Whether every one of ``fields`` was extracted over every event (``_time`` is)."""
        return fields - {"_time"} <= self.covered

    def table(self, fields: set[str]) -> pd.DataFrame:
        """The events in event order with ``fields`` (cached ones), as the loader would give
        them: ``_time``, then the fields some event has, in the loader's order."""
        self.clock += 1
        for name in fields:
            if name in self.covered:
                self.used[name] = self.clock
        names = loader_order(n for n in fields if n in self.columns)
        cols: dict[str, object] = {"_time": pd.Series(self.times[self.order], dtype="float64")}
        cols.update((n, pd.Series(self.columns[n], dtype=object, copy=False)) for n in names
                    if n != "_time")
        return pd.DataFrame(cols)

    def add(self, fields: set[str], table: pd.DataFrame) -> bool:
        """Keep the columns of ``table`` (every event in reading order, extracted for
        ``fields``); False, keeping nothing, when it is not every loaded event or the columns
        do not fit in the budget."""
        if len(table) != len(self.times) or not np.array_equal(
                table["_time"].to_numpy(dtype=np.float64), self.times, equal_nan=True):
            return False
        new = {c: table[c].to_numpy(dtype=object)[self.order] for c in table.columns
               if c not in ("_time", "_raw") and c not in self.columns}
        sizes = {c: column_bytes(v) for c, v in new.items()}
        need = sum(sizes.values())
        if need > self.budget:
            return False
        for old in sorted(self.sizes, key=lambda c: self.used.get(c, 0)):
            if sum(self.sizes.values()) + need <= self.budget:
                break
            self._drop(old)
        self.columns.update(new)
        self.sizes.update(sizes)
        self.covered |= fields - {"_time", "_raw"}
        self.clock += 1
        for name in fields:
            self.used[name] = self.clock
        return True

    def _drop(self, name: str) -> None:
        """Forget a cached column, and every field extracted with it (they are read again)."""
        self.columns.pop(name, None)
        self.sizes.pop(name, None)
        self.covered.discard(name)  # a field extracted with no value costs nothing: kept

    # ------------------------------------------------------------ where events are

    def pieces_of(self, positions: np.ndarray) -> list[tuple[FilePieces, list[int]]]:
        """The pieces holding the events at reading ``positions``: (file, piece numbers)."""
        assert self.files is not None
        out = []
        for f in self.files:
            inside = positions[(positions >= f.starts[0]) & (positions < f.starts[-1])]
            if len(inside):
                which = np.unique(np.searchsorted(f.starts, inside, side="right") - 1)
                out.append((f, which.tolist()))
        return out

    def bytes_of(self, pieces: list[tuple[FilePieces, list[int]]]) -> int:
        """The bytes of those pieces."""
        return sum(f.spans[k][1] - f.spans[k][0] for f, ks in pieces for k in ks)

    def total_bytes(self) -> int:
        """The bytes of every loaded file's pieces."""
        assert self.files is not None
        return sum(b - a for f in self.files for a, b in f.spans)


def file_pieces(load: Any, paths: list, pieces: list, first: int) -> list[FilePieces] | None:
    """FilePieces of a load's files (``pieces`` from LoadResult.pieces) whose first event is at
    reading position ``first``; None when a file has none (not read as plain NDJSON)."""
    out = []
    for path, these in zip(paths, pieces):
        if these is None or not os.path.isfile(path):
            return None
        counts = np.array([n for _, _, n in these], dtype=np.int64)
        starts = np.concatenate([[first], first + np.cumsum(counts)])
        out.append(FilePieces(Path(path), load, [(a, b) for a, b, _ in these], starts))
        first = int(starts[-1])
    return out
