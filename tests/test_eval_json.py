"""JSON eval functions (spl/eval/functions_json.py). Expected values are the page's examples
(JSON text printed compactly) or worked out by hand; readings where the page is silent are the
module docstring's.

JSON = https://help.splunk.com/splunk-enterprise/spl-search-reference/9.4/evaluation-functions/json-functions
MV   = https://help.splunk.com/splunk-enterprise/spl-search-reference/9.4/evaluation-functions/multivalue-eval-functions
"""
import json

import pytest

from spl.errors import SearchError
from spltest import column, run

DOC = json.dumps({"name": "Rarity", "ponies": [{"name": "Fluttershy", "kind": "Pegasus"},
                                               {"name": "Applejack", "kind": "Earth"}],
                  "tags": ["a", "b"], "system.splunk.path": "/opt/splunk",
                  "system": {"splunk": {"path": "/other"}}})


def ev(expr: str, **fields):
    out = run(f"| eval r={expr}", [fields or {"z": "1"}])
    return column(out, "r")[0] if "r" in out.columns else None


def doc(expr: str, **fields):
    """The JSON an expression returns, parsed (so key order and spacing do not matter)."""
    text = ev(expr, **fields)
    return None if text is None else json.loads(text)


def test_json_object_examples():
    # JSON: json_object("name", "maria") is {"name":"maria"}; numbers stay numbers.
    assert ev('json_object("name", "maria")') == '{"name":"maria"}'
    assert ev('json_object("name", "alex", "age", 23)') == '{"name":"alex","age":23}'
    assert ev("json_object()") == "{}"


def test_json_object_nests_json_results():
    # JSON: a json_object or json_array argument is embedded as JSON, not as a string.
    assert doc('json_object("a", json_array(1, "two", json_object("b", null())))') == \
        {"a": [1, "two", {"b": None}]}


def test_json_object_embeds_by_type():
    assert doc('json_object("t", true(), "n", null(), "m", split("x,y", ","), "f", f)', f="7") \
        == {"t": True, "n": None, "m": ["x", "y"], "f": "7"}


def test_json_object_needs_pairs_and_string_keys():
    with pytest.raises(SearchError, match="in pairs"):
        ev('json_object("a")')
    with pytest.raises(SearchError, match="key must be a single string"):
        ev('json_object(nosuch, 1)')


def test_json_array():
    # JSON: json_array of values gives the JSON array of them, in order.
    assert ev('json_array("Mon", "Tue", "Wed")') == '["Mon","Tue","Wed"]'
    assert ev("json_array(1, 2.5)") == "[1,2.5]"
    assert ev("json_array()") == "[]"


def test_json_and_json_valid():
    # JSON: json(x) gives x when it is valid JSON, else null; json_valid tells which.
    assert doc('json(x)', x='{"a": [1, 2]}') == {"a": [1, 2]}
    assert ev('json("abc")') is None
    assert ev('if(json_valid(x), "yes", "no")', x='{"a":1}') == "yes"
    assert ev('if(json_valid(x), "yes", "no")', x='{"a":1') == "no"
    assert ev('if(json_valid(nosuch), "yes", "no")') == "no"


def test_json_keys():
    # JSON: the top-level keys of an object, as a JSON array; not an object: null.
    assert ev('json_keys(json_object("a", 1, "b", 2))') == '["a","b"]'
    assert ev('json_keys("[1, 2]")') is None


def test_json_extract_exact_takes_keys_whole():
    # JSON example: json_extract_exact on the key "system.splunk.path" gives /opt/splunk, where
    # json_extract would follow the dots.
    assert ev('json_extract_exact(d, "system.splunk.path")', d=DOC) == "/opt/splunk"
    assert ev('json_extract(d, "system.splunk.path")', d=DOC) == "/other"
    assert doc('json_extract_exact(d, "name", "nosuch")', d=DOC) == ["Rarity", None]
    assert ev('json_extract_exact(d, "nosuch")', d=DOC) is None


def test_json_set_replaces_and_creates():
    # JSON: json_set sets a path's value, adding a missing key.
    assert doc('json_set(d, "name", "Spike")', d=DOC)["name"] == "Spike"
    assert doc('json_set(d, "ponies{1}.kind", "Unicorn")', d=DOC)["ponies"][1] == \
        {"name": "Applejack", "kind": "Unicorn"}
    assert doc('json_set("{}", "a.b", 1)') == {"a": {"b": 1}}
    assert doc('json_set("[1]", "{5}", 2)') == [1]  # a missing array element is left alone


def test_json_set_with_several_pairs_and_json_values():
    assert doc('json_set("{}", "a", json_array(1), "b", "x")') == {"a": [1], "b": "x"}


def test_json_set_exact_takes_keys_whole():
    assert doc('json_set_exact("{}", "a.b", 1)') == {"a.b": 1}


def test_json_set_needs_path_value_pairs():
    with pytest.raises(SearchError, match="in pairs"):
        ev('json_set("{}", "a", 1, "b")')


def test_json_append_and_extend():
    # JSON: json_append adds one value to the array at the path; json_extend adds each
    # element of an array.
    assert doc('json_append(d, "tags", "c")', d=DOC)["tags"] == ["a", "b", "c"]
    assert doc('json_append(d, "tags", json_array("c", "d"))', d=DOC)["tags"] == \
        ["a", "b", ["c", "d"]]
    assert doc('json_extend(d, "tags", json_array("c", "d"))', d=DOC)["tags"] == \
        ["a", "b", "c", "d"]
    assert doc('json_append(d, "name", "x")', d=DOC)["name"] == "Rarity"  # not an array


def test_json_delete():
    # JSON: the document without the given paths.
    out = doc('json_delete(d, "tags", "ponies{0}")', d=DOC)
    assert "tags" not in out and out["ponies"] == [{"name": "Applejack", "kind": "Earth"}]
    assert doc('json_delete(d, "ponies{}.kind")', d=DOC)["ponies"] == \
        [{"name": "Fluttershy"}, {"name": "Applejack"}]


def test_changing_invalid_json_gives_null():
    for expr in ('json_set("{oops", "a", 1)', 'json_delete("{oops", "a")',
                 'json_append("nope", "a", 1)'):
        assert ev(expr) is None, expr


def test_json_array_to_mv():
    # JSON example: json_array_to_mv(json_array("Buttercup", "Fluttershy", "Rarity")) is the
    # multivalue Buttercup, Fluttershy, Rarity; with true the strings keep their quotes.
    assert ev('json_array_to_mv(json_array("Buttercup", "Fluttershy", "Rarity"))') == \
        ["Buttercup", "Fluttershy", "Rarity"]
    assert ev('json_array_to_mv(json_array("Buttercup", "Rarity"), true())') == \
        ['"Buttercup"', '"Rarity"']
    assert ev('json_array_to_mv(json_array(1, json_object("a", 2)))') == ["1", '{"a":2}']
    assert ev('json_array_to_mv("{}")') is None


def test_mv_to_json_array():
    # MV: a multivalue field as a JSON array of strings; with infer_types true, values that are
    # JSON (numbers, true/false) keep that type.
    assert ev('mv_to_json_array(split("1,b,true", ","))') == '["1","b","true"]'
    assert ev('mv_to_json_array(split("1,b,true", ","), true())') == '[1,"b",true]'
    assert ev('mv_to_json_array(x)', x="solo") == '["solo"]'
    assert ev("mv_to_json_array(nosuch)") is None


def test_json_entries():
    # JSON: "Converts a value to an array of JSON objects with key and value fields".
    assert doc('json_entries(json_object("a", 1, "b", "x"))') == \
        [{"key": "a", "value": 1}, {"key": "b", "value": "x"}]
    assert ev('json_entries("[1]")') is None


def test_json_has_key_exact():
    # JSON: true if the key (taken whole, dots and all) is a key of the JSON object.
    assert ev('if(json_has_key_exact(d, "system.splunk.path"), "y", "n")', d=DOC) == "y"
    assert ev('if(json_has_key_exact(d, "splunk"), "y", "n")', d=DOC) == "n"
    assert ev('if(json_has_key_exact("{oops", "a"), "y", "n")') == "n"
