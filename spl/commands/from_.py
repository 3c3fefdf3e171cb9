"""from (module ``from_``: ``from`` is a Python keyword): results of a dataset. Only data model datasets appear in ESCU, and spl has no data
models: the error says which one the search needs ("needs datamodel X")."""
import re

from spl.commands import command
from spl.errors import UnsupportedError


def datamodel_of(dataset: str) -> str | None:
    """``X`` of ``datamodel:X`` / ``datamodel X`` (quotes removed), else None."""
    found = re.match(r"\s*datamodel\s*[:\s]\s*(.+?)\s*$", dataset, re.IGNORECASE)
    return found.group(1).strip("\"'") if found else None


def reads(node) -> None:
    """A dataset's fields are whatever it defines."""
    return None


@command("from", reads=reads)
def run(node, table, ctx):
    model = datamodel_of(node.dataset)
    if model:
        raise UnsupportedError(f"needs datamodel {model}", span=node.span)
    raise UnsupportedError(f"from {node.dataset} is not supported: only data model datasets "
                           f"appear in detections, and spl has none", span=node.span)
