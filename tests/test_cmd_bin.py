"""bin / bucket.

Splunk: https://help.splunk.com/splunk-enterprise/spl-search-reference/9.4/search-commands/bin
(span, bins default 100, minspan, start/end, aligntime, AS newfield; bucket is bin's alias) and
the timechart page (https://help.splunk.com/en/splunk-enterprise/search/spl-search-reference/10.0/timechart)
for "the span rounds the first bin's start down" and "use span=1d for day boundaries".
aligntime example (SPL2 bin examples page, same option): span=12h aligntime=@d+3h gives bins
3am-3pm and 3pm-3am. Expected epochs are computed by hand with calendar.timegm below.
"""
import calendar

import pytest

from spl.errors import SplError
from spltest import column, run


def utc(y, mo, d, h=0, mi=0, s=0):
    return float(calendar.timegm((y, mo, d, h, mi, s, 0, 0, 0)))


T = utc(2026, 3, 9, 14, 3, 17)  # a Monday


def test_span_minutes_rounds_down():
    r = run("| bin _time span=5m", [{"_time": T}, {"_time": utc(2026, 3, 9, 14, 5, 0)}])
    assert column(r, "_time") == [utc(2026, 3, 9, 14, 0), utc(2026, 3, 9, 14, 5)]


def test_bucket_is_bin_and_options_may_come_first():
    r = run("| bucket span=10m _time", [{"_time": utc(2026, 3, 9, 14, 19, 59)}])
    assert column(r, "_time") == [utc(2026, 3, 9, 14, 10)]


def test_span_hour_and_seconds():
    r = run("| bin _time span=1h as hour | bin _time span=30s as half", [{"_time": T}])
    assert column(r, "hour") == [utc(2026, 3, 9, 14)]
    assert column(r, "half") == [utc(2026, 3, 9, 14, 3, 0)]
    assert column(r, "_time") == [T]  # AS leaves the field itself alone


def test_span_day_starts_at_midnight_of_the_search_time_zone():
    assert column(run("| bin _time span=1d", [{"_time": T}]), "_time") == [utc(2026, 3, 9)]
    # New York is on EDT (UTC-4) from 2026-03-08: local midnight of the 9th is 04:00 UTC
    r = run("| bin _time span=1d", [{"_time": T}], tz="America/New_York")
    assert column(r, "_time") == [utc(2026, 3, 9, 4)]


def test_span_week_counts_seven_days_from_the_epoch_thursday():
    # 1970-01-01 was a Thursday; the Thursday on or before Monday 2026-03-09 is 2026-03-05
    assert column(run("| bin _time span=1w", [{"_time": T}]), "_time") == [utc(2026, 3, 5)]


def test_span_month_quarter_year():
    r = run("| bin _time span=1mon as m | bin _time span=1q as q | bin _time span=1y as y",
            [{"_time": T}])
    assert column(r, "m") == [utc(2026, 3, 1)]
    assert column(r, "q") == [utc(2026, 1, 1)]
    assert column(r, "y") == [utc(2026, 1, 1)]


def test_aligntime_shifts_sub_day_bins():
    rows = [{"_time": T}, {"_time": utc(2026, 3, 9, 15, 30)}, {"_time": utc(2026, 3, 9, 2, 0)}]
    r = run("| bin span=12h aligntime=@d+3h _time", rows)
    assert column(r, "_time") == [utc(2026, 3, 9, 3), utc(2026, 3, 9, 15), utc(2026, 3, 8, 15)]


def test_aligntime_epoch():
    r = run("| bin span=1h aligntime=1800 _time", [{"_time": T}])
    assert column(r, "_time") == [utc(2026, 3, 9, 13, 30)]


def test_numeric_span_gives_range_text():
    r = run("| bin span=10 amount", [{"amount": "23"}, {"amount": 40}, {"amount": -1}])
    assert column(r, "amount") == ["20-30", "40-50", "-10-0"]


def test_fractional_numeric_span():
    assert column(run("| bin span=0.5 x", [{"x": 1.2}]), "x") == ["1-1.5"]


def test_bins_picks_a_power_of_ten_span():
    """bins=10 over 0..95: width 10 gives exactly 10 bins, width 1 would give 96."""
    rows = [{"size": v} for v in (0, 37, 95)]
    r = run("| bin bins=10 size AS bin_size", rows)
    assert column(r, "bin_size") == ["0-10", "30-40", "90-100"]


def test_end_widens_the_range_bins_are_chosen_over():
    """end=1000 (the docs' 'large end value'): over 0..1000 width 100 makes
    floor(1000/100) - 0 + 1 = 11 > 10 bins, so the width is 1000."""
    rows = [{"amount": 5}, {"amount": 95}]
    r = run("| bin bins=10 end=1000 amount", rows)
    assert column(r, "amount") == ["0-1000", "0-1000"]


def test_default_time_bins_use_the_minspan_thresholds():
    """Two events 180 s apart, bins=100: 1s makes 181 bins (too many), 5s makes 37 -> span 5s."""
    rows = [{"_time": utc(2026, 3, 9, 14, 0, 2)}, {"_time": utc(2026, 3, 9, 14, 3, 2)}]
    r = run("| bin _time", rows)
    assert column(r, "_time") == [utc(2026, 3, 9, 14, 0, 0), utc(2026, 3, 9, 14, 3, 0)]


def test_minspan_sets_the_smallest_span():
    rows = [{"_time": utc(2026, 3, 9, 14, 0, 2)}, {"_time": utc(2026, 3, 9, 14, 3, 2)}]
    r = run("| bin minspan=5m _time", rows)
    assert column(r, "_time") == [utc(2026, 3, 9, 14, 0), utc(2026, 3, 9, 14, 0)]


def test_non_numeric_values_are_left_alone_and_rows_kept():
    r = run("| bin span=10 x", [{"x": "abc"}, {"x": 12}, {"y": 1}])
    assert column(r, "x") == ["abc", "10-20", None]


def test_bad_span_is_a_clear_error():
    with pytest.raises(SplError, match="span"):
        run("| bin span=5parsecs _time", [{"_time": T}])


# Values beyond the double range or the calendar (years 1..9999) are no bin's: they are left
# as they are, like values that are no number (hand-worked: 1e20 s is ~3 trillion years).

def test_a_time_beyond_the_calendar_is_left_as_it_is():
    rows = [{"_time": 1e20}, {"_time": T}]
    for span in ("1d", "1mon", "1h"):
        assert column(run(f"| bin _time span={span}", rows), "_time")[0] == 1e20


def test_an_infinite_number_is_left_as_it_is():
    r = run("| eval n=1e400 | bin n span=10", [{"x": 1}])
    assert column(r, "n") == [float("inf")]


def test_start_and_end_at_the_edges_of_the_double_range():
    # bins=3 with -1e308..1e308: 10**308 wide bins -1e308..0, 0..1e308 (and the edge) fit; no
    # power of ten fits 2 bins, which is an error rather than an endless search.
    r = run("| bin n start=-1e308 end=1e308 bins=3", [{"n": "5"}])
    assert column(r, "n") == ["0-1e+308"]  # a double, not 309 digits
    with pytest.raises(SplError, match="bins"):
        run("| bin n start=-1e308 end=1e308 bins=2", [{"n": "5"}])


# <log-span> (https://help.splunk.com/splunk-enterprise/spl-search-reference/9.4/search-commands/bin:
# "[<num>]log[<num>]", coefficient >= 1 and < base, base > 1; defaults 1 and 10). Bins by hand.
LOG_ROWS = [{"v": x} for x in ["1", "9", "10", "99.5", "1000", "0", "-3", "5", "x"]]


def test_log_span_base_ten_by_default():
    r = run("| bin v span=log", LOG_ROWS)
    assert column(r, "v") == ["1-10", "1-10", "10-100", "10-100", "1000-10000", "0", "-3",
                              "1-10", "x"]  # 0 and -3 have no logarithm: left as they are


def test_log_span_base_and_coefficient():
    assert column(run("| bin v span=log2", LOG_ROWS), "v")[:5] == \
        ["1-2", "8-16", "8-16", "64-128", "512-1024"]
    # 2*10^k: 1 is in 0.2-2, 9 and 10 in 2-20, 1000 in 200-2000
    assert column(run("| bin v span=2log10", LOG_ROWS), "v")[:5] == \
        ["0.2-2", "2-20", "2-20", "20-200", "200-2000"]


@pytest.mark.parametrize("span", ["3log2", "log1", "0.5log10", "logx"])
def test_bad_log_spans(span):
    with pytest.raises(SplError, match="log span"):
        run(f"| bin v span={span}", LOG_ROWS)
