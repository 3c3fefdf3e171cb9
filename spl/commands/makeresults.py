"""makeresults: generate results that hold only the time the search runs.

Splunk (https://help.splunk.com/splunk-enterprise/spl-search-reference/9.4/search-commands/makeresults):
``count`` defaults to 1; without ``annotate`` a result has only ``_time``, the time the command
runs; ``annotate=true`` adds ``_raw``, ``host``, ``source``, ``sourcetype`` and
``splunk_server_group`` with no value and ``splunk_server``, the name of the server it runs on.
``_time`` is the search's fixed "now" in whole seconds, as Splunk's ``now()`` is. The
``format``/``data`` options (results from inline CSV or JSON) are not supported.
Splunk documents no maximum ``count``; spl refuses more than MAX_COUNT (10 million) results,
which would need gigabytes of memory, with an error instead of running out of it.
"""
import math
import socket

import pandas as pd

from spl.commands import command
from spl.commands._args import check_known, flag, integer

MAX_COUNT = 10_000_000
_ANNOTATED = ("_raw", "host", "source", "sourcetype", "splunk_server", "splunk_server_group")


def reads(node) -> set[str]:
    """It makes its own results."""
    return set()


@command("makeresults", reads=reads,
          doc='Generates results with _time (count of them, 1 by default), or from CSV/JSON data.',
          syntax='| makeresults [count=N] [annotate=bool] [format=csv|json data=TEXT]')
def run(node, table, ctx):
    check_known(node, {"count", "annotate", "splunk_server", "splunk_server_group"},
                unsupported={"format", "data"})
    count = integer(node, "count", 1, minimum=1, maximum=MAX_COUNT)
    columns = {"_time": pd.Series([float(math.floor(ctx.now))] * count, dtype="float64")}
    if flag(node, "annotate", False):
        for name in _ANNOTATED:
            value = socket.gethostname() if name == "splunk_server" else None
            columns[name] = pd.Series([value] * count, dtype=object)
        columns = {c: columns[c] for c in sorted(columns)}
    return pd.DataFrame(columns)
