"""regex: keep (or drop) the results whose field matches a regular expression.

Splunk (https://help.splunk.com/en/splunk-enterprise/search/spl-search-reference/9.4/search-commands/regex):
``regex (<field>=<regex> | <field>!=<regex> | <regex>)``: with ``=`` the results whose field
matches are kept, with ``!=`` those that do not match; without a field, ``_raw`` is matched.
The expression is PCRE, unanchored; it runs bounded (spl.eval.regex, limits.conf [rex]).
Readings where the page is silent (pinned in tests/test_cmd_regex.py): a multivalue field
matches when one of its values does; a result without the field does not match (so ``!=``
keeps it); a number is matched as Splunk prints it.
"""
from spl.commands import command
from spl.commands._generic import words
from spl.errors import SearchError
from spl.eval.regex import bounded
from spl.values import is_null, mv_values, to_str


def reads(node) -> set[str]:
    """The field matched (``_raw`` when none is named)."""
    fields = {key[:-1] if key.endswith("!") else key for key, _ in node.options}
    return fields or {"_raw"}


# Splunk's type (spl.mapreduce; https://help.splunk.com/splunk-enterprise/spl-search-reference/10.0/quick-reference/command-types)
COMMAND_TYPE = "distributable streaming"


@command("regex", reads=reads,
          doc='Keeps (or removes) the results whose field matches a regular expression.',
          syntax='regex [field=|field!=] regex')
def run(node, table, ctx):
    args = words(node)
    if len(args) + len(node.options) != 1:
        raise SearchError("regex takes one <field>=<regex>, <field>!=<regex> or <regex>",
                          span=node.span)
    if args:
        field, pattern, keep = "_raw", args[0], True
    else:
        key, pattern = node.options[0]
        keep = not key.endswith("!")
        field = key if keep else key[:-1]
    rx = bounded(pattern, "regex", node.span)
    if field not in table.columns:
        return table.iloc[0:0] if keep else table
    mask = [any(rx.search(to_str(v)) is not None for v in mv_values(cell) if not is_null(v))
            for cell in table[field].tolist()]
    if not keep:
        mask = [not m for m in mask]
    return table[mask]
