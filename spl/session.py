"""The public way in: ``Session`` loads data once and runs many searches; ``run`` does both once.

The REPL, ``spl run``, ``spl detect`` and ``spl test`` are thin layers over ``Session.run``.
"""
from __future__ import annotations

import inspect
import numbers
import os
from collections.abc import Iterable, Sequence
from pathlib import Path

import pandas as pd

from spl import _validate as check
from spl import data as datalayer
from spl.context import Context
from spl.engine import execute
from spl.errors import SplError
from spl.frontend import ParsedSearch, parse_search
from spl.lookups import Lookups
from spl.macros import MacroLibrary
from spl.plan import required_fields, search_terms

PathLike = str | os.PathLike[str]


# ---------------------------------------------------------------- checking the caller's arguments
# Each bad argument is a UsageError naming it, before anything is read: a str where a list of
# paths goes is one path (never its characters), a time zone must exist, a search is a str.

def _paths(data, option: str = "data") -> list[PathLike]:
    return check.paths(option, data)


def _check_event_options(sourcetype, source, host, index) -> None:
    if sourcetype is not None:  # None: each file's from its content (spl.data)
        check.of_type("sourcetype", sourcetype, str, "a str or None")
    check.of_type("index", index, str, "a str")
    for option, value in (("source", source), ("host", host)):
        if value is not None:
            check.of_type(option, value, str, "a str or None")


def _check_session_options(tz, strict, progress) -> None:
    check.time_zone(tz)
    check.of_type("strict", strict, bool, "True or False")
    check.of_type("progress", progress, bool, "True or False")


def _run_options() -> set[str]:
    """The keyword options ``run`` passes on to Session (it works out fields and terms itself)."""
    return set(inspect.signature(Session).parameters) - {"data", "fields", "terms"}


class Session:
    """Events loaded once, macros and time zone fixed, ready for any number of searches."""

    def __init__(self, data: PathLike | Iterable[PathLike] | None = None, *,
                 sourcetype: str | None = None, source: str | None = None,
                 host: str | None = None, index: str = "main",
                 macros: Sequence[PathLike] = (), tz: str = "UTC", ta: PathLike | None = None,
                 strict: bool = False, progress: bool = False, fields: set[str] | None = None,
                 terms: object = None, lookups: Sequence[PathLike] = (),
                 lookup_output: PathLike | None = None,
                 datamodels: Sequence[PathLike] = ()) -> None:
        _check_event_options(sourcetype, source, host, index)
        _check_session_options(tz, strict, progress)
        macros, lookups = _paths(macros, "macros"), _paths(lookups, "lookups")
        datamodels = _paths(datamodels, "datamodels")
        ta, lookup_output = check.path("ta", ta), check.path("lookup_output", lookup_output)
        self.datamodel_dirs = [Path(d) for d in datamodels]  # searched before spl's own models
        self.lookups = Lookups(lookups, lookup_output)  # where lookup names resolve; outputlookup's dir
        self.macro_dirs = [Path(m) for m in macros]
        self.tz = tz
        self.ta = Path(ta) if ta else None
        self.strict = strict
        self.progress = progress
        self.fields = fields
        self.terms = terms  # spl.search.literal_terms of the one search these events feed
        self.problems: list = []
        self.last_warnings: list[str] = []  # the last search's: limits that cut a result short
        self.files: list[str] = []
        self._parts: list[pd.DataFrame] = []
        self.partials: list | None = None  # the map side's results of the one search (spl run)
        self._events: pd.DataFrame | None = None
        self._macros: MacroLibrary | None = None
        paths = _paths(data)
        if paths:
            self.load(paths, sourcetype=sourcetype, source=source, host=host, index=index)

    def load(self, paths: PathLike | Iterable[PathLike], *, sourcetype: str | None = None,
             source: str | None = None, host: str | None = None,
             index: str = "main") -> datalayer.LoadResult:
        """Read more files into the session; returns the loader's result (table, problems)."""
        _check_event_options(sourcetype, source, host, index)
        result = datalayer.load(_paths(paths, "paths"), sourcetype=sourcetype, source=source,
                                host=host, index=index, fields=self.fields, ta=self.ta,
                                strict=self.strict, progress=self.progress, terms=self.terms)
        self.add(result)
        return result

    def add(self, result: datalayer.LoadResult) -> None:
        """Take events loaded elsewhere (spl.data.begin(...).finish(), which ``spl run`` starts
        before the engine is imported)."""
        self._parts.append(result.table)
        self.problems.extend(result.problems)
        self.files.extend(result.files)
        self._events = None

    @property
    def events(self) -> pd.DataFrame:
        """Every loaded event, newest first: the order in which Splunk's search returns them.

        Events with the same ``_time`` come last-read first, as reading an index backwards does.
        """
        if self._events is None:
            parts = [p for p in self._parts if len(p.columns)]
            table = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(
                {"_time": pd.Series([], dtype=float)})
            table = table.iloc[::-1]
            table = table.sort_values("_time", ascending=False, kind="stable")
            self._events = table.reset_index(drop=True)
        return self._events

    def parse(self, search: str) -> ParsedSearch:
        """Expand macros and parse; raises SplError with the position in ``search``.

        The macro files are read once per session, not once per search.
        """
        check.search_text(search)
        if self._macros is None:
            self._macros = MacroLibrary.load(self.macro_dirs)
        return parse_search(search, library=self._macros)

    def run(self, search: str | ParsedSearch, *, now: float | None = None) -> pd.DataFrame:
        """Run a search over the loaded events; multivalue cells are lists. The limits that cut
        its result short (Splunk's job messages) are then in ``last_warnings``."""
        parsed = search if isinstance(search, ParsedSearch) else self.parse(search)
        ctx = Context(tz=self.tz, text=parsed.expanded, session=self)
        self.last_warnings = ctx.warnings
        if now is not None:
            check.of_type("now", now, numbers.Real, "a time in epoch seconds")
            ctx.now = now
        try:
            if self.partials is not None:  # read by map-reduce (spl.mapreduce): merge them
                from spl import mapreduce

                mapreduce.check_supported(parsed.pipeline)
                return mapreduce.reduce_partials(mapreduce.plan(parsed.pipeline),
                                                 self.partials, ctx)
            return execute(parsed.pipeline, self.events, ctx)
        except SplError as err:
            raise parsed.relocate(err) from None


def run(search: str, data: PathLike | Iterable[PathLike] | None = None, **options) -> pd.DataFrame:
    """Run one search over files: only the fields the search can read are extracted.

    ``options`` are those of ``Session`` (sourcetype, source, macros, tz, ta, strict, ...).
    """
    check.known_options(options, _run_options(), "spl.run")
    check.search_text(search)
    parsed = parse_search(search, [Path(m) for m in _paths(options.get("macros"), "macros")])
    # one search: only its fields are extracted, and records it cannot match are skipped
    session = Session(data, fields=required_fields(parsed.pipeline),
                      terms=search_terms(parsed.pipeline), **options)
    return session.run(parsed)


def parse(search: str, macros: Sequence[PathLike] = ()) -> ParsedSearch:
    """Expand macros and parse ``search`` into a typed pipeline (``.pipeline``)."""
    check.search_text(search)
    return parse_search(search, [Path(m) for m in _paths(macros, "macros")])
