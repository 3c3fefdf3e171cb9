"""Reading a plain (not gzipped) NDJSON file fast: byte ranges in parallel, chunks, a pre-filter.

(A gzipped file or a Records document is read in pieces of its text by spl.data.stream, each
piece by this module's chunk reader.)

The result is exactly what spl.data.readers + spl.data.load give for the same file (same rows,
values, ``_time``, problems for the lines that are read), built faster:

- the files of a load are jobs of worker processes (``Workers``, one per core, when there are
  enough bytes to pay for them); a large file is cut at line boundaries into one range per
  core; a range is read in chunks of whole lines;
- a chunk's lines that cannot match the first search are skipped before parsing
  (spl.data.prefilter), so a selective search holds only its candidate records; a skipped line
  is never parsed, so a malformed line that could not match is not reported (``strict`` loads
  read every line);
- the lines left are decoded 1 MB at a time by a msgspec decoder that builds only the wanted
  top-level keys and skips every other value unbuilt (``_columnar``); a chunk with anything
  unusual in it (a line that is not a JSON object, bad UTF-8, a key like ``a.b`` that could
  merge with a nested path, an integer 0 that may be ``-0``, a record without a valid time)
  is read record by record instead, with orjson and spl.data.extract.flatten, exactly as
  spl.data.readers does; ``_raw`` is decoded only when the search can read it; a line that
  holds records without being one (an array, a Records document, an EventBridge event, a
  digest: spl.data.readers.shape) marks its chunk ``unusual``, and the whole file is then read
  by spl.data.readers;
- each chunk comes back as columns, string columns dictionary-encoded, merged in file order.

``_time`` of a record without a valid ``eventTime`` is that of the previous record of the file
(spl.data.load's rule): within a chunk this is the last time seen; a chunk that skipped lines
and meets such a record is read again whole, and a record with no earlier time in its chunk takes
the last time of the chunks before it (or the file's modification time).
"""
from __future__ import annotations

import codecs
import functools
import gc
import itertools
import mmap
import multiprocessing
import operator
import os
import re
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import msgspec
import numpy as np
import orjson

from spl.data.extract import (
    InexactNumber,
    TooDeep,
    _walk,
    extract_capped,
    flatten,
    flatten_prefix,
    parse_event_time,
    time_of,
    time_problem,
)
from spl.data.readers import (
    DataProblem,
    _bad_utf8,
    _is_document,
    _opens_document,
    parse_exact,
    parse_line,
    shape,
)

if TYPE_CHECKING:
    from spl.data.prefilter import LineFilter

CHUNK = 8 << 20          # bytes read (and pre-filtered) at a time
PIECE = 1 << 20          # bytes of lines parsed at a time
PARALLEL_MIN = 32 << 20  # bytes of a load that pay for worker processes; a file this big is split
_BOM = codecs.BOM_UTF8


@dataclass
class Options:
    """What the reader must produce (sent to worker processes, so plain data only)."""

    wanted: set[str] | None     # JSON path prefixes to extract (None: every field)
    cutoff: int                 # extraction cutoff in bytes
    keep_raw: bool              # whether _raw is needed
    line_filter: LineFilter | None = None
    time_field: str = "eventTime"  # the field _time is read from (props TIMESTAMP_FIELDS)


@dataclass
class _Gap:
    """A record without a valid eventTime before any time of its chunk: resolved at merge."""

    row: int
    offset: int
    what: str
    after_record: bool  # an earlier record of the same chunk exists


@dataclass
class Chunk:
    """Records of one chunk of whole lines; problems carry byte offsets into the file (turned
    into line numbers at merge, only when there are problems)."""

    # A list per field and of times, until packed to cross processes (_Packed, an array): Any, as
    # the code at each stage knows which form it holds.
    cols: dict[str, Any] = field(default_factory=dict)
    times: Any = field(default_factory=list)
    raws: list = field(default_factory=list)
    problems: list = field(default_factory=list)   # (offset, reason[, reason if strict]), _Gap
    tail_time: float | None = None                 # last eventTime of the chunk that is valid
    has_records: bool = False
    unusual: bool = False  # a line holds records without being one: read the file by records
    span: tuple[int, int] | None = None  # the bytes [start, end) of the buffer read for it

    @property
    def n(self) -> int:
        return len(self.times)


def ranges(path: Path, parts: int) -> list[tuple[int, int]]:
    """``parts`` byte ranges of the file, each starting at a line start."""
    size = os.path.getsize(path)
    if parts <= 1 or size < PARALLEL_MIN:
        return [(0, size)]
    cuts = [0]
    with open(path, "rb") as f:
        for k in range(1, parts):
            f.seek(size * k // parts)
            f.readline()
            pos = f.tell()
            if cuts[-1] < pos < size:
                cuts.append(pos)
    cuts.append(size)
    return list(zip(cuts[:-1], cuts[1:]))


def cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def is_plain_ndjson(path: Path) -> bool:
    """A file this reader takes: not gzipped, one JSON object a line (not a Records document)."""
    try:
        with open(path, "rb") as f:
            head = f.read(4096)
    except OSError:
        return False
    text = head.lstrip(b" \t\r\n")
    if text.startswith(_BOM):
        text = text[3:].lstrip(b" \t\r\n")
    return (text.startswith(b"{") and not _is_document(text) and not _opens_document(text)
            and not _digest(text) and not _pubsub(text))


def _pubsub(head: bytes) -> bool:
    """Pub/Sub messages, whose base64 ``data`` the record reader decodes (spl.data.readers)."""
    return b'"message"' in head and (b'"publishTime"' in head or b'"publish_time"' in head)


def _digest(head: bytes) -> bool:
    """A CloudTrail-Digest file, which the record reader skips and counts, pre-filter or not."""
    return b'"digestS3Object"' in head or b'"digestStartTime"' in head


def file_jobs(workers: Workers, path: Path, opts: Options) -> list[Job]:
    """Reading a file as jobs of the workers: a file of PARALLEL_MIN bytes or more is cut into
    one byte range per core, a smaller one is one job. ``chunks`` gathers them."""
    spans = ranges(path, cores()) if workers.parallel else [(0, os.path.getsize(path))]
    return [workers.submit(read_packed, str(path), a, b, opts) for a, b in spans]


def chunks(jobs: list[Job]) -> list[Chunk]:
    """Every chunk of a file's jobs, in file order."""
    return [_unpacked(c) for job in jobs for c in job.result()]


class Workers:
    """Worker processes (one per core) for the jobs of one load, or none when the bytes to read
    are too few to pay for them (the jobs then run in this process, when asked for).

    The workers are forked at the first job, before the caller imports anything heavy (this
    module and the jobs' code need no pandas), so they cost no import time. They are stopped
    by asking (an event they look at between chunks), never killed: a worker killed while it
    sends a result back would leave the pool waiting for the rest of the message for ever.
    """

    def __init__(self, size: int):
        self.pool: ProcessPoolExecutor | None = None
        self.stop: Any = None  # the context's Event, set to ask the workers to stop
        self.parallel = cores() > 1 and size >= PARALLEL_MIN
        if self.parallel:
            try:
                context = multiprocessing.get_context()
                self.stop = context.Event()
                self.pool = ProcessPoolExecutor(cores(), mp_context=context,
                                                initializer=_worker_init, initargs=(self.stop,))
            except OSError:  # no worker processes (or no semaphores) here: jobs run in this one
                self.parallel = False

    def submit(self, fn, *args) -> Job:
        future = None
        if self.pool is not None:
            try:
                future = self.pool.submit(fn, *args)
            except (OSError, BrokenProcessPool):
                pass
        return Job(future, fn, args)

    def start(self) -> None:
        """Fork the workers now, from this thread: a fork from another thread could copy a lock
        some thread holds, which the child would then wait for for ever."""
        if self.pool is not None:
            self.submit(os.getpid)

    def close(self, cancel: bool = False) -> None:
        """Let the workers go; ``cancel``: their results are not wanted, stop them now."""
        if self.pool is not None:
            if cancel:
                self.stop.set()
            self.pool.shutdown(wait=True, cancel_futures=cancel)
            self.pool = None


_STOP = None  # in a worker process: the event that asks it to stop reading


def _worker_init(stop) -> None:
    global _STOP
    _STOP = stop


class Stopped(Exception):
    """A worker's job was given up (Workers.close with cancel)."""


def check_stop() -> None:
    """Raise Stopped in a worker asked to stop (nothing in the main process)."""
    if _STOP is not None and _STOP.is_set():
        raise Stopped


class Job:
    """One job's result, from a worker or, without one (or when it died), from this process."""

    def __init__(self, future, fn, args):
        self.future, self.fn, self.args = future, fn, args

    def result(self):
        if self.future is not None:
            try:
                return self.future.result()
            except (OSError, BrokenProcessPool):
                pass
        return self.fn(*self.args)


@dataclass
class _Packed:
    """A column of strings and None as codes into its distinct values (None last): a worker
    process sends this back far faster than a list of a million strings, and the column's
    equal values become one object."""

    codes: np.ndarray
    values: list
    patches: dict = field(default_factory=dict)  # row -> value, over what the codes say


_STR_OR_NONE = {str, type(None)}


def read_packed(path: str, start: int, end: int, opts: Options) -> list[Chunk]:
    """read_range, its chunks packed for the trip back from a worker process."""
    return pack(read_range(path, start, end, opts))


def pack(chunks: list[Chunk]) -> list[Chunk]:
    """The chunks packed for the trip back from a worker process (_unpacked undoes it)."""
    for c in chunks:
        c.times = np.array(c.times, dtype=np.float64)
        for k, col in c.cols.items():
            if type(col) is list and set(map(type, col)) <= _STR_OR_NONE:
                codes, values = _dictionary(col, None)
                c.cols[k] = _Packed(codes, values + [None])
    return chunks


def _dictionary(items, absent) -> tuple[np.ndarray, list]:
    """Each item as a code into the distinct items, in order of first appearance; an item
    equal to ``absent`` is -1 and not among them."""
    index = {absent: -1}
    codes = np.array([index.setdefault(v, len(index) - 1) for v in items], dtype=np.int32)
    del index[absent]
    return codes, list(index)


def _unpacked(c: Chunk) -> Chunk:
    c.cols = {k: _unpack(v) if isinstance(v, _Packed) else v for k, v in c.cols.items()}
    return c


def _unpack(p: _Packed) -> list:
    # fromiter keeps list values (multivalue cells) as cells; np.array would nest them
    values = np.fromiter(p.values, dtype=object, count=len(p.values))
    out = values[p.codes].tolist()
    for row, value in p.patches.items():
        out[row] = value
    return out


def read_range(path: str, start: int, end: int, opts: Options) -> list[Chunk]:
    """The chunks of bytes [start, end) of a file (start at a line start)."""
    return [c for _, c in iter_range(path, start, end, opts)]


def iter_range(path: str, start: int, end: int, opts: Options):
    """(byte offset of the chunk's block, chunk) of bytes [start, end) of a file, one at a time
    (spl.mapreduce maps each while the next is read, so a range is never held whole).

    Chunks are read into one reused buffer: copying from the page cache is cheaper than the
    page faults of a fresh buffer (or of a memory map) for every chunk.
    """
    gc.disable()  # a worker builds many objects and no cycles (see spl.data.load)
    block = bytearray(CHUNK)
    with open(path, "rb", buffering=0) as f:
        pos = start
        while pos < end:
            f.seek(pos)
            with memoryview(block) as view:
                got = f.readinto(view[:min(len(block), end - pos)])
            if not got:
                break
            hi = got
            if pos + got < end:
                cut = block.rfind(b"\n", 0, got)
                if cut < 0:  # a line longer than the buffer
                    block = bytearray(2 * len(block))
                    continue
                hi = cut + 1
            for chunk in read_chunk(block, 0, hi, opts, pos):
                yield pos, chunk
            pos += hi
            check_stop()


def read_chunk(buf, lo: int, hi: int, opts: Options, base: int = 0) -> list[Chunk]:
    """The records of the whole lines ``buf[lo:hi]``; ``buf[0]`` is byte ``base`` of the file.

    The pre-filter scans the whole range (its set-up costs per scan); lines read whole are
    parsed PIECE bytes at a time, so that a piece's lines, their copies and their records
    stay in the processor's cache between the passes over them.
    """
    if opts.line_filter is not None:
        chunk = _read_lines(buf, opts.line_filter.candidates(buf, lo, hi), opts, lo, hi, base)
        if chunk is not None:
            chunk.span = (base + lo, base + hi)
            return [chunk]
    out = []
    while lo < hi:
        cut = buf.find(b"\n", min(lo + PIECE, hi) - 1, hi) + 1 or hi
        out.append(_read_lines(buf, None, opts, lo, cut, base))
        out[-1].span = (base + lo, base + cut)
        lo = cut
    return out


_SCALARS = {str, msgspec.UnsetType, type(None), bool, int}
_DECODE_ERRORS = (msgspec.DecodeError, UnicodeDecodeError, RecursionError)


def _scalar(v):
    """A top-level scalar as flatten gives it (None: the record lacks the key)."""
    if type(v) is str:
        return v
    if v is msgspec.UNSET:
        return None
    if v is None:
        return "null"
    if type(v) is bool:
        return "true" if v else "false"
    return str(v)


def _check_utf8(lines: list[bytes]) -> None:
    """Raise UnicodeDecodeError for a line that is not UTF-8: the msgspec decoders do not
    check the strings they skip."""
    if not all(map(bytes.isascii, lines)):
        for line in lines:
            if not line.isascii():
                line.decode("utf-8")


@functools.lru_cache(maxsize=16)
def _decoder(names: tuple) -> msgspec.json.Decoder:
    """A JSON decoder that builds only the top-level keys ``names`` of a record and skips every
    other value without building it (most of the cost of parsing a record is building it).

    Floats come as their JSON text (what extraction shows, see spl.data.extract); integers of any
    size are exact. A key the record lacks is UNSET.
    """
    record = msgspec.defstruct(
        "Record", [(f"f{i}", Any, msgspec.field(default=msgspec.UNSET, name=k))
                   for i, k in enumerate(names)], gc=False)
    return msgspec.json.Decoder(record, float_hook=str)


def _columnar(lines: list[bytes], names: tuple, opts: Options) -> Chunk | None:
    """The usual chunk, column by column: every line one JSON object in valid UTF-8 with a valid
    eventTime. None when a line is anything else (the record-by-record loop then reads the
    chunk, problems and all).

    ``names`` are the wanted path prefixes, each read as a top-level key too (flatten's walk
    takes a top-level key exactly when it is in ``wanted``). A top-level key holding an object
    or array is flattened record by record; a key that is not a plain name (``a.b``, ``a{}``)
    could merge with another key's paths, so a chunk where one is present takes the slow path.
    """
    if not lines:
        return None
    top, _, rest = opts.time_field.partition(".")  # a nested time field: its top-level key
    keys = names if top in names else names + (top,)
    try:
        _check_utf8(lines)
        values = list(map(_decoder(keys).decode, lines))
    except _DECODE_ERRORS:
        return None
    getters = [operator.attrgetter(f"f{i}") for i in range(len(keys))]
    stamps = list(map(getters[keys.index(top)], values))
    if rest:
        stamps = [time_of(v, rest) if type(v) is dict else None for v in stamps]
    times = _event_times(stamps)
    if times is None:
        return None
    chunk = Chunk(times=times, tail_time=times[-1], has_records=True)
    nested = []
    for k, get in zip(names, getters):
        col = list(map(get, values))
        kinds = set(map(type, col))
        if kinds == {msgspec.UnsetType}:
            continue
        if "." in k or "{}" in k:
            return None
        if kinds == {str}:
            chunk.cols[k] = col
        elif kinds <= _SCALARS:
            chunk.cols[k] = list(map(_scalar, col))
            if int in kinds:  # an integer 0 may have been written -0: its record's text says
                for i, v in enumerate(col):
                    if type(v) is int and v == 0:
                        chunk.cols[k][i] = parse_exact(lines[i].decode("utf-8"))[k]
        else:
            nested.append((k, col))
    try:
        for k, col in nested:
            _flatten_column(k, col, opts.wanted, chunk.cols, lines)
    except TooDeep:  # the record-by-record loop reports it
        return None
    cutoff = opts.cutoff
    if max(map(len, lines)) > cutoff:  # records beyond the extraction cutoff: their prefix only
        n = len(lines)
        for i, line in enumerate(lines):
            if len(line) > cutoff:
                for col in chunk.cols.values():
                    col[i] = None
                try:
                    row = flatten_prefix(line.decode("utf-8"), cutoff, opts.wanted)
                except TooDeep:
                    return None
                for k, v in row.items():
                    chunk.cols.setdefault(k, [None] * n)[i] = v
        chunk.cols = {k: v for k, v in chunk.cols.items() if any(x is not None for x in v)}
    if opts.keep_raw:
        chunk.raws = [line.decode("utf-8") for line in lines]
    return chunk


_SEEN_KEYS: dict[str, None] = {}  # top-level keys met so far in this process, in order
_NO_VALUE = msgspec.Raw()


@functools.lru_cache(maxsize=64)
def _raw_decoder(keys: tuple) -> msgspec.json.Decoder:
    """A decoder giving each of ``keys`` as its JSON text (empty: absent); another key fails."""
    record = msgspec.defstruct(
        "Whole", [(f"f{i}", msgspec.Raw, msgspec.field(default=_NO_VALUE, name=k))
                  for i, k in enumerate(keys)], forbid_unknown_fields=True, gc=False)
    return msgspec.json.Decoder(record)


_EXACT = msgspec.json.Decoder(float_hook=str)


def _every_field(lines: list[bytes], opts: Options) -> Chunk | None:
    """:func:`_columnar` for a load of every field (``wanted`` None): each top-level value is
    taken as its JSON text, and each distinct text is flattened once (records repeat their
    principals, sources and parameters a lot); columns go out dictionary-encoded. None when
    a line is anything unusual (the record-by-record loop then reads the chunk)."""
    if not lines:
        return None
    try:
        _check_utf8(lines)
        values = _decode_whole(lines)
    except (msgspec.DecodeError, ValueError, RecursionError):  # also bad UTF-8, orjson's errors
        return None
    if values is None:
        return None
    values, keys = values
    n = len(lines)
    chunk = Chunk(has_records=True)
    stamps = None
    for i, k in enumerate(keys):
        if "." in k or "{}" in k:  # its paths could merge with another key's
            if any(map(len, map(operator.attrgetter(f"f{i}"), values))):
                return None
            continue
        codes, texts = _dictionary(map(bytes, map(operator.attrgetter(f"f{i}"), values)), b"")
        if not texts:
            continue
        try:
            flats = [_flat_text(text, k) for text in texts]
        except (msgspec.DecodeError, ValueError, RecursionError, TooDeep):
            return None
        if k == opts.time_field.partition(".")[0]:  # flattened: the time field is a path
            stamps = [flats[c].get(opts.time_field) if c >= 0 else None for c in codes.tolist()]
        paths = dict.fromkeys(p for flat in flats for p in flat)
        for p in paths:
            chunk.cols[p] = _Packed(codes, [flat.get(p) for flat in flats] + [None])
    times = _event_times(stamps if stamps is not None else [None] * n)
    if times is None:
        return None
    chunk.times, chunk.tail_time = times, times[-1]
    cutoff = opts.cutoff
    if max(map(len, lines)) > cutoff:  # records beyond the extraction cutoff: their prefix only
        for i, line in enumerate(lines):
            if len(line) > cutoff:
                for col in chunk.cols.values():
                    col.patches[i] = None
                try:
                    row = flatten_prefix(line.decode("utf-8"), cutoff)
                except TooDeep:
                    return None
                for p, v in row.items():
                    if p not in chunk.cols:
                        chunk.cols[p] = _Packed(np.full(n, -1, dtype=np.int32), [None])
                    chunk.cols[p].patches[i] = v
    if opts.keep_raw:
        chunk.raws = [line.decode("utf-8") for line in lines]
    return chunk


def _decode_whole(lines: list[bytes]):
    """(records, keys): every line decoded with the top-level keys as JSON texts; the keys
    grow as lines bring new ones. None when a line is not a JSON object."""
    if not _SEEN_KEYS:
        first = orjson.loads(lines[0])
        if type(first) is not dict:
            return None
        _SEEN_KEYS.update(dict.fromkeys(first))
    values: list = []
    while len(values) < len(lines):
        keys = tuple(_SEEN_KEYS)
        try:
            values.extend(map(_raw_decoder(keys).decode, lines[len(values):]))
        except msgspec.ValidationError:
            record = orjson.loads(lines[len(values)])
            new = [k for k in record if k not in _SEEN_KEYS] if type(record) is dict else ()
            if not new or len(_SEEN_KEYS) > 500:
                return None
            _SEEN_KEYS.update(dict.fromkeys(new))
            values = []  # decoded with fewer keys: decode them again
    return values, tuple(_SEEN_KEYS)


def _flat_text(text: bytes, key: str) -> dict:
    """flatten's fields under the top-level ``key`` whose value has the JSON ``text``."""
    first = text[:1]
    if first == b'"':
        return {key: msgspec.json.decode(text)}
    if first not in (b"{", b"["):
        return {key: text.decode("ascii")}  # a number, true, false or null: its JSON text
    acc = _walked(_EXACT.decode(text), key, None, lambda: parse_exact(text.decode("utf-8")))
    return {p: (v[0] if len(v) == 1 else v) for p, v in acc.items()}


def _walked(value, key: str, wanted, exact) -> dict[str, list]:
    """flatten's walk of the top-level ``key``'s value; when it lost a number's text (an
    integer 0, perhaps written -0), the walk of ``exact()``: the value parsed with numbers as
    their text."""
    acc: dict[str, list] = {}
    try:
        _walk(value, key, acc, wanted, 1)
    except InexactNumber:
        acc.clear()
        _walk(exact(), key, acc, wanted, 1)
    return acc


def _flatten_column(key: str, col: list, wanted, cols: dict, lines: list[bytes]):
    """flatten's fields under the top-level ``key`` of each record (``col``: its values), added
    to ``cols`` in order of first appearance. A value holding an integer 0 (perhaps written
    -0) is read again exactly from its record's text (``lines``)."""
    n = len(col)
    for i, v in enumerate(col):
        if v is msgspec.UNSET:
            continue
        acc = _walked(v, key, wanted, lambda line=lines[i]: parse_exact(line.decode("utf-8"))[key])
        for p, x in acc.items():
            out = cols.get(p)
            if out is None:
                out = cols[p] = [None] * n
            out[i] = x[0] if len(x) == 1 else x


class _Offsets:
    """Byte offsets of split lines, worked out only if a problem needs one."""

    def __init__(self, lines: list[bytes], lo: int):
        self.lines, self.lo = lines, lo
        self.starts: list[int] | None = None

    def __call__(self, i: int) -> int:
        if self.starts is None:
            self.starts = list(itertools.accumulate((len(x) + 1 for x in self.lines),
                                                    initial=self.lo))
        return self.starts[i]


def _slow_line(data: bytes, offset: int, problems: list):
    """spl.data.readers' handling of a line orjson refuses: (value or None, repaired text)."""
    if offset == 0 and data.startswith(_BOM):
        data = data[3:]
    if data.endswith(b"\r"):
        data = data[:-1]
    if not data.strip():
        return None, None
    bad = _bad_utf8(data)
    text = data.decode("utf-8", errors="replace")
    if bad is not None:
        problems.append((offset, bad))
    try:
        return parse_line(text), text
    except TooDeep as e:
        problems.append((offset, e.reason(text)))
        return None, None
    except ValueError as e:
        msg = str(e)
        msg = msg if len(msg) < 120 else msg[:117] + "..."
        problems.append((offset, f"not JSON ({msg}); line skipped"))
        return None, None


def _read_lines(buf, spans, opts: Options, lo: int, hi: int, base: int):
    """Read the lines at ``spans`` ((start, end) pairs; None: every line). None when skipping
    lines cannot give the right times (a record lacks a valid eventTime)."""
    chunk = Chunk()
    times, raws, problems = chunk.times, chunk.raws, chunk.problems
    wanted, cutoff, keep_raw = opts.wanted, opts.cutoff, opts.keep_raw
    names = tuple(wanted) if wanted is not None else None
    with memoryview(buf) as view:
        if spans is None:
            lines = view[lo:hi].tobytes().split(b"\n")
            offset_of: Callable[[int], int] = _Offsets(lines, base + lo)
        else:
            lines = [view[s:e].tobytes() for s, e in spans]
            offset_of = [base + s for s, _ in spans].__getitem__
    if buf.find(b"\r", lo, hi) < 0:
        whole = lines[:-1] if lines and not lines[-1] else lines
        bulk = _columnar(whole, names, opts) if names is not None else _every_field(whole, opts)
        if bulk is not None:
            if spans is not None:
                bulk.tail_time, bulk.has_records = _tail(buf, lo, hi, base, bulk,
                                                           opts.time_field)
            return bulk
    minutes: dict = {}
    rows = []
    last = None
    loads, decode_error = orjson.loads, orjson.JSONDecodeError
    for i, data in enumerate(lines):
        text = None
        try:
            value = loads(data)  # refuses a BOM, an empty line, bad UTF-8: _slow_line's cases
            if data[-1:] == b"\r":
                data = data[:-1]
        except decode_error:
            if not data.strip():
                continue
            value, text = _slow_line(data, offset_of(i), problems)
            if value is None:
                continue
        if type(value) is not dict or shape(value) is not None:
            if type(value) is list or type(value) is dict:  # records inside: readers.unwrap
                chunk.unusual = True
                return chunk
            problems.append((offset_of(i), "JSON value is not an object; line skipped"))
            continue
        stamp = time_of(value, opts.time_field)
        t = _event_time(stamp, minutes)
        if t is None:
            if spans is not None:
                return None
            what = time_problem(opts.time_field, stamp)
            if last is None:
                problems.append(_Gap(len(times), offset_of(i), what, chunk.has_records))
            else:
                problems.append((offset_of(i), f"{what}; _time is that of the previous event "
                                                f"of the file", what))
                t = last
        else:
            chunk.tail_time = t
        last = t
        chunk.has_records = True
        try:
            if text is None:
                if len(data) > cutoff:
                    text = data.decode("utf-8")
                    row = flatten_prefix(text, cutoff, wanted)
                else:
                    try:
                        row = _flatten(value, wanted, names)
                    except InexactNumber:
                        text = data.decode("utf-8")
                        row = flatten(parse_exact(text), wanted)
            else:
                row = _extract_text(text, value, wanted, cutoff)
        except TooDeep as e:  # kept, as spl.data.load keeps it: the fields above the limit
            text = text or data.decode("utf-8")
            problems.append((offset_of(i), e.reason(text)))
            row = extract_capped(text, value, wanted, cutoff)
        rows.append(row)
        times.append(t)
        if keep_raw:
            raws.append(text if text is not None else data.decode("utf-8"))
    chunk.cols = rows_to_columns(rows)
    if spans is not None:
        chunk.tail_time, chunk.has_records = _tail(buf, lo, hi, base, chunk, opts.time_field)
    return chunk


_CANONICAL = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\Z")
_SECONDS = {f"{s:02d}": s for s in range(61)}


def _event_time(stamp, minutes: dict) -> float | None:
    """parse_event_time, with CloudTrail's own ``2026-03-09T14:00:05Z`` done by adding the
    seconds to a per-minute cache (timegm is that same arithmetic)."""
    if type(stamp) is str and len(stamp) == 20 and stamp[19] == "Z":
        key = stamp[:17]
        base = minutes.get(key, False)
        if base is False:
            base = minutes[key] = (parse_event_time(key + "00Z") if _CANONICAL.match(stamp)
                                   else None)
        sec = _SECONDS.get(stamp[17:19])
        if base is not None and sec is not None:
            return base + sec
    return parse_event_time(stamp)


_DIGITS = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18]
_PUNCT = {4: "-", 7: "-", 10: "T", 13: ":", 16: ":", 19: "Z"}


def _event_times(stamps: list) -> list[float] | None:
    """_event_time of every stamp (None: some stamp is not a time), CloudTrail's own
    ``2026-03-09T14:00:05Z`` worked out for all at once: the civil date to days is
    calendar.timegm's arithmetic (days before the month's first, plus the day), and the ranges
    checked are parse_event_time's. Any other stamp goes through _event_time."""
    n = len(stamps)
    if not n:
        return []
    # anything but a string of 20 characters is "" (numpy would drop trailing NULs): not canonical
    text = np.array([s if type(s) is str and len(s) == 20 else "" for s in stamps], dtype="U20")
    chars = text.view(np.uint32).reshape(n, 20)
    ok = np.ones(n, dtype=bool)
    for i, c in _PUNCT.items():
        ok &= chars[:, i] == ord(c)
    digits = chars[:, _DIGITS].astype(np.int64) - ord("0")
    ok &= ((digits >= 0) & (digits <= 9)).all(axis=1)
    y, mo, d, h, mi, sec = (digits[:, k] * 10 + digits[:, k + 1] for k in range(2, 14, 2))
    y += (digits[:, 0] * 10 + digits[:, 1]) * 100
    ok &= (y >= 1) & (mo >= 1) & (mo <= 12) & (d >= 1) & (d <= 31) & (h < 24) & (mi < 60)
    ok &= sec < 61
    # days from 1970-01-01 to the first of the month (proleptic Gregorian, as date.toordinal)
    yy = y - (mo <= 2)
    era = yy // 400
    yoe = yy - era * 400
    doy = (153 * ((mo + 9) % 12) + 2) // 5
    days = era * 146097 + yoe * 365 + yoe // 4 - yoe // 100 + doy - 719468 + d - 1
    out = (((days * 24 + h) * 60 + mi) * 60 + sec).astype(np.float64).tolist()
    if not ok.all():
        minutes: dict = {}
        for i in np.flatnonzero(~ok).tolist():
            out[i] = _event_time(stamps[i], minutes)
            if out[i] is None:
                return None
    return out


def _flatten(record: dict, wanted, names) -> dict:
    """spl.data.extract.flatten of the ``wanted`` paths (``names``: the same, as a tuple).

    When every wanted key present holds a string the row is those strings, as flatten gives
    them (only objects and arrays make longer paths); in the order of ``names``, which no
    search can see (columns are then chosen by name: spl.plan.required_fields). Otherwise
    the keys are walked in record order, exactly as flatten does.
    """
    if wanted is None:
        return flatten(record)
    row = {k: record[k] for k in names if k in record}
    for v in row.values():
        if type(v) is not str:
            break
    else:
        return row
    acc: dict[str, list] = {}
    for k in [k for k in record if k in wanted]:
        _walk(record[k], k, acc, wanted, 1)
    return {k: (v[0] if len(v) == 1 else v) for k, v in acc.items()}


def _extract_text(text: str, value: dict, wanted, cutoff: int) -> dict:
    """spl.data.load's extraction of a record known by its (repaired) text."""
    if len(text.encode("utf-8")) > cutoff:
        return flatten_prefix(text, cutoff, wanted)
    try:
        return flatten(value, wanted)
    except InexactNumber:
        return flatten(parse_exact(text), wanted)


def _tail(buf, lo: int, hi: int, base: int, chunk: Chunk,
          time_field: str = "eventTime") -> tuple[float | None, bool]:
    """The last valid time (of ``time_field``) of a chunk read in part, and whether it holds any record: read
    lines backwards from its end until one has a valid time."""
    has = chunk.has_records
    end = hi
    while end > lo:
        r = buf.rfind(b"\n", lo, end - 1) if end - 1 > lo else -1
        start = r + 1 if r >= 0 else lo
        data = bytes(buf[start:end]).rstrip(b"\r\n")
        end = start
        if base + start == 0 and data.startswith(_BOM):
            data = data[3:]
        if not data.strip():
            continue
        try:
            value = orjson.loads(data)
        except orjson.JSONDecodeError:
            try:
                value = parse_line(data.decode("utf-8", errors="replace"))
            except (ValueError, TooDeep):  # the chunk's own reading reports the line
                continue
        if type(value) is not dict:
            continue
        has = True
        t = parse_event_time(time_of(value, time_field))
        if t is not None:
            return t, True
    return None, has


def rows_to_columns(rows: list[dict]) -> dict[str, list]:
    """{field: values} of records' fields, fields in order of first appearance."""
    names: dict = {}
    for row in rows:
        names.update(row)
    return {k: [row.get(k) for row in rows] for k in names}


def merge(chunks: list[Chunk], file: str, mtime: float, problems: list,
          strict: bool, last: float | None = None,
          line_numbers=None) -> tuple[dict[str, list], np.ndarray, list[str]]:
    """Columns, times (an array: a list of a million floats is 32 MB) and raws of a file's
    chunks; problems get the file and their lines.
    ``last``: the last valid time of the file's chunks before these (None: they start it);
    ``line_numbers``: (file, offsets) -> lines, when not _line_numbers (which counts from the
    file's start)."""
    total = sum(c.n for c in chunks)
    cols: dict[str, list] = {}
    times: list = []  # each chunk's
    raws: list[str] = []
    found: list = []
    seen = last is not None
    offset = 0
    for c in chunks:
        for p in c.problems:
            if isinstance(p, _Gap):
                if last is not None or p.after_record or seen:
                    msg = f"{p.what}; _time is that of the previous event of the file"
                    c.times[p.row] = last if last is not None else mtime
                else:
                    msg = f"{p.what}; _time is the file's modification time"
                    c.times[p.row] = mtime
                found.append((p.offset, msg, p.what))
                last = c.times[p.row]  # later gaps of this chunk take the same time
                seen = True
            else:
                found.append(p)
            if strict:
                break
        if strict and found:
            break
        for name, values in c.cols.items():
            col = cols.get(name)
            if col is None:
                col = cols[name] = [None] * total
            col[offset:offset + c.n] = values
        times.append(np.asarray(c.times, dtype=np.float64))
        raws.extend(c.raws)
        offset += c.n
        if c.tail_time is not None:
            last = c.tail_time
        seen = seen or c.has_records
    if found:
        lines = (line_numbers or _line_numbers)(file, [p[0] for p in found])
        if strict:
            raise DataProblem(file, lines[0], found[0][-1]).error()
        problems.extend(DataProblem(file, line, p[1]) for line, p in zip(lines, found))
    return cols, np.concatenate(times) if times else np.empty(0), raws


def _line_numbers(file: str, offsets: list[int]) -> list[int]:
    """1-based line numbers of byte offsets (ascending) of a file."""
    out = []
    with open(file, "rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as mm:
        line, pos = 1, 0
        for o in offsets:
            line += int(np.count_nonzero(np.frombuffer(mm, np.uint8, count=o - pos, offset=pos)
                                         == 10))
            pos = o
            out.append(line)
    return out
