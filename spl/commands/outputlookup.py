"""outputlookup: write the results to a CSV lookup file; the results pass through unchanged.

Splunk (https://help.splunk.com/en/splunk-enterprise/spl-search-reference/10.0/search-commands/outputlookup):
``outputlookup [append=<bool>] [create_empty=<bool>] [override_if_empty=<bool>] [max=<int>]
<filename>|<tablename>``; a file name must end in .csv; a table name is a lookup definition (a
CSV or KV store one). append (default false) adds rows to an existing file instead of
replacing it; with no results, override_if_empty (default true) empties an existing file and
create_empty (default true) creates an empty one; max caps the rows written.

spl writes only into the session's lookup output directory (spl.lookups.default_output_dir:
$SPL_LOOKUP_DIR or $XDG_DATA_HOME/spl/lookups), never into a lookup directory it reads:
a collection (KV store) becomes ``<name>.csv`` there, which later lookups of that name read.
Multivalue cells are written with their values on separate lines; ``_time`` as epoch seconds.
"""
import csv

from spl.commands import command
from spl.errors import DataError, SearchError
from spl.lookups import read_csv, session_lookups
from spl.syntax.ast import option
from spl.values import is_null, mv_values, to_str


def _flag(node, name, default):
    return option(node.options, name, default).lower() in ("true", "t", "1", "yes")


def _cell(value) -> str:
    return "\n".join(to_str(v) for v in mv_values(value) if not is_null(v))


@command("outputlookup")
def run(node, table, ctx):
    lookups = session_lookups(ctx)
    path = lookups.output_path(node.table)
    most = option(node.options, "max")
    try:
        rows = table if most is None else table.iloc[:int(most)]
    except ValueError:
        raise SearchError(f"outputlookup: max must be an integer, not {most!r}",
                          span=node.span) from None
    columns = [c for c in rows.columns if rows[c].notna().any()]
    records = [[_cell(v) for v in cells] for cells in rows[columns].itertuples(index=False, name=None)]
    exists = path.is_file()
    if _flag(node, "append", "false") and exists:
        header, old = read_csv(path)
        columns, previous = header + [c for c in columns if c not in header], columns
        records = ([[r.get(c) or "" for c in columns] for r in old] +
                   [[dict(zip(previous, rec)).get(c, "") for c in columns] for rec in records])
    elif not records:
        if exists and not _flag(node, "override_if_empty", "true"):
            return table
        if not exists and not _flag(node, "create_empty", "true"):
            return table
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "w", newline="", encoding="utf-8") as f:
            if columns:  # no fields at all: a 0-length file
                writer = csv.writer(f)
                writer.writerow(columns)
                writer.writerows(records)
    except OSError as e:
        raise DataError(f"outputlookup cannot write the lookup ({e})", file=str(path)) from None
    return table
