"""How a value or a keyword written in a search becomes a test on one string.

Two kinds of matching, both with ``*`` as "any run of characters" (it cannot be escaped in a
search: https://help.splunk.com/splunk-enterprise/search/search-manual/9.4/search-primer/backslashes):

- field values: the whole value must match (``value_matcher``); a CIDR literal matches addresses
  in its subnet instead;
- keywords and phrases: they must occur in ``_raw`` on segment boundaries (``term_matcher``).

Segment boundaries come from Splunk's default breakers (segmenters.conf.spec, 9.0.3,
https://docs.splunk.com/Documentation/Splunk/9.0.3/Admin/Segmentersconf): major breakers split the
text into segments, minor breakers split segments further, and the index holds every segment and
sub-segment. A keyword therefore matches text that starts and ends at a breaker (or the ends of
``_raw``). The multi-character majors of that list (``--``, ``%20``, ``%2C``...) are not modelled:
their first character is already a minor breaker, so they only matter inside TERM().

Matching is bounded like every regex spl runs over events: a whole-value wildcard is matched
piece by piece (each fixed piece found left to right, linear in the value), and a keyword's
regex runs under spl.eval.regex's limit.
"""
from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable

from spl.errors import Span

# segmenters.conf default MAJOR, single characters ([ ] < > ( ) { } | ! ; , ' " * \n \r \s \t & ? +).
MAJOR = "[]<>(){}|!;,'\"*\n\r \t&?+"
# segmenters.conf default MINOR (/ : = @ . - $ # % \ _).
MINOR = "/:=@.-$#%\\_"

StrTest = Callable[[str], bool]


def is_match_all(value: str) -> bool:
    """True for ``*``, ``**``...: a pattern every string matches (and ``f=*`` means "f exists")."""
    return bool(value) and value.strip("*") == ""


def _wildcard_regex(value: str, star: str) -> str:
    return star.join(re.escape(part) for part in value.split("*"))


def _fold(case: bool) -> Callable[[str], str]:
    """How both sides are normalised before comparing: lower-cased unless CASE()."""
    return (lambda s: s) if case else str.lower


def value_matcher(value: str, case: bool) -> StrTest:
    """Whole-value test for ``field=value``: case-insensitive unless CASE(), ``*`` wildcards.

    Values compare as strings: Splunk's search doc says "1" does not match "1.0"
    (https://help.splunk.com/en/splunk-enterprise/search/spl-search-reference/10.0/search-commands/search).
    """
    from spl.eval.regex import (
        wildcard_fullmatch,  # here: spl.eval loads pandas, the planner must not
    )

    fold = _fold(case)
    wanted = fold(value)
    if "*" in value:
        pieces = wanted.split("*")
        text = lambda s: wildcard_fullmatch(pieces, fold(s))  # noqa: E731
    else:
        text = lambda s: fold(s) == wanted  # noqa: E731
    network = cidr_network(value)
    if network is None:
        return text

    def in_subnet(s: str) -> bool:
        try:
            address = ipaddress.ip_address(s.strip())
        except ValueError:
            # Not an address: compare as text (e.g. a field that holds the CIDR string itself).
            return text(s)
        return address.version == network.version and address in network

    return in_subnet


def cidr_network(value: str):
    """The network a ``a.b.c.d/n`` or IPv6 ``x::/n`` literal stands for, else None."""
    if "/" not in value or "*" in value:
        return None
    try:
        return ipaddress.ip_network(value.strip(), strict=False)
    except ValueError:
        return None


def term_matcher(value: str, case: bool, term: bool, span: Span | None = None) -> StrTest:
    """Test for a keyword or "phrase" in ``_raw``: it must start and end on segment boundaries.

    ``*`` inside a keyword stays within one major segment. TERM(x) needs major breakers (or the
    ends of the text) on both sides: "TERM does not work for terms that are not bounded by major
    breakers" (search command doc, Search with TERM()).
    """
    from spl.eval.regex import bounded  # here: spl.eval loads pandas, the planner must not

    fold = _fold(case)
    wanted = fold(value)
    breakers = MAJOR if term else MAJOR + MINOR
    # A keyword that begins (ends) with a breaker is bounded there already; one that begins
    # (ends) with * can always stretch to the edge of its major segment, which is a boundary.
    check_left = wanted[:1] not in breakers
    # (PCRE's \z is the end of the text)
    right = "" if wanted[-1:] in breakers else f"(?=[{re.escape(breakers)}]|\\z)"
    rx = bounded("(?s)" + _wildcard_regex(wanted, f"[^{re.escape(MAJOR)}]*") + right, "search",
                 span)
    # The longest fixed piece must occur literally: a cheap test before the regex.
    needle = max(wanted.split("*"), key=len)

    def test(s: str) -> bool:
        s = fold(s)
        if needle not in s:
            return False
        pos = 0
        while (m := rx.search(s, pos)) is not None:
            start = m.start()
            if not check_left or start == 0 or s[start - 1] in breakers:
                return True
            pos = start + 1
        return False

    return test
