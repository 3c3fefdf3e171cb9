"""makeresults: generate results that hold only the time the search runs.

Splunk (https://help.splunk.com/splunk-enterprise/spl-search-reference/9.4/search-commands/makeresults):
``count`` defaults to 1; without ``annotate`` a result has only ``_time``, the time the command
runs; ``annotate=true`` adds ``_raw``, ``host``, ``source``, ``sourcetype`` and
``splunk_server_group`` with no value and ``splunk_server``, the name of the server it runs on.
``_time`` is the search's fixed "now" in whole seconds, as Splunk's ``now()`` is. The
``format``/``data`` options (results from inline CSV or JSON) are not supported.
"""
import math
import socket

import pandas as pd

from spl.commands import command
from spl.commands._args import check_known, flag, integer
from spl.errors import UnsupportedError

_ANNOTATED = ("_raw", "host", "source", "sourcetype", "splunk_server", "splunk_server_group")


@command("makeresults")
def run(node, table, ctx):
    for key, _ in node.options:
        if key.lower() in ("format", "data"):
            raise UnsupportedError(f"makeresults: {key}= is not supported", span=node.span)
    check_known(node, {"count", "annotate", "splunk_server", "splunk_server_group"})
    count = integer(node, "count", 1, minimum=1)
    columns = {"_time": pd.Series([float(math.floor(ctx.now))] * count, dtype="float64")}
    if flag(node, "annotate", False):
        for name in _ANNOTATED:
            value = socket.gethostname() if name == "splunk_server" else None
            columns[name] = pd.Series([value] * count, dtype=object)
        columns = {c: columns[c] for c in sorted(columns)}
    return pd.DataFrame(columns)
