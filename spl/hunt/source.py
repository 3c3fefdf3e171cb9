"""The hunt's data: what it holds (files, events, time range), and each detection's events.

``events_for`` is the one place a detection gets its events: a planned load of the files (only
the fields its search can read, records its first search cannot match skipped by the byte
pre-filter), as ``spl detect`` reads them. The files' bytes come from the page cache after the
first read. A schema-on-read Session that holds the bytes once can take its place here.
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


def events_for(hd: HuntData, fields: set[str] | None, terms) -> datalayer.LoadResult:
    """The events one detection reads (``fields``, ``terms``: spl.plan of its search)."""
    return datalayer.load(hd.paths, sourcetype=hd.sourcetype, source=hd.source, fields=fields,
                          ta=hd.ta, strict=hd.strict, terms=terms)
