"""The hunt's data: what it holds (files, events, time range), and each search's events.

``load_into`` is the one place a detection gets its events, read as ``spl detect`` reads them:
only the fields its search can read, records its first search cannot match skipped by the byte
pre-filter, and, when the search splits (spl.mapreduce), its map side run on the events as
they are read so that only partial results are kept. The files' bytes come from the page cache
after the first read. A schema-on-read Session that holds the bytes once can take its place
here. ``events_for`` gives the planned events as a table (baselines, drilldowns).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from spl import data as datalayer
from spl.data.readers import DataProblem


@dataclass
class HuntData:
    """The files given to the hunt and how their events are read."""

    paths: list[str]
    sourcetype: str = "aws:cloudtrail"
    source: str | None = None
    ta: Path | None = None
    strict: bool = False
    files: list[str] = field(default_factory=list)
    events: int = 0
    earliest: float | None = None
    latest: float | None = None
    problems: list[DataProblem] = field(default_factory=list)

    def summary(self) -> dict:
        return {"files": list(self.files), "events": self.events, "earliest": self.earliest,
                "latest": self.latest,
                "sourcetypes": {self.sourcetype: self.events} if self.events else {}}


def survey(hd: HuntData, progress: bool = False) -> HuntData:
    """Read every record once for its time only: the files, the event count, the time range
    (``$info_min_time$``/``$info_max_time$`` of the drilldowns) and the data's problems."""
    result = datalayer.load(hd.paths, sourcetype=hd.sourcetype, source=hd.source, fields=set(),
                            ta=hd.ta, strict=hd.strict, progress=progress)
    hd.files = list(result.files)
    hd.problems = list(result.problems)
    times = result.table["_time"]
    hd.events = len(times)
    if hd.events:
        hd.earliest, hd.latest = float(times.min()), float(times.max())
    return hd


def load_into(session, hd: HuntData, parsed, now: float) -> None:
    """Give ``session`` the events of search ``parsed``, mapped as read when it splits (its
    ``partials``, which ``Session.run`` merges), else as a table."""
    from spl.plan import reads_by_session, required_fields, search_terms

    pipeline = parsed.pipeline
    if reads_by_session(pipeline):  # tstats and subsearches read what they need themselves
        session.load(hd.paths, sourcetype=hd.sourcetype, source=hd.source)
        return
    mapper = _mapper(session, parsed, hd, now)
    reading = datalayer.begin(hd.paths, sourcetype=hd.sourcetype, fields=required_fields(pipeline),
                              ta=hd.ta, strict=hd.strict, terms=search_terms(pipeline),
                              mapper=mapper, source=hd.source)
    try:
        if reading.build is not None:
            session.partials, _ = reading.finish_mapped()
        else:
            session.add(reading.finish(source=hd.source))
    finally:
        reading.cancel()


def _mapper(session, parsed, hd: HuntData, now: float):
    """The search's map side, or None when it runs over one table: as ``spl detect`` decides
    (spl.cli._mapper): a strict read, a generating search, a subsearch, or a lookup a baseline
    must fill first."""
    from spl.baselines import missing_lookups
    from spl.mapjob import MapJob
    from spl.syntax import ast

    pipeline = parsed.pipeline
    if hd.strict or (pipeline.generating and not (
            pipeline.commands and isinstance(pipeline.commands[0], ast.Search))):
        return None
    if any(isinstance(n, (ast.Subsearch, ast.SubsearchTerm)) for n in ast.walk(pipeline)):
        return None
    if missing_lookups(pipeline, session.lookups):
        return None
    return MapJob(pipeline, session.tz, now, parsed.expanded, session.lookups)


def events_for(hd: HuntData, fields: set[str] | None, terms) -> datalayer.LoadResult:
    """The events one detection reads (``fields``, ``terms``: spl.plan of its search)."""
    return datalayer.load(hd.paths, sourcetype=hd.sourcetype, source=hd.source, fields=fields,
                          ta=hd.ta, strict=hd.strict, terms=terms)
