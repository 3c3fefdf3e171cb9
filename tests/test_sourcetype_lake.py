"""aws:cloudtrail:lake: CloudTrail as Amazon Security Lake delivers it, in OCSF.

The records are written here from the OCSF schema (https://schema.ocsf.io: API Activity, class
6003; ``time`` is a timestamp_t, milliseconds since the epoch; actor, api, src_endpoint,
http_request, cloud are objects) in the shape of AWS's own Security Lake output (the vendor
records of ../shared/corpus/ocsf_security_lake). Three ESCU detections of the
``amazon_security_lake`` macro, their search text copied from
../shared/corpus/escu/detections/cloud/<name>.yml, fire on them; every expected row is worked
out by hand from the records and the search: stats gives one row per group, sorted by the
by-fields; fillnull (no field list) fills every null field of the events with 0; a JSON null is
extracted as the text "null" (spl.data.extract, as Splunk's JSON extraction shows it);
``field!=value`` keeps only events that have the field; security_content_ctime renders
%Y-%m-%dT%H:%M:%S in UTC.
"""
from __future__ import annotations

import calendar
import json
from pathlib import Path

import pytest

from spl.data import load
from spl.session import Session
from spl.values import is_null, to_str

MACROS = Path(__file__).resolve().parent / "fixtures" / "asl"
SHARED = Path(__file__).resolve().parents[1].parent / "shared"
OCSF = SHARED / "corpus" / "ocsf_security_lake" / "amazon_security_lake_ocsf_validation.ndjson"
ACCT = "111122223333"


def ms(text: str) -> int:
    """Epoch milliseconds of a UTC time written %Y-%m-%dT%H:%M:%S."""
    return calendar.timegm(tuple(int(x) for x in text.replace("T", "-").replace(":", "-")
                                 .split("-")) + (0, 0, 0)) * 1000


def api_activity(operation, when, *, uid, name, ip="203.0.113.50", agent="aws-cli/2.15.0",
                 region="us-west-2", status="Success", error=None, domain=None, identity=False,
                 credential="ASIAEXAMPLE0000001"):
    """An OCSF 1.1.0 API Activity record of a CloudTrail management event."""
    endpoint = {"uid": None, "domain": domain}
    if ip is not None:
        endpoint["ip"] = ip
    user = {"type": "IAMUser", "name": name, "uid": uid, "account_uid": ACCT,
            "credential_uid": credential}
    record = {
        "metadata": {"product": {"version": "1.09", "name": "CloudTrail", "vendor_name": "AWS",
                                 "feature": {"name": "Management"}},
                     "uid": f"uid-{operation}-{when}", "profiles": ["cloud"], "version": "1.1.0"},
        "time": ms(when),
        "cloud": {"region": region, "provider": "AWS"},
        "api": {"response": {"error": error, "message": None}, "operation": operation,
                "service": {"name": "cloudtrail.amazonaws.com"}},
        ("identity" if identity else "actor"): {"user": user},
        "http_request": {"user_agent": agent},
        "src_endpoint": endpoint,
        "class_name": "API Activity", "class_uid": 6003, "category_uid": 6,
        "activity_id": 4 if operation.startswith("Delete") else 2,
        "status": status, "status_id": 1 if status == "Success" else 2,
    }
    return record


def fire(search: str, records: list[dict], tmp_path: Path) -> list[dict]:
    """The result rows of ``search`` over the records (one file, its sourcetype detected)."""
    data = tmp_path / "lake.json"
    data.write_text("".join(json.dumps(r) + "\n" for r in records))
    session = Session(data, macros=[MACROS], lookup_output=tmp_path / "out")
    assert set(session.events["sourcetype"]) == {"aws:cloudtrail:lake"}
    table = session.run(search)
    return [{k: [to_str(x) for x in v] if isinstance(v, list) else to_str(v)
             for k, v in row.items() if not is_null(v)} for row in table.to_dict("records")]


# asl_aws_defense_evasion_delete_cloudtrail.yml
DELETE_TRAIL = """`amazon_security_lake` api.operation=DeleteTrail | fillnull | stats count min(_time) as firstTime max(_time) as lastTime by api.operation actor.user.account_uid actor.user.uid http_request.user_agent src_endpoint.ip cloud.region | rename actor.user.uid as user, src_endpoint.ip as src_ip, cloud.region as region, http_request.user_agent as user_agent, actor.user.account_uid as aws_account_id   | `security_content_ctime(firstTime)`| `security_content_ctime(lastTime)`| `asl_aws_defense_evasion_delete_cloudtrail_filter`"""


def test_delete_trail(tmp_path):
    records = [
        api_activity("DeleteTrail", "2025-03-01T10:00:00", uid="AIDAEXAMPLEMALLORY",
                     name="mallory"),
        api_activity("DeleteTrail", "2025-03-01T10:05:00", uid="AIDAEXAMPLEMALLORY",
                     name="mallory"),
        # called by an AWS service: no src_endpoint.ip, which fillnull makes 0
        api_activity("DeleteTrail", "2025-03-01T11:00:00", uid="AIDAEXAMPLEBOB", name="bob",
                     ip=None, agent="AWS Internal", region="us-east-1",
                     domain="cloudtrail.amazonaws.com"),
        api_activity("StopLogging", "2025-03-01T12:00:00", uid="AIDAEXAMPLEMALLORY",
                     name="mallory"),
    ]
    # sorted by the by-fields: DeleteTrail, 111122223333, then AIDAEXAMPLEBOB < ...MALLORY
    assert fire(DELETE_TRAIL, records, tmp_path) == [
        {"api.operation": "DeleteTrail", "aws_account_id": ACCT, "user": "AIDAEXAMPLEBOB",
         "user_agent": "AWS Internal", "src_ip": "0", "region": "us-east-1", "count": "1",
         "firstTime": "2025-03-01T11:00:00", "lastTime": "2025-03-01T11:00:00"},
        {"api.operation": "DeleteTrail", "aws_account_id": ACCT, "user": "AIDAEXAMPLEMALLORY",
         "user_agent": "aws-cli/2.15.0", "src_ip": "203.0.113.50", "region": "us-west-2",
         "count": "2", "firstTime": "2025-03-01T10:00:00", "lastTime": "2025-03-01T10:05:00"},
    ]


# asl_aws_iam_successful_group_deletion.yml
DELETE_GROUP = """`amazon_security_lake` api.operation=DeleteGroup status=Success | fillnull | stats count min(_time) as firstTime max(_time) as lastTime by api.operation actor.user.account_uid actor.user.name actor.user.uid http_request.user_agent src_endpoint.ip cloud.region | rename actor.user.name as user, src_endpoint.ip as src_ip, cloud.region as region, http_request.user_agent as user_agent, actor.user.account_uid as aws_account_id | `security_content_ctime(firstTime)` | `security_content_ctime(lastTime)` | `asl_aws_iam_successful_group_deletion_filter`"""


def test_successful_group_deletion(tmp_path):
    records = [
        api_activity("DeleteGroup", "2025-03-02T09:00:00", uid="AIDAEXAMPLEALICE",
                     name="alice", ip="198.51.100.20"),
        # failed: status Failure, out
        api_activity("DeleteGroup", "2025-03-02T09:01:00", uid="AIDAEXAMPLEALICE",
                     name="alice", ip="198.51.100.20", status="Failure",
                     error="DeleteConflictException"),
        # an assumed role: OCSF writes its user name as JSON null, extracted as "null"
        api_activity("DeleteGroup", "2025-03-02T09:30:00", uid="AROAEXAMPLE:ops-session",
                     name=None, ip="198.51.100.21", agent="Boto3/1.34.0"),
    ]
    # by actor.user.name: "alice" < "null"
    assert fire(DELETE_GROUP, records, tmp_path) == [
        {"api.operation": "DeleteGroup", "aws_account_id": ACCT, "user": "alice",
         "actor.user.uid": "AIDAEXAMPLEALICE", "user_agent": "aws-cli/2.15.0",
         "src_ip": "198.51.100.20", "region": "us-west-2", "count": "1",
         "firstTime": "2025-03-02T09:00:00", "lastTime": "2025-03-02T09:00:00"},
        {"api.operation": "DeleteGroup", "aws_account_id": ACCT, "user": "null",
         "actor.user.uid": "AROAEXAMPLE:ops-session", "user_agent": "Boto3/1.34.0",
         "src_ip": "198.51.100.21", "region": "us-west-2", "count": "1",
         "firstTime": "2025-03-02T09:30:00", "lastTime": "2025-03-02T09:30:00"},
    ]


# asl_aws_concurrent_sessions_from_different_ips.yml (OCSF 1.0.0-rc.2 names the actor "identity")
CONCURRENT = """`amazon_security_lake` api.operation=DescribeEventAggregates src_endpoint.domain!="AWS Internal" | bin span=5m _time | stats values(src_endpoint.ip) as src_ip dc(src_endpoint.ip) as distinct_ip_count by _time identity.user.credential_uid identity.user.name | where distinct_ip_count > 1 | rename identity.user.name as user | `asl_aws_concurrent_sessions_from_different_ips_filter`"""


def test_concurrent_sessions_from_different_ips(tmp_path):
    def call(when, ip, **kw):
        return api_activity("DescribeEventAggregates", when, uid="AIDAEXAMPLECAROL",
                            name="carol", ip=ip, identity=True, credential="ASIAEXAMPLECAROL01",
                            **kw)

    no_domain = call("2025-03-03T13:04:00", "192.0.2.55")
    del no_domain["src_endpoint"]["domain"]
    records = [
        call("2025-03-03T13:01:00", "203.0.113.9"),
        call("2025-03-03T13:03:00", "198.51.100.7"),
        call("2025-03-03T13:02:00", "192.0.2.1", domain="AWS Internal"),  # out: AWS Internal
        no_domain,                                                         # out: no domain
        call("2025-03-03T13:07:00", "198.51.100.7"),   # the next 5 minutes: one IP, out
    ]
    # 13:00-13:05: two IPs (values() sorts them); 13:05-13:10: one, removed by where
    assert fire(CONCURRENT, records, tmp_path) == [
        {"_time": str(ms("2025-03-03T13:00:00") // 1000),
         "identity.user.credential_uid": "ASIAEXAMPLECAROL01", "user": "carol",
         "src_ip": ["198.51.100.7", "203.0.113.9"], "distinct_ip_count": "2"},
    ]


def test_time_is_ocsf_time_in_milliseconds(tmp_path):
    data = tmp_path / "one.json"
    record = api_activity("DeleteTrail", "2025-03-01T10:00:00", uid="u", name="n")
    record["time"] = ms("2025-03-01T10:00:00") + 250
    data.write_text(json.dumps(record) + "\n")
    table = load([data]).table
    assert table["_time"].tolist() == [ms("2025-03-01T10:00:00") / 1000 + 0.25]


def test_fields_of_a_vendor_record():
    """Line 55 of the corpus's Security Lake file: an EKS audit event as AWS's OCSF 1.1.0
    output gives it (not reshaped: its provenance flags are not-at-HEAD, non-iso-time_dt).
    Expected values read off the record's text."""
    if not OCSF.is_file():
        pytest.skip(f"{SHARED} is absent: the shared corpus is only on the maintainers' machines")
    line = OCSF.read_text().splitlines()[54]
    result = load([OCSF])
    row = result.table.iloc[54]
    assert json.loads(row["_raw"]) == json.loads(line)
    expected = {
        "sourcetype": "aws:cloudtrail:lake",
        "_time": 1631047050.642,                      # "time":1631047050642
        "api.operation": "create",
        "api.response.code": "201",
        "actor.user.uid": "heptio-authenticator-aws:807086596601:AROA3X2Q4EH4V52NAOD7H",
        "actor.user.name": "system:node:ip-192-168-37-19.ec2.internal",
        "actor.user.groups{}.name": ["system:bootstrappers", "system:nodes",
                                     "system:authenticated"],
        "src_endpoint.ip": "44.192.38.67",
        "http_request.user_agent": "kubelet/v1.21.2 (linux/amd64) kubernetes/729bdfc",
        "metadata.product.name": "AWS EKS",
        "class_uid": "6003",
        # the CIM fields of API Activity (https://splunk.github.io/ocsf_cim_addon_for_splunk/mappings/6003)
        "action": "created",                          # activity_id 1
        "src": "44.192.38.67",                        # no src_endpoint.hostname
        "user": "heptio-authenticator-aws:807086596601:AROA3X2Q4EH4V52NAOD7H",
        "user_agent": "kubelet/v1.21.2 (linux/amd64) kubernetes/729bdfc",
        "object": "ip-192-168-37-19.ec2.internal",   # resources{}.name
        "object_category": "nodes",
        "vendor_product": "AWS EKS",
        "vendor_account": "arn:aws:sts::807086596601:assumed-role/eksctl-exciting-monster-"
                          "161366663-NodeInstanceRole-16T8Z03UJ56NA/i-0b4eb2161046b9119",
    }
    got = {k: row[k] for k in expected}
    assert got == expected
    assert is_null(row.get("dest")) and is_null(row.get("result_id"))  # no dst_endpoint, status_id
