"""rangemap: https://help.splunk.com/splunk-cloud-platform/spl-search-reference/10.0.2503/search-commands/rangemap
(``range`` set to the names of the ranges a value lies in, both ends included; overlapping ranges
give a multivalue field; no match: ``default``, "None" by default; negative ranges). Expected
values by hand; readings pinned from spl/commands/rangemap.py."""
import pytest

from spl.errors import SearchError
from spltest import column, run


def test_the_pages_date_second_colours():
    search = "| rangemap field=date_second green=1-30 blue=31-39 red=40-59 default=gray"
    rows = [{"date_second": s} for s in (0, 1, 30, 31, 39, 40, 59, 60)]
    assert column(run(search, rows), "range") == ["gray", "green", "green", "blue", "blue", "red",
                                                  "red", "gray"]


def test_the_pages_overlap_gives_both_names():
    # the page: low=1-10, elevated=5-15 and a value of 10 give range=low and elevated
    r = run("| rangemap field=v low=1-10 elevated=5-15", [{"v": 10}, {"v": 12}, {"v": 99}])
    assert column(r, "range") == [["low", "elevated"], "elevated", "None"]


def test_the_pages_negative_ranges_and_decimals():
    search = "| rangemap field=v Dislike=-5--1 DontCare=0-0 Like=1-5 Half=0.5-0.75"
    rows = [{"v": -3}, {"v": 0}, {"v": "0.6"}, {"v": -0.5}]
    assert column(run(search, rows), "range") == ["Dislike", "DontCare", "Half", "None"]


def test_missing_or_non_numeric_values_get_the_default():
    r = run("| rangemap field=v low=0-1 default=unknown", [{"v": "x"}, {"w": 1}, {"v": ["1", "2"]}])
    assert column(r, "range") == ["unknown", "unknown", "unknown"]


def test_errors():
    with pytest.raises(SearchError, match="needs field="):
        run("| rangemap low=0-1", [{"v": 1}])
    with pytest.raises(SearchError, match="is not a numeric range"):
        run("| rangemap field=v low=a-b", [{"v": 1}])
    with pytest.raises(SearchError, match="must not be above"):
        run("| rangemap field=v low=5-1", [{"v": 1}])
