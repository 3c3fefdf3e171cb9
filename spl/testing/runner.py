"""Running detections' tests: find the files, plan each test, run the planned ones, in parallel.

Planning happens in this process (reading YAML, deciding skips, resolving and downloading
attack data, so each file is fetched once); running a test (load its data into a Session, run
the search verbatim over all time, judge the results) happens in worker processes with ``jobs``
above 1.
"""
from __future__ import annotations

import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import nullcontext
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from spl import baselines, content, detections
from spl.data import load_sourcetype
from spl.detections import Detection
from spl.errors import ConfigError, DataError, SplError, UnsupportedError
from spl.frontend import parse_search
from spl.macros import MacroLibrary
from spl.testing import judge as rules
from spl.testing.resolve import Resolver, Unavailable
from spl.values import is_null

PASS, FAIL, ERROR, SKIP, UNSUPPORTED, UNAVAILABLE = (
    "pass", "fail", "error", "skip", "unsupported", "unavailable")
FAILING = (FAIL, ERROR)
SHOWN_ROWS = 10


@dataclass
class Options:
    attack_data: Path | None = None
    cache: Path | None = None
    offline: bool = False
    jobs: int = 1
    macros: list[Path] = field(default_factory=list)
    baselines: list[Path] = field(default_factory=list)      # --baselines: baseline YAML dirs
    baseline_data: list[Path] = field(default_factory=list)  # --baseline-data: their events
    discover: bool = True  # use the macros/, lookups/, baselines/ of each detection's tree


@dataclass
class Outcome:
    """The verdict of one test of one detection (or of a detection file that could not be read)."""

    detection: str
    file: str
    test: str
    verdict: str
    reason: str = ""
    results: int | None = None
    columns: list[str] = field(default_factory=list)
    rows: list[dict] = field(default_factory=list)  # the rows that show the verdict, at most 10
    seconds: float = 0.0
    status: str = ""
    type: str = ""
    expect: str = rules.EXPECT_RESULTS

    @property
    def failed(self) -> bool:
        return self.verdict in FAILING


@dataclass
class DataFile:
    path: Path
    sourcetype: str | None  # None: the data's own, from its content
    source: str | None
    host: str | None
    index: str


@dataclass
class Job:
    """A test ready to run: its detection, its data on disk, the macro and lookup directories."""

    det: Detection
    name: str
    expect: str
    files: list[DataFile]
    macros: list[Path]
    lookups: list[Path] = field(default_factory=list)
    baselines: list[Path] = field(default_factory=list)      # where baselines are looked for
    baseline_data: list[Path] = field(default_factory=list)  # their events (else the test's)
    listed: list[str] = field(default_factory=list)          # baselines the detection names


def find_detections(paths) -> list[Path]:
    """Detection YAMLs named by ``paths``: files as given, directories searched recursively.

    In a directory, YAML files without a ``search:`` (macros, lookups, stories) are passed over.
    """
    return [path for path, _ in _found(paths)]


def _found(paths) -> Iterator[tuple[Path, Detection | SplError]]:
    """Each detection file of ``paths`` with its Detection (or the error loading it), each file
    read and parsed once."""
    seen: set[Path] = set()
    for p in map(Path, paths):
        if p.is_file():
            files, in_folder = [p], False
        elif p.is_dir():
            files, in_folder = sorted(f for f in p.rglob("*")
                                      if f.suffix in (".yml", ".yaml") and f.is_file()), True
        else:
            raise ConfigError("no such file or directory", file=str(p))
        for f in files:
            if f in seen:
                continue
            seen.add(f)
            loaded = _load(f, in_folder)
            if loaded is not None:
                yield f, loaded


def _load(path: Path, in_folder: bool) -> Detection | SplError | None:
    """The detection of one file; None for a YAML without ``search:`` found in a folder (a
    macro, a lookup, a story); a file too broken to tell is loaded so that its error shows."""
    try:
        text, doc = detections.read(path)
        if in_folder and not (isinstance(doc, dict) and isinstance(doc.get("search"), str)):
            return None
        return detections.from_doc(path, text, doc)
    except SplError as err:
        return err


def is_detection_file(path: Path) -> bool:
    """A YAML file with a ``search:`` text (or one too broken to tell, so loading reports it)."""
    return _load(path, in_folder=True) is not None


def plan(paths, options: Options, resolver: Resolver) -> list[Job | Outcome]:
    """Every test of every detection: a Job to run, or an Outcome already decided."""
    planned: list[Job | Outcome] = []
    for path, det in _found(paths):
        if isinstance(det, SplError):
            planned.append(Outcome(path.stem, str(path), "-", ERROR, det.render()))
            continue
        tree = content.discover(path, options.discover)
        macros = tree.macros
        lookups = tree.lookups[0] if tree.lookups else None
        skip = rules.detection_skip(det, lookups)
        found = baselines.catalog_of([*options.baselines, *tree.baselines])
        if skip and skip.startswith(_NEEDS_BASELINE) and found.baselines:
            skip = None  # the baseline is run first (spl.baselines); none found is reported then
        if skip:
            names = [_test_name(t, i) for i, t in enumerate(det.tests)] or ["-"]
            planned += [_outcome(det, name, SKIP, skip) for name in names]
            continue
        for i, test in enumerate(det.tests):
            job = _plan_test(det, test, i, macros + options.macros,
                             [lookups] if lookups else [], resolver, bool(found.baselines))
            if isinstance(job, Job):
                listed = det.raw.get("baselines")
                job.baselines, job.baseline_data = found.dirs, list(options.baseline_data)
                job.listed = [str(b) for b in listed] if isinstance(listed, list) else []
                job.listed += [str(b.get("name")) for b in test.get("baselines") or []
                               if isinstance(b, dict) and b.get("name")]
            planned.append(job)
    return planned


_NEEDS_BASELINE = "needs a baseline first"


def _test_name(test, i: int) -> str:
    name = test.get("name") if isinstance(test, dict) else None
    return str(name) if name else f"test {i + 1}"


def _outcome(det: Detection, test: str, verdict: str, reason: str, **kw) -> Outcome:
    return Outcome(det.name, str(det.path), test, verdict, reason, status=det.status,
                   type=det.type, **kw)


def _plan_test(det: Detection, test, i: int, macros: list[Path], lookups: list[Path],
               resolver: Resolver, has_baselines: bool = False) -> Job | Outcome:
    name = _test_name(test, i)
    if not isinstance(test, dict):
        return _outcome(det, name, ERROR, "a test entry must be a mapping")
    skip = rules.skip_for_test(test)
    if skip and not (skip.startswith(_NEEDS_BASELINE) and has_baselines):
        return _outcome(det, name, SKIP, skip)
    try:
        expect = rules.expectation(test)
    except ValueError as exc:
        return _outcome(det, name, ERROR, str(exc))
    entries = test.get("attack_data") or []
    if not entries:
        return _outcome(det, name, ERROR, "the test has no attack_data", expect=expect)
    if not isinstance(entries, list):
        return _outcome(det, name, ERROR, "attack_data must be a list of {data: ...} entries",
                        expect=expect)
    if not all(isinstance(e, dict) and e.get("data") for e in entries):
        return _outcome(det, name, ERROR, "an attack_data entry has no 'data:'", expect=expect)
    # an entry's sourcetype: as it says, else its data's, from the content (spl.data)
    sourcetypes = [_opt(e.get("sourcetype") or None) for e in entries]
    for named in dict.fromkeys(s for s in sourcetypes if s is not None):
        try:
            load_sourcetype(named)
        except ConfigError as err:  # data the engine has no definition for, not a bad detection
            return _outcome(det, name, UNSUPPORTED, f"unsupported: {err.message}", expect=expect)
    files: list[DataFile] = []
    for entry, sourcetype in zip(entries, sourcetypes):
        try:
            path = resolver.resolve(str(entry["data"]), det.path.parent)
        except Unavailable as err:
            return _outcome(det, name, UNAVAILABLE, err.render(), expect=expect)
        except DataError as err:
            return _outcome(det, name, ERROR, err.render(), expect=expect)
        files.append(DataFile(path, sourcetype, _opt(entry.get("source")),
                              _opt(entry.get("host")), str(entry.get("custom_index") or "main")))
    return Job(det, name, expect, files, macros, lookups)


def _opt(value) -> str | None:
    return None if value is None else str(value)


def _plain(value):
    """A cell as JSON/YAML can hold it: None, str, int, float, bool or a list of those."""
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if is_null(value):
        return None
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


def execute(job: Job) -> Outcome:
    """Run one planned test; every error becomes the Outcome's verdict, never an exception.

    Lookups are read from the content tree's ``lookups/``; what ``outputlookup`` writes goes to a
    directory of this test's own, deleted after it, so a test never changes the user's lookups
    nor sees what another test wrote.
    """
    with tempfile.TemporaryDirectory(prefix="spl-test-lookups-") as output:
        return _execute(job, Path(output))


def _execute(job: Job, lookup_output: Path) -> Outcome:
    from spl.plan import required_fields
    from spl.session import Session

    det = job.det
    start = time.perf_counter()

    def done(verdict: str, reason: str, **kw) -> Outcome:
        return _outcome(det, job.name, verdict, reason, expect=job.expect,
                        seconds=time.perf_counter() - start, **kw)

    try:
        session = Session(macros=job.macros, lookups=job.lookups, lookup_output=lookup_output)
        parsed = parse_search(det.search, library=_macro_library(tuple(job.macros)))
        session.fields = required_fields(parsed.pipeline)
        for f in job.files:
            session.load(f.path, sourcetype=f.sourcetype, source=f.source, host=f.host,
                         index=f.index)
        baselines.fill(session, parsed.pipeline, baselines.catalog_of(job.baselines),
                       lookup_output, lambda s: _load_baseline_data(s, job),
                       detection_name=det.name, listed=job.listed)
        table = session.run(parsed)
    except UnsupportedError as err:
        return done(UNSUPPORTED, f"unsupported: {err.message}")
    except SplError as err:
        return done(ERROR, err.render())
    except Exception as exc:  # a bug of ours: one test's verdict, not the end of the run
        return done(ERROR, f"internal error: {type(exc).__name__}: {exc}")
    verdict = rules.judge(table, det.risk_objects, det.threat_objects, job.expect)
    shown = verdict.rows if not verdict.passed else tuple(range(len(table)))
    columns = [str(c) for c in table.columns]
    rows = [{c: _plain(table.iloc[i][c]) for c in table.columns} for i in shown[:SHOWN_ROWS]]
    reason = verdict.reason
    if session.problems:
        skipped = sum(p.dropped for p in session.problems)
        reason += (f" ({len(session.problems)} data problem(s): {skipped} skipped, "
                   f"{len(session.problems) - skipped} kept)")
    return done(PASS if verdict.passed else FAIL, reason, results=len(table), columns=columns,
                rows=rows)


@lru_cache(maxsize=8)
def _macro_library(dirs: tuple[Path, ...]) -> MacroLibrary:
    """The macros of a content tree, read once per process: its tests all share them."""
    return MacroLibrary.load(dirs)


def _load_baseline_data(session, job: Job) -> None:
    """The events a test's baselines read: --baseline-data, else the test's own data."""
    if job.baseline_data:
        session.load(job.baseline_data)
        return
    for f in job.files:
        session.load(f.path, sourcetype=f.sourcetype, source=f.source, host=f.host,
                     index=f.index)


def run_tests(paths, options: Options, console=None, on_result=None) -> list[Outcome]:
    """Plan and run the tests of the detections under ``paths``, in order of the files.

    ``console``: a rich Console for download bars and the live progress (None: silent).
    ``on_result(outcome)`` is called as each verdict arrives.
    """
    resolver = Resolver(options.attack_data, options.cache, options.offline, progress=console)
    planned = plan(paths, options, resolver)
    outcomes: dict[int, Outcome] = {}
    jobs = []
    for k, item in enumerate(planned):
        if isinstance(item, Outcome):
            outcomes[k] = item
            if on_result:
                on_result(item)
        else:
            jobs.append((k, item))
    progress = _progress(console, len(jobs))
    with progress or nullcontext():
        task = progress.add_task("testing", total=len(jobs)) if progress else None
        for k, outcome in _run(jobs, options.jobs):
            outcomes[k] = outcome
            if progress:
                progress.update(task, advance=1, description=outcome.detection)
            if on_result:
                on_result(outcome)
    return [outcomes[k] for k in sorted(outcomes)]


def _run(jobs, workers: int):
    if workers <= 1 or len(jobs) <= 1:
        for k, job in jobs:
            yield k, execute(job)
        return
    with ProcessPoolExecutor(max_workers=min(workers, len(jobs))) as pool:
        futures = {pool.submit(execute, job): k for k, job in jobs}
        for future in as_completed(futures):
            yield futures[future], future.result()


def _progress(console, total: int):
    if console is None or total == 0:
        return None
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(TextColumn("[bold]spl test[/]"), BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), TextColumn("{task.description}"), console=console,
                    transient=True)
