"""Sourcetype definitions in Splunk's own props.conf / transforms.conf form, and applying them.

A definition is data: the project ships its own ``aws:cloudtrail`` in
``spl/data/sourcetypes/aws_cloudtrail/`` and a user who owns the Splunk Add-on for AWS can point
``ta=`` at the add-on's directory instead (``default/`` then ``local/``, later keys override, as in
Splunk). Read from the props.conf stanza of the sourcetype:

- ``FIELDALIAS-<class> = src AS dst [src2 AS|ASNEW dst2 ...]``
- ``EVAL-<field> = <eval expression>``
- ``LOOKUP-<class> = <lookup> in [AS ev] ... [OUTPUT|OUTPUTNEW out [AS ev] ...]`` with the
  transforms.conf stanza giving ``filename``, ``match_type = WILDCARD(f), ...``,
  ``case_sensitive_match``, ``max_matches``, ``min_matches``, ``default_match``.

Event types and tags (eventtypes.conf, tags.conf beside props.conf, or the add-on's): after the
lookups, every event gets ``eventtype`` (the names of the event types whose ``search`` it
matches), ``tag::eventtype`` (the tags of those event types, from ``[eventtype=<name>]`` stanzas),
``tag::<field>`` (tags of ``[<field>=<value>]`` stanzas its field values match) and ``tag`` (all of
them) -- the last two steps of the sequence below. An event type with ``disabled = 1``, and a tag
set to ``disabled``, are left out. Several values make a multivalue field, in name order (Splunk
lists event types and tags alphabetically in its field sidebar; the order is our choice, pinned by
tests). Eventtypes.conf: https://docs.splunk.com/Documentation/Splunk/latest/Admin/Eventtypesconf,
tags.conf: https://docs.splunk.com/Documentation/Splunk/latest/Admin/Tagsconf.

Timestamps: ``TIMESTAMP_FIELDS = <field>[, <field> ...]`` names the JSON field(s) that hold the
event's time (the first one present is used; a dotted name is a nested field) and
``TIME_FORMAT`` its strptime format (Splunk's variables, spl.timefmt; ``%s%3N`` is epoch
milliseconds); without TIME_FORMAT the value is read as an ISO 8601 timestamp (a time without a
zone is UTC). A stanza that says neither reads ``eventTime`` as ISO 8601 (CloudTrail's, so that an
add-on's ``aws:cloudtrail`` stanza, which says neither, reads as before).

Which sourcetype a file is, when the user does not say (:class:`Rules`): every built-in
definition directory declares, in its own props.conf, Splunk's source-typing rules for it --
``[rule::<name>]`` (tried first) or ``[delayedrule::<name>]`` (tried when no rule matched) with
``sourcetype = <sourcetype>`` and any number of ``MORE_THAN_<n> = <regex>`` /
``LESS_THAN_<n> = <regex>``: more (less) than n percent of the lines must match the regex, and
every condition must hold (https://help.splunk.com/splunk-enterprise/get-started/get-data-in/9.3/configure-source-types/configure-rule-based-source-type-recognition,
props.conf.spec: https://help.splunk.com/en/data-management/splunk-enterprise-admin-manual/10.0/10.0.0-configuration-file-reference/props.conf).
Splunk looks at a file's lines; here the "lines" are the file's first SAMPLE_RECORDS records
as the readers unwrap them, each record's text (as in the file: JSON keys in quotes) one line,
so each record of an S3 ``{"Records": [...]}`` document or a JSON array counts once though the
file may be one line. Rules are tried in name order, the first that matches wins; a file whose
records no rule matches is read as aws:cloudtrail with a problem saying so (spl.data). The
convention: the directory ``spl/data/sourcetypes/<dir>/`` (dir = the sourcetype name with each
run of characters other than letters and digits made ``_``) holds ``[<sourcetype>]`` with its
TIMESTAMP_FIELDS (and TIME_FORMAT), and its ``[rule::<dir>]`` (or ``[delayedrule::<dir>]``).

Other keys (KV_MODE, line-breaking settings, REPORT/EXTRACT) are not used: the JSON extraction
of spl.data.extract is the only extraction. A limits.conf beside props.conf may set
``[spath] extraction_cutoff`` (default 5000 bytes, as in Splunk).

Order of search-time operations (PROPS: https://docs.splunk.com/Documentation/Splunk/latest/Admin/Propsconf,
sequence: https://help.splunk.com/splunk-enterprise/manage-knowledge-objects/knowledge-management-manual/9.2/get-started-with-knowledge-objects/the-sequence-of-search-time-operations):
JSON extraction → FIELDALIAS → EVAL → LOOKUP → event types → tags. All aliases read the extracted fields (an alias
whose source is missing removes its target; ASNEW keeps an existing target); every EVAL reads the
fields as they were before any EVAL ran; lookups run one after another in class-name order.
"""
from __future__ import annotations

import re
import shlex
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from spl.errors import ConfigError, SplError
from spl.lookups import LookupTable, apply_lookup, load_table
from spl.values import is_null, make_mv, mv_values, to_str

if TYPE_CHECKING:
    import pandas as pd

BUILTIN = Path(__file__).resolve().parent / "sourcetypes"


# ---------------------------------------------------------------- .conf files

def parse_conf(text: str, file: str) -> dict[str, dict[str, str]]:
    """Stanzas of a Splunk .conf file: {stanza: {key: value}}; a trailing backslash continues."""
    out: dict[str, dict[str, str]] = {}
    current = out.setdefault("default", {})
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        lineno = i + 1
        line = lines[i]
        while line.endswith("\\") and i + 1 < len(lines):
            i += 1
            line = line[:-1] + "\n" + lines[i]
        i += 1
        s = line.strip()
        if not s or s.startswith("#"):
            continue
        if s.startswith("["):
            if not s.endswith("]"):
                raise ConfigError(f"stanza header without closing ']': {s}", file=file,
                                  line=lineno)
            current = out.setdefault(s[1:-1].strip(), {})
            continue
        key, eq, value = s.partition("=")
        if not eq:
            raise ConfigError(f"expected 'key = value': {s}", file=file, line=lineno)
        current[key.strip()] = value.strip()
    return out


def _read_layered(root: Path, name: str) -> tuple[dict[str, dict[str, str]], list[str]]:
    """A .conf file of a definition: ``root/name`` or add-on style ``default/`` then ``local/``."""
    candidates = [root / name] if (root / name).is_file() else [
        root / "default" / name, root / "local" / name]
    merged: dict[str, dict[str, str]] = {}
    used = []
    for path in candidates:
        if not path.is_file():
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as e:
            raise ConfigError(f"cannot read ({e})", file=str(path)) from None
        for stanza, keys in parse_conf(text, str(path)).items():
            merged.setdefault(stanza, {}).update(keys)
        used.append(str(path))
    return merged, used


# ---------------------------------------------------------------- definition

@dataclass(frozen=True)
class Alias:
    src: str
    dst: str
    asnew: bool = False


@dataclass
class Calc:
    """EVAL-<field>: the expression text and, once parsed, its AST."""

    field: str
    text: str
    expr: object = None


@dataclass
class Lookup:
    cls: str
    table: LookupTable
    inputs: list[tuple[str, str]]            # (lookup column, event field)
    outputs: list[tuple[str, str]]           # (lookup column, event field)
    new_only: bool = False                   # OUTPUTNEW


@dataclass
class EventType:
    """An eventtypes.conf stanza: events matching ``search`` are of this type."""

    name: str
    search: str
    tags: list[str]
    expr: object = None


EVENT_FIELDS = ("eventtype", "tag", "tag::eventtype")


# limits.conf.spec [spath] extraction_cutoff: the bytes of an event auto-KV reads (spl.data.extract)
DEFAULT_EXTRACTION_CUTOFF = 5000


@dataclass(frozen=True)
class TimeSpec:
    """Where an event's ``_time`` comes from: TIMESTAMP_FIELDS and TIME_FORMAT of the stanza."""

    fields: tuple[str, ...] = ("eventTime",)
    format: str | None = None

    @property
    def fast_field(self) -> str | None:
        """The one field spl.data.fast reads the time from by itself (a key or dotted path, as
        ISO 8601), or None when the spec needs the record reader (several fields, a format)."""
        return self.fields[0] if len(self.fields) == 1 and self.format is None else None

    def value(self, record: dict):
        """(field, its value) of the first of the fields the record has; (first field, None)."""
        from spl.data.extract import time_of
        for name in self.fields:
            v = time_of(record, name)
            if v is not None:
                return name, v
        return self.fields[0], None

    def parse(self, value) -> float | None:
        """Epoch seconds of a field's value, or None when it is not a time of this format."""
        from spl.data.extract import parse_event_time
        if isinstance(value, bool) or value is None or isinstance(value, (dict, list)):
            return None
        if self.format is None:
            return parse_event_time(value)
        text = str(value)
        m = _EPOCH_FORMAT.fullmatch(self.format)
        if m is not None:  # %s then %<n>N: digits, the last n of them a fraction of a second
            digits = int(m.group(1))
            if not text.isdigit() or len(text) <= digits:
                return None
            return int(text[:len(text) - digits]) + int(text[len(text) - digits:]) / 10 ** digits
        from spl.timefmt import strptime
        return strptime(text, self.format)


_EPOCH_FORMAT = re.compile(r"%s%(\d)N")
CLOUDTRAIL_TIME = TimeSpec()  # eventTime, ISO 8601: a stanza that names no time field


@dataclass
class Sourcetype:
    name: str
    aliases: list[Alias]
    evals: list[Calc]
    lookups: list[Lookup]
    files: list[str]
    extraction_cutoff: int = DEFAULT_EXTRACTION_CUTOFF
    eventtypes: list[EventType] = field(default_factory=list)
    field_tags: dict[tuple[str, str], list[str]] = field(default_factory=dict)  # (f, v) -> tags
    time: TimeSpec = TimeSpec()

    def event_fields(self) -> set[str]:
        """The fields event types and tags give (``eventtype``, ``tag``, ``tag::<field>``...)."""
        if not self.eventtypes and not self.field_tags:
            return set()
        return set(EVENT_FIELDS) | {f"tag::{f}" for f, _ in self.field_tags}

    def wants_event_fields(self, fields) -> bool:
        """Whether ``fields`` name a field that event types or tags give."""
        names = self.event_fields()
        return any(f in names or f.startswith("tag::") for f in fields)

    def needed(self, fields) -> set[str]:
        """The fields to extract so that ``fields`` come out right (a superset is harmless).

        Walks back through lookups (their inputs), EVALs (the fields their expression
        reads) and aliases (their sources) until nothing new is needed.
        """
        need = set(fields)
        while True:
            before = len(need)
            for lk in self.lookups:
                if any(ev in need for _, ev in lk.outputs):
                    need.update(ev for _, ev in lk.inputs)
            for calc in self.evals:
                if calc.field in need:
                    need.update(field_refs(self._parsed(calc)))
            for a in self.aliases:
                if a.dst in need:
                    need.add(a.src)
            if self.wants_event_fields(need):
                for et in self.eventtypes:
                    need.update(search_refs(self._parsed_search(et)))
                need.update(f for f, _ in self.field_tags)
            if len(need) == before:
                return need

    def apply(self, table: pd.DataFrame, ctx=None) -> pd.DataFrame:
        """Aliases, then calculated fields, then lookups, on an extracted event table."""
        import pandas as pd

        cols = {c: table[c].tolist() for c in table.columns}
        cols = self.apply_columns(cols, len(table), ctx)
        return pd.DataFrame({c: pd.Series(v, dtype="float64" if c == "_time" else object)
                             for c, v in cols.items()}).set_axis(table.index)

    def transforms(self) -> bool:
        """Whether it aliases, evaluates, looks up or types fields (else the extracted fields
        are the events' as they are)."""
        return bool(self.aliases or self.evals or self.lookups or self.eventtypes
                    or self.field_tags)

    def apply_columns(self, cols: dict[str, list], n: int, ctx=None) -> dict[str, list]:
        """:meth:`apply` on columns held as lists (how spl.data.load builds its table)."""
        cols = dict(cols)
        self._apply_aliases(cols, n)
        self._apply_evals(cols, n, ctx)
        for lk in self.lookups:
            apply_lookup(cols, n, lk.table, lk.inputs, lk.outputs, lk.new_only)
        if self.eventtypes or self.field_tags:
            self._apply_event_types(cols, n, ctx)
        return cols

    def _apply_event_types(self, cols: dict[str, list], n: int, ctx):
        """``eventtype`` and the tag fields, from the fields as the lookups left them."""
        import pandas as pd  # here, not at the top: spl.data.begin plans without pandas

        from spl.context import Context
        from spl.search.evaluate import match
        ctx = ctx or Context()
        types = sorted(self.eventtypes, key=lambda e: e.name)
        member = np.zeros((n, len(types)), dtype=bool)  # row i is of event type k
        codes: dict[str, np.ndarray] = {}
        for k, et in enumerate(types):
            expr = self._parsed_search(et)
            refs = sorted(f for f in search_refs(expr) if f in cols)
            # each distinct combination of the fields it reads is matched once (as for EVALs)
            for f in refs:
                if f not in codes:
                    codes[f] = _codes(cols[f])
            rows, inverse = _combinations([codes[f] for f in refs], n)
            frame = pd.DataFrame({f: pd.Series([cols[f][i] for i in rows.tolist()], dtype=object)
                                  for f in refs}, index=range(len(rows)))
            if n:
                member[:, k] = match(expr, frame, ctx).to_numpy()[inverse]
        # the names and tags of each distinct set of event types, worked out once
        combos, inverse_sets = np.unique(np.packbits(member, axis=1), axis=0,
                                         return_inverse=True)
        which: list[int] = inverse_sets.ravel().tolist()
        names, tags = [], []
        for packed in combos:
            bits = np.unpackbits(packed)[:len(types)]
            found = [et for et, bit in zip(types, bits) if bit]
            names.append(make_mv([et.name for et in found]))
            tags.append(sorted({t for et in found for t in et.tags}))
        cols["eventtype"] = [names[c] for c in which]
        tag_cells = [make_mv(t) for t in tags]
        cols["tag::eventtype"] = [tag_cells[c] for c in which]
        all_tags = [tags[c] for c in which]
        for fname in sorted({f for f, _ in self.field_tags}):
            wanted = {v: t for (f, v), t in self.field_tags.items() if f == fname}
            column = cols.get(fname) or [None] * n
            found_tags = []
            for i, cell in enumerate(column):
                more = sorted({t for v in mv_values(cell) for t in wanted.get(to_str(v), ())})
                if more:
                    all_tags[i] = sorted(set(all_tags[i]) | set(more))
                found_tags.append(make_mv(more))
            cols[f"tag::{fname}"] = found_tags
        cols["tag"] = [make_mv(row) for row in all_tags]

    def _parsed_search(self, et: EventType):
        if et.expr is None:
            from spl.syntax import ast, parse_once  # the parser only: no engine, no pandas

            try:
                pipeline = parse_once(et.search)
            except SplError as e:
                raise ConfigError(f"event type {et.name}: its search is not valid: "
                                  f"{e.message}", file=self.files[0] if self.files else None
                                  ) from None
            first = pipeline.commands[0] if pipeline.commands else None
            if len(pipeline.commands) != 1 or not isinstance(first, ast.Search) or (
                    first.expr is None):
                raise ConfigError(f"event type {et.name}: its search must be a plain search "
                                  f"(no pipes)", file=self.files[0] if self.files else None)
            et.expr = first.expr
        return et.expr

    def _apply_aliases(self, cols: dict[str, list], n: int):
        source = dict(cols)  # every alias reads the extracted fields
        for a in self.aliases:
            values = list(source.get(a.src) or [None] * n)
            if a.asnew:
                current = cols.get(a.dst) or [None] * n
                values = [c if not is_null(c) else v for c, v in zip(current, values)]
            cols[a.dst] = values

    def _apply_evals(self, cols: dict[str, list], n: int, ctx):
        if not self.evals:
            return
        from spl.context import Context
        from spl.eval import evaluate_columns
        ctx = ctx or Context()
        results: dict[str, list] = {}
        codes: dict[str, np.ndarray] = {}  # each column read, as codes of its distinct values
        for calc in self.evals:
            expr = self._parsed(calc)
            # every EVAL sees the pre-EVAL fields (``cols``, not ``results``)
            try:
                evaluate_columns(expr, {}, 0, ctx)  # its errors, whichever branches are reached
                plan = _eval_plan(calc.text)
                if plan is not None:
                    values = _Split(cols, codes, ctx).values(plan, np.arange(n))
                else:  # each event draws its own random numbers
                    got = evaluate_columns(expr, cols, n, ctx)
                    values = np.fromiter(got, dtype=object, count=n)
            except SplError as e:
                raise ConfigError(f"EVAL-{calc.field} of [{self.name}] fails: {e.message}",
                                  file=self.files[0] if self.files else None) from None
            results[calc.field] = [None if is_null(v) else v for v in values.tolist()]
        cols.update(results)

    def _parsed(self, calc: Calc):
        if calc.expr is None:
            from spl.syntax import parse_expression_once  # the parser only: no pandas

            try:
                calc.expr = parse_expression_once(calc.text)
            except SplError as e:
                raise ConfigError(f"EVAL-{calc.field} of [{self.name}] is not a valid eval "
                                  f"expression: {e.render()}",
                                  file=self.files[0] if self.files else None) from None
        return calc.expr


@dataclass(frozen=True)
class _Leaf:
    """An expression worked out whole, once a distinct combination of the fields it reads."""

    expr: object
    refs: tuple[str, ...]


@dataclass(frozen=True)
class _FirstTrue:
    """case()/if(): the value of the first pair whose condition is true (None: always)."""

    pairs: tuple[tuple[_Leaf | None, object], ...]


@dataclass(frozen=True)
class _Coalesce:
    """coalesce(): the first argument that is not None."""

    args: tuple


@lru_cache(maxsize=1024)
def _eval_plan(text: str):
    """How an EVAL is worked out over an event table (run by _Split); None: each event on its
    own (it draws random numbers)."""
    from spl.syntax import parse_expression_once

    expr = parse_expression_once(text)
    return _plan(expr) if _deterministic(expr) else None


def _plan(expr):
    from spl.syntax import ast

    if not isinstance(expr, ast.Call):
        return _leaf(expr)
    name, args = expr.name.lower(), tuple(expr.args)
    if name == "if" and len(args) == 3:
        return _FirstTrue(((_leaf(args[0]), _plan(args[1])), (None, _plan(args[2]))))
    if name == "case" and args and len(args) % 2 == 0:
        return _FirstTrue(tuple((_leaf(c), _plan(v)) for c, v in zip(args[::2], args[1::2])))
    if name == "coalesce" and args:
        return _Coalesce(tuple(map(_plan, args)))
    return _leaf(expr)


def _leaf(expr) -> _Leaf:
    return _Leaf(expr, tuple(sorted(field_refs(expr))))


class _Split:
    """An EVAL's value over rows of an event table, worked out as events repeat values: each
    branch of ``case()``, ``if()`` and ``coalesce()`` over only the rows that reach it (as the
    evaluator takes them, spl/eval/functions.py), and any other expression once for each
    distinct combination of the fields it reads among its rows. A CloudTrail EVAL reads eight
    fields, some of them near unique, but decides on eventName: its branches read few."""

    def __init__(self, cols: dict[str, list], codes: dict[str, np.ndarray], ctx):
        self.cols, self.codes, self.ctx = cols, codes, ctx

    def values(self, node, rows: np.ndarray) -> np.ndarray:
        """The plan ``node``'s value at each of ``rows`` (an object array)."""
        if isinstance(node, _FirstTrue):
            return self._first_true(node.pairs, rows)
        if isinstance(node, _Coalesce):
            out = np.full(len(rows), None, dtype=object)
            left = np.arange(len(rows))
            for arg in node.args:
                if not len(left):
                    break
                got = self.values(arg, rows[left])
                found = np.fromiter((v is not None for v in got.tolist()), dtype=bool,
                                    count=len(got))
                out[left[found]] = got[found]
                left = left[~found]
            return out
        distinct, inverse = self._distinct(node, rows)
        return distinct[inverse]

    def _first_true(self, pairs, rows: np.ndarray) -> np.ndarray:
        out = np.full(len(rows), None, dtype=object)
        left = np.arange(len(rows))
        for cond, value in pairs:
            if not len(left):
                break
            if cond is None:
                taken = np.ones(len(left), dtype=bool)
            else:
                distinct, inverse = self._distinct(cond, rows[left])
                taken = np.fromiter((v is True for v in distinct.tolist()), dtype=bool,
                                    count=len(distinct))[inverse]
            if taken.any():
                out[left[taken]] = self.values(value, rows[left[taken]])
            left = left[~taken]
        return out

    def _distinct(self, leaf: _Leaf, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The leaf over each distinct combination of its fields among ``rows`` (an object
        array), and each row's combination."""
        from spl.eval import evaluate_columns
        refs = [f for f in leaf.refs if f in self.cols]
        for f in refs:
            if f not in self.codes:
                self.codes[f] = _codes(self.cols[f])
        firsts, inverse = _combinations([self.codes[f][rows] for f in refs], len(rows))
        at = rows[firsts].tolist()
        got = evaluate_columns(leaf.expr, {f: [self.cols[f][i] for i in at] for f in refs},
                               len(at), self.ctx)
        return np.fromiter(got, dtype=object, count=len(got)), inverse


def _hashable(cell):
    return tuple(cell) if isinstance(cell, list) else cell


def _codes(column: list) -> np.ndarray:
    """Equal cells, equal codes (None and multivalue cells included)."""
    import pandas as pd

    cells = np.fromiter(column, dtype=object, count=len(column))
    try:
        found, _ = pd.factorize(cells)  # None is -1
        return found.astype(np.int64) + 1
    except TypeError:  # a multivalue cell (a list) is not hashable
        index: dict = {}
        return np.fromiter((index.setdefault(_hashable(c), len(index)) for c in column),
                           dtype=np.int64, count=len(column))


def _combinations(columns: list[np.ndarray], n: int) -> tuple[np.ndarray, np.ndarray]:
    """(the first row of each distinct combination of codes, each row's combination)."""
    key = np.zeros(n, dtype=np.int64)
    for c in columns:
        size = int(c.max()) + 1 if n else 1
        if (int(key.max()) + 1 if n else 1) * size >= 2 ** 62:  # renumber before it overflows
            key = np.unique(key, return_inverse=True)[1].astype(np.int64).ravel()
        key = key * size + c
    _, rows, inverse = np.unique(key, return_index=True, return_inverse=True)
    return rows, inverse.ravel()


def field_refs(expr) -> set[str]:
    """Names of the fields an eval AST reads."""
    from spl.syntax import ast
    return {node.name for node in ast.walk(expr) if isinstance(node, ast.Field)}


def search_refs(expr) -> set[str]:
    """Names of the fields a search expression reads (``_raw`` for a keyword)."""
    from spl.syntax import ast
    found = set()
    for node in ast.walk(expr):
        if isinstance(node, (ast.Compare, ast.FieldIn)):
            found.add(node.field)
        elif isinstance(node, ast.Term):
            found.add("_raw")
        elif isinstance(node, ast.TimeModifier):
            found.add("_time")
    return found


def _deterministic(expr) -> bool:
    """False when the expression draws random numbers (each event must then get its own)."""
    from spl.syntax import ast
    return not any(isinstance(node, ast.Call) and node.name.lower() == "random"
                   for node in ast.walk(expr))


# ---------------------------------------------------------------- loading a definition

def load_sourcetype(name: str, root: Path | None = None) -> Sourcetype:
    """The definition of sourcetype ``name`` from ``root`` (default: the project's own)."""
    if root is None:
        root = BUILTIN / re.sub(r"[^A-Za-z0-9]+", "_", name)
        if not root.is_dir():
            raise ConfigError(f"spl has no definition of sourcetype {name!r}")
    root = Path(root)
    if not root.is_dir():
        raise ConfigError("add-on directory not found", file=str(root))
    props, props_files = _read_layered(root, "props.conf")
    if not props_files:
        raise ConfigError("no props.conf (looked for props.conf, default/ and local/)",
                          file=str(root))
    if name not in props:
        raise ConfigError(f"props.conf has no [{name}] stanza", file=props_files[0])
    transforms, transforms_files = _read_layered(root, "transforms.conf")
    stanza = props[name]
    where = props_files[-1]

    aliases: list[Alias] = []
    for key in sorted(k for k in stanza if k.startswith("FIELDALIAS-")):
        aliases.extend(_parse_aliases(stanza[key], key, where))
    evals = [Calc(key[len("EVAL-"):], stanza[key]) for key in sorted(stanza)
             if key.startswith("EVAL-")]
    lookups = [_parse_lookup(key[len("LOOKUP-"):], stanza[key], transforms, root, where)
               for key in sorted(stanza) if key.startswith("LOOKUP-")]
    limits, limits_files = _read_layered(root, "limits.conf")
    cutoff_text = limits.get("spath", {}).get("extraction_cutoff",
                                                str(DEFAULT_EXTRACTION_CUTOFF))
    try:
        cutoff = int(cutoff_text)
    except ValueError:
        raise ConfigError(f"[spath] extraction_cutoff must be an integer, not {cutoff_text!r}",
                          file=limits_files[-1]) from None
    eventtypes, field_tags, event_files = _event_types(root)
    return Sourcetype(name, aliases, evals, lookups,
                      props_files + transforms_files + limits_files + event_files, cutoff,
                      eventtypes, field_tags, _time_spec(stanza, where))


def has_stanza(root: Path, name: str) -> bool:
    """Whether the props.conf of a definition directory (or add-on) has a ``[name]`` stanza."""
    try:
        return name in _read_layered(Path(root), "props.conf")[0]
    except ConfigError:
        return False


def _time_spec(stanza: dict[str, str], where: str) -> TimeSpec:
    fields = tuple(f.strip() for f in stanza.get("TIMESTAMP_FIELDS", "").split(",") if f.strip())
    for name in fields:  # a key or a dotted path through objects: spl reads nothing else
        if "{" in name or not name.isprintable() or "" in name.split("."):
            raise ConfigError(f"TIMESTAMP_FIELDS: {name}: spl reads a time from one field, a "
                              "key or a dotted path through objects", file=where)
    fmt = stanza.get("TIME_FORMAT") or None
    if fmt is not None and not fields:
        raise ConfigError("TIME_FORMAT without TIMESTAMP_FIELDS: spl reads the time from a "
                          "named JSON field only", file=where)
    return TimeSpec(fields or ("eventTime",), fmt)


# ---------------------------------------------------------------- source-typing rules

SAMPLE_RECORDS = 100  # records of a file the rules look at


@dataclass(frozen=True)
class Rule:
    """A ``[rule::<name>]`` or ``[delayedrule::<name>]`` stanza of props.conf."""

    name: str
    delayed: bool
    sourcetype: str
    conditions: tuple[tuple[bool, int, re.Pattern], ...]  # (MORE_THAN?, percent, regex)
    file: str

    def matches(self, lines: Sequence[str]) -> bool:
        """Whether more (less) than n percent of ``lines`` match each condition's regex."""
        if not lines:
            return False
        for more, percent, rx in self.conditions:
            share = 100 * sum(1 for line in lines if rx.search(line)) / len(lines)
            if (share <= percent) if more else (share >= percent):
                return False
        return True


class Rules:
    """The source-typing rules of a set of props.conf files (see the module docstring)."""

    def __init__(self, rules: list[Rule]):
        self.rules = sorted(rules, key=lambda r: (r.delayed, r.name))

    def detect(self, lines: Sequence[str]) -> str | None:
        """The sourcetype of the first rule (then delayed rule) ``lines`` satisfy, or None."""
        return next((r.sourcetype for r in self.rules if r.matches(lines)), None)


def parse_rules(props: dict[str, dict[str, str]], file: str) -> list[Rule]:
    """The rule stanzas of one parsed props.conf."""
    out = []
    for stanza, keys in props.items():
        kind, sep, name = stanza.partition("::")
        if not sep or kind not in ("rule", "delayedrule"):
            continue
        if not keys.get("sourcetype"):
            raise ConfigError(f"[{stanza}] has no 'sourcetype ='", file=file)
        conditions = []
        for key, value in sorted(keys.items()):
            if key == "sourcetype":
                continue
            m = re.fullmatch(r"(MORE|LESS)_THAN_(\d+)", key)
            if m is None:
                raise ConfigError(f"[{stanza}] {key}: a rule takes sourcetype, "
                                  f"MORE_THAN_<n> and LESS_THAN_<n>", file=file)
            try:
                rx = re.compile(value)
            except re.error as e:
                raise ConfigError(f"[{stanza}] {key}: not a valid regular expression ({e})",
                                  file=file) from None
            conditions.append((m.group(1) == "MORE", int(m.group(2)), rx))
        if not conditions:
            raise ConfigError(f"[{stanza}] has no MORE_THAN_<n> or LESS_THAN_<n> condition",
                              file=file)
        out.append(Rule(name.strip(), kind == "delayedrule", keys["sourcetype"].strip(),
                        tuple(conditions), file))
    return out


@lru_cache(maxsize=1)
def builtin_rules() -> Rules:
    """The rules every built-in definition directory declares in its props.conf."""
    found: list[Rule] = []
    for props in sorted(BUILTIN.glob("*/props.conf")):
        try:
            text = props.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as e:
            raise ConfigError(f"cannot read ({e})", file=str(props)) from None
        found.extend(parse_rules(parse_conf(text, str(props)), str(props)))
    return Rules(found)


def _event_types(root: Path) -> tuple[list[EventType], dict[tuple[str, str], list[str]],
                                      list[str]]:
    """The event types of eventtypes.conf with their tags, and the field-value tags, of tags.conf."""
    types, type_files = _read_layered(root, "eventtypes.conf")
    tags, tag_files = _read_layered(root, "tags.conf")
    tag_lists: dict[str, list[str]] = {}
    field_tags: dict[tuple[str, str], list[str]] = {}
    for stanza, keys in tags.items():
        if stanza == "default":
            continue
        fname, eq, value = stanza.partition("=")
        if not eq:
            raise ConfigError(f"tags.conf stanza [{stanza}] is not [<field>=<value>]",
                              file=tag_files[-1])
        enabled = []
        for tag, state in keys.items():
            if state.strip().lower() not in ("enabled", "disabled"):
                raise ConfigError(f"tags.conf [{stanza}] {tag} = {state}: the value is "
                                  f"'enabled' or 'disabled'", file=tag_files[-1])
            if state.strip().lower() == "enabled":
                enabled.append(tag.strip())
        value = value.strip().strip('"')
        if fname.strip() == "eventtype":
            tag_lists[value] = enabled
        else:
            field_tags[(fname.strip(), value)] = enabled
    eventtypes = []
    for stanza, keys in types.items():
        if stanza == "default" or keys.get("disabled", "0").strip().lower() in ("1", "true"):
            continue
        if not keys.get("search"):
            raise ConfigError(f"eventtypes.conf [{stanza}] has no search", file=type_files[-1])
        eventtypes.append(EventType(stanza, keys["search"], tag_lists.get(stanza, [])))
    return eventtypes, field_tags, type_files + tag_files


def _split(text: str, key: str, where: str) -> list[str]:
    try:
        return shlex.split(text, posix=True)
    except ValueError as e:
        raise ConfigError(f"{key}: {e}", file=where) from None


def _parse_aliases(text: str, key: str, where: str) -> list[Alias]:
    words = _split(text, key, where)
    if len(words) % 3 != 0 or not words:
        raise ConfigError(f"{key}: expected 'source AS target' pairs, got {text!r}", file=where)
    out = []
    for src, op, dst in zip(words[0::3], words[1::3], words[2::3]):
        if op.upper() not in ("AS", "ASNEW"):
            raise ConfigError(f"{key}: expected AS or ASNEW, got {op!r}", file=where)
        out.append(Alias(src, dst, op.upper() == "ASNEW"))
    return out


def _parse_lookup(cls: str, text: str, transforms, root: Path, where: str) -> Lookup:
    key = f"LOOKUP-{cls}"
    words = _split(text, key, where)
    if len(words) < 2:
        raise ConfigError(f"{key}: expected '<lookup> <field> ...', got {text!r}", file=where)
    table = _load_table(words[0], transforms, root, where)
    i = 1
    inputs: list[tuple[str, str]] = []
    outputs: list[tuple[str, str]] = []
    new_only = False
    target = inputs
    while i < len(words):
        w = words[i]
        if w.upper() in ("OUTPUT", "OUTPUTNEW"):
            if target is outputs:
                raise ConfigError(f"{key}: more than one OUTPUT clause", file=where)
            new_only = w.upper() == "OUTPUTNEW"
            target = outputs
            i += 1
            continue
        ev = w
        if i + 1 < len(words) and words[i + 1].upper() == "AS":
            if i + 2 >= len(words):
                raise ConfigError(f"{key}: AS without a field name", file=where)
            ev = words[i + 2]
            i += 3
        else:
            i += 1
        if w not in table.columns:
            raise ConfigError(f"{key}: lookup {table.name!r} has no column {w!r}", file=where)
        target.append((w, ev))
    if not inputs:
        raise ConfigError(f"{key}: no input field", file=where)
    if not outputs:
        used = {c for c, _ in inputs}
        outputs = [(c, c) for c in table.columns if c not in used]
    return Lookup(cls, table, inputs, outputs, new_only)


def _load_table(name: str, transforms, root: Path, where: str) -> LookupTable:
    stanza = transforms.get(name)
    if stanza is None:
        if name.endswith(".csv"):
            stanza = {"filename": name}
        else:
            raise ConfigError(f"lookup {name!r} has no transforms.conf stanza", file=where)
    filename = stanza.get("filename")
    if not filename:
        raise ConfigError(f"lookup {name!r}: only file-based (filename =) lookups are supported",
                          file=where)
    path = root / "lookups" / filename
    if not path.is_file():
        raise ConfigError(f"lookup file of {name!r} not found", file=str(path))
    return load_table(name, path, stanza, where)
