"""eval {field}=...: the target's name comes from each row's value of the field.

The eval page's example (https://help.splunk.com/en/splunk-enterprise/search/spl-search-reference/9.4/search-commands/eval,
"use the value of one field as the name for a new field"): with aName=counter and aValue=1234,
``eval {aName}=aValue`` gives counter=1234. spl's readings where the page is silent are in
spl/commands/eval.py's docstring and pinned here.
"""
from __future__ import annotations

import json

import pytest

from spl.plan import required_fields
from spl.session import Session, parse


@pytest.fixture
def session(tmp_path) -> Session:
    path = tmp_path / "e.ndjson"
    rows = [{"eventTime": "2024-05-01T00:00:00Z", "eventName": "A", "aName": "counter",
             "aValue": 1234},
            {"eventTime": "2024-05-01T00:00:01Z", "eventName": "B", "aName": "other",
             "aValue": 7},
            {"eventTime": "2024-05-01T00:00:02Z", "eventName": "C", "aValue": 9}]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return Session([path])


def test_the_pages_example(session):
    out = session.run("eventName=A | eval {aName}=aValue | table counter")
    assert out.to_dict("records") == [{"counter": "1234"}]


def test_each_row_names_its_own_field_and_braces_sit_anywhere(session):
    out = session.run("eventName=* | eval {aName}=aValue, x_{aName}=1 | sort eventName "
                      "| table eventName counter other x_counter x_other")
    rows = out.to_dict("records")
    # row A names counter, row B names other; row C has no aName: no field at all
    assert rows[0] == {"eventName": "A", "counter": "1234", "other": None,
                       "x_counter": 1, "x_other": None}
    assert rows[1] == {"eventName": "B", "counter": None, "other": "7",
                       "x_counter": None, "x_other": 1}
    assert rows[2] == {"eventName": "C", "counter": None, "other": None,
                       "x_counter": None, "x_other": None}


def test_the_planner_loads_the_naming_field():
    assert "aName" in required_fields(parse("search x | eval {aName}=1 | table counter").pipeline)
