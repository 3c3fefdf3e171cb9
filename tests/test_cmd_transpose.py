"""transpose: https://help.splunk.com/splunk-enterprise/spl-search-reference/9.4/search-commands/transpose
(first 5 results by default; columns "row 1"...; the field names in "column"; column_name,
header_field, include_empty). Tables worked out by hand."""
import pytest

from spl.errors import SplError
from spltest import column, run

ROWS = [{"_time": 1.0, "host": f"h{i}", "count": str(i), "x": None} for i in range(7)]


def test_default_five_results_become_columns():
    r = run("| transpose", ROWS)
    assert list(r.columns) == ["column", "row 1", "row 2", "row 3", "row 4", "row 5"]
    assert column(r, "column") == ["host", "count", "x"]
    assert column(r, "row 2") == ["h1", "1", None]


def test_count_and_column_name_and_header_field():
    r = run("| transpose 2 column_name=field header_field=host", ROWS)
    assert list(r.columns) == ["field", "h0", "h1"]
    assert column(r, "field") == ["count", "x"]
    assert column(r, "h1") == ["1", None]


def test_include_empty_false_drops_fields_without_values():
    r = run("| transpose 3 include_empty=false", ROWS)
    assert column(r, "column") == ["host", "count"]


def test_zero_transposes_every_result():
    assert len(run("| transpose 0", ROWS).columns) == 1 + 7


def test_bad_count():
    with pytest.raises(SplError, match="one number"):
        run("| transpose many", ROWS)
