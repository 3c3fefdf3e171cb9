"""fromjson: https://help.splunk.com/splunk-cloud-platform/spl-search-reference/9.3.2408/search-commands/fromjson
(keys of a JSON object become fields; prefix=; arrays become multivalue). The page's examples
and the readings in spl/commands/fromjson.py; expected values by hand."""
import pytest

from spl.errors import SearchError
from spltest import column, run


def test_the_pages_example_expands_name_and_age():
    r = run('| eval object=json_object("name", "Albert", "age", 63) | fromjson object', [{"a": 1}])
    assert column(r, "name") == ["Albert"] and column(r, "age") == [63]
    assert column(r, "object") == ['{"name":"Albert","age":63}']


def test_the_pages_prefix_example():
    r = run('| eval object=json_object("name", "Albert", "age", 63) | fromjson object prefix=json_',
            [{"a": 1}])
    assert column(r, "json_name") == ["Albert"] and column(r, "json_age") == [63]
    assert "name" not in r.columns


def test_arrays_become_multivalue_and_nested_objects_stay_json_text():
    doc = '{"tags": ["a", 1, {"k": true}], "inner": {"x": [1, 2]}, "ok": false, "gone": null}'
    r = run("| fromjson d", [{"d": doc, "gone": "was here"}])
    assert column(r, "tags") == [["a", 1, '{"k":true}']]
    assert column(r, "inner") == ['{"x":[1,2]}']
    assert column(r, "ok") == ["false"]
    assert "gone" not in r.columns  # its only value became null


def test_not_an_object_extracts_nothing():
    r = run("| fromjson d", [{"d": "[1,2]"}, {"d": "nope"}, {"d": '"text"'}, {"e": 1}])
    assert list(r.columns) == ["d", "e"]


def test_escu_data_field_with_a_field_of_the_same_name_replaced():
    r = run("| fromjson Data", [{"Data": '{"etps": "a:1;b:2", "Name": "new"}', "Name": "old"}])
    assert column(r, "etps") == ["a:1;b:2"] and column(r, "Name") == ["new"]


def test_one_field_is_required():
    with pytest.raises(SearchError, match="fromjson takes one field"):
        run("| fromjson a b", [{"a": 1}])
