"""mvexpand and makemv.

mvexpand: https://help.splunk.com/splunk-cloud-platform/spl-search-reference/10.0.2503/search-commands/mvexpand
(one result per value, other fields copied; limit = values used per event, default 0 = all; not
for internal fields). The SPL2 page's table (a=1,b=x,c=V1 V2 V3 -> three rows) is the model
(https://help.splunk.com/splunk-enterprise/search/spl2-search-reference/mvexpand-command/mvexpand-command-examples).
makemv: https://help.splunk.com/splunk-cloud-platform/spl-search-reference/10.0.2503/search-commands/makemv
(delim default a single space; tokenizer's first capturing group, repeat-matched; allowempty
default false: "a,,b" with delim="," gives no empty value).
"""
import pytest

from spl.errors import SplError
from spltest import column, run


def test_mvexpand_one_row_per_value_other_fields_copied_in_order():
    rows = [{"a": 1, "b": "x", "c": ["V1", "V2", "V3"]}, {"a": 2, "b": "y", "c": ["V4", "V5"]}]
    r = run("| mvexpand c", rows)
    assert column(r, "a") == [1, 1, 1, 2, 2]
    assert column(r, "b") == ["x", "x", "x", "y", "y"]
    assert column(r, "c") == ["V1", "V2", "V3", "V4", "V5"]


def test_mvexpand_single_value_stays_one_row():
    assert column(run("| mvexpand c", [{"c": "only"}]), "c") == ["only"]


def test_mvexpand_limit_uses_the_first_n_values():
    r = run("| mvexpand c limit=2", [{"c": ["V1", "V2", "V3"]}])
    assert column(r, "c") == ["V1", "V2"]


def test_mvexpand_drops_rows_without_the_field():
    r = run("| mvexpand c", [{"k": 1, "c": ["a", "b"]}, {"k": 2}, {"k": 3, "c": "z"}])
    assert column(r, "k") == [1, 1, 3]


def test_mvexpand_leaves_internal_fields_alone():
    rows = [{"_raw": "r", "k": 1}]
    assert column(run("| mvexpand _raw", rows), "k") == [1]


def test_mvexpand_bad_limit_is_an_error():
    with pytest.raises(SplError, match="limit"):
        run("| mvexpand c limit=x", [{"c": "a"}])


def test_makemv_default_delimiter_is_a_space():
    assert column(run("| makemv s", [{"s": "a b  c"}]), "s") == [["a", "b", "c"]]


def test_makemv_multicharacter_delimiter():
    assert column(run('| makemv delim=", " s', [{"s": "a, b, c"}]), "s") == [["a", "b", "c"]]


def test_makemv_drops_empty_values_unless_allowempty():
    assert column(run('| makemv delim="," s', [{"s": "a,,b"}]), "s") == [["a", "b"]]
    assert column(run('| makemv delim="," allowempty=true s', [{"s": "a,,b"}]), "s") == [["a", "", "b"]]


def test_makemv_tokenizer_first_group_of_each_match():
    r = run('| makemv tokenizer="([^,]+),?" s', [{"s": "x1,y2,z3"}])
    assert column(r, "s") == [["x1", "y2", "z3"]]


def test_makemv_one_value_stays_single():
    assert column(run('| makemv delim="," s', [{"s": "solo"}]), "s") == ["solo"]


def test_makemv_setsv_keeps_a_single_value():
    r = run('| makemv delim="," setsv=true s', [{"s": "a,b"}])
    assert column(r, "s") == ["a\nb"]


def test_makemv_missing_field_changes_nothing():
    assert list(run("| makemv s", [{"k": 1}]).columns) == ["k"]


def test_makemv_tokenizer_without_group_is_an_error():
    with pytest.raises(SplError, match="capturing group"):
        run('| makemv tokenizer="\\w+" s', [{"s": "a"}])


def test_mvexpand_of_a_field_no_row_has_gives_no_rows():
    assert len(run("| mvexpand c", [{"k": 1}, {"k": 2}])) == 0
