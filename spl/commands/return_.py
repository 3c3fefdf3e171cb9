"""return: values of the first results as a search string, in a field named ``search``.

Splunk (https://help.splunk.com/splunk-enterprise/spl-search-reference/9.4/search-commands/return):
``return [<count>] [<alias>=<field>...] [<field>...] [$<field>...]``, for a subsearch to hand
its values to the outer search: ``<field>`` gives ``field="value"``, ``<alias>=<field>`` gives
``alias="value"``, ``$<field>`` the value alone; ``count`` (default 1) is how many results are
used. "The return command ... is equivalent to: | head 1 | fields src | format" for one field,
so several results are written as format writes them.

spl's readings (pinned in tests/test_cmd_format_return.py): one result gives its terms joined by
a space (``src="a" user="b"``); several give ``(<terms>) OR (<terms>)``; a result with none of
the fields is left out; no result gives an empty string (the outer search then adds no terms).
Quotes and backslashes in values are escaped as format escapes them.
"""
from __future__ import annotations

import pandas as pd

from spl.commands import command
from spl.commands._fieldlist import words
from spl.commands.format_ import quote
from spl.errors import SearchError
from spl.syntax import ast
from spl.values import is_null, mv_values, to_str


def reads(node) -> set[str] | None:
    """The fields returned (``$f``, ``alias=f`` and ``f`` read f)."""
    names = {value for _, value in node.options}
    for arg in node.args:
        if not isinstance(arg, str):
            return None
        names.update(w.lstrip("$") for w in arg.split(",") if w and not w.isdigit())
    return names


@command("return", reads=reads, narrows=True,
          doc='Returns values from a subsearch as field=value terms or bare values.',
          syntax='return [N] [field | alias=field | $field] ...')
def run(node: ast.Generic, table: pd.DataFrame, ctx) -> pd.DataFrame:
    args = words(node)
    count = 1
    if args and args[0].isdigit():
        count = int(args.pop(0))
    items: list[tuple[str | None, str]] = [(alias, field) for alias, field in node.options]
    for word in args:
        items.append((None, word[1:]) if word.startswith("$") else (word, word))
    if not items:
        raise SearchError("return needs a field: return [count] [alias=]field... or $field",
                          span=node.span)
    groups = []
    for record in table.iloc[:count].to_dict("records"):
        terms = []
        for alias, field in items:
            values = [to_str(v) for v in mv_values(record.get(field)) if not is_null(v)]
            if values:
                text = " ".join(values)
                terms.append(text if alias is None else f'{alias}="{quote(text)}"')
        if terms:
            groups.append(" ".join(terms))
    text = groups[0] if len(groups) == 1 else " OR ".join(f"({g})" for g in groups)
    return pd.DataFrame({"search": pd.Series([text], dtype=object)})
