"""from (module ``from_``: ``from`` is a Python keyword): the events of a data model dataset.

``| from datamodel:<model>.<dataset>`` (also ``datamodel <model>.<dataset>``) returns what
``| datamodel <model> <dataset> search`` returns (spl.commands.datamodel): the dataset's
events, with the data model fields added under their ``<lineage>.<field>`` names.
https://help.splunk.com/splunk-enterprise/spl-search-reference/9.4/search-commands/from
Other datasets (saved searches, lookups, KV store collections) are not supported.
"""
import re

from spl import datamodels
from spl.commands import command
from spl.commands.tstats import resolve, session_events
from spl.errors import UnsupportedError


def datamodel_of(dataset: str) -> str | None:
    """``X`` of ``datamodel:X`` / ``datamodel X`` (quotes removed), else None."""
    found = re.match(r"\s*datamodel\s*[:\s]\s*(.+?)\s*$", dataset, re.IGNORECASE)
    return found.group(1).strip("\"'") if found else None


def reads(node) -> None:
    """A dataset's fields are whatever it defines."""
    return None


@command("from", reads=reads,
          doc='Retrieves data from a dataset, such as a data model dataset or a lookup.',
          syntax='from datamodel:Model.Dataset | from lookup:name')
def run(node, table, ctx):
    name = datamodel_of(node.dataset)
    if name is None:
        raise UnsupportedError(f"from {node.dataset} is not supported: only data model "
                               f"datasets (from datamodel:<model>.<dataset>)", span=node.span)
    model, ds = resolve(name, ctx, node.span)
    return datamodels.dataset_rows(model, ds, session_events(ctx), ctx, keep_event_fields=True)
