"""The interactive prompt: ``spl repl`` (and plain ``spl`` on a terminal).

``Repl.handle(text)`` runs one input (a meta command such as ``.fields`` or a search) and prints
to a rich Console; ``prompt_loop`` reads inputs with prompt_toolkit (multi-line editing, history,
highlighting, completion) and hands each to ``handle``. Keeping the two apart lets tests drive
either one. Nothing that imports pandas is imported before the first load or search, so the
prompt comes up fast.
"""
from __future__ import annotations

import io
import os
import shlex
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table
from rich.text import Text

from spl.errors import SplError
from spl.render import error_text, inert, inert_lines
from spl.repl_syntax import SplCompleter, SplLexer, Vocabulary, is_complete

if TYPE_CHECKING:
    from spl.macros import MacroLibrary

EDITING_HELP = """\
Enter runs the search once it is complete. It goes on to a new line instead when the last line
ends with | or when a quote, backtick, comment, bracket or parenthesis is still open.
Esc Enter runs the text as it stands. Tab completes commands (after |), fields, eval and stats
functions, macros (after `) and keywords. Ctrl-R searches the history, Ctrl-C cancels a running
search (the loaded events stay), Ctrl-D quits."""

# Files larger than this (bytes, in total) get a progress bar while they load.
PROGRESS_BYTES = 20_000_000
TOP_VALUES = 3
DISPLAY_LIMIT = 1000
EVENT_LIMIT = 100
VALUE_COMPLETIONS = 50


def history_path() -> Path:
    """Where the prompt's history persists: $XDG_DATA_HOME/spl/history (~/.local/share by default)."""
    base = os.environ.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
    return Path(base) / "spl" / "history"


class MetaError(Exception):
    """A meta command used wrongly; its message is the whole story."""


@dataclass(frozen=True)
class Meta:
    name: str
    usage: str
    doc: str
    run: Callable[[Repl, str], None]


META: dict[str, Meta] = {}


def meta(name: str, usage: str = ""):
    """Register a ``.name`` meta command; the function's docstring is its help line."""

    def wrap(fn):
        META[name] = Meta(name, usage, " ".join((fn.__doc__ or "").split()), fn)
        return fn

    return wrap


def make_console(**options) -> Console:
    """The REPL's console: markup and emoji codes off, so that data such as
    ``[aws-sdk-go-v2/1.25.2]`` or ``:smile:`` prints as it is instead of being read as a style
    tag or an emoji. Data itself goes through spl.render.inert before it is printed."""
    return Console(markup=False, emoji=False, **options)


class Repl:
    """One interactive session: the loaded events, the last result and the display settings."""

    def __init__(self, session=None, console: Console | None = None, *, fmt: str = "table",
                 pager: bool = False, session_options: dict | None = None):
        self.console = console or make_console()
        self.fmt = fmt
        self.pager = pager
        self.raw = False
        self.done = False
        self.last = None  # the last search's result table
        self.loads: list[tuple[str, str, int, int]] = []  # (file, sourcetype, events, skipped)
        self._session = session
        self._session_options = session_options or {}
        self._columns: list[str] | None = None
        self._sample = None  # a DataFrame of loaded events, for completion and .fields
        self._values: dict[str, list[str]] = {}
        self._library: MacroLibrary | None = None

    # ------------------------------------------------------------ state

    @property
    def session(self):
        """The spl Session, made on first use (it imports pandas)."""
        if self._session is None:
            from spl.session import Session

            self._session = Session(**self._session_options)
        return self._session

    @property
    def tz(self) -> str:
        return self._session.tz if self._session is not None else self._session_options.get("tz", "UTC")

    def sample(self):
        """A sample of the loaded events with every field (spl.session.Session.sample): fields
        are extracted by each search, so names and values to complete come from these."""
        if self._sample is None:
            self._sample = self.session.sample()
        return self._sample

    def field_names(self) -> list[str]:
        """Fields of a sample of the loaded events (the CIM ones included), for completion and
        highlighting."""
        if self._session is None or not self._session.files:
            return []
        if self._columns is None:
            self._columns = sorted(self.sample().columns)
        return self._columns

    def field_values(self, field: str) -> list[str]:
        """The most frequent values of a field in a sample of the loaded events, for completion."""
        if field not in self._values:
            values = []
            if field in self.field_names():
                _, _, top = _value_counts(self.sample()[field], VALUE_COMPLETIONS)
                values = [v for v, _ in top]
            self._values[field] = values
        return self._values[field]

    def vocabulary(self) -> Vocabulary:
        return Vocabulary(commands=command_names, fields=self.field_names,
                          eval_functions=_eval_functions, stats_functions=_stats_functions,
                          macros=self.macro_names, values=self.field_values,
                          describe=_describe, metas=lambda: list(META))

    def macro_names(self) -> list[str]:
        """Macros as they are called: ``name`` or ``name(arg1,arg2)``."""
        try:
            macros = self.macro_library().macros.values()
        except SplError:
            return []
        return sorted(m.name + (f"({','.join(m.args)})" if m.args else "") for m in macros)

    def macro_library(self):
        """The bundled macros and those of --macros, read once: searches and completion share it."""
        if self._library is None:
            from spl.macros import MacroLibrary

            dirs = (self._session.macro_dirs if self._session is not None
                    else self._session_options.get("macros", ()))
            self._library = MacroLibrary.load(dirs)
        return self._library

    # ------------------------------------------------------------ running inputs

    def handle(self, text: str) -> None:
        """Run one input: a ``.meta`` command or a search. Errors print; they never escape."""
        text = text.strip()
        if not text:
            return
        with self.reporting_errors():
            if text.startswith("."):
                self._meta(text)
            else:
                self.search(text)

    @contextmanager
    def reporting_errors(self):
        """Print any error (ours with its caret, a bug as one line) and carry on."""
        try:
            yield
        except KeyboardInterrupt:
            self.console.print("interrupted", style="yellow")
        except SplError as err:
            self.console.print(error_text(err, self.console.width), style="red", markup=False,
                               highlight=False, soft_wrap=True)  # cut to fit: no wrapping
        except MetaError as err:
            self.console.print(f"error: {inert_lines(str(err))}", style="red", markup=False,
                               highlight=False,
                               soft_wrap=True)
        except Exception as err:  # a bug of ours: one line, and the session goes on
            if os.environ.get("SPL_DEBUG"):
                raise
            first = (str(err).strip().splitlines() or [""])[0]
            self.console.print(f"internal error: {type(err).__name__}: {inert(first)} "
                               "(set SPL_DEBUG=1 for the traceback)", style="red", markup=False,
                               highlight=False,
                               soft_wrap=True)

    def parse(self, text: str):
        """Expand macros and parse, with the library completion uses too."""
        from spl.frontend import parse_search

        try:
            return parse_search(text, library=self.macro_library())
        except SplError as err:
            err.with_text(text)
            raise

    def search(self, text: str) -> None:
        started = time.perf_counter()
        parsed = self.parse(text)
        try:
            table = self.session.run(parsed)
        except SplError as err:
            err.with_text(text)
            raise
        elapsed = time.perf_counter() - started
        self.last = table
        self.show(table, elapsed)

    def show(self, table, elapsed: float | None = None) -> None:
        """Print a result in the current format, then its row count (and how long it took).

        Only the first DISPLAY_LIMIT rows print (EVENT_LIMIT events in the event view, which is
        slow to lay out): a terminal cannot show a million events, and ``.save`` writes them all.
        """
        from spl import render

        events = "_raw" in table.columns
        n = len(table)
        shown = table.head(EVENT_LIMIT if events and self.fmt == "table" else DISPLAY_LIMIT)
        if self.fmt == "json":
            body: Text | Table = Text(inert_lines(render.to_json(shown, self.tz)))
        elif self.fmt == "csv":  # on a terminal too: .save FILE.csv writes the exact values
            body = Text(inert_lines(render.to_csv(shown, self.tz).rstrip("\n")))
        elif events:
            body = events_view(shown, self.tz, self.raw)
        else:
            body = render.to_rich(shown, self.tz)
        noun = ("event" if events else "result") + ("" if n == 1 else "s")
        status = f"{n} {noun}" + (f" in {elapsed:.3f} s" if elapsed is not None else "")
        if n > len(shown):
            status += f"; the first {len(shown)} shown (.save FILE writes them all)"
        self._emit(body, Text(status, style="dim"))

    def _emit(self, *renderables) -> None:
        """Print; with ``.pager on``, on a terminal, output taller than it goes through PAGER."""
        console = self.console
        if self.pager and console.is_terminal:
            with console.capture() as captured:
                for r in renderables:
                    console.print(r)
            output = captured.get()
            if output.count("\n") >= console.height - 1 and page(output):
                return
            console.file.write(output)
            console.file.flush()
            return
        for r in renderables:
            console.print(r)

    def _meta(self, text: str) -> None:
        name, _, rest = text[1:].partition(" ")
        name = name.strip().lower()
        entry = META.get(name)
        if entry is None:
            raise MetaError(f"unknown command .{name} (.help lists them)")
        entry.run(self, rest.strip())

    # ------------------------------------------------------------ loading data

    def load(self, paths: list[str], **options) -> None:
        """Read files into the session (a progress bar for big ones) and say what came in."""
        from spl.data.readers import DataProblem, expand

        items = expand(paths)
        files = [f for f in items if not isinstance(f, DataProblem)]
        if not files:
            raise MetaError(f"no files found at {' '.join(paths)}"
                            + "".join(f"\n  {p.render()}" for p in items
                                      if isinstance(p, DataProblem)))  # all of them
        sizes = [_size(f) for f in files]
        started = time.perf_counter()
        before = len(self.session.problems)
        self.session.problems.extend(p for p in items if isinstance(p, DataProblem))
        sourcetype = options.get("sourcetype")  # None: detected
        if sum(sizes) > PROGRESS_BYTES and self.console.is_terminal:
            from rich.markup import escape  # the description is markup
            from rich.progress import (
                BarColumn,
                DownloadColumn,
                Progress,
                SpinnerColumn,
                TextColumn,
                TimeElapsedColumn,
            )

            with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                          DownloadColumn(), TimeElapsedColumn(), console=self.console,
                          transient=True) as progress:
                # One file moves the bar only at its end, so it pulses instead.
                task = progress.add_task("loading", total=sum(sizes) if len(files) > 1 else None)
                for f, size in zip(files, sizes):
                    progress.update(task, description=f"loading {escape(inert(f.name))}")
                    self._load_one(f, sourcetype, options)
                    progress.advance(task, size)
        else:
            for f in files:
                self._load_one(f, sourcetype, options)
        elapsed = time.perf_counter() - started
        events = sum(n for _, _, n, _ in self.loads[-len(files):])
        new = self.session.problems[before:]
        skipped = sum(p.dropped for p in new)
        line = (f"loaded {events} event{'s' if events != 1 else ''} from {len(files)} "
                f"file{'s' if len(files) != 1 else ''} in {elapsed:.2f} s")
        if new:
            line += (f"; {len(new)} data problem{'s' if len(new) != 1 else ''}: {skipped} "
                     f"skipped, {len(new) - skipped} kept (.data shows them)")
        self.console.print(line, style="dim", markup=False, highlight=False)

    def _load_one(self, path: Path, sourcetype: str | None, options: dict) -> None:
        result = self.session.load([path], **options)
        self._columns, self._sample = None, None  # new fields, new values to complete
        self._values.clear()
        if sourcetype is None:  # detected from the content (spl.data): the ones it found
            found = result.table["sourcetype"] if "sourcetype" in result.table else []
            sourcetype = ", ".join(sorted(set(found))) or "-"
        self.loads.append((str(path), sourcetype, len(result.table),
                           sum(p.dropped for p in result.problems)))

    def banner(self) -> None:
        self.console.print(Text.assemble(("spl", "bold"), " — Splunk SPL over local CloudTrail "
                                         "logs. .help lists the commands; Ctrl-D quits."))
        if not self.loads:
            self.console.print(Text.assemble("No data loaded: ", (".load PATH", "cyan"),
                                             " reads files, ", (".example", "cyan"),
                                             " the bundled sample."))


# less: -F quits when the text fits the screen, -R shows colours, -X leaves the text on the
# screen when it quits (no clearing). LESSSECURE=1 turns off what a stray key would start:
# shell escapes (!), saving to a file (s), piping (|), the editor (v).
PAGER = ("less", "-FRX")


def page(text: str) -> bool:
    """Show ``text`` through PAGER; False when there is none (the caller prints it).

    Keys typed while the search ran are dropped first, so that the pager never reads them as
    its commands."""
    import shutil
    import subprocess
    import sys

    if shutil.which(PAGER[0]) is None:
        return False
    try:
        import termios

        termios.tcflush(sys.stdin.fileno(), termios.TCIFLUSH)
    except (ImportError, OSError, ValueError):  # no terminal input to flush
        pass
    env = {**os.environ, "LESSSECURE": "1"}
    env.pop("LESSOPEN", None)
    try:
        subprocess.run(PAGER, input=text.encode("utf-8", "replace"), env=env, check=False)
    except OSError:
        return False
    return True


# ---------------------------------------------------------------- meta commands


@meta("help", "[.META | COMMAND | FUNCTION]")
def _help(repl: Repl, arg: str) -> None:
    """Show the meta commands and how editing works; or the syntax and description of a meta
    command, a search command, an eval function or a stats function."""
    if arg:
        found = describe(arg)
        if not found:
            raise MetaError(f"no meta command, search command or function is called {arg} "
                            "(.help lists the meta commands; `spl help commands` and `spl help "
                            "functions` list the rest)")
        for heading, text in found:
            repl.console.print(heading, style="bold", markup=False, highlight=False)
            repl.console.print(text, markup=False, highlight=False)
        return
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="cyan", no_wrap=True)
    grid.add_column()
    for entry in META.values():
        grid.add_row(Text(f".{entry.name} {entry.usage}".rstrip()), Text(entry.doc))
    repl.console.print("Anything not starting with . is a search. .help stats, .help strftime: "
                       "a command's or function's syntax.", highlight=False)
    repl.console.print(grid)
    repl.console.print(EDITING_HELP, markup=False, highlight=False)


def describe(name: str) -> list[tuple[str, str]]:
    """(syntax, description) of everything called ``name``: a meta command (``.name``), a
    search command, an eval function, a stats function, from their registries."""
    from spl import aggregates, commands
    from spl.eval import functions

    found = []
    key = name.strip().lower()
    if key.startswith("."):
        entry = META.get(key[1:])
        return [(f".{entry.name} {entry.usage}".rstrip(), entry.doc)] if entry else []
    key = key.removesuffix("()").lstrip("|").strip()
    entry = META.get(key)
    if entry is not None:
        found.append((f".{entry.name} {entry.usage}".rstrip(), entry.doc))
    spec = commands.spec(key)
    if spec is not None:
        found.append((f"command: {spec.syntax or key}", spec.doc))
    function = functions.lookup(key)
    if function is not None:
        call, _, what = function.doc.partition(": ")
        found.append((f"eval function: {call}", what))
    agg = aggregates.lookup(key)
    if agg is not None:
        found.append((f"stats function: {key}(field)", agg.doc))
    return found


@meta("load", "PATH... [sourcetype=ST] [source=S] [host=H] [index=I]")
def _load(repl: Repl, arg: str) -> None:
    """Read more CloudTrail files or directories (NDJSON or Records, gzipped or not)."""
    words = _split(arg)
    options = {}
    paths = []
    for w in words:
        key, eq, value = w.partition("=")
        if eq and key in ("sourcetype", "source", "host", "index"):
            options[key] = value
        else:
            paths.append(os.path.expanduser(w))
    if not paths:
        raise MetaError("usage: .load PATH... [sourcetype=ST] [source=S] [host=H] [index=I]")
    repl.load(paths, **options)


@meta("example")
def _example(repl: Repl, arg: str) -> None:
    """Load the bundled sample: 24 CloudTrail records with a Bedrock prober among them."""
    from spl.cli import EXAMPLE_DATA, EXAMPLES

    with resources.as_file(EXAMPLES / EXAMPLE_DATA) as path:
        repl.load([str(path)], source="aws_cloudtrail")


@meta("data")
def _data(repl: Repl, arg: str) -> None:
    """Show the loaded files, their event counts, the time range and skipped records."""
    from spl import render

    if not repl.loads:
        repl.console.print("no data loaded (.load PATH)", markup=False)
        return
    table = Table(show_edge=False)
    table.add_column("file", justify="left", overflow="fold")
    table.add_column("sourcetype", justify="left", overflow="fold")
    table.add_column("events", justify="right", overflow="fold")
    table.add_column("skipped", justify="right", overflow="fold")
    for file, sourcetype, events, skipped in repl.loads:
        table.add_row(Text(inert(file)), Text(inert(sourcetype)), str(events), str(skipped))
    repl.console.print(table)
    import numpy as np

    times = repl.session.times
    line = f"{len(times)} events"
    times = times[~np.isnan(times)]
    if len(times):
        first = render.cell_value("_time", times.min(), repl.tz)
        last = render.cell_value("_time", times.max(), repl.tz)
        line += f" from {first} to {last}"
    repl.console.print(line, markup=False, highlight=False)
    problems = repl.session.problems
    if problems:
        skipped = sum(p.dropped for p in problems)
        repl.console.print(f"{len(problems)} data problem{'s' if len(problems) != 1 else ''} "
                           f"({skipped} skipped, {len(problems) - skipped} kept):",
                           style="yellow", markup=False)
        for p in problems[:10]:
            repl.console.print(f"  {inert(p.render())}", markup=False, highlight=False)
        if len(problems) > 10:
            repl.console.print(f"  ... and {len(problems) - 10} more", markup=False)


@meta("fields", "[PATTERN]")
def _fields(repl: Repl, arg: str) -> None:
    """Each field's coverage (% of events with a value), distinct values and top values, as
    Splunk's field sidebar: over the events of the last search if it returned events, else over
    every loaded event. PATTERN filters names (* wildcards; without one, names containing it),
    ignoring case."""
    if repl.last is not None and "_raw" in repl.last.columns:
        table, what = repl.last, "the last search's events"
    else:
        table = repl.sample()
        what = ("the loaded events" if len(table) == len(repl.session.times) else
                f"a sample of the loaded events (the first {len(table)} read)")
    n = len(table)
    names = sorted(c for c in table.columns if c not in ("_raw", "_time") and _name_matches(c, arg))
    out = Table(title=f"fields of {what} ({n})", show_edge=False)
    out.add_column("field", overflow="fold")
    out.add_column("coverage", justify="right")
    out.add_column("distinct", justify="right")
    out.add_column(f"top {TOP_VALUES} values", overflow="fold")
    for name in names:
        present, distinct, top = _value_counts(table[name], TOP_VALUES)
        if not present:
            continue
        shown = [(inert(v) if v != "" else '""', c) for v, c in top]  # "" stays visible
        out.add_row(Text(inert(name)), f"{100 * present / n:.1f}%", str(distinct),
                    Text("\n".join(f"{v} ({c})" for v, c in shown)))
    if not out.row_count:
        repl.console.print("no fields match" if arg else "no fields", markup=False)
        return
    repl._emit(out)


@meta("macros", "[PATTERN]")
def _macros(repl: Repl, arg: str) -> None:
    """List the macros (bundled and --macros): call, definition and where it comes from."""
    out = Table(show_edge=False)
    out.add_column("macro", overflow="fold")
    out.add_column("definition", overflow="fold")
    out.add_column("from", overflow="fold", style="dim")
    for m in sorted(repl.macro_library().macros.values(), key=lambda m: (m.name, len(m.args))):
        if _name_matches(m.name, arg):
            call = m.name + (f"({','.join(m.args)})" if m.args else "")
            out.add_row(Text(inert(call)), Text(inert_lines(m.definition)),
                        Text(inert(m.source)))
    if not out.row_count:
        repl.console.print("no macros match" if arg else "no macros", markup=False)
        return
    repl._emit(out)


@meta("explain", "SEARCH")
def _explain(repl: Repl, arg: str) -> None:
    """Show a search with its macros expanded, and the commands it parses into."""
    from spl import commands
    from spl.plan import required_fields

    if not arg:
        raise MetaError("usage: .explain SEARCH")
    parsed = repl.parse(arg)
    if parsed.expanded != arg:
        repl.console.print("expanded:", style="bold", markup=False)
        repl.console.print(inert_lines(parsed.expanded), markup=False, highlight=False)
    out = Table(show_edge=False)
    out.add_column("#", justify="right")
    out.add_column("command")
    out.add_column("runs")
    out.add_column("parsed as", overflow="fold")
    for k, cmd in enumerate(parsed.pipeline.commands, 1):
        runs = Text("yes") if commands.lookup(cmd.name) else Text("no", style="red")
        out.add_row(str(k), Text(inert(cmd.name)), runs, Text(inert(brief(cmd))))
    repl.console.print(out)
    needed = required_fields(parsed.pipeline)
    repl.console.print("fields read: " + ("every field" if needed is None else
                                          inert(", ".join(sorted(needed))) or "none"),
                       markup=False, highlight=False)


@meta("format", "table|json|csv")
def _format(repl: Repl, arg: str) -> None:
    """Set how results print."""
    if arg not in ("table", "json", "csv"):
        raise MetaError(f"format is {repl.fmt}; choose table, json or csv")
    repl.fmt = arg


@meta("pager", "on|off")
def _pager(repl: Repl, arg: str) -> None:
    """Page results taller than the terminal through less -FRX (off by default: results stay
    on the screen; the pager leaves them there too, and drops keys typed ahead)."""
    if arg not in ("on", "off"):
        raise MetaError(f"pager is {'on' if repl.pager else 'off'}; say .pager on or .pager off")
    repl.pager = arg == "on"


@meta("raw", "on|off")
def _raw(repl: Repl, arg: str) -> None:
    """Show each event's _raw text in event results (off: _time and the fields only)."""
    if arg not in ("on", "off"):
        raise MetaError(f"raw is {'on' if repl.raw else 'off'}; say .raw on or .raw off")
    repl.raw = arg == "on"


@meta("save", "FILE.json|FILE.csv")
def _save(repl: Repl, arg: str) -> None:
    """Write the last result to a file, in the format its extension names, a batch of rows at
    a time (spl.output)."""
    from spl import output

    words = _split(arg)
    if len(words) != 1:
        raise MetaError("usage: .save FILE.json|FILE.csv")
    if repl.last is None:
        raise MetaError("no result to save yet: run a search first")
    path = Path(words[0]).expanduser()
    fmt = {".json": "json", ".csv": "csv"}.get(path.suffix.lower())
    if fmt is None:
        raise MetaError(f"cannot tell the format of {path.name}: use .json or .csv")
    try:
        with open(path, "wb") as f:
            n = output.write(fmt, output.batches(repl.last), f, repl.tz)
    except OSError as err:
        raise MetaError(f"cannot write {path}: {err.strerror}") from None
    except BaseException:  # a value that cannot be written: leave no half-written file
        path.unlink(missing_ok=True)
        raise
    repl.console.print(f"saved {n} row{'s' if n != 1 else ''} to {inert(str(path))}",
                       markup=False, highlight=False)


@meta("tz", "[ZONE]")
def _tz(repl: Repl, arg: str) -> None:
    """Show or set the time zone used to print and parse times (an IANA name)."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    if not arg:
        repl.console.print(repl.tz, markup=False, highlight=False)
        return
    try:
        ZoneInfo(arg)
    except (ZoneInfoNotFoundError, ValueError):
        raise MetaError(f"unknown time zone {arg!r} (an IANA name such as UTC or Europe/Paris)") from None
    repl.session.tz = arg


@meta("quit")
def _quit(repl: Repl, arg: str) -> None:
    """Leave (as Ctrl-D does)."""
    repl.done = True


META["exit"] = Meta("exit", "", "Leave (as .quit does).", _quit)


# ---------------------------------------------------------------- helpers


def _split(arg: str) -> list[str]:
    try:
        return shlex.split(arg)
    except ValueError as err:
        raise MetaError(str(err)) from None


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _name_matches(name: str, pattern: str) -> bool:
    from spl.fieldnames import name_regex

    if not pattern:
        return True
    if "*" not in pattern:
        return pattern.lower() in name.lower()
    return bool(name_regex(pattern.lower()).match(name.lower()))


def _value_counts(column, top: int) -> tuple[int, int, list[tuple[str, int]]]:
    """(cells with a value, distinct values, the ``top`` most frequent values with their counts)
    of a column: multivalue cells split, values compared as the text Splunk shows, ties in value
    order."""
    import heapq
    from collections import Counter

    from spl.values import is_null, to_str

    cells = column.to_numpy(dtype=object)
    try:
        raw = Counter(cells)  # fast when no cell is a list
        present = sum(count for value, count in raw.items() if not is_null(value))
    except TypeError:
        raw = Counter(v for cell in cells for v in (cell if isinstance(cell, list) else (cell,)))
        present = sum(1 for cell in cells if not is_null(cell))
    counts: dict[str, int] = {}
    for value, count in raw.items():
        if not is_null(value):
            key = value if type(value) is str else to_str(value)
            counts[key] = counts.get(key, 0) + count
    return present, len(counts), heapq.nsmallest(top, counts.items(), key=lambda kv: (-kv[1], kv[0]))


def events_view(table, tz: str, raw: bool) -> Table:
    """Events as Splunk lists them: the time, then the event's fields (and _raw when asked)."""
    from spl import render
    from spl.values import is_null

    out = Table(show_lines=True)
    out.add_column("_time", no_wrap=True)
    out.add_column("event", overflow="fold")
    columns = list(table.columns)
    for row in table.itertuples(index=False, name=None):
        cells = dict(zip(columns, row))
        text = Text()
        if raw and not is_null(cells.get("_raw")):
            text.append(inert_lines(str(cells["_raw"])) + "\n")  # its own lines, as in Splunk
        first = True
        for name in columns:
            if name in ("_time", "_raw"):
                continue
            value = render.cell_value(name, cells[name], tz)
            for v in (value if isinstance(value, list) else [value] if value is not None else []):
                if not first:
                    text.append("  ")
                first = False
                text.append(inert(name), style="cyan")
                text.append("=" + inert(v))
        when = render.cell_value("_time", cells["_time"], tz) if "_time" in cells else None
        out.add_row(Text(inert(when or "")), text)
    return out


def brief(node) -> str:
    """A node of the syntax tree as one short line: spans and default-valued fields left out."""
    from dataclasses import MISSING, fields, is_dataclass

    from spl.syntax import ast

    if isinstance(node, ast.Field):
        return node.name
    if isinstance(node, ast.Literal):
        return repr(node.value)
    if isinstance(node, (list, tuple)):
        return "[" + ", ".join(brief(x) for x in node) + "]"
    if not is_dataclass(node):
        return repr(node)
    parts = []
    for f in fields(node):
        if f.name == "span" or (f.name == "name" and isinstance(node, ast.Command)):
            continue
        value = getattr(node, f.name)
        if value is None or value is False or value == () or (
                f.default is not MISSING and value == f.default):
            continue
        parts.append(f"{f.name}={brief(value)}")
    return f"{type(node).__name__}({', '.join(parts)})"


def command_names() -> list[str]:
    """Commands to complete after a pipe: those the engine runs and those the parser knows (each
    node class of the syntax tree is named after its command; bucket is bin's other name)."""
    from spl import commands
    from spl.syntax import ast

    known = set(commands.supported())
    for cls in vars(ast).values():
        if isinstance(cls, type) and issubclass(cls, ast.Command) and cls not in (ast.Command,
                                                                                   ast.Generic):
            known.add(cls.__name__.lower())
    known.add("bucket")
    return sorted(known)


def _describe(kind: str, name: str) -> str | None:
    """The registry's one-line doc of an eval or stats function."""
    if kind == "function":
        from spl.eval import functions

        spec = functions.lookup(name)
        return spec.doc if spec is not None else None
    if kind == "stats function":
        from spl import aggregates

        agg = aggregates.lookup(name.replace("<N>", "50"))
        return agg.doc if agg is not None else None
    return None


def _eval_functions() -> list[str]:
    from spl.eval import functions

    return functions.names()


def _stats_functions() -> list[str]:
    from spl import aggregates

    return aggregates.names()


# ---------------------------------------------------------------- the prompt


STYLE = {
    "spl.command": "bold ansiblue",
    "spl.keyword": "bold ansimagenta",
    "spl.function": "ansicyan",
    "spl.field": "ansigreen",
    "spl.string": "ansiyellow",
    "spl.number": "ansiyellow",
    "spl.macro": "bold ansired",
    "spl.operator": "ansibrightblack",
    "spl.pipe": "bold",
    "spl.bracket": "bold",
    "spl.comment": "italic ansibrightblack",
    "spl.meta": "ansicyan",
}


def _key_bindings():
    from prompt_toolkit.filters import emacs_insert_mode, is_searching, vi_insert_mode
    from prompt_toolkit.key_binding import KeyBindings

    kb = KeyBindings()

    @kb.add("enter", filter=(emacs_insert_mode | vi_insert_mode) & ~is_searching)
    def _enter(event):
        """Run a complete search; continue an unfinished one on a new line."""
        buffer = event.current_buffer
        if is_complete(buffer.text):
            buffer.validate_and_handle()
        else:
            buffer.insert_text("\n")

    return kb


def prompt_loop(repl: Repl, *, input=None, output=None, history=None) -> None:
    """Read inputs until Ctrl-D or .quit and hand each to ``repl.handle``.

    ``input``/``output`` are prompt_toolkit's (tests pass a pipe input and a DummyOutput);
    ``history`` defaults to the file at ``history_path()``.
    """
    from prompt_toolkit import PromptSession
    from prompt_toolkit.history import FileHistory, InMemoryHistory
    from prompt_toolkit.styles import Style

    if history is None:
        path = history_path()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(path, "ab"):  # FileHistory would only fail later, at the first Enter
                pass
            history = FileHistory(str(path))
        except OSError:
            repl.console.print(f"history not saved: cannot write {path}", style="dim", markup=False)
            history = InMemoryHistory()
    prompt: PromptSession[str] = PromptSession(
        "spl> ", multiline=True, prompt_continuation=lambda width, n, soft: "...> ".rjust(width),
        lexer=SplLexer(repl.field_names), completer=SplCompleter(repl.vocabulary()),
        complete_while_typing=False, history=history, key_bindings=_key_bindings(),
        style=Style.from_dict(STYLE), search_ignore_case=True, input=input, output=output)
    while not repl.done:
        try:
            text = prompt.prompt()
        except KeyboardInterrupt:
            continue  # Ctrl-C at the prompt drops what was typed
        except EOFError:
            break
        repl.handle(text)


def script_inputs(lines) -> list[str]:
    """Inputs from a non-interactive stream, split with the prompt's Enter rule."""
    inputs, pending = [], ""
    for line in lines:
        pending += line
        if is_complete(pending):
            if pending.strip():
                inputs.append(pending)
            pending = ""
    if pending.strip():
        inputs.append(pending)
    return inputs


def main(args) -> int:
    """``spl repl``: load ``--data``, then prompt (or read inputs from stdin when it is no terminal)."""
    import sys

    console = make_console(soft_wrap=False)
    interactive = sys.stdin.isatty()
    repl = Repl(console=console, fmt=args.format or "table", pager=False,
                session_options=dict(macros=args.macros, tz=args.tz, ta=args.ta,
                                     strict=args.strict, lookups=args.lookups,
                                     lookup_output=args.lookup_output,
                                     datamodels=getattr(args, "datamodels", [])))
    if args.data:
        options = {"sourcetype": args.sourcetype}
        if args.source:
            options["source"] = args.source
        with repl.reporting_errors():
            repl.load(args.data, **options)
    if not interactive:
        # a byte that is not UTF-8 becomes U+FFFD: one odd character must not end the script
        stream = io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8", errors="replace")
        for text in script_inputs(stream):
            repl.handle(text)
            if repl.done:
                break
        return 0
    repl.banner()
    prompt_loop(repl)
    return 0
