"""transaction: https://help.splunk.com/splunk-enterprise/spl-search-reference/9.4/search-commands/transaction
(the earliest member's _time, every member's _raw, the union of other fields, duration and
eventcount; maxspan/maxpause/maxevents; startswith/endswith as a search or eval(...) filter;
keepevicted and closed_txn). Groups worked out by hand; readings in the module docstring."""
import pytest

from spl.errors import SplError, UnsupportedError
from spltest import column, run

# newest first, as Splunk hands events to transaction
ROWS = [{"_time": float(t), "user": u, "op": o, "_raw": f"{u} {o} {t}"}
        for t, u, o in [(200, "a", "reset"), (150, "b", "enable"), (100, "a", "update"),
                        (60, "a", "enable"), (10, "b", "reset")]]


def test_by_field_earliest_time_raw_union_duration_eventcount():
    r = run("| transaction user", ROWS)
    assert column(r, "_time") == [60, 10]                   # newest transaction first
    assert column(r, "user") == ["a", "b"]
    assert column(r, "op") == [["enable", "reset", "update"], ["enable", "reset"]]
    assert column(r, "_raw")[0] == "a enable 60\na update 100\na reset 200"
    assert column(r, "duration") == [140, 140]
    assert column(r, "eventcount") == [3, 2]


def test_mvlist_true_keeps_every_value_in_event_order():
    r = run("| transaction user mvlist=true", ROWS)
    assert column(r, "op")[0] == ["enable", "update", "reset"]


def test_maxspan_and_maxpause_cut_transactions():
    r = run("| transaction user maxspan=100s", ROWS)
    # a: 60,100 (200 is 140 s after 60); b: 10 and 150 apart
    assert column(r, "_time") == [200, 150, 60, 10]
    assert column(r, "eventcount") == [1, 1, 2, 1]
    r = run("| transaction maxpause=45s", ROWS)  # no field list: gaps 50, 40, 50, 50
    assert column(r, "eventcount") == [1, 1, 2, 1]


def test_maxevents():
    r = run("| transaction user maxevents=2", ROWS)
    assert column(r, "eventcount") == [1, 2, 2]  # a: (60,100) then (200); b: (10,150)


def test_startswith_endswith_keep_only_closed_transactions():
    # ESCU's azure_ad_user_enabled_and_password_reset form
    search = ('| transaction user startsWith=(op="enable") endsWith=(op="reset") maxspan=%s')
    r = run(search % "3m", ROWS)
    assert column(r, "user") == ["a"] and column(r, "eventcount") == [3]
    # 2m: a's reset is 140 s after its enable: cut, neither part starts and ends right
    assert len(run(search % "2m", ROWS)) == 0


def test_keepevicted_marks_closed_txn():
    r = run('| transaction user startswith="enable" keepevicted=true', ROWS)
    assert column(r, "_time") == [150, 60, 10]
    assert column(r, "closed_txn") == [1, 1, 0]  # b's reset at 10 began with no "enable"
    assert "closed_txn" not in run('| transaction user startswith="enable"', ROWS).columns


def test_endswith_eval_filter():
    r = run('| transaction user endswith=eval(op=="reset")', ROWS)
    # b: the reset at 10 ends a transaction, the enable at 150 has no end: evicted
    assert column(r, "user") == ["a", "b"] and column(r, "eventcount") == [3, 1]


def test_events_lacking_the_field_are_in_no_transaction():
    rows = ROWS + [{"_time": 5.0, "op": "x", "_raw": "no user"}]
    assert sum(column(run("| transaction user", rows), "eventcount")) == 5


def test_errors():
    with pytest.raises(SplError, match="maxspan=soon"):
        run("| transaction user maxspan=soon", ROWS)
    with pytest.raises(UnsupportedError, match="connected"):
        run("| transaction user connected=false", ROWS)
    with pytest.raises(SplError, match="unknown option"):
        run("| transaction user bogus=1", ROWS)
    with pytest.raises(SplError, match="unclosed"):
        run('| transaction user startswith=(op="enable"', ROWS)
