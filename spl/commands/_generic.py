"""Reading the arguments of commands parsed as ``generic_cmd`` (spl.syntax.ast.Generic).

Such a command keeps its positional arguments as written (a double-quoted one with its quotes)
and its ``key=value`` options with the value unquoted. These helpers give the commands built on
it (filldown, strcat, regex, ...) one way to read them.
"""
from __future__ import annotations

import re

from spl.errors import SearchError
from spl.syntax import ast

_ESCAPE = re.compile(r"\\([\\\"])")


def is_quoted(arg: str) -> bool:
    return len(arg) >= 2 and arg[0] == arg[-1] == '"'


def unquote(arg: str) -> str:
    """An argument's text: a double-quoted one without its quotes, ``\\\\`` and ``\\"`` resolved
    (as the parser does for option values)."""
    return _ESCAPE.sub(r"\1", arg[1:-1]) if is_quoted(arg) else arg


def words(node) -> list[str]:
    """The positional arguments (unquoted); a ``[subsearch]`` among them is an error."""
    out = []
    for arg in node.args:
        if isinstance(arg, ast.Subsearch):
            raise SearchError(f"{node.name}: a [subsearch] is not an argument of this command",
                              span=arg.span)
        out.append(unquote(arg))
    return out


def no_options(node) -> None:
    """A command without options: any ``key=value`` is an error naming it."""
    for key, value in node.options:
        raise SearchError(f"{node.name}: unknown option '{key}={value}'", span=node.span)
