"""union (https://help.splunk.com/splunk-cloud-platform/spl-search-reference/10.0.2503/search-commands/union)
and multisearch (https://help.splunk.com/splunk-cloud-platform/spl-search-reference/10.0.2503/search-commands/multisearch).
Results worked out by hand; readings in the modules' docstrings."""
from __future__ import annotations

from dataclasses import replace
from types import SimpleNamespace

import pytest

from spl.context import Context
from spl.engine import execute
from spl.errors import SplError, UnsupportedError
from spl.syntax import parse
from spltest import NOW, column, table

EVENTS = [{"_time": 4.0, "host": "a", "n": "1"}, {"_time": 3.0, "host": "b", "n": "2"},
          {"_time": 2.0, "host": "a", "n": "3"}, {"_time": 1.0, "host": "b", "n": "4"}]


def run(search, rows=None):
    session = SimpleNamespace(events=table(EVENTS))
    pipeline, events = parse(search), table(EVENTS)
    if rows is not None:
        pipeline, events = replace(pipeline, generating=False), table(rows)
    return execute(pipeline, events, Context(now=NOW, text=search, session=session))


def test_multisearch_interleaves_events_newest_first():
    r = run("| multisearch [search host=a] [search host=b | eval k=1]")
    assert column(r, "_time") == [4, 3, 2, 1]
    assert column(r, "k") == [None, 1, None, 1]


def test_multisearch_allows_only_streaming_searches_and_needs_two():
    with pytest.raises(SplError, match="stats is not a streaming command"):
        run("| multisearch [search host=a] [search host=b | stats count]")
    with pytest.raises(SplError, match="at least 2"):
        run("| multisearch [search host=a]")


def test_union_of_event_searches_interleaves():
    r = run("| union [search host=b] [search host=a]")
    assert column(r, "n") == ["1", "2", "3", "4"]


def test_union_after_results_appends_in_order():
    r = run("search host=a | stats count by host | union [search host=b | stats count by host]")
    assert column(r, "host") == ["a", "b"] and column(r, "count") == [2, 2]


def test_union_named_dataset_is_unsupported():
    with pytest.raises(UnsupportedError, match="named datasets"):
        run("| union datamodel:Change [search host=a]")
