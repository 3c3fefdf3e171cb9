"""Each large file's event times and pieces, kept on disk between runs, as Splunk keeps an index.

Loading a Session (``spl repl``, ``spl run ... | head``, ``spl hunt``) reads every record's
``_time`` and sourcetype: one pass over the whole file, about a second a gigabyte on two cores.
Splunk reads its data once, when it indexes it, and every search after uses the index. spl
keeps what that pass found — the times, where the file's pieces are, the events' sourcetypes
and the data's problems — so that the next load of the same unchanged file reads its entry
(8 bytes an event) instead of the file (:func:`load_times`).

Trust: an entry serves only the very file it was made from — same device, inode, size,
modification and change time (the change time moves on any write, even one that puts the
modification time back) — read the same way (a digest of spl.data's files, the interpreter,
the JSON parsers' versions and the cores) with the same sourcetype option. Anything else, or an
entry that cannot be read whole and consistent, is read from the file again and replaced. A
file changed less than RACY seconds before it was read is not kept (git's rule for a rewrite
within one tick of the clock). The directory is the user's alone (made 0700; one that is a
link, someone else's or writable by others, or in a folder anyone may write to that is not
sticky, is not used, and that is said once); entries are written whole and then renamed into
place, read without following links and without pickles, and only files named as spl names
them are ever removed. A load with a ``ta`` or ``strict`` reads the files (a TA's definitions
can change the times; strict stops at the first problem). Files under KEEP_MIN bytes are read
each time (that is as quick as an entry); the directory's entries are kept under KEEP_BYTES,
the least recently used removed first.

``SPL_CACHE_DIR`` names the cache directory, entries going to its ``times`` folder (default
``$XDG_CACHE_HOME/spl``, else ``~/.cache/spl``); ``SPL_CACHE_DIR=off`` keeps nothing.
"""
from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import stat
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import msgspec
import numpy as np
import orjson

from spl.data import LoadResult, begin, fast
from spl.data.readers import UNTYPED, DataProblem, expand, shown_name

KEEP_MIN = 16 << 20  # bytes of a file worth an entry
KEEP_BYTES = 1 << 30  # bytes the directory's entries may take
RACY = 2.0  # seconds: a file changed this recently is not kept (a rewrite in the same clock
#             tick would leave its stamp as it was: git's "racy" rule)
FORMAT = 1  # of an entry; a new one makes every old entry unused (they age out)
_LEFT_OVER = 3600  # seconds after which a half-written entry (a run killed) is removed
_ENTRY = re.compile(r"[0-9a-f]{64}\.npz\Z")  # what spl writes there: nothing else is removed
_PARTIAL = re.compile(r"spl-[^/]*\.tmp\Z")
_FIELDS = {"_time", "sourcetype"}  # what a Session's load reads


def directory() -> Path | None:
    """Where entries are kept (``times`` in the cache directory), made if need be (0700); None
    when keeping is off, or when the directory is not the user's alone or could be swapped for
    another by someone else (said once, on standard error)."""
    setting = os.environ.get("SPL_CACHE_DIR") or None
    if setting is not None and setting.strip().lower() == "off":
        return None
    try:
        base = Path(setting) if setting else (
            Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "spl")
        where = base / "times"
        made = [where, base, *(p for p in base.parents if not p.exists())]
        for folder in reversed(made):  # 0700 each (mkdir -p would use the umask's mode)
            folder.mkdir(mode=0o700, exist_ok=True)
    except (OSError, RuntimeError) as e:  # no home, a read-only disk: nothing kept
        _tell(f"cannot make it ({getattr(e, 'strerror', None) or e})", setting)
        return None
    for folder in (base, where):
        if not _private(folder):
            _tell(f"{folder} is a link, someone else's, or writable by others", setting)
            return None
    if not _steady(base.parent):
        _tell(f"{base.parent} is writable by anyone (who could put another folder in its place)",
              setting)
        return None
    return where


@functools.cache
def _tell(why: str, setting: str | None) -> None:
    """Say once why times are not kept: loads are as they were, only slower."""
    now = f"SPL_CACHE_DIR is {setting!r}" if setting else "SPL_CACHE_DIR is not set"
    print(f"spl: the times of large files are not kept between runs: {why} ({now}; set it to "
          "a directory of yours alone, or to off)", file=sys.stderr)


def _private(path: Path) -> bool:
    """A real directory of this user's that no one else may write to."""
    try:
        st = os.lstat(path)
    except OSError:
        return False
    uid = os.getuid() if hasattr(os, "getuid") else st.st_uid
    return stat.S_ISDIR(st.st_mode) and st.st_uid == uid and not st.st_mode & 0o022


def _steady(path: Path) -> bool:
    """A directory in which not anyone may rename what is not theirs: not writable by all, or
    sticky (/tmp). (Group-writable is allowed: with user private groups, a umask of 002 makes
    every folder so.)"""
    try:
        st = os.stat(path)
    except OSError:
        return False
    return not st.st_mode & 0o002 or bool(st.st_mode & stat.S_ISVTX)


@functools.lru_cache(maxsize=1)
def _code() -> str:
    """A digest of what reading depends on: spl.data's files, the interpreter, the JSON parsers
    (their messages are the problems' reasons) and the cores (a large file's pieces are cut one
    range per core). An entry of other reading is not used."""
    digest = hashlib.sha256(f"{sys.version}\0{msgspec.__version__}\0{orjson.__version__}\0"
                            f"{fast.cores()}".encode())
    root = Path(__file__).parent
    for path in sorted(root.rglob("*")):
        if path.is_file() and path.suffix in (".py", ".conf", ".csv", ".json", ".yml"):
            digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _stamp(st: os.stat_result) -> list[int]:
    return [st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns]


def _name(path: Path, sourcetype: str | None) -> str:
    key = "\0".join((str(FORMAT), _code(), os.path.realpath(path), sourcetype or ""))
    return hashlib.sha256(key.encode()).hexdigest() + ".npz"


@dataclass
class Entry:
    """What loading a file's times found (see the module)."""

    times: np.ndarray                            # float64, one an event, in file order
    types: list[str]                             # the events' distinct sourcetypes
    codes: np.ndarray                            # each event's place in ``types`` (uint8 or int32)
    pieces: list[tuple[int, int, int]] | None    # spl.data.LoadResult.pieces of the file
    problems: list[tuple[int | None, str, str]]  # (line, reason, kind) of its DataProblems


def lookup(where: Path, path: Path, st: os.stat_result, sourcetype: str | None) -> Entry | None:
    """The file's entry, when there is one made from the file as it is now (``st``)."""
    if st.st_size < KEEP_MIN:
        return None
    name = where / _name(path, sourcetype)
    try:
        fd = os.open(name, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return None
    entry = None
    with os.fdopen(fd, "rb") as f:
        own = os.fstat(f.fileno())
        if stat.S_ISREG(own.st_mode) and (not hasattr(os, "getuid") or own.st_uid == os.getuid()):
            try:
                entry = _read(f, path, st)
            except Exception:  # any damage (zip, npy, JSON, shapes, types): read the file again
                entry = None
    if entry is None:  # unreadable, another file's or an older one's: made again at this load
        _remove(name)
    else:
        try:
            os.utime(name)  # recently used: removed last
        except OSError:
            pass
    return entry


def _read(f, path: Path, st: os.stat_result) -> Entry | None:
    """An entry's content, when whole and consistent with the file as it is (damage raises or
    gives None)."""
    with np.load(f, allow_pickle=False) as z:
        meta = json.loads(bytes(z["meta"]).decode("utf-8"))
        times, codes, pieces = z["times"], z["codes"], z["pieces"]
    if type(meta) is not dict or meta["path"] != os.path.realpath(path) \
            or meta["stamp"] != _stamp(st):
        return None
    types, problems = meta["types"], meta["problems"]
    n = len(times) if times.ndim == 1 else -1
    if (times.dtype != np.float64 or n < 0 or codes.dtype not in (np.uint8, np.int32)
            or codes.shape != (n,) or type(types) is not list
            or not all(type(t) is str for t in types)
            or (n and (codes.min() < 0 or codes.max() >= len(types)))
            or type(problems) is not list
            or not all(type(p) is list and len(p) == 3 and (p[0] is None or type(p[0]) is int)
                       and type(p[1]) is str and type(p[2]) is str for p in problems)):
        return None
    spans = None
    if meta["has_pieces"] is True:
        if pieces.dtype != np.int64 or pieces.ndim != 2 or pieces.shape[1] != 3 \
                or int(pieces[:, 2].sum()) != n or (pieces < 0).any() \
                or (pieces[:, 1] > st.st_size).any() or (pieces[:, 0] > pieces[:, 1]).any() \
                or (pieces[1:, 0] < pieces[:-1, 1]).any():
            return None
        spans = [(a, b, c) for a, b, c in pieces.tolist()]
    elif meta["has_pieces"] is not False:
        return None
    return Entry(times, types, codes, spans, [(line, reason, kind)
                                              for line, reason, kind in problems])


def store(where: Path, path: Path, sourcetype: str | None, before: os.stat_result,
          entry: Entry) -> None:
    """Keep the entry of a file read now, unless the file changed while it was read (stamp
    ``before`` reading) or keeping fails (a full disk: it is read again next time)."""
    try:
        st = os.stat(path)
    except OSError:
        return
    if st.st_size < KEEP_MIN or _stamp(st) != _stamp(before) \
            or time.time() - max(st.st_mtime, st.st_ctime) < RACY:
        return
    meta = {"path": os.path.realpath(path), "stamp": _stamp(st), "types": entry.types,
            "problems": entry.problems, "has_pieces": entry.pieces is not None}
    pieces = np.array(entry.pieces or [], dtype=np.int64).reshape(-1, 3)
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(dir=where, prefix="spl-", suffix=".tmp")  # 0600
        with os.fdopen(fd, "wb") as f:
            np.savez(f, meta=np.frombuffer(json.dumps(meta).encode("utf-8"), dtype=np.uint8),
                     times=entry.times.astype(np.float64, copy=False),
                     codes=entry.codes, pieces=pieces)
        os.replace(tmp, where / _name(path, sourcetype))
        tmp = None
    except OSError:
        pass
    finally:
        if tmp is not None:
            _remove(Path(tmp))
    _trim(where)


def _trim(where: Path) -> None:
    """Remove the least recently used entries while they take more than KEEP_BYTES, and any
    half-written one left by a run that was stopped."""
    entries = []
    now = time.time()
    try:
        for item in os.scandir(where):
            if not (_ENTRY.match(item.name) or _PARTIAL.match(item.name)) \
                    or not item.is_file(follow_symlinks=False):
                continue  # not spl's: left alone
            st = item.stat(follow_symlinks=False)
            if _PARTIAL.match(item.name):
                if now - st.st_mtime > _LEFT_OVER:
                    _remove(Path(item.path))
            else:
                entries.append((st.st_mtime, st.st_size, item.path))
    except OSError:
        return
    total = sum(size for _, size, _ in entries)
    for _, size, name in sorted(entries):
        if total <= KEEP_BYTES:
            break
        _remove(Path(name))
        total -= size


def _remove(path: Path) -> None:
    try:
        path.unlink()
    except OSError:
        pass


def load_times(paths, *, sourcetype: str | None, source: str | None, host: str | None,
               index: str, ta: Path | None, strict: bool,
               progress: bool) -> tuple[LoadResult, list[Path]]:
    """What a Session's load reads — every event's ``_time`` and ``sourcetype``, the files'
    pieces and problems — and the files read: spl.data.load of those fields, with each file
    that has an entry (:func:`lookup`) taken from it, and an entry kept of each other one.
    The result is the one reading every file gives."""
    options: dict[str, Any] = dict(source=source, host=host, index=index, progress=progress)
    early: list[DataProblem] = []
    if ta is None and not strict:
        items = expand(paths)
        files = [p for p in items if isinstance(p, Path)]
        early = [p for p in items if isinstance(p, DataProblem)]
        paths = files  # (expanded once: standard input is read once)
        # the directory is looked for (and made) only for a file worth an entry
        stats = [_stat(f) if _keepable(f) else None for f in files]  # as they are before reading
        worth = any(st is not None and st.st_size >= KEEP_MIN for st in stats)
        where = directory() if worth else None
        # a file given twice is read twice; problems are told apart by the name they carry
        if where is not None and len(set(map(shown_name, files))) == len(files):
            got = _with_entries(where, early, files, stats, sourcetype, options)
            if got is not None:
                return got, files
    reading = begin(paths, sourcetype=sourcetype, fields=_FIELDS, ta=ta, strict=strict)
    try:
        result = reading.finish(**options)
    finally:
        reading.cancel()
    result.problems[:0] = early  # those of the entries that are no file, as begin gives them
    return result, list(reading.files)


def _with_entries(where: Path, early: list[DataProblem], files: list[Path], stats: list,
                  sourcetype: str | None, options: dict) -> LoadResult | None:
    """load_times over the expanded files (``early``: the problems of the entries that are no
    file; ``stats``: each file's stat before reading, None for one not to keep): the files
    without an entry read (and kept); None when their load cannot be told file by file (not
    expected: they are then read again, together)."""
    entries: list[Entry | None] = [lookup(where, f, st, sourcetype) if st is not None else None
                                   for f, st in zip(files, stats)]
    missed = [f for f, e in zip(files, entries) if e is None]
    if options["progress"]:
        for f, e in zip(files, entries):
            if e is not None:
                print(f"{f}: times kept from an earlier read ({where})", file=sys.stderr)
    if missed:
        before = {f: st for f, st, e in zip(files, stats, entries) if e is None}
        reading = begin(missed, sourcetype=sourcetype, fields=_FIELDS)
        try:
            fresh = reading.finish(**options)
        finally:
            reading.cancel()
        read = _split(fresh, missed)
        if read is None:
            return None
        for f, e in zip(missed, read):
            if before[f] is not None:
                store(where, f, sourcetype, before[f], e)
        fill = iter(read)
        entries = [e if e is not None else next(fill) for e in entries]
    return _joined(early, files, [e for e in entries if e is not None])


def _keepable(path: Path) -> bool:
    """A file of the user's (not standard input's or a pipe's copy, spl.data.readers)."""
    return shown_name(path) == str(path)


def _stat(path: Path) -> os.stat_result | None:
    try:
        return os.stat(path)
    except OSError:
        return None


def _split(result: LoadResult, files: list[Path]) -> list[Entry] | None:
    """A load of times, file by file; None when it is not one (other columns, events or
    problems that no file's count or name holds)."""
    table = result.table
    if list(table.columns) != ["_time", "sourcetype"] or len(result.counts) != len(files) \
            or sum(result.counts) != len(table) or len(result.pieces) != len(files):
        return None
    names = {shown_name(f): k for k, f in enumerate(files)}
    problems: list[list] = [[] for _ in files]
    for p in result.problems:
        if p.file not in names:
            return None
        problems[names[p.file]].append((p.line, p.reason, p.kind))
    times = table["_time"].to_numpy(dtype=np.float64)
    types = table["sourcetype"].to_numpy(dtype=object)
    out, start = [], 0
    for k, n in enumerate(result.counts):
        these = types[start:start + n]
        if any(type(t) is not str for t in these):
            return None
        distinct = list(dict.fromkeys(these.tolist()))
        code = {t: i for i, t in enumerate(distinct)}
        codes = np.fromiter(map(code.__getitem__, these), count=n,
                            dtype=np.uint8 if len(distinct) <= 256 else np.int32)
        out.append(Entry(times[start:start + n].copy(), distinct, codes, result.pieces[k],
                         problems[k]))
        start += n
    return out


def _joined(early: list[DataProblem], files: list[Path], entries: list[Entry]) -> LoadResult:
    """The LoadResult of the files' entries: what reading them all gives. Its problems come as
    a load orders them: the entries that are no file, then each file's that no sourcetype rule
    types (found before reading), then what reading each file found."""
    import pandas as pd

    found = [(DataProblem(shown_name(f), line, reason, kind), kind)
             for f, e in zip(files, entries) for line, reason, kind in e.problems]
    problems = (early + [p for p, kind in found if kind == UNTYPED]
                + [p for p, kind in found if kind != UNTYPED])
    times = np.concatenate([e.times for e in entries]) if entries else np.empty(0)
    types = np.concatenate([np.asarray(e.types, dtype=object)[e.codes] if len(e.codes)
                            else np.empty(0, dtype=object) for e in entries]) \
        if entries else np.empty(0, dtype=object)
    table = pd.DataFrame({"_time": pd.Series(times, dtype="float64"),
                          "sourcetype": pd.Series(types, dtype=object)})
    return LoadResult(table, problems, [shown_name(f) for f in files],
                      [e.pieces for e in entries], [len(e.times) for e in entries])
