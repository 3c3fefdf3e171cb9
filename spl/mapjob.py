"""The map side of one search as a job for the reader's worker processes (spl.data.begin).

Light on purpose: ``spl run`` builds it before pandas and the engine are imported, so that the
workers start reading at once; a worker imports spl.mapreduce when it maps its first chunk.
"""
from __future__ import annotations

from dataclasses import dataclass

from spl.syntax import ast


@dataclass
class MapJob:
    """Run ``pipeline``'s map side (spl.mapreduce.map_chunk) over a chunk of events.

    ``base`` is added to each chunk's place in reading order (its ``major``): a session reads
    the files of each of its loads in turn, and a later load's events come after an earlier's.
    """

    pipeline: ast.Pipeline
    tz: str
    now: float
    text: str
    lookups: object = None  # spl.lookups.Lookups of the session (lookup commands read them)
    base: int = 0

    def __call__(self, events, major: int):
        from spl import mapreduce
        from spl.context import Context

        ctx = Context(now=self.now, tz=self.tz, text=self.text, session=_Lookups(self.lookups))
        return mapreduce.map_chunk(mapreduce.plan(self.pipeline), events, self.base + major, ctx)


def for_search(pipeline: ast.Pipeline, *, tz: str, now: float, text: str, lookups,
               strict: bool) -> MapJob | None:
    """The map side of a search for the reader's workers (spl.mapreduce): only partial results
    come back. None when the search runs over one table: a strict read, a generating search, a
    subsearch (it searches every event first), or a lookup that a baseline must fill first (the
    map side runs while the data is read, before baselines)."""
    if strict or (pipeline.generating and not (
            pipeline.commands and isinstance(pipeline.commands[0], ast.Search))):
        return None
    if any(isinstance(n, (ast.Subsearch, ast.SubsearchTerm)) for n in ast.walk(pipeline)):
        return None
    from spl.baselines import missing_lookups

    if missing_lookups(pipeline, lookups):
        return None
    return MapJob(pipeline, tz, now, text, lookups)


@dataclass
class _Lookups:
    """What a command run in a worker can ask of its session: the lookups."""

    lookups: object
