"""spl.values: the one order of single values that min/max (stats and eval) and stats groups use.

Sources (AGG, https://help.splunk.com/en/splunk-enterprise/search/spl-search-reference/10.0/statistical-and-charting-functions/aggregate-functions):
"numbers sort before non-numbers (e.g. 1,2,4,9,100,a,b,c)" and "strings are greater
than numbers" — https://help.splunk.com/splunk-enterprise/search/spl2-search-reference/evaluation-functions/statistical-eval-functions
and the stats page (BY groups: numbers numerically, then strings in code-point order)
https://help.splunk.com/splunk-enterprise/search/spl-search-reference/9.3/search-commands/stats
"""
from spl.values import order_key
from spltest import column, run


def test_numbers_before_strings_numbers_numerically_strings_by_code_point():
    mixed = ["b", "100", 9, "a", "4", 2.5, "B", "10a", 1]
    assert sorted(mixed, key=order_key) == [1, 2.5, "4", 9, "100", "10a", "B", "a", "b"]


def test_the_same_order_serves_stats_eval_and_group_order():
    rows = [{"v": v} for v in ("b", "100", "9", "a", "4")]
    out = run("| stats min(v) as lo max(v) as hi", rows)
    assert column(out, "lo") == [4] and column(out, "hi") == ["b"]
    out = run('| eval lo=min(9, "100", "a"), hi=max(9, "100", "a") | table lo hi', [{"x": 1}])
    assert column(out, "lo") == [9] and column(out, "hi") == ["a"]
    out = run("| stats count by v", rows)
    assert column(out, "v") == ["4", "9", "100", "a", "b"]


def test_a_numpy_float_prints_as_a_number():
    """A number reaching output as numpy's float64 prints as Python's float does (1.5), never as
    numpy's repr (np.float64(1.5))."""
    import numpy as np

    from spl.values import format_number

    assert format_number(np.float64(1704067209.5)) == "1704067209.5"
    assert format_number(np.float64(0.1) + np.float64(0.2)) == "0.30000000000000004"
