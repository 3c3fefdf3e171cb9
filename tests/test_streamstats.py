"""streamstats: running statistics in the order of the events.

STREAMSTATS = https://help.splunk.com/splunk-enterprise/spl-search-reference/9.4/search-commands/streamstats
USAGE = https://docs.splunk.com/Documentation/SCS/current/SearchReference/StreamstatsCommandUsage
(its host/bytes data is reused below; the running sums without a reset are worked out by hand).
"""
import pandas as pd
import pytest

from spl.commands import stats as stats_cmd
from spl.context import Context
from spl.errors import SearchError, Span, UnsupportedError
from spl.syntax import ast

SPAN = Span(0, 5)


def table(**columns) -> pd.DataFrame:
    return pd.DataFrame({k: pd.Series(v, dtype=object) for k, v in columns.items()})


def agg(func, field=None, alias=None):
    text = f"{func}({field})" if field is not None else func
    return ast.Aggregation(func=func, field=field, alias=alias, text=text, span=SPAN)


def run(t, *aggs, by=(), **options):
    node = ast.StreamStats(name="streamstats", span=Span(0, 40), aggregations=aggs,
                           by=tuple(by), options=tuple((k, str(v)) for k, v in options.items()))
    return stats_cmd.run_streamstats(node, t, Context())


HOSTS = dict(host=["x", "y", "x", "x", "y", "x"], bytes=["100", "200", "400", "50", "150", "100"],
             action=["LOGON", "APP_START", "FILE_DOWNLOAD", "REBOOT", "LOGON", "LOGON"])


def test_running_count_numbers_the_events():
    # STREAMSTATS: "| streamstats count" adds a running count, 1 for the first event
    out = run(table(x=["a", "b", "c"]), agg("count"))
    assert out["count"].tolist() == [1, 2, 3]


def test_running_sum_by_host():
    out = run(table(**HOSTS), agg("sum", "bytes", alias="total_bytes"), by=["host"])
    assert out["total_bytes"].tolist() == [100, 200, 500, 550, 350, 650]


def test_reset_on_change_restarts_all_groups_when_the_by_value_changes():
    # STREAMSTATS reset_on_change: "If set to true, all of the accumulated statistics are reset
    # when the group by fields change." Hand-worked over x y x x y x: every change resets.
    out = run(table(**HOSTS), agg("sum", "bytes", alias="t"), by=["host"],
              reset_on_change="true")
    assert out["t"].tolist() == [100, 200, 400, 450, 150, 100]


def test_current_false_leaves_the_event_out():
    # STREAMSTATS current: "If true, the search includes the given, or current, event in the
    # summary calculations." The first event has nothing before it: no last value, count 0.
    out = run(table(x=["a", "b", "c"]), agg("last", "x", alias="prev"), agg("count"),
              current="false")
    assert out["prev"].tolist() == [None, "a", "b"]
    assert out["count"].tolist() == [0, 1, 2]


def test_window_keeps_the_last_n_events():
    out = run(table(x=["1", "2", "3", "4"]), agg("sum", "x"), agg("values", "x"), window=2)
    assert out["sum(x)"].tolist() == [1, 3, 5, 7]
    assert out["values(x)"].tolist() == ["1", ["1", "2"], ["2", "3"], ["3", "4"]]


def test_global_window_counts_events_of_every_group():
    # STREAMSTATS global: with global=true (default) one window of N events serves all groups;
    # with global=false each group has its own window. Hand-worked over x y x x y x, window=2.
    t = table(**HOSTS)
    out = run(t, agg("sum", "bytes", alias="s"), by=["host"], window=2)
    assert out["s"].tolist() == [100, 200, 400, 450, 150, 100]
    out = run(t, agg("sum", "bytes", alias="s"), by=["host"], window=2, **{"global": "false"})
    assert out["s"].tolist() == [100, 200, 500, 450, 350, 150]


def test_default_window_is_max_stream_window():
    # STREAMSTATS: without window/time_window the 10,000-event max_stream_window applies
    n = stats_cmd.MAX_STREAM_WINDOW + 5
    out = run(table(x=["1"] * n), agg("count"), agg("dc", "x"))
    assert out["count"].tolist()[-1] == stats_cmd.MAX_STREAM_WINDOW
    assert out["count"].tolist()[:3] == [1, 2, 3]


def test_running_avg_min_max_and_dc():
    out = run(table(x=["4", "2", "9", "2"]), agg("avg", "x"), agg("min", "x"), agg("max", "x"),
              agg("dc", "x"))
    assert out["avg(x)"].tolist() == [4, 3, 5, 4.25]
    assert out["min(x)"].tolist() == [4, 2, 2, 2]
    assert out["max(x)"].tolist() == [4, 4, 9, 9]
    assert out["dc(x)"].tolist() == [1, 2, 3, 3]


def test_event_without_the_by_field_gets_nothing():
    out = run(table(h=["a", None, "a"]), agg("count"), by=["h"])
    assert out["count"].tolist() == [1, None, 2]


def test_count_of_a_field_skips_nulls():
    out = run(table(x=["a", None, "b"]), agg("count", "x"))
    assert out["count(x)"].tolist() == [1, 1, 2]


def test_bad_window_is_a_search_error():
    with pytest.raises(SearchError):
        run(table(x=["1"]), agg("count"), window="-3")


def test_reset_after_restarts_every_group_after_the_event():
    # USAGE: sum(bytes) AS total_bytes BY host, reset after action="REBOOT":
    # 100, 200, 500, 550, 150, 100 (the REBOOT event still includes its own bytes)
    out = run(table(**HOSTS), agg("sum", "bytes", alias="total_bytes"), by=["host"],
              reset_after='(action="REBOOT")')
    assert out["total_bytes"].tolist() == [100, 200, 500, 550, 150, 100]


def test_reset_before_restarts_every_group_at_the_event():
    # USAGE: with reset before instead: 100, 200, 500, 50, 150, 150
    out = run(table(**HOSTS), agg("sum", "bytes", alias="total_bytes"), by=["host"],
              reset_before='(action="REBOOT")')
    assert out["total_bytes"].tolist() == [100, 200, 500, 50, 150, 150]


def test_reset_after_sees_the_statistics_just_computed():
    # STREAMSTATS reset_after: the expression can use the fields streamstats returns
    out = run(table(x=["a"] * 5), agg("count", alias="n"), reset_after="(n=2)")
    assert out["n"].tolist() == [1, 2, 1, 2, 1]


def test_bad_reset_expression_is_a_search_error():
    with pytest.raises(SearchError):
        run(table(x=["1"]), agg("count"), reset_before="(x=)")


def test_time_window_of_months_is_unsupported():  # other spans: test_cmd_streamstats_time_window
    with pytest.raises(UnsupportedError):
        run(table(x=["1"], _time=[0.0]), agg("count"), time_window="1mon")


def test_running_states_agree_with_a_plain_recount():
    # Hand-written reference: for each event, take the window's same-group events and apply
    # the definitions directly (count, sum of numbers, distinct strings, numeric-first max).
    import random

    rng = random.Random(3)
    hosts = [rng.choice(["a", "b", None]) for _ in range(300)]
    xs = [rng.choice(["1", "2", "7", "k", None]) for _ in range(300)]
    t = table(h=hosts, x=xs)
    for window, glob in ((0, "true"), (5, "true"), (5, "false")):
        out = run(t, agg("count"), agg("sum", "x"), agg("dc", "x"), agg("max", "x"),
                  by=["h"], window=window, **{"global": glob})
        for i, h in enumerate(hosts):
            if h is None:
                assert out["count"][i] is None
                continue
            if window and glob == "true":
                rows = [r for r in range(max(0, i - window + 1), i + 1) if hosts[r] == h]
            else:
                rows = [r for r in range(i + 1) if hosts[r] == h]
                rows = rows[-window:] if window else rows
            vals = [xs[r] for r in rows if xs[r] is not None]
            nums = [int(v) for v in vals if v.isdigit()]
            strs = [v for v in vals if not v.isdigit()]
            assert out["count"][i] == len(rows)
            assert out["sum(x)"][i] == (sum(nums) if nums else None)
            assert out["dc(x)"][i] == len(set(vals))
            assert out["max(x)"][i] == (max(strs) if strs else max(nums) if nums else None)
