"""What text a record must contain to possibly match a search: the loader's pre-filter plan.

``literal_terms(expr)`` turns a search expression into a formula of literal pieces (``Needle``)
combined with ``AllOf``/``AnyOf``. The formula is a necessary condition: every row that
``spl.search.match`` keeps satisfies it, so a record whose text satisfies no way of it can be
skipped before it is parsed. Anything the formula cannot vouch for is ``ANYTHING`` (always true):

- ``NOT``, ``!=``, ``< > <= >=``, time modifiers, subsearches, ``f=*`` (existence), CIDR values;
- a pattern that is all ``*``.

A keyword or phrase must occur in ``_raw`` (``field=None``); ``field=value`` needs the value's
literal pieces (split at ``*``) in the field, which only the loader can relate to the record's
text (it knows which fields are copied from the JSON and which are computed).
"""
from __future__ import annotations

from dataclasses import dataclass

from spl.search.patterns import cidr_network, is_match_all
from spl.syntax import ast


@dataclass(frozen=True)
class Needle:
    """The field (None: a keyword in ``_raw``) holds ``text``; exact case when ``case``."""

    text: str
    case: bool
    field: str | None


@dataclass(frozen=True)
class AllOf:
    items: tuple


@dataclass(frozen=True)
class AnyOf:
    items: tuple


ANYTHING = AllOf(())  # the condition every record meets


def all_of(items) -> AllOf | AnyOf | Needle:
    flat: list = []
    for item in items:
        flat.extend(item.items if isinstance(item, AllOf) else [item])
    flat = list(dict.fromkeys(flat))
    return flat[0] if len(flat) == 1 else AllOf(tuple(flat))


def any_of(items) -> AllOf | AnyOf | Needle:
    flat: list = []
    for item in items:
        if item == ANYTHING:
            return ANYTHING
        flat.extend(item.items if isinstance(item, AnyOf) else [item])
    flat = list(dict.fromkeys(flat))
    return flat[0] if len(flat) == 1 else AnyOf(tuple(flat))


def literal_terms(expr: ast.SearchExpr | None):
    """The necessary condition of a search expression (see the module doc)."""
    if isinstance(expr, ast.SearchAnd):
        return all_of(literal_terms(item) for item in expr.items)
    if isinstance(expr, ast.SearchOr):
        return any_of(literal_terms(item) for item in expr.items)
    if isinstance(expr, ast.Term):
        return _pieces(expr.value, expr.case, None)
    if isinstance(expr, ast.Compare) and expr.op == "=":
        return _value(expr.field, expr.value, expr.case)
    if isinstance(expr, ast.FieldIn):
        return any_of(_value(expr.field, v, False) for v in expr.values)
    return ANYTHING


def _value(field: str, value: str, case: bool):
    if is_match_all(value) or cidr_network(value) is not None:
        return ANYTHING  # existence, or an address in a subnet: no text to look for
    return _pieces(value, case, field)


def _pieces(value: str, case: bool, field: str | None):
    """Every piece between ``*`` wildcards must occur (``*`` alone: anything)."""
    if is_match_all(value):
        return ANYTHING
    return all_of(Needle(p, case, field) for p in value.split("*") if p)
