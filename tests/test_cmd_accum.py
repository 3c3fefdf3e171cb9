"""accum: https://help.splunk.com/en/splunk-enterprise/search/spl-search-reference/9.4/search-commands/accum
(running total of a numeric field, into the field or AS <newfield>). Expected values by hand;
readings pinned from spl/commands/accum.py."""
import pytest

from spl.errors import SearchError
from spltest import column, run


def test_running_total_into_the_same_field():
    assert column(run("| accum count", [{"count": 1}, {"count": 2}, {"count": 3}]),
                  "count") == [1, 3, 6]


def test_the_pages_as_total_count_keeps_the_field():
    r = run("| accum count AS total_count", [{"count": "4"}, {"count": 2.5}])
    assert column(r, "count") == ["4", 2.5] and column(r, "total_count") == [4, 6.5]


def test_non_numbers_add_nothing_and_get_no_new_value():
    rows = [{"c": 1}, {"c": "x"}, {}, {"c": ["1", "2"]}, {"c": 2}]
    r = run("| accum c AS t", rows)
    assert column(r, "t") == [1, None, None, None, 3]
    assert column(run("| accum c", rows), "c") == [1, "x", None, ["1", "2"], 3]


def test_syntax():
    with pytest.raises(SearchError, match="accum takes a field"):
        run("| accum a b", [{"a": 1}])
