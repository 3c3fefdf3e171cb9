"""top and rare.

Splunk: https://help.splunk.com/splunk-enterprise/spl-search-reference/9.4/search-commands/top
(N / limit default 10, limit=0 all; countfield default count; percentfield default percent;
showcount/showperc default true; useother default false with otherstr default OTHER; BY groups)
and https://help.splunk.com/splunk-enterprise/spl-search-reference/9.4/search-commands/rare.
Counts and percents below are worked out by hand.
"""
import pytest

from spl.errors import SplError
from spltest import column, run

ROWS = [{"src": s} for s in "a b a c a b d".split()]


def test_top_counts_and_percent_most_common_first():
    r = run("| top src", ROWS)
    assert list(r.columns) == ["src", "count", "percent"]
    assert column(r, "src") == ["a", "b", "c", "d"]
    assert column(r, "count") == [3, 2, 1, 1]
    assert column(r, "percent") == ["42.857143", "28.571429", "14.285714", "14.285714"]


def test_top_n_and_limit():
    assert column(run("| top 2 src", ROWS), "src") == ["a", "b"]
    assert column(run("| top limit=1 src", ROWS), "src") == ["a"]
    assert len(run("| top limit=0 src", ROWS)) == 4


def test_default_limit_is_ten():
    rows = [{"v": f"x{i:02d}"} for i in range(12)]
    assert len(run("| top v", rows)) == 10


def test_countfield_percentfield_showcount_showperc():
    r = run("| top countfield=n percentfield=p src", ROWS)
    assert list(r.columns) == ["src", "n", "p"]
    r = run("| top showcount=false showperc=f src", ROWS)
    assert list(r.columns) == ["src"]


def test_useother_adds_a_row_for_the_rest():
    r = run("| top 2 useother=true src", ROWS)
    assert column(r, "src") == ["a", "b", "OTHER"]
    assert column(r, "count") == [3, 2, 2]
    r = run('| top 2 useother=t otherstr="rest" src', ROWS)
    assert column(r, "src")[-1] == "rest"


def test_by_clause_ranks_within_each_group_with_group_percent():
    rows = [{"h": "x", "u": "p"}, {"h": "x", "u": "p"}, {"h": "x", "u": "q"},
            {"h": "y", "u": "q"}]
    r = run("| top u by h", rows)
    assert list(r.columns) == ["h", "u", "count", "percent"]
    assert column(r, "h") == ["x", "x", "y"]
    assert column(r, "u") == ["p", "q", "q"]
    assert column(r, "percent") == ["66.666667", "33.333333", "100.000000"]


def test_several_fields_count_value_combinations_and_skip_missing():
    rows = [{"a": 1, "b": 2}, {"a": 1, "b": 2}, {"a": 1}, {"a": 1, "b": 3}]
    r = run("| top a b", rows)
    assert column(r, "count") == [2, 1]
    assert column(r, "b") == [2, 3]
    assert column(r, "percent") == ["66.666667", "33.333333"]


def test_multivalue_counts_each_value():
    r = run("| top v", [{"v": ["x", "y"]}, {"v": "x"}])
    assert column(r, "v") == ["x", "y"] and column(r, "count") == [2, 1]


def test_rare_least_common_first():
    r = run("| rare src", ROWS)
    assert column(r, "src") == ["c", "d", "b", "a"]
    assert column(r, "count") == [1, 1, 2, 3]


def test_unknown_option_is_an_error():
    with pytest.raises(SplError, match="unknown option"):
        run("| top bogus=1 src", ROWS)
