"""eventcount: how many events the indexes hold (here: the loaded events, by their ``index``).

Splunk (https://help.splunk.com/en/splunk-enterprise/search/spl-search-reference/9.4/search-commands/eventcount):
``| eventcount [index=<string>]... [summarize=<bool>] [report_size=<bool>] [list_vix=<bool>]``.
``index`` may be given more than once and may hold ``*`` wildcards; without it the default
index is counted. ``summarize=true`` (the default) sums the counts into one result with a
``count`` field; ``summarize=false`` gives one result per index and server, with ``count``,
``index`` and ``server``. ``report_size=true`` adds each index's size on disk, which loaded
files do not have: refused as not supported. ``list_vix`` (virtual indexes) is accepted; spl
has none.

Readings where the page is silent (pinned in tests/test_cmd_eventcount.py): the default index
is ``main`` (Splunk's default; the loaded events' index unless ``--index`` set another); a
wildcard matches an internal index (name starting with ``_``) only when it starts with ``_``
itself, as ``index=*`` leaves out ``_internal`` in a search; results per index come in index
name order; an index named but holding no loaded event gives no result with summarize=false
and adds 0 with summarize=true; ``server`` is this machine's host name (makeresults'
``splunk_server``). The count is of every loaded event, whatever the search's time range.
"""
import socket

import pandas as pd

from spl.commands import command
from spl.commands._args import check_known, flag
from spl.commands._generic import words
from spl.errors import SearchError, UnsupportedError
from spl.fieldnames import name_regex
from spl.values import is_null, to_str


def reads(node) -> set[str]:
    """It counts the session's events itself."""
    return set()


# Splunk's type (the page: a report-generating command)
COMMAND_TYPE = "generating"


@command("eventcount", reads=reads,
          doc='Counts the events of each index.',
          syntax='eventcount [index=string]... [summarize=bool] [list_vix=bool]')
def run(node, table, ctx):
    check_known(node, {"index", "summarize", "report_size", "list_vix"})
    if words(node):
        raise SearchError(f"eventcount: unexpected argument '{node.args[0]}'", span=node.span)
    if flag(node, "report_size", False):
        raise UnsupportedError("eventcount: report_size=true is not supported (loaded files "
                               "have no index size)", span=node.span)
    flag(node, "list_vix", True)  # checked; no virtual index to list
    summarize = flag(node, "summarize", True)
    patterns = [v for k, v in node.options if k.lower() == "index"] or ["main"]
    counts: dict[str, int] = {}
    events = ctx.session.events if ctx.session is not None else None
    if events is not None and "index" in events.columns:
        for value, n in events["index"].value_counts(dropna=True).items():
            if not is_null(value):
                counts[to_str(value)] = counts.get(to_str(value), 0) + int(n)
    chosen = sorted(name for name in counts if any(_matches(p, name) for p in patterns))
    if summarize:
        return pd.DataFrame({"count": pd.Series([sum(counts[n] for n in chosen)], dtype=object)})
    server = socket.gethostname()
    return pd.DataFrame({"count": pd.Series([counts[n] for n in chosen], dtype=object),
                         "index": pd.Series(chosen, dtype=object),
                         "server": pd.Series([server] * len(chosen), dtype=object)})


def _matches(pattern: str, name: str) -> bool:
    if name.startswith("_") and not pattern.startswith("_"):
        return False
    return name_regex(pattern.lower()).match(name.lower()) is not None
