"""stats: statistical functions, names, grouping and output shape.

Expected values come from Splunk's documentation (URLs at each test) or are worked out by hand.
Short keys:
STATS = https://help.splunk.com/splunk-enterprise/search/spl-search-reference/9.3/search-commands/stats
AGG = https://help.splunk.com/splunk-enterprise/spl-search-reference/9.4/statistical-and-charting-functions/aggregate-functions
MVF = https://help.splunk.com/splunk-enterprise/spl-search-reference/9.4/statistical-and-charting-functions/multivalue-stats-and-chart-functions
EVO = https://help.splunk.com/splunk-enterprise/spl-search-reference/9.4/statistical-and-charting-functions/event-order-functions
TIMEF = https://help.splunk.com/splunk-enterprise/spl-search-reference/9.4/statistical-and-charting-functions/time-functions
"""
import math
import random

import pandas as pd
import pytest

from spl import aggregates
from spl.commands import stats as stats_cmd
from spl.context import Context
from spl.errors import SearchError, Span, UnsupportedError
from spl.syntax import ast

SPAN = Span(0, 5)


def table(**columns) -> pd.DataFrame:
    return pd.DataFrame({k: pd.Series(v, dtype=object) for k, v in columns.items()})


def agg(func, field=None, alias=None, text=None, expr=None, span=SPAN):
    if text is None:
        text = f"{func}({field})" if field is not None else func
    return ast.Aggregation(func=func, field=field, alias=alias, text=text, span=span, expr=expr)


def run(t, *aggs, by=(), **options):
    node = ast.Stats(name="stats", span=Span(0, 50), aggregations=aggs, by=tuple(by),
                     options=tuple((k, str(v)) for k, v in options.items()))
    return stats_cmd.run_stats(node, t, Context())


def one(t, a):
    """The single value of a one-term stats without BY."""
    out = run(t, a)
    assert len(out) == 1
    return out.iloc[0, 0]


def cells(out, column):
    return out[column].tolist()


# ---------------------------------------------------------------- shape


def test_no_by_gives_one_row():
    # STATS: "If the stats command is used without a BY clause, only one row is returned"
    out = run(table(x=["1", "2", "3"]), agg("count"), agg("sum", "x"))
    assert list(out.columns) == ["count", "sum(x)"]
    assert cells(out, "count") == [3]
    assert cells(out, "sum(x)") == [6]


def test_no_by_over_no_events_counts_zero_and_nulls_the_rest():
    out = run(table(x=[]), agg("count"), agg("dc", "x"), agg("avg", "x"), agg("values", "x"))
    assert len(out) == 1
    assert out.iloc[0].tolist() == [0, 0, None, None]


def test_by_over_no_events_gives_no_rows_but_the_columns():
    out = run(table(host=[], x=[]), agg("count"), by=["host"])
    assert len(out) == 0
    assert list(out.columns) == ["host", "count"]


def test_by_fields_first_then_terms_in_written_order():
    t = table(a=["1"], b=["2"], x=["5"])
    out = run(t, agg("max", "x"), agg("count"), agg("min", "x", alias="lo"), by=["b", "a"])
    assert list(out.columns) == ["b", "a", "max(x)", "count", "lo"]


def test_default_names_are_the_call_as_written_and_as_renames():
    # AGG examples: columns named avg(bytes), dc(clientip), ...; AS places the result in a new field
    t = table(bytes=["10", "20"])
    out = run(t, agg("avg", "bytes"), agg("perc95", "bytes"), agg("count", alias="n"),
              agg("c", "bytes", text="c(bytes)"))
    assert list(out.columns) == ["avg(bytes)", "perc95(bytes)", "n", "c(bytes)"]


def test_duplicate_output_name_keeps_the_later_term_in_the_first_place():
    t = table(x=["1", "5"])
    out = run(t, agg("min", "x", alias="v"), agg("count"), agg("max", "x", alias="v"))
    assert list(out.columns) == ["v", "count"]
    assert cells(out, "v") == [5]


def test_count_is_an_int_and_avg_a_float():
    out = run(table(x=["1", "2"]), agg("count"), agg("avg", "x"))
    assert type(out.iloc[0, 0]) is int
    assert out.iloc[0, 1] == 1.5 and isinstance(out.iloc[0, 1], float)


# ---------------------------------------------------------------- grouping


def test_groups_sorted_numbers_numerically_before_strings():
    # Hand-worked: numbers ascend numerically (9 < 10), then strings in code-point order ("A" < "b")
    t = table(k=["b", "10", "A", "9", "10"])
    out = run(t, agg("count"), by=["k"])
    assert cells(out, "k") == ["9", "10", "A", "b"]
    assert cells(out, "count") == [1, 2, 1, 1]


def test_groups_are_case_sensitive():
    out = run(table(k=["a", "A", "a"]), agg("count"), by=["k"])
    assert cells(out, "k") == ["A", "a"]
    assert cells(out, "count") == [1, 2]


def test_event_lacking_a_by_field_is_left_out():
    t = table(a=["x", None, "x", "y"], b=["1", "1", None, "2"])
    out = run(t, agg("count"), by=["a", "b"])
    assert out.values.tolist() == [["x", "1", 1], ["y", "2", 1]]


def test_missing_by_column_gives_no_rows():
    out = run(table(x=["1"]), agg("count"), by=["nosuch"])
    assert len(out) == 0
    assert list(out.columns) == ["nosuch", "count"]


def test_multiple_by_fields_sort_by_first_then_second():
    t = table(a=["y", "x", "x", "y"], b=["2", "3", "1", "1"])
    out = run(t, agg("count"), by=["a", "b"])
    assert out[["a", "b"]].values.tolist() == [["x", "1"], ["x", "3"], ["y", "1"], ["y", "2"]]


def test_multivalue_by_field_puts_the_event_in_each_group():
    t = table(k=[["a", "b"], "a"], x=["1", "2"])
    out = run(t, agg("count"), agg("sum", "x"), by=["k"])
    assert out.values.tolist() == [["a", 2, 3], ["b", 1, 1]]


def test_dedup_splitvals_default_false_keeps_repeated_values():
    # STATS: dedup_splitvals "Specifies whether to remove duplicate values in multivalued BY
    # clause fields." Default: false
    t = table(k=[["a", "a"]])
    assert cells(run(t, agg("count"), by=["k"]), "count") == [2]
    assert cells(run(t, agg("count"), by=["k"], dedup_splitvals="true"), "count") == [1]


def test_number_by_values_group_by_their_text_and_come_out_as_they_were():
    # 5 and 5.0 print alike ("5"), so they are one group, shown as first seen
    t = table(n=[5, 2.0, 5.0, "10"])
    out = run(t, agg("count"), by=["n"])
    assert cells(out, "n") == [2.0, 5, "10"]
    assert cells(out, "count") == [1, 2, 1]


def test_time_by_values_stay_numbers():
    t = table(_time=[3600.0, 0.0, 3600.0])
    out = run(t, agg("count"), by=["_time"])
    assert cells(out, "_time") == [0.0, 3600.0]
    assert cells(out, "count") == [1, 2]


def test_columns_of_other_dtypes_read_nulls_as_nulls():
    # pandas' own string dtype shows a missing value as <NA>: still no group, no value
    t = pd.DataFrame({"k": pd.Series(["a", None, "a"], dtype="string"),
                      "x": pd.Series([1.0, 2.0, float("nan")])})
    out = run(t, agg("count"), agg("sum", "x"), agg("values", "k", alias="ks"), by=["k"])
    assert out.values.tolist() == [["a", 2, 1.0, "a"]]


def test_many_groups_and_rows_match_a_plain_python_count():
    rng = random.Random(7)
    a = [rng.choice(["p", "q", "r", None]) for _ in range(2000)]
    b = [rng.choice(["1", "2", "10"]) for _ in range(2000)]
    out = run(table(a=a, b=b), agg("count"), by=["a", "b"])
    expected = {}
    for x, y in zip(a, b):
        if x is not None:
            expected[(x, y)] = expected.get((x, y), 0) + 1
    keys = sorted(expected, key=lambda k: (k[0], int(k[1])))
    assert out.values.tolist() == [[x, y, expected[(x, y)]] for x, y in keys]


# ---------------------------------------------------------------- count, dc, values, list


def test_count_x_counts_values_nulls_not_and_multivalue_each():
    # AGG: count(X) "returns the number of occurrences of the field X"; a multivalue cell holds
    # one occurrence per value (hand-worked: 2 + 1 = 3, the null row not counted)
    t = table(x=[["a", "b"], None, "c"])
    assert one(t, agg("count", "x")) == 3
    assert one(t, agg("count")) == 3  # bare count counts events


def test_dc_compares_values_as_strings():
    # AGG / CommonStatsFunctions: dc processes values as strings; "1", "1.0", "01" are distinct
    t = table(x=["1", "1.0", "01", "1", None])
    assert one(t, agg("dc", "x")) == 3
    assert one(t, agg("distinct_count", "x")) == 3
    assert one(t, agg("estdc", "x")) == 3


def test_dc_treats_a_number_and_its_string_alike():
    assert one(table(x=[1, "1", 2]), agg("dc", "x")) == 2


def test_values_are_distinct_and_lexicographic():
    # MVF: values(rowNumber) over 1..1000 lists 1, 10, 100, 1000, 101, ... (lexicographic)
    t = table(n=[str(i) for i in range(1, 13)] + ["3"])
    assert one(t, agg("values", "n")) == ["1", "10", "11", "12", "2", "3", "4", "5", "6", "7",
                                          "8", "9"]


def test_values_order_is_case_sensitive_code_point_order():
    assert one(table(x=["b", "B", "a", "A"]), agg("values", "x")) == ["A", "B", "a", "b"]


def test_values_of_one_value_is_that_value():
    assert one(table(x=["z", "z", None]), agg("values", "x")) == "z"


def test_values_of_multivalue_cells_merge():
    assert one(table(x=[["b", "a"], "c", ["a"]]), agg("values", "x")) == ["a", "b", "c"]


def test_list_keeps_event_order_and_repeats():
    # MVF: "The order of the values reflects the order of the events."
    assert one(table(x=["b", "a", "b", None]), agg("list", "x")) == ["b", "a", "b"]


def test_list_keeps_only_the_first_100():
    # MVF: "If more than 100 values are in a field, only the first 100 are returned."
    t = table(x=[str(i) for i in range(150)])
    assert one(t, agg("list", "x")) == [str(i) for i in range(100)]


# ---------------------------------------------------------------- min, max, numeric functions


def test_min_max_numeric_when_all_numbers():
    t = table(x=["9", "10", "100", "-2.5"])
    assert one(t, agg("min", "x")) == -2.5
    assert one(t, agg("max", "x")) == 100


def test_min_max_mixed_numbers_sort_before_strings():
    # AGG (max/min): values sorted 1, 2, 4, 9, 100, a, b, c -> min is 1, max is "c"
    values = ["100", "b", "2", "c", "9", "a", "4", "1"]
    t = table(x=values)
    assert one(t, agg("min", "x")) == 1
    assert one(t, agg("max", "x")) == "c"


def test_min_max_strings_lexicographic():
    t = table(x=["pear", "Apple", "banana"])
    assert one(t, agg("min", "x")) == "Apple"
    assert one(t, agg("max", "x")) == "pear"


def test_min_max_of_float_times():
    t = table(_time=[1700000300.5, 1700000100.0, 1700000200.0])
    assert one(t, agg("min", "_time")) == 1700000100.0
    assert one(t, agg("max", "_time")) == 1700000300.5


def test_sum_and_avg_ignore_non_numbers():
    # AGG / CommonStatsFunctions: avg, sum... ignore values that are not numbers
    t = table(x=["1", "abc", "2", None, "3.5"])
    assert one(t, agg("sum", "x")) == 6.5
    assert one(t, agg("avg", "x")) == pytest.approx(6.5 / 3)
    assert one(t, agg("mean", "x")) == pytest.approx(6.5 / 3)


def test_avg_adds_in_order_with_float_rounding():
    # AGG extended example: "makeresults count=100 | eval test=3.99 | stats avg(test)" gives
    # 3.9900000000000055 (https://docs.splunk.com/Documentation/Splunk/latest/SearchReference/Aggregatefunctions)
    assert one(table(test=[3.99] * 100), agg("avg", "test")) == 3.9900000000000055


def test_numeric_functions_over_no_numbers_are_null():
    t = table(x=["a", "b"])
    for f in ("sum", "avg", "range", "stdev", "median", "perc50"):
        assert one(t, agg(f, "x")) is None, f


def test_sum_of_integers_stays_an_integer():
    assert one(table(x=["2", "3"]), agg("sum", "x")) == 5
    assert type(one(table(x=["2", "3"]), agg("sum", "x"))) is int


def test_variance_and_deviation_sample_and_population():
    # Hand-worked: 2,4,4,4,5,5,7,9 has mean 5, squared deviations summing to 32:
    # varp = 32/8 = 4, stdevp = 2; var = 32/7, stdev = sqrt(32/7)
    t = table(x=["2", "4", "4", "4", "5", "5", "7", "9"])
    assert one(t, agg("varp", "x")) == 4
    assert one(t, agg("stdevp", "x")) == 2
    assert one(t, agg("var", "x")) == pytest.approx(32 / 7)
    assert one(t, agg("stdev", "x")) == pytest.approx(math.sqrt(32 / 7))


def test_variance_of_one_value_is_zero_sample_and_population():
    t = table(x=["3"])
    assert one(t, agg("var", "x")) == 0  # issue 14: Splunk shows 0 (test_stats_functions.py)
    assert one(t, agg("varp", "x")) == 0


def test_range_is_max_minus_min_numbers_only():
    assert one(table(x=["5", "zz", "-1", "3"]), agg("range", "x")) == 6


def test_sumsq():
    assert one(table(x=["1", "2", "3"]), agg("sumsq", "x")) == 14


def test_median_odd_is_the_middle():
    assert one(table(x=["5", "1", "3", "2", "4"]), agg("median", "x")) == 3


def test_median_even_takes_the_higher_middle_value():
    # AGG median: "If you have an even number of events, by default the median calculation is
    # approximated to the higher of the two values."
    t = table(x=[str(i) for i in range(10, 0, -1)])
    assert one(t, agg("median", "x")) == 6


def test_percentiles_follow_the_docs_worked_example():
    # AGG perc: for the list {10,9,8,7,6,5,4,3,2,1}, perc50 = 5.5 and perc95 = 9.55
    t = table(y=[str(i) for i in range(10, 0, -1)])
    for name in ("perc", "p", "upperperc"):
        assert one(t, agg(f"{name}50", "y")) == pytest.approx(5.5), name
        assert one(t, agg(f"{name}95", "y")) == pytest.approx(9.55), name


PERC90 = ["1.379", "1.276", "1.351", "2.062", "1.465", "3.107", "1.621", "1.901", "1.562",
          "27.203"]


def test_perc90_interpolates_as_splunk_answered():
    # https://community.splunk.com/t5/Getting-Data-In/How-to-get-the-percentile-90-of-the-response-time-in-Splunk/m-p/623886
    # p90 of these ten values "is coming as 5.51": rank 0.9 * 9 = 8.1 between 3.107 and 27.203
    assert one(table(r=PERC90), agg("p90", "r")) == pytest.approx(3.107 + 0.1 * (27.203 - 3.107))


def test_exactperc_takes_the_value_at_rank_p_times_n():
    # Same thread: "exactperc90(x) ... will return you 27.203" (index floor(0.9 * 10) = 9)
    assert one(table(r=PERC90), agg("exactperc90", "r")) == 27.203
    t = table(y=[str(i) for i in range(10, 0, -1)])
    assert one(t, agg("exactperc50", "y")) == 6  # as median: the higher middle value


def test_percentile_with_a_fraction_and_the_ends():
    t = table(y=["1", "2", "3", "4", "5"])
    assert one(t, agg("p99.5", "y")) == pytest.approx(4.98)  # rank 0.995*4 = 3.98
    assert one(t, agg("perc0", "y")) == 1
    assert one(t, agg("perc100", "y")) == 5


def test_mode_most_frequent_ties_first_seen():
    assert one(table(x=["a", "b", "b", "a", "c", "b"]), agg("mode", "x")) == "b"
    assert one(table(x=["q", "p", "p", "q"]), agg("mode", "x")) == "q"


def test_mode_as_strings():
    assert one(table(x=["1", "1.0", "1.0"]), agg("mode", "x")) == "1.0"


def test_allnum_nulls_numeric_results_over_non_numbers():
    # STATS allnum: "If true, computes numerical statistics on each field if and only if all of
    # the values of that field are numerical."
    t = table(k=["a", "a", "b"], x=["1", "x", "2"])
    out = run(t, agg("sum", "x"), agg("count", "x"), by=["k"], allnum="true")
    assert out.values.tolist() == [["a", None, 2], ["b", 2, 1]]


# ---------------------------------------------------------------- order and time functions


def test_first_and_last_follow_input_order():
    # EVO: first = the first seen value (the most recent in default order); last = last seen
    t = table(x=[None, "new", "mid", "old"], _time=[4.0, 3.0, 2.0, 1.0])
    assert one(t, agg("first", "x")) == "new"
    assert one(t, agg("last", "x")) == "old"


def test_first_keeps_a_multivalue_cell():
    assert one(table(x=[["a", "b"], "c"]), agg("first", "x")) == ["a", "b"]


def test_earliest_latest_go_by_time_not_order():
    # TIMEF: earliest/latest return the chronologically earliest/latest value of the field
    t = table(x=["b", "a", "c", None], _time=[20.0, 10.0, 30.0, 40.0])
    assert one(t, agg("earliest", "x")) == "a"
    assert one(t, agg("latest", "x")) == "c"
    assert one(t, agg("earliest_time", "x")) == 10.0
    assert one(t, agg("latest_time", "x")) == 30.0


# ---------------------------------------------------------------- eval terms and errors


def test_unknown_function_is_unsupported_at_its_span():
    span = Span(7, 15)
    with pytest.raises(UnsupportedError) as err:
        run(table(x=["1"]), agg("bogus", "x", span=span))
    assert err.value.span == span


def test_eval_term_without_as_must_be_named():
    expr = ast.BinOp("=", ast.Field("s", SPAN), ast.Literal("404", SPAN), SPAN)
    span = Span(6, 30)
    with pytest.raises(SearchError) as err:
        run(table(s=["404"]), agg("count", text='count(eval(s="404"))', expr=expr, span=span))
    assert err.value.span == span


def test_count_eval_counts_rows_where_the_test_holds():
    # STATS example: count(eval(status="404")) AS count_status counts the matching events
    expr = ast.BinOp("=", ast.Field("status", SPAN), ast.Literal("404", SPAN), SPAN)
    t = table(status=["404", "200", "404", None], h=["a", "a", "b", "b"])
    out = run(t, agg("count", alias="n404", text='count(eval(status="404"))', expr=expr),
              by=["h"])
    assert out.values.tolist() == [["a", 1], ["b", 1]]


def test_eval_terms_drop_false_and_null(monkeypatch):
    # The counting rule alone, with eval's answer given: false and null are not counted.
    answer = pd.Series([True, False, None, True], dtype=object)
    monkeypatch.setattr(stats_cmd, "evaluate", lambda expr, t, ctx: answer)
    out = run(table(x=["1", "2", "3", "4"]),
              agg("count", alias="n", expr=ast.Field("x", SPAN), text="c"))
    assert cells(out, "n") == [2]


def test_avg_of_an_eval_expression():
    # ESCU: avg(eval(if(direction="transmit", io, null()))) AS outbound_network_io
    cond = ast.BinOp("=", ast.Field("d", SPAN), ast.Literal("tx", SPAN), SPAN)
    expr = ast.Call("if", (cond, ast.Field("io", SPAN), ast.Call("null", (), SPAN)), SPAN)
    t = table(d=["tx", "rx", "tx"], io=["10", "99", "20"])
    assert one(t, agg("avg", alias="out", text="avg(eval(...))", expr=expr)) == 15


def test_values_star_as_star_gives_one_column_per_field():
    # ESCU: "stats values(*) as * by src_ip"; hand-worked over two groups. The BY field, the
    # internal fields and fields with no value are left out; names follow the AS pattern.
    t = table(src_ip=["1", "2", "1"], b=["x", "y", "z"], a=["p", None, "p"], e=[None] * 3,
              _raw=["r1", "r2", "r3"])
    out = run(t, agg("values", "*", alias="*"), by=["src_ip"])
    assert list(out.columns) == ["src_ip", "a", "b"]
    assert out.values.tolist() == [["1", "p", ["x", "z"]], ["2", None, "y"]]


def test_wildcard_prefix_pattern_and_default_names():
    t = table(ab=["1"], ac=["2"], b=["3"])
    out = run(t, agg("max", "a*"))
    assert list(out.columns) == ["max(ab)", "max(ac)"]
    out = run(t, agg("max", "a*", alias="top_*"))
    assert list(out.columns) == ["top_b", "top_c"]


def test_wildcard_field_with_a_plain_as_name_is_an_error():
    with pytest.raises(SearchError):
        run(table(ab=["1"]), agg("values", "a*", alias="x"))


def test_wildcard_in_by_is_an_error():
    # STATS by-clause: "You cannot use a wildcard character to specify multiple fields with
    # similar names."
    with pytest.raises(SearchError):
        run(table(ab=["1"]), agg("count"), by=["a*"])


def test_unknown_option_is_an_error_at_the_command():
    # STATS syntax lists partitions, allnum, delim and dedup_splitvals; anything else is a
    # mistake in the search (not a Splunk feature spl lacks), named with the command's span.
    with pytest.raises(SearchError, match="frobnicate") as err:
        run(table(x=["1"]), agg("count"), frobnicate="1")
    assert err.value.span == Span(0, 50)


@pytest.mark.parametrize("value", ["ture", "2", "on ", ""])
def test_a_boolean_option_that_is_not_a_boolean_is_an_error(value):
    # STATS: dedup_splitvals=<boolean>; a typo must not silently read as false.
    with pytest.raises(SearchError, match="dedup_splitvals") as err:
        run(table(x=["1"]), agg("count"), dedup_splitvals=value)
    assert err.value.span == Span(0, 50)


@pytest.mark.parametrize("value, expected", [("t", [1]), ("YES", [1]), ("0", [2]), ("n", [2])])
def test_boolean_option_spellings(value, expected):
    # dedup_splitvals=true counts a repeated value of a multivalue BY field once per event.
    # Hand-worked: one event with k = [a, a]: true -> count 1 for a, false -> count 2.
    out = run(table(k=[["a", "a"]]), agg("count"), by=["k"], dedup_splitvals=value)
    assert out["count"].tolist() == expected


def test_bad_boolean_option_is_a_search_error():
    with pytest.raises(SearchError):
        run(table(x=["1"]), agg("count"), by=["x"], dedup_splitvals="maybe")


# ---------------------------------------------------------------- registry


def test_lookup_and_names():
    assert aggregates.lookup("count").name == "count"
    assert aggregates.lookup("c").name == "count"
    assert aggregates.lookup("perc99.9") is not None
    assert aggregates.lookup("upperperc5") is not None
    assert aggregates.lookup("perc101") is None
    assert aggregates.lookup("nosuch") is None
    assert "values" in aggregates.names() and "perc<N>" in aggregates.names()


# ---------------------------------------------------------------- the seed detection's shape


def test_seed_detection_shape():
    # stats count min(_time) as firstTime max(_time) as lastTime values(errorCode) as errorCodes
    #   by src user — worked by hand over five events
    t = table(
        src=["1.1.1.1", "1.1.1.1", "2.2.2.2", "1.1.1.1", None],
        user=["bob", "bob", "amy", "amy", "bob"],
        errorCode=["AccessDenied", "Throttling", "AccessDenied", None, "AccessDenied"],
        _time=[50.0, 40.0, 30.0, 20.0, 10.0],
    )
    out = run(t, agg("count"), agg("min", "_time", alias="firstTime"),
              agg("max", "_time", alias="lastTime"),
              agg("values", "errorCode", alias="errorCodes"), by=["src", "user"])
    assert list(out.columns) == ["src", "user", "count", "firstTime", "lastTime", "errorCodes"]
    assert out.values.tolist() == [
        ["1.1.1.1", "amy", 1, 20.0, 20.0, None],
        ["1.1.1.1", "bob", 2, 40.0, 50.0, ["AccessDenied", "Throttling"]],
        ["2.2.2.2", "amy", 1, 30.0, 30.0, "AccessDenied"],
    ]
