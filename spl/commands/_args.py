"""Option values shared by everything that reads ``name=value`` settings (commands, lookup and
macro definitions).

Every command reads booleans and integers the same way, refuses a value it cannot read (a typo
in a boolean is an error, never a silent false) and names the option it rejects, at the span of
the command.
"""
from __future__ import annotations

import re
from collections.abc import Set as AbstractSet
from typing import overload

from spl.errors import SearchError, UnsupportedError
from spl.syntax import ast

_TRUE = {"true", "t", "1", "yes", "y"}
_FALSE = {"false", "f", "0", "no", "n"}
_INTEGER = re.compile(r"[+-]?\d+\Z")
_HUGE = 10 ** 18  # beyond any count or size a search means; larger values are refused


def boolean(text: str) -> bool | None:
    """The truth value of a boolean setting (true/false, t/f, 1/0, yes/no, y/n; any case), or
    None when ``text`` is none of them."""
    value = text.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    return None


def flag(node, name: str, default: bool) -> bool:
    """Boolean option ``name`` of ``node``; a value that is not a boolean is an error."""
    value = ast.option(node.options, name)
    if value is None:
        return default
    truth = boolean(value)
    if truth is None:
        raise SearchError(f"{node.name}: option {name}={value} must be true or false",
                          span=node.span)
    return truth


@overload
def integer(node, name: str, default: int, minimum: int = 0,
            maximum: int | None = None) -> int: ...
@overload
def integer(node, name: str, default: None, minimum: int = 0,
            maximum: int | None = None) -> int | None: ...
def integer(node, name: str, default: int | None, minimum: int = 0,
            maximum: int | None = None) -> int | None:
    """Integer option ``name`` of ``node``, from ``minimum`` to ``maximum`` (default 10**18)."""
    value = ast.option(node.options, name)
    if value is None:
        return default
    text = value.strip()
    n = None
    if _INTEGER.match(text):  # more digits than Python converts at once: beyond any bound
        n = int(text) if len(text) <= 40 else (-1 if text[0] == "-" else 1) * _HUGE * 10
    if n is None or n < minimum:
        raise SearchError(f"{node.name}: option {name}={value} must be an integer of at least "
                          f"{minimum}", span=node.span)
    maximum = _HUGE if maximum is None else maximum
    if n > maximum:
        raise SearchError(f"{node.name}: option {name}={value} must be at most {maximum:,}",
                          span=node.span)
    return n


def check_known(node, known: AbstractSet[str], unsupported: AbstractSet[str] = frozenset()) -> None:
    """An option the command does not have is an error naming it; one Splunk has but spl does
    not implement (``unsupported``) says so."""
    for key, _ in node.options:
        if key.lower() in unsupported:
            raise UnsupportedError(f"{node.name}: option {key} is not supported", span=node.span)
        if key.lower() not in known:
            raise SearchError(f"{node.name}: unknown option '{key}'", span=node.span)
