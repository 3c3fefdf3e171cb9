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
The name is a plain file name (no directory, no '..'); the file is never written through a
symbolic link and is replaced whole (spl.lookups.OutputFile). Multivalue cells are written with
their values on separate lines; ``_time`` as epoch seconds.
"""
import csv

from spl.commands import command
from spl.commands._args import check_known, flag, integer
from spl.errors import SplError
from spl.lookups import session_lookups
from spl.values import is_null, mv_values, to_str


def csv_cell(value) -> str:
    """A cell as a CSV lookup holds it: a multivalue cell's values one per line, nulls empty."""
    return "\n".join(to_str(v) for v in mv_values(value) if not is_null(v))


def reads(node) -> None:
    """It writes every field of the results."""
    return None


@command("outputlookup", reads=reads,
          doc='Writes the results to a lookup table (a CSV file in --lookup-output).',
          syntax='outputlookup [append=bool] [create_empty=bool] [override_if_empty=bool] [max=N] [key_field=F] table')
def run(node, table, ctx):
    check_known(node, {"append", "create_empty", "override_if_empty", "max", "createinapp"},
                unsupported={"key_field", "create_context", "output_format"})
    append = flag(node, "append", False)
    override_if_empty = flag(node, "override_if_empty", True)
    create_empty = flag(node, "create_empty", True)
    flag(node, "createinapp", True)  # read for its errors; spl has no apps to create in
    most = integer(node, "max", None)
    rows = table if most is None else table.iloc[:most]
    columns = [c for c in rows.columns if rows[c].notna().any()]
    records = [[csv_cell(v) for v in cells] for cells in rows[columns].itertuples(index=False, name=None)]
    try:
        with session_lookups(ctx).output_file(node.table) as out:
            exists = out.exists()
            if append and exists:
                header, old = out.read()
                columns, previous = header + [c for c in columns if c not in header], columns
                records = ([[r.get(c) or "" for c in columns] for r in old] +
                           [[dict(zip(previous, rec)).get(c, "") for c in columns]
                            for rec in records])
            elif not records:
                if exists and not override_if_empty:
                    return table
                if not exists and not create_empty:
                    return table

            def write(f):
                if columns:  # no fields at all: a 0-length file
                    writer = csv.writer(f)
                    writer.writerow(columns)
                    writer.writerows(records)
            out.replace(write)
    except SplError as e:
        if e.span is None and e.file is None:
            e.span = node.span  # a bad name: point at the command
        raise
    return table
