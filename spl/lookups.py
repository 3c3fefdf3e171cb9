"""Lookup tables: reading them, finding them by name, and matching events against them.

One matching rule for every lookup: the automatic ``LOOKUP-`` lookups of a sourcetype
(spl.data.props) and the ``lookup`` command use :func:`apply_lookup`.

Settings of a table are those of transforms.conf, which security_content's lookup YAMLs also use
(https://docs.splunk.com/Documentation/Splunk/latest/Admin/Transformsconf):
``match_type = WILDCARD(f), CIDR(g)`` (EXACT otherwise), ``case_sensitive_match`` (default
true), ``max_matches`` (default 100, first matches in file order), ``min_matches`` (default 0)
and ``default_match`` (the value given when fewer than min_matches rows match).

Finding a table (``Lookups``): each lookup directory is searched in order, then the output
directory (where ``outputlookup`` writes, through :class:`OutputFile`: only inside that
directory, never through a symbolic link, each file replaced whole). A name is a
security_content lookup definition (``<name>.yml`` with ``filename:``, or ``collection:`` for a
KV store collection), or a CSV file name. A collection that no search has filled yet (no
``<name>.csv`` anywhere) is reported as "needs baseline <name>": in ESCU such collections are
filled by a baseline search.
"""
from __future__ import annotations

import csv
import dataclasses
import ipaddress
import itertools
import os
import re
import secrets
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

import yaml

from spl import yamlload
from spl._validate import output_apart
from spl.commands._args import boolean
from spl.errors import ConfigError, DataError, SplError, UnsupportedError
from spl.values import is_null, make_mv, mv_values, to_str


@dataclass
class LookupTable:
    name: str
    file: str
    columns: list[str]
    rows: list[dict]
    wildcard: set[str] = field(default_factory=set)
    cidr: set[str] = field(default_factory=set)
    case_sensitive: bool = True
    max_matches: int = 100
    min_matches: int = 0
    default_match: str | None = None


# ---------------------------------------------------------------- reading a table

def read_csv(path: Path) -> tuple[list[str], list[dict]]:
    """Header and rows of a CSV lookup file (empty cells are null); errors name file and line.

    A 0-length file (what ``outputlookup`` creates for no results) is a table with no rows."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            return _read_rows(f, path)
    except (OSError, UnicodeDecodeError, csv.Error) as e:
        raise ConfigError(f"cannot read lookup ({e})", file=str(path)) from None


def _read_rows(f: TextIO, path: Path) -> tuple[list[str], list[dict]]:
    reader = csv.reader(f)
    header = next(reader, None)
    if header is None:
        return [], []
    if not any(h.strip() for h in header):
        raise ConfigError("lookup file has an empty header line", file=str(path), line=1)
    header = [h.strip() for h in header]
    rows = []
    for lineno, cells in enumerate(reader, 2):
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(header):
            raise ConfigError(f"row has {len(cells)} cells, the header {len(header)}",
                              file=str(path), line=lineno)
        rows.append({h: (c if c != "" else None) for h, c in zip(header, cells)})
    return header, rows


_CACHE: dict[tuple, LookupTable] = {}


def load_table(name: str, path: Path, settings: dict, where: str | None = None) -> LookupTable:
    """The table in CSV file ``path`` with transforms.conf-style ``settings`` (cached by mtime)."""
    settings = {k: str(v) for k, v in settings.items() if v is not None}
    where = where or str(path)
    st = path.stat()  # outputlookup replaces a file: a new inode, maybe within the same mtime tick
    cache_key = (str(path), st.st_mtime_ns, st.st_ino, st.st_size, tuple(sorted(settings.items())))
    if cache_key in _CACHE:
        return _CACHE[cache_key]
    header, rows = read_csv(path)
    wildcard: set[str] = set()
    cidr: set[str] = set()
    for kind, col in re.findall(r"(\w+)\s*\(\s*([^)]+?)\s*\)", settings.get("match_type", "")):
        kind = kind.upper()
        if kind == "WILDCARD":
            wildcard.add(col)
        elif kind == "CIDR":
            cidr.add(col)
        elif kind != "EXACT":
            raise ConfigError(f"lookup {name!r}: match_type {kind} is not supported", file=where)
    try:
        max_matches = int(settings.get("max_matches", "100"))
        min_matches = int(settings.get("min_matches", "0"))
    except ValueError:
        raise ConfigError(f"lookup {name!r}: max_matches/min_matches must be integers",
                          file=where) from None
    table = LookupTable(
        name=name, file=str(path), columns=header, rows=rows, wildcard=wildcard, cidr=cidr,
        case_sensitive=_setting_flag(settings, "case_sensitive_match", True, name, where),
        max_matches=max(1, max_matches), min_matches=min_matches,
        default_match=settings.get("default_match"))
    _CACHE[cache_key] = table
    return table


def _setting_flag(settings: dict, key: str, default: bool, name: str, where: str) -> bool:
    """A boolean setting of a lookup definition, read as command options are."""
    if key not in settings:
        return default
    truth = boolean(settings[key])
    if truth is None:
        raise ConfigError(f"lookup {name!r}: {key} = {settings[key]} must be true or false",
                          file=where)
    return truth


# ---------------------------------------------------------------- finding a table by name

def default_output_dir() -> Path:
    """Where ``outputlookup`` writes: $SPL_LOOKUP_DIR, else $XDG_DATA_HOME/spl/lookups."""
    if os.environ.get("SPL_LOOKUP_DIR"):
        return Path(os.environ["SPL_LOOKUP_DIR"]).expanduser()
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base).expanduser() / "spl" / "lookups"


class Lookups:
    """The lookup directories of a session (security_content layout) and its output directory."""

    def __init__(self, dirs=(), output_dir: str | os.PathLike[str] | None = None):
        self.dirs = [Path(d) for d in dirs]
        self.output_dir = Path(output_dir) if output_dir else default_output_dir()
        output_apart(self.dirs, self.output_dir)
        self._definitions: dict[Path, dict[str, tuple[dict, Path]]] = {}

    @property
    def searched(self) -> list[Path]:
        return [*self.dirs, self.output_dir]

    def _where(self) -> str:
        return ", ".join(str(d) for d in self.searched)

    def definitions(self, folder: Path) -> dict[str, tuple[dict, Path]]:
        """{name: (definition, yaml path)} of the lookup YAMLs of one directory."""
        if folder not in self._definitions:
            found: dict[str, tuple[dict, Path]] = {}
            for path in sorted(folder.glob("*.y*ml")) if folder.is_dir() else []:
                try:
                    data = yamlload.safe_load(path.read_text(encoding="utf-8"))
                except (OSError, UnicodeDecodeError, yaml.YAMLError) as e:
                    mark = getattr(e, "problem_mark", None)
                    raise ConfigError(f"cannot read lookup definition: {getattr(e, 'problem', e)}",
                                      file=str(path),
                                      line=mark.line + 1 if mark else None) from None
                if isinstance(data, dict) and isinstance(data.get("name"), str):
                    found.setdefault(data["name"], (data, path))
            self._definitions[folder] = found
        return self._definitions[folder]

    def definition(self, name: str) -> tuple[dict, Path] | None:
        for folder in self.searched:
            hit = self.definitions(folder).get(name)
            if hit:
                return hit
        return None

    def _file(self, filename: str) -> Path | None:
        for folder in self.searched:
            if (folder / filename).is_file():
                return folder / filename
        return None

    def table(self, name: str) -> LookupTable:
        """The table called ``name``; a clear error naming it and the directories searched."""
        if "/" in name or "\\" in name:
            raise ConfigError(f"lookup {name!r}: a lookup is named, not given as a path")
        hit = self.definition(name)
        if hit:
            data, ypath = hit
            if data.get("filename"):
                path = (ypath.parent / data["filename"] if (ypath.parent / data["filename"]).is_file()
                        else self._file(str(data["filename"])))
                if path is None:
                    raise ConfigError(f"lookup {name!r}: file {data['filename']!r} not found in "
                                      f"{self._where()}", file=str(ypath))
                return load_table(name, path, data, str(ypath))
            if data.get("collection"):
                path = self._file(f"{name}.csv")
                if path is None:
                    raise UnsupportedError(
                        f"needs baseline {name}: lookup {name!r} is a KV store collection that "
                        f"another search fills (no {name}.csv in {self._where()})")
                return _with_fields_list(load_table(name, path, data, str(ypath)),
                                         data.get("fields_list"))
            raise ConfigError(f"lookup {name!r}: only file lookups (filename:) and collections "
                              f"are supported", file=str(ypath))
        path = self._file(name) or (None if name.endswith(".csv") else self._file(f"{name}.csv"))
        if path is None:
            raise ConfigError(f"lookup table {name!r} not found: no definition or CSV file of "
                              f"that name in {self._where()}")
        return load_table(name, path, {})

    def output_path(self, name: str) -> Path:
        """The file ``outputlookup name`` writes, always inside the output directory."""
        if name.endswith(".csv"):
            filename = name
        else:
            hit = self.definition(name)
            if hit is None:
                raise ConfigError(f"outputlookup: no lookup definition {name!r} in "
                                  f"{self._where()} (give a file name ending in .csv)")
            filename = str(hit[0].get("filename") or f"{name}.csv")
        if any(c in filename for c in "/\\\0") or filename.startswith(".") or not filename:
            raise ConfigError(f"outputlookup: {filename!r} is not a plain file name: lookups are "
                              f"written inside {str(self.output_dir)!r}, so a directory, '..', "
                              "an absolute path or a leading '.' is refused")
        return self.output_dir / filename

    def output_file(self, name: str) -> OutputFile:
        """The file ``outputlookup name`` writes, opened for a safe replace (a context manager)."""
        path = self.output_path(name)
        output_apart(self.dirs, self.output_dir)  # again: the directory may be new since
        return OutputFile(path)


class OutputFile:
    """A lookup file written inside its directory only.

    The directory is opened once and every step works relative to it, so a path component
    swapped for a symbolic link meanwhile changes nothing. A symbolic link (or anything not a
    regular file) where the lookup file should be is refused, never followed: it could point at
    any file the user can write. The new content goes to a temporary file in the same directory
    that then replaces the old one (``os.replace``): a reader sees the old table or the new one,
    never half of one, and a failed write leaves the old one as it was.
    """

    def __init__(self, path: Path):
        self.path = path
        self.name = path.name
        self._dir: int | None = None

    def __enter__(self) -> OutputFile:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._dir = os.open(self.path.parent, os.O_RDONLY | os.O_DIRECTORY)
        except OSError as e:
            raise DataError(f"outputlookup cannot use the lookup directory ({e.strerror})",
                            file=str(self.path.parent)) from None
        return self

    def __exit__(self, *exc) -> None:
        if self._dir is not None:
            os.close(self._dir)
            self._dir = None

    def exists(self) -> bool:
        """Whether the lookup file is there; a link or a non-regular file is an error."""
        try:
            st = os.stat(self.name, dir_fd=self._dir, follow_symlinks=False)
        except FileNotFoundError:
            return False
        except OSError as e:
            raise DataError(f"outputlookup cannot use the lookup ({e.strerror})",
                            file=str(self.path)) from None
        if stat.S_ISLNK(st.st_mode):
            raise ConfigError("outputlookup will not write through a symbolic link (a lookup "
                            "file is a regular file inside the lookup output directory)",
                            file=str(self.path))
        if not stat.S_ISREG(st.st_mode):
            raise ConfigError("outputlookup: the lookup is not a regular file", file=str(self.path))
        return True

    def read(self) -> tuple[list[str], list[dict]]:
        """Header and rows of the existing file (for append)."""
        try:
            fd = os.open(self.name, os.O_RDONLY | os.O_NOFOLLOW, dir_fd=self._dir)
            with open(fd, newline="", encoding="utf-8-sig") as f:
                return _read_rows(f, self.path)
        except (OSError, UnicodeDecodeError, csv.Error) as e:
            raise ConfigError(f"cannot read lookup ({e})", file=str(self.path)) from None

    def replace(self, write: Callable[[TextIO], None]) -> None:
        """Write the new content with ``write(file)`` and put it in place in one step."""
        self.exists()  # refuses a link that appeared since
        tmp = f".{self.name}.{secrets.token_hex(6)}.tmp"  # a leading '.': never a lookup name
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o666,
                         dir_fd=self._dir)
            try:
                with open(fd, "w", newline="", encoding="utf-8") as f:
                    write(f)
                    f.flush()
                    os.fsync(f.fileno())
                os.replace(tmp, self.name, src_dir_fd=self._dir, dst_dir_fd=self._dir)
            except BaseException:
                try:
                    os.unlink(tmp, dir_fd=self._dir)
                except OSError:
                    pass
                raise
        except OSError as e:
            raise DataError(f"outputlookup cannot write the lookup ({e.strerror or e})",
                            file=str(self.path)) from None


def _with_fields_list(table: LookupTable, fields_list) -> LookupTable:
    """A KV store collection has the columns its definition lists (``fields_list``), also those
    the rows written so far lack: a baseline's outputlookup of no results writes no header."""
    names = [f.strip() for f in str(fields_list or "").split(",") if f.strip() not in ("", "_key")]
    extra = [n for n in names if n not in table.columns]
    if not extra:
        return table
    return dataclasses.replace(table, columns=table.columns + extra,
                               rows=[{**row, **dict.fromkeys(extra)} for row in table.rows])


# ---------------------------------------------------------------- matching

def _matcher(pattern: str | None, wildcard: bool, cidr: bool, case_sensitive: bool):
    """A predicate for one lookup cell: exact text, a '*' wildcard pattern, or a CIDR block."""
    if pattern is None:
        return lambda v: False
    if cidr:
        try:
            network = ipaddress.ip_network(pattern.strip(), strict=False)
        except ValueError:
            return lambda v: v == pattern

        def in_block(v: str) -> bool:
            try:
                return ipaddress.ip_address(v.strip()) in network
            except ValueError:
                return False
        return in_block
    if wildcard and "*" in pattern:
        rx = re.compile("".join(".*" if p == "*" else re.escape(p) for p in
                                re.split(r"(\*)", pattern)),
                        (0 if case_sensitive else re.IGNORECASE) | re.DOTALL)
        return lambda v: rx.fullmatch(v) is not None
    if case_sensitive:
        return lambda v: v == pattern
    low = pattern.lower()
    return lambda v: v.lower() == low


def apply_lookup(cols: dict[str, list], n: int, table: LookupTable,
                 inputs: list[tuple[str, str]], outputs: list[tuple[str, str]],
                 new_only: bool) -> None:
    """One lookup, in place on columns held as lists; ``inputs``/``outputs`` are (column, field).

    Rows match in file order, up to max_matches (several matches make multivalue outputs; a
    multivalue input matches a row when any of its values does). An event lacking an input
    field is left as it is. OUTPUT writes the outputs (cleared when no row matches); OUTPUTNEW
    (``new_only``) writes only outputs the event does not have yet. With min_matches and
    default_match, an event with too few matches gets default_match.
    """
    matchers = [[_matcher(row[col], col in table.wildcard, col in table.cidr,
                          table.case_sensitive) for col, _ in inputs] for row in table.rows]
    in_cols = [cols.get(ev) or [None] * n for _, ev in inputs]
    out_cols = {ev: list(cols.get(ev) or [None] * n) for _, ev in outputs}
    cache: dict[tuple, dict | None] = {}
    for i in range(n):
        key = tuple(_key(col[i]) for col in in_cols)
        if any(not k for k in key):
            continue
        if key not in cache:
            cache[key] = _match(table, outputs, matchers, key)
        result = cache[key]
        for _, ev in outputs:
            if new_only and not is_null(out_cols[ev][i]):
                continue
            if result is None:
                if not new_only:
                    out_cols[ev][i] = None
            else:
                out_cols[ev][i] = result[ev]
    cols.update(out_cols)


def _key(cell) -> tuple:
    """The values of a cell as lookup input: a tuple of strings (empty for null)."""
    if isinstance(cell, str):
        return (cell,)
    return tuple(to_str(x) for x in mv_values(cell))


def _match(t: LookupTable, outputs, matchers, key) -> dict | None:
    """Output values for one combination of input values, or None when nothing matched."""
    hits = []
    for row, preds in zip(t.rows, matchers):
        if any(all(p(v) for p, v in zip(preds, combo)) for combo in itertools.product(*key)):
            hits.append(row)
            if len(hits) >= t.max_matches:
                break
    if len(hits) < t.min_matches and t.default_match is not None:
        missing = t.min_matches - len(hits)
        return {ev: make_mv([r[col] for r in hits] + [t.default_match] * missing)
                for col, ev in outputs}
    if not hits:
        return None
    return {ev: make_mv([r[col] for r in hits]) for col, ev in outputs}


def session_lookups(ctx) -> Lookups:
    """The lookups of the running search's session (no directories when there is no session)."""
    found = getattr(ctx.session, "lookups", None)
    return found if isinstance(found, Lookups) else Lookups()


def table_for(node, ctx) -> LookupTable:
    """The table a lookup/inputlookup command names; an error without a place gets the command's."""
    try:
        return session_lookups(ctx).table(node.table)
    except SplError as e:
        if e.span is None and e.file is None:
            e.span = node.span
        raise
