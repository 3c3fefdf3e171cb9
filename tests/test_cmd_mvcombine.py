"""mvcombine: https://help.splunk.com/splunk-enterprise/spl-search-reference/9.4/search-commands/mvcombine
(results identical but for one field become one, that field multivalue). Expected values by hand;
readings pinned from spl/commands/mvcombine.py."""
import pytest

from spl.errors import SearchError, UnsupportedError
from spltest import column, run


def test_results_differing_only_in_the_field_are_combined_in_place_of_the_first():
    rows = [{"host": "a", "ip": "1"}, {"host": "b", "ip": "2"}, {"host": "a", "ip": "3"},
            {"host": "a", "ip": "1"}]
    r = run("| mvcombine ip", rows)
    assert column(r, "host") == ["a", "b"]
    assert column(r, "ip") == [["1", "3", "1"], "2"]


def test_every_other_field_counts():
    rows = [{"host": "a", "port": 1, "ip": "1"}, {"host": "a", "port": 2, "ip": "2"}]
    assert column(run("| mvcombine ip", rows), "ip") == ["1", "2"]


def test_multivalue_inputs_add_each_value_and_missing_values_add_none():
    rows = [{"h": "a", "v": ["1", "2"]}, {"h": "a"}, {"h": "a", "v": "3"}, {"h": "z"}]
    r = run("| mvcombine v", rows)
    assert column(r, "v") == [["1", "2", "3"], None]


def test_delim_other_than_space_is_refused_and_one_field_required():
    with pytest.raises(UnsupportedError, match="delim"):
        run('| mvcombine delim="," v', [{"v": 1}])
    with pytest.raises(SearchError, match="one field"):
        run("| mvcombine", [{"v": 1}])
    with pytest.raises(SearchError, match="does not apply to internal fields"):
        run("| mvcombine _time", [{"_time": 1.0}])
