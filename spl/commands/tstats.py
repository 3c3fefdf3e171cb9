"""tstats: statistics over indexed fields or an accelerated data model.

spl has no index-time fields and no data models (a data model maps many sourcetypes through
Splunk's CIM add-on), so tstats cannot run here; the error says what the search needs, so that
``spl check --exec-coverage`` and ``spl test`` report "needs datamodel X".
"""
from spl.commands import command
from spl.errors import UnsupportedError


def reads(node) -> None:
    """Indexed fields and data models, not the events' fields."""
    return None


@command("tstats", reads=reads)
def run(node, table, ctx):
    if node.datamodel:
        raise UnsupportedError(f"needs datamodel {node.datamodel}", span=node.span)
    raise UnsupportedError("tstats needs index-time fields, which spl does not have",
                           span=node.span)
