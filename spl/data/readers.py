"""Reading CloudTrail files into records, streaming, with every bad piece of input reported.

Layouts are told apart by their content, never by the file name. Each top-level JSON value of
a file (one a line, or one whole pretty-printed document) is one of (``unwrap``):
- a CloudTrail record: ``_raw`` is its text exactly as in the file (the line of an NDJSON file,
  the whole text of a pretty-printed record);
- ``{"Records": [...]}`` (S3 delivery; also ``"records"``, and whatever other keys stand beside
  it, which are ignored): its records; ``_raw`` is each record's text exactly as it stands in
  the file, so the same records give the same ``_raw`` whichever layout carries them. A
  top-level array is read the same way (each element may itself be any form of this list);
- ``aws cloudtrail lookup-events`` output, ``{"Events": [{"CloudTrailEvent": "<json text>",
  ...}]}``: each record is its CloudTrailEvent text parsed, and ``_raw`` is that text;
- an EventBridge / CloudWatch Events event whose ``detail-type`` ends in ``via CloudTrail``
  (``AWS API Call via CloudTrail``, ``AWS Console Sign In via CloudTrail``...): the record is
  its ``detail``, ``_raw`` the text of ``detail``; another detail-type is not CloudTrail and is
  reported;
- a CloudTrail-Digest file (``digestStartTime``/``digestS3Object`` keys, found beside the logs
  in an S3 ``AWSLogs/`` tree): integrity data, not events: skipped, and counted as skipped;
- a Google Cloud Pub/Sub message as a push subscription delivers it or ``gcloud pubsub
  subscriptions pull --format=json`` prints it, ``{"message": {"data": "<base64>", "messageId":
  ..., "publishTime": ..., "attributes": {...}}, ...}``
  (https://cloud.google.com/pubsub/docs/push, https://cloud.google.com/pubsub/docs/reference/rest/v1/PubsubMessage):
  the record is the message with ``data`` decoded (base64, then JSON: a Cloud Logging LogEntry
  for audit logs, so its fields are ``data.protoPayload.methodName`` ...), and ``_raw`` is that
  record's text (the file holds only the encoded form).
Records of any log type come in these forms (O365 management API pages are JSON arrays, Azure
Event Hub / diagnostic settings exports are ``{"records": [...]}``); the sourcetype is told from
the records (spl.data.props.Rules), not from the form.
A file is read one JSON value a line (NDJSON, one bad line costs one line) unless it begins
with ``[``, with ``{"Records"``, or with a first line that is not JSON by itself and leaves a
bracket open (``{`` alone: pretty-printed JSON), which is read as a sequence of JSON values.
Either may be gzipped (recognised by the gzip magic bytes).

Directories are walked recursively, in sorted path order. Symbolic links are followed,
wherever they point, but a directory (or file) already reached is not read again, so a link
loop ends: the link is reported as a notice. A dangling link, a FIFO, a device or a socket
inside a directory is reported and never opened (opening a FIFO would wait for a writer). A
path given by name that is a pipe (``<(zcat ...)``, ``/dev/stdin``) or ``-`` (standard input)
is copied to a temporary file first (removed at exit; a FIFO no one writes to reads as empty);
its events' ``source`` is the name given, ``stdin`` for ``-``.

Nothing is lost silently: a line that is not JSON, a non-UTF-8 byte, a truncated gzip stream, a
value of the wrong shape, a record nested too deep, a file that cannot be read, each becomes a
:class:`DataProblem` with file and line, and reading goes on with the rest. Invalid UTF-8 bytes
are replaced by U+FFFD (the record is kept and the problem reported). Where a broken gzip
stream cuts a line or document short, the gzip damage is reported, not the JSON error it causes.
"""
from __future__ import annotations

import atexit
import base64
import binascii
import codecs
import gzip
import json
import os
import re
import shutil
import stat
import sys
import tempfile
import zlib
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import overload

import msgspec
import orjson

from spl.data.extract import PARSE_DEPTH, TooDeep, value_end
from spl.errors import DataError

_GZIP_MAGIC = b"\x1f\x8b"  # ID1 ID2; then CM=8 (deflate, the one method RFC 1952 defines)
GZIP_HEAD = 1 << 16  # bytes is_gzip looks at


def is_gzip(head: bytes) -> bool:
    """Whether a file's first bytes (GZIP_HEAD of them) begin a gzip stream: its magic and the
    deflate method byte, or the magic and no line of JSON text after it (a corrupt gzip file,
    told as gzip damage). The magic alone is not enough: a damaged text file may begin with
    those two bytes, and the records on its later lines are kept."""
    if head[:2] != _GZIP_MAGIC:
        return False
    return head[2:3] == b"\x08" or _LATER_RECORD.search(head[:GZIP_HEAD]) is None
_CHUNK = 1 << 20
_WS = " \t\r\n\ufeff"


# Kinds of DataProblem, as the summary of a load counts them (``kind_of`` tells them from the
# reason when a reader gave none).
UNREADABLE, GZIP, NOT_JSON, BAD_UTF8, NOT_RECORD, TOO_DEEP, DEEP_FIELDS, NO_TIME, \
    NOT_CLOUDTRAIL, DIGEST, LINK, UNTYPED = (
        "unreadable file", "gzip damage", "not JSON", "bad UTF-8", "not a record",
        "nested too deep", "fields too deep", "no valid time", "not CloudTrail JSON",
        "CloudTrail-Digest", "link already read", "sourcetype not recognised")
# the record is kept (repaired, partly extracted, timed, read as the fallback sourcetype)
KEPT = {BAD_UTF8, NO_TIME, DEEP_FIELDS, UNTYPED}
NOTICES = {DIGEST, LINK}        # what is meant to be skipped: not an error even with --strict
# The order problems are told in: causes (a file unreadable, a damaged stream) before what
# they may cause, notices last.
RANK = {k: i for i, k in enumerate((UNREADABLE, GZIP, NOT_CLOUDTRAIL, UNTYPED, NOT_JSON,
                                     NOT_RECORD, TOO_DEEP, BAD_UTF8, DEEP_FIELDS, NO_TIME, DIGEST,
                                     LINK))}
_KIND_WORDS = ((" gzip ", GZIP), ("not JSON", NOT_JSON), ("not UTF-8", BAD_UTF8),
               ("are not extracted", DEEP_FIELDS),
               ("not an object", NOT_RECORD), ("levels deep", TOO_DEEP),
               ("not a CloudTrail JSON file", NOT_CLOUDTRAIL), ("cannot read", UNREADABLE))


def kind_of(reason: str) -> str:
    if reason.startswith(("no eventTime", "eventTime ")) or "; _time is " in reason:
        return NO_TIME  # (any sourcetype's time field: spl.data.extract.time_problem)
    for words, kind in _KIND_WORDS:
        if words in f" {reason} ":
            return kind
    return NOT_RECORD


@dataclass(frozen=True)
class DataProblem:
    """A piece of input that could not be read as it stands (file, 1-based line, why).

    ``kind``: one of the kinds above (from the reason when not given). ``dropped``: the input
    was skipped (else the record was kept, repaired); ``notice``: skipped as meant to be (a
    digest file, a link to what was already read), never an error."""

    file: str
    line: int | None
    reason: str
    kind: str = ""

    def __post_init__(self):
        if not self.kind:
            object.__setattr__(self, "kind", kind_of(self.reason))

    @property
    def dropped(self) -> bool:
        return self.kind not in KEPT

    @property
    def notice(self) -> bool:
        return self.kind in NOTICES

    def render(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        return f"{where}: {self.reason}"

    def error(self) -> DataError:
        return DataError(self.reason, file=shown_name(self.file), line=self.line)


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
    """The files to read (see :func:`expand`), without the entries that cannot be read."""
    return [p for p in expand(paths) if isinstance(p, Path)]


def expand(paths) -> list[Path | DataProblem]:
    """The files to read, and a DataProblem for each directory entry that is not one.

    Files as given, even twice (``-`` and pipes are copied to a temporary file first);
    directories walked recursively in sorted path order, following symbolic links but reaching
    each directory and file once (see the module docstring). A path given that does not exist
    is a DataError.
    """
    out: list[Path | DataProblem] = []
    seen: dict[tuple[int, int], str] = {}
    for p in paths:
        if str(p) == "-":
            out.append(_spool_stdin())
            continue
        p = Path(p)
        try:
            st = p.stat()
        except OSError as e:
            if p.is_symlink():
                raise DataError("broken symbolic link (its target does not exist)",
                                file=str(p)) from None
            if isinstance(e, FileNotFoundError):
                raise DataError("no such file or directory", file=str(p)) from None
            raise DataError(f"cannot read it ({e.strerror or e})", file=str(p)) from None
        if stat.S_ISDIR(st.st_mode):
            seen[(st.st_dev, st.st_ino)] = str(p)
            out.extend(_walk_dir(p, seen))
        elif stat.S_ISREG(st.st_mode):
            out.append(p)  # as given, even twice
        elif stat.S_ISFIFO(st.st_mode) or stat.S_ISCHR(st.st_mode):
            out.append(_spool_pipe(p))
        else:
            raise DataError(f"{_file_type(st.st_mode)}, not a file or directory", file=str(p))
    return out


def _file_type(mode: int) -> str:
    for test, name in ((stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISSOCK, "a socket"),
                       (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
                       (stat.S_ISDIR, "a directory")):
        if test(mode):
            return name
    return "not a regular file"


def _walk_dir(root: Path, seen: dict) -> list[Path | DataProblem]:
    """Every file under ``root`` (links followed, each directory and file once) and a problem
    for every entry that is not a readable file, in sorted path order. Iterative: a deep tree
    cannot exhaust the stack."""
    found: list[tuple[Path, Path | DataProblem]] = []
    stack = [root]
    while stack:
        d = stack.pop()
        try:
            with os.scandir(d) as it:
                entries = sorted(it, key=lambda e: e.name)  # the first name claims a target
        except OSError as e:
            found.append((d, DataProblem(str(d), None, f"cannot read the directory "
                                                       f"({e.strerror or e}); skipped",
                                         UNREADABLE)))
            continue
        below = []
        for entry in entries:
            p = Path(entry.path)
            try:
                st = os.stat(entry.path)  # follows a link
            except OSError as e:
                why = ("broken symbolic link (its target does not exist)"
                       if isinstance(e, FileNotFoundError) else f"cannot read it ({e.strerror or e})")
                found.append((p, DataProblem(str(p), None, f"{why}; skipped", UNREADABLE)))
                continue
            key = (st.st_dev, st.st_ino)
            if stat.S_ISDIR(st.st_mode):
                if key in seen:
                    found.append((p, DataProblem(
                        str(p), None, f"a link to the directory {seen[key]}, already read "
                                      f"(a loop, or a second link); not followed", LINK)))
                else:
                    seen[key] = str(p)
                    below.append(p)
            elif stat.S_ISREG(st.st_mode):
                if key in seen:
                    found.append((p, DataProblem(str(p), None, f"the same file as {seen[key]}, "
                                                               f"already read; not read again",
                                                 LINK)))
                else:
                    seen[key] = str(p)
                    found.append((p, p))
            else:
                found.append((p, DataProblem(str(p), None, f"{_file_type(st.st_mode)}, not a "
                                                           f"regular file; skipped (never "
                                                           f"opened)", UNREADABLE)))
        stack.extend(reversed(below))  # walked in name order
    found.sort(key=lambda x: x[0])
    return [x for _, x in found]


_SPOOLED: dict[str, str] = {}  # temporary copy of a pipe -> the name shown for it


def shown_name(path) -> str:
    """The name a file's events and problems carry: ``stdin`` for standard input's copy, the
    name given for a pipe's."""
    return _SPOOLED.get(str(path), str(path))


def _spool_stdin() -> Path:
    if sys.stdin is None or sys.stdin.isatty():
        raise DataError("standard input is a terminal: pipe the data in "
                        "(e.g. zcat logs/*.gz | spl run ... --data -)", file="-")
    path = _spool(sys.stdin.buffer, "stdin")
    _SPOOLED[str(path)] = "stdin"
    return path


def _spool_pipe(p: Path) -> Path:
    """A pipe given by name, copied. Opened without waiting: a FIFO no one writes to reads as
    empty instead of blocking."""
    try:
        fd = os.open(p, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as e:
        raise DataError(f"cannot read it ({e.strerror or e})", file=str(p)) from None
    os.set_blocking(fd, True)
    with os.fdopen(fd, "rb") as f:
        path = _spool(f, p.name or "pipe")
    _SPOOLED[str(path)] = str(p)
    return path


def _spool(f, name: str) -> Path:
    folder = tempfile.mkdtemp(prefix="spl-input-")
    atexit.register(shutil.rmtree, folder, True)
    path = Path(folder) / name
    with open(path, "wb") as out:
        shutil.copyfileobj(f, out, 1 << 20)
    return path


def parse_exact(text: str):
    """Parse JSON keeping numbers as their text (Splunk shows numbers as written)."""
    return json.loads(text, parse_int=str, parse_float=str, parse_constant=_reject_constant)


def _reject_constant(name: str):
    raise ValueError(f"{name} is not JSON")


def parse_line(text: str):
    """Parse one JSON text with orjson (fast); the exact parser when orjson refuses it (e.g.
    integers beyond 64 bits). orjson gives floats as floats: extraction re-parses a record
    with :func:`parse_exact` when it meets one. TooDeep past PARSE_DEPTH levels (orjson's
    limit; the exact parser's is Python's recursion limit, lower)."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError as e:
        if str(e).startswith("depth limit"):
            raise TooDeep(PARSE_DEPTH) from None
    try:
        return parse_exact(text)  # raises ValueError on text that is really not JSON
    except RecursionError:
        raise TooDeep(PARSE_DEPTH) from None


class _Source:
    """A file's decoded text, read in chunks; tracks UTF-8 and gzip trouble as problems."""

    def __init__(self, path: Path):
        """Opens the file; OSError (unreadable file) is for the caller to report."""
        self.name = str(path)
        with open(path, "rb") as f:
            self.gzipped = is_gzip(f.read(GZIP_HEAD))
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


def read_file(path: Path) -> Generator[Record | DataProblem, None, None]:
    """The records and problems of one file, in file order."""
    try:
        st = os.stat(path)
        if not stat.S_ISREG(st.st_mode):  # never opened: a FIFO would wait for a writer
            yield DataProblem(str(path), None, f"{_file_type(st.st_mode)}, not a regular file; "
                                               f"skipped", UNREADABLE)
            return
        src = _Source(path)
    except OSError as e:
        yield DataProblem(str(path), None, f"cannot read the file ({e.strerror or e}); skipped",
                          UNREADABLE)
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
                yield DataProblem(src.name, 1, src.error, GZIP)
            return
        if text_head[:1] not in (b"{", b"[") and _LATER_RECORD.search(head) is None:
            while len(head) < _LOOK_FOR_RECORD and _LATER_RECORD.search(head) is None:
                more = src.read_bytes(65536)
                if not more:
                    break
                head += more
        if text_head[:1] not in (b"{", b"[") and _LATER_RECORD.search(head) is None:
            if src.error is not None:
                yield DataProblem(src.name, 1, src.error, GZIP)
            yield DataProblem(src.name, 1, "not a CloudTrail JSON file (it does not begin with "
                                           "'{' or '['); file skipped", NOT_CLOUDTRAIL)
            return
        read = _read_document if _is_document(text_head) or _opens_document(text_head) \
            else _read_ndjson
        gen = read(src, head)
        told = False
        while True:
            try:
                item = next(gen)
            except StopIteration as stop:
                last_line = stop.value
                break
            if isinstance(item, DataProblem) and src.error is not None and item.kind != BAD_UTF8:
                # what the damage cut short: the damage is the problem to tell, once
                if not told:
                    yield DataProblem(src.name, item.line, f"{src.error}; the text it cuts "
                                                           f"short is skipped", GZIP)
                told = True
                continue
            yield item
        if src.error is not None and not told:
            yield DataProblem(src.name, last_line, src.error, GZIP)
    finally:
        src.close()


# A file that does not begin like JSON but has a line beginning with "{" further on (a stray
# first line, a truncated head) is read one record a line: its records are not lost with it.
_LATER_RECORD = re.compile(rb"\n[ \t]*\{")
_LOOK_FOR_RECORD = 1 << 20  # bytes searched for such a line before the file is called not JSON


def _is_document(head: bytes) -> bool:
    """A ``{"Records": [...]}`` document or a top-level array, rather than one record a line."""
    if head.startswith(b"["):
        return True
    if head.startswith(b"{"):
        rest = head[1:].lstrip(b" \t\r\n")
        return rest.startswith(b'"Records"')
    return False


def _opens_document(head: bytes) -> bool:
    """Whether the first line leaves a bracket open and is not JSON by itself (``{`` alone, as
    pretty-printed JSON begins) while the next line does not begin a record: the file is then
    one JSON value after another, not a line each (where one broken line costs one line)."""
    end = head.find(b"\n")
    if end < 0:
        return False
    first = head[:end].rstrip(b" \t\r")
    if first[-1:] not in (b"{", b"[", b",", b":") or \
            head[end + 1:].lstrip(b"\r\n").startswith((b"{", b"[")):
        return False
    try:
        orjson.loads(first)
    except orjson.JSONDecodeError:
        return True
    return False


def read_range(path: Path, start: int, end: int) -> Iterator[Record | DataProblem]:
    """The records and problems of the lines in bytes [start, end) of a plain NDJSON file
    (``start`` a line start), numbered as in the whole file."""
    lineno = 0
    with open(path, "rb") as f:
        done = 0
        while done < start:  # the lines before the range, counted
            block = f.read(min(_CHUNK, start - done))
            if not block:
                break
            lineno += block.count(b"\n")
            done += len(block)
        data = f.read(max(end - start, 0))
    lines = data.split(b"\n")
    if lines and not lines[-1]:
        lines.pop()
    for data in lines:
        lineno += 1
        yield from _ndjson_line(str(path), lineno, data)


def _read_ndjson(src: _Source, head: bytes) -> Generator[Record | DataProblem, None, int]:
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
        yield DataProblem(file, lineno, bad, BAD_UTF8)
    try:
        value = parse_line(text)
    except TooDeep as e:
        yield DataProblem(file, lineno, e.reason(text), TOO_DEEP)
        return
    except ValueError as e:
        yield DataProblem(file, lineno, f"not JSON ({_short(e)}); line skipped", NOT_JSON)
        return
    if type(value) is dict and shape(value) is None:
        yield Record(file, lineno, text, value)
    elif isinstance(value, (dict, list)):
        yield from unwrap(value, text, file, lineno)
    else:
        yield DataProblem(file, lineno, "JSON value is not an object; line skipped", NOT_RECORD)


def _short(e: Exception) -> str:
    msg = str(e)
    return msg if len(msg) < 120 else msg[:117] + "..."


# ---------------------------------------------------------------- the forms a record comes in

_RECORD_KEYS = ("eventTime", "eventName", "eventSource", "eventVersion")
_DIGEST_KEYS = ("digestStartTime", "digestS3Object")
_PUBSUB_KEYS = ("messageId", "message_id", "publishTime", "publish_time")
_RAW_OBJECT = msgspec.json.Decoder(dict[str, msgspec.Raw])
_RAW_ARRAY = msgspec.json.Decoder(list[msgspec.Raw])


def shape(value: dict) -> str | None:
    """What a top-level JSON object is when it is not a CloudTrail record itself (None)."""
    if any(k in value for k in _RECORD_KEYS):
        return None
    if "Records" in value or "records" in value:
        return "records"
    if any(k in value for k in _DIGEST_KEYS):
        return "digest"
    if isinstance(value.get("Events"), list):
        return "lookup-events"
    message = value.get("message")
    if isinstance(message, dict) and isinstance(message.get("data"), str) and any(
            k in message for k in _PUBSUB_KEYS):
        return "pubsub"
    if "detail-type" in value and "detail" in value:
        return "eventbridge"
    return None


def unwrap(value, raw: str, file: str, line: int) -> list[Record | DataProblem]:
    """The records a top-level JSON value (``raw``: its text) carries, per the module
    docstring, and a problem for each part that is no record."""
    try:
        return _unwrap(value, raw, file, line)
    except RecursionError:  # a part too deep to take apart
        return [DataProblem(file, line, TooDeep(PARSE_DEPTH).reason(raw), TOO_DEEP)]


def _unwrap(value, raw: str, file: str, line: int) -> list[Record | DataProblem]:
    if isinstance(value, list):
        if not any(isinstance(v, dict) for v in value):
            return [DataProblem(file, line, "JSON value is an array with no object in it; "
                                            "skipped", NOT_RECORD)]
        out: list[Record | DataProblem] = []
        for i, (v, r) in enumerate(zip(value, _parts(raw, list)), 1):
            if isinstance(v, dict):
                out.extend(_unwrap(v, r, file, line))
            else:
                out.append(DataProblem(file, line, f"element {i} of the array is not a JSON "
                                                   f"object; skipped", NOT_RECORD))
        return out
    kind = shape(value)
    if kind is None:
        return [Record(file, line, raw, value)]
    if kind == "digest":
        return [DataProblem(file, line, "a CloudTrail-Digest file (integrity digest, not "
                                        "events); skipped", DIGEST)]
    if kind == "records":
        key = "Records" if "Records" in value else "records"
        records, records_text = value[key], _parts(raw, dict)[key]
        if not isinstance(records, list):
            return [DataProblem(file, line, f"'{key}' is {_json_type(records_text)}, not an array of "
                                            f"records; nothing read from it", NOT_RECORD)]
        out = []
        for i, (v, r) in enumerate(zip(records, _parts(records_text, list)), 1):
            if isinstance(v, dict):
                out.append(Record(file, line, r, v))
            else:
                out.append(DataProblem(file, line, f"element {i} of {key} is not a JSON object; "
                                                   f"skipped", NOT_RECORD))
        return out
    if kind == "pubsub":
        return [_pubsub(value["message"], file, line)]
    if kind == "lookup-events":
        out = []
        for i, ev in enumerate(value["Events"], 1):
            text = ev.get("CloudTrailEvent") if isinstance(ev, dict) else None
            if not isinstance(text, str):
                out.append(DataProblem(file, line, f"element {i} of Events has no CloudTrailEvent "
                                                   f"text; skipped", NOT_RECORD))
                continue
            try:
                rec = parse_line(text)
            except TooDeep as e:
                out.append(DataProblem(file, line, f"CloudTrailEvent of element {i} of Events: "
                                                   f"{e.reason(text)}", TOO_DEEP))
                continue
            except ValueError as e:
                out.append(DataProblem(file, line, f"CloudTrailEvent of element {i} of Events is "
                                                   f"not JSON ({_short(e)}); skipped", NOT_JSON))
                continue
            if not isinstance(rec, dict):
                out.append(DataProblem(file, line, f"CloudTrailEvent of element {i} of Events is "
                                                   f"not an object; skipped", NOT_RECORD))
                continue
            out.append(Record(file, line, text, rec))
        return out
    # EventBridge
    detail_type, detail = value["detail-type"], value["detail"]
    if isinstance(detail_type, str) and detail_type.endswith("via CloudTrail") and \
            isinstance(detail, dict):
        return [Record(file, line, _parts(raw, dict)["detail"], detail)]
    return [DataProblem(file, line, f"an EventBridge event of detail-type {detail_type!r}, which "
                                    f"carries no CloudTrail record (not an object); skipped",
                        NOT_RECORD)]


def _pubsub(message: dict, file: str, line: int) -> Record | DataProblem:
    """The record of a Pub/Sub message: the message with its base64 ``data`` decoded, JSON."""
    try:
        text = base64.b64decode(message["data"], validate=True).decode("utf-8")
        data = parse_line(text)
    except TooDeep as e:
        return DataProblem(file, line, f"data of the Pub/Sub message: {e.reason(text)}", TOO_DEEP)
    except (binascii.Error, ValueError) as e:  # UnicodeDecodeError is a ValueError
        return DataProblem(file, line, f"data of the Pub/Sub message is not base64 of JSON text "
                                       f"({_short(e)}); skipped", NOT_RECORD)
    if not isinstance(data, dict):
        return DataProblem(file, line, f"data of the Pub/Sub message is {_json_type(text.strip())}"
                                       f", not a JSON object; skipped", NOT_RECORD)
    raw = "{" + ",".join(json.dumps(k) + ":" + (text.strip() if k == "data" else json.dumps(v))
                         for k, v in message.items()) + "}"
    return Record(file, line, raw, parse_line(raw))


@overload
def _parts(raw: str, kind: type[list]) -> list[str]: ...
@overload
def _parts(raw: str, kind: type[dict]) -> dict[str, str]: ...
def _parts(raw: str, kind: type) -> list[str] | dict[str, str]:
    """The exact texts of the elements (list) or values (dict) of a JSON text."""
    data = raw.encode("utf-8")
    if kind is list:
        return [bytes(r).decode("utf-8") for r in _RAW_ARRAY.decode(data)]
    return {k: bytes(r).decode("utf-8") for k, r in _RAW_OBJECT.decode(data).items()}


def _json_type(text: str) -> str:
    """What kind of JSON value a text is (from its first character)."""
    return {"{": "an object", '"': "a string", "t": "a boolean", "f": "a boolean",
            "n": "null"}.get(text[:1], "a number")


class _Text:
    """Decoded text of a document file with a sliding window, for the record scanner."""

    def __init__(self, src: _Source, head: bytes):
        self.src = src
        self.decoder = codecs.getincrementaldecoder("utf-8")(errors=_RECORD_BAD)
        self._pending = 0     # bytes of an unfinished character carried from the last chunk
        self.buf = ""
        self.pos = 0          # index into buf
        self.base = 0         # offset in the decoded text of buf[0]
        self.line = 1         # line number of buf[pos]
        self.eof = False
        self.keep = False     # True: the window keeps everything from where it was set
        self.problems: list[DataProblem] = []
        self._bytes_line = 1
        self._feed(head)

    def _feed(self, data: bytes, final: bool = False):
        self.buf += self.decoder.decode(data, final)
        for offset, byte in _drain_bad_bytes():
            line = self._bytes_line + data.count(b"\n", 0, max(0, offset - self._pending))
            self.problems.append(DataProblem(
                self.src.name, line, f"byte 0x{byte:02x} is not UTF-8; replaced by U+FFFD",
                BAD_UTF8))
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
        if self.pos > _CHUNK and not self.keep:
            self.buf = self.buf[self.pos:]
            self.base += self.pos
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


def _record_bad_bytes(e: UnicodeError) -> tuple[str, int]:
    """Codec error handler: note where a bad byte was (offset into the decoded input), and
    replace it by U+FFFD as the 'replace' handler does."""
    assert isinstance(e, UnicodeDecodeError)  # registered for decoding only
    _BAD_BYTES.append((e.start, e.object[e.start]))
    return "\ufffd", e.end


codecs.register_error(_RECORD_BAD, _record_bad_bytes)


def _drain_bad_bytes() -> list[tuple[int, int]]:
    out = list(_BAD_BYTES)
    _BAD_BYTES.clear()
    return out


_DECODER = json.JSONDecoder(parse_int=str, parse_float=str, parse_constant=_reject_constant)


def _read_document(src: _Source, head: bytes) -> Generator[Record | DataProblem, None, int]:
    """The records of a file of JSON values one after another (usually one: a
    ``{"Records": [...]}`` document, an array, a pretty-printed record), one at a time."""
    t = _Text(src, head)
    name = src.name
    while True:
        yield from _flush(t)
        c = t.skip_ws()
        if c is None:
            break
        if c == "\ufeff":
            t.advance(t.pos + 1)
            continue
        start = t.base + t.pos
        read = [0]  # records the value gave before it broke off
        if c == "[":
            t.advance(t.pos + 1)
            ok = yield from _counted(_read_array(t, "the array", whole=True), read)
        elif c == "{":
            ok = yield from _counted(_read_object(t), read)
        else:
            line = t.line
            got = _decode_one(t)
            ok = not isinstance(got, DataProblem)
            yield got if not ok else DataProblem(name, line, "JSON value is not an object; "
                                                             "skipped", NOT_RECORD)
        # a value that gave records is not read again: go on after where it broke
        if not ok and not _resync(t, start if not read[0] else t.base + t.pos):
            break
    yield from _flush(t)
    return t.line


def _counted(gen, read: list[int]):
    """``gen``'s items, counting its records in ``read[0]``; returns what ``gen`` returns."""
    while True:
        try:
            item = next(gen)
        except StopIteration as stop:
            return stop.value
        if isinstance(item, Record):
            read[0] += 1
        yield item


def _resync(t: _Text, start: int) -> bool:
    """After a value that broke off: go on at the next line that begins with ``{`` in its first
    column after offset ``start`` of the text (where the value began, when it gave no record),
    as the next record's start. A broken record among records one a line, or pretty-printed at
    the top level, then loses no record after it, even one the broken value's parse ran into.
    Nested objects of pretty-printed JSON are indented, so they are not taken for records.
    False when no such line follows."""
    t.keep = False
    at = t.buf.find("\n{", max(start - t.base, 0))
    if 0 <= at < t.pos:  # back to a line the broken value ran over
        t.line -= t.buf.count("\n", at + 1, t.pos)
        t.pos = at + 1
        return True
    while at < 0:
        if not t.more():
            return False
        at = t.buf.find("\n{", max(start - t.base, t.pos - 1, 0))
    t.advance(at + 1)
    return True


def _read_object(t: _Text):
    """Yield the records of the object at t.pos: a ``{"Records": [...]}`` document is read a
    record at a time (its other keys are ignored); any other object is decoded whole and
    unwrapped. Return False if it broke off."""
    name, line = t.src.name, t.line
    start = t.pos
    t.keep = True  # the object's text, should it be a record
    t.advance(t.pos + 1)
    fields: dict = {}
    streamed = False
    ok = True
    deep = None
    while True:
        c = t.skip_ws()
        if c == "}":
            t.advance(t.pos + 1)
            break
        if c == ",":
            t.advance(t.pos + 1)
            continue
        if c is None:
            yield DataProblem(name, t.line, "document ends before its closing brace", NOT_JSON)
            ok = False
            break
        key = _decode_one(t)
        if isinstance(key, DataProblem):
            yield key
            ok = False
            break
        c = t.skip_ws()
        if c != ":" or not isinstance(key[0], str):
            yield DataProblem(name, t.line, "not JSON (expected ':' after a key of the "
                                            "document); the rest of the document cannot be "
                                            "read", NOT_JSON)
            ok = False
            break
        t.advance(t.pos + 1)
        t.skip_ws()
        if key[0] in ("Records", "records") and t.skip_ws() == "[" and \
                not any(k in fields for k in _RECORD_KEYS):
            t.keep = False
            streamed = True
            t.advance(t.pos + 1)
            ok = yield from _read_array(t, key[0], whole=False)
            if not ok:
                break
        else:
            value = _decode_one(t)
            if isinstance(value, DataProblem) and value.kind == TOO_DEEP and deep is None:
                deep = DataProblem(name, line, value.reason, TOO_DEEP)  # all of it is skipped
            elif isinstance(value, DataProblem):
                yield value
                ok = False
                break
            else:
                fields[key[0]] = value[0]
    if ok and not streamed:
        yield from [deep] if deep is not None else unwrap(fields, t.buf[start:t.pos], name, line)
    t.keep = False
    return ok


def _flush(t: _Text) -> Iterator[DataProblem]:
    yield from t.problems
    t.problems.clear()


def _read_array(t: _Text, what: str, whole: bool):
    """Yield the records of an array whose '[' was consumed (``whole``: each element may be any
    form of record, see :func:`unwrap`; else each element is a record); return False if it
    broke off."""
    name = t.src.name
    k = 0
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
            yield DataProblem(name, t.line, f"{what} ends before its closing bracket", NOT_JSON)
            return False
        line = t.line
        k += 1
        got = _decode_one(t)
        yield from _flush(t)
        if isinstance(got, DataProblem):
            yield got
            if got.kind == TOO_DEEP:
                continue
            return False
        value, raw = got
        if whole and isinstance(value, dict):
            yield from unwrap(value, raw, name, line)
        elif isinstance(value, dict):
            yield Record(name, line, raw, value)
        else:
            yield DataProblem(name, line, f"element {k} of {what} is not a JSON object; skipped",
                              NOT_RECORD)


def _decode_one(t: _Text):
    """Decode the JSON value at t.pos: (value, exact text) or a Problem; reads more as needed.
    A value nested too deep to parse is passed over (a TOO_DEEP problem)."""
    while True:
        try:
            value, end = _DECODER.raw_decode(t.buf, t.pos)
        except RecursionError:
            return _too_deep(t)
        except json.JSONDecodeError as e:
            if t.more():
                continue
            line = t.line + t.buf.count("\n", t.pos, min(e.pos, len(t.buf)))
            return DataProblem(t.src.name, line, f"not JSON ({e.msg}); the rest of the document "
                                                 f"cannot be read", NOT_JSON)
        if end == len(t.buf) and t.more():
            continue  # a scalar at the edge of the window may go on in the next chunk
        raw = t.buf[t.pos:end]
        t.advance(end)
        return value, raw


def _too_deep(t: _Text):
    """The value at t.pos, too deep for the exact parser: parsed by orjson when it is within
    PARSE_DEPTH levels, else passed over with a problem."""
    while True:
        end = value_end(t.buf, t.pos)
        if end is not None or not t.more():
            break
    if end is None:
        return DataProblem(t.src.name, t.line, "not JSON (the text ends inside a value); the "
                                               "rest of the document cannot be read", NOT_JSON)
    line, raw = t.line, t.buf[t.pos:end]
    t.advance(end)
    try:
        return parse_line(raw), raw
    except TooDeep as e:
        return DataProblem(t.src.name, line, e.reason(raw), TOO_DEEP)
    except ValueError as e:
        return DataProblem(t.src.name, line, f"not JSON ({_short(e)}); skipped", NOT_JSON)


def has_record(paths) -> bool:
    """Whether any of the files holds a record (read up to the first one)."""
    return any(isinstance(item, Record) for path in paths for item in read_file(path))


def hint(path: Path) -> str | None:
    """A guess at why a file gave no record, from how it begins (None: no guess)."""
    try:
        with open(path, "rb") as f:
            head = f.read(1 << 16)
        if is_gzip(head):
            with gzip.open(path, "rb") as f:
                head = f.read1(1 << 16)
    except (OSError, EOFError, zlib.error):
        return None
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff \t\r\n")
    if not text:
        return "it is empty"
    if text[0] not in "{[":
        first = text.split("\n", 1)[0][:60]
        what = ("CSV or another text format" if "," in first or "\t" in first else
                "not JSON")
        return f"it begins {first!r}: {what}? CloudTrail files are JSON records"
    lines = text.split("\n")
    if len(lines) > 1 and lines[1][:1] in (" ", "\t"):
        return ("it looks like pretty-printed JSON, read as one JSON value: the first JSON error "
                "stops the whole file")
    return None


def file_mtime(path: Path) -> float:
    return os.stat(path).st_mtime
