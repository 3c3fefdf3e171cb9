"""filldown: https://help.splunk.com/splunk-cloud-platform/spl-search-reference/9.3.2408/search-commands/filldown
(null replaced by the last non-null value; no list: every field; wildcards; no earlier value:
stays null). Readings pinned from spl/commands/filldown.py; expected values by hand."""
from spltest import column, run

ROWS = [{"count": None, "score_a": 1, "x": "a"}, {"count": 3, "score_a": None, "x": None},
        {"count": None, "score_a": None, "x": ""}, {"count": None, "score_a": 7, "x": None}]


def test_every_field_without_a_list():
    r = run("| filldown", ROWS)
    assert column(r, "count") == [None, 3, 3, 3]  # no earlier value: stays null
    assert column(r, "score_a") == [1, 1, 1, 7]
    assert column(r, "x") == ["a", "a", "", ""]  # an empty string is a value


def test_only_the_named_field_and_wildcards():
    r = run("| filldown count", ROWS)
    assert column(r, "count") == [None, 3, 3, 3] and column(r, "score_a") == [1, None, None, 7]
    r = run("| filldown count score*", ROWS)
    assert column(r, "score_a") == [1, 1, 1, 7] and column(r, "x") == ["a", None, "", None]


def test_multivalue_is_carried_whole_and_unknown_fields_are_not_created():
    r = run("| filldown v nope", [{"v": ["1", "2"]}, {"w": 1}])
    assert column(r, "v") == [["1", "2"], ["1", "2"]] and "nope" not in r.columns
