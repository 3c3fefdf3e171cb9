"""``_time`` from the field a sourcetype's props.conf names (TIMESTAMP_FIELDS), on every path
spl reads a file by: the columnar fast reader (fields known), the every-field reader, the
record-by-record loop (a chunk with a record lacking a time) and the gzip/record reader."""
from __future__ import annotations

import gzip
import json

import pytest

from sourcetype_cases import utc
from spl import data
from spl.data.readers import NO_TIME
from spl.errors import ConfigError

ST = "o365:management:activity"


def _records():
    base = {"Id": "", "Operation": "FileAccessed", "OrganizationId": "o", "RecordType": 6,
            "UserType": 0, "UserKey": "k", "Workload": "SharePoint", "UserId": "u@example.com"}
    return [dict(base, Id="1", CreationTime="2024-03-06T12:00:05"),
            dict(base, Id="2", CreationTime="2024-03-06T12:00:07.250Z"),
            # eventTime is CloudTrail's field: not this sourcetype's time
            dict(base, Id="3", eventTime="2030-01-01T00:00:00Z")]


@pytest.mark.parametrize("fields", [None, {"Id", "_time"}])
@pytest.mark.parametrize("packed", ["plain", "gzip"])
def test_time_comes_from_creation_time(tmp_path, fields, packed):
    text = "".join(json.dumps(r) + "\n" for r in _records())
    path = tmp_path / "o365.json"
    if packed == "gzip":
        path = tmp_path / "o365.json.gz"
        path.write_bytes(gzip.compress(text.encode()))
    else:
        path.write_text(text)
    result = data.load([path], sourcetype=ST, fields=fields)
    times = dict(zip(result.table["Id"], result.table["_time"]))
    # record 3 has no CreationTime: it takes the time of the record before it (Splunk's rule)
    assert times == {"1": utc("2024-03-06T12:00:05"), "2": utc("2024-03-06T12:00:07") + 0.25,
                     "3": utc("2024-03-06T12:00:07") + 0.25}
    [problem] = result.problems
    assert problem.line == 3 and problem.kind == NO_TIME
    assert problem.reason == "no CreationTime; _time is that of the previous event of the file"


def _definition(tmp_path, value: str):
    (tmp_path / "props.conf").write_text(f"[x:y]\nTIMESTAMP_FIELDS = {value}\n")
    return data.load_sourcetype("x:y", tmp_path)


def test_timestamp_fields_names_the_key(tmp_path):
    assert _definition(tmp_path, "published").time.fields == ("published",)
    assert _definition(tmp_path, "id.time").time.fields == ("id.time",)
    assert _definition(tmp_path, "a, b").time.fields == ("a", "b")
    assert data.load_sourcetype("aws:cloudtrail").time.fields == ("eventTime",)


@pytest.mark.parametrize("value", ["a{}.b", "a..b", ".a"])
def test_timestamp_fields_spl_cannot_read_is_refused(tmp_path, value):
    with pytest.raises(ConfigError, match="one field"):
        _definition(tmp_path, value)


@pytest.mark.parametrize("fields", [None, {"kind", "_time"}])
@pytest.mark.parametrize("packed", ["plain", "gzip"])
def test_time_from_a_nested_field(tmp_path, fields, packed):
    """gws:reports:login's time is id.time: a path into the record's "id" object."""
    records = [{"kind": "a", "id": {"time": "2024-07-01T12:00:00.500Z", "applicationName": "login"}},
               {"kind": "b", "id": {"applicationName": "login"}},           # no id.time
               {"kind": "c", "id": "2030-01-01T00:00:00Z"},                 # id is no object
               {"kind": "d", "id": {"time": "2024-07-01T12:00:09Z"}}]
    text = "".join(json.dumps(r) + "\n" for r in records)
    path = tmp_path / "gws.json"
    if packed == "gzip":
        path = tmp_path / "gws.json.gz"
        path.write_bytes(gzip.compress(text.encode()))
    else:
        path.write_text(text)
    result = data.load([path], sourcetype="gws:reports:login", fields=fields)
    times = dict(zip(result.table["kind"], result.table["_time"]))
    first = utc("2024-07-01T12:00:00") + 0.5
    assert times == {"a": first, "b": first, "c": first, "d": utc("2024-07-01T12:00:09")}
    assert [(p.line, p.reason) for p in result.problems] == [
        (2, "no id.time; _time is that of the previous event of the file"),
        (3, "no id.time; _time is that of the previous event of the file")]


def test_a_plain_file_read_again_by_its_records_keeps_its_time_field(tmp_path, monkeypatch):
    """A line holding records (an array) makes the fast reader read the file again record by
    record: the times are still the sourcetype's (Okta's ``published``), not eventTime. By hand:
    2024-05-01T00:00:00Z is 1704067200 (2024-01-01) + 121 days * 86400 = 1714521600; 10:00:0N
    adds 36000 + N seconds."""
    from spl.data import fast
    from spl.session import run

    monkeypatch.setattr(fast, "PARALLEL_MIN", 0)  # the worker processes' reader, as a large file

    def rec(n):
        return {"uuid": f"u{n}", "published": f"2024-05-01T10:00:0{n}.000Z",
                "eventType": "user.session.start", "actor": {"alternateId": "a"},
                "outcome": {"result": "SUCCESS"}}
    path = tmp_path / "okta.json"
    path.write_text("\n".join(json.dumps(x) for x in (rec(1), [rec(2), rec(3)], rec(4))) + "\n")
    want = [1714557600 + n for n in (1, 2, 3, 4)]
    result = data.load([path], sourcetype="OktaIM2:log")
    assert result.table["_time"].tolist() == want and result.problems == []
    got = run("search * | stats min(_time) as a max(_time) as b count", data=[path],
              sourcetype="OktaIM2:log")  # the map side's reader (spl.data.Reading.finish_mapped)
    assert got[["a", "b", "count"]].values.tolist() == [[want[0], want[-1], 4]]
