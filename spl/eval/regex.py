"""Every regular expression that SPL runs over user or event text: compiled from PCRE syntax (what
Splunk uses) and run with a bound on each match, so that no pattern can hang a search.

Splunk bounds each PCRE match by ``match_limit`` (calls of PCRE's internal match(), default
100000) and ``depth_limit`` (nested backtracking, default 1000) and fails the search when a match
exceeds them: limits.conf ``[rex]`` for the rex command
(https://help.splunk.com/en/splunk-enterprise/administer/admin-manual/10.4/configuration-file-reference/10.4.3-configuration-file-reference/limits.conf),
props.conf/transforms.conf ``MATCH_LIMIT``/``DEPTH_LIMIT`` (same defaults) for field extractions
(https://docs.splunk.com/Documentation/Splunk/latest/Admin/propsconf).

Engine: the ``regex`` package, whose match, search, sub and finditer take ``timeout=`` and raise
TimeoutError past it, with ``re``'s API otherwise (groupindex, Match.group...), so the commands
keep their code. A step limit like PCRE's would be deterministic, but the PCRE2 binding on
PyPI (pcre2 0.7) does not expose pcre2_set_match_limit, and RE2 (linear) has no backreferences
or lookaround, which detections use. So the bound is time: each call may use
``SPL_REGEX_TIMEOUT`` seconds (environment variable, default 1.0; read when a command compiles
its pattern, and by eval functions when they run). ``regex`` counts the process's CPU time, so
a busy machine does not make a pattern fail sooner (measured: a 1 s limit ended after 1.0 s of
CPU, 3 s of wall time at load 9 on 2 cores). Past it the search stops with a SearchError
naming the command or function, its place in the search (caret) and the limit. ``regex`` also
recognises some nested repeats, such as ``(a+)+$``, that PCRE must backtrack through: those
answer at once (correctly) where Splunk would fail.

PCRE syntax: ``(?<name>...)``, ``(?'name'...)``, possessive and atomic groups and inline flags
are ``regex`` syntax too; ``\\z``, ``\\Z`` and ``\\h`` are translated here.

Wildcards (a search value's ``*``, LIKE's ``%`` and ``_``) need no regex: ``wildcard_fullmatch``
matches them piece by piece in bounded time.
"""
from __future__ import annotations

import os
from functools import lru_cache

import regex

from spl.errors import ConfigError, SearchError, Span

TIMEOUT_ENV = "SPL_REGEX_TIMEOUT"
DEFAULT_TIMEOUT = 1.0


def translate(pattern: str) -> str:
    """Rewrite the PCRE-only syntax of ``pattern`` into ``regex`` syntax."""
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
def compile_pcre(pattern: str) -> regex.Pattern:
    """A compiled regex for a PCRE ``pattern``; an invalid one (a repetition count too large
    included) is a SearchError."""
    try:
        return regex.compile(translate(pattern))
    except (regex.error, OverflowError, RecursionError, ValueError) as e:
        raise SearchError(f"invalid regular expression {pattern!r}: {e}") from None


def timeout_seconds() -> float:
    """The time one match may take: ``SPL_REGEX_TIMEOUT`` seconds, default 1.0."""
    text = os.environ.get(TIMEOUT_ENV)
    if text is None:
        return DEFAULT_TIMEOUT
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value > 0 or value == float("inf"):
        raise ConfigError(f"{TIMEOUT_ENV}={text!r}: the regular expression time limit must be a "
                          "positive number of seconds")
    return value


class Bounded:
    """A compiled pattern run with the time limit; ``who`` (``rex``, ``match()``...) and ``span``
    say where it came from when a match goes past the limit."""

    __slots__ = ("rx", "who", "span", "timeout")

    def __init__(self, rx: regex.Pattern, who: str, span: Span | None = None,
                 timeout: float | None = None):
        self.rx, self.who, self.span = rx, who, span
        self.timeout = timeout_seconds() if timeout is None else timeout

    @property
    def groups(self) -> int:
        return self.rx.groups

    @property
    def groupindex(self):
        return self.rx.groupindex

    def search(self, s: str, pos: int = 0):
        try:
            return self.rx.search(s, pos, timeout=self.timeout)
        except TimeoutError:
            raise self._exceeded(s) from None

    def match(self, s: str):
        try:
            return self.rx.match(s, timeout=self.timeout)
        except TimeoutError:
            raise self._exceeded(s) from None

    def fullmatch(self, s: str):
        try:
            return self.rx.fullmatch(s, timeout=self.timeout)
        except TimeoutError:
            raise self._exceeded(s) from None

    def finditer(self, s: str, most: int = 0) -> list:
        """The matches (the first ``most`` of them, all if 0), as a list: the limit covers the
        whole scan of ``s``."""
        found = []
        try:
            for m in self.rx.finditer(s, timeout=self.timeout):
                found.append(m)
                if len(found) == most:
                    break
        except TimeoutError:
            raise self._exceeded(s) from None
        return found

    def sub(self, repl, s: str, count: int = 0) -> str:
        try:
            return self.rx.sub(repl, s, count, timeout=self.timeout)
        except TimeoutError:
            raise self._exceeded(s) from None

    def _exceeded(self, s: str) -> SearchError:
        shown = s if len(s) <= 40 else s[:40] + "..."
        return SearchError(
            f"{self.who}: the regular expression exceeded the matching limit (timeout "
            f"{self.timeout:g} s per match; limits.conf [rex] match_limit) on {shown!r} "
            f"({len(s)} characters); set {TIMEOUT_ENV} to change the limit", span=self.span)


def bounded(pattern: str, who: str, span: Span | None = None) -> Bounded:
    """``pattern`` compiled for ``who``; an invalid pattern is a SearchError naming ``who``."""
    try:
        rx = compile_pcre(pattern)
    except SearchError as e:
        raise SearchError(f"{who}: {e.message}", span=span) from None
    return Bounded(rx, who, span)


@lru_cache(maxsize=1024)
def _cached(pattern: str, who: str, timeout: float) -> Bounded:
    return Bounded(compile_pcre(pattern), who, None, timeout)


def bounded_value(pattern: str, who: str) -> Bounded:
    """``bounded`` for a pattern that is a value in each row (eval functions): cached, and with
    no span (the evaluator gives the function call's)."""
    return _cached(pattern, who, timeout_seconds())


def wildcard_fullmatch(pieces: list[str], s: str, one: str | None = None) -> bool:
    """Whether all of ``s`` is ``pieces`` joined by runs of any characters: a search value's
    ``*`` or LIKE's ``%`` (``pieces`` is the pattern split on it). With ``one`` (LIKE's ``_``),
    that character in a piece stands for any one character.

    No regex, so no backtracking: the first piece must start ``s``, the last end it, and each
    piece between is taken at its leftmost place after the one before (pieces have fixed
    lengths, so the leftmost place leaves the most room: a match is found if there is one).
    At most len(s) x len(pattern) character comparisons.
    """
    first, last = pieces[0], pieces[-1]
    if len(pieces) == 1:
        return len(s) == len(first) and _at(s, first, 0, one)
    end = len(s) - len(last)
    if end < len(first) or not _at(s, first, 0, one) or not _at(s, last, end, one):
        return False
    pos = len(first)
    for piece in pieces[1:-1]:
        at = _find(s, piece, pos, end, one)
        if at < 0:
            return False
        pos = at + len(piece)
    return True


def _at(s: str, piece: str, i: int, one: str | None) -> bool:
    """Whether ``piece`` matches ``s`` at ``i`` (``s`` is long enough)."""
    if one is None or one not in piece:
        return s.startswith(piece, i)
    return all(c == one or s[i + k] == c for k, c in enumerate(piece))


def _find(s: str, piece: str, start: int, end: int, one: str | None) -> int:
    """The leftmost place in s[start:end] where ``piece`` matches, or -1."""
    if one is None or one not in piece:
        return s.find(piece, start, end)
    # look for the longest fixed run of the piece, then check the rest around it
    runs = piece.split(one)
    run = max(runs, key=len)
    offset = piece.index(run) if run else 0
    last_start = end - len(piece)
    if last_start < start:
        return -1
    if not run:
        return start
    i = s.find(run, start + offset, last_start + offset + len(run))
    while i >= 0:
        if _at(s, piece, i - offset, one):
            return i - offset
        i = s.find(run, i + 1, last_start + offset + len(run))
    return -1


def expand_replacement(rx, replacement: str):
    """A ``sub`` callable for a Splunk replacement string: ``\\1``..``\\9`` are groups, ``\\\\`` a
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

    def repl(m: regex.Match) -> str:
        out = []
        for p in parts:
            if isinstance(p, int):
                out.append((m.group(p) or "") if p <= (rx.groups or 0) else "")
            else:
                out.append(p)
        return "".join(out)
    return repl
