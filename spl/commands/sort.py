"""sort: order results by fields, Splunk's way.

Splunk (https://help.splunk.com/en/splunk-enterprise/search/spl-search-reference/10.0/search-commands/sort):
at most 10000 results unless ``sort 0`` / ``limit=0``; ``-`` descending; a missing field sorts
last in either direction; a trailing ``desc`` reverses the result. ``auto()`` (the default)
decides the kind of comparison per pair of values: two numbers compare numerically, two IP
addresses as addresses, alphanumeric strings that start with a number by that number, anything
else lexicographically (UTF-8 byte order, so digits before upper case before lower case).
"""
import ipaddress
import re
from functools import cmp_to_key

from spl.commands import command
from spl.errors import SearchError
from spl.values import is_null, mv_values, to_number, to_str

DEFAULT_LIMIT = 10000
_LEADING_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def _cmp(a, b) -> int:
    return (a > b) - (a < b)


def _ipv4(s: str):
    try:
        return int(ipaddress.IPv4Address(s))
    except ValueError:
        return None


def _leading(s: str):
    m = _LEADING_NUMBER.match(s)
    return float(m.group()) if m else None


def _compare_auto(a, b) -> int:
    na, nb = to_number(a), to_number(b)
    if na is not None and nb is not None:
        return _cmp(na, nb)
    sa, sb = to_str(a), to_str(b)
    ia, ib = _ipv4(sa), _ipv4(sb)
    if ia is not None and ib is not None:
        return _cmp(ia, ib)
    la, lb = _leading(sa), _leading(sb)
    if la is not None and lb is not None and la != lb:
        return _cmp(la, lb)
    return _cmp(sa, sb)


def _compare_as(kind):
    """A comparison where values of ``kind`` come first, compared as such, then the rest as text."""

    def compare(a, b) -> int:
        ka, kb = kind(a), kind(b)
        if ka is not None and kb is not None:
            return _cmp(ka, kb)
        if ka is not None or kb is not None:
            return -1 if ka is not None else 1
        return _cmp(to_str(a), to_str(b))

    return compare


_COMPARATORS = {
    None: _compare_auto,
    "auto": _compare_auto,
    "str": lambda a, b: _cmp(to_str(a), to_str(b)),
    "num": _compare_as(to_number),
    "ip": _compare_as(lambda v: _ipv4(to_str(v))),
}


def _pairwise_key(compare, firsts):
    """Sort key for row positions, comparing their first values pair by pair with ``compare``."""
    return cmp_to_key(lambda p, q: compare(firsts[p], firsts[q]))


def order(table, keys) -> list[int]:
    """Row positions sorted by ``keys`` (stable; missing values last for every key)."""
    positions = list(range(len(table)))
    for key in reversed(keys):
        if key.field not in table.columns:
            continue
        firsts = [None if is_null(v) else mv_values(v)[0] for v in table[key.field].tolist()]
        present = [p for p in positions if firsts[p] is not None]
        missing = [p for p in positions if firsts[p] is None]
        numbers = [to_number(firsts[p]) for p in present] if key.func in (None, "auto", "num") else []
        if numbers and all(n is not None for n in numbers):  # the common case, without pairwise calls
            by_number = dict(zip(present, numbers))
            present.sort(key=by_number.__getitem__, reverse=key.descending)
        else:
            present.sort(key=_pairwise_key(_COMPARATORS[key.func], firsts),
                         reverse=key.descending)
        positions = present + missing
    return positions


def reads(node) -> set[str]:
    return {key.field for key in node.keys}


@command("sort", reads=reads,
          doc='Sorts the results by fields, ascending (+) or descending (-), keeping the first N (10000 by default).',
          syntax='sort [N] [+|-]field|auto(field)|str(field)|ip(field)|num(field) ... [desc]')
def run(node, table, ctx):
    limit = DEFAULT_LIMIT if node.limit is None else node.limit
    if limit < 0:
        raise SearchError(f"sort: the limit must be 0 (all) or more, not {limit}", span=node.span)
    for key in node.keys:
        if key.func not in _COMPARATORS:
            raise SearchError(f"sort: unknown sort function '{key.func}'", span=key.span)
    positions = order(table, node.keys)
    if node.reverse:
        positions.reverse()
    if limit:
        positions = positions[:limit]
    return table.iloc[positions]


# ---------------------------------------------------------------- map-reduce (spl.mapreduce)
# Splunk's type (https://help.splunk.com/splunk-enterprise/spl-search-reference/10.0/quick-reference/command-types): dataset
# processing. With a limit (10000 by default) the first N of the sorted events are among each
# chunk's first N (ties keep event order); ``sort 0`` needs every result.

COMMAND_TYPE = "dataset processing"


def unsplittable(node) -> str | None:
    return "sort 0 orders every result" if node.limit == 0 else None


def map_partial(node, table, ctx, keys):
    from spl.mapreduce import rows_partial

    return rows_partial(run(node, table, ctx), keys)


def reduce_partials(node, partials, ctx):
    from spl.mapreduce import merge_rows

    return run(node, merge_rows(partials)[0], ctx)
