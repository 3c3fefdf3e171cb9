"""The typed syntax tree every consumer shares (engine, REPL, `spl check`, `spl explain`).

Each node keeps ``span``: its character range in the *expanded* search text. ``spl.parse`` maps
spans back to the text the user wrote when it reports an error.

Values written in the search (field values, options) stay strings exactly as written, with quotes
removed and backslash escapes resolved; the engine decides how to compare them.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import overload

from spl.errors import Span

# ---------------------------------------------------------------- eval expressions (eval, where, ...)


@dataclass(frozen=True)
class Literal:
    """A double-quoted string (``str``) or a number (``int``/``float``)."""

    value: str | int | float
    span: Span


@dataclass(frozen=True)
class Field:
    """A field reference: a bare word or a 'single-quoted' name."""

    name: str
    span: Span


@dataclass(frozen=True)
class Call:
    """A function call of any name; the eval registry decides whether it exists."""

    name: str
    args: tuple[Expr, ...]
    span: Span


@dataclass(frozen=True)
class BinOp:
    """``op`` is one of + - * / % . = != < <= > >= AND OR XOR LIKE (``==`` is stored as ``=``)."""

    op: str
    left: Expr
    right: Expr
    span: Span


@dataclass(frozen=True)
class UnaryOp:
    """``op`` is ``NOT`` or ``-``."""

    op: str
    operand: Expr
    span: Span


@dataclass(frozen=True)
class In:
    """``expr IN (v1, v2, ...)`` in eval/where."""

    expr: Expr
    values: tuple[Expr, ...]
    span: Span


Expr = Literal | Field | Call | BinOp | UnaryOp | In

# ---------------------------------------------------------------- search expressions (search command)


@dataclass(frozen=True)
class Term:
    """A bare keyword or a "quoted phrase", matched against ``_raw``.

    ``term`` is set for TERM(x), ``case`` for CASE(x) (case-sensitive match).
    """

    value: str
    quoted: bool
    span: Span
    term: bool = False
    case: bool = False


@dataclass(frozen=True)
class Compare:
    """``field op value`` in a search: op is one of = != < <= > >=.

    ``value`` is the literal as written (wildcards ``*`` kept). ``quoted`` tells whether it was in
    double quotes; ``case`` is set for ``field=CASE(value)``; ``term`` for ``field=TERM(value)``.
    """

    field: str
    op: str
    value: str
    quoted: bool
    span: Span
    case: bool = False
    term: bool = False


@dataclass(frozen=True)
class FieldIn:
    """``field IN (v1, v2, ...)`` in a search; values may hold wildcards."""

    field: str
    values: tuple[str, ...]
    span: Span


@dataclass(frozen=True)
class TimeModifier:
    """``earliest=...`` / ``latest=...`` (and other time modifiers) inside a search."""

    name: str
    value: str
    span: Span


@dataclass(frozen=True)
class SearchAnd:
    items: tuple[SearchExpr, ...]
    span: Span


@dataclass(frozen=True)
class SearchOr:
    items: tuple[SearchExpr, ...]
    span: Span


@dataclass(frozen=True)
class SearchNot:
    item: SearchExpr
    span: Span


@dataclass(frozen=True)
class SubsearchTerm:
    """A ``[ subsearch ]`` used as a term of a search."""

    subsearch: Subsearch
    span: Span


SearchExpr = (Term | Compare | FieldIn | TimeModifier | SearchAnd | SearchOr | SearchNot
              | SubsearchTerm)

# ---------------------------------------------------------------- commands


@dataclass(frozen=True)
class Command:
    """Base of every command node. ``name`` is the command as written, lower-cased."""

    name: str
    span: Span


@dataclass(frozen=True)
class Search(Command):
    """The first (implied) or a mid-pipeline search. ``expr`` is None for an empty search."""

    expr: SearchExpr | None = None


@dataclass(frozen=True)
class Where(Command):
    expr: Expr = None  # type: ignore[assignment]


@dataclass(frozen=True)
class Assignment:
    field: str
    expr: Expr
    span: Span


@dataclass(frozen=True)
class Eval(Command):
    assignments: tuple[Assignment, ...] = ()


@dataclass(frozen=True)
class Rename(Command):
    """Pairs of (old, new); either side may hold ``*`` wildcards."""

    pairs: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Aggregation:
    """One stats function call: ``func(field) as alias`` or ``func(eval(expr)) as alias``.

    ``func`` is lower-cased as written (``count``, ``values``, ``perc95``, ``dc``...). ``field`` is None
    for a bare ``count``; ``expr`` holds the expression of ``count(eval(...))``. ``text`` is the call as
    written (whitespace removed), which is Splunk's default output name.
    """

    func: str
    field: str | None
    alias: str | None
    text: str
    span: Span
    expr: Expr | None = None


@dataclass(frozen=True)
class Stats(Command):
    """stats, and the base of eventstats/streamstats. ``options`` holds e.g. ``dedup_splitvals``."""

    aggregations: tuple[Aggregation, ...] = ()
    by: tuple[str, ...] = ()
    options: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class EventStats(Stats):
    pass


@dataclass(frozen=True)
class StreamStats(Stats):
    pass


@dataclass(frozen=True)
class Conversion:
    """``func(field) [as alias]`` of convert; field may hold wildcards."""

    func: str
    field: str
    alias: str | None
    span: Span


@dataclass(frozen=True)
class Convert(Command):
    timeformat: str | None = None
    conversions: tuple[Conversion, ...] = ()


@dataclass(frozen=True)
class Table(Command):
    fields: tuple[str, ...] = ()


@dataclass(frozen=True)
class Fields(Command):
    """``fields [+|-] f1, f2``; ``remove`` is True for ``-``. Names may hold wildcards."""

    fields: tuple[str, ...] = ()
    remove: bool = False


@dataclass(frozen=True)
class SortKey:
    """``field`` with ``descending`` for ``-``; ``func`` is auto/str/ip/num or None."""

    field: str
    descending: bool
    func: str | None
    span: Span


@dataclass(frozen=True)
class Sort(Command):
    """``limit`` None means the default (10000); 0 means all. ``reverse`` is a trailing ``desc``/``d``."""

    keys: tuple[SortKey, ...] = ()
    limit: int | None = None
    reverse: bool = False


@dataclass(frozen=True)
class Head(Command):
    """``limit`` None means the default (10); ``expr`` is set for ``head (<eval>)``."""

    limit: int | None = None
    expr: Expr | None = None
    options: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Tail(Command):
    limit: int | None = None


@dataclass(frozen=True)
class Dedup(Command):
    """``dedup [N] fields [keepempty=..] [consecutive=..] [keepevents=..] [sortby ...]``."""

    fields: tuple[str, ...] = ()
    count: int = 1
    options: tuple[tuple[str, str], ...] = ()
    sortby: tuple[SortKey, ...] = ()


@dataclass(frozen=True)
class FillNull(Command):
    """``value`` None means the default (0); empty ``fields`` means every field."""

    value: str | None = None
    fields: tuple[str, ...] = ()


@dataclass(frozen=True)
class Spath(Command):
    """``spath [input=f] [output=f] [path=p | p]``."""

    input: str | None = None
    output: str | None = None
    path: str | None = None


@dataclass(frozen=True)
class Rex(Command):
    regex: str = ""
    field: str | None = None
    options: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Bin(Command):
    """bin/bucket: ``field [as alias]`` with options such as span, bins, minspan, start, end."""

    field: str = ""
    alias: str | None = None
    options: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Lookup(Command):
    """``lookup table in [as ev]... [OUTPUT|OUTPUTNEW out [as ev]...]``.

    ``inputs``/``outputs`` are (lookup field, event field) pairs; ``mode`` is None when no output
    clause was written (then every non-input column is output).
    """

    table: str = ""
    inputs: tuple[tuple[str, str], ...] = ()
    mode: str | None = None
    outputs: tuple[tuple[str, str], ...] = ()
    options: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class InputLookup(Command):
    table: str = ""
    options: tuple[tuple[str, str], ...] = ()
    where: SearchExpr | None = None


@dataclass(frozen=True)
class OutputLookup(Command):
    table: str = ""
    options: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class IpLocation(Command):
    field: str = ""
    options: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class MvExpand(Command):
    field: str = ""
    options: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class MakeMv(Command):
    field: str = ""
    options: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class MakeResults(Command):
    options: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Top(Command):
    """top (and rare, its subclass): ``[N] fields [by fields] [options]``."""

    fields: tuple[str, ...] = ()
    by: tuple[str, ...] = ()
    limit: int | None = None
    options: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Rare(Top):
    pass


@dataclass(frozen=True)
class Subsearch:
    """``[ pipeline ]``."""

    pipeline: Pipeline
    span: Span


@dataclass(frozen=True)
class Join(Command):
    fields: tuple[str, ...] = ()
    options: tuple[tuple[str, str], ...] = ()
    subsearch: Subsearch | None = None


@dataclass(frozen=True)
class Append(Command):
    options: tuple[tuple[str, str], ...] = ()
    subsearch: Subsearch | None = None


@dataclass(frozen=True)
class Tstats(Command):
    """``tstats [options] aggs [from datamodel=X] [where ...] [by ...]``."""

    aggregations: tuple[Aggregation, ...] = ()
    datamodel: str | None = None
    where: SearchExpr | None = None
    by: tuple[str, ...] = ()
    options: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Chart(Command):
    """chart/timechart: stats terms, the row split (``over`` or chart's first BY field) and the
    column split (the BY field after it). ``options`` holds chart options and bin options (the
    ones written after ``over``/BY fields included)."""

    aggregations: tuple[Aggregation, ...] = ()
    over: str | None = None
    by: tuple[str, ...] = ()
    options: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class From(Command):
    """``from datamodel:X`` / ``from datamodel X``: ``dataset`` as written."""

    dataset: str = ""


@dataclass(frozen=True)
class Generic(Command):
    """Any command without a dedicated rule: options (``k=v``) and positional arguments as written.

    It parses so that ``spl check`` can tell "unsupported" from "syntax error"; running it is an
    UnsupportedError naming the command and its position.
    """

    options: tuple[tuple[str, str], ...] = ()
    args: tuple[str | Subsearch, ...] = ()


@dataclass(frozen=True)
class Pipeline:
    """A whole search. ``generating`` is True when it starts with ``|`` (e.g. ``| tstats ...``)."""

    commands: tuple[Command, ...]
    span: Span
    generating: bool = False


@overload
def option(options: tuple[tuple[str, str], ...], name: str, default: str) -> str: ...
@overload
def option(options: tuple[tuple[str, str], ...], name: str, default: None = None) -> str | None: ...
def option(options: tuple[tuple[str, str], ...], name: str, default: str | None = None) -> str | None:
    """The value of option ``name`` (case-insensitive name), or ``default``."""
    name = name.lower()
    for key, value in options:
        if key.lower() == name:
            return value
    return default


def walk(node: object):
    """Every AST node under ``node`` (itself included), depth first, in source order.

    An explicit stack, not recursion: a long ``a OR b OR ...`` is a tree as deep as it is long.
    """
    stack = [node]
    while stack:
        item = stack.pop()
        yield item
        if isinstance(item, tuple):
            stack.extend(reversed(item))
        elif hasattr(item, "__dataclass_fields__"):
            children = [getattr(item, name) for name in item.__dataclass_fields__]
            stack.extend(v for v in reversed(children)
                         if isinstance(v, tuple) or hasattr(v, "__dataclass_fields__"))


def references(node: object) -> set[str] | None:
    """The fields an expression or clause reads (eval and search expressions, aggregations, sort
    keys, conversions, assignments), or None when it may read any field.

    A keyword reads ``_raw`` (unless it is all ``*``, which matches every event), a time modifier
    ``_time``; ``searchmatch("...")`` reads what its search does (a search that is not a quoted
    literal may name any field). An assignment reads
    its expression, not the field it sets. A subsearch is a pipeline of its own, not looked into.
    """
    found: set[str] = set()
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, tuple):
            stack.extend(item)
        elif isinstance(item, Field):
            found.add(item.name)
        elif isinstance(item, (Compare, FieldIn, SortKey, Conversion)):
            found.add(item.field)
        elif isinstance(item, Term):
            if item.value.strip("*"):  # spl.search.patterns.is_match_all
                found.add("_raw")
        elif isinstance(item, TimeModifier):
            found.add("_time")
        elif isinstance(item, Call):
            if item.name.lower() == "searchmatch":
                search = _searchmatch_expr(item)
                if search is False:
                    return None
                found.add("_raw")
                stack.append(search)
            else:
                stack.extend(item.args)
        elif isinstance(item, BinOp):
            stack.extend((item.left, item.right))
        elif isinstance(item, UnaryOp):
            stack.append(item.operand)
        elif isinstance(item, In):
            stack.append(item.expr)
            stack.extend(item.values)
        elif isinstance(item, (SearchAnd, SearchOr)):
            stack.extend(item.items)
        elif isinstance(item, SearchNot):
            stack.append(item.item)
        elif isinstance(item, Aggregation):
            if item.field:
                found.add(item.field)
            if item.expr is not None:
                stack.append(item.expr)
        elif isinstance(item, Assignment):
            stack.append(item.expr)
        elif item is not None and not isinstance(item, (Literal, SubsearchTerm, Subsearch)):
            raise TypeError(f"references() does not know {type(item).__name__}")
    return found


def _searchmatch_expr(call: Call):
    """The search expression of ``searchmatch("<search>")``, or False when it is not a literal
    that parses (then the search it runs is known only per event)."""
    from spl.errors import SplError
    from spl.syntax.parser import parse  # the parser builds this module's nodes: import late

    if len(call.args) != 1 or not isinstance(call.args[0], Literal) \
            or not isinstance(call.args[0].value, str):
        return False
    try:
        commands = parse("search " + call.args[0].value).commands
    except SplError:
        return False
    if len(commands) != 1 or not isinstance(commands[0], Search):
        return False
    return commands[0].expr
