"""reverse: the results in the opposite order.

Splunk (https://help.splunk.com/en/splunk-enterprise/search/spl-search-reference/9.4/search-commands/reverse):
``reverse`` takes no arguments and reverses the order of the results.
"""
from spl.commands import command
from spl.commands._generic import no_options, words
from spl.errors import SearchError


def reads(node) -> set[str]:
    """Nothing: rows move, no field is read."""
    return set()


# Splunk's type (spl.mapreduce; https://help.splunk.com/splunk-enterprise/spl-search-reference/10.0/quick-reference/command-types)
COMMAND_TYPE = "dataset processing"


@command("reverse", reads=reads,
          doc='Reverses the order of the results.',
          syntax='reverse')
def run(node, table, ctx):
    no_options(node)
    if words(node):
        raise SearchError("reverse takes no arguments", span=node.span)
    return table.iloc[::-1]
