"""The public way in: ``Session`` loads data once and runs many searches; ``run`` does both once.

The REPL, ``spl run``, ``spl detect`` and ``spl test`` are thin layers over ``Session.run``.
"""
from __future__ import annotations

import dataclasses
import functools
import inspect
import numbers
import os
import tempfile
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from spl import _validate as check
from spl import data as datalayer
from spl import mapreduce
from spl.commands import declarations
from spl.context import Context
from spl.data import BASE_FIELDS, fast, kept
from spl.data.prefilter import keeps_every_line
from spl.engine import check_supported, execute
from spl.errors import DataError, SplError
from spl.eventindex import EventIndex, FilePieces, file_pieces, loader_order
from spl.fieldnames import has_wildcard
from spl.frontend import ParsedSearch, parse_search
from spl.lookups import Lookups
from spl.macros import MacroLibrary
from spl.mapjob import MapJob, for_search
from spl.plan import required_fields, returns_events, search_terms
from spl.search.literals import Needle, all_of, any_of
from spl.syntax import ast

PathLike = str | os.PathLike[str]


# ---------------------------------------------------------------- checking the caller's arguments
# Each bad argument is a UsageError naming it, before anything is read: a str where a list of
# paths goes is one path (never its characters), a time zone must exist, a search is a str.

def _paths(data, option: str = "data") -> list[PathLike]:
    return check.paths(option, data)


def _check_event_options(sourcetype, source, host, index) -> None:
    if sourcetype is not None:  # None: each file's from its content (spl.data)
        check.of_type("sourcetype", sourcetype, str, "a str or None")
    check.of_type("index", index, str, "a str")
    for option, value in (("source", source), ("host", host)):
        if value is not None:
            check.of_type(option, value, str, "a str or None")


def _check_session_options(tz, strict, progress) -> None:
    check.time_zone(tz)
    check.of_type("strict", strict, bool, "True or False")
    check.of_type("progress", progress, bool, "True or False")


def _run_options() -> set[str]:
    """The keyword options ``run`` passes on to Session (it works out fields and terms itself)."""
    return set(inspect.signature(Session).parameters) - {"data", "fields", "terms"}


EVENTS_KEPT = 16 << 20  # bytes of files under which Session.events keeps its table
SAMPLE_EVENTS = 10_000  # events Session.sample reads: field names and values for completion
HEAD_PICKED_MAX = 100  # head N up to this finds its events before reading them whole
HEAD_FIRST = 64  # events a head first reads by the load's index (more as the search needs)
HEAD_SHARE = 8  # a head reading more than 1/8 of the data by the index reads the files instead
STREAM_ROWS = 10_000  # events a streamed search (Session.stream) reads and gives at a time


@dataclass
class _Files:
    """Files of one ``load``, kept as files: each search reads them again for its own fields.

    ``times`` is every event's ``_time`` in reading order (the load read only that; None for
    ``spl.run``'s one search, which reads the files once); ``stamps`` tells whether a file
    changed since (size, modification time)."""

    files: list
    sourcetype: str | None  # None: each file's found from its content (spl.data)
    source: str | None
    host: str | None
    index: str
    times: np.ndarray | None = None
    stamps: list[tuple[int, int]] = dataclasses.field(default_factory=list)
    pieces: list | None = None  # spl.data.LoadResult.pieces of the files (None: not known)
    types: frozenset = frozenset()  # the sourcetypes of its events


def _types(table: pd.DataFrame) -> frozenset:
    """The sourcetypes of a table's events."""
    if "sourcetype" not in table:
        return frozenset()
    return frozenset(table["sourcetype"].dropna().unique().tolist())


def _changed_files(part: _Files) -> list:
    """The files of a load that changed since (size or modification time)."""
    return [path for path, stamp in zip(part.files, part.stamps) if _stamp(path) != stamp]


def _stamp(path) -> tuple[int, int]:
    try:
        st = os.stat(path)
    except OSError:
        return (-1, -1)
    return (st.st_size, st.st_mtime_ns)


class Session:
    """Events loaded once, macros and time zone fixed, ready for any number of searches.

    Schema on read, as Splunk: loading reads each record's ``_time`` only (and reports the
    data's problems); every search then reads the files again with ``spl run``'s reader,
    planner and pre-filter, extracting only the fields it needs from only the records that can
    match, and runs by map-reduce (spl.mapreduce) where it can, so no table of every field of
    every event is built. ``fields``/``terms`` fix what every search reads instead of planning
    it per search (``{"*"}``: every field; ``terms`` None: no pre-filter).
    """

    def __init__(self, data: PathLike | Iterable[PathLike] | None = None, *,
                 sourcetype: str | None = None, source: str | None = None,
                 host: str | None = None, index: str = "main",
                 macros: Sequence[PathLike] = (), tz: str = "UTC", ta: PathLike | None = None,
                 strict: bool = False, progress: bool = False, fields: set[str] | None = None,
                 terms: object = None, lookups: Sequence[PathLike] = (),
                 lookup_output: PathLike | None = None,
                 datamodels: Sequence[PathLike] = ()) -> None:
        _check_event_options(sourcetype, source, host, index)
        _check_session_options(tz, strict, progress)
        macros, lookups = _paths(macros, "macros"), _paths(lookups, "lookups")
        datamodels = _paths(datamodels, "datamodels")
        ta, lookup_output = check.path("ta", ta), check.path("lookup_output", lookup_output)
        self.datamodel_dirs = [Path(d) for d in datamodels]  # searched before spl's own models
        self.lookups = Lookups(lookups, lookup_output)  # where lookup names resolve; outputlookup's dir
        self.macro_dirs = [Path(m) for m in macros]
        self.tz = tz
        self.ta = Path(ta) if ta else None
        self.strict = strict
        self.progress = progress
        self.fields = fields  # None: each search reads the fields it needs (spl.plan)
        self.terms = terms  # with ``fields``: spl.search.literal_terms for the pre-filter
        self.problems: list = []
        self.last_warnings: list[str] = []  # the last search's: limits that cut a result short
        self.files: list[str] = []
        self._parts: list[pd.DataFrame | _Files] = []  # in loading order
        self.partials: list | None = None  # the map side's results of the one search (spl run)
        self._macros: MacroLibrary | None = None
        self._index: EventIndex | None = None  # built by the first search after a load
        self._events: pd.DataFrame | None = None  # every field of a small load (events)
        paths = _paths(data)
        if paths:
            self.load(paths, sourcetype=sourcetype, source=source, host=host, index=index)

    def load(self, paths: PathLike | Iterable[PathLike], *, sourcetype: str | None = None,
             source: str | None = None, host: str | None = None,
             index: str = "main") -> datalayer.LoadResult:
        """Add files to the session: each record's ``_time`` is read now (or taken from what an
        earlier read of the same unchanged file kept, spl.data.kept), and the problems of the
        data are found; fields are extracted by each search. Returns the loader's result
        (its table holds ``_time`` only, one row per event)."""
        _check_event_options(sourcetype, source, host, index)
        result, files = kept.load_times(_paths(paths, "paths"), sourcetype=sourcetype,
                                        source=source, host=host, index=index, ta=self.ta,
                                        strict=self.strict, progress=self.progress)
        times = result.table["_time"].to_numpy(dtype=np.float64)
        self._parts.append(_Files(files, sourcetype, source, host, index, times,
                                  [_stamp(f) for f in files], result.pieces,
                                  _types(result.table)))
        self._index = self._events = None
        self.problems.extend(result.problems)
        self.files.extend(result.files)
        return result

    def add(self, result: datalayer.LoadResult) -> None:
        """Take events loaded elsewhere (spl.data.begin(...).finish(), which ``spl run`` starts
        before the engine is imported): a table, searched as it is."""
        self._parts.append(result.table)
        self._index = self._events = None
        self.problems.extend(result.problems)
        self.files.extend(result.files)

    @property
    def times(self) -> np.ndarray:
        """Every loaded event's ``_time``, in loading order (known without reading fields)."""
        arrays = []
        for part in self._parts:
            if isinstance(part, _Files):
                assert part.times is not None  # None only in spl.run's session, never asked
                arrays.append(part.times)
            else:
                arrays.append(part["_time"].to_numpy(dtype=np.float64))
        return np.concatenate(arrays) if arrays else np.empty(0)

    def sourcetypes(self) -> set[str]:
        """The sourcetypes of the loaded events (known without reading fields)."""
        return set().union(*(part.types if isinstance(part, _Files) else _types(part)
                             for part in self._parts))

    @property
    def events(self) -> pd.DataFrame:
        """Every loaded event with every field, newest first: the order in which Splunk's search
        returns them. Events with the same ``_time`` come last-read first, as reading an index
        backwards does.

        Read from the files when asked, and kept only while the loaded files are under
        EVENTS_KEPT bytes and unchanged: a large load does not fit in memory as one table
        (:meth:`run` reads only what a search needs; :meth:`sample` a few), a small one read
        again for each ``tstats`` or check would cost most of the time.
        """
        return self.events_of(None)

    def events_of(self, fields: set[str] | None) -> pd.DataFrame:
        """:attr:`events` with ``fields`` at least (None: every field), as ``tstats`` and a
        subsearch read them: a large load is read for those fields only."""
        if fields is not None:
            check.of_type("fields", fields, (set, frozenset), "a set of field names or None")
            for name in fields:
                check.of_type("a field name", name, str, "a str")
        if self._events is not None and not self._changed():
            return self._events.copy(deep=False)  # a column set on it is not kept
        small = sum(size for part in self._parts if isinstance(part, _Files)
                    for size, _ in part.stamps) <= EVENTS_KEPT  # the files as loaded
        if fields is not None and self.fields is None and not small:
            return self._table(fields, None)
        table = self._table({"*"}, None)
        self._events = table if small else None
        return table

    def sample(self, n: int = SAMPLE_EVENTS) -> pd.DataFrame:
        """At most ``n`` events with every field: the first read of each load's first files,
        newest first. A sample, for field names and frequent values (the REPL's completion)."""
        check.of_type("n", n, numbers.Integral, "an int")
        tables = []
        for part in self._parts:
            if n <= 0:
                break
            if isinstance(part, _Files):
                table = self._first_events(part, n)
            else:
                table = part.iloc[:n]
            n -= len(table)
            tables.append(table)
        return mapreduce.events_table(tables)

    def _first_events(self, part: _Files, n: int) -> pd.DataFrame:
        """The first ``n`` records of a load's files (read record by record, and stopped)."""
        from spl.data.readers import DataProblem, read_file, shown_name

        tables = []
        with tempfile.TemporaryDirectory(prefix="spl-sample-") as tmp:
            for path in part.files:
                if n <= 0:
                    break
                lines = []
                for item in read_file(path):
                    if not isinstance(item, DataProblem):
                        lines.append(item.raw)
                        if len(lines) == n:
                            break
                copy = Path(tmp) / "sample.ndjson"
                copy.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
                source = part.source if part.source is not None else shown_name(path)
                table = datalayer.load([copy], sourcetype=part.sourcetype, source=source,
                                       host=part.host, index=part.index, ta=self.ta).table
                n -= len(table)
                tables.append(table)
        return mapreduce.events_table(tables)

    def parse(self, search: str) -> ParsedSearch:
        """Expand macros and parse; raises SplError with the position in ``search``.

        The macro files are read once per session, not once per search.
        """
        check.search_text(search)
        if self._macros is None:
            self._macros = MacroLibrary.load(self.macro_dirs)
        return parse_search(search, library=self._macros)

    def run(self, search: str | ParsedSearch, *, now: float | None = None) -> pd.DataFrame:
        """Run a search over the loaded events; multivalue cells are lists. The limits that cut
        its result short (Splunk's job messages) are then in ``last_warnings``."""
        parsed = search if isinstance(search, ParsedSearch) else self.parse(search)
        ctx = Context(tz=self.tz, text=parsed.expanded, session=self)
        self.last_warnings = ctx.warnings
        if now is not None:
            check.of_type("now", now, numbers.Real, "a time in epoch seconds")
            ctx.now = now
        try:
            check_supported(parsed.pipeline)
            if self.partials is not None:  # read by map-reduce (spl.mapreduce): merge them
                return self._reduce(parsed.pipeline, self.partials, ctx)
            return self._search(parsed.pipeline, ctx)
        except SplError as err:
            raise parsed.relocate(err) from None

    def _search(self, pipeline: ast.Pipeline, ctx: Context) -> pd.DataFrame:
        """Run a parsed pipeline over the loaded events, reading what it needs (:meth:`run`
        without parsing). Errors are where ``ctx.text`` says."""
        if pipeline.generating and not isinstance(pipeline.commands[0], ast.Search):
            return execute(pipeline, pd.DataFrame(), ctx)  # it starts from no rows
        fields, terms = ((self.fields, self.terms) if self.fields is not None else (
            required_fields(pipeline, own_subsearches=True),
            search_terms(pipeline, own_subsearches=True)))  # each subsearch reads for itself
        index = self._event_index() if self.fields is None else None
        if index is not None:
            table = self._from_index(index, pipeline, fields, terms, ctx)
            if table is not None:
                return table
        mapper = for_search(pipeline, tz=self.tz, now=ctx.now, text=ctx.text,
                            lookups=self.lookups, strict=self.strict)
        if mapper is not None and all(isinstance(p, _Files) for p in self._parts):
            if fields is None and self.fields is None:
                terms = self._picked_by_head(mapper, terms, ctx)
            return self._reduce(pipeline, self._mapped(mapper, fields, terms, ctx), ctx)
        return execute(pipeline, self._table(fields, terms, ctx), ctx)

    def subsearch(self, pipeline: ast.Pipeline, ctx: Context) -> pd.DataFrame:
        """A subsearch's results (spl.subsearch): read for what it needs, as any search of the
        session; over the events read for the whole search in ``spl run``'s (which planned the
        subsearch's fields with the search's)."""
        if self.fields is None:
            return self._search(pipeline, ctx)
        return execute(pipeline, self.events, ctx)

    # ------------------------------------------------------------ what the loads keep

    def _event_index(self) -> EventIndex | None:
        """The loads' times, pieces and cached fields (spl.eventindex); None when an event table
        was added (``add``) or a load's times are not known (``spl.run``'s one search)."""
        if self._index is None:
            if not self._parts or not all(isinstance(p, _Files) and p.times is not None
                                          for p in self._parts):
                return None
            files: list[FilePieces] | None = []
            first = 0
            for part in self._parts:
                assert isinstance(part, _Files) and part.times is not None
                these = (file_pieces(part, part.files, part.pieces, first)
                         if part.pieces is not None else None)
                files = files + these if files is not None and these is not None else None
                first += len(part.times)
            self._index = EventIndex(self.times, files)
        return self._index

    def _from_index(self, index: EventIndex, pipeline: ast.Pipeline, fields, terms,
                    ctx: Context) -> pd.DataFrame | None:
        """Run the search from what the loads keep, when it can: over cached fields (extracting
        them over every event first when the search reads every event anyway), or over the
        few whole events a ``head`` picks. None: read the files as ``spl run`` does."""
        if pipeline.generating or self._changed():
            return None  # the files are read, as they are now (and the change is told)
        cacheable = fields is not None and "_raw" not in fields and not any(
            map(has_wildcard, fields))
        if cacheable and index.has(fields):
            return execute(pipeline, index.table(fields), ctx)
        table = self._head(index, pipeline, ctx) if index.files is not None else None
        if table is not None:
            return table
        if cacheable and keeps_every_line(terms):
            self._extract(index, fields, ctx)  # the search reads every event anyway
            if index.has(fields):
                return execute(pipeline, index.table(fields), ctx)
        return None

    def _extract(self, index: EventIndex, fields: set[str], ctx: Context) -> None:
        """Extract the fields not cached over every event, and cache them (if they fit)."""
        missing = {f for f in fields if f != "_time" and f not in index.covered}
        tables = []
        for part in self._parts:
            assert isinstance(part, _Files)
            self._check_unchanged(part, ctx)
            result = datalayer.load(part.files, sourcetype=part.sourcetype, source=part.source,
                                    host=part.host, index=part.index, fields=missing, ta=self.ta,
                                    strict=self.strict, progress=self.progress)
            self._found(result.problems)
            tables.append(result.table)
        index.add(missing, pd.concat(tables, ignore_index=True) if len(tables) > 1 else tables[0])

    def _head(self, index: EventIndex, pipeline: ast.Pipeline,
              ctx: Context) -> pd.DataFrame | None:
        """A search whose map side ends at a plain ``head N`` (spl.mapreduce.plan) needs every
        field of only its first N events: the newest events are known from the load's times,
        so the pieces holding the newest few are read, the map side run over them, and more
        taken (eight times as many) until N rows come through or every event is in. None when
        the search has another shape or the events it needs are spread over more than
        1/HEAD_SHARE of the data (reading the files is then as good)."""
        p = mapreduce.plan(pipeline)
        head = p.split
        if not p.chunkable or not isinstance(head, ast.Head) or head.expr is not None \
                or head.options:
            return None
        n = head.limit if head.limit is not None else 10
        total = len(index.times)
        k = max(n, HEAD_FIRST)
        probe = ast.Pipeline((*p.map, head), pipeline.span)
        while True:
            k = min(k, total)
            picked = index.order[:k]
            pieces = index.pieces_of(picked)
            if index.bytes_of(pieces) > index.total_bytes() // HEAD_SHARE and k > n:
                return None
            table = self._events_at(index, pieces, picked)
            if table is None:
                return None
            quiet = Context(tz=ctx.tz, text=ctx.text, session=self, now=ctx.now)
            if k == total or len(execute(probe, table, quiet)) >= n:
                return execute(pipeline, table, ctx)
            k *= 8

    def _events_at(self, index: EventIndex, pieces, picked: np.ndarray) -> pd.DataFrame | None:
        """Every field of the events at reading positions ``picked`` (in event order), read from
        their files' pieces, in event order with their load's times; None when a piece does not
        hold the events the load counted in it."""
        return self._assemble(index, pieces, [self._reader(f)(f.path, [f.spans[k] for k in ks])
                                              for f, ks in pieces], picked)

    def _reader(self, f: FilePieces):
        """spl.data.read_pieces for the pieces of ``f``, with its load's options: a picklable
        function of (path, spans), for this process or a worker's."""
        load = f.load
        return functools.partial(datalayer.read_pieces, sourcetype=load.sourcetype, ta=self.ta,
                                 source=load.source, host=load.host, index=load.index)

    def _assemble(self, index: EventIndex, pieces, reads: list,
                  picked: np.ndarray) -> pd.DataFrame | None:
        """The events at ``picked`` from what reading ``pieces`` gave (a (table, problems)
        each); None when a piece does not hold the events the load counted in it."""
        tables, positions = [], []
        wanted = np.sort(picked)
        trimmed = False  # some piece holds events not picked
        for (f, ks), (table, problems) in zip(pieces, reads):
            at = np.concatenate([np.arange(f.starts[k], f.starts[k + 1]) for k in ks])
            if len(table) != len(at):
                return None
            self._found(problems)
            keep = np.isin(at, wanted)
            if not keep.all():
                trimmed = True
                table, at = table[keep], at[keep]
            tables.append(table)
            positions.append(at)
        at = np.concatenate(positions)
        table = pd.concat(tables, ignore_index=True) if len(tables) > 1 else tables[0]
        table = table.reset_index(drop=True)
        table["_time"] = index.times[at]
        # each row's place in event order: picked[argsort(picked)[j]] is wanted[j]
        ranks = np.argsort(picked)[np.searchsorted(wanted, at)]
        table = table.iloc[np.argsort(ranks)]
        # a piece's table has no field without a value (spl.data.load): only the events left
        # out of one may take a field's last values with them
        names = loader_order(c for c in table.columns
                             if not trimmed or c in BASE_FIELDS or table[c].notna().any())
        return table[names].reset_index(drop=True)

    def stream(self, search: str | ParsedSearch, *,
               now: float | None = None) -> Iterator[pd.DataFrame] | None:
        """The results of a search that returns events as they are (searches and ``where``,
        then at most ``table *``), a batch of STREAM_ROWS events at a time in event order, read
        by the loads' index: memory holds a batch, not every event with every field. None when
        the search is of another shape, or its events are too scattered over the files for
        reading them in event order to pay (:meth:`run` it)."""
        parsed = search if isinstance(search, ParsedSearch) else self.parse(search)
        index = self._event_index() if self.fields is None else None
        if index is None or index.files is None or not returns_events(parsed.pipeline) or not \
                keeps_every_line(search_terms(parsed.pipeline)) or self._changed():
            return None  # a search that skips records reads them pre-filtered (run)
        order = index.order
        batches = [order[k:k + STREAM_ROWS] for k in range(0, len(order), STREAM_ROWS)]
        pieces = [index.pieces_of(b) for b in batches]
        if sum(map(index.bytes_of, pieces)) > 2 * index.total_bytes():
            return None
        ctx = Context(tz=self.tz, text=parsed.expanded, session=self)
        self.last_warnings = ctx.warnings
        if now is not None:
            check.of_type("now", now, numbers.Real, "a time in epoch seconds")
            ctx.now = now
        check_supported(parsed.pipeline)
        return self._streamed(parsed, index, batches, pieces, ctx)

    def _streamed(self, parsed: ParsedSearch, index: EventIndex, batches, pieces,
                  ctx: Context) -> Iterator[pd.DataFrame]:
        """The batches' results; the worker processes read (and extract) the next batches'
        pieces while this one is searched and written."""
        workers = fast.Workers(index.total_bytes())
        ahead: deque = deque()
        todo = iter(zip(batches, pieces))

        def submit() -> None:
            for batch, these in todo:
                ahead.append((batch, these, [
                    workers.submit(self._reader(f), f.path, [f.spans[k] for k in ks])
                    for f, ks in these]))
                return
        try:
            for _ in range(fast.cores()):
                submit()
            while ahead:
                batch, these, jobs = ahead.popleft()
                submit()
                table = self._assemble(index, these, [job.result() for job in jobs], batch)
                if table is None:
                    raise DataError(f"{', '.join(str(f.path) for f, _ in these)} changed "
                                    "while the search read it")
                try:
                    yield execute(parsed.pipeline, table, ctx)
                except SplError as err:
                    raise parsed.relocate(err) from None
        finally:
            workers.close(cancel=True)

    def _reduce(self, pipeline: ast.Pipeline, partials: list, ctx: Context) -> pd.DataFrame:
        return mapreduce.reduce_partials(mapreduce.plan(pipeline), partials, ctx)

    def _picked_by_head(self, mapper: MapJob, terms, ctx: Context):
        """The pre-filter terms for a search that returns whole events picked by ``head N``
        (a leading search, then head): reading every field of every event to keep N is what
        made ``| head 10`` slow. The N events are found first, reading only the fields that
        pick them and ``_raw``; the search then reads every field of only the records holding
        one of their texts, a set that holds them, so it picks the same N. ``terms`` as they
        are when the search is not of that shape or picks nothing."""
        p = mapreduce.plan(mapper.pipeline)
        head = p.split
        if (not p.chunkable or not isinstance(head, ast.Head) or head.expr is not None
                or head.options or (head.limit or 10) > HEAD_PICKED_MAX
                or not all(isinstance(c, ast.Search) for c in p.map)):
            return terms
        picking: set[str] = {"_raw"}
        specs = declarations()
        for cmd in (*p.map, head):
            read = specs[cmd.name].reads(cmd)
            if read is None or any(has_wildcard(n) for n in read):
                return terms
            picking |= read
        partials = self._mapped(mapper, picking, terms, ctx)
        picked = mapreduce.reduce_partials(dataclasses.replace(p, reduce=()), partials, ctx)
        if not len(picked):
            return terms
        texts = any_of(Needle(raw, True, None) for raw in picked["_raw"])
        return texts if terms is None else all_of([terms, texts])

    def _mapped(self, mapper: MapJob, fields, terms, ctx: Context) -> list:
        """The map side's partials over every load's files, read as ``spl run`` reads them."""
        partials: list = []
        base = 0
        for part in self._parts:
            assert isinstance(part, _Files)  # run() maps only loads of files
            self._check_unchanged(part, ctx)
            reading = datalayer.begin(part.files, sourcetype=part.sourcetype, fields=fields,
                                      ta=self.ta, strict=self.strict, terms=terms,
                                      mapper=dataclasses.replace(mapper, base=base),
                                      source=part.source, host=part.host, index=part.index)
            try:
                got, found = reading.finish_mapped(progress=self.progress)
            finally:
                reading.cancel()
            partials.extend(got)
            self._found(found)
            base += len(reading.files) << 44  # after every major of this load (spl.data.begin)
        return partials

    def _table(self, fields, terms, ctx: Context | None = None) -> pd.DataFrame:
        """The loaded events as one table in event order, with ``fields`` (None: the fields
        some search may read, i.e. every one) of the records that can hold ``terms``."""
        tables = []
        for part in self._parts:
            if not isinstance(part, _Files):
                tables.append(part)
                continue
            if ctx is not None:
                self._check_unchanged(part, ctx)
            result = datalayer.load(part.files, sourcetype=part.sourcetype, source=part.source,
                                    host=part.host, index=part.index, fields=fields, ta=self.ta,
                                    strict=self.strict, progress=self.progress, terms=terms)
            self._found(result.problems)
            tables.append(result.table)
        return mapreduce.events_table(tables)

    def _found(self, problems) -> None:
        """Problems a search's reading met that loading had not (fields it alone extracts)."""
        known = {(p.file, p.line, p.reason) for p in self.problems}
        self.problems.extend(p for p in problems if (p.file, p.line, p.reason) not in known)

    def _changed(self) -> bool:
        """Whether a loaded file changed since its load (its index no longer says where its
        events are)."""
        return any(_changed_files(part) for part in self._parts if isinstance(part, _Files))

    def _check_unchanged(self, part: _Files, ctx: Context) -> None:
        for path in _changed_files(part):
            ctx.warn(f"{path} changed since it was loaded: this search read it as it is "
                     "now (.load it again for its new times and problems)")


def run(search: str, data: PathLike | Iterable[PathLike] | None = None, **options) -> pd.DataFrame:
    """Run one search over files: only the fields the search can read are extracted.

    ``options`` are those of ``Session`` (sourcetype, source, macros, tz, ta, strict, ...).
    """
    check.known_options(options, _run_options(), "spl.run")
    check.search_text(search)
    parsed = parse_search(search, [Path(m) for m in _paths(options.get("macros"), "macros")])
    where = dict(sourcetype=options.pop("sourcetype", "aws:cloudtrail"),
                 source=options.pop("source", None), host=options.pop("host", None),
                 index=options.pop("index", "main"))
    _check_event_options(**where)
    session = Session(**options)
    paths = _paths(data)
    if paths:  # read once, by the search itself, not first for the times as Session.load does
        session._parts.append(_Files(paths, **where, stamps=[_stamp(p) for p in paths]))
    return session.run(parsed)


def parse(search: str, macros: Sequence[PathLike] = ()) -> ParsedSearch:
    """Expand macros and parse ``search`` into a typed pipeline (``.pipeline``)."""
    check.search_text(search)
    return parse_search(search, [Path(m) for m in _paths(macros, "macros")])
