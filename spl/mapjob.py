"""The map side of one search as a job for the reader's worker processes (spl.data.begin).

Light on purpose: ``spl run`` builds it before pandas and the engine are imported, so that the
workers start reading at once; a worker imports spl.mapreduce when it maps its first chunk.
"""
from __future__ import annotations

from dataclasses import dataclass

from spl.syntax import ast


@dataclass
class MapJob:
    """Run ``pipeline``'s map side (spl.mapreduce.map_chunk) over a chunk of events."""

    pipeline: ast.Pipeline
    tz: str
    now: float
    text: str
    lookups: object = None  # spl.lookups.Lookups of the session (lookup commands read them)

    def __call__(self, events, major: int):
        from spl import mapreduce
        from spl.context import Context

        ctx = Context(now=self.now, tz=self.tz, text=self.text, session=_Lookups(self.lookups))
        return mapreduce.map_chunk(mapreduce.plan(self.pipeline), events, major, ctx)


@dataclass
class _Lookups:
    """What a command run in a worker can ask of its session: the lookups."""

    lookups: object
