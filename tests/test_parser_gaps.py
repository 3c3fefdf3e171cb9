"""Search text from production ESCU detections that must parse and run (issue 14's parser gaps).

- tstats ``from datamodel="Endpoint.Processes"``: a quoted data model name is the same name
  (tstats: https://help.splunk.com/en/splunk-enterprise/search/spl-search-reference/9.4/search-commands/tstats,
  ``FROM datamodel=<data_model_name>.<root_dataset_name>``; ESCU writes it quoted).
- a subsearch inside tstats' ``where`` (the where clause is a search: subsearches work in it as
  in the search command; ESCU's ``... where [| inputlookup ...]``).
- a wildcard value with parentheses in it, ``process=*GetCurrent()*``: parentheses inside a
  value do not open a group.
- a double-quoted eval target: eval's page, "field names with spaces": ``eval "first  "=123``
  (https://help.splunk.com/en/splunk-enterprise/search/spl-search-reference/9.4/search-commands/eval).
- a function call in a search comparison gets a true message that points at ``where``.
"""
from __future__ import annotations

import json

import pytest

from spl.errors import SplSyntaxError
from spl.session import Session, parse


def _record(name: str, user: str, **more) -> dict:
    rec = {"eventTime": "2024-05-01T00:00:00Z", "eventName": name,
           "eventSource": "iam.amazonaws.com", "sourceIPAddress": "192.0.2.1",
           "userIdentity": {"type": "IAMUser", "userName": user}}
    rec.update(more)
    return rec


@pytest.fixture
def session(tmp_path) -> Session:
    path = tmp_path / "events.ndjson"
    path.write_text("".join(json.dumps(r) + "\n" for r in (
        _record("DeleteUser", "erin"), _record("CreateUser", "bob"),
        _record("WindowsIdentity.GetCurrent().Name", "carol"))))
    return Session([path])


def test_tstats_quoted_data_model_name_is_the_name(session):
    quoted = session.run('| tstats count from datamodel="Change.All_Changes"')
    bare = session.run("| tstats count from datamodel=Change.All_Changes")
    # the three are IAM calls, every one a change (props.conf's change_type by eventSource)
    assert quoted.to_dict("records") == bare.to_dict("records") == [{"count": 3}]


def test_subsearch_in_tstats_where(session):
    out = session.run('| tstats count from datamodel=Change where '
                      '[| makeresults | eval All_Changes.command="DeleteUser" '
                      '| fields All_Changes.command] by All_Changes.command')
    assert out.to_dict("records") == [{"All_Changes.command": "DeleteUser", "count": 1}]


def test_wildcard_value_with_parentheses(session):
    out = session.run("eventName=*GetCurrent()* | table eventName")
    assert out["eventName"].tolist() == ["WindowsIdentity.GetCurrent().Name"]
    # a group after a value still opens a group
    both = session.run("(eventName=DeleteUser) OR (eventName=CreateUser) | stats count")
    assert both["count"].tolist() == [2]


def test_double_quoted_eval_target(session):
    out = session.run('| makeresults | eval "first  " = 123 | table "first  "')
    assert out.to_dict("records") == [{"first  ": 123}]


def test_function_call_in_search_comparison_says_use_where():
    with pytest.raises(SplSyntaxError) as err:
        parse('search _time >= relative_time(now(),"-10m@m")')
    message = err.value.message
    assert "where" in message and "relative_time" in message
    # the caret is under the function's name
    assert err.value.span.start == len("search _time >= ")


def test_streamstats_reset_after_with_glued_quotes(session):
    # streamstats' documented escaping: reset_after="("match(test,\"yes\")")" is the expression
    # (match(test,"yes")) (https://help.splunk.com/en/splunk-enterprise/search/spl-search-reference/9.4/search-commands/streamstats)
    out = session.run('| makeresults count=6 | streamstats count as n '
                      '| eval test=if(n=2 OR n=5, "yes", "no") '
                      '| streamstats count reset_after="("match(test,\\"yes\\")")" | table n test count')
    # counting restarts after each "yes": rows 1-2, then 3-5, then 6
    assert out["count"].tolist() == [1, 2, 1, 2, 3, 1]
