"""sort: order results by fields, Splunk's way.

Splunk (https://help.splunk.com/en/splunk-enterprise/search/spl-search-reference/10.0/search-commands/sort):
at most 10000 results unless ``sort 0`` / ``limit=0``; ``-`` descending; ``auto()`` compares
numbers numerically, IP addresses as addresses and everything else lexicographically (UTF-8 byte
order); a missing field sorts last in either direction; a trailing ``desc`` reverses the result.
"""
import ipaddress

from spl.commands import command
from spl.values import is_null, mv_values, to_number, to_str

DEFAULT_LIMIT = 10000


def _key(value, func):
    """A sort key: numbers before IP addresses before strings (auto), or one kind only."""
    if func == "str":
        return (2, 0, to_str(value))
    n = to_number(value)
    if func == "num":
        return (0, n, "") if n is not None else (2, 0, to_str(value))
    if n is not None:
        return (0, n, "")
    s = to_str(value)
    if func in (None, "auto", "ip"):
        try:
            return (1, int(ipaddress.IPv4Address(s)), "")
        except ValueError:
            pass
    return (2, 0, s)


def order(table, keys) -> list[int]:
    """Row positions sorted by ``keys`` (stable; missing values last for every key)."""
    positions = list(range(len(table)))
    for key in reversed(keys):
        if key.field not in table.columns:
            continue
        column = table[key.field].tolist()
        present = [p for p in positions if not is_null(column[p])]
        missing = [p for p in positions if is_null(column[p])]
        present.sort(key=lambda p: _key(mv_values(column[p])[0], key.func),
                     reverse=key.descending)
        positions = present + missing
    return positions


@command("sort")
def run(node, table, ctx):
    positions = order(table, node.keys)
    if node.reverse:
        positions.reverse()
    limit = DEFAULT_LIMIT if node.limit is None else node.limit
    if limit:
        positions = positions[:limit]
    return table.iloc[positions]
