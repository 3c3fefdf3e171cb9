"""Field lists and option values of commands parsed generically (spl.syntax.ast.Generic).

A generic command's words keep the commas written between them (``a, b,c`` is ``a,`` ``b,c``)
and double-quoted words keep their quotes; Splunk separates a field list by spaces or commas and
a quoted name is the name inside the quotes.
"""
from __future__ import annotations

import re
from typing import overload

from spl.errors import SearchError
from spl.syntax import ast

_ESCAPE = re.compile(r"\\([\\\"])")


def unquote(word: str) -> str:
    """A word as the name it stands for: a double-quoted one without its quotes and escapes."""
    if len(word) >= 2 and word[0] == word[-1] == '"':
        return _ESCAPE.sub(r"\1", word[1:-1])
    return word


def words(node: ast.Generic) -> list[str]:
    """The positional words, split at commas, quotes removed; a subsearch is an error."""
    out: list[str] = []
    for arg in node.args:
        if not isinstance(arg, str):
            raise SearchError(f"{node.name}: a [subsearch] is not an argument of {node.name}",
                              span=node.span)
        if arg.startswith('"'):
            out.append(unquote(arg))
        else:
            out.extend(part for part in arg.split(",") if part)
    return out


@overload
def option(node: ast.Generic, name: str, default: str) -> str: ...
@overload
def option(node: ast.Generic, name: str, default: None = None) -> str | None: ...
def option(node: ast.Generic, name: str, default: str | None = None) -> str | None:
    """Option ``name`` with a comma written right after its value left off (``fieldname=x,``)."""
    value = ast.option(node.options, name)
    if value is None:
        return default
    return value[:-1] if value.endswith(",") and len(value) > 1 else value


def subsearch(node: ast.Generic) -> ast.Subsearch:
    """The one ``[subsearch]`` a command takes, after its options; anything else is an error."""
    subs = [a for a in node.args if isinstance(a, ast.Subsearch)]
    rest = [a for a in node.args if not isinstance(a, ast.Subsearch)]
    if len(subs) != 1 or rest:
        raise SearchError(f"{node.name} takes options and one [subsearch]", span=node.span)
    return subs[0]
