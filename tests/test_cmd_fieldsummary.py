"""fieldsummary: https://help.splunk.com/en/splunk-enterprise/search/spl-search-reference/9.4/search-commands/fieldsummary
(per field: count, distinct_count, is_exact, max, mean, min, numeric_count, stdev, values;
maxvals default 100, 0 for all). Statistics worked out by hand; readings pinned from
spl/commands/fieldsummary.py."""
import json

import pytest

from spl.errors import SearchError
from spltest import run

ROWS = [{"_time": 1.0, "a": "1", "b": "x"}, {"a": 3, "b": ["x", "y"]}, {"a": "5", "b": "z"},
        {"c": None}]


def summary(search, rows=ROWS):
    return {r["field"]: r for r in run(search, rows).to_dict("records")}


def test_numeric_field_statistics():
    a = summary("| fieldsummary")["a"]
    # 1, 3, 5: mean 3, sample variance ((4 + 0 + 4) / 2) = 4, stdev 2
    assert (a["count"], a["distinct_count"], a["is_exact"], a["numeric_count"]) == (3, 3, 1, 3)
    assert (a["min"], a["max"], a["mean"], a["stdev"]) == (1, 5, 3.0, 2.0)
    assert json.loads(a["values"]) == [{"value": "1", "count": 1}, {"value": "3", "count": 1},
                                       {"value": "5", "count": 1}]


def test_text_and_multivalue_fields():
    b = summary("| fieldsummary")["b"]
    assert (b["count"], b["distinct_count"], b["numeric_count"]) == (3, 3, 0)
    assert b["max"] is None and b["mean"] is None and b["stdev"] is None
    assert json.loads(b["values"])[0] == {"value": "x", "count": 2}


def test_fields_internal_ones_and_empty_ones():
    r = run("| fieldsummary", ROWS)
    assert r["field"].tolist() == ["a", "b"]  # no _time, no c (no value)
    assert list(r.columns) == ["field", "count", "distinct_count", "is_exact", "max", "mean",
                               "min", "numeric_count", "stdev", "values"]
    assert run("| fieldsummary _* b", ROWS)["field"].tolist() == ["_time", "b"]


def test_maxvals_cuts_values_and_is_exact():
    a = summary("| fieldsummary maxvals=2 a")["a"]
    assert a["is_exact"] == 0 and a["distinct_count"] == 3
    assert len(json.loads(a["values"])) == 2
    assert summary("| fieldsummary maxvals=0 a")["a"]["is_exact"] == 1


def test_one_numeric_value_has_stdev_zero():
    assert summary("| fieldsummary", [{"n": 7}])["n"]["stdev"] == 0


def test_maxvals_must_be_unsigned():
    with pytest.raises(SearchError, match="maxvals=-1"):
        run("| fieldsummary maxvals=-1", ROWS)
