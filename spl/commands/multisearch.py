"""multisearch: run several event searches and merge their events.

Splunk (https://help.splunk.com/splunk-cloud-platform/spl-search-reference/10.0.2503/search-commands/multisearch):
``| multisearch <subsearch1> <subsearch2> ...``: "a generating command that runs multiple
streaming searches at the same time. This command requires at least two subsearches and allows
only streaming operations in each subsearch." A subsearch with another command is an error
naming it. The events come out as one event stream: newest first by ``_time`` (equal times: in
subsearch order, spl's reading, as union's). Generating: it replaces whatever came before.
"""
from __future__ import annotations

import pandas as pd

from spl import subsearch as subsearches
from spl.commands import command
from spl.commands._args import check_known
from spl.commands.union import datasets, interleave
from spl.context import Context
from spl.errors import SearchError
from spl.syntax import ast


def reads(node) -> set[str]:
    """It reads nothing of the results before it; each subsearch reads for itself."""
    return set()


@command("multisearch", reads=reads,
          doc='Runs several event searches together and interleaves their events by time.',
          syntax='multisearch [ subsearch ] [ subsearch ] ...')
def run(node: ast.Generic, table: pd.DataFrame, ctx: Context) -> pd.DataFrame:
    from spl.mapreduce import STREAMING, command_type

    check_known(node, set())
    subs = datasets(node, 2)
    for sub in subs:
        commands = sub.pipeline.commands
        first = commands[0] if commands else None
        if not isinstance(first, ast.Search):
            raise SearchError("multisearch: each subsearch must search events ([search ...])",
                              span=sub.span)
        for c in commands:
            if command_type(c) != STREAMING:
                raise SearchError(f"multisearch: {c.name} is not a streaming command; a "
                                  "subsearch of multisearch allows only streaming commands",
                                  span=c.span)
    return interleave([subsearches.run(s, ctx) for s in subs])
