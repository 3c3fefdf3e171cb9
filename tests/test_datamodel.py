"""Event types, tags and data model definitions (spl/datamodels/, spl/data/props.py).

- Tags and event types are asserted on real records of ../shared/corpus/cloudtrail (skipped when
  it is absent): console logins are authentication; IAM changes are change + account; EC2
  instance changes change + instance; security group changes change + network. The rules are
  those of our eventtypes.conf/tags.conf, written from the AWS add-on's CIM mapping
  (https://splunk.github.io/splunk-add-on-for-amazon-web-services/CloudTrailCIMCompatability)
  and the CIM manual's tag tables
  (https://help.splunk.com/data-management/common-information-model/6.0/data-models/change).
- ``tag::eventtype``, ``tag=change`` and ``eventtype=...`` work in a search (tags.conf:
  https://docs.splunk.com/Documentation/Splunk/latest/Admin/Tagsconf), and the byte pre-filter
  never drops a record over them (they are computed, not in the record's text).
- A user's own data model JSON (Splunk's format) and event types load (``--ta``).
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from spl import datamodels
from spl.data.props import BUILTIN
from spl.errors import ConfigError
from spl.session import Session, run

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
CORPUS = SHARED / "corpus" / "cloudtrail"


@pytest.fixture(scope="module")
def corpus():
    if not CORPUS.is_dir():
        pytest.skip(f"{CORPUS} is absent: the shared corpus is only on the maintainers' machines")
    return Session(sorted(CORPUS.glob("*.ndjson")))


def _by_event(session, names: str) -> dict[str, set]:
    """eventName -> the set of (eventtype, tag) cells its records get."""
    out = session.run(f"eventName IN ({names}) | table eventName eventtype tag")
    found: dict[str, set] = {}
    for r in out.to_dict("records"):
        cell = lambda v: tuple(v) if isinstance(v, list) else (v,)  # noqa: E731
        found.setdefault(r["eventName"], set()).add((cell(r["eventtype"]), cell(r["tag"])))
    return found


def test_console_logins_are_authentication(corpus):
    assert _by_event(corpus, "ConsoleLogin") == {
        "ConsoleLogin": {(("aws_cloudtrail_auth",), ("authentication", "cloud"))}}


def test_iam_changes_are_account_changes(corpus):
    assert _by_event(corpus, "CreateUser, AttachUserPolicy, CreateAccessKey") == {
        name: {(("aws_cloudtrail_change", "aws_cloudtrail_iam_change"),
                ("account", "change", "cloud"))}
        for name in ("CreateUser", "AttachUserPolicy", "CreateAccessKey")}


def test_ec2_instance_changes_are_instance_changes(corpus):
    assert _by_event(corpus, "RunInstances, StopInstances, TerminateInstances") == {
        name: {(("aws_cloudtrail_change", "aws_cloudtrail_instance_change"),
                ("change", "cloud", "instance"))}
        for name in ("RunInstances", "StopInstances", "TerminateInstances")}


def test_security_group_changes_are_network_changes(corpus):
    assert _by_event(corpus, "AuthorizeSecurityGroupIngress, CreateSecurityGroup") == {
        name: {(("aws_cloudtrail_change", "aws_cloudtrail_network_change"),
                ("change", "cloud", "network"))}
        for name in ("AuthorizeSecurityGroupIngress", "CreateSecurityGroup")}


def test_tags_in_a_search_one_shot_with_the_prefilter(corpus):
    """``spl.run`` extracts only the fields the search needs and pre-filters records: the tag
    fields must still come out right (the event type searches' own fields are extracted)."""
    files = sorted(CORPUS.glob("*.ndjson"))
    one_shot = run("sourcetype=aws:cloudtrail tag=change tag::eventtype=network "
                   "| stats count by eventName", data=files)
    loaded = Session(files).run("tag=change tag::eventtype=network | stats count by eventName")
    assert one_shot.to_dict("records") == loaded.to_dict("records")
    assert {"AuthorizeSecurityGroupIngress", "CreateSecurityGroup"} <= set(one_shot["eventName"])
    assert run("eventtype=aws_cloudtrail_auth | stats count", data=files).iloc[0]["count"] == \
        len(loaded_names := corpus.run("eventName IN (ConsoleLogin, AssumeRole, "
                                       "AssumeRoleWithSAML, AssumeRoleWithWebIdentity)"))
    assert len(loaded_names) > 0


# ---------------------------------------------------------------- a user's own definitions

def _record(name: str, source: str, **more) -> dict:
    rec = {"eventTime": "2024-05-01T00:00:00Z", "eventName": name, "eventSource": source,
           "sourceIPAddress": "192.0.2.1", "userIdentity": {"type": "IAMUser",
                                                           "userName": "erin"}}
    rec.update(more)
    return rec


@pytest.fixture
def events(tmp_path) -> Path:
    path = tmp_path / "events.ndjson"
    path.write_text("".join(json.dumps(r) + "\n" for r in (
        _record("DeleteTrail", "cloudtrail.amazonaws.com"),
        _record("PutBucketPolicy", "s3.amazonaws.com", requestParameters={"bucketName": "b1"}),
        _record("ListBuckets", "s3.amazonaws.com"))))
    return path


def test_users_event_types_and_field_tags_with_ta(tmp_path, events):
    """``--ta``: the add-on layout (default/ then local/), with its own event types and a
    field-value tag."""
    ta = tmp_path / "Splunk_TA_aws"
    shutil.copytree(BUILTIN / "aws_cloudtrail", ta / "default")
    (ta / "default" / "lookups").rename(ta / "lookups")
    (ta / "default" / "eventtypes.conf").write_text(
        "[my_s3]\nsearch = eventSource=s3.amazonaws.com\n\n"
        "[my_off]\nsearch = eventName=*\ndisabled = 1\n")
    (ta / "default" / "tags.conf").write_text(
        "[eventtype=my_s3]\nstorage = enabled\nold = disabled\n\n"
        "[eventName=PutBucketPolicy]\npolicy = enabled\n")
    (ta / "local").mkdir()
    (ta / "local" / "tags.conf").write_text("[eventtype=my_s3]\nbucket = enabled\n")
    out = Session(events, ta=ta).run(
        "* | table eventName eventtype tag tag::eventtype tag::eventName")
    # same _time: the rows come last-read first (spl.session.Session.events)
    assert out.to_dict("records") == [
        {"eventName": "ListBuckets", "eventtype": "my_s3", "tag": ["bucket", "storage"],
         "tag::eventtype": ["bucket", "storage"], "tag::eventName": None},
        {"eventName": "PutBucketPolicy", "eventtype": "my_s3",
         "tag": ["bucket", "policy", "storage"], "tag::eventtype": ["bucket", "storage"],
         "tag::eventName": "policy"},
        {"eventName": "DeleteTrail", "eventtype": None, "tag": None, "tag::eventtype": None,
         "tag::eventName": None},
    ]


@pytest.mark.parametrize("conf, text, message", [
    ("tags.conf", "[eventtype=x]\nfoo = yes\n", "'enabled' or 'disabled'"),
    ("tags.conf", "[justaname]\nfoo = enabled\n", "is not [<field>=<value>]"),
    ("eventtypes.conf", "[x]\ncolor = red\n", "has no search"),
    ("eventtypes.conf", "[x]\nsearch = a | stats count\n", "plain search"),
])
def test_bad_event_type_definitions_name_the_file(tmp_path, events, conf, text, message):
    ta = tmp_path / "ta"
    shutil.copytree(BUILTIN / "aws_cloudtrail", ta)
    (ta / conf).write_text(text)
    with pytest.raises(ConfigError) as err:
        Session(events, ta=ta).run("* | table eventtype")
    assert message in err.value.message


MY_MODEL = {
    "modelName": "My_Audit",
    "objects": [
        {"objectName": "Trail_Events", "parentName": "BaseEvent",
         "constraints": [{"search": "eventSource=cloudtrail.amazonaws.com OR "
                                    "eventName=PutBucket*"}],
         "fields": [{"fieldName": "_time", "owner": "BaseEvent"},
                    {"fieldName": "eventName", "owner": "Trail_Events"},
                    {"fieldName": "user", "owner": "Trail_Events"}],
         "calculations": [{"calculationType": "Eval", "owner": "Trail_Events",
                           "expression": "if(like(eventName, \"Delete%\"), \"high\", \"low\")",
                           "outputFields": [{"fieldName": "severity"}]}]},
        {"objectName": "Deletions", "parentName": "Trail_Events",
         "constraints": [{"search": "severity=high"}],
         "fields": [{"fieldName": "eventSource", "owner": "Deletions"}]},
    ],
}


def test_a_users_data_model_json_loads_and_runs(tmp_path, events):
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "My_Audit.json").write_text(json.dumps(MY_MODEL))
    session = Session(events, datamodels=[tmp_path / "models"])
    out = session.run("| tstats count from datamodel=My_Audit "
                      "by Trail_Events.severity Trail_Events.eventName")
    assert out.to_dict("records") == [
        {"Trail_Events.severity": "high", "Trail_Events.eventName": "DeleteTrail", "count": 1},
        {"Trail_Events.severity": "low", "Trail_Events.eventName": "PutBucketPolicy",
         "count": 1}]
    # a child's own field is named by its lineage; it is null outside the child
    child = session.run("| tstats values(Trail_Events.Deletions.eventSource) as s "
                        "from datamodel=My_Audit where nodename=Trail_Events.Deletions")
    assert child.to_dict("records") == [{"s": "cloudtrail.amazonaws.com"}]
    flat = session.run("| datamodel My_Audit Deletions flat | table eventName severity nodename")
    assert flat.to_dict("records") == [
        {"eventName": "DeleteTrail", "severity": "high", "nodename": "Trail_Events.Deletions"}]


@pytest.mark.parametrize("doc, message", [
    ("{", "not valid JSON"),
    ('{"modelName": "X"}', "'objects' list"),
    ('{"objects": [{"objectName": "A", "parentName": "Nope"}]}', "parent 'Nope'"),
    ('{"objects": [{"objectName": "A", "calculations": [{"calculationType": "GeoIP"}]}]}',
     "only Eval calculations"),
])
def test_bad_data_model_json_names_the_file(tmp_path, doc, message):
    path = tmp_path / "X.json"
    path.write_text(doc)
    with pytest.raises(ConfigError) as err:
        datamodels.read_model(path)
    assert message in err.value.message and err.value.file == str(path)


def test_builtin_models_are_the_cim_ones():
    change = datamodels.load_model("Change")
    assert [d.lineage for d in change.datasets.values()] == [
        "All_Changes", "All_Changes.Auditing_Changes", "All_Changes.Endpoint_Changes",
        "All_Changes.Network_Changes", "All_Changes.Account_Management",
        "All_Changes.Instance_Changes"]
    assert datamodels.constraint_search(change, change.dataset("Account_Management")) == \
        "(tag=change) (tag=account)"
    auth = datamodels.load_model("Authentication")
    assert datamodels.constraint_search(auth, auth.dataset("Failed_Authentication")) == \
        "(tag=authentication) (action=failure)"
    assert datamodels.builtin_names() == ["Authentication", "Change", "Risk"]


def test_from_and_datamodel_search_return_the_events(events):
    session = Session(events)
    # PutBucketPolicy and ListBuckets are S3 calls (change_type storage): changes; DeleteTrail
    # is a CloudTrail change (audit)
    out = session.run("| from datamodel:Change.Auditing_Changes "
                      "| table eventName All_Changes.command nodename")
    assert out.to_dict("records") == [{"eventName": "DeleteTrail",
                                       "All_Changes.command": "DeleteTrail",
                                       "nodename": "All_Changes.Auditing_Changes"}]
    same = session.run("| datamodel Change Auditing_Changes search "
                       "| table eventName All_Changes.command nodename")
    assert same.to_dict("records") == out.to_dict("records")


def test_explain_shows_the_constraint_search(capsys):
    from spl.check import main_explain

    main_explain("| tstats count from datamodel=Change where All_Changes.action=deleted "
                 "by All_Changes.user")
    out = capsys.readouterr().out
    assert "search tag=change | search All_Changes.action=deleted" in out
    assert ("tag=change <- eventtype=aws_cloudtrail_iam_change: sourcetype=aws:cloudtrail "
            "eventSource=iam.amazonaws.com") in out


def test_cli_datamodels_option(tmp_path, events, capsys):
    from spl.cli import main

    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "My_Audit.json").write_text(json.dumps(MY_MODEL))
    code = main(["run", "| tstats count from datamodel=My_Audit.Deletions", "--data", str(events),
                 "--datamodels", str(tmp_path / "models"), "--format", "json"])
    assert code == 0
    assert json.loads(capsys.readouterr().out) == [{"count": "1"}]
