"""format (https://help.splunk.com/splunk-cloud-platform/spl-search-reference/10.0.2503/search-commands/format)
and return (https://help.splunk.com/splunk-enterprise/spl-search-reference/9.4/search-commands/return).
Strings worked out by hand from the pages' defaults; readings in the modules' docstrings."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from spl.context import Context
from spl.engine import execute
from spl.errors import SplError
from spl.syntax import parse
from spltest import NOW, column, run, table

ROWS = [{"source": "syslog.log", "sourcetype": "syslog", "host": "mylaptop", "_time": 1.0},
        {"source": "bob-syslog.log", "sourcetype": "syslog", "host": "bobslaptop"}]


def test_format_defaults():
    r = run("| format", ROWS)
    assert list(r.columns) == ["search"]
    assert column(r, "search") == [
        '( ( host="mylaptop" AND source="syslog.log" AND sourcetype="syslog" ) OR '
        '( host="bobslaptop" AND source="bob-syslog.log" AND sourcetype="syslog" ) )']


def test_format_custom_pieces_mvsep_maxresults_and_empty():
    r = run('| format maxresults=1 "[" "[" "&&" "]" "||" "]"', ROWS)
    assert column(r, "search") == ['[ [ host="mylaptop" && source="syslog.log" && '
                                   'sourcetype="syslog" ] ]']
    r = run('| format mvsep="||"', [{"n": ["a", 'b"c']}])
    assert column(r, "search") == ['( ( ( n="a" || n="b\\"c" ) ) )']
    assert column(run("| format", [{"_time": 1.0}]), "search") == ["NOT( )"]
    assert column(run('| format emptystr="nothing"', []), "search") == ["nothing"]


def test_format_needs_all_six_pieces():
    with pytest.raises(SplError, match="all six"):
        run('| format "[" "["', ROWS)


def test_return_forms():
    assert column(run("| return host", ROWS), "search") == ['host="mylaptop"']
    assert column(run("| return h=host $source", ROWS), "search") == ['h="mylaptop" syslog.log']
    assert column(run("| return 2 host", ROWS), "search") == \
        ['(host="mylaptop") OR (host="bobslaptop")']


def test_return_in_a_subsearch_becomes_search_terms():
    events = [{"_time": 2.0, "user": "boss", "ip": "1.2.3.4"},
              {"_time": 1.0, "user": "x", "ip": "1.2.3.4"}, {"_time": 0.5, "user": "y", "ip": "9"}]
    session = SimpleNamespace(events=table(events))
    search = "search [search user=boss | return ip]"
    r = execute(parse(search), table(events), Context(now=NOW, text=search, session=session))
    assert column(r, "user") == ["boss", "x"]
