"""fieldformat: how a field's values are shown, without changing the values the search uses.

Splunk (https://help.splunk.com/en/splunk-enterprise/search/spl-search-reference/9.4/search-commands/fieldformat):
``fieldformat <field>=<eval-expression>`` changes the format of a field's values "when the
results render"; the values commands after it see stay as they were, and commands that export
data (outputcsv, outputlookup) write the unformatted values. So the command itself passes its
results on unchanged, and ``spl.engine.finish`` applies every fieldformat of the search to the
final results, in order, where each field still exists (an expression that reads other fields
reads their final values). spl's reading where the page is silent: a fieldformat on a field
the final results lack does nothing; a later fieldformat on the same field formats the
values the earlier one made.
"""
from spl.commands import command
from spl.syntax import ast


def reads(node) -> set[str] | None:
    """What its expressions read (at the end of the search, from the final results)."""
    return ast.references(node.assignments)


# Splunk's type (spl.mapreduce; https://help.splunk.com/splunk-enterprise/spl-search-reference/10.0/quick-reference/command-types)
COMMAND_TYPE = "distributable streaming"


@command("fieldformat", reads=reads,
         doc="Formats a field's values in the final results; the search goes on with the values unchanged.",
         syntax="fieldformat field=eval-expression [, field=eval-expression ...]")
def run(node, table, ctx):
    return table


def apply(pipeline: ast.Pipeline, table, ctx):
    """The final results with every fieldformat of ``pipeline`` applied (module doc)."""
    from spl.commands import eval as eval_command

    formats = [cmd for cmd in pipeline.commands
               if isinstance(cmd, ast.Eval) and cmd.name == "fieldformat"]
    for cmd in formats:
        present = tuple(a for a in cmd.assignments if a.field in table.columns)
        if present and len(table):
            table = eval_command.run(ast.Eval("eval", cmd.span, present), table, ctx)
    return table
