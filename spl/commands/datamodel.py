"""datamodel: ``| datamodel <model> <dataset> search`` returns the events of a dataset.

Splunk (https://help.splunk.com/splunk-enterprise/spl-search-reference/9.4/search-commands/datamodel):
``search`` gives the events with the data model's fields named ``<lineage>.<field>``
(``All_Changes.user``); ``flat`` gives the same fields without the lineage (``user``).
Listing models (``| datamodel`` alone, or with a model and no mode) returns their JSON in
Splunk and is not supported here; nor is ``acceleration_search``.
"""
import pandas as pd

from spl import datamodels
from spl.commands import command
from spl.commands.tstats import resolve, session_events
from spl.errors import SearchError, UnsupportedError

_MODES = ("search", "flat")


def reads(node) -> None:
    """A data model's fields come from any field of the events; every field is loaded."""
    return None


@command("datamodel", reads=reads,
          doc='Searches a data model dataset: its constraints and fields over the events.',
          syntax='datamodel DataModel [Dataset] search')
def run(node, table, ctx):
    args = [a for a in node.args if isinstance(a, str)]
    if node.options or len(args) != len(node.args):
        raise SearchError("datamodel takes <model> <dataset> search|flat", span=node.span)
    if len(args) == 3 and args[2].lower() in _MODES:
        model_name, dataset, mode = args[0], args[1], args[2].lower()
    elif len(args) == 2 and args[1].lower() in _MODES and "." in args[0]:
        (model_name, dataset), mode = args[0].split(".", 1), args[1].lower()
    else:
        raise UnsupportedError("datamodel: only '| datamodel <model> <dataset> search' (or "
                               "flat) is supported", span=node.span)
    model, ds = resolve(f"{model_name}.{dataset}", ctx, node.span)
    rows = datamodels.dataset_rows(model, ds, session_events(ctx), ctx, keep_event_fields=True)
    if mode == "flat":
        lineages = sorted({f"{d.lineage}." for d in ds.chain() + ds.subtree()}, key=len,
                          reverse=True)
        columns: dict = {}
        for column in rows.columns:  # a dataset's value replaces the event's field of its name
            prefix = next((p for p in lineages if column.startswith(p)), "")
            columns[column[len(prefix):]] = rows[column]
        rows = pd.DataFrame(columns, index=rows.index)
    return rows
