"""regex: https://help.splunk.com/en/splunk-enterprise/search/spl-search-reference/9.4/search-commands/regex
(<field>=<regex> keeps matches, <field>!=<regex> drops them, a bare <regex> matches _raw;
unanchored PCRE). Expected values worked out by hand."""
import pytest

from spl.errors import SearchError
from spltest import column, run

ROWS = [{"_raw": "from 10.1.2.3 ok", "ip": "10.1.2.3"},
        {"_raw": "from 110.1.2.3 ok", "ip": "110.1.2.3"},
        {"_raw": "from 192.168.0.1", "ip": "192.168.0.1"}]


def test_the_pages_private_address_example_with_lookarounds():
    # the page: regex _raw="(?<!\d)10\.\d{1,3}\.\d{1,3}\.\d{1,3}(?!\d)"
    r = run(r'| regex _raw="(?<!\d)10\.\d{1,3}\.\d{1,3}\.\d{1,3}(?!\d)"', ROWS)
    assert column(r, "ip") == ["10.1.2.3"]


def test_not_equal_keeps_what_does_not_match():
    assert len(run(r'| regex ip!="^1\d*\."', ROWS)) == 0
    assert column(run(r'| regex ip!="^10\."', ROWS), "ip") == ["110.1.2.3", "192.168.0.1"]


def test_a_bare_expression_matches_raw_unanchored():
    assert column(run('| regex "ok"', ROWS), "ip") == ["10.1.2.3", "110.1.2.3"]


def test_escu_quoted_pattern_with_inline_flag():
    rows = [{"form_data": "x=JAVA.LANG.Runtime"}, {"form_data": "nothing"}]
    r = run(r'| regex form_data="(?i)java\.lang\.(?:runtime|processbuilder)"', rows)
    assert column(r, "form_data") == ["x=JAVA.LANG.Runtime"]


def test_multivalue_matches_when_one_value_does_and_a_missing_field_never_matches():
    rows = [{"v": ["a", "bz"]}, {"v": "c"}, {"w": 1}]
    assert column(run('| regex v="z$"', rows), "v") == [["a", "bz"]]
    assert column(run('| regex v!="z$"', rows), "w") == [None, 1]


def test_a_number_is_matched_as_printed():
    assert column(run('| regex n="^5$"', [{"n": 5}, {"n": 5.5}]), "n") == [5]


def test_bad_patterns_and_arguments_are_errors():
    with pytest.raises(SearchError, match="regex: invalid regular expression"):
        run('| regex _raw="("', ROWS)
    with pytest.raises(SearchError, match="regex takes one"):
        run('| regex a="x" b="y"', ROWS)
