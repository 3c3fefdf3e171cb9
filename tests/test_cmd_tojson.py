"""tojson: https://help.splunk.com/splunk-enterprise/spl-search-reference/9.2/search-commands/tojson
(datatype functions auto/bool/json/none/num/str over wildcard fields; default none(*);
multivalue as arrays; default_type, fill_null, include_internal, output_field). Expected JSON
written by hand from the readings in spl/commands/tojson.py."""
import json

import pytest

from spl.errors import SearchError
from spltest import column, run

ROWS = [{"_time": 1.0, "owner": "vladimir", "error": 2, "mv": ["1", "x"], "b": "yes",
         "j": '{"a": 1}', "n": "2.5"}]


def doc(search, field="_raw"):
    return json.loads(column(run(search, ROWS), field)[0])


def test_default_is_none_of_every_non_internal_field_in_sorted_order():
    text = column(run("| tojson", ROWS), "_raw")[0]
    assert text == ('{"b":"yes","error":2,"j":"{\\"a\\": 1}","mv":["1","x"],"n":"2.5",'
                    '"owner":"vladimir"}')


def test_auto_infers_numbers_and_booleans():
    rows = [{"a": "10", "t": "true", "f": "false", "z": "null", "s": "text"}]
    assert json.loads(column(run("| tojson auto(*)", rows), "_raw")[0]) == {
        "a": 10, "t": True, "f": False, "z": None, "s": "text"}


def test_named_fields_limit_the_object_and_types_apply():
    assert doc("| tojson num(n) str(error) num(mv)") == {"n": 2.5, "error": "2", "mv": [1]}
    assert doc("| tojson bool(b) json(j) json(owner)") == {"b": True, "j": {"a": 1}}


def test_fill_null_writes_skipped_values_as_null():
    assert doc("| tojson json(owner) num(mv) fill_null=true") == {"owner": None, "mv": [1, None]}


def test_include_internal_and_output_field():
    d = doc("| tojson num(_time) str(owner) include_internal=true output_field=js", "js")
    assert d == {"_time": 1, "owner": "vladimir"}
    assert "_time" not in doc("| tojson num(*)")


def test_default_type_for_fields_no_function_names():
    assert doc("| tojson default_type=str")["error"] == "2"
    assert doc("| tojson error owner num(n) default_type=str") == {
        "error": "2", "owner": "vladimir", "n": 2.5}


def test_missing_values_are_left_out():
    rows = [{"a": 1, "b": None}, {"b": "x"}]
    assert column(run("| tojson", rows), "_raw") == ['{"a":1}', '{"b":"x"}']


def test_errors():
    with pytest.raises(SearchError, match="not a datatype function"):
        run("| tojson foo(a)", ROWS)
    with pytest.raises(SearchError, match="default_type=date"):
        run("| tojson default_type=date", ROWS)
