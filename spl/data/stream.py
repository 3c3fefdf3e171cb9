"""Reading a gzipped file or a ``{"Records": [...]}`` document fast: its text in pieces.

Such a file cannot be cut into byte ranges as plain NDJSON is (spl.data.fast): a gzip stream
inflates only from its start. So its text is inflated (igzip from python-isal when installed,
several times faster than zlib; zlib otherwise) a block at a time and cut into pieces of about
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

A document is cut before an element that begins with the first element's first key (``{"e
ventVersion"`` in CloudTrail): such a text may also stand inside a record, and a piece cut
there does not decode as a list of whole values, so the file is then given up. A piece that
decodes is the true list of the document's elements from its start: JSON is parsed from left
to right, each value's end fixed by its text, so the values of a piece's text starting where
an element starts are the document's own.
"""
from __future__ import annotations

import contextlib
import itertools
import os
import queue
import re
import shutil
import tempfile
import threading
import zlib
from collections.abc import Iterator
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
    _Gap,
    _pubsub,
    _unpacked,
    check_stop,
    pack,
    read_chunk,
)
from spl.data.readers import GZIP_HEAD, _opens_document, is_gzip

try:  # igzip inflates several times faster than zlib; the same streams, checksums checked
    from isal import isal_zlib as _inflater
except ImportError:  # pragma: no cover - the optional 'fast' extra
    _inflater = zlib  # type: ignore[no-redef]

STREAM_PIECE = 8 << 20  # bytes of text of a piece (cut at the next line or record boundary)
STREAM_MIN = 8 << 20    # bytes on disk of a file read by all the workers (smaller: one's job)
STREAM_AHEAD = 8        # pieces handed to the workers and not yet taken back
STREAM_MAX = 64 << 20   # bytes of a document with no place to cut: it is read by the records
_READ = 1 << 20         # bytes of the file inflated at a time
_INFLATE_ERRORS = (zlib.error, _inflater.error, EOFError)
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
    bytes that may pad the end skipped, as Python's gzip module reads it. GiveUp on damage."""
    with open(path, "rb") as f:
        if not is_gzip(f.read(GZIP_HEAD)):
            f.seek(0)
            while block := f.read(STREAM_PIECE):
                yield block
            return
        f.seek(0)
        member = _inflater.decompressobj(wbits=31)
        padding = False  # between members: zero bytes, then the next member or the end
        while data := f.read(_READ):
            while data:
                if padding:
                    data = data.lstrip(b"\0")
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


def pieces(path: Path, form: str) -> Iterator[tuple[int, bytearray]]:
    """(offset in the text, text) of the file's pieces, in order; GiveUp when the file must be
    read by spl.data.readers."""
    blocks = _text(path)
    return _line_pieces(blocks) if form == "ndjson" else _document_pieces(blocks)


def _line_pieces(blocks: Iterator[bytes]) -> Iterator[tuple[int, bytearray]]:
    """Pieces of whole lines, each about STREAM_PIECE bytes (a longer line is one piece)."""
    buf, base = bytearray(), 0
    for block in blocks:
        buf += block
        while len(buf) >= STREAM_PIECE:
            cut = buf.find(b"\n", STREAM_PIECE - 1) + 1
            if not cut:
                break
            piece, buf = buf, buf[cut:]
            del piece[cut:]
            yield base, piece
            base += cut
    if buf:
        yield base, buf


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


# A piece read: its chunks, the newlines in it, and the newlines before each problem's offset
Piece = tuple[list[Chunk], int, dict[int, int]]


def read_piece(data: bytearray, base: int, form: str, opts: Options) -> Piece | None:
    """The records of a piece of text that begins at offset ``base`` of the file's text, as
    spl.data.fast reads a plain file's; None when the file must be read by spl.data.readers."""
    check_stop()
    if form == "document":
        return _document_chunks(data, opts)
    chunks = read_chunk(data, 0, len(data), opts, base)
    if any(c.unusual for c in chunks):
        return None
    lines: dict[int, int] = {}
    at, count = base, 0
    for offset in sorted({p.offset if isinstance(p, _Gap) else p[0]
                          for c in chunks for p in c.problems}):
        count += data.count(b"\n", at - base, offset - base)
        lines[offset], at = count, offset
    return chunks, data.count(b"\n"), lines


def _document_chunks(data: bytearray, opts: Options) -> Piece | None:
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
        return [], 0, {}
    chunk = (_columnar(lines, tuple(opts.wanted), opts) if opts.wanted is not None
             else _every_field(lines, opts))
    return None if chunk is None else ([chunk], 0, {})


def read_shared(name: str, base: int, form: str, opts: Options) -> Piece | None:
    """read_piece of a piece handed over in the file ``name`` (removed once read), its chunks
    packed for the trip back from a worker process."""
    try:
        with open(name, "rb") as f:
            data = bytearray(f.read())
    finally:
        os.unlink(name)
    return read_sent(data, base, form, opts)


def read_sent(data: bytearray, base: int, form: str, opts: Options) -> Piece | None:
    """read_piece, its chunks packed for the trip back from a worker process."""
    got = read_piece(data, base, form, opts)
    return None if got is None else (pack(got[0]), got[1], got[2])


class LineNumbers:
    """Line numbers of the problems of a file's pieces, as merge asks for them (offsets in the
    text): the newlines of the pieces before, and those of the piece before the offset."""

    def __init__(self):
        self.lines: dict[int, int] = {}
        self.newlines = 0

    def add(self, piece: Piece) -> list[Chunk]:
        chunks, newlines, before = piece
        for offset, n in before.items():
            self.lines[offset] = self.newlines + n + 1
        self.newlines += newlines
        return chunks

    def __call__(self, file: str, offsets: list[int]) -> list[int]:
        return [self.lines[o] for o in offsets]


class Stream:
    """A file's pieces as they are read: by the workers when ``workers`` (a thread of this
    process inflates and hands them over: :meth:`feed`), else here as they are taken."""

    def __init__(self, path: Path, form: str, opts: Options, workers: Workers | None = None):
        self.path, self.form, self.opts, self.workers = path, form, opts, workers
        self.jobs: queue.Queue = queue.Queue(STREAM_AHEAD)
        self.stopped = threading.Event()
        self.lock = threading.Lock()  # the pieces' folder is made and removed under it
        self.folder: str | None = None

    def results(self) -> Iterator[Piece]:
        """Each piece read, in order; GiveUp when the file must be read by spl.data.readers."""
        if self.workers is None:
            for base, data in pieces(self.path, self.form):
                got = read_piece(data, base, self.form, self.opts)
                if got is None:
                    raise GiveUp("a piece the chunk reader does not take")
                yield [_unpacked(c) for c in got[0]], got[1], got[2]
            return
        while True:
            job = self.jobs.get()
            if job is None:
                return
            if isinstance(job, BaseException):
                raise GiveUp(str(job))
            try:
                got = job.result()
            except OSError:  # the worker died with the piece's text: read it all again
                got = None
            if got is None:
                raise GiveUp("a piece the chunk reader does not take")
            yield [_unpacked(c) for c in got[0]], got[1], got[2]

    def collect(self) -> tuple[list[Chunk], LineNumbers] | None:
        """Every chunk of the file and their problems' lines; None: read it by the records."""
        lines = LineNumbers()
        try:
            return [c for piece in self.results() for c in lines.add(piece)], lines
        except GiveUp:
            return None
        finally:
            self.close()

    def feed(self) -> None:
        """Inflate the file and hand its pieces to the workers (in the feeding thread)."""
        try:
            for base, data in pieces(self.path, self.form):
                if not self._put(self._hand(base, data)):
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

    def _hand(self, base: int, data: bytearray) -> Job:
        """A job reading a piece: the text in a file in shared memory when it can be written
        there (a worker reads it far faster than through the pipe), else sent along."""
        assert self.workers is not None
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
        if self.folder:
            name = os.path.join(self.folder, str(base))
            try:
                with open(name, "wb", buffering=0) as f:
                    f.write(data)
                return self.workers.submit(read_shared, name, base, self.form, self.opts)
            except OSError:  # no room: this piece goes through the pipe
                with contextlib.suppress(OSError):
                    os.unlink(name)
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


def start_feeding(streams: list[Stream]) -> threading.Thread | None:
    """Feed the streams, one after another, from a thread of this process (None: none)."""
    streams = [s for s in streams if s.workers is not None]
    if not streams:
        return None
    streams[0].workers.start()  # type: ignore[union-attr]  # forked here, not in the thread

    def feed_all():
        for s in streams:
            s.feed()

    thread = threading.Thread(target=feed_all, name="spl-inflate", daemon=True)
    thread.start()
    return thread


def read_whole(path: Path, opts: Options) -> tuple[list[Chunk], LineNumbers] | None:
    """Every chunk of a gzipped file or a document, read here piece after piece (None: read it
    by spl.data.readers)."""
    form = stream_form(path)
    return None if form is None else Stream(path, form, opts).collect()
