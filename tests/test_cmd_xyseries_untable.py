"""xyseries (https://help.splunk.com/splunk-enterprise/spl-search-reference/9.3/search-commands/xyseries)
and untable (https://help.splunk.com/splunk-enterprise/spl-search-reference/9.4/search-commands/untable),
inverses of each other. Tables worked out by hand; readings in the modules' docstrings."""
import pytest

from spl.errors import SplError
from spltest import column, run

LONG = [{"host": "b", "src": "web", "count": "3", "bytes": "30"},
        {"host": "a", "src": "web", "count": "1", "bytes": "10"},
        {"host": "a", "src": "db", "count": "2", "bytes": "20"},
        {"host": None, "src": "db", "count": "9"}]


def test_xyseries_rows_by_first_x_and_a_column_per_series():
    r = run("| xyseries host src count", LONG)
    assert list(r.columns) == ["host", "db", "web"]
    assert column(r, "host") == ["b", "a"]
    assert column(r, "web") == ["3", "1"]
    assert column(r, "db") == [None, "2"]


def test_xyseries_several_data_fields_sep_and_format():
    r = run("| xyseries host src count, bytes", LONG)
    assert list(r.columns) == ["host", "count: db", "count: web", "bytes: db", "bytes: web"]
    r = run('| xyseries host src count bytes sep="-"', LONG)
    assert list(r.columns)[1] == "count-db"
    r = run('| xyseries host src count bytes format="$VAL$.$AGG$"', LONG)
    assert list(r.columns)[1:3] == ["db.count", "web.count"]


def test_untable_is_the_inverse():
    wide = [{"host": "a", "db": "2", "web": "1"}, {"host": "b", "web": "3", "db": None}]
    r = run("| untable host src count", wide)
    assert list(r.columns) == ["host", "src", "count"]
    assert column(r, "host") == ["a", "a", "b"]
    assert column(r, "src") == ["db", "web", "web"]
    assert column(r, "count") == ["2", "1", "3"]
    back = run("| untable host src count | xyseries host src count", wide)
    assert column(back, "web") == ["1", "3"] and column(back, "db") == ["2", None]


def test_untable_after_timechart_leaves_internal_fields():
    rows = [{"_time": 10.0, "h": "a"}, {"_time": 20.0, "h": "b"}]
    r = run("| timechart span=1h count by h | untable _time h count", rows)
    assert column(r, "h") == ["a", "b"] and column(r, "count") == [1, 1]
    assert column(r, "_time") == [0, 0]


def test_arguments_are_checked():
    with pytest.raises(SplError, match="x field"):
        run("| xyseries host src", LONG)
    with pytest.raises(SplError, match="x field"):
        run("| untable host src", LONG)
