"""extract (kv): key/value pairs cut out of ``_raw`` at the delimiters given.

Splunk (https://help.splunk.com/splunk-enterprise/spl-search-reference/9.4/search-commands/extract):
``extract [pairdelim=<string>] [kvdelim=<string>] [clean_keys=<bool>] [limit=<int>]
[maxchars=<int>] [mv_add=<bool>] ...``. ``pairdelim`` is a list of characters that separate the
pairs, ``kvdelim`` a list of characters that separate a key from its value (transforms.conf
DELIMS). ``limit`` (default 50) is how many pairs are extracted, ``maxchars`` (default 10240)
how many characters of ``_raw`` are looked at; ``clean_keys`` (default true) replaces the
characters of a key that are not letters, digits or underscores with underscores
(transforms.conf CLEAN_KEYS); ``mv_add`` (default false) makes a key met twice multivalue.
Without pairdelim and kvdelim, extract re-runs the sourcetype's configured extractions; spl's
sourcetype extracts everything at load time and has no key=value extractions, so that form,
``reload``, ``segment`` and extractor names are refused as not supported.

``auto=f`` turns Splunk's automatic key/value extraction off for the search; spl's automatic
extraction is the JSON one, done at load time, so ``auto`` is accepted and changes nothing.

A pair whose value holds a key delimiter again is not extracted (the page: with kvdelim ":",
"Referer: https://buttercupgames.com" is not extracted).

Readings where the pages are silent (pinned in tests/test_cmd_extract.py): a piece with no key
delimiter, or an empty key, is skipped; keys and values lose surrounding whitespace, and clean_keys then also
drops leading underscores; a field the result already has keeps its value, and with mv_add=false
the first value of a repeated key wins. Only one of pairdelim/kvdelim given: the other is the
default of Splunk's automatic key/value extraction (pairs split at whitespace, "=" between key
and value).
"""
import re

import pandas as pd

from spl.commands import command
from spl.commands._args import check_known, flag, integer
from spl.commands._generic import words
from spl.errors import UnsupportedError
from spl.syntax import ast
from spl.values import make_mv, mv_values, to_str

OPTIONS = {"pairdelim", "kvdelim", "clean_keys", "limit", "maxchars", "mv_add", "auto"}
_UNCLEAN = re.compile(r"[^A-Za-z0-9_]")


def reads(node) -> set[str]:
    """``_raw``, where the pairs are."""
    return {"_raw"}


# Splunk's type (spl.mapreduce; https://help.splunk.com/splunk-enterprise/spl-search-reference/10.0/quick-reference/command-types)
# Splunk's type, but spl runs it on the collected events (spl.mapreduce): the fields it makes
# are named by each event's text, and the order they take over one table (first met first)
# cannot be rebuilt from chunks
COMMAND_TYPE = "centralized streaming"


@command("extract", "kv", reads=reads,
          doc='Extracts key=value pairs from the text of _raw.',
          syntax='extract [pairdelim=string] [kvdelim=string] [limit=int] [maxchars=int] [clean_keys=bool] [mv_add=bool] [auto=bool]')
def run(node, table, ctx):
    check_known(node, OPTIONS, unsupported={"reload", "segment"})
    if [w for w in words(node) if w != ","]:  # the page's example separates options by commas
        raise UnsupportedError(f"{node.name}: extractor names are not supported",
                               span=node.span)
    pairdelim = ast.option(node.options, "pairdelim")
    kvdelim = ast.option(node.options, "kvdelim")
    if pairdelim is None and kvdelim is None:
        raise UnsupportedError(f"{node.name} without pairdelim= or kvdelim= (the sourcetype's "
                               f"configured extractions) is not supported", span=node.span)
    flag(node, "auto", True)  # checked; see the module docstring
    clean = flag(node, "clean_keys", True)
    mv_add = flag(node, "mv_add", False)
    limit = integer(node, "limit", 50)
    maxchars = integer(node, "maxchars", 10240)
    split_pairs = re.compile("[" + re.escape(pairdelim) + "]" if pairdelim else r"\s+")
    split_kv = re.compile("[" + re.escape(kvdelim) + "]" if kvdelim else "=")
    if "_raw" not in table.columns or table.empty:
        return table
    found: dict[str, dict[int, object]] = {}
    for i, raw in enumerate(table["_raw"].tolist()):
        text = to_str(mv_values(raw)[0]) if mv_values(raw) else None
        if not text:
            continue
        row: dict[str, list] = {}
        count = 0
        for piece in split_pairs.split(text[:maxchars]):
            if count >= limit:
                break
            parts = split_kv.split(piece)
            if len(parts) != 2:  # no delimiter, or one in the value too: not extracted
                continue
            key, value = parts[0].strip(), parts[1].strip()
            if clean:
                key = _UNCLEAN.sub("_", key).lstrip("_")
            if not key:
                continue
            count += 1
            if key in row and not mv_add:
                continue
            row.setdefault(key, []).append(value)
        for key, values in row.items():
            found.setdefault(key, {})[i] = make_mv(values)
    if not found:
        return table
    table = table.copy()
    for name, cells in found.items():
        old = table[name].tolist() if name in table.columns else [None] * len(table)
        table[name] = pd.Series([old[i] if old[i] is not None or i not in cells else cells[i]
                                 for i in range(len(table))], index=table.index, dtype=object)
    return table
