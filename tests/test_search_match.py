"""The matching rules of the search command (spl.search.match / fields_used).

Expected rows come from Splunk's documentation (URL next to each test) or are worked out by hand
from the rule the test names. Short keys:
SRCH   https://help.splunk.com/en/splunk-enterprise/search/spl-search-reference/10.0/search-commands/search
NOTX   https://docs.splunk.com/Documentation/Splunk/9.0.2/Search/NOTexpressions
SEGCONF https://docs.splunk.com/Documentation/Splunk/9.0.3/Admin/Segmentersconf (segmenters.conf.spec)
SEG    https://help.splunk.com/splunk-enterprise/search/search-manual/10.0/search-primer/event-segmentation-and-searching
CT     https://help.splunk.com/splunk-enterprise/search/search-manual/10.0/search-primer/use-case-and-term-to-match-phrases
"""
import pandas as pd
import pytest

from spl.context import Context
from spl.errors import SearchError, Span, UnsupportedError
from spl.search import fields_used, match
from spl.syntax import ast

SP = Span(0, 1)
NOW = 1_700_000_000.0  # 2023-11-14 22:13:20 UTC
CTX = Context(now=NOW, tz="UTC")


def table(**columns) -> pd.DataFrame:
    return pd.DataFrame({k: pd.Series(v, dtype=object) for k, v in columns.items()})


def eq(field, value, case=False):
    return ast.Compare(field, "=", value, False, SP, case=case)


def cmp(field, op, value):
    return ast.Compare(field, op, value, False, SP)


def kw(value, quoted=False, term=False, case=False):
    return ast.Term(value, quoted, SP, term=term, case=case)


def AND(*items):
    return ast.SearchAnd(tuple(items), SP)


def OR(*items):
    return ast.SearchOr(tuple(items), SP)


def NOT(item):
    return ast.SearchNot(item, SP)


def rows(expr, t, ctx=CTX) -> list[int]:
    """Positions of the kept rows."""
    kept = match(expr, t, ctx)
    assert kept.dtype == bool and kept.index.equals(t.index)
    return [i for i, k in enumerate(kept.tolist()) if k]


# ---------------------------------------------------------------- != versus NOT (NOTX's ponies)

PONIES = table(
    ID=["101M3", "104F5", "104M6", "101F2", "102M7", "102M1", "101F6", "104F4", "102M8"],
    Name=["McIntosh", "Lyra", "Rutherford", "Rarity", "Dash", "Roan", "Chestnut", "Pinkie", "Spike"],
    Location=["Marin Meadows", None, "Placer Pastures", "Marin Meadows", "Calaveras Farms", None,
              "Marin Meadows", "Placer Pastures", "Calaveras Farms"],
)


def test_not_equal_needs_the_field():
    # NOTX: Location!="Calaveras Farms" returns McIntosh, Rutherford, Rarity, Chestnut, Pinkie.
    assert rows(cmp("Location", "!=", "Calaveras Farms"), PONIES) == [0, 2, 3, 6, 7]


def test_not_keeps_events_lacking_the_field():
    # NOTX: NOT Location="Calaveras Farms" returns every event except the Calaveras ones.
    assert rows(NOT(eq("Location", "Calaveras Farms")), PONIES) == [0, 1, 2, 3, 5, 6, 7]


def test_not_equal_to_a_value_nobody_has_returns_events_with_the_field():
    # NOTX: "If you search for a Location that does not exist using the != expression, all of the
    # events that have a Location value are returned."
    assert rows(cmp("Location", "!=", "Nowhere"), PONIES) == [0, 2, 3, 4, 6, 7, 8]


def test_star_means_the_field_exists():
    # SRCH example 6: NOT fieldA=* returns events where fieldA is null; fieldA!=* never returns.
    assert rows(eq("Location", "*"), PONIES) == [0, 2, 3, 4, 6, 7, 8]
    assert rows(NOT(eq("Location", "*")), PONIES) == [1, 5]
    assert rows(cmp("Location", "!=", "*"), PONIES) == []


def test_nan_cell_is_null():
    # spl/values.py: a float NaN read back from pandas counts as null.
    t = table(f=["a", float("nan"), None])
    assert rows(eq("f", "*"), t) == [0]
    assert rows(cmp("f", "!=", "b"), t) == [0]


# ---------------------------------------------------------------- field=value


def test_values_match_case_insensitively_field_names_do_not():
    # CT: searches are case-insensitive for field values; field names are case-sensitive
    # (https://docs.splunk.com/Splexicon:Field).
    assert rows(eq("Location", "calaveras FARMS"), PONIES) == [4, 8]
    assert rows(eq("location", "Calaveras Farms"), PONIES) == []


def test_case_directive_makes_value_case_sensitive_also_with_wildcards():
    # CT: host=CASE(LOCALHOST) matches only the upper-case value; CASE works with wildcards.
    t = table(host=["LOCALHOST", "localhost", "LocalHost"])
    assert rows(eq("host", "LOCALHOST", case=True), t) == [0]
    assert rows(eq("host", "Local*", case=True), t) == [2]


def test_wildcards_anywhere_in_the_value():
    # https://help.splunk.com/splunk-enterprise/search/search-manual/9.1/search-primer/wildcards:
    # "my*" matches myhost1 and myhost.ny.mydomain.com. SRCH: host=webserver*, status=4*.
    t = table(host=["myhost1", "myhost.ny.mydomain.com", "yourhost", "MY"],
              status=["404", "500", "4", "40x"])
    assert rows(eq("host", "my*"), t) == [0, 1, 3]
    assert rows(eq("host", "*host*"), t) == [0, 1, 2]
    assert rows(eq("host", "my*.com"), t) == [1]
    assert rows(eq("status", "4*"), t) == [0, 2, 3]


def test_value_must_match_whole():
    # By hand: without a wildcard the whole value must be equal (SRCH: = compares string values).
    t = table(user=["admin", "admin2", "sysadmin"])
    assert rows(eq("user", "admin"), t) == [0]


def test_equality_is_string_equality_so_1_does_not_match_1_0():
    # SRCH, comparison-operator: "Comparison expressions with the equal (=) or not equal (!=)
    # operator compare string values. For example, "1" does not match "1.0"."
    t = table(x=["1", "1.0", "01"])
    assert rows(eq("x", "1"), t) == [0]
    assert rows(cmp("x", "!=", "1"), t) == [1, 2]


def test_numbers_in_the_table_match_as_splunk_prints_them():
    # After stats, count is a number; Splunk prints 5 and a float 5.0 as "5" (spl/values.py
    # format_number), so count=5 matches both; 5.5 prints as "5.5".
    t = table(count=[5, 5.0, "5", 5.5, 6])
    assert rows(eq("count", "5"), t) == [0, 1, 2]
    assert rows(eq("count", "5.5"), t) == [3]
    assert rows(eq("count", "5*"), t) == [0, 1, 2, 3]


def test_numeric_dtype_column():
    # By hand: an int64 column (e.g. built by a command) behaves like its values.
    t = pd.DataFrame({"count": [3, 10, 25]})
    assert rows(eq("count", "10"), t) == [1]
    assert rows(cmp("count", ">", "9"), t) == [1, 2]


def test_field_compared_to_field_name_is_a_literal():
    # SRCH, Comparing two fields: fieldA=fieldB compares fieldA to the string "fieldB".
    t = table(fieldA=["x", "fieldB"], fieldB=["x", "y"])
    assert rows(eq("fieldA", "fieldB"), t) == [1]


def test_backslash_does_not_escape_star():
    # https://help.splunk.com/splunk-enterprise/search/search-manual/9.4/search-primer/backslashes:
    # "The backslash symbol can't be used to escape the asterisk in search strings." So in
    # C:\* the backslash is literal and * is still a wildcard.
    t = table(path=["C:\\Windows", "C:*", "C:\\"])
    assert rows(eq("path", "C:\\*"), t) == [0, 2]


def test_in_list_with_wildcards():
    # SRCH: error_code IN (40*, 500) is error_code=40* OR error_code=500.
    t = table(error_code=["404", "500", "501", None, "400"])
    assert rows(ast.FieldIn("error_code", ("40*", "500"), SP), t) == [0, 1, 4]
    # SRCH: NOT clientip IN (...) also keeps events lacking the field.
    assert rows(NOT(ast.FieldIn("error_code", ("40*", "500"), SP)), t) == [2, 3]


def test_default_fields_are_ordinary_fields():
    # SRCH search-modifier: sourcetype=<string>, host=..., source=... are fields of the events,
    # matched like any field value (case-insensitively).
    t = table(sourcetype=["aws:cloudtrail", "aws:s3"], index=["main", "main"])
    assert rows(AND(eq("index", "MAIN"), eq("sourcetype", "AWS:CloudTrail")), t) == [0]


def test_missing_field_matches_nothing_and_not_matches_everything():
    # NOTX: NOT f=v includes events that do not have f; f=v needs f.
    t = table(a=["1", "2"])
    assert rows(eq("nosuch", "*"), t) == []
    assert rows(NOT(eq("nosuch", "1")), t) == [0, 1]


# ---------------------------------------------------------------- multivalue


def test_multivalue_equal_matches_if_any_value_matches():
    # spl-semantics.md section 1 (widely observed): field=value on a multivalue field matches
    # if any value matches.
    t = table(tag=[["dev", "prod"], ["test", "qa"], "prod"])
    assert rows(eq("tag", "PROD"), t) == [0, 2]
    assert rows(eq("tag", "q*"), t) == [1]


def test_multivalue_not_equal_matches_if_any_value_differs():
    # DECISION (not found in Splunk's docs, which only describe single values): a comparison on
    # a multivalue field is tested value by value and the event matches when any value passes,
    # for != as for =. So tag!=prod keeps ["dev","prod"] (dev differs) and drops "prod" alone;
    # to drop every event holding prod use NOT tag=prod (NOTX).
    t = table(tag=[["dev", "prod"], "prod", "qa", None])
    assert rows(cmp("tag", "!=", "prod"), t) == [0, 2]
    assert rows(NOT(eq("tag", "prod")), t) == [2, 3]


def test_multivalue_ordering_any_value():
    # By hand, same any-value rule: [3, 12] has 12 > 10.
    t = table(n=[["3", "12"], ["1", "2"]])
    assert rows(cmp("n", ">", "10"), t) == [0]


# ---------------------------------------------------------------- < <= > >=


def test_ordering_is_numeric_when_both_are_numbers():
    # SRCH: < > <= >= "numerically compare two numbers"; events lacking the field do not match.
    t = table(xqp=["5", "6", "10", "5.0", None, 100])
    assert rows(cmp("xqp", ">", "5"), t) == [1, 2, 5]
    assert rows(cmp("xqp", "<=", "5"), t) == [0, 3]
    assert rows(cmp("xqp", ">=", "10"), t) == [2, 5]
    assert rows(cmp("xqp", "<", "6"), t) == [0, 3]


def test_ordering_is_lexicographic_otherwise():
    # SRCH, Lexicographical order: UTF-8 order, numbers before letters, uppercase before
    # lowercase; "10, 9, 70, 100 are sorted lexicographically as 10, 100, 70, 9".
    t = table(v=["a", "C", "A", "10", "B"])
    assert rows(cmp("v", ">", "B"), t) == [0, 1]          # "a" and "C" sort after "B"
    assert rows(cmp("v", "<", "B"), t) == [2, 3]          # "A" and "10" sort before "B"
    # A non-number against a number literal compares as text too: "abc" > "9" ('a' > '9').
    t2 = table(v=["abc", "8", "10"])
    assert rows(cmp("v", ">", "9"), t2) == [0, 2]
    # Number literal against non-number value "10x": text, "10x" < "9".
    assert rows(cmp("v", "<", "9"), table(v=["10x"])) == [0]


# ---------------------------------------------------------------- CIDR


def test_cidr_ipv4():
    # SRCH, CIDR matching: ip values 10.10.10.12, 50.10.10.17, 10.10.10.23 with
    # ip="10.10.10.0/24" return the first and last.
    t = table(ip=["10.10.10.12", "50.10.10.17", "10.10.10.23"])
    assert rows(eq("ip", "10.10.10.0/24"), t) == [0, 2]


def test_cidr_ipv6_and_non_addresses():
    # SRCH example 7: 2001:0db8:ffff:ffff:ffff:ffff:ffff:ff99 is in .../ff00/120; by hand,
    # ff00/120 covers ff00-ffff of the last group, so ...:fe99 is outside; text is not an address.
    t = table(ip=["2001:0db8:ffff:ffff:ffff:ffff:ffff:ff99",
                  "2001:0db8:ffff:ffff:ffff:ffff:ffff:fe99", "not an ip", "192.0.2.56", None])
    assert rows(eq("ip", "2001:0db8:ffff:ffff:ffff:ffff:ffff:ff00/120"), t) == [0]
    assert rows(eq("ip", "192.0.2.0/24"), t) == [3]
    # != keeps present values outside the subnet.
    assert rows(cmp("ip", "!=", "192.0.2.0/24"), t) == [0, 1, 2]


def test_slash_value_that_is_not_cidr_is_text():
    # By hand: "a/b" is not a CIDR literal, so it is an ordinary string comparison.
    t = table(path=["a/b", "A/B", "a/c"])
    assert rows(eq("path", "a/b"), t) == [0, 1]


# ---------------------------------------------------------------- keywords and phrases over _raw

RAW = table(_raw=[
    '{"eventName":"ListFoundationModels","sourceIPAddress":"91.205.189.15","errorCode":"AccessDenied"}',
    "web error on host01",
    "ERROR_CODE=5 failed login",
    "src=91.205.189.15 dst 10.0.0.1 webserver",
    "the web server error, failure",
])


def test_keyword_matches_whole_segments_case_insensitively():
    # https://help.splunk.com/en/splunk-enterprise/search/search-manual/9.3/search-primer: keywords
    # are matched against _raw, case-insensitively by default (CT). SEG: the text is split on
    # breakers; by hand, "web" is a segment of rows 1 and 4 only ("webserver" is one segment).
    assert rows(kw("web"), RAW) == [1, 4]
    assert rows(kw("listfoundationmodels"), RAW) == [0]   # bounded by the major breaker "
    assert rows(kw("rror"), RAW) == []                    # not a segment anywhere


def test_minor_breakers_split_segments():
    # SEGCONF default MINOR = / : = @ . - $ # % \ _ ; so "error" is a segment of "ERROR_CODE=5"
    # (by hand) and SEG: 91.205.189.15 has minor segments 91, 205, 189, 15.
    assert rows(kw("error"), RAW) == [1, 2, 4]
    assert rows(kw("205"), RAW) == [0, 3]
    assert rows(kw("91.205.189.15"), RAW) == [0, 3]
    assert rows(kw("code=5"), RAW) == [2]


def test_term_needs_major_breakers_around():
    # SRCH/CT: TERM(x) matches x as one indexed term; it "does not work for terms that are not
    # bounded by major breakers". Row 0 has "91.205.189.15" between quotes (major); row 3 has
    # src=91.205.189.15 (minor "=" before it).
    assert rows(kw("91.205.189.15", term=True), RAW) == [0]
    assert rows(kw("10.0.0.1", term=True), RAW) == [3]


def test_keyword_wildcards():
    # SRCH: wildcards fail*; by hand "failed" (row 2) and "failure" (row 4) start with fail.
    assert rows(kw("fail*"), RAW) == [2, 4]
    assert rows(kw("web*"), RAW) == [1, 3, 4]          # web, webserver, web
    assert rows(kw("*server"), RAW) == [3, 4]          # webserver, server


def test_keyword_found_after_an_unbounded_occurrence():
    # By hand (segment-boundary rule): in "xa.a.a" the first "a.a" follows "x" (not a breaker)
    # but the one at offset 3 follows "." (minor breaker), so the keyword matches.
    t = table(_raw=["xa.a.a", "xa.ab"])
    assert rows(kw("a.a"), t) == [0]


def test_non_ascii_case_folding():
    # CT: case-insensitive by default; by hand ZÜRICH and zürich differ only in case.
    t = table(city=["zürich", "ZURICH"], _raw=["Stadt ZÜRICH, Schweiz", "x"])
    assert rows(eq("city", "ZÜRICH"), t) == [0]
    assert rows(kw("zürich"), t) == [0]


def test_phrase_must_appear_as_a_phrase():
    # primer: "web error" (quoted) only returns events containing the phrase; web error (two
    # keywords) returns events with both words anywhere.
    assert rows(kw("web error", quoted=True), RAW) == [1]
    assert rows(AND(kw("web"), kw("error")), RAW) == [1, 4]


def test_case_directive_on_keywords():
    # CT: CASE(x) makes the keyword match case-sensitive.
    assert rows(kw("ERROR", case=True), RAW) == [2]
    assert rows(kw("error", case=True), RAW) == [1, 4]


def test_star_keeps_everything_even_without_raw():
    # SRCH: a bare * matches everything; undefined *_filter macros expand to `search *`, run after
    # stats when there is no _raw (by hand: every row kept).
    t = table(count=[1, 2])
    assert rows(kw("*"), t) == [0, 1]
    assert rows(kw("*"), RAW) == [0, 1, 2, 3, 4]


def test_keyword_without_raw_matches_nothing():
    # SRCH: if _raw is not passed to search (after stats), only field=value terms make sense;
    # by hand a keyword then finds no text to match.
    t = table(count=["error", "web"])
    assert rows(kw("error"), t) == []
    assert rows(NOT(kw("error")), t) == [0, 1]


# ---------------------------------------------------------------- boolean structure


def test_boolean_tree_evaluation():
    # https://help.splunk.com/en/splunk-enterprise/search/search-manual/9.3/expressions-and-predicates:
    # in search, OR binds tighter than AND, so `a b OR c` is a AND (b OR c); the parser builds that
    # tree, here we check its evaluation. By hand over a, b, c below.
    t = table(a=["1", "1", "0", "1"], b=["1", "0", "1", "0"], c=["0", "1", "1", "0"])
    expr = AND(eq("a", "1"), OR(eq("b", "1"), eq("c", "1")))
    assert rows(expr, t) == [0, 1]
    assert rows(OR(AND(eq("a", "1"), eq("b", "1")), eq("c", "1")), t) == [0, 1, 2]
    assert rows(NOT(OR(eq("b", "1"), eq("c", "1"))), t) == [3]


def test_empty_search_keeps_all_and_index_is_kept():
    # By hand: an empty search filters nothing; the result is aligned to the table's index,
    # duplicates included.
    t = table(a=["x", "y", "x"])
    t.index = [7, 7, 3]
    assert match(None, t, CTX).tolist() == [True, True, True]
    kept = match(eq("a", "x"), t, CTX)
    assert kept.index.tolist() == [7, 7, 3] and kept.tolist() == [True, False, True]


# ---------------------------------------------------------------- time modifiers

TIMES = pd.DataFrame({"_time": [NOW - 7200, NOW - 3600, NOW - 60, NOW]})


def tm(name, value):
    return ast.TimeModifier(name, value, SP)


def test_earliest_inclusive_latest_exclusive():
    # https://help.splunk.com/?resourceId=SCS_Search_Timemodifiers: events with _time >= earliest
    # and < latest (spl-semantics.md section 1).
    expr = AND(tm("earliest", str(int(NOW - 3600))), tm("latest", str(int(NOW))))
    assert rows(expr, TIMES) == [1, 2]


def test_relative_earliest():
    # https://help.splunk.com/splunk-enterprise/spl-search-reference/9.4/time-format-variables-and-modifiers/time-modifiers:
    # earliest=-60m is 60 minutes before now (inclusive bound).
    assert rows(tm("earliest", "-60m"), TIMES) == [1, 2, 3]
    assert rows(tm("latest", "-1h"), TIMES) == [0]


def test_starttime_endtime_use_timeformat():
    # SRCH, time options: starttime "Events must be later or equal to this time", endtime "All
    # events must be earlier or equal"; default timeformat %m/%d/%Y:%H:%M:%S. By hand NOW - 3600 is
    # 11/14/2023:21:13:20 UTC.
    assert rows(tm("starttime", "11/14/2023:21:13:20"), TIMES) == [1, 2, 3]
    assert rows(tm("endtime", "11/14/2023:21:13:20"), TIMES) == [0, 1]
    expr = AND(tm("timeformat", "%Y-%m-%d %H:%M:%S"), tm("starttime", "2023-11-14 22:12:20"))
    assert rows(expr, TIMES) == [2, 3]


def test_older_ago_modifiers():
    # Older time modifiers (https://docs.splunk.com/Documentation/Splunk/6.4.1/SearchReference/SearchTimeModifiers):
    # starthoursago=N starts the range N hours before now, endminutesago=N ends it N minutes
    # before now (exclusive, as latest), hoursago=N is the last N hours. By hand with TIMES.
    assert rows(tm("starthoursago", "1"), TIMES) == [1, 2, 3]
    assert rows(tm("endminutesago", "30"), TIMES) == [0, 1]
    assert rows(tm("hoursago", "2"), TIMES) == [0, 1, 2, 3]
    assert rows(tm("enddaysago", "1"), TIMES) == []


def test_time_modifier_errors_name_the_place():
    with pytest.raises(SearchError) as err:
        match(tm("bogustime", "1"), TIMES, CTX)
    assert err.value.span == SP
    with pytest.raises(SearchError) as err:
        match(tm("earliest", "yesterdayish"), TIMES, CTX)
    assert err.value.span == SP
    with pytest.raises(SearchError):
        match(tm("starthoursago", "two"), TIMES, CTX)
    with pytest.raises(SearchError) as err:
        match(tm("starttime", "yesterday"), TIMES, CTX)
    assert err.value.span == SP
    for name in ("_index_earliest", "searchtimespandays"):
        with pytest.raises(UnsupportedError):
            match(tm(name, "-1d"), TIMES, CTX)


def test_errors_do_not_depend_on_the_data():
    # By hand: a bad term is reported even when an earlier AND term already rejected every row,
    # and even on an empty table.
    bad = AND(eq("a", "nothing"), tm("earliest", "yesterdayish"))
    with pytest.raises(SearchError):
        match(bad, table(a=["1"]), CTX)
    with pytest.raises(SearchError):
        match(bad, table(a=[]), CTX)


def test_time_without_time_column_matches_nothing():
    # By hand: after stats there is no _time, so no row is within any time bound.
    assert rows(tm("earliest", "0"), table(count=["1"])) == []


# ---------------------------------------------------------------- fields_used


def test_fields_used():
    expr = AND(kw("error"), eq("user", "x"), NOT(ast.FieldIn("code", ("1",), SP)),
               OR(cmp("n", ">", "3"), tm("earliest", "-1h")))
    assert fields_used(expr) == {"_raw", "user", "code", "n", "_time"}
    assert fields_used(kw("*")) == set()
    assert fields_used(None) == set()
