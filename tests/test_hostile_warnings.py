"""A limit that cuts a result short is said out loud: a per-search warning (Splunk's job
messages), on ``Context.warnings``, ``Session.last_warnings`` and the CLI's stderr.

list(): "If more than 100 values are in a field, only the first 100 are returned"
(https://help.splunk.com/splunk-enterprise/spl-search-reference/9.4/statistical-and-charting-functions/multivalue-stats-and-chart-functions;
limits.conf [stats] list_maxsize). mvrange: Splunk documents no limit; spl's is 100,000 values.
Expected values are worked out by hand.
"""
from __future__ import annotations

import json
from dataclasses import replace

from spl.context import Context
from spl.engine import execute
from spl.session import Session
from spl.syntax import parse
from spltest import NOW, table

MVRANGE = ("mvrange() stopped at 100,000 values (spl's limit on one multivalue field); the rest "
           "of the range was dropped")


def list_warning(column: str) -> str:
    return (f"{column}: list() kept the first 100 values of a group and dropped the rest "
            "(limits.conf [stats] list_maxsize = 100)")


def run(search: str, rows: list[dict]):
    """The result and the search's warnings."""
    ctx = Context(now=NOW, text=search)
    result = execute(replace(parse(search), generating=False), table(rows), ctx)
    return result, ctx.warnings


def test_mvrange_past_its_limit_keeps_100000_values_and_warns():
    result, warnings = run("| eval r=mvrange(0, 1e12), n=mvcount(r), last=mvindex(r, -1)",
                           [{"k": 1}, {"k": 2}])
    assert result["n"].tolist() == [100000, 100000]
    assert result["last"].tolist() == [99999, 99999]
    assert warnings == [MVRANGE]  # once for the search, not once per row


def test_mvrange_within_its_limit_is_silent():
    result, warnings = run("| eval n=mvcount(mvrange(0, 100000))", [{"k": 1}])
    assert result["n"].tolist() == [100000] and warnings == []


def test_stats_list_keeps_the_first_100_values_in_event_order_and_warns():
    rows = [{"g": "a", "v": str(i)} for i in range(150)] + [{"g": "b", "v": "x"}]
    result, warnings = run("| stats list(v) AS vs count BY g", rows)
    assert result["vs"].tolist() == [[str(i) for i in range(100)], "x"]
    assert result["count"].tolist() == [150, 1]
    assert warnings == [list_warning("vs")]


def test_list_of_exactly_100_values_is_silent():
    result, warnings = run("| stats list(v) AS vs", [{"v": str(i)} for i in range(100)])
    assert len(result["vs"][0]) == 100 and warnings == []


def test_eventstats_list_warns_too():
    rows = [{"v": str(i)} for i in range(101)]
    result, warnings = run("| eventstats list(v)", rows)
    assert result["list(v)"][0] == [str(i) for i in range(100)]
    assert warnings == [list_warning("list(v)")]


def test_values_has_no_limit_and_no_warning():
    """values(): no default limit (limits.conf [stats] maxvalues = 0)."""
    result, warnings = run("| stats values(v) AS vs", [{"v": f"{i:03d}"} for i in range(150)])
    assert len(result["vs"][0]) == 150 and warnings == []


def test_session_keeps_the_last_searchs_warnings():
    session = Session()
    session.run("| makeresults | eval n=mvcount(mvrange(0, 200000))")
    assert session.last_warnings == [MVRANGE]
    session.run("| makeresults | eval n=1")
    assert session.last_warnings == []


def test_subsearch_warnings_reach_the_search():
    session = Session()
    session.run("| makeresults | append [| makeresults | eval n=mvcount(mvrange(0, 2e5))]")
    assert session.last_warnings == [MVRANGE]


def test_cli_prints_warnings_on_stderr_and_rows_on_stdout(capsys):
    from spl.cli import main

    code = main(["run", "| makeresults | eval n=mvcount(mvrange(0, 1e12)) | table n",
                 "--data", "tests/fixtures/data/cloudtrail_small.ndjson", "--format", "json"])
    captured = capsys.readouterr()
    assert code == 0
    assert json.loads(captured.out) == [{"n": "100000"}]  # JSON output gives values as text
    assert f"warning: {MVRANGE}" in captured.err.splitlines()
