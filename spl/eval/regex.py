"""PCRE patterns (what Splunk uses) compiled with Python's ``re``.

The two dialects mostly agree; the differences SPL searches meet are translated here:
``(?<name>...)`` named groups, ``\\z``/``\\Z`` anchors, and ``\\h`` horizontal space.
"""
from __future__ import annotations

import re
import warnings
from functools import lru_cache

from spl.errors import SearchError


def translate(pattern: str) -> str:
    """Rewrite the PCRE-only syntax of ``pattern`` into Python ``re`` syntax."""
    out: list[str] = []
    i, n = 0, len(pattern)
    in_class = False
    while i < n:
        ch = pattern[i]
        if ch == "\\" and i + 1 < n:
            nxt = pattern[i + 1]
            if nxt == "z" and not in_class:
                out.append(r"\Z")
            elif nxt == "Z" and not in_class:
                out.append(r"(?=\n?\Z)")
            elif nxt == "h":
                out.append(r"[ \t]" if not in_class else r" \t")
            else:
                out.append(pattern[i:i + 2])
            i += 2
            continue
        if in_class:
            if ch == "]":
                in_class = False
            out.append(ch)
            i += 1
            continue
        if ch == "[":
            in_class = True
            out.append(ch)
            # a ']' right after '[' or '[^' is a literal member
            j = i + 1
            if j < n and pattern[j] == "^":
                out.append("^")
                j += 1
            if j < n and pattern[j] == "]":
                out.append("]")
                j += 1
            i = j
            continue
        if pattern.startswith("(?<", i) and i + 3 < n and pattern[i + 3] not in "=!":
            out.append("(?P<")
            i += 3
            continue
        if pattern.startswith("(?'", i):
            end = pattern.find("'", i + 3)
            if end != -1:
                out.append(f"(?P<{pattern[i + 3:end]}>")
                i = end + 1
                continue
        out.append(ch)
        i += 1
    return "".join(out)


@lru_cache(maxsize=1024)
def compile_pcre(pattern: str) -> re.Pattern:
    """A compiled regex for a PCRE ``pattern``; an invalid one (a repetition count too large
    included) is a SearchError. Python's warnings about PCRE-valid syntax are not shown."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            return re.compile(translate(pattern))
    except (re.error, OverflowError, RecursionError) as e:
        raise SearchError(f"invalid regular expression {pattern!r}: {e}") from None


def expand_replacement(rx: re.Pattern, replacement: str):
    """A ``re.sub`` callable for a Splunk replacement string: ``\\1``..``\\9`` are groups, ``\\\\`` a
    backslash, every other character literal (no ``\\g<>`` or ``$1`` magic)."""
    parts: list[str | int] = []
    buf: list[str] = []
    i = 0
    while i < len(replacement):
        ch = replacement[i]
        if ch == "\\" and i + 1 < len(replacement):
            nxt = replacement[i + 1]
            if nxt.isdigit():
                parts.append("".join(buf))
                buf = []
                parts.append(int(nxt))
                i += 2
                continue
            if nxt == "\\":
                buf.append("\\")
                i += 2
                continue
        buf.append(ch)
        i += 1
    parts.append("".join(buf))

    def repl(m: re.Match) -> str:
        out = []
        for p in parts:
            if isinstance(p, int):
                out.append((m.group(p) or "") if p <= (rx.groups or 0) else "")
            else:
                out.append(p)
        return "".join(out)
    return repl
