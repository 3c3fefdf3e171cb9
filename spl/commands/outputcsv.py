"""outputcsv: write the results to a CSV file; the results pass through unchanged.

Splunk (https://help.splunk.com/splunk-enterprise/spl-search-reference/9.4/search-commands/outputcsv):
``outputcsv [append=<bool>] [create_empty=<bool>] [override_if_empty=<bool>] [dispatch=<bool>]
[usexml=<bool>] [singlefile=<bool>] [<filename>]``: the file goes to Splunk's CSV directory
($SPLUNK_HOME/var/run/splunk/csv), ``.csv`` added to a name without it; ``append`` adds to an
existing file, ``create_empty`` (default false) writes a file for no results,
``override_if_empty`` (default true) empties an existing file when there are none.

spl's CSV directory is ``csv/`` inside the session's lookup output directory (``--lookup-output``,
$SPL_LOOKUP_DIR, else $XDG_DATA_HOME/spl/lookups: spl.lookups), where ``inputcsv`` reads. The name
is a plain file name; the file is never written through a symbolic link and is replaced whole
(spl.lookups.OutputFile). Cells are written as outputlookup writes them. ``dispatch`` (the job's
own directory), ``usexml`` and ``singlefile`` (which only matter with Splunk's output to the
command line or several search peers) are checked to be booleans; a missing file name (output
to the terminal) is not supported.
"""
from __future__ import annotations

import csv

from spl.commands import command
from spl.commands._args import check_known, flag
from spl.commands._fieldlist import words
from spl.commands.outputlookup import csv_cell
from spl.errors import ConfigError, SplError, UnsupportedError
from spl.lookups import OutputFile, session_lookups

CSV_DIR = "csv"


def reads(node) -> None:
    """It writes every field of the results."""
    return None


@command("outputcsv", reads=reads,
          doc='Writes the results to a CSV file.',
          syntax='outputcsv [append=bool] [create_empty=bool] [dispatch=bool] [usexml=bool] filename')
def run(node, table, ctx):
    check_known(node, {"append", "create_empty", "override_if_empty", "dispatch", "usexml",
                       "singlefile"})
    append = flag(node, "append", False)
    create_empty = flag(node, "create_empty", False)
    override_if_empty = flag(node, "override_if_empty", True)
    for name in ("dispatch", "usexml", "singlefile"):
        flag(node, name, False)
    columns = [c for c in table.columns if table[c].notna().any()]
    records = [[csv_cell(v) for v in cells]
               for cells in table[columns].itertuples(index=False, name=None)]
    try:
        with csv_file(node, ctx) as out:
            exists = out.exists()
            if append and exists:
                header, old = out.read()
                columns, previous = header + [c for c in columns if c not in header], columns
                records = ([[r.get(c) or "" for c in columns] for r in old]
                           + [[dict(zip(previous, rec)).get(c, "") for c in columns]
                              for rec in records])
            elif not records and ((exists and not override_if_empty)
                                  or (not exists and not create_empty)):
                return table

            def write(f):
                if columns:
                    writer = csv.writer(f)
                    writer.writerow(columns)
                    writer.writerows(records)
            out.replace(write)
    except SplError as e:
        if e.span is None and e.file is None:
            e.span = node.span
        raise
    return table


def csv_file(node, ctx) -> OutputFile:
    """The file a command's one file-name argument names, inside the CSV directory."""
    names = words(node)
    if len(names) != 1:
        if not names:
            raise UnsupportedError(f"{node.name}: a file name is needed (spl has no output to "
                                   "the terminal or job directory)", span=node.span)
        raise ConfigError(f"{node.name}: one file name, not {len(names)}")
    name = names[0] if names[0].endswith(".csv") else names[0] + ".csv"
    if any(c in name for c in "/\\\0") or name.startswith("."):
        raise ConfigError(f"{node.name}: {names[0]!r} is not a plain file name: CSV files are "
                          f"kept in one directory, so a directory, '..', an absolute path or a "
                          "leading '.' is refused")
    return OutputFile(session_lookups(ctx).output_dir / CSV_DIR / name)
