"""Random and mutated searches: whatever the input, only SplError subclasses come out."""
from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spl.errors import SplError
from spl.frontend import parse_search
from spl.macros import MacroLibrary
from spl.syntax import parse_expression

LIBRARY = MacroLibrary.load()

SEEDS = [
    "`cloudtrail` eventName=ListFoundationModels errorCode=AccessDenied | rename user_name as user"
    " | stats count min(_time) as firstTime values(errorCode) as codes by src user | where count > 9"
    " | `security_content_ctime(firstTime)`",
    '| tstats count from datamodel=Change where All_Changes.action="x" by All_Changes.user span=1h'
    ' | `drop_dm_object_name("All_Changes")`',
    'a OR b NOT (c d) x IN (1, "2") | eval y=if(a."b" LIKE "x%", 1, -2.5) | sort - y | head 5',
    "x | join type=left k [ search y | fields k ] | lookup t a AS b OUTPUT c | dedup a sortby -_time",
    "x ```comment``` | spath input=j path=a{}.b output=o | rex field=o \"(?<n>\\d+)\" | fillnull value=0",
]

PIECES = ["|", "[", "]", "(", ")", '"', "'", "`", "```", "=", "!=", "<", ">=", ",", " by ", " as ",
          " AND ", " OR ", " NOT ", " stats ", " eval ", "count", "x", "1", ".", "+", "-", "*",
          "\\", "\n", " IN ", " where ", " search ", "$", "{}", "<<F>>", "sortby", "OUTPUT"]


def check(text: str) -> None:
    try:
        parse_search(text, library=LIBRARY)
    except SplError as err:
        assert err.text == text  # every error is rendered against the user's text
        err.render()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=120))
def test_random_text(text):
    check(text)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(PIECES), max_size=30))
def test_random_token_soup(pieces):
    check("".join(pieces))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(SEEDS), st.lists(st.tuples(st.integers(0, 400), st.integers(0, 6),
                                                  st.sampled_from(PIECES)), max_size=4))
def test_mutated_searches(seed, edits):
    text = seed
    for pos, cut, piece in edits:
        pos = pos % (len(text) + 1)
        text = text[:pos] + piece + text[pos + cut:]
    check(text)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="ab1 ()+-*/.=<>!\"',", max_size=40))
def test_random_expressions(text):
    try:
        parse_expression(text)
    except SplError:
        pass
