"""tstats: statistics over the fields of a data model, or over the indexed fields of events.

Splunk (https://help.splunk.com/splunk-enterprise/spl-search-reference/9.4/search-commands/tstats):
``| tstats [prestats=] [append=] [summariesonly=] [allow_old_summaries=] [fillnull_value=] ...
<stats-func>... [FROM datamodel=<model>[.<dataset>] [WHERE nodename=...]] [WHERE <search>]
[BY <field-list> [span=<timespan>]]``.

- With a data model, the rows are the dataset's events, fields named ``<lineage>.<field>``
  (``All_Changes.user``) as spl.datamodels computes them from the loaded events; the WHERE
  clause is a search over those names and ``nodename``. Without one, only the indexed fields
  exist: ``_time``, ``index``, ``sourcetype``, ``source``, ``host`` (every other field is null).
- The statistics are those of ``stats`` (spl.commands.stats), by the same rules: a row whose BY
  field is null is dropped unless ``fillnull_value`` gives the value to use instead.
- ``BY _time span=1h`` groups times into bins as ``bin`` does; ``_time`` without a span is
  grouped as ``bin`` does with no span (at most 100 bins over the times found).
- ``prestats=t`` gives the rows a following ``stats``/``timechart`` reads (here: the matching
  rows themselves, with the fields the search names), and ``AS`` cannot rename then;
  ``append=t`` (only with prestats) adds them to the results so far.
- Acceleration is emulated by computing the model over the loaded events, so
  ``summariesonly=t`` gives the same rows as ``summariesonly=f`` (README: "Data models").
  ``allow_old_summaries``, ``local``, ``include_reduced_buckets`` and ``chunk_size`` change
  nothing here; they are checked and accepted.
"""
from __future__ import annotations

import pandas as pd

from spl import datamodels
from spl.commands import command
from spl.commands._args import check_known, flag, integer
from spl.commands.append import concat
from spl.commands.stats import run_stats
from spl.errors import SearchError, UnsupportedError
from spl.syntax import ast

_OPTIONS = {"prestats", "append", "summariesonly", "allow_old_summaries", "fillnull_value",
            "local", "include_reduced_buckets", "chunk_size", "span"}
INDEXED_FIELDS = ("_time", "index", "sourcetype", "source", "host")


def session_events(ctx, fields: set[str] | None = None) -> pd.DataFrame:
    """Every loaded event of the running search's session, with ``fields`` at least (None:
    every field); none without a session."""
    read = getattr(ctx.session, "events_of", None)
    events = read(fields) if read is not None else getattr(ctx.session, "events", None)
    return events if isinstance(events, pd.DataFrame) else pd.DataFrame(
        {"_time": pd.Series([], dtype=float)})


def model_dirs(ctx) -> list:
    """The user's data model directories (``--datamodels``), searched before spl's own."""
    return list(getattr(ctx.session, "datamodel_dirs", None) or [])


def resolve(text: str, ctx, span) -> tuple[datamodels.DataModel, datamodels.Dataset]:
    """``Change`` / ``Change.All_Changes`` -> the model and the dataset."""
    name, dataset = datamodels.split_name(text)
    model = datamodels.load_model(name, model_dirs(ctx), span=span, written=text.strip())
    return model, model.dataset(dataset, span=span)


def source_rows(node: ast.Tstats, ctx) -> pd.DataFrame:
    """The rows tstats aggregates: a dataset's, or the indexed fields of every event."""
    if node.datamodel and "=" in node.datamodel:
        raise UnsupportedError(f"tstats: FROM {node.datamodel} is not supported (only "
                               f"FROM datamodel=<name>)", span=node.span)
    if node.datamodel:
        model, ds = resolve(node.datamodel, ctx, node.span)
        events = session_events(ctx, datamodels.fields_read(model, ds))
        return datamodels.dataset_rows(model, ds, events, ctx)
    events = session_events(ctx, set(INDEXED_FIELDS))
    return events[[c for c in INDEXED_FIELDS if c in events.columns]]


def reads(node) -> None:
    """A data model's fields come from any field of the events; every field is loaded."""
    return None


@command("tstats", reads=reads,
          doc='Calculates statistics over indexed fields or a data model (accelerated summaries emulated).',
          syntax='| tstats [summariesonly=bool] [allow_old_summaries=bool] function(field) [AS name] ... FROM datamodel=Model[.Dataset] [WHERE search] [BY field-list [span=T]]')
def run(node: ast.Tstats, table: pd.DataFrame, ctx) -> pd.DataFrame:
    check_known(node, _OPTIONS)
    prestats = flag(node, "prestats", False)
    append = flag(node, "append", False)
    for name in ("summariesonly", "allow_old_summaries", "local", "include_reduced_buckets"):
        flag(node, name, False)
    integer(node, "chunk_size", None, minimum=1)
    if append and not prestats:
        raise SearchError("tstats: append=true needs prestats=true", span=node.span)
    span = ast.option(node.options, "span")
    if span is not None and "_time" not in node.by:
        raise SearchError("tstats: span= needs BY _time", span=node.span)
    if prestats:
        for agg in node.aggregations:
            if agg.alias is not None:
                raise SearchError(f"tstats: '{agg.text} AS {agg.alias}': AS cannot rename in "
                                  f"prestats mode", span=agg.span)
    from spl.search.evaluate import match

    rows = source_rows(node, ctx)
    if node.where is not None:
        rows = rows[match(node.where, rows, ctx).to_numpy()]
    if "_time" in node.by and len(rows):
        rows = _bin_time(rows, span, node, ctx)
    fill = ast.option(node.options, "fillnull_value")
    if fill is not None:
        rows = rows.copy()
        for field in node.by:
            column = rows[field] if field in rows.columns else pd.Series(
                None, index=rows.index, dtype=object)
            rows[field] = column.astype(object).where(column.notna(), fill)
    if prestats:
        wanted = list(dict.fromkeys([*node.by, *(a.field for a in node.aggregations if a.field),
                                     "_time"]))
        out = rows[[c for c in wanted if c in rows.columns]].reset_index(drop=True)
        return concat(table, out) if append else out
    stats = ast.Stats("stats", node.span, node.aggregations, node.by, ())
    return run_stats(stats, rows.reset_index(drop=True), ctx)


def _bin_time(rows: pd.DataFrame, span: str | None, node, ctx) -> pd.DataFrame:
    """``_time`` put into bins as ``bin _time [span=...]`` does."""
    from spl.commands.bin import run as run_bin

    options = (("span", span),) if span is not None else ()
    binned = ast.Bin("bin", node.span, "_time", None, options)
    return run_bin(binned, rows, ctx)
