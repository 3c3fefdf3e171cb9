"""streamstats time_window: https://help.splunk.com/splunk-enterprise/spl-search-reference/9.4/search-commands/streamstats
(a window "based on time", limited by window/max_stream_window; results sorted by time,
ascending or descending). Expected values worked out by hand; readings pinned from
spl.commands.stats._time_window."""
import pytest

from spl.errors import SearchError, UnsupportedError
from spltest import column, run

# descending, as events come: 10:00, 09:58, 09:55, 09:50, 09:00 (seconds from 09:00)
TIMES = [3600.0, 3480.0, 3300.0, 3000.0, 0.0]
ROWS = [{"_time": t, "host": h, "bytes": b}
        for t, h, b in zip(TIMES, ["x", "y", "x", "x", "y"], [1, 2, 4, 8, 16])]


def test_a_five_minute_window_counts_the_events_less_than_five_minutes_apart():
    r = run("| streamstats time_window=5m count sum(bytes) as s", ROWS)
    # 10:00 alone; 09:58 with 10:00; 09:55 with 09:58 (10:00 is exactly 5m away: out);
    # 09:50 alone (09:55 is 5m away); 09:00 alone
    assert column(r, "count") == [1, 2, 2, 1, 1]
    assert column(r, "s") == [1, 3, 6, 8, 16]


def test_ascending_order_and_a_by_clause():
    rows = list(reversed(ROWS))
    r = run("| streamstats time_window=1h count by host", rows)
    # 09:00 y; 09:50 x; 09:55 x (with 09:50); 09:58 y (09:00 is 58m away: in); 10:00 x (09:50, 09:55)
    assert column(r, "count") == [1, 1, 2, 2, 3]


def test_window_still_limits_the_events():
    r = run("| streamstats time_window=1d window=2 count", ROWS)
    assert column(r, "count") == [1, 2, 2, 2, 2]


def test_current_false_leaves_the_event_out():
    r = run("| streamstats time_window=5m current=f count", ROWS)
    assert column(r, "count") == [0, 1, 1, 0, 0]


def test_unsorted_or_timeless_results_and_bad_spans_are_errors():
    unsorted = [ROWS[1], ROWS[0], ROWS[2]]
    with pytest.raises(SearchError, match="sorted by _time"):
        run("| streamstats time_window=5m count", unsorted)
    with pytest.raises(SearchError, match="every result to have a _time"):
        run("| streamstats time_window=5m count", [{"a": 1}])
    with pytest.raises(SearchError, match="must be a span"):
        run("| streamstats time_window=soon count", ROWS)
    with pytest.raises(SearchError, match="must be positive"):
        run("| streamstats time_window=0s count", ROWS)
    with pytest.raises(UnsupportedError, match="month"):
        run("| streamstats time_window=2y count", ROWS)
