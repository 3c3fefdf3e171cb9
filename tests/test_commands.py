"""Semantics of the engine's simple commands, with expected values from Splunk's Search Reference.

Each expected value was worked out by hand from the cited page, not taken from the code's output.
"""
import pytest

from spl.errors import SearchError
from spltest import column, run, table

# ------------------------------------------------------------------------------------------ rename
# https://help.splunk.com/en/splunk-enterprise/search/spl-search-reference/10.0/search-commands/rename


def test_rename_moves_values_to_the_new_name():
    out = run("| rename a as b", [{"a": "1"}, {"a": "2"}])
    assert list(out.columns) == ["b"]
    assert column(out, "b") == ["1", "2"]


def test_rename_missing_source_removes_existing_target():
    # "If the field you are renaming does not exist ... and the new field name exists, the data
    # in the existing field is removed."
    out = run("| rename nothere as b", [{"b": "keep?"}, {"b": "x", "c": "1"}])
    assert "b" not in out.columns
    assert column(out, "c") == [None, "1"]


def test_rename_onto_existing_field_replaces_it():
    out = run("| rename a as b", [{"a": "new", "b": "old"}, {"b": "old2"}])
    # the second row has no a: after the rename it has no b either (rename carries nulls over)
    assert column(out, "b") == ["new", None]


def test_rename_wildcards_keep_the_matched_part():
    # drop_dm_object_name does exactly this: All_Changes.user -> user
    out = run("| rename All_Changes.* as *", [{"All_Changes.user": "bob", "All_Changes.src": "1.2.3.4",
                                               "other": "x"}])
    assert sorted(out.columns) == ["other", "src", "user"]
    assert column(out, "user") == ["bob"]


def test_rename_wildcard_counts_must_agree():
    with pytest.raises(SearchError):
        run("| rename a* as b", [{"ab": "1"}])


# ----------------------------------------------------------------------------------------- convert
# https://help.splunk.com/en/splunk-enterprise/search/spl-search-reference/10.0/search-commands/convert

EPOCH = 1773064800.0  # 2026-03-09T14:00:00Z, computed with datetime by hand


def test_convert_ctime_default_timeformat_is_month_day_year():
    out = run("| convert ctime(t)", [{"t": EPOCH}])
    assert column(out, "t") == ["03/09/2026 14:00:00"]


def test_convert_ctime_with_timeformat_and_as_keeps_original():
    out = run('| convert timeformat="%Y-%m-%dT%H:%M:%S" ctime(t) AS when', [{"t": "1773066137"}])
    assert column(out, "when") == ["2026-03-09T14:22:17"]
    assert column(out, "t") == ["1773066137"]


def test_convert_as_leaves_an_event_without_the_field_as_it_is():
    # convert is a streaming command: an event without t keeps its own "when", as it would
    # if no event had t at all (found by the schema-on-read differential test)
    out = run("| convert ctime(t) AS when", [{"t": EPOCH}, {"when": "kept"}, {}])
    assert column(out, "when") == ["03/09/2026 14:00:00", "kept", None]


def test_convert_ctime_renders_in_the_session_time_zone():
    # 14:00 UTC is 15:00 in Berlin on 9 March 2026 (CET, UTC+1; summer time starts 29 March)
    out = run("| convert ctime(t)", [{"t": EPOCH}], tz="Europe/Berlin")
    assert column(out, "t") == ["03/09/2026 15:00:00"]


def test_convert_mktime_parses_with_timeformat():
    out = run('| convert timeformat="%Y-%m-%dT%H:%M:%S" mktime(t)', [{"t": "2026-03-09T14:00:00"}])
    assert column(out, "t") == [EPOCH]


def test_convert_dur2sec_memk_rmcomma_rmunit_mstime():
    out = run("| convert dur2sec(d) memk(m) rmcomma(c) rmunit(u) mstime(ms)",
              [{"d": "1+02:03:04", "m": "10m", "c": "1,234,567", "u": "212 sec", "ms": "01:23.456"}])
    assert column(out, "d") == [86400 + 2 * 3600 + 3 * 60 + 4]
    assert column(out, "m") == [10 * 1024]  # memk: megabytes to kilobytes
    assert column(out, "c") == ["1234567"]
    assert column(out, "u") == [212]
    assert column(out, "ms") == [pytest.approx(83.456)]


def test_convert_auto_leaves_unconvertible_values_and_num_removes_them():
    out = run("| convert auto(a) num(b)", [{"a": "abc", "b": "abc"}, {"a": "12", "b": "7"}])
    assert column(out, "a") == ["abc", 12]
    assert column(out, "b") == [None, 7]


def test_convert_wildcards_with_none_exclusion():
    out = run("| convert auto(*) none(keep)", [{"x": "5", "keep": "6"}])
    assert column(out, "x") == [5]
    assert column(out, "keep") == ["6"]


# --------------------------------------------------------------------------------- table / fields


def test_table_keeps_named_fields_in_order_including_absent_ones():
    out = run("| table b a nothere", [{"a": "1", "b": "2", "c": "3"}])
    assert list(out.columns) == ["b", "a", "nothere"]


def test_table_wildcards_expand_in_table_order():
    out = run("| table user*", [{"user": "u", "x": "1", "user_name": "n"}])
    assert list(out.columns) == ["user", "user_name"]


def test_fields_keeps_internal_time_and_raw():
    # https://help.splunk.com/splunk-cloud-platform/spl-search-reference/10.1.2507/search-commands/fields
    # "The internal fields _raw and _time are included in the output ... unless removed explicitly"
    out = run("| fields a", [{"_time": 1.0, "_raw": "{}", "a": "1", "b": "2"}])
    assert sorted(out.columns) == ["_raw", "_time", "a"]
    out = run("| fields - b _raw", [{"_time": 1.0, "_raw": "{}", "a": "1", "b": "2"}])
    assert sorted(out.columns) == ["_time", "a"]


# ------------------------------------------------------------------------------------------- sort
# https://help.splunk.com/en/splunk-enterprise/search/spl-search-reference/10.0/search-commands/sort


def test_sort_numbers_numerically_then_strings_in_byte_order():
    rows = [{"v": x} for x in ["abc", "10", "9", "Abc", "100"]]
    assert column(run("| sort v", rows), "v") == ["9", "10", "100", "Abc", "abc"]


def test_sort_auto_decides_per_pair_and_uses_leading_numbers():
    # "alphanumeric strings that start with a number sort by that number"; otherwise byte order
    # ('#' is 0x23, before the digits)
    rows = [{"v": x} for x in ["10", "#a", "9", "10a", "9b"]]
    assert column(run("| sort v", rows), "v") == ["#a", "9", "9b", "10", "10a"]


def test_sort_ip_addresses_as_addresses():
    rows = [{"v": x} for x in ["10.0.0.10", "10.0.0.9", "9.1.1.1"]]
    assert column(run("| sort v", rows), "v") == ["9.1.1.1", "10.0.0.9", "10.0.0.10"]


def test_sort_descending_and_missing_values_last_both_ways():
    rows = [{"v": "2"}, {"w": "x"}, {"v": "10"}]
    assert column(run("| sort v", rows), "v") == ["2", "10", None]
    assert column(run("| sort -v", rows), "v") == ["10", "2", None]


def test_sort_by_two_keys_is_stable():
    rows = [{"a": "1", "b": "x", "i": 0}, {"a": "0", "b": "y", "i": 1}, {"a": "1", "b": "a", "i": 2}]
    assert column(run("| sort a, -b", rows), "i") == [1, 0, 2]


def test_sort_default_limit_is_10000_and_sort_0_is_all():
    rows = table([{"v": str(i)} for i in range(10005)])
    assert len(run("| sort v", rows)) == 10000
    assert len(run("| sort 0 v", rows)) == 10005
    assert len(run("| sort 3 -v", rows)) == 3


def test_sort_str_forces_lexicographic():
    rows = [{"v": x} for x in ["9", "10"]]
    assert column(run("| sort str(v)", rows), "v") == ["10", "9"]


def test_sort_each_key_keeps_its_own_comparison():
    # Each key is sorted with its own function (str(v) byte order, ip(w) as addresses): the pairwise
    # key of one key must not see the comparison or values of another.
    rows = [{"v": "10", "w": "10.0.0.9", "i": 0}, {"v": "9", "w": "1.1.1.1", "i": 1},
            {"v": "10", "w": "10.0.0.10", "i": 2}]
    assert column(run("| sort str(v), ip(w)", rows), "i") == [0, 2, 1]


# ------------------------------------------------------------------------------------- head / tail


def test_head_default_is_ten_results():
    # https://help.splunk.com/splunk-enterprise/spl-search-reference/9.3/search-commands/head
    rows = [{"i": i} for i in range(15)]
    assert column(run("| head", rows), "i") == list(range(10))
    assert column(run("| head 3", rows), "i") == [0, 1, 2]


def test_head_with_expression_stops_at_first_false():
    rows = [{"v": "1"}, {"v": "2"}, {"v": "9"}, {"v": "1"}]
    assert column(run("| head (v<5)", rows), "v") == ["1", "2"]
    assert column(run("| head (v<5) keeplast=true", rows), "v") == ["1", "2", "9"]


def test_tail_returns_last_results_in_reverse_order():
    # https://help.splunk.com/splunk-enterprise/spl-search-reference/9.2/search-commands/tail
    # "The events are returned in reverse order, starting at the end of the result set."
    rows = [{"i": i} for i in range(12)]
    assert column(run("| tail 3", rows), "i") == [11, 10, 9]
    assert column(run("| tail", rows), "i") == list(range(11, 1, -1))


# ------------------------------------------------------------------------------------------- dedup
# https://help.splunk.com/en/splunk-enterprise/search/spl-search-reference/10.0/search-commands/dedup


def test_dedup_keeps_first_in_search_order_and_drops_events_lacking_the_field():
    rows = [{"u": "a", "i": 0}, {"i": 1}, {"u": "b", "i": 2}, {"u": "a", "i": 3}]
    assert column(run("| dedup u", rows), "i") == [0, 2]
    assert column(run("| dedup u keepempty=true", rows), "i") == [0, 1, 2]


def test_dedup_count_and_consecutive():
    rows = [{"u": x, "i": i} for i, x in enumerate("aabaa")]
    assert column(run("| dedup 2 u", rows), "i") == [0, 1, 2]
    assert column(run("| dedup u consecutive=true", rows), "i") == [0, 2, 3]


def test_dedup_is_case_sensitive_and_multivalue_must_match_all():
    rows = [{"u": "A", "i": 0}, {"u": "a", "i": 1}, {"u": ["a", "b"], "i": 2}, {"u": ["a", "b"], "i": 3}]
    assert column(run("| dedup u", rows), "i") == [0, 1, 2]


def test_dedup_sortby_sorts_first_which_decides_the_event_kept():
    # "sortby ... determines which event is retained": the same as a sort before the dedup
    rows = [{"u": "b", "n": "1"}, {"u": "a", "n": "2"}, {"u": "b", "n": "3"}]
    out = run("| dedup u sortby -n", rows)
    assert column(out, "u") == ["b", "a"]
    assert column(out, "n") == ["3", "2"]


@pytest.mark.parametrize("search", ["| dedup 0 u", "| dedup u keepempty=maybe", "| head -1",
                                    "| head limit=abc", "| tail -3", "| sort limit=-1 u"])
def test_counts_and_flags_out_of_range_are_errors(search):
    with pytest.raises(SearchError):
        run(search, [{"u": "a"}, {"u": "b"}])


# ---------------------------------------------------------------------------------------- fillnull
# https://help.splunk.com/splunk-cloud-platform/spl-search-reference/10.0.2503/search-commands/fillnull


def test_fillnull_default_zero_over_every_field():
    out = run("| fillnull", [{"a": "1"}, {"b": "2"}])
    assert column(out, "a") == ["1", "0"]
    assert column(out, "b") == ["0", "2"]


def test_fillnull_value_and_listed_missing_field_is_created():
    out = run('| fillnull value="unknown" a c', [{"a": None, "b": None}])
    assert column(out, "a") == ["unknown"]
    assert column(out, "c") == ["unknown"]
    assert "b" not in out.columns  # not listed, still null: no column in the result


# ------------------------------------------------------------------------------------- eval/where


def test_eval_assignments_see_earlier_ones_and_null_removes_the_field():
    out = run('| eval a=1, b=a+1, c=null()', [{"x": "1"}])
    assert column(out, "b") == [2]
    assert "c" not in out.columns


def test_eval_refuses_to_store_a_boolean():
    # https://help.splunk.com/en/splunk-enterprise/search/spl-search-reference/10.0/evaluation-functions/comparison-and-conditional-functions
    with pytest.raises(SearchError):
        run("| eval ok=(1<2)", [{"x": "1"}])


def test_where_keeps_rows_where_expression_is_true_case_sensitively():
    # https://help.splunk.com/en/splunk-enterprise/search/spl-search-reference/10.0/search-commands/where
    rows = [{"host": "www2"}, {"host": "WWW2"}, {"other": "x"}]
    assert column(run('| where host="www2"', rows), "host") == ["www2"]


def test_unsupported_command_names_itself():
    from spl.errors import UnsupportedError

    with pytest.raises(UnsupportedError, match="frobnicate"):
        run("| frobnicate x=1", [{"a": "1"}])


def test_unknown_eval_function_is_refused_even_when_no_row_reaches_it():
    # Splunk checks functions when it parses the search, not per event
    from spl.errors import UnsupportedError

    with pytest.raises(UnsupportedError, match="nosuchfn"):
        run("| search nothing=here | where nosuchfn(x)=1", [{"a": "1"}])


def test_fields_of_events_the_search_did_not_find_do_not_exist_afterwards():
    # fillnull with no list fills the fields of the results; X belongs only to an event the
    # search dropped, so it is no field of the results and stats by X finds nothing.
    rows = [{"eventName": "A"}, {"eventName": "B", "X": "1"}]
    out = run("eventName=A | fillnull | stats count by X", rows)
    assert len(out) == 0
    out = run("eventName=* | fillnull | stats count by X", rows)
    assert column(out, "X") == ["0", "1"]
    # whatever the name: a record's own _x is no exception (only _time and _raw always exist)
    out = run("eventName=A | fillnull | table *", [{"eventName": "A"}, {"eventName": "B", "_x": "1"}])
    assert "_x" not in out.columns
