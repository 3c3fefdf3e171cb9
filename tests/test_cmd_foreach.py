"""foreach: https://help.splunk.com/splunk-enterprise/spl-search-reference/9.4/search-commands/foreach
(templates <<FIELD>>, <<MATCHSTR>>, <<MATCHSEG1..3>>, <<ITEM>>; modes multifield, multivalue,
json_array). Expected values worked out by hand from the page's examples and the readings in
spl/commands/foreach.py."""
import pytest

from spl.errors import SplError, UnsupportedError
from spltest import column, run


def test_the_pages_total_of_fields_with_similar_names():
    # the page: eval total=0 ... foreach test* [eval total=total + <<FIELD>>]
    r = run("| eval total=0 | foreach test* [eval total=total + <<FIELD>>]",
            [{"test1": 1, "test2": 2, "test3": 3, "other": 100}])
    assert column(r, "total") == [6]


def test_matchstr_is_what_the_wildcard_matched():
    r = run("| foreach foo* [eval new_<<MATCHSTR>> = <<FIELD>> + bar<<MATCHSTR>>]",
            [{"foo1": 1, "foo2": 2, "bar1": 10, "bar2": 20}])
    assert column(r, "new_1") == [11] and column(r, "new_2") == [22]


def test_matchseg_takes_each_wildcard_in_turn():
    r = run("| foreach *_in_* [eval <<MATCHSEG2>>_<<MATCHSEG1>> = <<FIELD>>]",
            [{"bytes_in_eu": 5, "pkts_in_us": 7}])
    assert column(r, "eu_bytes") == [5] and column(r, "us_pkts") == [7]


def test_escu_stdev_template_with_quoted_fields_builds_the_anomalies_text():
    # ESCU's shape: foreach stdev_* [eval anomalies = if('<<MATCHSTR>>' > ('avg_<<MATCHSTR>>' + 3 * ...
    search = ("| eval anomalies=\"\" | foreach stdev_* [ eval anomalies = if('<<MATCHSTR>>' > "
              "('avg_<<MATCHSTR>>' + 3 * 'stdev_<<MATCHSTR>>'), anomalies + \"<<MATCHSTR>> high. \""
              ", anomalies)]")
    rows = [{"a": 10, "avg_a": 2, "stdev_a": 1, "b": 4, "avg_b": 2, "stdev_b": 1},
            {"a": 5, "avg_a": 2, "stdev_a": 1, "b": 9, "avg_b": 2, "stdev_b": 1}]
    # row 1: a 10 > 2+3 yes; b 4 > 5 no. row 2: a 5 > 5 no; b 9 > 5 yes
    assert column(run(search, rows), "anomalies") == ["a high. ", "b high. "]


def test_fields_are_visited_in_the_results_order():
    r = run('| eval s="" | foreach x* [eval s = s . "<<FIELD>>,"]', [{"xb": 1, "xa": 1, "xc": 1}])
    assert column(r, "s") == ["xb,xa,xc,"]


def test_escu_null_text_to_null_over_every_field():
    r = run('| foreach * [ eval <<FIELD>> = if(<<FIELD>>="null",null(),<<FIELD>>)]',
            [{"x": "null", "y": "ok"}, {"x": "1", "y": "null"}])
    assert column(r, "x") == [None, "1"] and column(r, "y") == ["ok", None]


def test_star_does_not_visit_internal_fields_but_an_underscore_pattern_does():
    r = run('| eval n=0 | foreach * [eval n = n + 1]', [{"_time": 1.0, "a": 1, "b": 2}])
    assert column(r, "n") == [3]  # a, b, n itself (made before foreach); not _time
    r = run('| eval n=0 | foreach _* [eval n = n + 1]', [{"_time": 1.0, "a": 1}])
    assert column(r, "n") == [1]


def test_a_field_matched_by_two_patterns_is_visited_once():
    r = run("| eval n=0 | foreach a* *1 [eval n = n + 1]", [{"a1": 1, "b1": 1}])
    assert column(r, "n") == [2]


def test_fieldstr_and_matchstr_rename_the_placeholders():
    r = run("| foreach v* fieldstr=FLD matchstr=MS [eval outMS = FLD * 2]", [{"v1": 3}])
    assert column(r, "out1") == [6]


def test_multivalue_mode_runs_once_per_value_of_each_result():
    search = "| eval total=0 | foreach mode=multivalue mv [eval total = total + <<ITEM>>]"
    r = run(search, [{"mv": ["5", "10", "15"]}, {"mv": "4"}, {"other": 1}])
    assert column(r, "total") == [30, 4, 0]


def test_json_array_mode_runs_once_per_element():
    search = "| eval total=0 | foreach mode=json_array ja [eval total = total + <<ITEM>>]"
    r = run(search, [{"ja": "[1, 2, 3]"}, {"ja": "not json"}])
    assert column(r, "total") == [6, 0]


def test_json_array_strings_are_put_in_as_text():
    search = '| eval s="" | foreach mode=json_array ja [eval s = s . "<<ITEM>>;"]'
    assert column(run(search, [{"ja": '["a", 2, [1, true]]'}]), "s") == ["a;2;[1,true];"]


def test_no_field_matching_leaves_the_results_alone():
    r = run("| foreach zz* [eval n=1]", [{"a": 1}])
    assert list(r.columns) == ["a"]


def test_errors_are_named():
    with pytest.raises(SplError, match="needs one \\[subsearch\\]"):
        run("| foreach a*", [{"a": 1}])
    with pytest.raises(SplError, match="mode=bogus"):
        run("| foreach mode=bogus a [eval x=1]", [{"a": 1}])
    with pytest.raises(UnsupportedError, match="more than one wildcard"):
        run("| foreach *_* [eval x=<<MATCHSTR>>]", [{"a_b": 1}])
    with pytest.raises(UnsupportedError, match="auto_collections"):
        run("| foreach mode=auto_collections a [eval x=1]", [{"a": 1}])
    with pytest.raises(SplError, match="template filled in for field a b"):
        run('| foreach a* [eval x = <<FIELD>> + 1]', [{"a b": 1}])


def test_a_foreach_inside_a_template():
    rows = [{"a1": 1, "a2": 2, "b1": 10}]
    # the outer fill replaces every <<FIELD>> of its template, the inner one's too: n + a1 + a2
    search = "| eval n=0 | foreach a* [foreach b* [eval n = n + <<FIELD>>]]"
    assert column(run(search, rows), "n") == [3]
    # the inner's own placeholder: b1 added once per a field
    search = "| eval n=0 | foreach a* [foreach b* fieldstr=BF [eval n = n + BF]]"
    assert column(run(search, rows), "n") == [20]
