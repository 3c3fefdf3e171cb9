"""reverse: https://help.splunk.com/en/splunk-enterprise/search/spl-search-reference/9.4/search-commands/reverse"""
import pytest

from spl.errors import SearchError
from spltest import column, run


def test_reverses_the_results():
    assert column(run("| reverse", [{"n": 1}, {"n": 2}, {"n": 3}]), "n") == [3, 2, 1]


def test_twice_is_the_original_order_and_no_rows_is_fine():
    assert column(run("| reverse | reverse", [{"n": 1}, {"n": 2}]), "n") == [1, 2]
    assert run("| reverse", []).empty


def test_takes_no_arguments():
    with pytest.raises(SearchError, match="reverse takes no arguments"):
        run("| reverse n", [{"n": 1}])
