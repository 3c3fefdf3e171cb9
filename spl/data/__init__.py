"""Loading log files into the event table, with the fields Splunk shows at search time.

``load(paths)`` reads the files (spl.data.readers), extracts JSON fields with Splunk's names
(spl.data.extract) and applies the sourcetype definition (spl.data.props: aliases, calculated
fields, lookups). Rows come in file order; the engine sorts them.

Each file has one sourcetype: the one given (``sourcetype=``, ``--sourcetype``), else the one the
source-typing rules of the built-in definitions give its first records (spl.data.props.Rules).
A file with records that no rule types is read as ``aws:cloudtrail`` (what spl read every file
as before it knew other types) and a problem names it. Each file is read with its own
sourcetype's definition (its time field, the JSON paths its fields need, its aliases, EVALs and
lookups), and the tables of the files are put one after another, their columns united.

Each event has ``_time`` (float epoch seconds from the sourcetype's TIMESTAMP_FIELDS: CloudTrail's
``eventTime``), ``_raw`` (the record's text exactly as in the file), ``sourcetype``, ``source``
(the file path unless given), ``host`` (this machine's name unless given, as Splunk's default
host for a monitored file) and ``index``.

A record whose time field is missing or not a timestamp is kept, as Splunk keeps it: it gets
the time of the previous event of the same file, or the file's modification time when it is the
first (precedence rules of https://docs.splunk.com/Documentation/Splunk/9.3.1/Data/HowSplunkextractstimestamps),
and a DataProblem says so.
"""
from __future__ import annotations

import contextlib
import dataclasses
import gc
import os
import socket
import sys
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from spl.data import fast, stream
from spl.data.extract import (
    InexactNumber,
    TooDeep,
    extract_capped,
    flatten,
    flatten_prefix,
    prefixes,
    time_problem,
)
from spl.data.prefilter import compile_filter
from spl.data.props import (
    CLOUDTRAIL_TIME,
    SAMPLE_RECORDS,
    Sourcetype,
    TimeSpec,
    builtin_rules,
    has_stanza,
    load_sourcetype,
)
from spl.data.readers import (
    DEEP_FIELDS,
    NO_TIME,
    UNTYPED,
    DataProblem,
    Record,
    expand,
    file_mtime,
    parse_exact,
    read_file,
    read_range,
    shown_name,
)

if TYPE_CHECKING:  # pandas is imported when the table is built: begin() runs without it
    import pandas as pd

    from spl.mapjob import MapJob

__all__ = ["load", "begin", "Reading", "LoadResult", "DataProblem", "BASE_FIELDS",
           "load_sourcetype", "read_pieces"]

BASE_FIELDS = ("_time", "_raw", "sourcetype", "source", "host", "index")
FALLBACK = "aws:cloudtrail"  # the sourcetype of a file no rule types


@dataclass
class LoadResult:
    table: pd.DataFrame
    problems: list[DataProblem] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    # Of each file read as plain NDJSON, its pieces: (first byte, end byte, events) in order, so
    # that a piece's events can be read again alone (spl.session's head); None for another file.
    pieces: list[list[tuple[int, int, int]] | None] = field(default_factory=list)
    counts: list[int] = field(default_factory=list)  # each file's events (spl.data.kept)


def load(paths: Sequence[str | os.PathLike[str]], *, sourcetype: str | None = None,
         source: str | None = None, host: str | None = None, index: str = "main",
         fields: set[str] | None = None, ta: Path | None = None, strict: bool = False,
         progress: bool = False, terms=None) -> LoadResult:
    """Read log files (NDJSON, ``{"Records": [...]}``, arrays, gzipped, directories) into events.

    ``sourcetype``: of every file; None: each file's from its content (see the module docstring).
    ``fields``: None for every field, else only these (plus the base fields) need to be right;
    the JSON paths to extract are worked out from the sourcetype definition. A name with ``*``
    means every field; ``_raw`` is kept only when asked for. ``ta``: a Splunk Add-on for AWS
    directory to take the definitions from (a sourcetype its props.conf has no stanza of comes
    from spl's own definitions when it was detected). ``strict``: raise spl.errors.DataError at the first
    problem instead of reporting it. ``terms``: spl.search.literal_terms of the first search, to
    skip records that cannot match it (spl.data.prefilter; ignored when ``strict``, which reads
    every line): give it only when the events feed that one search.
    """
    return begin(paths, sourcetype=sourcetype, fields=fields, ta=ta, strict=strict,
                 terms=terms).finish(source=source, host=host, index=index, progress=progress)


def begin(paths: Sequence[str | os.PathLike[str]], *, sourcetype: str | None = None,
          fields: set[str] | None = None, ta: Path | None = None, strict: bool = False,
          terms=None, mapper=None, source: str | None = None, host: str | None = None,
          index: str = "main") -> Reading:
    """Plan reading files (options as for :func:`load`) and start: worker processes read them
    while the caller goes on (``spl run`` imports the engine meanwhile). ``Reading.finish``
    gives the events; ``Reading.cancel`` stops.

    ``mapper`` (a spl.mapjob.MapJob): a search's map side runs on the events MAP_BYTES of a
    file at a time as the workers read them, and only its partial results are kept
    (``Reading.finish_mapped``), so no process holds every event; ``source``/``host``/``index``
    are then given here."""
    files, early, build = plan_reading(paths, sourcetype=sourcetype, fields=fields, ta=ta,
                                       strict=strict, terms=terms, mapper=mapper, source=source,
                                       host=host, index=index)
    return Reading(files, build, strict, early, mapper is not None and not strict)


def plan_reading(paths, *, sourcetype: str | None = None, fields=None, ta=None,
                 strict: bool = False, terms=None, mapper=None, source=None, host=None,
                 index: str = "main") -> tuple[list[Path], list[DataProblem], _Build]:
    """The files to read, the problems of entries that are no file, and how the files' chunks
    become events (options as for :func:`begin`), with nothing started (spl.distributed sends
    the pieces to a cluster)."""
    if isinstance(paths, (str, Path)):
        paths = [paths]
    items = expand(paths)
    files = [p for p in items if isinstance(p, Path)]
    early = [p for p in items if isinstance(p, DataProblem)]  # entries that are no file
    if strict and any(not p.notice for p in early):
        raise next(p for p in early if not p.notice).error()
    ta = Path(ta) if ta is not None else None
    if sourcetype is not None:
        types = [sourcetype] * len(files)
        kinds = {sourcetype: _kind(load_sourcetype(sourcetype, ta), fields, terms, strict)}
    else:
        types = [detect(f, early, strict) for f in files]
        kinds = {name: _kind(load_sourcetype(name, ta if ta is not None and has_stanza(ta, name)
                                              else None), fields, terms, strict)
                 for name in dict.fromkeys(types or [FALLBACK])}
    return files, early, _Build(kinds, types, fields,
                                host if host is not None else socket.gethostname(), index,
                                source, mapper)


def detect(path: Path, problems: list[DataProblem], strict: bool = False) -> str:
    """The sourcetype of a file, from the source-typing rules over its first SAMPLE_RECORDS
    records (spl.data.props.Rules); FALLBACK, and a problem saying so, when no rule matches
    them. A file with no record at all is FALLBACK silently: reading it reports why."""
    texts = []
    items = read_file(path)
    try:
        for item in items:
            if isinstance(item, Record):
                texts.append(item.raw)
                if len(texts) >= SAMPLE_RECORDS:
                    break
    finally:
        items.close()
    if not texts:
        return FALLBACK
    found = builtin_rules().detect(texts)
    if found is not None:
        return found
    problem = DataProblem(shown_name(path), None, f"no sourcetype rule matches its records; "
                                                  f"read as {FALLBACK} (give the sourcetype, "
                                                  f"e.g. --sourcetype)", UNTYPED)
    if strict:
        raise problem.error()
    problems.append(problem)
    return FALLBACK


def _kind(st: Sourcetype, fields, terms, strict: bool) -> _Kind:
    """How files of one sourcetype are read: its definition cut to what ``fields`` need."""
    line_filter = None if terms is None or strict else compile_filter(terms, _computed(st))
    wanted = None
    keep_raw = True
    if fields is not None and not any("*" in f for f in fields):
        need = st.needed(set(fields))
        wanted = prefixes(need)
        st = _restricted(st, need)
        keep_raw = "_raw" in fields
    return _Kind(st, fast.Options(wanted, st.extraction_cutoff, keep_raw, line_filter,
                                  st.time.fast_field or "eventTime"))


def map_piece(path: str, start: int, end: int, k: int, build: _Build):
    """The map side over bytes [start, end) of plain NDJSON file number ``k`` (a task of a
    cluster, spl.distributed): (partial, problems). A record without a valid time before any
    in the piece takes the last valid time of the bytes before it, as over the whole file.
    A sourcetype whose time needs more than one ISO 8601 field is read by the record reader."""
    kind = build.kind(k)
    mtime = file_mtime(Path(path))
    problems: list[DataProblem] = []
    if kind.st.time.fast_field is not None:
        chunks = [fast._unpacked(c) for c in fast.read_packed(path, start, end, kind.opts)]
        last = _time_before(path, start, mtime, kind.opts.time_field) if start else None
        cols, t, r = fast.merge(chunks, path, mtime, problems, False, last=last)
    else:
        last = _time_before_records(path, start, kind.st.time) if start else None
        cols, t, r, problems = _records(read_range(Path(path), start, end), Path(path),
                                        kind.opts, False, kind.st.time, last)
    src = build.source if build.source is not None else path
    table = build.table([(cols, len(t))], t, r, [src] * len(t), [build.types[k]])
    assert build.mapper is not None  # spl.distributed plans with one
    return build.mapper(table, (k << 44) + start), problems


def read_pieces(path: Path, spans: Sequence[tuple[int, int]], *, sourcetype: str | None,
                ta=None, source: str | None = None, host: str | None = None,
                index: str = "main") -> tuple[pd.DataFrame, list[DataProblem]]:
    """Every field of the events of byte ranges (line starts to line ends, in order) of a plain
    NDJSON file, in reading order: a few events found by an index of the file's pieces
    (LoadResult.pieces), read without the rest of it. A record without a valid time in them
    takes the file's modification time here: the caller has their times from the whole load."""
    _, early, build = plan_reading([path], sourcetype=sourcetype, ta=ta, source=source,
                                   host=host, index=index)
    kind = build.kind(0)
    mtime = file_mtime(path)
    problems: list[DataProblem] = list(early)
    chunks = [fast._unpacked(c) for a, b in spans
              for c in fast.read_range(str(path), a, b, kind.opts)]
    cols, t, r = fast.merge(chunks, str(path), mtime, problems, False)
    src = source if source is not None else shown_name(path)
    return build.table([(cols, len(t))], t, r, [src] * len(t), [build.types[0]]), problems


def map_whole(path: str, k: int, build: _Build):
    """The map side over a file the record reader reads (gzip, Records): (partial, problems)."""
    kind = build.kind(k)
    part, t, r, problems = _read_records(Path(path), kind.opts, False, kind.st.time)
    src = build.source if build.source is not None else path
    table = build.table([(part, len(t))], t, r, [src] * len(t), [build.types[k]])
    assert build.mapper is not None  # spl.distributed plans with one
    return build.mapper(table, k << 44), problems


def _time_before_records(path: str, offset: int, time: TimeSpec) -> float | None:
    """The last valid time of the records before byte ``offset`` of a file (None: none has
    one; the first record of the piece then takes the file's modification time)."""
    last = None
    for item in read_range(Path(path), 0, offset):
        if isinstance(item, Record):
            t = time.parse(time.value(item.value)[1])
            last = t if t is not None else last
    return last


def _time_before(path: str, offset: int, mtime: float, time_field: str) -> float:
    """The last valid time (``time_field``) of a file's records before byte ``offset`` (a line
    start); the
    file's modification time when none has one (the time those records got)."""
    window = 1 << 20
    with open(path, "rb") as f:
        while True:
            lo = max(offset - window, 0)
            f.seek(lo)
            buf = f.read(offset - lo)
            if lo:  # from the first whole line of the window
                buf = buf[buf.find(b"\n") + 1:]
                lo = offset - len(buf)
            t, _ = fast._tail(buf, 0, len(buf), lo, fast.Chunk(), time_field)
            if t is not None:
                return t
            if not lo:
                return mtime
            window *= 4


class Reading:
    """Files being read into events (see :func:`begin`).

    Every file is a job of the same worker processes (a large NDJSON file one job per core),
    so a directory of many small or gzipped files is read in parallel too; a large gzipped file
    or Records document is inflated here and its pieces are the workers' jobs (spl.data.stream).
    A strict load reads files that are not plain NDJSON in this process, where its first
    problem stops it.
    """

    def __init__(self, files: list[Path], build: _Build, strict: bool,
                 early: Sequence[DataProblem] = (), mapped: bool = False):
        self.files, self.plan, self.strict, self.early = files, build, strict, list(early)
        self.build = build if mapped else None  # set: finish_mapped runs the map side
        self.events = 0  # events read so far by finish_mapped
        # spl.data.fast reads one ISO 8601 time field by itself: files whose time needs more
        # (several fields, a TIME_FORMAT) are read by the record reader
        plain = [fast.is_plain_ndjson(f) and build.kind(k).st.time.fast_field is not None
                 for k, f in enumerate(files)]
        # the record reader costs some ten times more a byte (and gzip packs ~10 bytes in one)
        self.workers = fast.Workers(sum(_size(f) * (1 if p else 10) for f, p in zip(files, plain)))
        # a large gzipped file or Records document is read in pieces by all the workers while
        # such files are fewer than the cores (spl.data.stream), else each is one's job
        streamed = [not p and not strict and self.workers.pool is not None
                    and build.kind(k).st.time.fast_field is not None
                    and _size(f) >= stream.STREAM_MIN for k, (f, p) in enumerate(zip(files, plain))]
        if sum(streamed) >= fast.cores():
            streamed = [False] * len(files)
        # a file's range jobs, its one job, its pieces being read (streamed), or (mapped) the
        # number of its pieces
        self.jobs: list[list[fast.Job] | fast.Job | stream.Stream | int] = []
        self.pending: deque = deque()   # pieces of plain files to map, not yet given to a worker
        self.inflight: deque = deque()  # jobs reading the next pieces, in file order
        try:
            for k, (path, is_plain) in enumerate(zip(files, plain)):
                opts, time = build.kind(k).opts, build.kind(k).st.time
                if is_plain and mapped:
                    size = _size(path)
                    per_core = -(-size // (MAP_BYTES * fast.cores()))  # equal shares of the cores
                    spans = fast.ranges(path, max(1, per_core * fast.cores()))
                    self.pending.extend((str(path), a, b, opts) for a, b in spans)
                    self.jobs.append(len(spans))
                elif is_plain:
                    self.jobs.append(fast.file_jobs(self.workers, path, opts))
                elif streamed[k] and (form := stream.stream_form(path)) is not None:
                    self.jobs.append(stream.Stream(path, form, opts, self.workers))
                elif strict:
                    self.jobs.append(fast.Job(None, _read_records, (path, opts, strict, time)))
                else:
                    self.jobs.append(self.workers.submit(_read_records, path, opts, strict,
                                                         time))
            self._top_up()
            stream.start_feeding(self._streams())
        except BaseException:
            self.cancel()
            raise

    def _streams(self) -> list[stream.Stream]:
        """The files read in pieces by the workers."""
        return [j for j in self.jobs if isinstance(j, stream.Stream)]

    def _top_up(self) -> None:
        """Keep up to MAP_AHEAD bytes of pieces being read (a quarter of it for a load of every
        field): enough to keep the workers busy while this process imports the engine, few
        enough that the pieces read and waiting to be mapped stay small."""
        ahead = MAP_AHEAD if self.plan.fields is not None else MAP_AHEAD // 4
        while self.pending and sum(j.args[2] - j.args[1] for j in self.inflight) < ahead:
            path, a, b, opts = self.pending.popleft()
            self.inflight.append(self.workers.submit(fast.read_packed, path, a, b, opts))

    def cancel(self) -> None:
        """Stop the worker processes (the events are not wanted after all)."""
        for s in self._streams():
            s.close()
        self.workers.close(cancel=True)

    def finish(self, *, source: str | None = None, host: str | None = None,
               index: str = "main", progress: bool = False) -> LoadResult:
        """The events of every file (``source``, ``host``, ``index``: as for :func:`load`)."""
        with self._collecting():
            return self._finish(source, host, index, progress)

    @contextlib.contextmanager
    def _collecting(self):
        """Around taking the workers' results: the workers stopped if it fails, closed after.
        Reading builds millions of objects and no reference cycles: the cycle collector would
        only walk them again and again (a third of the time of a large file), so it is off."""
        collecting = gc.isenabled()
        gc.disable()
        try:
            yield
        except BaseException:
            self.cancel()
            raise
        finally:
            for s in self._streams():
                s.close()
            self.workers.close()
            if collecting:
                gc.enable()

    def finish_mapped(self, progress: bool = False) -> tuple[list, list[DataProblem]]:
        """The map side's partial results of every file's pieces, in reading order, and the
        problems met (a reading begun with a ``mapper``). ``self.events`` counts the events.

        A plain file with a line that holds records without being one (spl.data.readers.unwrap)
        is read again whole by the record reader, as :meth:`finish` does: what its pieces gave
        is dropped first."""
        build = self.build
        assert build is not None and build.mapper is not None  # a reading begun with a mapper
        partials: list = []
        problems: list[DataProblem] = list(self.early)
        with self._collecting():
            for k, (path, jobs) in enumerate(zip(self.files, self.jobs)):
                if progress:
                    print(f"reading {path} ({k + 1}/{len(self.files)})", file=sys.stderr)
                src = build.source if build.source is not None else shown_name(path)
                if isinstance(jobs, int):  # a plain file: its pieces, mapped MAP_ROWS at a time
                    start = (len(partials), len(problems), self.events)
                    if self._map_pieces(k, path, jobs, src, partials, problems):
                        continue
                    del partials[start[0]:], problems[start[1]:]
                    self.events = start[2]
                    part, t, r, found = _read_records(path, build.kind(k).opts, False,
                                                      build.kind(k).st.time)
                elif isinstance(jobs, stream.Stream):  # its pieces, mapped MAP_ROWS at a time
                    start = (len(partials), len(problems), self.events)
                    if self._map_stream(k, path, jobs, src, partials, problems):
                        continue
                    del partials[start[0]:], problems[start[1]:]
                    self.events = start[2]
                    part, t, r, found = _records(read_file(path), path, build.kind(k).opts,
                                                 False, build.kind(k).st.time)
                else:  # read whole by the record reader
                    assert isinstance(jobs, fast.Job)
                    part, t, r, found = jobs.result()
                problems.extend(found)
                table = build.table([(part, len(t))], t, r, [src] * len(t), [build.types[k]])
                self.events += len(t)
                partials.append(build.mapper(table, k << 44))
            return partials, _shown(problems)

    def _map_pieces(self, k: int, path: Path, jobs: int, src: str, partials: list,
                    problems: list) -> bool:
        """Map the pieces of plain file number ``k`` as they arrive; False (the rest of its
        pieces drained) when one holds an unusual line and the file must be read whole."""
        assert self.build is not None and self.build.mapper is not None
        last, counter, mtime = None, _LineCounter(), file_mtime(path)
        batch: list = []
        major = 0
        for j in range(jobs):
            job = self.inflight.popleft()
            self._top_up()
            if not batch:
                major = (k << 44) + job.args[1]
            batch.extend(fast.chunks([job]))
            if any(c.unusual for c in batch):
                for _ in range(j + 1, jobs):
                    self.inflight.popleft().result()
                    self._top_up()
                return False
            if j + 1 < jobs and sum(c.n for c in batch) < MAP_ROWS:
                continue
            last, _ = self._map_batch(k, path, batch, src, partials, problems, last, counter,
                                      mtime, major)
            batch = []
        return True

    def _map_stream(self, k: int, path: Path, pieces: stream.Stream, src: str, partials: list,
                    problems: list) -> bool:
        """Map the pieces of streamed file number ``k`` MAP_ROWS events at a time as they
        arrive; False when the file must be read by the record reader."""
        build = self.build
        assert build is not None and build.mapper is not None
        last, lines, mtime = None, stream.TextLines(path), file_mtime(path)
        batch: list = []
        major = k << 44
        try:
            for piece in pieces.results():
                batch.extend(piece)
                if sum(c.n for c in batch) < MAP_ROWS:
                    continue
                last, major = self._map_batch(k, path, batch, src, partials, problems, last,
                                              lines, mtime, major)
                batch = []
        except stream.GiveUp:
            return False
        finally:
            pieces.close()
        if batch:
            self._map_batch(k, path, batch, src, partials, problems, last, lines, mtime, major)
        return True

    def _map_batch(self, k, path, batch, src, partials, problems, last, lines, mtime, major):
        """Map a batch of a file's chunks: (the time a record without a valid one takes next,
        the next batch's key). Records before any valid time took the file's modification
        time, which the next such record then takes too (and says it is the previous event's)."""
        build = self.build
        assert build is not None and build.mapper is not None
        cols, t, r = fast.merge(batch, str(path), mtime, problems, False, last=last,
                                line_numbers=lines)
        tails = [c.tail_time for c in batch if c.tail_time is not None]
        table = build.table([(cols, len(t))], t, r, [src] * len(t), [build.types[k]])
        self.events += len(t)
        partials.append(build.mapper(table, major))
        if tails:
            last = tails[-1]
        elif last is None and len(t):
            last = mtime
        return last, major + 1

    def _finish(self, source, host, index, progress) -> LoadResult:
        files, strict, plan = self.files, self.strict, self.plan
        problems: list[DataProblem] = list(self.early)
        parts: list[tuple[dict, int]] = []  # each file's extracted fields as columns, its rows
        times: list = []  # each file's, as an array (a list of floats is four times as big)
        raws: list[str] = []
        sources: list[str] = []
        pieces: list[list[tuple[int, int, int]] | None] = []
        counts: list[int] = []
        for k, (path, jobs) in enumerate(zip(files, self.jobs), 1):
            if progress:
                print(f"reading {path} ({k}/{len(files)})", file=sys.stderr)
            src = source if source is not None else shown_name(path)
            chunks = fast.chunks(jobs) if isinstance(jobs, list) else None
            if isinstance(jobs, stream.Stream):
                part, t, r, found = _streamed(jobs, plan.kind(k - 1).opts, strict,
                                              plan.kind(k - 1).st.time)
                problems.extend(found)
            elif chunks is not None and any(c.unusual for c in chunks):
                # a line that is not a record but holds some (spl.data.readers.unwrap)
                part, t, r, found = _read_records(path, plan.kind(k - 1).opts, strict,
                                                  plan.kind(k - 1).st.time)
                problems.extend(found)
                pieces.append(None)
            elif chunks is not None:
                part, t, r = fast.merge(chunks, str(path), file_mtime(path), problems, strict)
                whole = plan.kind(k - 1).opts.line_filter is None  # no record skipped
                pieces.append([(*c.span, c.n) for c in chunks if c.span is not None]
                              if whole and all(c.span is not None for c in chunks) else None)
            else:
                pieces.append(None)
                assert isinstance(jobs, fast.Job)  # chunks is None only for a file's one job
                part, t, r, found = jobs.result()
                problems.extend(found)
            times.append(np.asarray(t, dtype=np.float64))
            raws.extend(r)
            parts.append((part, len(t)))
            sources.extend([src] * len(t))
            counts.append(len(t))
        table = dataclasses.replace(plan, host=host if host is not None else socket.gethostname(),
                                    index=index).table(parts, np.concatenate(times) if times
                                                       else np.empty(0), raws, sources,
                                                       plan.types)
        return LoadResult(table, _shown(problems), [shown_name(f) for f in files], pieces,
                          counts)


@dataclass
class _Kind:
    """How the files of one sourcetype are read: its definition (cut to the fields a search
    needs) and the readers' options."""

    st: Sourcetype
    opts: fast.Options


@dataclass
class _Build:
    """How a chunk's columns become the event table (sent to worker processes)."""

    kinds: dict[str, _Kind]  # by sourcetype name
    types: list[str]         # the sourcetype of each file, by file number
    fields: set[str] | None
    host: str
    index: str
    source: str | None = None
    mapper: MapJob | None = None

    def kind(self, k: int) -> _Kind:
        """How file number ``k`` is read."""
        return self.kinds[self.types[k]]

    def table(self, parts, times, raws, sources, types) -> pd.DataFrame:
        """The events of columns ``parts`` ((columns, rows) of each file, in order; ``types``:
        each one's sourcetype; ``times``: a list or an array). The files of each run of one
        sourcetype get its definition; the runs' columns are united (a field a run lacks is null
        in its rows). A definition that aliases, evaluates or looks up fields reads them as
        lists; without one, no base field that is not kept is built (a million events: 8 MB
        each) and ``_time`` stays an array."""
        import pandas as pd

        keep_raw = next(iter(self.kinds.values())).opts.keep_raw
        runs: list[tuple[str, list]] = []
        for part, name in zip(parts, types):
            if runs and runs[-1][0] == name:
                runs[-1][1].append(part)
            else:
                runs.append((name, [part]))
        keep = None if self.fields is None or any("*" in f for f in self.fields) else {
            *self.fields, "_time", "_raw"}
        name = runs[0][0] if runs else next(iter(self.kinds))
        plain = len(runs) <= 1 and not self.kinds[name].st.transforms()
        if not plain:
            times = np.asarray(times).tolist()  # python floats, as definitions read them
        if len(runs) <= 1:  # one sourcetype (the usual load): no copying
            cols = _columns(parts, times, raws if keep_raw else None, sources, name, self.host,
                            self.index, keep if plain else None)
            cols = self.kinds[name].st.apply_columns(cols, len(times))
        else:
            cols = {}
            start = 0
            for name, run in runs:
                n = sum(m for _, m in run)
                these = _columns(run, times[start:start + n],
                                 raws[start:start + n] if keep_raw else None,
                                 sources[start:start + n], name, self.host, self.index)
                for c, values in self.kinds[name].st.apply_columns(these, n).items():
                    col = cols.get(c)
                    if col is None:
                        col = cols[c] = [None] * start
                    col.extend(values)
                start += n
                for col in cols.values():
                    if len(col) < start:
                        col.extend([None] * (start - len(col)))
        # A field no event has does not exist (Splunk lists only fields with values). Base
        # fields come first, then the others by name: the columns must not depend on which
        # records were read (a pre-filter skips some). With the fields known, a base field
        # the search does not name is left out too (_time and _raw always stay).
        order = sorted(cols, key=lambda c: (0, BASE_FIELDS.index(c), "") if c in BASE_FIELDS
                       else (1, 0, c))
        cols = {c: cols[c] for c in order
                if (keep is None or c in keep) and (
                    c in BASE_FIELDS or any(x is not None for x in cols[c]))}
        return pd.DataFrame({c: pd.Series(v, dtype="float64" if c == "_time" else object)
                             for c, v in cols.items()})


MAP_BYTES = 256 << 20 # bytes of a file a worker reads at a time for the map side (spl.mapreduce)
MAP_ROWS = 100_000    # events mapped at a time: bounds the events held, pays the per-map costs
MAP_AHEAD = 1 << 30   # bytes of pieces being read ahead of the mapping


class _LineCounter:
    """Line numbers of ascending byte offsets of a file, counted on from the last call (a
    worker's batches report their problems in file order)."""

    def __init__(self):
        self.pos, self.line = 0, 1

    def __call__(self, file: str, offsets: list[int]) -> list[int]:
        import mmap

        import numpy as np

        out = []
        with open(file, "rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as mm:
            for o in offsets:
                self.line += int(np.count_nonzero(
                    np.frombuffer(mm, np.uint8, count=o - self.pos, offset=self.pos) == 10))
                self.pos = o
                out.append(self.line)
        return out


def _shown(problems: list[DataProblem]) -> list[DataProblem]:
    """The problems with their files named as the user gave them (``-`` for standard input)."""
    return [p if shown_name(p.file) == p.file else
            dataclasses.replace(p, file=shown_name(p.file)) for p in problems]


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _read_records(path: Path, opts: fast.Options, strict: bool, time: TimeSpec):
    """A file that is not plain NDJSON (gzip, Records documents), or whose sourcetype's time
    time needs more than one ISO 8601 field: (columns, times, raws, problems). Read in pieces
    by the fast reader when it can (spl.data.stream), else record by record."""
    if not strict and time.fast_field is not None:
        form = stream.stream_form(path)
        if form is not None:
            return _streamed(stream.Stream(path, form, opts), opts, strict, time)
    return _records(read_file(path), path, opts, strict, time)


def _streamed(pieces: stream.Stream, opts: fast.Options, strict: bool, time: TimeSpec):
    """(columns, times, raws, problems) of a file read in pieces (spl.data.stream), or by the
    record reader when they cannot give its result."""
    path = pieces.path
    chunks = pieces.collect()
    if chunks is None:
        return _records(read_file(path), path, opts, strict, time)
    problems: list[DataProblem] = []
    cols, t, r = fast.merge(chunks, str(path), file_mtime(path), problems, strict,
                            line_numbers=stream.TextLines(path))
    return cols, t, r, problems


def _records(items, path: Path, opts: fast.Options, strict: bool, time: TimeSpec,
             last_time: float | None = None):
    """(columns, times, raws, problems) of the records and problems ``items``."""
    rows, times, raws, problems = [], [], [], []
    for k, item in enumerate(items):
        if k % 4096 == 0:
            fast.check_stop()
        if isinstance(item, DataProblem):
            if strict and not item.notice:
                raise item.error()
            problems.append(item)
            continue
        t = _event_time(item, path, last_time, problems, strict, time)
        last_time = t
        if opts.line_filter is not None and not opts.line_filter.line_ok(
                item.raw.encode("utf-8")):
            continue
        try:
            row = _extract(item, opts.wanted, opts.cutoff)
        except TooDeep as e:  # kept, with the fields above spl's depth limit
            problem = DataProblem(item.file, item.line, e.reason(item.raw), DEEP_FIELDS)
            if strict:
                raise problem.error() from None
            problems.append(problem)
            row = extract_capped(item.raw, item.value, opts.wanted, opts.cutoff)
        rows.append(row)
        times.append(t)
        if opts.keep_raw:
            raws.append(item.raw)
    return fast.rows_to_columns(rows), times, raws, problems


def _computed(st: Sourcetype) -> set[str]:
    """Fields whose values the definition computes (EVAL, lookups) rather than copies."""
    return ({c.field for c in st.evals} | {ev for lk in st.lookups for _, ev in lk.outputs}
            | st.event_fields())


def _restricted(st: Sourcetype, need: set[str]) -> Sourcetype:
    """The definition without the aliases, EVALs and lookups whose output no one reads."""
    return dataclasses.replace(
        st, aliases=[a for a in st.aliases if a.dst in need],
        evals=[c for c in st.evals if c.field in need],
        lookups=[lk for lk in st.lookups if any(ev in need for _, ev in lk.outputs)],
        eventtypes=st.eventtypes if st.wants_event_fields(need) else [],
        field_tags=st.field_tags if st.wants_event_fields(need) else {})


def _extract(rec: Record, wanted, cutoff: int) -> dict:
    """The JSON fields of a record as Splunk's auto-KV extracts them (see spl.data.extract)."""
    raw = rec.raw
    if len(raw) > cutoff or (len(raw) * 4 > cutoff and len(raw.encode("utf-8")) > cutoff):
        return flatten_prefix(raw, cutoff, wanted)
    try:
        return flatten(rec.value, wanted)
    except InexactNumber:
        return flatten(parse_exact(raw), wanted)


def _event_time(rec: Record, path: Path, last: float | None, problems, strict,
                time: TimeSpec = CLOUDTRAIL_TIME) -> float:
    name, value = time.value(rec.value)
    t = time.parse(value)
    if t is not None:
        return t
    what = time_problem(name, value)
    if time.format is not None and value is not None:
        what += f" of format {time.format}"
    if strict:
        raise DataProblem(rec.file, rec.line, what, NO_TIME).error()
    if last is not None:
        problems.append(DataProblem(rec.file, rec.line,
                                    f"{what}; _time is that of the previous event of the file",
                                    NO_TIME))
        return last
    problems.append(DataProblem(rec.file, rec.line,
                                f"{what}; _time is the file's modification time", NO_TIME))
    return file_mtime(path)


def _columns(parts, times, raws, sources, sourcetype, host, index,
             keep: set[str] | None = None) -> dict[str, list]:
    """The event table as {column: values}: base fields first, then fields in order of appearance.

    ``parts``: (extracted columns, rows) of each file, in file order; ``raws`` None: no ``_raw``;
    ``keep``: the base fields to build (None: all).
    """
    n = len(times)
    cols: dict = {"_time": times}
    if raws is not None:
        cols["_raw"] = raws
    constant = {"sourcetype": lambda: [sourcetype] * n, "source": lambda: sources,
                "host": lambda: [host] * n, "index": lambda: [index] * n}
    cols.update((c, make()) for c, make in constant.items() if keep is None or c in keep)
    base = set(BASE_FIELDS)  # a record's own "_raw"/"source"/... never replaces the event's
    fields: dict[str, list] = {}
    start = 0
    for part, m in parts:
        for name, values in part.items():
            if name in base:
                continue
            col = fields.get(name)
            if col is None:
                col = fields[name] = [None] * n
            col[start:start + m] = values
        start += m
    cols.update(fields)
    return cols
