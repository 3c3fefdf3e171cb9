"""Option values shared by the commands that take ``name=value`` options (rex, bin, top, ...).

Every such command reads booleans and integers the same way and names the option it rejects.
"""
from __future__ import annotations

from spl.errors import SearchError
from spl.syntax import ast

_TRUE = {"true", "t", "1", "yes", "y"}
_FALSE = {"false", "f", "0", "no", "n"}


def flag(node, name: str, default: bool) -> bool:
    """Boolean option ``name`` of ``node`` (true/false, t/f, 1/0, yes/no)."""
    value = ast.option(node.options, name)
    if value is None:
        return default
    if value.lower() in _TRUE:
        return True
    if value.lower() in _FALSE:
        return False
    raise SearchError(f"{node.name}: option {name}={value} must be true or false", span=node.span)


def integer(node, name: str, default: int | None, minimum: int = 0) -> int | None:
    """Integer option ``name`` of ``node``, at least ``minimum``."""
    value = ast.option(node.options, name)
    if value is None:
        return default
    try:
        n = int(value)
    except ValueError:
        n = None
    if n is None or n < minimum:
        raise SearchError(f"{node.name}: option {name}={value} must be an integer of at least "
                          f"{minimum}", span=node.span)
    return n


def check_known(node, known: set[str]) -> None:
    """An option the command does not have is an error naming it."""
    for key, _ in node.options:
        if key.lower() not in known:
            raise SearchError(f"{node.name}: unknown option '{key}'", span=node.span)
