"""Reading a gzipped file or a ``{"Records": [...]}`` document fast: its text in pieces.

Such a file cannot be cut into byte ranges as plain NDJSON is (spl.data.fast): a gzip stream
inflates only from its start. So its text is inflated (igzip from python-isal, several times
faster than zlib; zlib when isal cannot be imported) a block at a time and cut into pieces of about
STREAM_PIECE bytes, at line boundaries for NDJSON and between records for a document. Each
piece is read by spl.data.fast's chunk reader exactly as a piece of a plain file is (pre-filter,
column-by-column decoding, the record-by-record loop for lines with anything unusual); no
process ever holds the whole text.

A large file (STREAM_MIN bytes or more, while such files are fewer than the cores) is read by
all the worker processes: a thread of this process inflates it and hands each piece to the
workers through a file in shared memory (``/dev/shm``; through the pipe when there is none),
at most STREAM_AHEAD pieces ahead of the pieces taken back. Smaller files are each one
worker's job, read piece after piece there (:func:`read_whole`), so that a directory of them
is read by every core.

The result is spl.data.readers' (same rows, values, ``_time``, problems with file and line)
whenever the pieces can give it; the file is read again by spl.data.readers (``GiveUp``) when
they cannot: gzip damage (spl.data.readers reports it and keeps what came before), a line
holding records (an array, a Records document: spl.data.readers.unwrap), a document that is
not exactly ``{"Records": [records]}`` or ``[records]`` in plain ASCII around its records, or
with a record that needs the record reader's care (a problem, a record without a valid time).

A document is cut before an element that begins with the first element's first key
(``{"eventVersion"`` in CloudTrail): such a text may also stand inside a record, and a piece cut
there does not decode as a list of whole values, so the file is then given up. A piece that
decodes is the true list of the document's elements from its start: JSON is parsed from left
to right, each value's end fixed by its text, so the values of a piece's text starting where
an element starts are the document's own.
"""
from __future__ import annotations

import itertools
import os
import queue
import re
import shutil
import tempfile
import threading
import types
import zlib
from collections.abc import Iterator
from concurrent.futures import CancelledError, Future, wait
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import msgspec

from spl.data.fast import (
    Chunk,
    Job,
    Options,
    Workers,
    _columnar,
    _digest,
    _every_field,
    _pubsub,
    _unpacked,
    check_stop,
    pack,
    read_chunk,
)
from spl.data.readers import GZIP_HEAD, _opens_document, is_gzip

_inflater: types.ModuleType = zlib
try:  # igzip inflates several times faster than zlib; the same streams, checksums checked
    from isal import isal_zlib

    _inflater = isal_zlib
except ImportError:  # a platform with no isal wheel, installed without it
    pass

STREAM_PIECE = 8 << 20  # bytes of text of a piece (cut at the next line or record boundary)
STREAM_MIN = 8 << 20    # bytes on disk of a file read by all the workers (smaller: one's job)
STREAM_AHEAD = 8        # pieces handed to the workers and not yet taken back
STREAM_MAX = 64 << 20   # bytes of a document with no place to cut: it is read by the records
_READ = 1 << 20         # bytes of the file read at a time
INFLATE_STEP = 8 << 10  # bytes of it inflated at a time (see _text)
_INFLATE_ERRORS: tuple[type[BaseException], ...] = (zlib.error, _inflater.error)
_WS = rb"[ \t\r\n]*"
# {"Records": [ or [, then the first element's first key (plain: no escape in it)
_DOCUMENT = re.compile(_WS + rb'(?:\{' + _WS + rb'"Records"' + _WS + rb':' + _WS + rb')?\['
                       + _WS + rb'(\{' + _WS + rb'"([^"\\]*)")')
_ARRAY = msgspec.json.Decoder(list[msgspec.Raw])


class GiveUp(Exception):
    """The file holds what only spl.data.readers reads right: read it whole with it."""


def stream_form(path: Path) -> str | None:
    """``"ndjson"`` for gzipped NDJSON, ``"document"`` for a Records document or an array of
    records (gzipped or not); None for a file this module does not read (plain NDJSON is
    spl.data.fast's; anything else spl.data.readers')."""
    try:
        with open(path, "rb") as f:
            raw = f.read(GZIP_HEAD)
    except OSError:
        return None
    gzipped = is_gzip(raw)
    if gzipped:
        try:
            raw = _inflater.decompressobj(wbits=31).decompress(raw, 4096)
        except _INFLATE_ERRORS:
            return None
    head = raw[:4096]
    if _DOCUMENT.match(head):
        return "document"
    text = head.lstrip(b" \t\r\n")
    if not gzipped or _digest(text) or _pubsub(text):
        return None
    if text.startswith(b"\xef\xbb\xbf"):
        text = text[3:].lstrip(b" \t\r\n")
    if text.startswith(b"{") and not text[1:].lstrip(b" \t\r\n").startswith(b'"Records"') \
            and not _opens_document(text):
        return "ndjson"
    return None


def _text(path: Path) -> Iterator[bytes]:
    """The file's text a block at a time, inflated when gzipped: every member, and the zero
    bytes that may pad the end skipped, as Python's gzip module reads it. GiveUp on damage.

    INFLATE_STEP bytes are inflated at a time: blocks of some 60 kB are taken from the memory
    just freed, where blocks of megabytes would be fresh pages, each page a fault."""
    with open(path, "rb") as f:
        if not is_gzip(f.read(GZIP_HEAD)):
            f.seek(0)
            while block := f.read(STREAM_PIECE):
                yield block
            return
        f.seek(0)
        member = _inflater.decompressobj(wbits=31)
        padding = False  # between members: zero bytes, then the next member or the end
        while read := f.read(_READ):
            with memoryview(read) as view:
                for at in range(0, len(read), INFLATE_STEP):
                    data: bytes | memoryview = view[at:at + INFLATE_STEP]
                    while data:
                        if padding:
                            data = bytes(data).lstrip(b"\0")
                            if not data:
                                break
                            member, padding = _inflater.decompressobj(wbits=31), False
                        try:
                            out = member.decompress(data)
                        except _INFLATE_ERRORS:
                            raise GiveUp("gzip damage") from None
                        if out:
                            yield out
                        if not member.eof:
                            break
                        data, padding = member.unused_data, True
        if not padding and not member.eof:
            raise GiveUp("gzip stream cut short")


def pieces(path: Path, form: str) -> Iterator[tuple[int, list]]:
    """(offset in the text, the buffers whose text it is) of the file's pieces, in order;
    GiveUp when the file must be read by spl.data.readers. A piece's buffers are views of the
    inflated blocks: handing a piece over copies it once, into the file the worker reads."""
    blocks = _text(path)
    if form == "ndjson":
        return _line_pieces(blocks)
    return ((base, [piece]) for base, piece in _document_pieces(blocks))


def _line_pieces(blocks: Iterator[bytes]) -> Iterator[tuple[int, list]]:
    """Pieces of whole lines, each cut at the first line end from its STREAM_PIECE-th byte on
    (a longer line is one piece)."""
    parts: list = []
    size = base = 0
    for block in blocks:
        view = memoryview(block)
        at = 0
        while True:  # cut where the piece's first line end from its STREAM_PIECE-th byte is
            start = at + max(STREAM_PIECE - size - 1, 0)
            cut = block.find(b"\n", start) + 1 if start < len(block) else 0
            if not cut:
                break
            parts.append(view[at:cut])
            yield base, parts
            base += size + cut - at
            parts, size, at = [], 0, cut
        if at < len(block):
            parts.append(view[at:])
            size += len(block) - at
    if parts:
        yield base, parts


def joined(parts: list) -> bytearray:
    """A piece's text in one buffer."""
    if len(parts) == 1 and type(parts[0]) is bytearray:
        return parts[0]
    out, at = bytearray(sum(map(len, parts))), 0
    for part in parts:
        out[at:at + len(part)] = part
        at += len(part)
    return out


def _document_pieces(blocks: Iterator[bytes]) -> Iterator[tuple[int, bytearray]]:
    """Pieces of a document's elements, each cut before an element beginning like its first;
    the last ends before the closing bracket. The document's text outside its elements must
    be ``{"Records": [``, commas and white space, ``]}`` (or ``[``, ``]``)."""
    buf = bytearray()
    for block in blocks:
        buf += block
        if len(buf) >= 4096:
            break
    head = _DOCUMENT.match(buf)
    if head is None:
        raise GiveUp("not a plain document")
    records = buf.lstrip(b" \t\r\n").startswith(b"{")
    cut = re.compile(rb"\}" + _WS + rb"," + _WS + rb"(\{" + _WS + rb'"' + re.escape(head[2])
                     + rb'")')
    buf, base = buf[head.start(1):], head.start(1)
    seen = 0  # bytes of buf searched for a cut already
    for block in itertools.chain((b"",), blocks):
        buf += block
        while len(buf) >= STREAM_PIECE:
            found = cut.search(buf, max(STREAM_PIECE - 1, seen))
            if found is None:
                if len(buf) > max(STREAM_MAX, 16 * STREAM_PIECE):
                    raise GiveUp("no place to cut the document")
                seen = max(len(buf) - 64, 0)
                break
            piece, buf = buf, buf[found.start(1):]
            del piece[found.start() + 1:]
            yield base, piece
            base += found.start(1)
            seen = 0
    end = len(buf.rstrip(b" \t\r\n"))
    if records:
        if buf[end - 1:end] != b"}":
            raise GiveUp("no closing brace")
        end = len(buf[:end - 1].rstrip(b" \t\r\n"))
    if buf[end - 1:end] != b"]":
        raise GiveUp("no closing bracket")
    del buf[end - 1:]
    if buf.strip(b" \t\r\n"):
        yield base, buf


def read_piece(data: bytearray, size: int, base: int, form: str,
               opts: Options) -> list[Chunk] | None:
    """The records of a piece of text, ``data[:size]``, that begins at offset ``base`` of the
    file's text, as spl.data.fast reads a plain file's; None when the file must be read by
    spl.data.readers."""
    check_stop()
    if form == "document":
        return _document_chunks(data[:size], opts)
    chunks = read_chunk(data, 0, size, opts, base)
    return None if any(c.unusual for c in chunks) else chunks


def _document_chunks(data: bytearray, opts: Options) -> list[Chunk] | None:
    """A document's piece read as spl.data.fast reads lines: its elements' texts as they stand
    in the file; None when an element is anything but a record the chunk reader takes whole."""
    data[:0] = b"["
    data += b"]"
    try:
        lines = [bytes(r) for r in _ARRAY.decode(data)]
    except (msgspec.DecodeError, RecursionError):
        return None
    if opts.line_filter is not None:
        lines = [line for line in lines if opts.line_filter.line_ok(line)]
    if not lines:
        return []
    chunk = (_columnar(lines, tuple(opts.wanted), opts) if opts.wanted is not None
             else _every_field(lines, opts))
    return None if chunk is None else [chunk]


_BUFFER = bytearray()  # a worker's buffer for the pieces it reads: no fresh pages for each


def read_shared(name: str, size: int, base: int, form: str,
                opts: Options) -> list[Chunk] | None:
    """read_piece of a piece handed over in the first ``size`` bytes of the file ``name``, its
    chunks packed for the trip back from a worker process."""
    global _BUFFER
    if len(_BUFFER) < size:
        _BUFFER = bytearray(size)
    with open(name, "rb", buffering=0) as f, memoryview(_BUFFER) as view:
        got = f.readinto(view[:size])
    if got != size:
        raise OSError(f"piece {name} is {got} bytes, not {size}")
    return _packed(read_piece(_BUFFER, size, base, form, opts))


def read_sent(data: bytearray, base: int, form: str, opts: Options) -> list[Chunk] | None:
    """read_piece of a piece sent along, its chunks packed for the trip back."""
    return _packed(read_piece(data, len(data), base, form, opts))


def _packed(got: list[Chunk] | None) -> list[Chunk] | None:
    return None if got is None else pack(got)


class TextLines:
    """Line numbers of offsets of a file's text, as merge asks for them (ascending, call after
    call), counted in the text read again from where the last call stopped: only a file with
    problems pays for it, and its pieces never count their lines."""

    def __init__(self, path: Path):
        self.path = path
        self.blocks: Iterator[bytes] | None = None  # the text, from the start, when asked
        self.block, self.at = b"", 0  # the block read last, and its offset in the text
        self.pos, self.line = 0, 1    # the offset counted up to, and its line

    def __call__(self, file: str, offsets: list[int]) -> list[int]:
        out = []
        for o in offsets:
            if self.blocks is None or o < self.pos:  # (not asked in order: from the start)
                self.blocks, self.block, self.at, self.pos, self.line = _text(self.path), b"", \
                    0, 0, 1
            while o > self.at + len(self.block):
                self.line += self.block.count(b"\n", self.pos - self.at)
                self.at += len(self.block)
                self.pos = self.at
                self.block = next(self.blocks)
            self.line += self.block.count(b"\n", self.pos - self.at, o - self.at)
            self.pos = o
            out.append(self.line)
        return out


class Stream:
    """A file's pieces as they are read: by the workers when ``workers`` (a thread of this
    process inflates and hands them over: :meth:`feed`), else here as they are taken."""

    def __init__(self, path: Path, form: str, opts: Options, workers: Workers | None = None):
        self.path, self.form, self.opts, self.workers = path, form, opts, workers
        self.jobs: queue.Queue = queue.Queue(STREAM_AHEAD)
        self.stopped = threading.Event()
        self.lock = threading.Lock()  # the pieces' folder is made and removed under it
        self.slots: dict[int, Future] = {}  # the job that last used each file of the folder
        self.folder: str | None = None

    def results(self) -> Iterator[list[Chunk]]:
        """Each piece read, in order; GiveUp when the file must be read by spl.data.readers."""
        if self.workers is None:
            for base, parts in pieces(self.path, self.form):
                data = joined(parts)
                got = read_piece(data, len(data), base, self.form, self.opts)
                if got is None:
                    raise GiveUp("a piece the chunk reader does not take")
                yield [_unpacked(c) for c in got]
            return
        while True:
            job = self.jobs.get()
            if job is None:
                return
            if isinstance(job, BaseException):
                raise GiveUp(str(job))
            try:  # not run again here when the worker died: its file may hold another piece
                got = job.future.result()
            except (OSError, BrokenProcessPool, CancelledError):
                got = None
            if got is None:
                raise GiveUp("a piece the chunk reader does not take")
            yield [_unpacked(c) for c in got]

    def collect(self) -> list[Chunk] | None:
        """Every chunk of the file; None: read it by the records."""
        try:
            return [c for piece in self.results() for c in piece]
        except GiveUp:
            return None
        finally:
            self.close()

    def feed(self) -> None:
        """Inflate the file and hand its pieces to the workers (in the feeding thread)."""
        try:
            for k, (base, parts) in enumerate(pieces(self.path, self.form)):
                if not self._put(self._hand(k, base, parts)):
                    return
            self._put(None)
        except BaseException as e:  # told to the reader, who reads the file again
            self._put(e)

    def _put(self, item) -> bool:
        """Queue a job (None: the end; an exception: give up); False once stopped."""
        while not self.stopped.is_set():
            try:
                self.jobs.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def _hand(self, k: int, base: int, parts: list) -> Job:
        """A job reading piece number ``k``: its text written to one of STREAM_AHEAD + 2 files
        in shared memory, each used again once the job before that used it is done (a worker
        reads a file far faster than the pipe, and pages written again cost no allocation);
        sent along when it cannot be written there."""
        assert self.workers is not None
        size = sum(map(len, parts))
        with self.lock:
            if self.stopped.is_set():
                raise GiveUp("stopped")
            if self.folder is None:
                shm = "/dev/shm"
                try:
                    self.folder = tempfile.mkdtemp(prefix="spl-piece-",
                                                   dir=shm if os.path.isdir(shm) else None)
                except OSError:
                    self.folder = ""
        job = None
        if self.folder:
            slot = k % (STREAM_AHEAD + 2)
            before = self.slots.get(slot)
            while before is not None and not self.stopped.is_set():
                if wait([before], timeout=0.1).done:
                    break
            name = os.path.join(self.folder, str(slot))
            try:
                fd = os.open(name, os.O_WRONLY | os.O_CREAT, 0o600)
                try:
                    for part in parts:
                        with memoryview(part) as view:
                            while view:
                                view = view[os.write(fd, view):]
                finally:
                    os.close(fd)
                job = self.workers.submit(read_shared, name, size, base, self.form, self.opts)
            except OSError:  # no room: this piece goes through the pipe
                pass
            if job is not None and job.future is not None:
                self.slots[slot] = job.future
                return job
        data = joined(parts)
        return self.workers.submit(read_sent, data, base, self.form, self.opts)

    def close(self) -> None:
        """Stop feeding, call off the pieces no worker took, and remove their files."""
        self.stopped.set()
        while True:
            try:
                job = self.jobs.get_nowait()
            except queue.Empty:
                break
            if isinstance(job, Job) and job.future is not None:
                job.future.cancel()
        with self.lock:
            if self.folder:
                shutil.rmtree(self.folder, ignore_errors=True)


def start_feeding(streams: list[Stream]) -> None:
    """Feed the streams, one after another, from a thread of this process."""
    streams = [s for s in streams if s.workers is not None]
    if not streams:
        return
    streams[0].workers.start()  # type: ignore[union-attr]  # forked here, not in the thread

    def feed_all():
        for s in streams:
            s.feed()

    threading.Thread(target=feed_all, name="spl-inflate", daemon=True).start()


def read_whole(path: Path, opts: Options) -> list[Chunk] | None:
    """Every chunk of a gzipped file or a document, read here piece after piece (None: read it
    by spl.data.readers)."""
    form = stream_form(path)
    return None if form is None else Stream(path, form, opts).collect()
