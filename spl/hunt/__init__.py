"""``spl hunt``: a whole detection pack over CloudTrail, with Enterprise Security's risk-based
alerting.

Every detection of the folders given runs over the data (spl.hunt.runner); each result row is a
finding, scored into risk events as ES's risk action writes them (spl.hunt.rba); ES's two
default risk incident rules run over those (spl.hunt.rules); each finding's drilldown searches
are filled in and, on request, run (spl.hunt.drilldowns). ``run_hunt`` returns the one JSON
document described in the project notes (HUNT_JSON): data, detections, findings, risk events,
incidents, summary.
"""
from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from spl import content
from spl.errors import DataError, SplError, UsageError
from spl.hunt import drilldowns, rba, riskdata, rules
from spl.hunt.rules import Thresholds
from spl.hunt.runner import STATUSES, Options, plan, run_all
from spl.hunt.source import HuntData, survey

__all__ = ["run_hunt", "HuntResult", "Options", "Thresholds", "HuntData"]


@dataclass
class HuntResult:
    doc: dict

    def to_json(self) -> dict:
        return self.doc

    def dumps(self) -> str:
        return json.dumps(self.doc, indent=2, ensure_ascii=False)

    @property
    def exit_code(self) -> int:
        """0 no findings, 1 findings (2, the hunt could not run, is raised as an error)."""
        return 1 if self.doc["findings"] else 0


@dataclass
class Progress:
    """Callbacks of a running hunt: ``start(total)`` once, ``step(entry)`` per detection."""

    start: Callable[[int], None] = lambda total: None
    step: Callable[[dict], None] = lambda entry: None


def run_hunt(paths, hd: HuntData, opts: Options | None = None,
             thresholds: Thresholds | None = None, *, run_drilldowns: bool = False,
             progress: Progress | None = None) -> HuntResult:
    """Run every detection under ``paths`` over the data ``hd`` names. Raises SplError when the
    hunt cannot run (no such folder, unreadable data, no event)."""
    opts, thresholds = opts or Options(), thresholds or Thresholds()
    progress = progress or Progress()
    generated = time.time()
    decided, jobs = plan(paths, hd.sourcetype)  # a wrong folder fails before the data is read
    survey(hd)
    if not hd.events:
        raise DataError(f"no events read from the data ({len(hd.files)} file(s))")
    assert hd.latest is not None
    now = hd.latest + 1  # the detections run just after the last event
    progress.start(len(jobs))
    ran = run_all(jobs, hd, opts, now, progress.step)
    by_k = {job.k: job for job in jobs}
    entries = {**decided, **{k: e for k, (e, _) in ran.items()}}
    detections = [entries[k] for k in sorted(entries)]
    findings: list[dict] = []
    for k in sorted(ran):
        job = by_k[k]
        for f in ran[k][1]:
            f["drilldowns"] = [drilldowns.substitute(dd, _row(f), job.det.search, hd.earliest,
                                                     now) for dd in job.cfg.drilldowns]
            findings.append(f)
    risk_events = [e for f, k in _with_jobs(findings, by_k)
                   for e in rba.risk_events(f, f"{k.det.name} - Rule",
                                            str(k.det.raw.get("description") or "").strip())]
    incidents = rules.run(risk_events, now, thresholds, tz=opts.tz)
    if run_drilldowns:
        _run_drilldowns(findings, by_k, hd, risk_events, opts, now)
    counts = Counter(e["status"] for e in detections)
    summary = {"detections": len(detections), **{s: counts.get(s, 0) for s in STATUSES},
               "findings": len(findings), "risk_events": len(risk_events),
               "incidents": len(incidents)}
    doc = {"spl_version": _version(), "generated": generated, "data": hd.summary(),
           "now": now, "detections": detections, "findings": findings,
           "risk_events": risk_events, "incidents": incidents, "summary": summary}
    return HuntResult(doc)


def _row(f: dict) -> dict:
    return f["fields"]


def _with_jobs(findings, by_k):
    by_file = {str(j.path): j for j in by_k.values()}
    return [(f, by_file[f["file"]]) for f in findings]


def _run_drilldowns(findings, by_k, hd, risk_events, opts: Options, now: float) -> None:
    """Each drilldown's rows (or its error) under ``results`` / ``error``."""
    lines = [riskdata.ndjson([e]).strip() for e in risk_events]
    for f, job in _with_jobs(findings, by_k):
        tree = content.discover(job.path)
        macros, lookups = tree.macros, tree.lookups
        for dd in f["drilldowns"]:
            try:
                table = drilldowns.run(dd, hd, lines, [*opts.macros, *macros],
                                       [*opts.lookups, *lookups],
                                       opts.datamodels, opts.tz, now)
            except SplError as err:
                dd["error"] = err.render()
                continue
            dd["results"] = [{c: rba.printed(v) for c, v in row.items()
                              if rba.printed(v) is not None}
                             for row in table.to_dict("records")]


def _version() -> str:
    from importlib import metadata

    try:
        return metadata.version("spl-cloudtrail")
    except metadata.PackageNotFoundError:
        return "unknown"


def risk_out(path: str | Path, doc: dict) -> None:
    """Write the risk events: CSV for a ``.csv`` name, else NDJSON (loadable back, risk
    sourcetype)."""
    events = doc["risk_events"]
    text = riskdata.csv_text(events) if str(path).endswith(".csv") else riskdata.ndjson(events)
    try:
        Path(path).write_text(text, encoding="utf-8")
    except OSError as e:
        raise UsageError(f"cannot write the risk events: {e.strerror or e}", file=str(path)) from None

