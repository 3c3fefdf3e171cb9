"""inputcsv: results read from a CSV file that outputcsv wrote.

Splunk (https://help.splunk.com/splunk-enterprise/spl-search-reference/9.4/search-commands/inputcsv):
``inputcsv [dispatch=<bool>] [append=<bool>] [start=<int>] [max=<int>] [events=<bool>]
<filename> [WHERE <search-query>]``: the file is read from Splunk's CSV directory (``.csv`` added
to a name without it); ``start`` (default 0) is the first row read, ``max`` (default
1,000,000,000) how many; ``append=true`` adds the rows after the current results instead of
replacing them. spl reads from the directory ``outputcsv`` writes (spl/commands/outputcsv.py).

spl's readings (pinned in tests/test_cmd_csv.py): every cell is a string, an empty cell null; a
cell holding line breaks (how outputcsv writes a multivalue field) stays one string. The
``WHERE`` clause, ``events=true`` (rows as events with ``_raw``) and ``dispatch=true`` (the job
directory) are not supported.
"""
from __future__ import annotations

import pandas as pd

from spl.commands import command
from spl.commands._args import check_known, flag, integer
from spl.commands._fieldlist import words
from spl.commands.append import concat
from spl.commands.outputcsv import csv_file
from spl.errors import ConfigError, SplError, UnsupportedError

MAX = 1_000_000_000


def reads(node) -> set[str]:
    """The current results pass through (append=true) or are replaced."""
    return set()


@command("inputcsv", reads=reads,
          doc='Loads a CSV file written by outputcsv as results.',
          syntax='inputcsv [append=bool] [start=N] [max=N] filename')
def run(node, table, ctx):
    check_known(node, {"dispatch", "append", "start", "max", "events"})
    if any(w.lower() == "where" for w in words(node)):
        raise UnsupportedError("inputcsv: a WHERE clause is not supported; add | search ...",
                               span=node.span)
    if flag(node, "dispatch", False):
        raise UnsupportedError("inputcsv: dispatch=true (the job directory) is not supported",
                               span=node.span)
    if flag(node, "events", False):
        raise UnsupportedError("inputcsv: events=true is not supported", span=node.span)
    append = flag(node, "append", False)
    start = integer(node, "start", 0)
    most = integer(node, "max", MAX)
    try:
        with csv_file(node, ctx) as f:
            if not f.exists():
                raise ConfigError(f"inputcsv: no CSV file {f.name!r} in {str(f.path.parent)!r}")
            header, rows = f.read()
    except SplError as e:
        if e.span is None and e.file is None:
            e.span = node.span
        raise
    rows = rows[start:start + most]
    read = pd.DataFrame({h: pd.Series([r.get(h) for r in rows], dtype=object) for h in header},
                        columns=header, index=range(len(rows)))
    if "_time" in read.columns:
        read["_time"] = pd.to_numeric(read["_time"], errors="coerce").astype(float)
    return concat(table, read) if append else read
