"""gentimes: https://help.splunk.com/splunk-cloud-platform/spl-search-reference/10.0.2503/search-commands/gentimes
(ranges from the exact start time, one increment each, up to but not including the end; end
defaults to the midnight before now; -5 is five days ago; increment s/m/h/d, default 1d).
Expected epoch values worked out by hand; readings pinned from spl/commands/gentimes.py."""
import pytest

from spl.context import Context
from spl.engine import execute
from spl.errors import SearchError
from spl.syntax import parse

NOW = 1_773_064_800.0  # 2026-03-09T14:00:00Z (a Monday)
OCT1 = 1_506_816_000  # 2017-10-01T00:00:00Z = 17440 days * 86400


def gentimes(search: str, tz: str = "UTC"):
    return execute(parse(search), None, Context(now=NOW, tz=tz, text=search))


def test_daily_ranges_between_two_dates_end_excluded():
    r = gentimes("| gentimes start=10/1/2017 end=10/5/2017")
    assert r["starttime"].tolist() == [OCT1 + d * 86400 for d in range(4)]
    assert r["endtime"].tolist() == [OCT1 + (d + 1) * 86400 - 1 for d in range(4)]
    assert r["starthuman"].tolist()[0] == "Sun Oct 01 00:00:00 2017"
    assert r["endhuman"].tolist()[-1] == "Wed Oct 04 23:59:59 2017"
    assert list(r.columns) == ["starttime", "starthuman", "endtime", "endhuman"]


def test_days_ago_up_to_the_last_midnight():
    r = gentimes("| gentimes start=-2")  # last midnight: 2026-03-09T00:00Z = 1773014400
    assert r["starttime"].tolist() == [1_773_014_400 - 2 * 86400, 1_773_014_400 - 86400]


def test_time_of_day_and_second_increments():
    r = gentimes("| gentimes start=10/1/2017:10:00:00 end=10/1/2017:10:00:05 increment=2s")
    start = OCT1 + 36000
    assert r["starttime"].tolist() == [start, start + 2, start + 4]
    assert r["endtime"].tolist() == [start + 1, start + 3, start + 5]


def test_hour_increments():
    r = gentimes("| gentimes start=10/1/2017 end=10/1/2017:03:00:00 increment=1h")
    assert r["starttime"].tolist() == [OCT1, OCT1 + 3600, OCT1 + 7200]


def test_local_time_and_a_daylight_saving_day():
    # New York moves to EDT on 2026-03-08: that day is 23 hours long; midnight stays midnight
    r = gentimes("| gentimes start=3/8/2026 end=3/10/2026", tz="America/New_York")
    est_midnight = 1_772_946_000  # 2026-03-08T05:00Z
    assert r["starttime"].tolist() == [est_midnight, est_midnight + 23 * 3600]
    assert r["starthuman"].tolist() == ["Sun Mar 08 00:00:00 2026", "Mon Mar 09 00:00:00 2026"]


def test_end_not_after_start_gives_nothing():
    assert gentimes("| gentimes start=10/5/2017 end=10/1/2017").empty


def test_errors():
    with pytest.raises(SearchError, match="needs start="):
        gentimes("| gentimes end=10/5/2017")
    with pytest.raises(SearchError, match="MM/DD/YYYY"):
        gentimes("| gentimes start=2017-10-01")
    with pytest.raises(SearchError, match="not a valid time"):
        gentimes("| gentimes start=2/30/2017")
    with pytest.raises(SearchError, match="increment=1w"):
        gentimes("| gentimes start=-1 increment=1w")
    with pytest.raises(SearchError, match="outside the years 1 to 9999"):
        gentimes("| gentimes start=9999999")
    with pytest.raises(SearchError, match="ends after the year 9999"):
        gentimes("| gentimes start=12/31/9999 end=12/31/9999:23:59:59")
    with pytest.raises(SearchError, match="more than 10,000,000 ranges"):
        gentimes("| gentimes start=1/1/1970 end=1/1/2000 increment=1s")
