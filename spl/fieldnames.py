"""Field-name patterns: commands such as rename, fields, table and convert accept ``*`` wildcards.

Field names are case-sensitive in Splunk (https://docs.splunk.com/Splexicon:Field), so these
patterns are too (unlike field *values* in a search).
"""
from __future__ import annotations

import re
from functools import lru_cache


def has_wildcard(name: str) -> bool:
    return "*" in name


@lru_cache(maxsize=1024)
def name_regex(pattern: str) -> re.Pattern:
    """A regex matching whole field names; each ``*`` captures one group."""
    return re.compile("(.*?)".join(re.escape(part) for part in pattern.split("*")) + r"\Z", re.S)


def expand(pattern: str, columns) -> list[str]:
    """The columns ``pattern`` names, in table order (the name itself if it has no wildcard)."""
    if not has_wildcard(pattern):
        return [pattern]
    rx = name_regex(pattern)
    return [c for c in columns if rx.match(c)]


def substitute(pattern: str, name: str, target: str) -> str | None:
    """``target`` with its ``*`` replaced by what ``pattern``'s ``*`` matched in ``name``."""
    m = name_regex(pattern).match(name)
    if m is None:
        return None
    groups = iter(m.groups())
    return "".join(part if i == 0 else next(groups, "") + part
                   for i, part in enumerate(target.split("*")))
