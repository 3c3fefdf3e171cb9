"""delta: https://help.splunk.com/splunk-enterprise/spl-search-reference/9.4/search-commands/delta
(value minus the value p results before; default field name delta(<field>); p defaults to 1).
Expected values by hand; readings pinned from spl/commands/delta.py."""
import pytest

from spl.errors import SearchError
from spltest import column, run

ROWS = [{"count": 10}, {"count": 7}, {"count": 12}, {"count": None}, {"count": 20}]


def test_default_name_and_previous_result():
    r = run("| delta count", ROWS)
    assert column(r, "delta(count)") == [None, -3, 5, None, None]


def test_the_pages_as_countdiff_and_p():
    assert column(run("| delta count AS countdiff", ROWS), "countdiff") == [None, -3, 5, None, None]
    assert column(run("| delta count AS d p=2", ROWS), "d") == [None, None, 2, None, 8]


def test_numeric_strings_and_floats():
    r = run("| delta v AS d", [{"v": "1.5"}, {"v": "4"}, {"v": "text"}])
    assert column(r, "d") == [None, 2.5, None]


def test_options_are_checked():
    with pytest.raises(SearchError, match="p=0 must be an integer of at least 1"):
        run("| delta count p=0", ROWS)
    with pytest.raises(SearchError, match="unknown option 'q'"):
        run("| delta count q=1", ROWS)
