"""Running a pack of detections over the hunt's data, in parallel, each as ``spl detect`` would.

Every detection file is looked at, in file-name order. One whose search does not read the
data's sourcetype is ``not_applicable`` (with the reason: never counted as passed); one that
uses a command or function spl lacks is ``unsupported``; any other failure is ``error`` with
its message. The others run: their events read as spl detect reads them
(spl.hunt.source.load_into), the baselines that fill their lookups, then the search, as of the end of the data (``now()`` is the
last event's time plus one second, so ``earliest=-24h latest=now`` ends with the data, as a
scheduled search run just after it would); a result row without a time of its own (its
``firstTime`` made text by security_content_ctime) is dated by that last event. A detection that gives rows ``fired``; one that
gives none is ``quiet``.

Detections run in worker processes, one per core, each pinned to its own core so that the data
layer reads in that process (its own workers would fight the others for the cores).
"""
from __future__ import annotations

import multiprocessing
import os
import re
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from spl import baselines, content, detections
from spl.errors import SplError, UnsupportedError
from spl.hunt import rba
from spl.hunt.source import HuntData, events_for, load_into
from spl.testing.runner import find_detections

FIRED, QUIET, NOT_APPLICABLE, UNSUPPORTED, ERROR = (
    "fired", "quiet", "not_applicable", "unsupported", "error")
STATUSES = (FIRED, QUIET, NOT_APPLICABLE, UNSUPPORTED, ERROR)

# The macro and sourcetype a detection names when it reads a sourcetype's events.
_READS = {"aws:cloudtrail": ("cloudtrail",)}


@dataclass
class Options:
    macros: list[Path] = field(default_factory=list)
    lookups: list[Path] = field(default_factory=list)
    baselines: list[Path] = field(default_factory=list)
    datamodels: list[Path] = field(default_factory=list)
    tz: str = "UTC"
    jobs: int = 0  # 0: one per core


@dataclass
class Job:
    k: int
    path: Path
    det: detections.Detection
    cfg: rba.RiskConfig


def reads(search: str, sourcetype: str) -> bool:
    """Whether a detection's search reads events of ``sourcetype``: through its macro
    (`` `cloudtrail` `` for aws:cloudtrail) or by naming it (``sourcetype=aws:cloudtrail``)."""
    for macro in _READS.get(sourcetype, ()):
        if re.search(rf"`{re.escape(macro)}`", search):
            return True
    return re.search(rf"sourcetype\s*=\s*\"?{re.escape(sourcetype)}\"?(?![\w:-])", search,
                     re.I) is not None


def _what_it_reads(det: detections.Detection) -> str:
    m = re.match(r"\s*\|?\s*(`[^`]+`|\S+)", det.search)
    sources = det.raw.get("data_source")
    said = f" (data_source: {', '.join(map(str, sources))})" if isinstance(sources, list) \
        and sources else ""
    return f"its search reads {m.group(1) if m else 'other data'}{said}"


def entry(det_name: str, det_id: str, file: str, det_type: str, status: str,
          reason: str | None = None, rows: int = 0, seconds: float = 0.0) -> dict:
    return {"name": det_name, "id": det_id, "file": file, "type": det_type, "status": status,
            "reason": reason, "rows": rows, "seconds": round(seconds, 6)}


def plan(paths, sourcetype: str) -> tuple[dict[int, dict], list[Job]]:
    """Each detection file: a decided entry (not applicable, or an error reading it) or a Job."""
    decided: dict[int, dict] = {}
    jobs: list[Job] = []
    for k, path in enumerate(find_detections(paths)):
        try:
            det = detections.load(path)
        except SplError as err:
            decided[k] = entry(path.stem, "", str(path), "", ERROR, err.render())
            continue
        det_id = str(det.raw.get("id", ""))
        if not reads(det.search, sourcetype):
            decided[k] = entry(det.name, det_id, str(path), det.type, NOT_APPLICABLE,
                               f"{_what_it_reads(det)}, not {sourcetype} events")
            continue
        try:
            cfg = rba.risk_config(det.raw, str(path))
        except SplError as err:
            decided[k] = entry(det.name, det_id, str(path), det.type, ERROR, err.render())
            continue
        jobs.append(Job(k, path, det, cfg))
    return decided, jobs


def execute(job: Job, hd: HuntData, opts: Options, now: float) -> tuple[dict, list[dict]]:
    """Run one detection: its entry and findings; every failure is the entry's status."""
    det, path = job.det, job.path
    det_id = str(det.raw.get("id", ""))
    start = time.perf_counter()

    def done(status: str, reason: str | None = None, rows: int = 0) -> dict:
        return entry(det.name, det_id, str(path), det.type, status, reason, rows,
                     time.perf_counter() - start)

    try:
        with tempfile.TemporaryDirectory(prefix="spl-hunt-") as scratch:
            table = _search(job, hd, opts, now, Path(scratch))
    except UnsupportedError as err:
        return done(UNSUPPORTED, err.render()), []
    except SplError as err:
        return done(ERROR, err.render()), []
    except Exception as exc:  # a bug of ours: this detection's status, not the end of the hunt
        return done(ERROR, f"internal error: {type(exc).__name__}: {exc}"), []
    rows = detections.row_dicts(table)
    # a row without a time of its own is dated by the last event the search could see
    found = [rba.finding(det.name, det_id, str(path), i, row, job.cfg, now - 1)
             for i, row in enumerate(rows)]
    return done(FIRED if rows else QUIET, None, len(rows)), found


def _search(job: Job, hd: HuntData, opts: Options, now: float, scratch: Path):
    from spl.engine import check_supported
    from spl.session import Session

    tree = content.discover(job.path)
    macros, lookups = tree.macros, tree.lookups
    session = Session(macros=[*opts.macros, *macros],
                      lookups=[*opts.lookups, *lookups],
                      lookup_output=scratch / "out", tz=opts.tz, ta=hd.ta, strict=hd.strict,
                      datamodels=opts.datamodels)
    parsed = parse(job.det.search, session.macro_dirs)
    try:
        check_supported(parsed.pipeline)
    except SplError as e:
        raise parsed.relocate(e) from None
    load_into(session, hd, parsed, now)
    listed = job.det.raw.get("baselines")
    catalog = baselines.catalog_of([*opts.baselines, *baselines.content_dirs(job.path)])
    (scratch / "baselines").mkdir()
    baselines.fill(session, parsed.pipeline, catalog, scratch / "baselines",
                   lambda s: s.add(events_for(hd, None, None)), detection_name=job.det.name,
                   listed=[str(b) for b in listed] if isinstance(listed, list) else ())
    return session.run(parsed, now=now)


_LIBRARIES: dict[tuple, object] = {}


def parse(search: str, macro_dirs):
    """Expand macros and parse, the macro files read once per process (a pack shares them:
    reading ESCU's 189 macro files costs half a second)."""
    from spl.frontend import parse_search
    from spl.macros import MacroLibrary

    key = tuple(Path(d).resolve() for d in macro_dirs)
    if key not in _LIBRARIES:
        _LIBRARIES[key] = MacroLibrary.load(list(key))
    library = _LIBRARIES[key]
    assert isinstance(library, MacroLibrary)
    return parse_search(search, library=library)


def run_all(jobs: list[Job], hd: HuntData, opts: Options, now: float,
            on_done: Callable[[dict], None] | None = None) -> dict[int, tuple[dict, list[dict]]]:
    """Run the jobs (in parallel when there are several cores and jobs); ``on_done(entry)``
    as each finishes."""
    out: dict[int, tuple[dict, list[dict]]] = {}
    workers = min(opts.jobs or _cores(), len(jobs))
    if workers <= 1:
        for job in jobs:
            out[job.k] = execute(job, hd, opts, now)
            if on_done:
                on_done(out[job.k][0])
        return out
    context = multiprocessing.get_context("fork" if os.name == "posix" else "spawn")
    counter = context.Value("i", 0)
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_pin,
                             initargs=(counter,)) as pool:
        futures = {pool.submit(execute, job, hd, opts, now): job.k for job in jobs}
        for future in as_completed(futures):
            out[futures[future]] = future.result()
            if on_done:
                on_done(out[futures[future]][0])
    return out


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def _pin(counter) -> None:
    """Pin this worker to one core of those the hunt may use (the k-th worker to the k-th)."""
    if not hasattr(os, "sched_setaffinity"):
        return
    with counter.get_lock():
        k = counter.value
        counter.value += 1
    cpus = sorted(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {cpus[k % len(cpus)]})
