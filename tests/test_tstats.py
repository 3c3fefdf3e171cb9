"""tstats over the CIM data models, value by value against rows worked out by hand.

The records below are written by hand. Each expected row is worked out from:
- the CIM datasets (spl/datamodels/, from the CIM reference manual: All_Changes is ``tag=change``,
  Instance_Changes ``tag=instance``, Network_Changes ``tag=network``; Authentication is
  ``tag=authentication``, Failed_Authentication ``action=failure``) -- Change:
  https://help.splunk.com/data-management/common-information-model/6.0/data-models/change,
  Authentication: https://help.splunk.com/data-management/common-information-model/6.0/data-models/authentication;
- our event types and tags (spl/data/sourcetypes/aws_cloudtrail/eventtypes.conf, tags.conf):
  ConsoleLogin is authentication; an event with a change_type is a change; object_category
  instance adds instance, security_group adds network;
- the sourcetype's fields (props.conf and its lookups): action/status from
  aws_cloudtrail_action_status.csv (CreateUser: created, RunInstances: started,
  AuthorizeSecurityGroupIngress: modified, GetObject: read; success when errorCode is absent,
  else failure), object_category from aws_cloudtrail_object_category.csv (unknown when absent),
  user: the created user's name for CreateUser, else userIdentity.userName;
- the tstats page (https://help.splunk.com/splunk-enterprise/spl-search-reference/9.4/search-commands/tstats):
  rows whose BY field is null are left out unless fillnull_value names a value; results come
  sorted by the BY fields as stats sorts them; prestats output is read by a following stats;
  append=t adds prestats rows to the results so far.
"""
from __future__ import annotations

import calendar
import json
from pathlib import Path

import pytest

from spl.errors import SearchError, UnsupportedError
from spl.session import Session

MACROS = Path(__file__).resolve().parents[1] / "macros"


def t(hms: str) -> float:
    return float(calendar.timegm((2024, 3, 1, *map(int, hms.split(":")))))


def iso(hms: str) -> str:
    return f"2024-03-01T{hms}Z"


def record(name, source, user, hms, src, **more):
    rec = {"eventVersion": "1.08", "eventTime": iso(hms), "eventSource": source,
           "eventName": name, "awsRegion": "us-east-1", "sourceIPAddress": src,
           "userAgent": "aws-cli/2.15.0", "eventType": "AwsApiCall",
           "recipientAccountId": "111122223333",
           "userIdentity": {"type": "IAMUser", "principalId": f"AIDA{user.upper()}",
                            "arn": f"arn:aws:iam::111122223333:user/{user}",
                            "accountId": "111122223333", "userName": user}}
    rec.update(more)
    return rec


RECORDS = [
    # R1, R2: console sign-ins (Authentication)
    record("ConsoleLogin", "signin.amazonaws.com", "alice", "10:00:00", "198.51.100.1",
           eventType="AwsConsoleSignIn", responseElements={"ConsoleLogin": "Success"},
           additionalEventData={"LoginTo": "https://console.aws.amazon.com/console/home",
                                "MFAUsed": "No"}),
    record("ConsoleLogin", "signin.amazonaws.com", "bob", "10:30:00", "203.0.113.9",
           eventType="AwsConsoleSignIn", errorMessage="Failed authentication",
           responseElements={"ConsoleLogin": "Failure"},
           additionalEventData={"LoginTo": "https://console.aws.amazon.com/console/home",
                                "MFAUsed": "No"}),
    # R3: an IAM change; user is the created user (mallory)
    record("CreateUser", "iam.amazonaws.com", "alice", "11:00:00", "198.51.100.1",
           requestParameters={"userName": "mallory"},
           responseElements={"user": {"userName": "mallory", "userId": "AIDAMALLORY"}}),
    # R4, R7: EC2 instances (one refused: status failure)
    record("RunInstances", "ec2.amazonaws.com", "carol", "11:20:00", "192.0.2.7",
           requestParameters={"instanceType": "t2.micro"},
           responseElements={"instancesSet": {"items": [{"instanceId": "i-0abc"}]}}),
    record("RunInstances", "ec2.amazonaws.com", "carol", "11:40:00", "192.0.2.7",
           errorCode="Client.UnauthorizedOperation", errorMessage="not authorized"),
    # R5: a security group change
    record("AuthorizeSecurityGroupIngress", "ec2.amazonaws.com", "carol", "12:05:00",
           "192.0.2.7", requestParameters={"groupId": "sg-0123"}),
    # R6: an S3 read: a change (change_type storage) with no sub-dataset
    record("GetObject", "s3.amazonaws.com", "dave", "12:10:00", "192.0.2.99",
           requestParameters={"bucketName": "reports", "key": "q1.csv"}),
]


@pytest.fixture(scope="module")
def session(tmp_path_factory) -> Session:
    path = tmp_path_factory.mktemp("tstats") / "records.ndjson"
    path.write_text("".join(json.dumps(r) + "\n" for r in RECORDS))
    return Session(path, macros=[MACROS])


def rows(table) -> list[dict]:
    return table.to_dict("records")


def test_count_and_values_by_user(session):
    out = session.run("| tstats count values(All_Changes.action) as actions "
                      "from datamodel=Change by All_Changes.user")
    assert list(out.columns) == ["All_Changes.user", "count", "actions"]
    assert rows(out) == [
        {"All_Changes.user": "carol", "count": 3, "actions": ["modified", "started"]},
        {"All_Changes.user": "dave", "count": 1, "actions": "read"},
        {"All_Changes.user": "mallory", "count": 1, "actions": "created"},
    ]


def test_drop_dm_object_name_works_as_written(session):
    out = session.run('| tstats count from datamodel=Change.All_Changes by All_Changes.command '
                      '| `drop_dm_object_name("All_Changes")`')
    assert rows(out) == [{"command": "AuthorizeSecurityGroupIngress", "count": 1},
                         {"command": "CreateUser", "count": 1},
                         {"command": "GetObject", "count": 1},
                         {"command": "RunInstances", "count": 2}]


def test_nodename_picks_a_child_dataset(session):
    out = session.run("| tstats count from datamodel=Change "
                      "where nodename=All_Changes.Instance_Changes by All_Changes.status")
    assert rows(out) == [{"All_Changes.status": "failure", "count": 1},
                         {"All_Changes.status": "success", "count": 1}]


def test_from_a_child_dataset_keeps_the_parent_names(session):
    out = session.run("| tstats count from datamodel=Change.Network_Changes "
                      "by All_Changes.object All_Changes.user")
    assert rows(out) == [{"All_Changes.object": "sg-0123", "All_Changes.user": "carol",
                          "count": 1}]


def test_authentication_and_failed_authentication(session):
    out = session.run("| tstats count from datamodel=Authentication "
                      "by Authentication.action Authentication.user Authentication.src")
    assert rows(out) == [
        {"Authentication.action": "failure", "Authentication.user": "bob",
         "Authentication.src": "203.0.113.9", "count": 1},
        {"Authentication.action": "success", "Authentication.user": "alice",
         "Authentication.src": "198.51.100.1", "count": 1}]
    failed = session.run("| tstats values(Authentication.user) as users "
                         "from datamodel=Authentication.Failed_Authentication")
    assert rows(failed) == [{"users": "bob"}]


def test_time_functions_and_distinct_count(session):
    out = session.run("| tstats min(_time) as firstTime max(_time) as lastTime "
                      "dc(All_Changes.command) as commands earliest(All_Changes.command) as e "
                      "latest(All_Changes.command) as l count(All_Changes.object) as objects "
                      "from datamodel=Change")
    assert rows(out) == [{"firstTime": t("11:00:00"), "lastTime": t("12:10:00"), "commands": 4,
                          "e": "CreateUser", "l": "GetObject", "objects": 2}]


def test_by_time_span(session):
    out = session.run("| tstats count from datamodel=Change by _time span=1h")
    assert rows(out) == [{"_time": t("11:00:00"), "count": 3},
                         {"_time": t("12:00:00"), "count": 2}]


def test_null_by_values_are_dropped_unless_fillnull_value(session):
    # object: CreateUser -> the created user, AuthorizeSecurityGroupIngress -> the group id;
    # RunInstances and GetObject have none
    out = session.run("| tstats count from datamodel=Change by All_Changes.object")
    assert rows(out) == [{"All_Changes.object": "mallory", "count": 1},
                         {"All_Changes.object": "sg-0123", "count": 1}]
    filled = session.run("| tstats fillnull_value=NULLX count from datamodel=Change "
                         "by All_Changes.object")
    assert rows(filled) == [{"All_Changes.object": "NULLX", "count": 3},
                            {"All_Changes.object": "mallory", "count": 1},
                            {"All_Changes.object": "sg-0123", "count": 1}]


def test_summariesonly_gives_the_same_rows(session):
    search = ("| tstats {} count from datamodel=Change by All_Changes.user")
    assert rows(session.run(search.format("summariesonly=true allow_old_summaries=true"))) == \
        rows(session.run(search.format("summariesonly=false")))


def test_prestats_then_stats(session):
    out = session.run("| tstats prestats=t count from datamodel=Change by All_Changes.user "
                      "| stats count by All_Changes.user")
    assert rows(out) == [{"All_Changes.user": "carol", "count": 3},
                         {"All_Changes.user": "dave", "count": 1},
                         {"All_Changes.user": "mallory", "count": 1}]


def test_prestats_append(session):
    out = session.run("| tstats prestats=t count from datamodel=Change "
                      "where All_Changes.user=carol "
                      "| tstats prestats=t append=t count from datamodel=Authentication "
                      "| stats count")
    assert rows(out) == [{"count": 5}]  # carol's 3 changes and the 2 sign-ins


def test_without_a_datamodel_only_indexed_fields_exist(session):
    assert rows(session.run("| tstats count where index=main by sourcetype")) == [
        {"sourcetype": "aws:cloudtrail", "count": 7}]
    # eventName is a search-time field: tstats cannot see it
    assert rows(session.run("| tstats count where eventName=ConsoleLogin")) == [{"count": 0}]


@pytest.mark.parametrize("search, message", [
    ("| tstats append=t count from datamodel=Change", "append=true needs prestats=true"),
    ("| tstats count from datamodel=Change by All_Changes.user span=1h", "span= needs BY _time"),
    ("| tstats prestats=t count as n from datamodel=Change", "AS cannot rename in prestats"),
    ("| tstats summariesonly=maybe count from datamodel=Change", "must be true or false"),
    ("| tstats count from datamodel=Change.No_Such", "has no dataset 'No_Such'"),
])
def test_bad_options_are_errors(session, search, message):
    with pytest.raises(SearchError) as err:
        session.run(search)
    assert message in err.value.message


def test_a_model_spl_lacks_says_so(session):
    with pytest.raises(UnsupportedError) as err:
        session.run("| tstats count from datamodel=Endpoint.Processes by Processes.dest")
    assert err.value.message.startswith("needs datamodel Endpoint.Processes: no definition")


# ---------------------------------------------------------------- the same detection, both forms

# ESCU's "AWS Credential Access Failed Login", as published in security_content's detections/cloud
# (the raw form, in ../shared/corpus/escu/detections/cloud/aws_credential_access_failed_login.yml)
# and in its 2020-2022 form over the Authentication data model (security_content_docs, search
# field of the same detection). Copied as test inputs; the _filter macro is empty.
RAW = """`cloudtrail` eventName = ConsoleLogin errorMessage="Failed authentication"
  | rename user_name as user
  | stats count min(_time) as firstTime max(_time) as lastTime
    BY signature dest user user_agent src vendor_account vendor_region vendor_product"""
TSTATS = """| tstats count earliest(_time) as firstTime, latest(_time) as lastTime
  from datamodel=Authentication where Authentication.action = failure
  Authentication.app=AwsConsoleSignIn Authentication.signature=ConsoleLogin
  BY Authentication.app Authentication.signature Authentication.dest Authentication.user
     Authentication.action Authentication.user_id Authentication.src
  | `drop_dm_object_name(Authentication)`"""


def test_failed_console_login_raw_and_tstats_find_the_same(session):
    findings = {}
    for name, search in (("raw", RAW), ("tstats", TSTATS)):
        out = session.run(search.replace("`cloudtrail`", "sourcetype=aws:cloudtrail"))
        findings[name] = sorted((r["user"], r["src"], r["signature"], r["dest"], r["count"],
                                 r["firstTime"], r["lastTime"]) for r in rows(out))
    # worked out by hand: bob's one failed sign-in (R2)
    expected = [("bob", "203.0.113.9", "ConsoleLogin",
                 "https://console.aws.amazon.com/console/home", 1, t("10:30:00"),
                 t("10:30:00"))]
    assert findings["raw"] == expected
    assert findings["tstats"] == expected


def test_spl_run_reads_only_the_data_models_fields(tmp_path, monkeypatch, capsys):
    # spl run loads the times, then tstats reads the fields of its data model (not every field
    # of every event first); the rows are those of test_count_and_values_by_user
    from spl import data
    from spl import session as session_module
    from spl.cli import main

    path = tmp_path / "records.ndjson"
    path.write_text("".join(json.dumps(r) + "\n" for r in RECORDS))
    monkeypatch.setattr(session_module, "EVENTS_KEPT", 0)  # as a large load
    asked: list = []
    for name in ("load", "begin"):
        real = getattr(data, name)
        monkeypatch.setattr(data, name, lambda *a, real=real, **k: asked.append(
            k.get("fields")) or real(*a, **k))
    code = main(["run", "| tstats count from datamodel=Change by All_Changes.user", "--data",
                 str(path), "--macros", str(MACROS), "--format", "json"])
    assert code == 0
    assert [(r["All_Changes.user"], r["count"]) for r in json.loads(capsys.readouterr().out)] \
        == [("carol", "3"), ("dave", "1"), ("mallory", "1")]
    assert asked and None not in asked and {"*"} not in asked
