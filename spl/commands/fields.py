"""fields: keep (``+``, the default) or remove (``-``) fields.

Splunk (https://help.splunk.com/splunk-cloud-platform/spl-search-reference/10.1.2507/search-commands/fields):
keeping fields still keeps the internal ``_raw`` and ``_time`` unless they are removed explicitly.
"""
from spl.commands import command
from spl.fieldnames import expand


def reads(node) -> set[str]:
    """Fields kept (with _raw and _time, which ``fields`` keeps), or nothing for ``fields -``."""
    return set() if node.remove else set(node.fields) | {"_raw", "_time"}


def narrows(node) -> bool:
    return not node.remove


# Splunk's type (spl.mapreduce; https://help.splunk.com/splunk-enterprise/spl-search-reference/10.0/quick-reference/command-types)
COMMAND_TYPE = "distributable streaming"


@command("fields", reads=reads, narrows=narrows,
          doc='Keeps (+, the default) or removes (-) fields from the results.',
          syntax='fields [+|-] field-list')
def run(node, table, ctx):
    named = [c for pattern in node.fields for c in expand(pattern, table.columns)
             if c in table.columns]
    if node.remove:
        return table.drop(columns=list(dict.fromkeys(named)))
    keep = list(dict.fromkeys(named))
    keep += [c for c in ("_raw", "_time") if c in table.columns and c not in keep]
    return table[keep]
