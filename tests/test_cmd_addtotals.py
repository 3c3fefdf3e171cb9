"""addtotals: https://help.splunk.com/splunk-cloud-platform/spl-search-reference/10.0.2503/search-commands/addtotals
(row totals into fieldname, default Total; col=true adds a summary result; labelfield/label;
a field list with wildcards). Sums worked out by hand."""
import pytest

from spl.errors import SplError
from spltest import column, run

ROWS = [{"_time": 5.0, "host": "a", "count1": "1", "count2": 2, "note": "x"},
        {"_time": 6.0, "host": "b", "count1": "2.5", "count2": None, "note": "7"}]


def test_row_totals_of_every_numeric_field_not_internal_ones():
    r = run("| addtotals", ROWS)
    assert column(r, "Total") == [3, 9.5]   # 1+2 (note "x" is text); 2.5+7 (_time left out)


def test_field_list_with_commas_and_wildcards_and_fieldname():
    # ESCU writes "addtotals fieldname=Score is_autodiscover, powershell, mapi"
    r = run("| addtotals fieldname=Score count1, count2", ROWS)
    assert column(r, "Score") == [3, 2.5]
    assert column(run("| addtotals fieldname=Score, count*", ROWS), "Score") == [3, 2.5]


def test_col_true_adds_a_summary_result_with_label():
    r = run("| addtotals row=f col=t labelfield=host label=ALL count1 count2", ROWS)
    assert len(r) == 3
    assert column(r, "count1")[-1] == 3.5 and column(r, "count2")[-1] == 2
    assert column(r, "host") == ["a", "b", "ALL"]
    assert "Total" not in r.columns


def test_col_true_with_row_totals_sums_the_totals_too():
    r = run("| addtotals col=true count1 count2", ROWS)
    assert column(r, "Total") == [3, 2.5, 5.5]


def test_no_numeric_value_no_total():
    r = run("| addtotals", [{"a": "x"}, {"a": "1"}])
    assert column(r, "Total") == [None, 1]


def test_bad_option():
    with pytest.raises(SplError, match="row=maybe"):
        run("| addtotals row=maybe", ROWS)
