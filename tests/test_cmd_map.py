"""map: https://help.splunk.com/splunk-enterprise/spl-search-reference/9.4/search-commands/map
($field$ replaced per result, search="..." or [subsearch], maxsearches default 10 with a
message past it, $_serial_id$). Results worked out by hand; readings in spl/commands/map_.py."""
from __future__ import annotations

from dataclasses import replace
from types import SimpleNamespace

import pytest

from spl.context import Context
from spl.engine import execute
from spl.errors import SplError, UnsupportedError
from spl.syntax import parse
from spltest import NOW, column, table

EVENTS = [{"_time": 3.0, "id": "7", "what": "logon"}, {"_time": 2.0, "id": "8", "what": "logoff"},
          {"_time": 1.0, "id": "7", "what": "logoff"}]


def run(search, rows, ctx_out=None):
    session = SimpleNamespace(events=table(EVENTS))
    ctx = Context(now=NOW, text=search, session=session)
    if ctx_out is not None:
        ctx_out.append(ctx)
    return execute(replace(parse(search), generating=False), table(rows), ctx)


def test_each_result_runs_the_search_with_its_values():
    r = run('| map search="search id=$key$ | eval from=$_serial_id$"', [{"key": "8"}, {"key": "7"}])
    assert column(r, "what") == ["logoff", "logon", "logoff"]
    assert column(r, "from") == [1, 2, 2]


def test_subsearch_form_and_missing_field_runs_nothing():
    r = run("| map [search id=$key$ | stats count]", [{"key": "7"}, {"other": "1"}])
    assert column(r, "count") == [2]


def test_maxsearches_limits_and_warns():
    ctxs = []
    r = run('| map maxsearches=1 search="search id=$key$"', [{"key": "8"}, {"key": "7"}], ctxs)
    assert column(r, "id") == ["8"]
    assert any("maxsearches=1" in w for w in ctxs[0].warnings)


def test_errors():
    with pytest.raises(UnsupportedError, match="savedsearch"):
        run("| map savedsearch=x", [{"key": "1"}])
    with pytest.raises(SplError, match="does not parse"):
        run('| map search="search id=$key$ | "', [{"key": "1"}])
