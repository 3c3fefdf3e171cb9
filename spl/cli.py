"""The ``spl`` command: run, detect, check, explain (and the REPL, and test).

Exit status: 0 ok, 1 the search failed to run (or a detection test failed), 2 bad usage, a syntax
or macro error. No traceback reaches the user: every error prints as its message, with a caret
under the search text where it has one (set SPL_DEBUG=1 to see the traceback of an internal error).
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from importlib import resources
from pathlib import Path

from rich.console import Console
from rich.text import Text

from spl.errors import MacroError, SplError, SplSyntaxError

EXAMPLES = resources.files("spl") / "examples"
EXAMPLE_DETECTION = "aws_bedrock_high_number_list_foundation_model_failures.yml"
EXAMPLE_DATA = "bedrock_cloudtrail.json"


def _data_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--data", action="append", default=[], metavar="PATH",
                   help="CloudTrail file or directory (NDJSON or Records, gzipped or not); repeatable")
    p.add_argument("--sourcetype", default="aws:cloudtrail")
    p.add_argument("--source", default=None, help="source field of the events (default: file path)")
    p.add_argument("--macros", action="append", default=[], metavar="DIR",
                   help="directory of macro definitions (YAML or macros.conf); repeatable")
    p.add_argument("--lookups", action="append", default=[], metavar="DIR",
                   help="directory of lookups (CSV files, security_content YAML definitions); repeatable")
    p.add_argument("--lookup-output", default=None, metavar="DIR",
                   help="where outputlookup writes (default: $SPL_LOOKUP_DIR or $XDG_DATA_HOME/spl/lookups)")
    p.add_argument("--tz", default="UTC", help="time zone for rendering and parsing times (IANA name)")
    p.add_argument("--ta", default=None, metavar="PATH",
                   help="use the sourcetype definitions of this Splunk Add-on for AWS directory")
    p.add_argument("--strict", action="store_true", help="a bad line of data is an error")
    p.add_argument("--format", choices=("table", "json", "csv"), default=None,
                   help="output format (default: table on a terminal, json otherwise)")


def _scheduler_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--scheduler", default=None, metavar="ADDRESS",
                   help="run the search's map side on a Dask cluster: tcp://host:8786, or "
                        "local:N for N local workers (default: $SPL_SCHEDULER; needs the dask "
                        "extra: pip install 'spl-cloudtrail[dask]')")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="spl", description="Run Splunk SPL over local CloudTrail logs.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("run", help="run a search over files")
    p.add_argument("search", help="the SPL search text")
    _data_options(p)
    _scheduler_option(p)

    p = sub.add_parser("detect", help="run a detection YAML's search verbatim")
    p.add_argument("detection", nargs="?", help="detection YAML file")
    p.add_argument("--example", action="store_true",
                   help="run the bundled example detection on the bundled example data")
    _data_options(p)

    p = sub.add_parser("repl", help="interactive SPL over loaded files")
    _data_options(p)

    p = sub.add_parser("test", help="run detections' tests against their attack_data")
    p.add_argument("paths", nargs="+", metavar="PATH", help="detection YAMLs or directories")
    p.add_argument("--attack-data", default=None, metavar="DIR",
                   help="local clone of splunk/attack_data (LFS files pulled)")
    p.add_argument("--cache", default=None, metavar="DIR", help="download cache directory")
    p.add_argument("--offline", action="store_true", help="never download")
    p.add_argument("-j", "--jobs", type=int, default=1, metavar="N", help="parallel workers")
    p.add_argument("--junit", default=None, metavar="FILE", help="write JUnit XML")
    p.add_argument("--summary", default=None, metavar="FILE", help="write a YAML summary")
    p.add_argument("--macros", action="append", default=[], metavar="DIR")
    p.add_argument("--format", choices=("table", "json"), default="table")

    p = sub.add_parser("check", help="parse searches of detections and .spl files")
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("--macros", action="append", default=[], metavar="DIR")
    p.add_argument("--exec-coverage", action="store_true",
                   help="also run each search (over --data, or no events) and report where it stops")
    p.add_argument("--data", action="append", default=[], metavar="PATH",
                   help="with --exec-coverage: events to run the searches over; repeatable")
    p.add_argument("--lookups", action="append", default=[], metavar="DIR",
                   help="with --exec-coverage: directory of lookups; repeatable")
    p.add_argument("--format", choices=("table", "json"), default="table")

    p = sub.add_parser("explain", help="show the expanded search and its parsed pipeline")
    p.add_argument("search")
    p.add_argument("--macros", action="append", default=[], metavar="DIR")
    return parser


def _prepare(args, search: str, err: Console):
    """Parse first (a typo should not wait for the data), start reading, and only then import
    the engine: worker processes read a large file while pandas and the commands load.
    Returns (session, parsed)."""
    from spl import data
    from spl.frontend import parse_search
    from spl.plan import required_fields, search_terms

    parsed = parse_search(search, [Path(m) for m in args.macros])
    fields = required_fields(parsed.pipeline)
    terms = search_terms(parsed.pipeline)  # one search: skip records it cannot match
    progress = sys.stderr.isatty()
    mapper = _mapper(parsed, args)
    scheduler = None
    if getattr(args, "scheduler", None) is not None or "SPL_SCHEDULER" in os.environ:
        from spl.distributed import scheduler_option

        scheduler = scheduler_option(getattr(args, "scheduler", None))
    if scheduler is not None and mapper is not None:
        reading = None
    else:
        reading = data.begin(args.data, sourcetype=args.sourcetype, fields=fields, ta=args.ta,
                             strict=args.strict, terms=terms, mapper=mapper, source=args.source)
    try:
        from spl.engine import check_supported
        from spl.session import Session

        try:
            check_supported(parsed.pipeline)
        except SplError as e:
            raise parsed.relocate(e) from None
        session = Session(macros=args.macros, tz=args.tz, ta=args.ta, strict=args.strict,
                          progress=progress, lookups=args.lookups,
                          lookup_output=args.lookup_output, fields=fields, terms=terms)
        if reading is None:  # on a Dask cluster
            session.partials, found = _on_cluster(scheduler, mapper, args, fields, terms)
            session.problems.extend(found)
        elif reading.build is not None:
            session.partials, found = reading.finish_mapped(progress=progress)
            session.problems.extend(found)
            session.files.extend(str(f) for f in reading.files)
        else:
            session.add(reading.finish(source=args.source, progress=progress))
    finally:
        if reading is not None:
            reading.cancel()
    _report_problems(session, err)
    return session, parsed


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
    """The map side of the search for the reader's workers (spl.mapreduce): only partial
    results come back to this process. None when the search runs over one table: a strict
    read, a generating search, a subsearch (it searches every event first)."""
    from spl.mapjob import MapJob
    from spl.syntax import ast

    pipeline = parsed.pipeline
    if args.strict or (pipeline.generating and not (
            pipeline.commands and isinstance(pipeline.commands[0], ast.Search))):
        return None
    if any(isinstance(n, (ast.Subsearch, ast.SubsearchTerm)) for n in ast.walk(pipeline)):
        return None
    from spl.lookups import Lookups

    return MapJob(pipeline, args.tz, time.time(), parsed.expanded,
                  Lookups(args.lookups, args.lookup_output))


def _report_problems(session, err: Console) -> None:
    if session.problems:
        first = session.problems[0]
        err.print(f"warning: {len(session.problems)} problem(s) reading the data; first: "
                  f"{first.render()}", markup=False, highlight=False)


def _cmd_run(args, out: Console, err: Console) -> int:
    if not args.data:
        err.print("error: give at least one --data PATH")
        return 2
    session, parsed = _prepare(args, args.search, err)
    from spl import render  # after _prepare: it imports pandas

    table = session.run(parsed)
    render.show(table, args.format, out, args.tz)
    return 0


def _cmd_detect(args, out: Console, err: Console) -> int:
    if args.example:
        with resources.as_file(EXAMPLES) as folder:
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
    session, parsed = _prepare(args, det.search, err)
    from spl import render  # after _prepare: it imports pandas

    table = session.run(parsed)
    messages = ([detections.fill_message(det.message, row) for row in detections.row_dicts(table)]
                if det.message else [])
    if args.format == "json":
        out.print(render.to_json(table, args.tz, [{"_risk_message": m} for m in messages]),
                  markup=False, highlight=False, soft_wrap=True)
        return 0
    if args.format == "csv":
        render.show(table, "csv", out, args.tz)
        return 0
    out.print(Text(det.name, style="bold"))
    render.show(table, "table", out, args.tz)
    for m in messages:
        out.print(Text.assemble(("risk: ", "red"), m))
    return 0


def _cmd_check(args, out: Console, err: Console) -> int:
    from spl.check import main_check

    if args.exec_coverage:
        from spl.check import main_exec_coverage

        return main_exec_coverage(args.paths, args.macros, args.format, args.data, args.lookups)
    return main_check(args.paths, args.macros, args.format)


def _cmd_explain(args, out: Console, err: Console) -> int:
    from spl.check import main_explain

    return main_explain(args.search, args.macros)


def _cmd_repl(args, out: Console, err: Console) -> int:
    from spl.repl import main as repl_main

    return repl_main(args)


def _cmd_test(args, out: Console, err: Console) -> int:
    from spl.testing import main as test_main

    return test_main(args)


COMMANDS = {"test": _cmd_test, "repl": _cmd_repl, "run": _cmd_run, "detect": _cmd_detect, "check": _cmd_check, "explain": _cmd_explain}


def _known_zone(name: str) -> bool:
    from zoneinfo import ZoneInfo

    try:
        ZoneInfo(name)
    except (ValueError, KeyError, OSError):
        return False
    return True


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    out = Console(soft_wrap=False)
    err = Console(stderr=True, soft_wrap=True)  # a wrapped line would move the caret
    if args.command is None:
        if sys.stdin.isatty() and sys.stdout.isatty():
            args = parser.parse_args(["repl"])
        else:
            parser.print_help()
            return 2
    if getattr(args, "format", "x") is None:
        args.format = "table" if sys.stdout.isatty() else "json"
    if getattr(args, "tz", "UTC") != "UTC" and not _known_zone(args.tz):
        err.print(f"error: --tz {args.tz!r} is not a time zone name (e.g. UTC, Europe/Paris)",
                  markup=False, highlight=False)
        return 2
    try:
        return COMMANDS[args.command](args, out, err)
    except (SplSyntaxError, MacroError) as exc:
        err.print(exc.render(), markup=False, highlight=False)
        return 2
    except SplError as exc:
        err.print(exc.render(), markup=False, highlight=False)
        return 1
    except KeyboardInterrupt:
        err.print("interrupted")
        return 130
    except Exception as exc:  # a bug of ours: say so plainly, without a traceback
        if os.environ.get("SPL_DEBUG"):
            raise
        err.print(f"internal error: {type(exc).__name__}: {exc} (set SPL_DEBUG=1 for details)",
                  markup=False, highlight=False)
        return 1


if __name__ == "__main__":
    sys.exit(main())
