"""lookup: add fields from a lookup table to each result (the module is ``lookup_``: one named
``lookup`` would hide the registry's ``lookup()`` function).

Splunk (https://help.splunk.com/splunk-enterprise/spl-search-reference/10.0/search-commands/lookup,
and transforms.conf.spec for the table settings): ``lookup <table> <col> [AS <field>]...
[OUTPUT|OUTPUTNEW <col> [AS <field>]...]``; without an output clause every column that is not an
input is output; OUTPUT overwrites, OUTPUTNEW fills only fields a result lacks; a result with
every input field but no matching row gets its OUTPUT fields cleared. Matching rules live in
spl.lookups (shared with the sourcetype's automatic lookups).
"""
import pandas as pd

from spl.commands import command
from spl.errors import SearchError
from spl.lookups import apply_lookup, table_for


def reads(node) -> set[str] | None:
    """Input fields, and output fields (kept by an event lacking an input, or by OUTPUTNEW);
    without an output clause the outputs are the table's columns, unknown before it is read."""
    if node.mode is None:
        return None
    return {field for _, field in node.inputs} | {field for _, field in node.outputs}


# Splunk's type (spl.mapreduce; https://help.splunk.com/splunk-enterprise/spl-search-reference/10.0/quick-reference/command-types)
COMMAND_TYPE = "distributable streaming"


@command("lookup", reads=reads,
          doc='Adds fields to each result from a lookup table row matching its field values.',
          syntax='lookup table field [AS field] ... [OUTPUT|OUTPUTNEW field [AS field] ...]')
def run(node, table, ctx):
    lookup = table_for(node, ctx)
    missing = [c for c, _ in (*node.inputs, *node.outputs) if c not in lookup.columns]
    if missing:
        raise SearchError(f"lookup {node.table!r} has no column {missing[0]!r} (its columns: "
                          f"{', '.join(lookup.columns)})", span=node.span)
    outputs = list(node.outputs)
    if node.mode is None:
        used = {c for c, _ in node.inputs}
        outputs = [(c, c) for c in lookup.columns if c not in used]
    cols = {c: table[c].tolist() for c in table.columns}
    apply_lookup(cols, len(table), lookup, list(node.inputs), outputs, node.mode == "outputnew")
    return pd.DataFrame({c: pd.Series(v, dtype="float64" if c == "_time" else object,
                                      index=table.index) for c, v in cols.items()},
                        index=table.index)
