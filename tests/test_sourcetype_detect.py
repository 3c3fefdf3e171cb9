"""Which sourcetype a file is, and folders of mixed logs.

Source-typing rules are props.conf's ``[rule::<name>]`` / ``[delayedrule::<name>]`` stanzas:
``sourcetype = <st>``, ``MORE_THAN_<n> = <regex>`` (more than n percent of the lines match),
``LESS_THAN_<n> = <regex>`` (less than n percent do); all conditions must hold; delayed rules
are tried only when no rule matched
(https://help.splunk.com/splunk-enterprise/get-started/get-data-in/9.3/configure-source-types/configure-rule-based-source-type-recognition,
props.conf.spec https://help.splunk.com/en/data-management/splunk-enterprise-admin-manual/10.0/10.0.0-configuration-file-reference/props.conf).
Timestamps: TIMESTAMP_FIELDS and TIME_FORMAT (``%s%3N``: epoch seconds then 3 digits of
milliseconds), as the same spec describes them.
"""
from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from spl.data import load
from spl.data.props import Rules, TimeSpec, builtin_rules, load_sourcetype, parse_conf, parse_rules
from spl.data.readers import UNTYPED, read_range
from spl.errors import ConfigError, DataError

CT = {"eventVersion": "1.08", "eventTime": "2025-03-01T10:00:00Z",
      "eventSource": "iam.amazonaws.com", "eventName": "DeleteUser", "awsRegion": "us-east-1",
      "sourceIPAddress": "203.0.113.5", "userIdentity": {"type": "IAMUser", "userName": "mallory",
                                                         "accountId": "111122223333"},
      "requestParameters": {"userName": "bob"}}
LAKE = {"metadata": {"product": {"name": "CloudTrail", "vendor_name": "AWS"}, "version": "1.1.0"},
        "time": 1740823260000, "class_uid": 6003, "activity_id": 4,
        "api": {"operation": "DeleteUser"}, "actor": {"user": {"uid": "AIDAMALLORY"}},
        "src_endpoint": {"ip": "198.51.100.9"}}


def rules(text: str) -> Rules:
    return Rules(parse_rules(parse_conf(text, "props.conf"), "props.conf"))


# ---------------------------------------------------------------- the rules' semantics

def test_more_than_is_strictly_more_than_n_percent():
    r = rules("[rule::x]\nsourcetype = X\nMORE_THAN_50 = a\n")
    assert r.detect(["a", "a", "b"]) == "X"         # 66.7% > 50
    assert r.detect(["a", "b"]) is None             # 50% is not more than 50
    assert r.detect([]) is None                     # no line: nothing to type


def test_less_than_is_strictly_less_than_n_percent():
    r = rules("[rule::x]\nsourcetype = X\nLESS_THAN_50 = a\n")
    assert r.detect(["a", "b", "b"]) == "X"         # 33.3% < 50
    assert r.detect(["a", "b"]) is None             # 50% is not less than 50


def test_every_condition_must_hold():
    # props.conf.example's rule: more than 80% have "----" and fewer than 70% "####"
    r = rules("[rule::bar_some]\nsourcetype = source_with_lots_of_bars\n"
              "MORE_THAN_80 = ----\nLESS_THAN_70 = ####\n")
    assert r.detect(["----", "----", "----", "---- ####", "----"]) == "source_with_lots_of_bars"
    assert r.detect(["---- ####"] * 5) is None      # 100% have ####
    assert r.detect(["----", "x"]) is None          # 50% have ----


def test_rules_before_delayed_rules_then_by_name():
    r = rules("[delayedrule::a]\nsourcetype = LATE\nMORE_THAN_0 = x\n"
              "[rule::c]\nsourcetype = C\nMORE_THAN_0 = x\n"
              "[rule::b]\nsourcetype = B\nMORE_THAN_0 = x\n")
    assert r.detect(["x"]) == "B"
    assert rules("[delayedrule::a]\nsourcetype = LATE\nMORE_THAN_0 = x\n"
                 "[rule::b]\nsourcetype = B\nMORE_THAN_0 = y\n").detect(["x"]) == "LATE"


@pytest.mark.parametrize("text, words", [
    ("[rule::x]\nMORE_THAN_1 = a\n", "no 'sourcetype ='"),
    ("[rule::x]\nsourcetype = X\n", "no MORE_THAN_<n> or LESS_THAN_<n>"),
    ("[rule::x]\nsourcetype = X\nMORE_THAN = a\n", "MORE_THAN: a rule takes"),
    ("[rule::x]\nsourcetype = X\nMORE_THAN_5 = (\n", "not a valid regular expression"),
])
def test_bad_rules_are_config_errors(text, words):
    with pytest.raises(ConfigError) as e:
        rules(text)
    assert words in e.value.message and e.value.file == "props.conf"


def test_builtin_definitions_declare_their_rules():
    found = {(r.name, r.delayed, r.sourcetype) for r in builtin_rules().rules}
    assert {("aws_cloudtrail", False, "aws:cloudtrail"), ("aws_cloudtrail", True, "aws:cloudtrail"),
            ("aws_cloudtrail_lake", False, "aws:cloudtrail:lake")} <= found
    for r in builtin_rules().rules:  # every rule types to a sourcetype spl defines
        load_sourcetype(r.sourcetype)


def test_builtin_rules_tell_cloudtrail_from_lake():
    r = builtin_rules()
    assert r.detect([json.dumps(CT)]) == "aws:cloudtrail"
    assert r.detect([json.dumps(LAKE)]) == "aws:cloudtrail:lake"
    # a trimmed record with only CloudTrail keys: the delayed rule
    assert r.detect([json.dumps({"eventName": "X", "eventTime": "2025-01-01T00:00:00Z"})]) \
        == "aws:cloudtrail"
    assert r.detect([json.dumps({"Operation": "FileAccessed", "Workload": "SharePoint"})]) is None


# ---------------------------------------------------------------- time

def test_time_spec():
    ms = TimeSpec(("time",), "%s%3N")
    assert ms.parse(1740823260123) == 1740823260.123
    assert ms.parse("1740823260000") == 1740823260.0
    assert ms.parse("12") is None and ms.parse("x1") is None and ms.parse(True) is None
    iso = TimeSpec(("CreationTime",))
    assert iso.parse("2023-12-04T20:42:05") == 1701722525.0   # no zone: UTC
    fmt = TimeSpec(("t",), "%Y/%m/%d %H:%M:%S")
    assert fmt.parse("2023/12/04 20:42:05") == 1701722525.0
    nested = TimeSpec(("a.b", "c"))
    assert nested.value({"a": {"b": "x"}, "c": "y"}) == ("a.b", "x")
    assert nested.value({"c": "y"}) == ("c", "y")
    assert nested.value({}) == ("a.b", None)


def test_time_format_needs_timestamp_fields(tmp_path):
    (tmp_path / "props.conf").write_text("[t]\nTIME_FORMAT = %s\n")
    with pytest.raises(ConfigError) as e:
        load_sourcetype("t", tmp_path)
    assert "TIMESTAMP_FIELDS" in e.value.message


# ---------------------------------------------------------------- folders of mixed logs

def write(path: Path, records, gz=False, envelope=None):
    text = (json.dumps({envelope: records}) if envelope else
            "".join(json.dumps(r) + "\n" for r in records))
    if gz:
        path.write_bytes(gzip.compress(text.encode()))
    else:
        path.write_text(text)
    return path


def test_a_folder_of_mixed_logs(tmp_path):
    write(tmp_path / "a.json", [CT])
    write(tmp_path / "b.json.gz", [LAKE, dict(LAKE, time=1740823320000)], gz=True)
    write(tmp_path / "c.json", [dict(CT, eventTime="2025-03-01T11:00:00Z")], envelope="Records")
    result = load([tmp_path])
    t = result.table
    assert result.problems == []
    assert t["sourcetype"].tolist() == ["aws:cloudtrail", "aws:cloudtrail:lake",
                                        "aws:cloudtrail:lake", "aws:cloudtrail"]
    assert t["source"].tolist() == [str(tmp_path / n) for n in
                                    ("a.json", "b.json.gz", "b.json.gz", "c.json")]
    # each file's own time field
    assert t["_time"].tolist() == [1740823200.0, 1740823260.0, 1740823320.0, 1740826800.0]
    # each file's own definition: aws:cloudtrail's user_name (DeleteUser: requestParameters'),
    # aws:cloudtrail:lake's (actor.user.uid, class 6003); a field one definition gives (the
    # alias signature) is null in the rows of the other: the columns are united
    assert t["user_name"].tolist() == ["bob", "AIDAMALLORY", "AIDAMALLORY", "bob"]
    assert t["signature"].tolist() == ["DeleteUser", None, None, "DeleteUser"]
    assert t["api.operation"].tolist() == [None, "DeleteUser", "DeleteUser", None]
    assert t["src"].tolist() == ["203.0.113.5", "198.51.100.9", "198.51.100.9", "203.0.113.5"]
    assert t["vendor_product"].tolist() == ["AWS CloudTrail", "CloudTrail", "CloudTrail",
                                            "AWS CloudTrail"]


def test_planned_fields_per_sourcetype(tmp_path):
    """With the fields known, each sourcetype extracts the JSON paths its own definition needs
    for them: src is sourceIPAddress in one, src_endpoint.ip in the other."""
    write(tmp_path / "a.json", [CT])
    write(tmp_path / "b.json", [LAKE])
    t = load([tmp_path], fields={"src", "user_name"}).table
    assert list(t.columns) == ["_time", "src", "user_name"]
    assert t["src"].tolist() == ["203.0.113.5", "198.51.100.9"]
    assert t["user_name"].tolist() == ["bob", "AIDAMALLORY"]


def test_the_given_sourcetype_wins(tmp_path):
    write(tmp_path / "b.json", [LAKE])
    t = load([tmp_path / "b.json"], sourcetype="aws:cloudtrail:lake").table
    assert t["sourcetype"].tolist() == ["aws:cloudtrail:lake"]
    result = load([tmp_path / "b.json"], sourcetype="aws:cloudtrail")
    assert result.table["sourcetype"].tolist() == ["aws:cloudtrail"]
    assert [p.reason for p in result.problems] == ["no eventTime; _time is the file's "
                                                   "modification time"]


def test_a_file_no_rule_types_is_said(tmp_path):
    path = write(tmp_path / "o365.json", [{"CreationTime": "2023-12-04T20:42:05",
                                          "Operation": "FileAccessed"}])
    result = load([path])
    assert result.table["sourcetype"].tolist() == ["aws:cloudtrail"]   # kept, read as before
    untyped = [p for p in result.problems if p.kind == UNTYPED]
    assert [(p.file, p.line, p.dropped) for p in untyped] == [(str(path), None, False)]
    assert "no sourcetype rule matches its records" in untyped[0].reason
    with pytest.raises(DataError) as e:
        load([path], strict=True)
    assert e.value.file == str(path) and "no sourcetype rule" in e.value.message


def test_a_file_without_records_is_not_said_untyped(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text("not json\n")
    result = load([path])
    assert [p.kind for p in result.problems] == ["not CloudTrail JSON"]


def test_the_rules_read_records_not_lines(tmp_path):
    """An Azure-style {"records": [...]} envelope and a JSON array: the records are the lines
    the rules look at, whatever the layout."""
    write(tmp_path / "a.json", [LAKE, LAKE], envelope="records")
    (tmp_path / "b.json").write_text(json.dumps([LAKE, LAKE], indent=2))
    t = load([tmp_path]).table
    assert t["sourcetype"].tolist() == ["aws:cloudtrail:lake"] * 4


def test_a_bad_time_of_another_field_is_said(tmp_path):
    bad = dict(LAKE, time="yesterday")
    result = load([write(tmp_path / "b.json", [LAKE, bad])])
    assert [(p.line, p.reason) for p in result.problems] == [
        (2, "time 'yesterday' is not a timestamp of format %s%3N; _time is that of the previous "
            "event of the file")]
    assert result.table["_time"].tolist() == [1740823260.0, 1740823260.0]


def test_read_range_numbers_lines_as_in_the_file(tmp_path):
    path = write(tmp_path / "b.json", [LAKE, dict(LAKE, time=1), LAKE])
    data = path.read_bytes()
    second = data.index(b"\n") + 1
    items = list(read_range(path, second, len(data)))
    assert [(i.line, i.value["time"]) for i in items] == [(2, 1), (3, 1740823260000)]


def test_map_pieces_of_another_time_field(tmp_path):
    """spl.distributed's map side (map_piece over byte ranges of a plain NDJSON file): a
    sourcetype whose time is not eventTime is read by the record reader, and a record without a
    valid time at the start of a piece takes the last valid time before it, as over the file."""
    from spl.data import map_piece, plan_reading

    path = write(tmp_path / "b.json", [LAKE, dict(LAKE, time=1740823320000),
                                       dict(LAKE, time=None), dict(LAKE, time=1740823380000)])
    data = path.read_bytes()
    cut = [i + 1 for i, b in enumerate(data) if b == ord("\n")][1]  # after line 2
    files, early, build = plan_reading([path], mapper=lambda table, major: table)
    parts = [map_piece(str(path), 0, cut, 0, build),
             map_piece(str(path), cut, len(data), 0, build)]
    times = [t for table, _ in parts for t in table["_time"].tolist()]
    assert times == [1740823260.0, 1740823320.0, 1740823320.0, 1740823380.0]
    assert [(p.line, p.reason) for p in parts[1][1]] == [
        (3, "no time; _time is that of the previous event of the file")]  # JSON null


def test_pubsub_messages_give_their_decoded_data(tmp_path):
    """Pub/Sub messages (a push body per line, and ``gcloud pubsub subscriptions pull`` output, a
    JSON array): the record is the message with data decoded (base64 of a LogEntry's JSON)."""
    import base64

    entry = {"protoPayload": {"methodName": "storage.setIamPermissions"},
             "resource": {"type": "gcs_bucket"}, "timestamp": "2025-03-01T10:00:00Z"}
    data = base64.b64encode(json.dumps(entry).encode()).decode()
    push = {"message": {"attributes": {"logging.googleapis.com/timestamp": "x"}, "data": data,
                        "messageId": "1", "publishTime": "2025-03-01T10:00:01Z"},
            "subscription": "projects/p/subscriptions/s"}
    bad = {"message": {"data": "not base64!", "messageId": "2",
                       "publishTime": "2025-03-01T10:00:02Z"}}
    write(tmp_path / "push.json", [push, bad])
    (tmp_path / "pull.json").write_text(json.dumps([{"ackId": "a", "message": push["message"]}]))
    definition = tmp_path / "def"
    definition.mkdir()
    (definition / "props.conf").write_text("[gcp:test]\nTIMESTAMP_FIELDS = data.timestamp\n")
    result = load([tmp_path / "push.json", tmp_path / "pull.json"], sourcetype="gcp:test",
                  ta=definition)
    t = result.table
    assert t["data.protoPayload.methodName"].tolist() == ["storage.setIamPermissions"] * 2
    assert t["data.resource.type"].tolist() == ["gcs_bucket"] * 2
    assert t["messageId"].tolist() == ["1", "1"]
    assert t["_time"].tolist() == [1740823200.0, 1740823200.0]
    assert json.loads(t["_raw"][0]) == dict(push["message"], data=entry)
    assert [(p.file, p.line, p.dropped) for p in result.problems] == [
        (str(tmp_path / "push.json"), 2, True)]
    assert "not base64 of JSON text" in result.problems[0].reason
