"""``spl hunt``'s options and output: table (a summary to read), json (the hunt document) or
csv (the risk events).

Exit status: 0 no findings, 1 findings, 2 the hunt could not run (bad usage, no such detection
folder, data that could not be read or held no event).
"""
from __future__ import annotations

import json
from pathlib import Path

from rich.console import Console
from rich.table import Table
from rich.text import Text

from spl.errors import SplError
from spl.render import error_text, inert


def main(args, out: Console, err: Console) -> int:
    from spl.hunt import HuntData, Options, Thresholds, risk_out, run_hunt

    if not args.data:
        err.print("error: give at least one --data PATH")
        return 2
    if "-" in args.data:
        err.print("error: spl hunt reads the data once for each detection: give files, not - "
                  "(standard input)", markup=False, highlight=False)
        return 2
    hd = HuntData(list(args.data), sourcetype=args.sourcetype or "aws:cloudtrail", source=args.source,
                  ta=Path(args.ta) if args.ta else None, strict=args.strict)
    opts = Options(macros=list(map(Path, args.macros)), lookups=list(map(Path, args.lookups)),
                   baselines=list(map(Path, args.baselines)),
                   datamodels=list(map(Path, args.datamodels)), tz=args.tz, jobs=args.jobs)
    th = Thresholds(args.risk_threshold, args.tactic_threshold, args.source_threshold,
                    args.risk_window, args.tactic_window)
    bar = _progress(err)
    try:
        with bar or _Nothing():
            result = run_hunt(args.paths, hd, opts, th, run_drilldowns=args.run_drilldowns,
                              progress=_callbacks(bar))
    except SplError as exc:
        err.print(error_text(exc), markup=False, highlight=False)
        return 2
    from spl.cli import _report_problems

    _report_problems(hd.problems, err, args.problems, args.format == "json")
    doc = result.doc
    try:
        if args.risk_out:
            risk_out(args.risk_out, doc)
        if args.report:
            from spl.hunt.report import write_report

            write_report(args.report, doc)
    except SplError as exc:
        err.print(error_text(exc), markup=False, highlight=False)
        return 2
    if args.format == "json":
        out.file.write(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
    elif args.format == "csv":
        from spl.hunt.riskdata import csv_text

        out.file.write(csv_text(doc["risk_events"]))
    else:
        show(doc, out)
    return result.exit_code


class _Nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def _progress(err: Console):
    if not err.is_terminal:
        return None
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(TextColumn("[bold]spl hunt[/]"), BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), TextColumn("{task.description}"), console=err,
                    transient=True)


def _callbacks(bar):
    from spl.hunt import Progress

    if bar is None:
        return Progress()
    task: list = []

    def start(total: int) -> None:
        task.append(bar.add_task("detections", total=total))

    def step(entry: dict) -> None:
        bar.update(task[0], advance=1, description=inert(entry["name"]))

    return Progress(start, step)


def show(doc: dict, out: Console) -> None:
    """The hunt as a person reads it: counts, incidents, findings with their risk, drilldowns,
    and the detections that did not run."""
    def say(text: Text) -> None:
        out.print(text, soft_wrap=True)

    s, d = doc["summary"], doc["data"]
    say(Text(f"{d['events']} events from {len(d['files'])} file(s); "
                   f"{s['detections']} detections: {s['fired']} fired, {s['quiet']} quiet, "
                   f"{s['not_applicable']} not applicable, {s['unsupported']} unsupported, "
                   f"{s['error']} error; {s['findings']} findings, {s['risk_events']} risk "
                   f"events, {s['incidents']} incidents", style="bold"))
    if doc["incidents"]:
        t = Table(title="risk incidents", title_justify="left")
        for c in ("rule", "risk object", "type", "score", "tactics", "detections"):
            t.add_column(c)
        for i in doc["incidents"]:
            t.add_row(i["rule"], inert(i["risk_object"] or ""), i["risk_object_type"] or "",
                      str(i["risk_score"]), ", ".join(i["tactics"]), str(i["source_count"]))
        out.print(t)
    for f in doc["findings"]:
        say(Text.assemble(("● ", "red"), (inert(f["detection"]), "bold")))
        if f["risk_message"]:
            say(Text.assemble("  risk: ", inert(f["risk_message"])))
        for r in f["risk_objects"]:
            say(Text(f"  {r['type']} {inert(r['value'])} +{r['score']}"))
        if f["mitre_attack"]:
            say(Text(f"  ATT&CK: {', '.join(f['mitre_attack'])}"
                           + (f" ({', '.join(f['tactics'])})" if f["tactics"] else "")))
        for dd in f["drilldowns"]:
            say(Text.assemble("  drilldown: ", (inert(dd["name"]), "cyan")))
            say(Text(f"    {inert(dd['search'])}", style="dim"))
            if "results" in dd:
                say(Text(f"    -> {len(dd['results'])} result(s)"))
            if "error" in dd:
                say(Text(f"    -> {inert(dd['error'])}", style="red"))
    others = [e for e in doc["detections"] if e["status"] in ("unsupported", "error")]
    for e in others:
        say(Text(f"{e['status']}: {inert(e['name'])}: {inert((e['reason'] or '').splitlines()[0] if e['reason'] else '')}",
                       style="yellow"))

