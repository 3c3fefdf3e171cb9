"""Reading CloudTrail files into records, streaming, with every bad piece of input reported.

Three layouts are read, told apart by their content and never by the file name:
- NDJSON (attack_data): one JSON record per line; ``_raw`` is the line exactly as in the file.
- S3 delivery files: one JSON document ``{"Records": [ ... ]}`` (a bare top-level array of
  records is read the same way). ``_raw`` is each record's text exactly as it stands in the file,
  so the same records give the same ``_raw`` whichever layout carries them.
- Either one gzipped (recognised by the gzip magic bytes), and directories of such files
  (recursive, in sorted path order).

Nothing is lost silently: a line that is not JSON, a non-UTF-8 byte, a truncated gzip stream, a
record that is not an object, each becomes a :class:`DataProblem` with file and line, and reading goes
on with the rest of the file. Invalid UTF-8 bytes are replaced by U+FFFD (the record is kept and
the problem reported); a line that is not JSON is skipped.
"""
from __future__ import annotations

import codecs
import gzip
import json
import os
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import orjson

from spl.errors import DataError

_GZIP_MAGIC = b"\x1f\x8b"
_CHUNK = 1 << 20
_WS = " \t\r\n\ufeff"


@dataclass(frozen=True)
class DataProblem:
    """A piece of input that could not be read as it stands (file, 1-based line, why)."""

    file: str
    line: int | None
    reason: str

    def render(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        return f"{where}: {self.reason}"

    def error(self) -> DataError:
        return DataError(self.reason, file=self.file, line=self.line)


@dataclass
class Record:
    """One CloudTrail record: where it is, its exact text and its parsed JSON object.

    ``value`` is the parsed JSON: integers as int or text, floats as float (NDJSON, see
    :func:`parse_line`) or text (documents).
    """

    file: str
    line: int
    raw: str
    value: dict


def expand_paths(paths) -> list[Path]:
    """The files to read: files as given, directories walked recursively in sorted order."""
    out: list[Path] = []
    for p in paths:
        p = Path(p)
        if p.is_dir():
            out.extend(sorted(f for f in p.rglob("*") if f.is_file()))
        elif p.is_file():
            out.append(p)
        else:
            raise DataError("no such file or directory", file=str(p))
    return out


def parse_exact(text: str):
    """Parse JSON keeping numbers as their text (Splunk shows numbers as written)."""
    return json.loads(text, parse_int=str, parse_float=str, parse_constant=_reject_constant)


def _reject_constant(name: str):
    raise ValueError(f"{name} is not JSON")


def parse_line(text: str):
    """Parse one JSON text with orjson (fast); the exact parser when orjson refuses it (e.g.
    integers beyond 64 bits). orjson gives floats as floats: extraction re-parses a record
    with :func:`parse_exact` when it meets one."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return parse_exact(text)  # raises ValueError on text that is really not JSON


class _Source:
    """A file's decoded text, read in chunks; tracks UTF-8 and gzip trouble as problems."""

    def __init__(self, path: Path):
        """Opens the file; OSError (unreadable file) is for the caller to report."""
        self.name = str(path)
        with open(path, "rb") as f:
            magic = f.read(2)
        self.gzipped = magic == _GZIP_MAGIC
        self.raw = gzip.open(path, "rb") if self.gzipped else open(path, "rb")
        self.error: str | None = None

    def read_bytes(self, n: int = _CHUNK) -> bytes:
        """Up to n bytes; b"" at the end or after a broken gzip stream (recorded in .error)."""
        if self.error is not None:
            return b""
        try:
            # read1: a plain read() of a truncated gzip raises and drops what it had decoded
            return self.raw.read1(n)
        except EOFError:
            self.error = "gzip stream is truncated (ended before its end-of-stream marker)"
        except (gzip.BadGzipFile, zlib.error) as e:
            self.error = f"gzip stream is corrupt ({e})"
        except OSError as e:
            self.error = f"read error ({e})"
        return b""

    def close(self):
        self.raw.close()


def _bad_utf8(data: bytes) -> str | None:
    """Where the first invalid UTF-8 byte of ``data`` is, or None when it is valid."""
    try:
        data.decode("utf-8")
        return None
    except UnicodeDecodeError as e:
        return f"byte 0x{data[e.start]:02x} at column {e.start + 1} is not UTF-8; replaced by U+FFFD"


def read_file(path: Path) -> Iterator[Record | DataProblem]:
    """The records and problems of one file, in file order."""
    try:
        src = _Source(path)
    except OSError as e:
        yield DataProblem(str(path), None, f"cannot read the file ({e.strerror or e})")
        return
    try:
        head = b""
        while len(head) < 4096:
            more = src.read_bytes(4096 - len(head))
            if not more:
                break
            head += more
        text_head = head.lstrip(b" \t\r\n")
        if text_head.startswith(codecs.BOM_UTF8):
            text_head = text_head[3:].lstrip(b" \t\r\n")
        if not text_head:
            if src.error is not None:
                yield DataProblem(src.name, 1, src.error)
            return
        if text_head[:1] not in (b"{", b"["):
            yield DataProblem(src.name, 1, "not a CloudTrail JSON file (it does not begin with "
                                           "'{' or '['); file skipped")
            return
        read = _read_document if _is_document(text_head) else _read_ndjson
        last_line = yield from read(src, head)
        if src.error is not None:
            yield DataProblem(src.name, last_line, src.error)
    finally:
        src.close()


def _is_document(head: bytes) -> bool:
    """A ``{"Records": [...]}`` document or a top-level array, rather than one record a line."""
    if head.startswith(b"["):
        return True
    if head.startswith(b"{"):
        rest = head[1:].lstrip(b" \t\r\n")
        return rest.startswith(b'"Records"')
    return False


def _read_ndjson(src: _Source, head: bytes) -> Iterator[Record | DataProblem]:
    pending = head
    lineno = 0
    while True:
        chunk = src.read_bytes()
        pending += chunk
        lines = pending.split(b"\n")
        pending = lines.pop() if chunk else b""
        for data in lines:
            lineno += 1
            yield from _ndjson_line(src.name, lineno, data)
        if not chunk:
            return max(lineno, 1)


def _ndjson_line(file: str, lineno: int, data: bytes) -> Iterator[Record | DataProblem]:
    if lineno == 1 and data.startswith(codecs.BOM_UTF8):
        data = data[3:]
    if data.endswith(b"\r"):
        data = data[:-1]
    if not data.strip():
        return
    bad = _bad_utf8(data)
    text = data.decode("utf-8", errors="replace")
    if bad is not None:
        yield DataProblem(file, lineno, bad)
    try:
        value = parse_line(text)
    except ValueError as e:
        yield DataProblem(file, lineno, f"not JSON ({_short(e)}); line skipped")
        return
    if not isinstance(value, dict):
        yield DataProblem(file, lineno, "JSON value is not an object; line skipped")
        return
    yield Record(file, lineno, text, value)


def _short(e: Exception) -> str:
    msg = str(e)
    return msg if len(msg) < 120 else msg[:117] + "..."


class _Text:
    """Decoded text of a document file with a sliding window, for the record scanner."""

    def __init__(self, src: _Source, head: bytes):
        self.src = src
        self.decoder = codecs.getincrementaldecoder("utf-8")(errors=_RECORD_BAD)
        self._pending = 0     # bytes of an unfinished character carried from the last chunk
        self.buf = ""
        self.pos = 0          # index into buf
        self.line = 1         # line number of buf[pos]
        self.eof = False
        self.problems: list[DataProblem] = []
        self._bytes_line = 1
        self._feed(head)

    def _feed(self, data: bytes, final: bool = False):
        self.buf += self.decoder.decode(data, final)
        for offset, byte in _drain_bad_bytes():
            line = self._bytes_line + data.count(b"\n", 0, max(0, offset - self._pending))
            self.problems.append(DataProblem(
                self.src.name, line, f"byte 0x{byte:02x} is not UTF-8; replaced by U+FFFD"))
        self._bytes_line += data.count(b"\n")
        self._pending = len(self.decoder.getstate()[0])

    def more(self) -> bool:
        """Read another chunk; False at the end of the file."""
        if self.eof:
            return False
        data = self.src.read_bytes()
        if not data:
            self._feed(b"", final=True)
            self.eof = True
            return False
        self._feed(data)
        return True

    def advance(self, new_pos: int):
        self.line += self.buf.count("\n", self.pos, new_pos)
        self.pos = new_pos
        if self.pos > _CHUNK:
            self.buf = self.buf[self.pos:]
            self.pos = 0

    def skip_ws(self) -> str | None:
        """The next non-space character (not consumed), or None at the end."""
        while True:
            n = len(self.buf)
            i = self.pos
            while i < n and self.buf[i] in _WS:
                i += 1
            self.advance(i)
            if self.pos < len(self.buf):
                return self.buf[self.pos]
            if not self.more():
                return None


_RECORD_BAD = "spl-record-bad-bytes"
_BAD_BYTES: list[tuple[int, int]] = []


def _record_bad_bytes(e: UnicodeDecodeError):
    """Codec error handler: note where a bad byte was (offset into the decoded input), and
    replace it by U+FFFD as the 'replace' handler does."""
    _BAD_BYTES.append((e.start, e.object[e.start]))
    return "\ufffd", e.end


codecs.register_error(_RECORD_BAD, _record_bad_bytes)


def _drain_bad_bytes() -> list[tuple[int, int]]:
    out = list(_BAD_BYTES)
    _BAD_BYTES.clear()
    return out


_DECODER = json.JSONDecoder(parse_int=str, parse_float=str, parse_constant=_reject_constant)


def _read_document(src: _Source, head: bytes) -> Iterator[Record | DataProblem]:
    """Records of a ``{"Records": [...]}`` document (or a bare array), one at a time."""
    t = _Text(src, head)
    name = src.name
    yield from _flush(t)
    c = t.skip_ws()
    if c == "\ufeff":
        t.advance(t.pos + 1)
        c = t.skip_ws()
    if c == "[":
        t.advance(t.pos + 1)
        yield from _read_array(t)
        yield from _flush(t)
        return t.line
    # {"Records": [ ... ] , other keys ignored }
    t.advance(t.pos + 1)
    while True:
        c = t.skip_ws()
        if c == "}":
            t.advance(t.pos + 1)
            break
        if c == ",":
            t.advance(t.pos + 1)
            continue
        if c is None:
            yield DataProblem(name, t.line, "document ends before its closing brace")
            break
        key = _decode_one(t)
        if isinstance(key, DataProblem):
            yield key
            break
        c = t.skip_ws()
        if c != ":":
            yield DataProblem(name, t.line, "expected ':' after a key of the document")
            break
        t.advance(t.pos + 1)
        if key[0] == "Records" and t.skip_ws() == "[":
            t.advance(t.pos + 1)
            ok = yield from _read_array(t)
            yield from _flush(t)
            if not ok:
                return t.line
        else:
            value = _decode_one(t)
            if isinstance(value, DataProblem):
                yield value
                break
    yield from _flush(t)
    if t.skip_ws() is not None:
        yield DataProblem(name, t.line, "text after the end of the JSON document is ignored")
    return t.line


def _flush(t: _Text) -> Iterator[DataProblem]:
    yield from t.problems
    t.problems.clear()


def _read_array(t: _Text):
    """Yield the records of an array whose '[' was consumed; return False if it broke off."""
    name = t.src.name
    while True:
        yield from _flush(t)
        c = t.skip_ws()
        if c == "]":
            t.advance(t.pos + 1)
            return True
        if c == ",":
            t.advance(t.pos + 1)
            continue
        if c is None:
            yield DataProblem(name, t.line, "Records array ends before its closing bracket")
            return False
        line = t.line
        got = _decode_one(t)
        if isinstance(got, DataProblem):
            yield from _flush(t)
            yield got
            return False
        value, raw = got
        yield from _flush(t)
        if not isinstance(value, dict):
            yield DataProblem(name, line, "element of Records is not a JSON object; skipped")
            continue
        yield Record(name, line, raw, value)


def _decode_one(t: _Text):
    """Decode the JSON value at t.pos: (value, exact text) or a Problem; reads more as needed."""
    while True:
        try:
            value, end = _DECODER.raw_decode(t.buf, t.pos)
        except json.JSONDecodeError as e:
            if t.more():
                continue
            line = t.line + t.buf.count("\n", t.pos, min(e.pos, len(t.buf)))
            return DataProblem(t.src.name, line, f"not JSON ({e.msg}); the rest of the document "
                                             f"cannot be read")
        if end == len(t.buf) and t.more():
            continue  # a scalar at the edge of the window may go on in the next chunk
        raw = t.buf[t.pos:end]
        t.advance(end)
        return value, raw


def file_mtime(path: Path) -> float:
    return os.stat(path).st_mtime
