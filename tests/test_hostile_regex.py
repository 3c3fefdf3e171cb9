"""Every regex spl runs over user or event text is bounded: past the limit the search stops with
an error naming the command or function, its place (span) and the limit.

Splunk fails a search whose PCRE match exceeds limits.conf [rex] match_limit / depth_limit
(props.conf MATCH_LIMIT default 100000, DEPTH_LIMIT default 1000:
https://docs.splunk.com/Documentation/Splunk/latest/Admin/propsconf). spl bounds each match by
time (SPL_REGEX_TIMEOUT seconds, see spl/eval/regex.py); these tests set a tiny limit and a
pattern whose backtracking cannot finish within it: ``(a|aa)+$`` over 40 a's and a b tries
every way of splitting the a's into ones and twos (about 10^8 of them) before failing.
"""
import pytest

from spl.errors import ConfigError, SearchError, Span
from spl.eval.regex import wildcard_fullmatch
from spltest import column, run

BAD = "a" * 40 + "b"
CATASTROPHIC = "(a|aa)+$"


@pytest.fixture
def tiny_limit(monkeypatch):
    monkeypatch.setenv("SPL_REGEX_TIMEOUT", "0.001")


def message(who: str, subject: str) -> str:
    shown = subject if len(subject) <= 40 else subject[:40] + "..."
    return (f"{who}: the regular expression exceeded the matching limit (timeout 0.001 s per "
            f"match; limits.conf [rex] match_limit) on {shown!r} ({len(subject)} characters); "
            "set SPL_REGEX_TIMEOUT to change the limit")


def span_of(search: str, part: str) -> Span:
    start = search.index(part)
    return Span(start, start + len(part))


@pytest.mark.parametrize("search, rows, who, spanned", [
    (f'| rex "(?<x>{CATASTROPHIC})"', [{"_raw": BAD}], "rex", f'rex "(?<x>{CATASTROPHIC})"'),
    (f'| rex field=v max_match=0 "(?<x>{CATASTROPHIC})"', [{"v": ["ok", BAD]}], "rex",
     f'rex field=v max_match=0 "(?<x>{CATASTROPHIC})"'),
    (f'| rex mode=sed "s/{CATASTROPHIC}/x/g"', [{"_raw": BAD}], "rex mode=sed",
     f'rex mode=sed "s/{CATASTROPHIC}/x/g"'),
    (f'| rex mode=sed "s/{CATASTROPHIC}/x/2"', [{"_raw": BAD}], "rex mode=sed",
     f'rex mode=sed "s/{CATASTROPHIC}/x/2"'),
    (f'| eval m=match(_raw, "{CATASTROPHIC}")', [{"_raw": BAD}], "match()",
     f'match(_raw, "{CATASTROPHIC}")'),
    (f'| where match(_raw, "{CATASTROPHIC}")', [{"_raw": BAD}], "match()",
     f'match(_raw, "{CATASTROPHIC}")'),
    (f'| eval m=replace(_raw, "{CATASTROPHIC}", "x")', [{"_raw": BAD}], "replace()",
     f'replace(_raw, "{CATASTROPHIC}", "x")'),
    (f'| eval m=mvfind(v, "{CATASTROPHIC}")', [{"v": ["ok", BAD]}], "mvfind()",
     f'mvfind(v, "{CATASTROPHIC}")'),
    (f'| eval m=mvfilter(match(v, "{CATASTROPHIC}"))', [{"v": ["ok", BAD]}], "match()",
     f'match(v, "{CATASTROPHIC}")'),
    (f'| makemv tokenizer="({CATASTROPHIC})" v', [{"v": BAD}], "makemv tokenizer",
     f'makemv tokenizer="({CATASTROPHIC})" v'),
])
def test_a_catastrophic_pattern_stops_with_the_limit_named(tiny_limit, search, rows, who, spanned):
    with pytest.raises(SearchError) as info:
        run(search, rows)
    assert info.value.message == message(who, BAD)
    assert info.value.span == span_of(search, spanned)


def test_a_search_keyword_with_many_wildcards_is_bounded(tiny_limit):
    """A keyword's ``*`` stays within a major segment, so it runs as a regex: many of them over
    a long segment backtrack polynomially (a*a*...*b over 3000 a's)."""
    keyword = "*a" * 12 + "*b*"
    search = f"| search {keyword}"
    raw = "a" * 3000
    with pytest.raises(SearchError) as info:
        run(search, [{"_raw": raw}])
    assert info.value.message == message("search", raw)
    assert info.value.span == span_of(search, keyword)


def test_the_error_renders_with_a_caret(tiny_limit):
    search = f'| eval m=match(_raw, "{CATASTROPHIC}")'
    with pytest.raises(SearchError) as info:
        run(search, [{"_raw": BAD}])
    lines = info.value.with_text(search).render().splitlines()
    assert lines[0].startswith("search error: line 1, column 10: match(): the regular expression")
    assert lines[1:] == [search, " " * 9 + "^" * len(f'match(_raw, "{CATASTROPHIC}")')]


def test_rows_before_the_limit_are_not_returned_as_an_answer(tiny_limit):
    """The search fails whole: no partial table with the bad row silently left out."""
    with pytest.raises(SearchError):
        run(f'| where match(_raw, "{CATASTROPHIC}")', [{"_raw": "aa"}, {"_raw": BAD}])


def test_nested_repeat_ends_with_the_right_answer():
    """(a+)+$ over 40 a's and a b: PCRE backtracks until its match_limit (Splunk fails); the
    ``regex`` engine sees the nested repeat and answers at once: no match (worked out by hand:
    the subject ends in b, so no run of a's reaches the end)."""
    r = run('| eval m=if(match(_raw, "(a+)+$"), "yes", "no")', [{"_raw": BAD}, {"_raw": "aaa"}])
    assert column(r, "m") == ["no", "yes"]


def test_the_limit_setting_must_be_a_positive_number(monkeypatch):
    monkeypatch.setenv("SPL_REGEX_TIMEOUT", "soon")
    with pytest.raises(ConfigError, match="SPL_REGEX_TIMEOUT='soon'"):
        run('| rex "(?<x>a)"', [{"_raw": "a"}])


# ---------------------------------------------------------------- PCRE syntax still works


def test_pcre_named_groups_possessive_atomic_and_inline_flags():
    r = run('| rex "(?i)user=(?<user>[a-z]++) (?>id=)(?<id>\\d+)\\z"',
            [{"_raw": "USER=Alice id=42"}, {"_raw": "user=bob id=7 trailing"}])
    assert column(r, "user") == ["Alice", None] and column(r, "id") == ["42", None]


def test_possessive_repeat_does_not_give_back():
    """``a++a`` can never match: the possessive a++ keeps every a (PCRE semantics)."""
    r = run('| eval p=if(match(s, "^a++a"), "y", "n"), g=if(match(s, "^a+a"), "y", "n")',
            [{"s": "aaa"}])
    assert column(r, "p") == ["n"] and column(r, "g") == ["y"]


def test_replace_backreference_and_sed_still_work():
    r = run('| eval r=replace(s, "(\\w+)@(\\w+)", "\\2 at \\1") | rex field=s mode=sed "s/@/[at]/"',
            [{"s": "bob@example"}])
    assert column(r, "r") == ["example at bob"] and column(r, "s") == ["bob[at]example"]


def test_makemv_tokenizer_still_splits():
    r = run('| makemv tokenizer="([^,]+),?" v', [{"v": "a,b,c"}])
    assert column(r, "v") == [["a", "b", "c"]]


# ---------------------------------------------------------------- wildcards without a regex


@pytest.mark.parametrize("pattern, text, expected", [
    ("a%b", "ab", True), ("a%b", "axxb", True), ("a%b", "axxbc", False),
    ("%a_c%", "xxabcyy", True), ("%a_c%", "xxacyy", False), ("_", "", False), ("%", "", True),
    ("ab%ba", "aba", False), ("ab%ba", "abba", True), ("a%%b", "ab", True),
])
def test_like_pieces(pattern, text, expected):
    assert wildcard_fullmatch(pattern.split("%"), text, "_") is expected


def test_like_and_search_values_with_many_wildcards_answer():
    """Many ``%`` (or ``*``) over a long value that cannot match (it has no b): answered by the
    piece-by-piece matcher, with no regex to backtrack."""
    value = "a" * 5000
    r = run(f'| eval l=if(like(v, "{"%a" * 20}%b"), "y", "n") | search v="{"*a" * 20}*b"',
            [{"v": value}])
    assert len(r) == 0
    r = run(f'| eval l=if(like(v, "{"%a" * 20}%"), "y", "n") | search v="{"*a" * 20}*"',
            [{"v": value}])
    assert column(r, "l") == ["y"]
