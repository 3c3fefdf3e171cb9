"""timechart: https://help.splunk.com/splunk-enterprise/spl-search-reference/9.4/search-commands/timechart
(rows are _time bins; span/bins; BY split with limit/useother/usenull as chart; cont fills the
gaps). Expected tables worked out by hand; readings the page leaves open are listed in
spl/commands/timechart.py and pinned here."""
import pytest

from spl.errors import SplError
from spltest import column, run

H = 3600
ROWS = [{"_time": 10.0, "h": "a", "n": "1"}, {"_time": H + 5.0, "h": "b", "n": "2"},
        {"_time": 3 * H + 1.0, "h": "a", "n": "3"}, {"_time": 3 * H + 2.0, "n": "4"}]


def test_span_bins_and_cont_fills_the_gap_with_zero_counts():
    r = run("| timechart span=1h count", ROWS)
    assert list(r.columns) == ["_time", "count", "_span"]
    assert column(r, "_time") == [0, H, 2 * H, 3 * H]
    assert column(r, "count") == [1, 1, 0, 2]
    assert column(r, "_span") == [H] * 4


def test_by_split_columns_and_null_series():
    r = run("| timechart span=1h count by h", ROWS)
    assert list(r.columns) == ["_time", "a", "b", "NULL", "_span"]
    assert column(r, "a") == [1, 0, 0, 1]
    assert column(r, "b") == [0, 1, 0, 0]
    assert column(r, "NULL") == [0, 0, 0, 1]


def test_cont_false_keeps_bins_with_events_and_avg_of_nothing_is_null():
    r = run("| timechart span=1h cont=false avg(n) by h usenull=f", ROWS)
    assert column(r, "_time") == [0, H, 3 * H]
    assert column(r, "a") == [1, None, 3]
    assert column(r, "b") == [None, 2, None]


def test_default_bins_pick_the_smallest_threshold_span():
    # 10 s .. 3 h 2 s with at most 100 bins: 1 m gives 182, 5 m gives 37 (0 .. 10800)
    r = run("| timechart count", ROWS)
    assert column(r, "_span")[0] == 300
    assert len(r) == 37 and sum(column(r, "count")) == 4


def test_day_and_month_spans_from_local_midnight():
    day = 86400
    rows = [{"_time": 5.0}, {"_time": 2 * day + 7.0}]
    r = run("| timechart span=1d count", rows)
    assert column(r, "_time") == [0, day, 2 * day] and column(r, "count") == [1, 0, 1]
    r = run("| timechart span=1mon count", [{"_time": 5.0}, {"_time": 40 * day + 1.0}])
    assert column(r, "_time") == [0, 31 * day]          # Jan, Feb 1970
    assert column(r, "_span") == [31 * day, 28 * day]


def test_limit_and_other_as_chart():
    rows = [{"_time": 1.0, "h": "a"}] * 3 + [{"_time": 2.0, "h": "b"}] * 2 + [{"_time": 3.0, "h": "c"}]
    r = run("| timechart span=1h limit=1 count by h", rows)
    assert list(r.columns) == ["_time", "a", "OTHER", "_span"]
    assert column(r, "OTHER") == [3]


def test_no_events_no_rows():
    r = run("| timechart span=1h count", [{"x": "1"}])
    assert len(r) == 0


def test_errors():
    with pytest.raises(SplError, match="at most 1 field"):
        run("| timechart count by a b", ROWS)
    with pytest.raises(SplError, match="no over clause"):
        run("| timechart count over a", ROWS)
    with pytest.raises(SplError, match="cont=maybe"):
        run("| timechart cont=maybe count", ROWS)
