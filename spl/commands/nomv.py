"""nomv: a multivalue field made one value, its values joined by newlines.

Splunk (https://help.splunk.com/en/splunk-enterprise/search/spl-search-reference/9.4/search-commands/nomv):
``nomv <field>`` converts the values of a multivalue field into one single value, separated by a
new line ("\\n"). A single value (numbers as Splunk prints them) and null are left as they are.
"""
import pandas as pd

from spl.commands import command
from spl.commands._generic import no_options, words
from spl.errors import SearchError
from spl.values import to_str


def reads(node) -> set[str]:
    """The field made single-valued."""
    return {a[1:-1] if len(a) >= 2 and a[0] == a[-1] == '"' else a
            for a in node.args if isinstance(a, str)}


# Splunk's type (spl.mapreduce; https://help.splunk.com/splunk-enterprise/spl-search-reference/10.0/quick-reference/command-types)
COMMAND_TYPE = "distributable streaming"


@command("nomv", reads=reads,
          doc='Turns a multivalue field into a single value, the values joined by newlines.',
          syntax='nomv field')
def run(node, table, ctx):
    no_options(node)
    names = words(node)
    if len(names) != 1:
        raise SearchError("nomv takes one field name", span=node.span)
    name = names[0]
    if name not in table.columns:
        return table
    table = table.copy()
    table[name] = pd.Series([_join(v) for v in table[name].tolist()], index=table.index,
                            dtype=object)
    return table


def _join(v):
    if isinstance(v, list):
        return "\n".join(to_str(x) for x in v)
    return v
