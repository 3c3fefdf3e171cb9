"""fieldformat: the final results show the formatted values; the search itself, and what
outputlookup writes, use the values unchanged.

Splunk: https://help.splunk.com/en/splunk-enterprise/search/spl-search-reference/9.4/search-commands/fieldformat
(the page's example: ``fieldformat totalSales="$".tostring(totalSales,"commas")``; the format
is applied when results render, and export commands write the unformatted values).
"""
from __future__ import annotations

import csv

from spl.session import Session
from spltest import column, run

SALES = [{"product": "a", "totalSales": "12345"}, {"product": "b", "totalSales": "987654"},
         {"product": "c", "totalSales": "1000"}]


def test_the_pages_example_formats_the_final_results():
    out = run('| fieldformat totalSales="$".tostring(totalSales,"commas")', SALES)
    assert column(out, "totalSales") == ["$12,345", "$987,654", "$1,000"]


def test_later_commands_see_the_values_unchanged():
    # sorted by number (987654 > 12345 > 1000), not by the formatted text; where compares numbers
    out = run('| fieldformat totalSales="$".tostring(totalSales,"commas") '
              '| where totalSales > 5000 | sort - totalSales | eval copy=totalSales', SALES)
    assert column(out, "product") == ["b", "a"]
    assert column(out, "totalSales") == ["$987,654", "$12,345"]
    assert column(out, "copy") == ["987654", "12345"]


def test_a_field_gone_by_the_end_is_not_formatted_and_nothing_breaks():
    out = run('| fieldformat totalSales=tostring(totalSales,"commas") | stats count by product',
              SALES)
    assert column(out, "count") == [1, 1, 1]


def test_outputlookup_writes_the_unformatted_values(tmp_path):
    session = Session(lookup_output=tmp_path)
    shown = session.run('| makeresults | eval totalSales=12345 '
                        '| fieldformat totalSales=tostring(totalSales,"commas") '
                        '| outputlookup sales.csv')
    assert column(shown, "totalSales") == ["12,345"]
    with open(tmp_path / "sales.csv", newline="") as f:
        assert [r["totalSales"] for r in csv.DictReader(f)] == ["12345"]
