"""The ``spl`` command: run, detect, check, explain (and the REPL, and test).

Exit status: 0 ok, 1 the search failed to run (or a detection test failed, or the data given held
no event), 2 bad usage, a syntax or macro error, 141 (128 + SIGPIPE, as for a command the signal
ends) when the reader of the output went away (``spl run ... | head``). No traceback reaches the
user: every error prints as its message, with a caret under the search text where it has one (set
SPL_DEBUG=1 to see the traceback of an internal error).
"""
from __future__ import annotations

import argparse
import contextlib
import gc
import json
import os
import sys
import time
import warnings
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

    from rich.console import Console

    from spl.errors import DataError, SplError

    EXAMPLES: Traversable  # the bundled examples: made by __getattr__ when first asked for

# Start-up: only what ``spl --help`` and ``spl --version`` need is imported here; spl.errors
# (dataclasses), rich, spl.render, importlib.resources, the parser and pandas are imported where
# they are first used. tests/test_startup.py checks which modules each path imports.
DISTRIBUTION = "spl-cloudtrail"  # the [project] name in pyproject.toml
EXAMPLE_DETECTION = "aws_bedrock_high_number_list_foundation_model_failures.yml"
EXAMPLE_DATA = "bedrock_cloudtrail.json"
# Table output shows this many results by default, as Splunk's CLI search returns its first 100
# (maxout; https://help.splunk.com/splunk-enterprise/spl-search-reference/9.4/search-in-the-cli/
# syntax-for-searches-in-the-cli): a screenful or two of cards, while the count says how many.
MAX_ROWS = 100
BROKEN_PIPE = 141
FORMAT_HELP = "output format (default: table on a terminal, json otherwise)"
FORMATS = ("--format json (the default when piped) prints one array of result objects (a "
           "multivalue field is an array); csv a header and rows; table the first --max-rows.")
MACROS_HELP = ("directory of macro definitions (YAML or macros.conf), added to those of the "
               "content tree; repeatable")


def __getattr__(name: str) -> Any:
    if name == "EXAMPLES":  # importlib.resources is imported only when they are used
        return _examples()
    raise AttributeError(f"module 'spl.cli' has no attribute {name!r}")


def _examples() -> Traversable:
    from importlib import resources

    return resources.files("spl") / "examples"


class _LazyConsole:
    """A rich Console made on first use. ``file`` needs none: JSON and CSV output write to it
    alone, and importing rich costs a start ~35 ms."""

    def __init__(self, **options: Any) -> None:
        self._options = options
        self._console: Console | None = None

    @property
    def file(self):
        return sys.stderr if self._options.get("stderr") else sys.stdout

    def __getattr__(self, name: str) -> Any:
        if self._console is None:
            from rich.console import Console

            self._console = Console(**self._options)
        return getattr(self._console, name)


def _console(**options: Any) -> Console:
    """A Console that imports rich only when something other than its file is used."""
    return cast("Console", _LazyConsole(**options))


class _StartGC:
    """Python's cyclic garbage collector while ``spl`` starts as a command (not when main() is
    called by a program: gc.freeze acts on the whole process).

    Loading lark, the grammar, numpy and pandas makes a few hundred thousand long-lived objects
    and almost no garbage, yet each collection walks all of them (a quarter of a small search's
    CPU time). So the collector is off while a block of loading runs, then on again with what
    was loaded frozen (gc.freeze: left out of every later collection); no data is read and no
    search runs inside such a block. At the end, freezing again spares the exit's full
    collections of everything still alive."""

    def __init__(self) -> None:
        self.active = False

    @contextlib.contextmanager
    def loading(self) -> Iterator[None]:
        if not (self.active and gc.isenabled()):
            yield
            return
        gc.disable()
        try:
            yield
        finally:
            gc.freeze()
            gc.enable()

    def exiting(self) -> None:
        if self.active:
            gc.freeze()


_GC = _StartGC()


def _data_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--data", action="append", default=[], metavar="PATH",
                   help="CloudTrail file or directory (NDJSON, Records, lookup-events, EventBridge, "
                        "JSON arrays, gzipped or not; - reads standard input); repeatable")
    p.add_argument("--sourcetype", default=None,
                   help="sourcetype of every file (default: each file's, from its content)")
    p.add_argument("--source", default=None, help="source field of the events (default: file path)")
    p.add_argument("--macros", action="append", default=[], metavar="DIR", help=MACROS_HELP)
    p.add_argument("--lookups", action="append", default=[], metavar="DIR",
                   help="directory of lookups (CSV files, security_content YAML definitions); repeatable")
    p.add_argument("--lookup-output", default=None, metavar="DIR",
                   help="where outputlookup writes (default: $SPL_LOOKUP_DIR or $XDG_DATA_HOME/spl/lookups)")
    p.add_argument("--tz", default="UTC", help="time zone for rendering and parsing times (IANA name)")
    p.add_argument("--ta", default=None, metavar="PATH",
                   help="use the sourcetype definitions of this Splunk Add-on for AWS directory")
    p.add_argument("--strict", action="store_true", help="a bad line of data is an error")
    p.add_argument("--problems", action="store_true",
                   help="list every data problem (default: a summary and the first few)")
    p.add_argument("--format", choices=("table", "json", "csv"), default=None, help=FORMAT_HELP)
    p.add_argument("--datamodels", action="append", default=[], metavar="DIR",
                   help="directory of data model JSON files, searched before spl's own; repeatable")


def _discover_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--no-discover", action="store_true",
                   help="do not use the macros/, lookups/ and baselines/ of the security_content "
                        "tree the YAML sits in (the nearest folder above it holding them)")


def _baseline_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--baselines", action="append", default=[], metavar="DIR",
                   help="directory of baseline YAMLs (besides the baselines/ of the detection's "
                        "content tree); repeatable")
    p.add_argument("--baseline-data", action="append", default=[], metavar="PATH",
                   help="events the baselines read (default: --data); repeatable")


def _max_rows(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        n = -1
    if n < 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of rows (0 or more)")
    return n


def _output_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--max-rows", type=_max_rows, default=MAX_ROWS, metavar="N",
                   help=f"table output: show the first N results (default {MAX_ROWS}, 0 = all); "
                        "json and csv always hold every result")


def _scheduler_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--scheduler", default=None, metavar="ADDRESS",
                   help="run the search's map side on a Dask cluster: tcp://host:8786, or "
                        "local:N for N local workers (default: $SPL_SCHEDULER; needs the dask "
                        "extra: pip install 'spl-cloudtrail[dask]')")


class _Version(argparse.Action):
    """``--version``: the installed distribution's version (pyproject.toml is the one place it is
    written), looked up only when asked so that every other start stays light."""

    def __init__(self, option_strings, dest, help=None):
        super().__init__(option_strings, dest=argparse.SUPPRESS, default=argparse.SUPPRESS,
                         nargs=0, help=help)

    def __call__(self, parser, namespace, values, option_string=None):
        from importlib import metadata

        try:
            version = metadata.version(DISTRIBUTION)
        except metadata.PackageNotFoundError:
            version = f"unknown ({DISTRIBUTION} is not installed: pip install -e .)"
        print(f"spl {version}")
        parser.exit()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="spl", description="Run Splunk SPL over local CloudTrail logs.")
    parser.add_argument("--version", action=_Version, help="print the version and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("run", help="run a search over files",
                       description="Run a search over files. A search that starts with a "
                                   "generating command reading no events (| makeresults, "
                                   "| inputlookup) needs no --data. " + FORMATS)
    p.add_argument("search", help="the SPL search text")
    _data_options(p)
    _output_options(p)
    _scheduler_option(p)

    p = sub.add_parser("detect", help="run a detection YAML's search verbatim",
                       description="Run a detection YAML's search verbatim, with the macros, "
                                   "lookups and baselines of the content tree it sits in. "
                                   + FORMATS + " With json, each result also holds "
                                   "_risk_message: the detection's message filled in.")
    p.add_argument("detection", nargs="?", help="detection YAML file")
    p.add_argument("--example", action="store_true",
                   help="run the bundled example detection on the bundled example data")
    _data_options(p)
    _output_options(p)
    _scheduler_option(p)
    _baseline_options(p)
    _discover_option(p)

    p = sub.add_parser("baseline", help="run a baseline YAML's search (it fills a lookup)")
    p.add_argument("baseline", help="baseline YAML file")
    _data_options(p)
    _discover_option(p)

    p = sub.add_parser("repl", help="interactive SPL over loaded files")
    _data_options(p)

    p = sub.add_parser("test", help="run detections' tests against their attack_data",
                       description="Run detections' tests against their attack_data, judged as "
                                   "contentctl judges them. --format json (the default when "
                                   "piped) prints one array of test objects {detection, file, "
                                   "test, verdict, reason, results, columns, rows, seconds, "
                                   "status, type, expect}. Exit status: 0 ok, 1 a test failed "
                                   "or erred, 3 nothing was tested (no test passed: each was "
                                   "unavailable, unsupported or skipped, not all skipped), 2 "
                                   "bad usage.")
    p.add_argument("paths", nargs="+", metavar="PATH", help="detection YAMLs or directories")
    p.add_argument("--attack-data", default=None, metavar="DIR",
                   help="local clone of splunk/attack_data (LFS files pulled)")
    p.add_argument("--cache", default=None, metavar="DIR", help="download cache directory")
    p.add_argument("--offline", action="store_true", help="never download")
    p.add_argument("-j", "--jobs", type=int, default=1, metavar="N", help="parallel workers")
    p.add_argument("--junit", default=None, metavar="FILE", help="write JUnit XML")
    p.add_argument("--summary", default=None, metavar="FILE", help="write a YAML summary")
    p.add_argument("--macros", action="append", default=[], metavar="DIR", help=MACROS_HELP)
    p.add_argument("--format", choices=("table", "json"), default=None, help=FORMAT_HELP)
    _baseline_options(p)
    _discover_option(p)

    p = sub.add_parser("check", help="parse searches of detections and .spl files",
                       description="Parse the searches of detection YAMLs and .spl files (each "
                                   "YAML with the macros of its content tree) and say what "
                                   "spl cannot run yet. --format json (the default when piped) "
                                   "prints one object, with or without --exec-coverage: "
                                   "{\"results\": [{path, status, message, rows (with "
                                   "--exec-coverage)}], \"summary\": {status: count}, "
                                   "\"content_trees\": [{macros, lookups, baselines}]}.")
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("--macros", action="append", default=[], metavar="DIR", help=MACROS_HELP)
    p.add_argument("--exec-coverage", action="store_true",
                   help="also run each search (over --data, or no events) and report where it stops")
    p.add_argument("--data", action="append", default=[], metavar="PATH",
                   help="with --exec-coverage: events to run the searches over; repeatable")
    p.add_argument("--lookups", action="append", default=[], metavar="DIR",
                   help="with --exec-coverage: directory of lookups; repeatable")
    p.add_argument("--baselines", action="append", default=[], metavar="DIR",
                   help="with --exec-coverage: directory of baseline YAMLs; repeatable")
    p.add_argument("--format", choices=("table", "json"), default=None, help=FORMAT_HELP)
    _discover_option(p)

    p = sub.add_parser("explain", help="show the expanded search and its parsed pipeline")
    p.add_argument("search", help="the SPL search text, or a detection YAML's path")
    p.add_argument("--macros", action="append", default=[], metavar="DIR", help=MACROS_HELP)
    _discover_option(p)

    p = sub.add_parser("help", help="list the supported commands or eval functions",
                       description="Print the commands or eval functions spl runs, each with "
                                   "its syntax and a one-line description (the same text as "
                                   "docs/reference.md).")
    p.add_argument("topic", choices=("commands", "functions"))
    _hunt_parser(sub)
    return parser


def _prepare(args, search: str, err: Console, streamed: bool = False):
    """Parse first (a typo should not wait for the data), start reading, and only then import
    the engine: worker processes read a large file while pandas and the commands load.
    Returns (session, parsed). ``streamed``: the results are written as they come, so a search
    of events as they are (spl.session.Session.stream) is read by the loads' index."""
    with _GC.loading():
        from spl import data
        from spl.data.prefilter import keeps_every_line
        from spl.frontend import parse_search
        from spl.plan import reads_by_session, required_fields, returns_events, search_terms

        parsed = parse_search(search, [Path(m) for m in args.macros])
    if not args.data:
        return _without_data(args, parsed), parsed
    fields = required_fields(parsed.pipeline)
    terms = search_terms(parsed.pipeline)  # one search: skip records it cannot match
    progress = sys.stderr.isatty()
    mapper = _mapper(parsed, args)
    scheduler = None
    if getattr(args, "scheduler", None) is not None or "SPL_SCHEDULER" in os.environ:
        from spl.distributed import scheduler_option

        scheduler = scheduler_option(getattr(args, "scheduler", None))
    if scheduler is None and fields is None and (
            _picks_by_head(parsed.pipeline) or reads_by_session(parsed.pipeline)
            or streamed and returns_events(parsed.pipeline) and keeps_every_line(terms)):
        return _indexed_session(args, parsed, err, progress), parsed
    if scheduler is not None and mapper is not None:
        reading = None
    else:
        reading = data.begin(args.data, sourcetype=args.sourcetype, fields=fields, ta=args.ta,
                             strict=args.strict, terms=terms, mapper=mapper, source=args.source)
    try:
        session = _session(args, parsed, progress=progress, fields=fields, terms=terms)
        events: int | None = None  # events read (None: not known, on a Dask cluster)
        if reading is None:  # on a Dask cluster
            assert scheduler is not None
            session.partials, found = _on_cluster(scheduler, mapper, args, fields, terms)
            session.problems.extend(found)
        elif reading.build is not None:
            session.partials, found = reading.finish_mapped(progress=progress)
            session.problems.extend(found)
            session.files.extend(str(f) for f in reading.files)
            events = reading.events
        else:
            result = reading.finish(source=args.source, progress=progress)
            session.add(result)
            events = len(result.table)
    finally:
        if reading is not None:
            reading.cancel()
    _report_problems(session.problems, err, args.problems, args.format == "json")
    if events == 0 and reading is not None and (
            terms is None or args.strict or not data.readers.has_record(reading.files)):
        raise _no_events(reading.files, session.problems)
    return session, parsed


def _picks_by_head(pipeline) -> bool:
    """A search of every field of a few events: searches, then a plain ``head N``."""
    from spl.syntax import ast

    cmds = pipeline.commands
    k = next((i for i, c in enumerate(cmds) if not isinstance(c, ast.Search)), len(cmds))
    return (not pipeline.generating and 0 < k < len(cmds) and isinstance(cmds[k], ast.Head)
            and cmds[k].expr is None and not cmds[k].options)


def _indexed_session(args, parsed, err: Console, progress: bool):
    """The Session for a search that picks a few whole events by ``head`` (_picks_by_head),
    writes events as they come, or is best run by the Session (spl.plan.reads_by_session):
    loading reads every event's time and where its file's pieces are; the search then reads
    what it needs (spl.session.Session: every field of only the pieces holding the newest
    events for ``head``), instead of every field of every event."""
    from spl import data

    session = _session(args, parsed, progress=progress)
    session.load(args.data, sourcetype=args.sourcetype, source=args.source)
    _report_problems(session.problems, err, args.problems, args.format == "json")
    if not len(session.times):
        files = [f for f in data.readers.expand(args.data) if isinstance(f, Path)]
        raise _no_events(files, session.problems)
    return session


# Generating commands that make their results without reading events: a search starting with
# one needs no --data (tstats, from and datamodel read the events, so they do).
NO_EVENTS_NEEDED = ("makeresults", "inputlookup")


def _without_data(args, parsed):
    """A Session with no events, for a search that starts with a command of NO_EVENTS_NEEDED;
    any other search without --data is a usage error saying so."""
    from spl.errors import UsageError

    commands = parsed.pipeline.commands
    if not (parsed.pipeline.generating and commands
            and commands[0].name in NO_EVENTS_NEEDED):
        raise UsageError("give at least one --data PATH (only a search starting with "
                         "| makeresults or | inputlookup runs without data)")
    return _session(args, parsed)


def _session(args, parsed, **options):
    """The engine's Session for the command line's options, once the search is known to run
    (an unsupported command is told with its place in the search before anything else)."""
    from spl.engine import check_supported
    from spl.errors import SplError
    from spl.session import Session

    try:
        check_supported(parsed.pipeline)
    except SplError as e:
        raise parsed.relocate(e) from None
    return Session(macros=args.macros, tz=args.tz, ta=args.ta, strict=args.strict,
                   lookups=args.lookups, lookup_output=args.lookup_output,
                   datamodels=args.datamodels, **options)


def _content_tree(args, path: str) -> None:
    """Add the macros/ and lookups/ of the content tree ``path`` sits in (spl.content) before
    the directories given, unless --no-discover; remember its baselines/."""
    from spl import content

    tree = content.discover(path, not args.no_discover)
    args.macros = [*map(str, tree.macros), *args.macros]
    args.lookups = [*map(str, tree.lookups), *args.lookups]
    args.tree_baselines = tree.baselines


def _on_cluster(scheduler: str, mapper, args, fields, terms):
    """The map side's partials and the problems, computed on a Dask cluster (spl.distributed)."""
    from spl.distributed import connect, map_on_cluster

    client = connect(scheduler)
    try:
        return map_on_cluster(client, args.data, mapper=mapper, sourcetype=args.sourcetype,
                              fields=fields, ta=args.ta, terms=terms, source=args.source)
    finally:
        cluster = client.cluster
        client.close()
        if cluster is not None and scheduler.startswith("local"):
            cluster.close()


def _mapper(parsed, args):
    """The map side of the search for the reader's workers (spl.mapjob.for_search)."""
    from spl.lookups import Lookups
    from spl.mapjob import for_search

    return for_search(parsed.pipeline, tz=args.tz, now=time.time(), text=parsed.expanded,
                      lookups=Lookups(args.lookups, args.lookup_output), strict=args.strict)

SHOWN_PROBLEMS = 5  # problems listed without --problems


def _report_problems(problems, err: Console, every: bool, as_json: bool) -> None:
    """A summary line (counts by kind), then the first few problems, root causes first
    (unreadable files and gzip damage before JSON errors), or all of them (``every``); as JSON
    lines on stderr with ``as_json``."""
    if not problems:
        return
    from spl.data.readers import RANK

    counts = Counter(p.kind for p in problems)
    skipped = sum(p.dropped for p in problems)
    ordered = sorted(problems, key=lambda p: RANK.get(p.kind, len(RANK)))
    shown = ordered if every else ordered[:SHOWN_PROBLEMS]
    if as_json:
        lines = [{"problems": len(problems), "skipped": skipped, "kept": len(problems) - skipped,
                  "kinds": dict(counts.most_common())}]
        lines += [{"file": p.file, "line": p.line, "kind": p.kind, "reason": p.reason,
                   "skipped": p.dropped} for p in shown]
        for line in lines:
            err.print(json.dumps(line), markup=False, highlight=False, soft_wrap=True)
        return
    real = [p for p in problems if not p.notice]
    notes = [p for p in problems if p.notice]
    parts = []
    if real:
        parts.append(f"{len(real)} data problem{'s' if len(real) != 1 else ''} ({_kinds(real)}): "
                     f"{sum(p.dropped for p in real)} skipped, "
                     f"{sum(not p.dropped for p in real)} kept")
    if notes:
        parts.append(f"{len(notes)} skipped as not events ({_kinds(notes)})")
    err.print(f"{'warning' if real else 'note'}: {'; '.join(parts)}", markup=False,
              highlight=False)
    from spl.render import inert

    for p in shown:
        err.print(f"  {inert(p.render())}", markup=False, highlight=False)
    if len(shown) < len(problems):
        err.print(f"  ... and {len(problems) - len(shown)} more (--problems lists them all)",
                  markup=False, highlight=False)


def _kinds(problems) -> str:
    """'2 not JSON, 1 gzip damage': the problems counted by kind, most first."""
    return ", ".join(f"{n} {k}" for k, n in Counter(p.kind for p in problems).most_common())


def _no_events(files, problems) -> DataError:
    """The error for a load that read no event: why, and what the files suggest."""
    from spl.data.readers import hint, shown_name
    from spl.errors import DataError

    real = [p for p in problems if not p.notice]
    if not files:
        why = "no file to read" + (" (see the problems above)" if problems else "")
    elif problems and not real:
        why = "the files hold no events (only CloudTrail-Digest files or links, skipped)"
    elif real:
        why = (f"every record was skipped ({len(real)} problem{'s' if len(real) != 1 else ''} "
               f"above)")
    else:
        why = "the files hold no JSON records"
    hints = [f"{shown_name(f)}: {h}" for f in files[:20] for h in [hint(f)] if h][:3]
    message = f"no events read from the data ({len(files)} file{'s' if len(files) != 1 else ''}): {why}"
    if hints:
        message += "\n  hint: " + "\n  hint: ".join(hints)
    return DataError(message)


def _report_warnings(session, err: Console) -> None:
    for text in session.last_warnings:
        err.print(f"warning: {text}", markup=False, highlight=False)


def _cmd_run(args, out: Console, err: Console) -> int:
    streamed = args.format in ("json", "csv")  # written a batch at a time, never all held
    session, parsed = _prepare(args, args.search, err, streamed)
    from spl import output, render  # after _prepare: they import pandas

    parts = session.stream(parsed) if streamed else None
    if parts is not None:
        if args.format == "csv":
            from spl.eventindex import loader_order

            parts = output.uniform(parts, loader_order)
        output.write(args.format, parts, output.byte_stream(out.file), args.tz)
        _report_warnings(session, err)
        return 0
    table = session.run(parsed)
    _report_warnings(session, err)
    _not_shown(out, len(table), render.show(table, args.format, out, args.tz, args.max_rows))
    return 0


def _not_shown(out: Console, total: int, shown: int) -> None:
    if shown < total:
        more = total - shown
        out.print(f"{more} more result{'s' if more != 1 else ''} not shown "
                  "(use --max-rows or --format json)", style="dim", markup=False,
                  highlight=False)


def _cmd_detect(args, out: Console, err: Console) -> int:
    if args.example:
        from importlib import resources

        with resources.as_file(_examples()) as folder:
            args.detection = str(folder / EXAMPLE_DETECTION)
            args.data = args.data or [str(folder / EXAMPLE_DATA)]
            args.source = args.source or "aws_cloudtrail"
            return _detect(args, out, err)
    if not args.detection:
        err.print("error: give a detection YAML, or --example")
        return 2
    if not args.data:
        err.print("error: give at least one --data PATH")
        return 2
    return _detect(args, out, err)


def _detect(args, out, err) -> int:
    from spl import detections

    det = detections.load(args.detection)
    _content_tree(args, args.detection)
    session, parsed = _prepare(args, det.search, err)
    from spl import baselines, output, render  # after _prepare: they import pandas

    catalog = baselines.Catalog([*map(Path, args.baselines), *args.tree_baselines])
    with baselines.scratch_dir() as scratch:
        listed = det.raw.get("baselines")
        for ran in baselines.fill(
                session, parsed.pipeline, catalog, Path(scratch),
                lambda s: s.load(args.baseline_data or args.data, sourcetype=args.sourcetype,
                                 source=args.source),
                detection_name=det.name, listed=listed if isinstance(listed, list) else ()):
            err.print(f"ran baseline {ran.baseline.name!r} ({ran.baseline.path}): "
                      f"{ran.rows} row(s)", markup=False, highlight=False)
        table = session.run(parsed)
    _report_warnings(session, err)
    messages = ([detections.fill_message(det.message, row) for row in detections.row_dicts(table)]
                if det.message else [])
    if args.format == "json":
        output.write("json", output.batches(table), output.byte_stream(out.file), args.tz,
                     [{"_risk_message": m} for m in messages])
        return 0
    if args.format == "csv":
        render.show(table, "csv", out, args.tz)
        return 0
    from rich.text import Text

    from spl.render import inert

    out.print(Text(inert(det.name), style="bold"))
    shown = render.show(table, "table", out, args.tz, args.max_rows)
    for m in messages[:shown]:
        out.print(Text.assemble(("risk: ", "red"), inert(m)))
    _not_shown(out, len(table), shown)
    return 0


# ---- spl hunt (spl/hunt/): its options are here, so that building the parser imports nothing
# heavy; spl.hunt.cli runs it.
HUNT_HELP = """Run every detection in DIR|FILES over the data as Enterprise Security would: findings,
risk events (ES's risk action), ES's two default risk incident rules, drilldown searches.
Detections whose search does not read the data's sourcetype are listed as not_applicable.
Exit status: 0 no findings, 1 findings, 2 the hunt could not run."""


def _hunt_parser(sub) -> None:
    p = sub.add_parser("hunt", help="run a detection pack with ES risk-based alerting",
                       description=HUNT_HELP)
    p.add_argument("paths", nargs="+", metavar="DIR|FILE", help="detection YAMLs or folders")
    _data_options(p)
    p.add_argument("--baselines", action="append", default=[], metavar="DIR",
                   help="directory of baseline YAMLs; repeatable")
    p.add_argument("-j", "--jobs", type=int, default=0, metavar="N",
                   help="detections run at once (default: one per core)")
    p.add_argument("--risk-out", default=None, metavar="FILE",
                   help="write the risk events: NDJSON (loadable back as sourcetype risk), or "
                        "CSV for a .csv name")
    p.add_argument("--report", default=None, metavar="FILE.html",
                   help="also write a self-contained HTML report a person reads (needs the "
                        "report extra: pip install 'spl-cloudtrail[report]')")
    p.add_argument("--run-drilldowns", action="store_true",
                   help="run each finding's drilldown searches and show their results")
    p.add_argument("--risk-threshold", type=float, default=100, metavar="N",
                   help="risk incident: summed risk_score above N (ES: 100)")
    p.add_argument("--risk-window", default=None, metavar="SPAN",
                   help="over the last SPAN of the data (default 24h)")
    p.add_argument("--tactic-threshold", type=int, default=3, metavar="N",
                   help="ATT&CK incident: at least N distinct tactics (ES: 3) ...")
    p.add_argument("--source-threshold", type=int, default=4, metavar="N",
                   help="... and at least N distinct detections (ES: 4)")
    p.add_argument("--tactic-window", default=None, metavar="SPAN",
                   help="over the last SPAN of the data (default 7d)")


def _cmd_hunt(args, out: Console, err: Console) -> int:
    from spl.hunt.cli import main as hunt_main

    return hunt_main(args, out, err)


def _cmd_check(args, out: Console, err: Console) -> int:
    from spl.check import main_check

    if args.exec_coverage:
        from spl.check import main_exec_coverage

        return main_exec_coverage(args.paths, args.macros, args.format, args.data, args.lookups,
                                  args.baselines, discover=not args.no_discover)
    return main_check(args.paths, args.macros, args.format, discover=not args.no_discover)


def _cmd_explain(args, out: Console, err: Console) -> int:
    from spl.check import main_explain

    return main_explain(args.search, args.macros, discover=not args.no_discover)


def _cmd_help(args, out: Console, err: Console) -> int:
    from spl import reference

    text = reference.commands() if args.topic == "commands" else reference.functions()
    out.file.write(text)
    return 0


def _cmd_repl(args, out: Console, err: Console) -> int:
    from spl.repl import main as repl_main

    return repl_main(args)


def _cmd_test(args, out: Console, err: Console) -> int:
    from spl.testing import main as test_main

    return test_main(args)


def _cmd_baseline(args, out: Console, err: Console) -> int:
    """Run one baseline by hand: its outputlookup writes into --lookup-output (the usual
    outputlookup directory)."""
    from spl import baselines

    if not args.data:
        err.print("error: give at least one --data PATH", markup=False)
        return 2
    found = baselines.read_baseline(Path(args.baseline))
    if found is None:
        err.print(f"error: {args.baseline}: not a baseline (no 'search:' text)")
        return 2
    _content_tree(args, args.baseline)
    session, parsed = _prepare(args, found.search, err)
    table = session.run(parsed)
    written = ", ".join(str(session.lookups.output_path(n)) for n in found.writes) or "nothing"
    out.print(f"baseline {found.name!r}: {len(table)} row(s); wrote {written}",
              markup=False, highlight=False)
    return 0


COMMANDS = {"baseline": _cmd_baseline, "test": _cmd_test, "repl": _cmd_repl, "run": _cmd_run,
            "detect": _cmd_detect, "check": _cmd_check, "explain": _cmd_explain,
            "help": _cmd_help, "hunt": _cmd_hunt}


def _stdout_gone() -> None:
    """The reader closed the pipe: point stdout at /dev/null, so that the flush at exit does
    not fail again and print Python's own complaint."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # stdout is not a file descriptor (a test's capture)
        pass
    finally:
        os.close(devnull)


def _error_text(exc: SplError) -> str:
    from spl.render import error_text

    return error_text(exc)


def main(argv: list[str] | None = None) -> int:
    _GC.active = argv is None  # spl as the process's command (see _StartGC)
    try:
        return _main(argv)
    finally:
        _GC.exiting()


def _main(argv: list[str] | None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)  # --help and --version end here
    from spl._validate import known_zone
    from spl.errors import MacroError, SplError, SplSyntaxError, UsageError

    out = _console(soft_wrap=False, emoji=False)  # data's ":smile:" is text, not an emoji
    err = _console(stderr=True, soft_wrap=True, emoji=False)  # a wrapped line would move the caret
    if args.command is None:
        if sys.stdin.isatty() and sys.stdout.isatty():
            args = parser.parse_args(["repl"])
        else:
            parser.print_help()
            return 2
    if getattr(args, "format", "x") is None:
        args.format = "table" if sys.stdout.isatty() else "json"
    if getattr(args, "tz", "UTC") != "UTC" and not known_zone(args.tz):
        err.print(f"error: --tz {args.tz!r} is not a time zone name (e.g. UTC, Europe/Paris)",
                  markup=False, highlight=False)
        return 2
    if not os.environ.get("SPL_DEBUG"):
        warnings.simplefilter("ignore")  # a library's warning is ours to fix, not the user's
    try:
        if hasattr(args, "lookup_output"):  # before any data is read: the directories apart
            with _GC.loading():
                from spl.lookups import Lookups

            Lookups(args.lookups, args.lookup_output)
        return COMMANDS[args.command](args, out, err)
    except (SplSyntaxError, MacroError, UsageError) as exc:
        err.print(_error_text(exc), markup=False, highlight=False)
        return 2
    except SplError as exc:
        err.print(_error_text(exc), markup=False, highlight=False)
        return 1
    except KeyboardInterrupt:
        err.print("interrupted")
        return 130
    except BrokenPipeError:
        _stdout_gone()
        return BROKEN_PIPE
    except Exception as exc:  # a bug of ours: say so plainly, without a traceback
        if os.environ.get("SPL_DEBUG"):
            raise
        from spl.render import inert

        err.print(f"internal error: {type(exc).__name__}: {inert(str(exc))} "
                  "(set SPL_DEBUG=1 for details)",
                  markup=False, highlight=False)
        return 1


if __name__ == "__main__":
    sys.exit(main())
