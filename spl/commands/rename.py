"""rename: new names for fields, with matching ``*`` wildcards on both sides.

Splunk (https://help.splunk.com/en/splunk-enterprise/search/spl-search-reference/10.0/search-commands/rename):
renaming a field onto an existing one replaces it; when the source field does not exist and the
target does, the target's values are removed; both sides need the same number of wildcards.
"""
from spl.commands import command
from spl.errors import SearchError
from spl.fieldnames import expand, has_wildcard, substitute


def reads(node) -> set[str]:
    """The fields renamed (a target's own values are replaced or removed, never read)."""
    return {old for old, _ in node.pairs}


# Splunk's type (spl.mapreduce; https://help.splunk.com/splunk-enterprise/spl-search-reference/10.0/quick-reference/command-types)
COMMAND_TYPE = "distributable streaming"


@command("rename", reads=reads,
          doc='Renames fields; wildcards rename many at once.',
          syntax='rename field AS newname [, field AS newname ...]')
def run(node, table, ctx):
    for old, new in node.pairs:
        if old.count("*") != new.count("*"):
            raise SearchError(f"rename: '{old}' and '{new}' must have the same number of wildcards",
                              span=node.span)
        if has_wildcard(old):
            mapping = {c: substitute(old, c, new) for c in expand(old, table.columns)}
        else:
            mapping = {old: new} if old in table.columns else {}
            if not mapping and new in table.columns:
                table = table.drop(columns=[new])
        table = _apply(table, {k: v for k, v in mapping.items() if k != v})
    return table


def _apply(table, mapping):
    """Rename columns in place of the old ones; a target that already exists is replaced."""
    if not mapping:
        return table
    doomed = [c for c in mapping.values() if c in table.columns and c not in mapping]
    table = table.drop(columns=doomed)
    return table.rename(columns=mapping)
