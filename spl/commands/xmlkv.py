"""xmlkv: fields from the XML elements of a field (``_raw`` by default): <name>value</name>.

Splunk (https://help.splunk.com/splunk-cloud-platform/spl-search-reference/9.3.2408/search-commands/xmlkv):
``xmlkv [<field>] [maxinputs=<int>]``; in ``<name>Settlers of Catan</name>`` the tag is the key
and the text the value. ``maxinputs`` (default 50000) is how many results each invocation of
the command receives, the command being invoked again until every result is done: it changes
how Splunk batches the work, not the results, so spl checks it and needs no batches.
Readings where the page is silent (pinned in tests/test_cmd_xmlkv.py): only elements holding
text and no other element give fields (``<game>`` around ``<name>`` gives none); a tag met more
than once in a result gives a multivalue field, in document order; attributes are ignored;
the XML entities &lt; &gt; &amp; &quot; &apos; are decoded; an element with empty text gives no
value; an extracted field replaces one of the same name.
"""
import re
from xml.sax.saxutils import unescape

import pandas as pd

from spl.commands import command
from spl.commands._args import check_known, integer
from spl.commands._generic import words
from spl.errors import SearchError
from spl.values import make_mv, mv_values, to_str

# a leaf element: its text holds no '<'; the closing tag must name the opening one
_LEAF = re.compile(r"<([A-Za-z_][\w.:-]*)(?:\s[^<>]*)?>([^<]*)</\1\s*>")
_ENTITIES = {"&quot;": '"', "&apos;": "'"}


def reads(node) -> set[str]:
    """The field holding the XML (``_raw`` when none is named)."""
    return {a for a in node.args if isinstance(a, str)} or {"_raw"}


# Splunk's type (the page: "a distributable streaming command")
# Splunk's type, but spl runs it on the collected events (spl.mapreduce): the fields it makes
# are named by each event's text, and the order they take over one table (first met first)
# cannot be rebuilt from chunks
COMMAND_TYPE = "centralized streaming"


@command("xmlkv", reads=reads,
          doc='Extracts the leaf elements of XML in _raw as fields.',
          syntax='xmlkv [maxinputs=int]')
def run(node, table, ctx):
    check_known(node, {"maxinputs"})
    integer(node, "maxinputs", 50000, minimum=1)
    args = words(node)
    if len(args) > 1:
        raise SearchError("xmlkv takes at most one field name", span=node.span)
    field = args[0] if args else "_raw"
    if field not in table.columns:
        return table
    found: dict[str, dict[int, object]] = {}
    for i, cell in enumerate(table[field].tolist()):
        values: dict[str, list[str]] = {}
        for v in mv_values(cell):
            for m in _LEAF.finditer(to_str(v)):
                text = unescape(m.group(2), _ENTITIES)
                if text:
                    values.setdefault(m.group(1), []).append(text)
        for key, vals in values.items():
            found.setdefault(key, {})[i] = make_mv(vals)
    if not found:
        return table
    table = table.copy()
    for name, cells in found.items():
        old = table[name].tolist() if name in table.columns else [None] * len(table)
        table[name] = pd.Series([cells.get(i, old[i]) for i in range(len(table))],
                                index=table.index, dtype=object)
    return table
