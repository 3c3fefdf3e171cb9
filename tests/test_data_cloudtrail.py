"""aws:cloudtrail events end to end: spl.data.load over fixture and corpus files.

Every expected value was worked out by hand from the record and docs/aws-cloudtrail-fields.md
(aliases, calculated fields, lookups); the action/status/change_type/object_category values come
from the project's own partial lookup tables in spl/data/sourcetypes/aws_cloudtrail/lookups/.
"""
import calendar
import functools
import gzip
import json
from pathlib import Path

import pytest

from spl.data import BASE_FIELDS, load
from spl.errors import DataError

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "data" / "cloudtrail_small.ndjson"
CORPUS = ("security_content_examples.ndjson", "panther_analysis.ndjson",
          "security_content_examples_bedrock_templated.ndjson")


def utc(*t):
    return float(calendar.timegm(t + (0, 0, 0)))


def row(table, i):
    """One event as {field: value}, without null fields."""
    return {k: v for k, v in table.iloc[i].items()
            if v is not None and not (isinstance(v, float) and v != v)}


def check(event, expected):
    for name, value in expected.items():
        assert event.get(name) == value, f"{name}: {event.get(name)!r} != {value!r}"


@pytest.fixture(scope="module")
def small():
    return load([FIXTURE], host="h")


# ---------------------------------------------------------------- fixture (no ../shared needed)

def test_base_fields(small):
    t = small.table
    assert small.problems == []
    assert list(t.columns[:6]) == list(BASE_FIELDS)
    assert list(t["sourcetype"]) == ["aws:cloudtrail"] * 5
    assert list(t["source"]) == [str(FIXTURE)] * 5
    assert list(t["host"]) == ["h"] * 5 and list(t["index"]) == ["main"] * 5
    assert list(t["_raw"]) == FIXTURE.read_text().splitlines()
    assert list(t["_time"]) == [utc(2025, 2, 3, 4, 5, 6), utc(2025, 2, 3, 4, 6, 7) + 0.25,
                                utc(2025, 2, 3, 4, 7, 8), utc(2025, 2, 3, 4, 8, 9),
                                utc(2025, 2, 3, 4, 9, 10)]
    for c in t.columns:
        if c != "_time":
            assert t[c].dtype == object, c


def test_iam_user_create_user(small):
    check(row(small.table, 0), {
        "src": "198.51.100.7", "src_ip": "198.51.100.7", "signature": "CreateUser",
        "command": "CreateUser", "dvc": "iam.amazonaws.com", "app": "AwsApiCall",
        "region": "us-east-1", "vendor_region": "us-east-1", "user_group_id": "222233334444",
        "user_access_key": "AKIAEXAMPLEALICE", "start_time": "2025-02-03T04:05:06Z",
        "vendor_product": "AWS CloudTrail", "vendor_account": "222233334444",
        "aws_account_id": "222233334444", "user_agent": "aws-cli/2.15.0",
        "errorCode": "success", "msg": "success",
        "user_arn": "arn:aws:iam::222233334444:user/admin.alice", "userName": "admin.alice",
        "user_name": "backdoor", "user": "backdoor", "user_id": "AIDAEXAMPLEBACKDOOR",
        "src_user": "admin.alice", "dest": "iam.amazonaws.com", "object": "backdoor",
        "object_id": "AIDAEXAMPLEBACKDOOR", "action": "created", "status": "success",
        "change_type": "AAA", "object_category": "user", "vendor": "Amazon Web Services",
        "product": "CloudTrail", "readOnly": "false", "managementEvent": "true"})
    e = row(small.table, 0)
    assert "user_type" not in e and "result_id" not in e and "reason" not in e
    assert "desc" not in e  # requestParameters is an object, not a scalar


def test_assumed_role_assume_role(small):
    e = row(small.table, 1)
    check(e, {
        "user": "CrossAccountAdmin", "user_name": "DevRole", "userName": "DevRole",
        "user_type": "AWS::IAM::Role", "user_id": "AROAEXAMPLECROSS", "src_user": "DevRole",
        "dest": "sts.amazonaws.com",
        "user_arn": "arn:aws:sts::222233334444:assumed-role/DevRole/bob",
        "vendor_account": "222233334444", "aws_account_id": "222233334444",
        "temp_access_key": "ASIAEXAMPLETEMP", "user_access_key": "ASIAEXAMPLEBOB",
        "vendor_region": "eu-west-1", "action": "success", "status": "success",
        "change_type": "STS", "object_category": "unknown", "errorCode": "success",
        "userIdentity.sessionContext.attributes.mfaAuthenticated": "false",
        "resources{}.ARN": "arn:aws:iam::555566667777:role/CrossAccountAdmin"})
    assert "userIdentity.userName" not in e


def test_failed_console_login(small):
    e = row(small.table, 2)
    check(e, {
        "errorCode": "failure", "msg": "success", "reason": "Failed authentication",
        "result": "Failed authentication", "action": "failure", "status": "failure",
        "user": "carol", "user_name": "carol", "userName": "carol", "user_type": "IAMUser",
        "user_id": "AIDAEXAMPLECAROL", "src_user": "carol",
        "dest": "https://console.aws.amazon.com/console/home", "app": "AwsConsoleSignIn",
        "requestParameters": "null", "desc": "null", "object_category": "unknown"})
    assert "result_id" not in e and "user_access_key" not in e


def test_failed_call_by_assumed_role(small):
    e = row(small.table, 3)
    check(e, {
        "errorCode": "Client.UnauthorizedOperation", "msg": "Client.UnauthorizedOperation",
        "result_id": "Client.UnauthorizedOperation",
        "reason": "You are not authorized to perform this operation.",
        "action": "stopped", "status": "failure", "user_agent": "console.ec2.amazonaws.com",
        "userAgent{}": "console.ec2.amazonaws.com", "user": "DevRole", "user_name": "DevRole",
        "userName": "DevRole", "user_type": "AssumedRole", "dest": ["i-0aaa", "i-0bbb"],
        "change_type": "virtual_server", "object_category": "instance",
        "requestParameters.force": "false", "responseElements": "null"})
    assert "user_id" not in e and "src_user" not in e and "userAgent" not in e


def test_aws_service_caller(small):
    e = row(small.table, 4)
    check(e, {
        "aws_account_id": "222233334444", "vendor_account": "222233334444",
        "user_type": "AWSService", "dest": "logs-bucket.s3.amazonaws.com",
        "object": "logs-bucket", "object_id": "logs-bucket", "action": "read",
        "status": "success", "change_type": "storage", "object_category": "bucket",
        "src": "config.amazonaws.com", "requestParameters.acl": ""})
    for absent in ("user", "user_name", "userName", "user_id", "src_user", "user_group_id"):
        assert absent not in e, absent


def test_fields_subset_gives_the_same_values(small):
    wanted = {"user_name", "action", "dest", "user_agent", "vendor_account", "errorCode"}
    sub = load([FIXTURE], host="h", fields=wanted).table
    assert set(sub.columns) <= set(BASE_FIELDS) | wanted
    for f in wanted:
        assert list(sub[f]) == list(small.table[f]), f
    # the extraction was pruned: unrelated JSON paths are not columns
    assert "requestParameters.force" not in sub.columns


def test_source_host_index_overrides():
    t = load([FIXTURE], source="aws_cloudtrail", host="x", index="cloud").table
    assert set(t["source"]) == {"aws_cloudtrail"}
    assert set(t["host"]) == {"x"} and set(t["index"]) == {"cloud"}


def same_events(a, b):
    a = a.drop(columns=["source"])
    b = b.drop(columns=["source"])
    assert list(a.columns) == list(b.columns)
    assert a.to_dict("records") == b.to_dict("records")


def test_layouts_give_identical_events(tmp_path):
    lines = FIXTURE.read_text().splitlines()
    (tmp_path / "records.json").write_text('{"Records":[' + ",".join(lines) + "]}")
    (tmp_path / "nd.gz").write_bytes(gzip.compress(FIXTURE.read_bytes()))
    (tmp_path / "rec.json.gz").write_bytes(gzip.compress((tmp_path / "records.json").read_bytes()))
    ref = load([FIXTURE], host="h").table
    for name in ("records.json", "nd.gz", "rec.json.gz"):
        r = load([tmp_path / name], host="h")
        assert r.problems == []
        same_events(ref, r.table)


# ---------------------------------------------------------------- bad input through load()

def test_missing_and_bad_event_time(tmp_path):
    p = tmp_path / "t.json"
    p.write_text(json.dumps({"eventName": "A"}) + "\n"
                 + json.dumps({"eventName": "B", "eventTime": "2024-05-01T10:00:00Z"}) + "\n"
                 + json.dumps({"eventName": "C", "eventTime": "redacted"}) + "\n")
    r = load([p], host="h")
    assert list(r.table["eventName"]) == ["A", "B", "C"]   # nothing lost
    assert r.table["_time"][0] == p.stat().st_mtime
    assert r.table["_time"][2] == utc(2024, 5, 1, 10, 0, 0)
    assert [(x.file, x.line) for x in r.problems] == [(str(p), 1), (str(p), 3)]
    assert "no eventTime" in r.problems[0].reason
    assert "'redacted'" in r.problems[1].reason


def test_strict_raises_data_error_with_file_and_line(tmp_path):
    p = tmp_path / "bad.json"
    p.write_text(FIXTURE.read_text().splitlines()[0] + "\n{oops\n")
    assert len(load([p]).problems) == 1
    with pytest.raises(DataError) as e:
        load([p], strict=True)
    assert (e.value.file, e.value.line) == (str(p), 2)
    q = tmp_path / "notime.json"
    q.write_text('{"eventName": "X"}\n')
    with pytest.raises(DataError) as e:
        load([q], strict=True)
    assert e.value.line == 1


def test_truncated_gzip_keeps_what_was_read_and_reports_where_it_broke(tmp_path):
    """Half of a gzip stream: the records before the cut load, in file order; the cut is a
    problem naming the file and a line at or after the last record read; strict refuses it."""
    body = "".join(json.dumps({"eventTime": "2024-05-01T10:00:00Z", "eventName": "E", "i": i})
                   + "\n" for i in range(3000)).encode()
    gz = gzip.compress(body)
    p = tmp_path / "cut.json.gz"
    p.write_bytes(gz[: len(gz) // 2])
    r = load([p], host="h")
    n = len(r.table)
    assert 0 < n < 3000
    assert list(r.table["i"]) == [str(i) for i in range(n)]
    assert any("truncated" in x.reason and x.file == str(p) and x.line >= n for x in r.problems)
    with pytest.raises(DataError):
        load([p], strict=True)


# ---------------------------------------------------------------- the shared corpus

@pytest.fixture
def corpus_dir(shared):
    return shared / "corpus" / "cloudtrail"


@functools.cache
def _load_corpus(folder: Path) -> dict:
    """Each corpus file loaded once for the whole module (``shared`` is a per-test fixture)."""
    return {name: load([folder / name], host="h") for name in CORPUS}


@pytest.fixture
def corpus(corpus_dir):
    return _load_corpus(corpus_dir)


def test_every_corpus_event_loads(corpus, corpus_dir):
    for name, r in corpus.items():
        lines = [x for x in (corpus_dir / name).read_text().splitlines() if x.strip()]
        assert len(r.table) == len(lines), name
        assert list(r.table["_raw"]) == lines
    # the only problems: two Panther records whose eventTime is not a time (kept, reported)
    probs = [(Path(p.file).name, p.line) for r in corpus.values() for p in r.problems]
    assert probs == [("panther_analysis.ndjson", 301), ("panther_analysis.ndjson", 418)]


def test_corpus_iam_user_create_access_key(corpus):
    # security_content_examples.ndjson line 4
    e = row(corpus["security_content_examples.ndjson"].table, 3)
    check(e, {
        "eventName": "CreateAccessKey", "_time": utc(2021, 3, 2, 21, 18, 24),
        "src": "12.25.72.12", "vendor_region": "us-east-1", "signature": "CreateAccessKey",
        "user_group_id": "121521347698", "user_access_key": "AKIAYTOGP2RLLAA6NJUM",
        "vendor_account": "121521347698", "aws_account_id": "121521347698",
        "errorCode": "success", "msg": "success", "userName": "bhavin_cli",
        "user_name": "AtomicRedTeam", "user": "bhavin_cli", "src_user": "bhavin_cli",
        "user_arn": "arn:aws:iam::121521347698:user/bhavin_cli", "dest": "iam.amazonaws.com",
        "user_agent": "aws-cli/2.0.62 Python/3.9.0 Darwin/19.6.0 source/x86_64 "
                      "command/iam.create-access-key",
        "action": "created", "status": "success", "vendor_product": "AWS CloudTrail"})
    assert "user_type" not in e and "user_id" not in e


def test_corpus_assumed_role_without_user_name(corpus):
    # security_content_examples.ndjson line 5 (CreateKey by okta_adm_role)
    e = row(corpus["security_content_examples.ndjson"].table, 4)
    check(e, {
        "eventName": "CreateKey", "user_name": "okta_adm_role", "userName": "okta_adm_role",
        "user_type": "AssumedRole", "vendor_account": "111111111111",
        "aws_account_id": "111111111111", "dest": "kms.amazonaws.com",
        "user_arn": "arn:aws:sts::111111111111:assumed-role/okta_adm_role/pbareiss@splunk.local",
        "requestParameters.bypassPolicyLockoutSafetyCheck": "false",
        "responseElements.keyMetadata.enabled": "true",
        "resources{}.type": "AWS::KMS::Key", "action": "created", "status": "success"})
    for absent in ("user", "src_user", "user_id", "change_type", "requestParameters.tags{}"):
        assert absent not in e, absent


def test_corpus_aws_service_assume_role_non_iso_time(corpus):
    # panther_analysis.ndjson line 417: userIdentity.type AWSService, eventTime "2024-06-02 20:27:12"
    e = row(corpus["panther_analysis.ndjson"].table, 416)
    check(e, {
        "eventName": "AssumeRole", "_time": utc(2024, 6, 2, 20, 27, 12), "aws_account_id": "123456789123",
        "vendor_account": "123456789123", "user_type": "AWS::IAM::Role",
        "user_name": "my_role_arn", "userName": "my_role_arn",
        "user_arn": "arn:aws:iam::123456789123:role/my_role_arn", "dest": "sts.amazonaws.com",
        "temp_access_key": "REDACTED", "action": "success", "status": "success",
        "change_type": "STS", "src": "lambda.amazonaws.com",
        "resources{}.arn": "arn:aws:iam::123456789123:role/my_role_arn"})
    for absent in ("user", "src_user", "user_id", "resources{}.ARN"):
        assert absent not in e, absent


def test_corpus_console_logins(corpus):
    # panther_analysis.ndjson line 45: a successful IAM user login
    e = row(corpus["panther_analysis.ndjson"].table, 44)
    check(e, {
        "eventName": "ConsoleLogin", "errorCode": "success", "msg": "success",
        "action": "success", "status": "success", "user": "anaya", "user_name": "anaya", "user_type": "IAMUser",
        "user_id": "AIDACKCEVSQ6C2EXAMPLE", "desc": "null",
        "dest": "https://console.aws.amazon.com/console/home?state=hashArgs%23&isauthcode=true"})
    # security_content_examples.ndjson line 2: failed, no principalId -> accountId
    e = row(corpus["security_content_examples.ndjson"].table, 1)
    check(e, {
        "eventName": "ConsoleLogin", "errorCode": "failure", "msg": "success",
        "action": "failure", "status": "failure", "user_id": "140429656527", "user": "HIDDEN_DUE_TO_SECURITY_REASONS",
        "reason": "No username found in supplied account", "user_access_key": "",
        "dest": "https://console.aws.amazon.com"})


def test_corpus_failed_call(corpus):
    # security_content_examples.ndjson line 16: DeleteGroup NoSuchEntityException
    e = row(corpus["security_content_examples.ndjson"].table, 15)
    check(e, {
        "eventName": "DeleteGroup", "errorCode": "NoSuchEntityException", "msg": "NoSuchEntityException",
        "result_id": "NoSuchEntityException",
        "reason": "The group with name AtomicRedTeam_Victim cannot be found.",
        "action": "deleted", "status": "failure", "user_name": "bhavin_cli",
        "user": "bhavin_cli", "user_type": "IAMUser", "responseElements": "null"})


def test_corpus_seed_fields(corpus):
    # the seed detection's by-fields on the Bedrock ListFoundationModels record (line 1)
    e = row(corpus["security_content_examples_bedrock_templated.ndjson"].table, 0)
    check(e, {
        "src": "192.0.2.1", "user_name": "admin_role", "user_agent": "aws-cli/2.9.15",
        "vendor_account": "111111111111", "vendor_product": "AWS CloudTrail",
        "dest": "bedrock.amazonaws.com", "signature": "ListFoundationModels",
        "vendor_region": "us-east-1", "errorCode": "success",
        "eventSource": "bedrock.amazonaws.com", "eventName": "ListFoundationModels",
        "action": "read", "status": "success", "_time": utc(2023, 10, 15, 8, 49, 49)})


def test_corpus_layouts_identical(corpus_dir, tmp_path):
    src = corpus_dir / "security_content_examples.ndjson"
    lines = src.read_text().splitlines()
    (tmp_path / "r.json.gz").write_bytes(
        gzip.compress(('{"Records": [' + ",\n".join(lines) + "]}").encode()))
    same_events(load([src], host="h").table, load([tmp_path / "r.json.gz"], host="h").table)


def test_fields_without_values_do_not_exist(tmp_path):
    p = tmp_path / "login.json"
    p.write_text(FIXTURE.read_text().splitlines()[2] + "\n")
    t = load([p], host="h").table
    for absent in ("object", "object_id", "result_id", "temp_access_key", "user_access_key"):
        assert absent not in t.columns, absent
    assert "user" in t.columns


def test_corpus_long_record_cut_at_5000_bytes(corpus):
    # security_content_examples.ndjson line 28 is 69038 bytes; eventType, recipientAccountId
    # come after its long responseElements (see spl/data/extract.py, extraction cutoff)
    e = row(corpus["security_content_examples.ndjson"].table, 27)
    check(e, {"eventName": "DescribeImageScanFindings", "vendor_account": "111111111111",
              "user_name": "test", "_time": utc(2021, 8, 11, 11, 52, 27)})
    for absent in ("eventType", "app", "recipientAccountId", "eventID"):
        assert absent not in e, absent


def test_user_name_from_error_message(tmp_path):
    # aws-cloudtrail-fields.md: CreateAccessKey -> responseElements.accessKey.userName, else the
    # user named in errorMessage after "resource:"; GetUser & co -> that user
    ident = {"type": "IAMUser", "userName": "mallory", "accountId": "1"}
    recs = [
        {"eventName": "CreateAccessKey", "errorCode": "AccessDenied",
         "errorMessage": "User: arn:aws:iam::1:user/mallory is not authorized to perform: "
                         "iam:CreateAccessKey on resource: user bob"},
        {"eventName": "GetUser", "errorCode": "AccessDenied",
         "errorMessage": "User: arn:aws:iam::1:user/mallory is not authorized to perform: "
                         "iam:GetUser on resource: arn:aws:iam::1:user/carol because no "
                         "identity-based policy allows the iam:GetUser action"},
        {"eventName": "ListAccessKeys"},
        {"eventName": "UpdateUser", "requestParameters": {"userName": "old", "newUserName": "new"}},
    ]
    p = tmp_path / "u.json"
    p.write_text("".join(json.dumps({"eventTime": "2024-05-01T10:00:00Z", "eventType": "AwsApiCall",
                                     "userIdentity": ident, **r}) + "\n" for r in recs))
    t = load([p], host="h").table
    assert list(t["user_name"]) == ["bob", "carol", None, "new"]
    assert list(t["user_id"]) == [None, None, None, "old"]
    assert "user_type" not in t.columns  # null for all four calls
