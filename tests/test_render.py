"""How results print: JSON arrays for multivalue fields, nulls left out, times in the chosen zone."""
import json

from rich.console import Console

from spl import render
from spltest import table


def test_json_has_arrays_for_multivalue_and_omits_nulls():
    out = json.loads(render.to_json(table([{"a": ["x", "y"], "n": 3}, {"n": 2.5, "a": None}])))
    assert out == [{"a": ["x", "y"], "n": "3"}, {"n": "2.5"}]


def test_integral_numbers_print_without_decimal_point():
    assert json.loads(render.to_json(table([{"n": 12.0}]))) == [{"n": "12"}]


def test_time_renders_as_iso_in_the_session_zone():
    # 1773064800 is 2026-03-09T14:00:00Z; New York is UTC-4 from 8 March 2026 (DST)
    rows = table([{"_time": 1773064800.25}])
    assert json.loads(render.to_json(rows)) == [{"_time": "2026-03-09T14:00:00.250+00:00"}]
    assert json.loads(render.to_json(rows, "America/New_York")) == [
        {"_time": "2026-03-09T10:00:00.250-04:00"}]


def test_csv_puts_multivalue_on_lines_of_one_cell():
    assert render.to_csv(table([{"a": ["x", "y"], "b": None}])) == 'a,b\n"x\ny",\n'


def test_wide_results_print_as_cards():
    console = Console(width=60, record=True)
    render.show(table([{f"field{i}": "value" * 5 for i in range(8)}]), "table", console)
    text = console.export_text()
    assert "result 1" in text and "field7" in text and "1 result" in text
    console = Console(width=60, record=True)
    render.show(table([{"a": "1", "b": "2"}]), "table", console)
    assert "result 1" not in console.export_text()


def test_values_are_not_read_as_markup():
    # CloudTrail user agents such as "[aws-sdk-go-v2/1.25.2]" look like rich markup tags
    console = Console(width=80, record=True)
    render.show(table([{"userAgent": "[aws-sdk-go-v2/1.25.2]"}]), "table", console)
    assert "[aws-sdk-go-v2/1.25.2]" in console.export_text()
