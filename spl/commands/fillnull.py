"""fillnull: replace null values with a value (0 by default).

Splunk (https://help.splunk.com/splunk-cloud-platform/spl-search-reference/10.0.2503/search-commands/fillnull):
without a field list every field is filled; listed fields that do not exist are created.
"""
from spl.commands import command


def reads(node) -> set[str]:
    """The fields listed; without a list it fills the fields the results have, reading none."""
    return set(node.fields)


def COMMAND_TYPE(node) -> str:
    """Splunk's type (spl.mapreduce; https://help.splunk.com/splunk-enterprise/spl-search-reference/10.0/quick-reference/command-types):
    distributable streaming with a field list; with none it fills every field of the whole
    result set, a dataset processing command."""
    return "distributable streaming" if node.fields else "dataset processing"


@command("fillnull", reads=reads,
          doc='Replaces null values with a value (0 by default).',
          syntax='fillnull [value=V] [field-list]')
def run(node, table, ctx):
    value = "0" if node.value is None else node.value
    fields = list(node.fields) or list(table.columns)
    table = table.copy()
    for name in fields:
        if name in table.columns:
            column = table[name].astype(object)
            table[name] = column.where(column.notna(), value)
        else:
            table[name] = value
    return table
