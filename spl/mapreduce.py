"""Map-reduce execution: a pipeline split where Splunk splits it between indexers and search head.

Splunk's command types (https://help.splunk.com/splunk-enterprise/spl-search-reference/10.0/quick-reference/command-types):
"A distributable streaming command runs on the indexer or the search head, depending on where in
the search the command is invoked. Any distributable streaming command that comes after a
non-streaming command in the search is processed on the search head." The first transforming
command runs on the indexers as a partial ("prestats") aggregation that the search head merges.

So a plan (:func:`plan`) is

- the **map side**: the leading distributable streaming commands (search, where, eval, rename,
  rex, spath, fields, lookup, ...), run on each chunk of events where the chunk is read; then,
  when the first other command has them, its **map half** (``map_partial``), which turns the
  chunk's rows into a partial result (stats: per-group states; top: counts; dedup, head, tail,
  sort with a limit: the chunk's candidate rows);
- the **reduce side**: that command's **reduce half** (``reduce_partials``) merging the partials,
  or, for a command with no halves (join, streamstats, eventstats, transaction, sort 0, ...),
  the chunks' rows collected into one table; then every later command once, on the merged result.

Each command declares its type next to its implementation, in its module under spl/commands/:
``COMMAND_TYPE`` (a string, or a function of the node when options decide, e.g. ``bin`` is
streaming only with ``span``), and, where it has them, ``map_partial``/``reduce_partials``.
A command that declares nothing is run on the collected table (always right, never distributed).

Order: Splunk returns events newest first (``_time`` descending; equal times: the last read
first, see spl.session.Session.events). Each chunk is put in that order and every row keeps
where it stands (:class:`Order`), so merged rows, first/last, dedup and head come out exactly as
over one table. The map and merge functions are plain, picklable module functions: the same ones
run in this process, in the reader's worker processes, or as Dask tasks (spl.distributed).
"""
from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from spl import commands
from spl.context import Context
from spl.data import BASE_FIELDS
from spl.engine import check_supported, execute, finish, present_fields
from spl.syntax import ast

STREAMING = "distributable streaming"

# A row's position in Splunk's event order is carried as the table's index (a row number into
# the chunk's Order); a command that copies rows (mvexpand) declares MOVES_ROWS, and the label
# then travels as this column, which no field name can equal.
_LABEL = "\x00row"


# ---------------------------------------------------------------- where rows stand


@dataclass
class Order:
    """Where each row of a chunk stands in the global event order, as sortable numbers.

    Row ``i`` sorts by (``-t[i]``, ``-major``, ``-minor[i]``) ascending: newest first, then the
    last read first. ``major`` grows with the chunk's place in reading order (file, then byte
    offset or chunk number); ``minor`` is the row's place in its chunk as read.
    """

    t: np.ndarray       # float64 _time as loaded (eval cannot move an event in the order)
    major: int
    minor: np.ndarray   # int64

    @classmethod
    def of(cls, times: np.ndarray, major: int) -> tuple[np.ndarray, Order]:
        """(positions that put the chunk in event order, the chunk's Order by read position)."""
        n = len(times)
        minor = np.arange(n, dtype=np.int64)
        neg = np.where(np.isnan(times), np.inf, -times)
        return np.lexsort((-minor, neg)), cls(times, major, minor)

    def keys(self, labels, positions) -> np.ndarray:
        """The sort keys (KEY records) of rows: their labels (read positions in the chunk) and
        their positions in the map side's output (which tell apart mvexpand's copies of a row).
        ``.tolist()`` gives them as tuples that compare in event order."""
        labels = np.asarray(labels, dtype=np.int64)
        out = np.empty(len(labels), dtype=KEY)
        t = self.t[labels]
        out["t"] = np.where(np.isnan(t), np.inf, -t)
        out["major"] = -self.major
        out["minor"] = -labels
        out["place"] = positions
        return out


KEY = np.dtype([("t", "f8"), ("major", "i8"), ("minor", "i8"), ("place", "i8")])


def sort_keys(keys: np.ndarray) -> np.ndarray:
    """Positions that put rows with these keys (KEY records) in event order."""
    return np.lexsort((keys["place"], keys["minor"], keys["major"], keys["t"]))


# ---------------------------------------------------------------- the plan


@dataclass
class Plan:
    """A pipeline split for map-reduce: see the module docstring."""

    pipeline: ast.Pipeline
    map: tuple[ast.Command, ...] = ()
    split: ast.Command | None = None          # has map/reduce halves: its map half ends the map side
    reduce: tuple[ast.Command, ...] = ()      # run once on the merged result (the split's halves aside)
    why: str = ""                             # why the map side ends where it does
    chunkable: bool = True                    # False: the pipeline runs over one table
    notes: list[str] = field(default_factory=list)  # one line per command, for spl explain


def _module(name: str):
    fn = commands.lookup(name)
    return None if fn is None else sys.modules[fn.__module__]


def command_type(node: ast.Command) -> str:
    """The command's Splunk type as its module declares it ("" when it declares none)."""
    mod = _module(node.name)
    declared = getattr(mod, "COMMAND_TYPE", "")
    return declared(node) if callable(declared) else declared


def _halves(node: ast.Command):
    """(map half, reduce half) of the command with these options, or None with the reason."""
    mod = _module(node.name)
    if mod is None or not hasattr(mod, "map_partial"):
        return None, "it has no partial form: its input is collected into one table"
    refuse = getattr(mod, "unsplittable", None)
    reason = refuse(node) if refuse is not None else None
    if reason:
        return None, reason + ": its input is collected into one table"
    return (mod.map_partial, mod.reduce_partials), ""


def _has_subsearch(pipeline: ast.Pipeline) -> bool:
    return any(isinstance(n, (ast.Subsearch, ast.SubsearchTerm)) for n in ast.walk(pipeline))


def plan(pipeline: ast.Pipeline) -> Plan:
    """Split ``pipeline`` per the command types (see the module docstring)."""
    cmds = pipeline.commands
    starts_searching = bool(cmds) and isinstance(cmds[0], ast.Search)
    if pipeline.generating and not starts_searching:
        return Plan(pipeline, reduce=cmds, chunkable=False,
                    why="a generating search reads no events: it runs once")
    if _has_subsearch(pipeline):
        return Plan(pipeline, reduce=cmds, chunkable=False,
                    why="a subsearch runs over every event first: the search runs over one table")
    p = Plan(pipeline)
    notes = p.notes
    i = 0
    while i < len(cmds) and command_type(cmds[i]) == STREAMING:
        notes.append(f"map     {cmds[i].name}: distributable streaming, runs on each chunk")
        i += 1
    p.map = cmds[:i]
    if i == len(cmds):
        p.why = "every command is distributable streaming: the chunks' rows are merged in event order"
        return p
    first = cmds[i]
    kind = command_type(first) or "not distributable"
    halves, reason = _halves(first)
    if halves is not None:
        p.split = first
        p.reduce = cmds[i + 1:]
        p.why = f"{first.name} is {kind}: partial results per chunk, merged once"
        notes.append(f"split   {first.name}: {kind}; map half per chunk, reduce half merges")
    else:
        p.reduce = cmds[i:]
        p.why = f"{first.name} is {kind}; {reason}"
        notes.append(f"reduce  {first.name}: {kind}; {reason}")
    for cmd in cmds[i + 1:]:
        notes.append(f"reduce  {cmd.name}: after the split, runs once on the merged result")
    return p


# ---------------------------------------------------------------- map side


@dataclass
class Rows:
    """A chunk's rows as a partial: the table and each row's event-order key."""

    table: pd.DataFrame
    keys: np.ndarray  # KEY records
    present: tuple = ()  # the chunk's fields one table would hold (for the column order, merged_columns)
    map_cmds: tuple = ()  # the map side's commands (idem)


def map_chunk(p: Plan, events: pd.DataFrame, major: int, ctx: Context):
    """The map side over one chunk of events as read (rows in file order): a partial."""
    positions, order = Order.of(events["_time"].to_numpy(dtype=np.float64), major)
    table = events.iloc[positions]
    table.index = pd.Index(positions, dtype=np.int64)
    table, present = run_streaming(p.map, table, ctx)
    labels = table.index.to_numpy(dtype=np.int64)
    if p.split is None:
        part = Rows(table.reset_index(drop=True), order.keys(labels, np.arange(len(labels))))
    else:
        map_half, _ = _halves(p.split)[0]
        part = map_half(p.split, table.reset_index(drop=True), ctx,
                        lambda positions: order.keys(labels[positions], positions).tolist())
    if isinstance(part, Rows):
        part.present, part.map_cmds = present, p.map
    return part


def _command(name: str) -> commands.CommandFn:
    """The implementation of a command of the plan (spl.engine.check_supported has passed)."""
    fn = commands.lookup(name)
    assert fn is not None, name
    return fn


def run_streaming(cmds, table: pd.DataFrame, ctx: Context) -> tuple[pd.DataFrame, tuple]:
    """Run distributable streaming commands, keeping each row's label (its index). Also says
    which loaded fields are there when they start: after a leading search, only those some
    found event has (present_fields), as over one table."""
    present = tuple(table.columns)
    for k, cmd in enumerate(cmds):
        mod = _module(cmd.name)
        fn = _command(cmd.name)
        if getattr(mod, "MOVES_ROWS", False):
            labels = table.index
            table = fn(cmd, table.assign(**{_LABEL: labels}).reset_index(drop=True), ctx)
            table = table.set_index(pd.Index(table[_LABEL].to_numpy(dtype=np.int64)))
            table = table.drop(columns=[_LABEL])
        else:
            table = fn(cmd, table, ctx)
        if k == 0 and isinstance(cmd, ast.Search):
            table = present_fields(table)
            present = tuple(table.columns)
    return table, present


# ---------------------------------------------------------------- reduce side


def rows_partial(table: pd.DataFrame, keys) -> Rows:
    """A command's result over a chunk that is some of the chunk's rows (their positions are
    the index), as a partial of those rows."""
    return Rows(table.reset_index(drop=True),
                np.array(keys(table.index.to_numpy(dtype=np.int64)), dtype=KEY))


def merge_rows(parts: list[Rows]) -> tuple[pd.DataFrame, np.ndarray]:
    """Rows of many chunks as one table in event order, with their keys."""
    parts = [r for r in parts if len(r.table.columns) or len(r.table)]
    if not parts:
        return pd.DataFrame(), np.empty(0, dtype=KEY)
    columns = merged_columns([list(r.table.columns) for r in parts],
                             _reference_columns(parts[0].map_cmds,
                                                {c for r in parts for c in r.present}))
    keys = np.concatenate([r.keys for r in parts])
    frames = [r.table for r in parts if len(r.table)]
    if not frames:
        return pd.DataFrame({c: pd.Series([], dtype=object) for c in columns}), keys
    table = pd.concat(frames, ignore_index=True, sort=False) if len(frames) > 1 else frames[0]
    table = table.reindex(columns=columns)
    order = sort_keys(keys)  # a partial's rows may be in its command's order (sort, tail)
    if (np.diff(order) != 1).any():
        table = table.iloc[order].reset_index(drop=True)
        keys = keys[order]
    for c in table.columns:  # a column absent from a chunk came back as NaN: null is None
        if c != "_time" and table[c].dtype != object:
            col = table[c]
            if col.isna().any():
                table[c] = col.astype(object).where(col.notna(), None)
    return table, keys


def merged_columns(lists: list[list[str]], reference: Sequence[str] = ()) -> list[str]:
    """One column order agreeing with every chunk's: each chunk's columns are the loader's
    order (base fields, then by name) less the fields it lacks, plus what commands added.

    ``reference``: the columns the map side gives over one table holding every loaded field
    some found event has (_reference_columns). A field some chunk lacked and a command made there (eval, fillnull)
    sits where it does over one table; those columns are put back in that order.
    """
    from spl.data import BASE_FIELDS

    out: list[str] = []
    for cols in lists:
        if not out:
            out = list(cols)
            continue
        at = 0
        for c in cols:
            if c in out:
                at = out.index(c) + 1
                continue
            # place c before the first later column the loader would put after it
            j = at
            while j < len(out) and _loader_key(out[j], BASE_FIELDS) < _loader_key(c, BASE_FIELDS) \
                    and out[j] not in cols:
                j += 1
            out.insert(j, c)
            at = j + 1
    rank = {c: k for k, c in enumerate(reference)}
    places = [k for k, c in enumerate(out) if c in rank]
    for k, c in zip(places, sorted((out[k] for k in places), key=rank.__getitem__)):
        out[k] = c
    return out


def _reference_columns(cmds, loaded: set) -> list[str]:
    """The columns of the map side over an empty table of the ``loaded`` fields, in order."""
    from spl.data import BASE_FIELDS
    from spl.errors import SplError

    table = pd.DataFrame({c: pd.Series([], dtype=object)
                          for c in sorted(loaded, key=lambda c: _loader_key(c, BASE_FIELDS))})
    try:
        for cmd in cmds:
            table = _command(cmd.name)(cmd, table, Context())
    except (SplError, KeyError, ValueError):
        return []
    return list(table.columns)


def _loader_key(c: str, base) -> tuple:
    return (0, base.index(c), "") if c in base else (1, 0, c)


def reduce_partials(p: Plan, partials: list, ctx: Context) -> pd.DataFrame:
    """Merge the map side's partials and run the rest of the pipeline once."""
    if p.split is not None:
        _, reduce_half = _halves(p.split)[0]
        table = reduce_half(p.split, partials, ctx)
    else:
        table, _ = merge_rows(partials)
    for cmd in p.reduce:
        table = _command(cmd.name)(cmd, table, ctx)
    return finish(table, p.pipeline, ctx)


def run_chunks(pipeline: ast.Pipeline, chunks, ctx: Context) -> pd.DataFrame:
    """Run ``pipeline`` over ``chunks`` ((events as read, major) pairs, in reading order) by
    map-reduce in this process; a pipeline that cannot be chunked runs over them as one table."""
    check_supported(pipeline)
    p = plan(pipeline)
    chunks = list(chunks)
    if not p.chunkable:
        return execute(pipeline, events_table([t for t, _ in chunks]), ctx)
    return reduce_partials(p, [map_chunk(p, t, major, ctx) for t, major in chunks], ctx)


def events_table(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """Loaded parts (in reading order) as one table in event order (spl.session.Session.events),
    its columns in the loader's order whatever part brought them: the base fields, then the
    others by name (spl.data), as when the parts are read as one."""
    parts = [t for t in parts if len(t.columns)]
    table = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(
        {"_time": pd.Series([], dtype=float)})
    if len(parts) > 1:
        table = table[sorted(table.columns, key=lambda c: (
            (0, BASE_FIELDS.index(c), "") if c in BASE_FIELDS else (1, 0, c)))]
    table = table.iloc[::-1]
    table = table.sort_values("_time", ascending=False, kind="stable")
    return table.reset_index(drop=True)
