"""Stats functions of issue 14: var/stdev of one value, rate, the timechart-only per_* functions,
estdc and estdc_error. Expected values are worked out by hand from the pages' definitions:

AGG  = https://help.splunk.com/splunk-enterprise/spl-search-reference/9.4/statistical-and-charting-functions/aggregate-functions
TIME = https://help.splunk.com/splunk-enterprise/spl-search-reference/9.4/statistical-and-charting-functions/time-functions
"""
import pytest

from spl import aggregates
from spl.errors import UnsupportedError
from spltest import column, run


def cells(out, name):
    """A result column; a column that is null on every row is not in the output at all."""
    return column(out, name) if name in out.columns else [None] * len(out)


def test_stdev_and_var_of_one_value_are_zero():
    # AGG: the spread of a single number is 0 (Splunk's documented example shows 0, issue 14),
    # for the sample and the population forms alike.
    out = run("| stats stdev(x) var(x) stdevp(x) varp(x)", [{"x": "7"}])
    assert [column(out, c) for c in ("stdev(x)", "var(x)", "stdevp(x)", "varp(x)")] == \
        [[0], [0], [0], [0]]


def test_one_value_group_gets_zero_next_to_a_wider_group():
    # AGG: by-group sample stdev; group a = {1, 3}: mean 2, squares 1 + 1 = 2, var 2/(2-1) = 2.
    out = run("| stats stdev(x) AS s var(x) AS v BY g",
              [{"g": "a", "x": "1"}, {"g": "a", "x": "3"}, {"g": "b", "x": "5"}])
    assert column(out, "v") == [2, 0]
    assert column(out, "s") == [pytest.approx(2 ** 0.5), 0]


def test_stdev_of_no_numbers_stays_null():
    out = run("| stats stdev(x) AS s", [{"x": "abc"}])
    assert cells(out, "s") == [None]


def test_eventstats_and_streamstats_share_the_fix():
    # One event per group: eventstats' stdev is 0 on each (AGG, via the one registry).
    out = run("| eventstats stdev(x) AS s BY g", [{"g": "a", "x": "1"}, {"g": "b", "x": "9"}])
    assert column(out, "s") == [0, 0]
    out = run("| streamstats stdev(x) AS s", [{"x": "1"}, {"x": "3"}])
    assert column(out, "s") == [0, pytest.approx(2 ** 0.5)]


def test_rate_is_change_over_time_between_earliest_and_latest():
    # TIME: (latest(X) - earliest(X)) / (latest_time(X) - earliest_time(X)).
    # Events out of time order: earliest (t=100, 10), latest (t=160, 40): 30 / 60 = 0.5.
    rows = [{"_time": 160, "x": "40"}, {"_time": 100, "x": "10"}, {"_time": 130, "x": "25"}]
    assert column(run("| stats rate(x) AS r", rows), "r") == [0.5]


def test_rate_counts_a_counter_reset_from_zero():
    # 10 -> 30 (+20), reset to 5 (+5), -> 15 (+10): 35 over 30 s (module docstring's reading).
    rows = [{"_time": 0, "x": 10}, {"_time": 10, "x": 30}, {"_time": 20, "x": 5},
            {"_time": 30, "x": 15}]
    assert column(run("| stats rate(x) AS r", rows), "r") == [pytest.approx(35 / 30)]


def test_rate_needs_two_points_at_different_times():
    # TIME: "Requires ... the earliest_time(X) and latest_time(X) values to be different".
    assert cells(run("| stats rate(x) AS r", [{"_time": 5, "x": "1"}]), "r") == [None]
    same = [{"_time": 5, "x": "1"}, {"_time": 5, "x": "9"}]
    assert cells(run("| stats rate(x) AS r", same), "r") == [None]


def test_per_functions_are_refused_by_stats_and_given_to_timechart():
    # TIME: per_second/per_minute/per_hour/per_day: "use this function with the timechart command".
    for name, unit in (("per_second", 1), ("per_minute", 60), ("per_hour", 3600),
                       ("per_day", 86400)):
        assert aggregates.lookup(name) is None
        assert "timechart" in aggregates.only_in(name)
        spec = aggregates.timechart_lookup(name)
        assert spec.reduce(["2", "3", "x"]) == 5 and aggregates.PER_UNIT[name] == unit
    assert aggregates.only_in("count") is None
    with pytest.raises(UnsupportedError):
        run("| stats per_second(x)", [{"x": "1"}])


def test_estdc_counts_exactly_and_its_error_is_zero():
    # AGG: estdc estimates dc; counted exactly here, so estdc_error, the ratio
    # |estimate - real| / real, is 0.
    rows = [{"x": "a"}, {"x": "b"}, {"x": "a"}, {"x": ["c", "b"]}]
    out = run("| stats estdc(x) AS e estdc_error(x) AS err dc(x) AS d", rows)
    assert column(out, "e") == [3] and column(out, "d") == [3]
    assert column(out, "err") == [0]


def test_estdc_error_over_no_values_is_null():
    out = run("| stats estdc_error(x) AS err", [{"y": "1"}])
    assert cells(out, "err") == [None]
