"""appendpipe (https://help.splunk.com/splunk-enterprise/spl-search-reference/9.4/search-commands/appendpipe)
and appendcols (https://help.splunk.com/splunk-enterprise/spl-search-reference/9.4/search-commands/appendcols).
Results worked out by hand; readings in the modules' docstrings."""
from __future__ import annotations

from dataclasses import replace
from types import SimpleNamespace

import pytest

from spl.context import Context
from spl.engine import execute
from spl.errors import SplError
from spl.syntax import parse
from spltest import NOW, column, table

EVENTS = [{"_time": 5.0, "host": "a", "n": "1"}, {"_time": 4.0, "host": "b", "n": "2"},
          {"_time": 3.0, "host": "a", "n": "4"}]


def run(search, rows=None):
    """Run ``search``; subsearches read EVENTS; with ``rows`` the commands run over them."""
    session = SimpleNamespace(events=table(EVENTS))
    pipeline, events = parse(search), table(EVENTS)
    if rows is not None:
        pipeline, events = replace(pipeline, generating=False), table(rows)
    return execute(pipeline, events, Context(now=NOW, text=search, session=session))


def test_appendpipe_adds_a_total_row_from_the_results():
    # the page's use: subtotals of the results, appended to them
    r = run('search * | stats sum(n) as n by host | appendpipe [stats sum(n) as n '
            '| eval host="ALL"]')
    assert column(r, "host") == ["a", "b", "ALL"]
    assert column(r, "n") == [5, 2, 7]


def test_appendpipe_sees_the_results_not_the_events_with_a_leading_pipe():
    r = run("search host=a | appendpipe [| stats count]")
    assert column(r, "count") == [None, None, 2]


def test_appendpipe_needs_one_subpipeline():
    with pytest.raises(SplError, match="one \\[subsearch\\]"):
        run("search * | appendpipe")


def test_appendcols_merges_result_by_result_without_override():
    rows = [{"host": "x", "n": "9"}]
    r = run("| appendcols [search * | stats count by host | eval n=0]", rows)
    # subsearch: (a, count 2, n 0), (b, count 1, n 0): first merged into the one result,
    # whose host and n stay; the second becomes a result of its own
    assert column(r, "host") == ["x", "b"]
    assert column(r, "n") == ["9", 0]
    assert column(r, "count") == [2, 1]


def test_appendcols_override_and_internal_fields():
    rows = [{"host": "x"}]
    r = run("| appendcols override=true [search * | head 1 | fields host _time]", rows)
    assert column(r, "host") == ["a"]
    assert "_time" not in r.columns


def test_appendcols_options_are_checked():
    with pytest.raises(SplError, match="override=maybe"):
        run("| appendcols override=maybe [search *]", [{"a": "1"}])
