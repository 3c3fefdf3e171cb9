"""eventstats: every event gets the statistics of its group; order and other fields untouched.

EVENTSTATS = https://help.splunk.com/splunk-cloud-platform/spl-search-reference/9.2.2406/search-commands/eventstats
("Generates summary statistics from fields in your events and saves those statistics in a new
field"; only events that have the BY fields take part.) Expected values are worked out by hand.
"""
import pandas as pd
import pytest

from spl.commands import stats as stats_cmd
from spl.context import Context
from spl.errors import Span, UnsupportedError
from spl.syntax import ast

SPAN = Span(0, 5)


def table(**columns) -> pd.DataFrame:
    return pd.DataFrame({k: pd.Series(v, dtype=object) for k, v in columns.items()})


def agg(func, field=None, alias=None, span=SPAN):
    text = f"{func}({field})" if field is not None else func
    return ast.Aggregation(func=func, field=field, alias=alias, text=text, span=span)


def run(t, *aggs, by=(), **options):
    node = ast.EventStats(name="eventstats", span=Span(0, 40), aggregations=aggs, by=tuple(by),
                          options=tuple((k, str(v)) for k, v in options.items()))
    return stats_cmd.run_eventstats(node, t, Context())


def test_no_by_adds_the_total_to_every_event_in_order():
    t = table(x=["3", "1", "2"], y=["a", "b", "c"])
    out = run(t, agg("sum", "x"), agg("count"))
    assert list(out.columns) == ["x", "y", "sum(x)", "count"]
    assert out.values.tolist() == [["3", "a", 6, 3], ["1", "b", 6, 3], ["2", "c", 6, 3]]


def test_by_gives_each_event_its_groups_statistics():
    t = table(h=["x", "y", "x", "y", "x"], b=["100", "200", "400", "150", "50"])
    out = run(t, agg("avg", "b", alias="avg_b"), agg("max", "b"), by=["h"])
    assert out["avg_b"].tolist() == [550 / 3, 175.0, 550 / 3, 175.0, 550 / 3]
    assert out["max(b)"].tolist() == [400, 200, 400, 200, 400]
    assert out["h"].tolist() == ["x", "y", "x", "y", "x"]  # order kept


def test_event_lacking_the_by_field_gets_nothing_and_takes_no_part():
    t = table(h=["x", None, "x"], b=["1", "10", "2"])
    out = run(t, agg("sum", "b", alias="s"), by=["h"])
    assert out["s"].tolist() == [3, None, 3]


def test_event_outside_every_group_keeps_an_existing_value():
    t = table(h=["x", None], s=["old1", "old2"], b=["1", "2"])
    out = run(t, agg("sum", "b", alias="s"), by=["h"])
    assert out["s"].tolist() == [1, "old2"]


def test_values_result_is_multivalue_per_event():
    t = table(h=["x", "x", "y"], e=["b", "a", "c"])
    out = run(t, agg("values", "e"), by=["h"])
    assert out["values(e)"].tolist() == [["a", "b"], ["a", "b"], "c"]


def test_one_group_of_two_values_stays_one_multivalue_cell():
    out = run(table(e=["b", "a"]), agg("values", "e"))
    assert out["values(e)"].tolist() == [["a", "b"], ["a", "b"]]


def test_zero_events_give_zero_events():
    out = run(table(x=[]), agg("count"))
    assert len(out) == 0


def test_multivalue_by_event_counts_in_each_group_and_receives_its_first():
    # Hand-worked: groups a = {row0, row1}, b = {row0}; row0 (values a, b) shows group a's count
    t = table(k=[["a", "b"], "a"])
    out = run(t, agg("count"), by=["k"])
    assert out["count"].tolist() == [2, 2]


def test_unknown_function_is_unsupported():
    with pytest.raises(UnsupportedError):
        run(table(x=["1"]), agg("nosuch", "x"))
