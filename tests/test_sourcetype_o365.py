"""spl's o365:management:activity definition (spl/data/sourcetypes/o365_management_activity/).

The records (tests/fixtures/sourcetypes/o365_management_activity/) are written by hand in the
shape of Microsoft's Office 365 Management Activity API schema (common schema, Azure AD STS logon,
Azure AD, Exchange admin and SharePoint file operation schemas:
https://learn.microsoft.com/office/office-365-management-api/office-365-management-activity-api-schema).
Every expected value below is worked out from a record and the definition's props.conf.
"""
from __future__ import annotations

import json

import pytest

from sourcetype_cases import (
    FIXTURES,
    corpus_records,
    detection,
    events,
    rows,
    rule,
    rule_matches,
    session,
    utc,
)
from spl.data.extract import parse_event_time

ST = "o365:management:activity"
DIR = "o365_management_activity"
ORG = "d541aae6-6b73-4a7c-aaf0-a4de30c872bc"


@pytest.fixture(scope="module")
def admin():
    return events(DIR, "admin_activity.ndjson", ST, "Id")


@pytest.fixture(scope="module")
def logons():
    return events(DIR, "sts_logons.ndjson", ST, "Id")


def test_time_is_creation_time_read_as_utc(admin):
    # CreationTime "2024-03-06T11:20:31" has no zone: the schema says it is UTC
    assert admin["22222222-0000-4000-8000-000000000001"]["_time"] == utc("2024-03-06T11:20:31")


def test_exchange_admin_cmdlet_fields(admin):
    e = admin["22222222-0000-4000-8000-000000000001"]
    assert e["sourcetype"] == ST
    assert e["user"] == e["user_id"] == "admin@contoso.onmicrosoft.com"      # UserId
    assert e["src_ip"] == e["src"] == "2001:db8::5"        # "[2001:db8::5]:51234" without the port
    assert e["object"] == "contoso.onmicrosoft.com\\frank"                     # ObjectId
    assert e["signature"] == e["command"] == "Set-Mailbox"                     # Operation
    assert e["record_type"] == "ExchangeAdmin"                                 # RecordType 1
    assert e["user_type"] == "Admin"                                           # UserType 2
    assert e["action"] == e["status"] == "success"                             # ResultStatus "True"
    assert e["vendor_account"] == ORG                                          # OrganizationId
    assert e["vendor_product"] == "Microsoft Office 365"
    assert "user_agent" not in e and "reason" not in e


def test_exchange_ipv4_client_with_port_and_failure(admin):
    e = admin["22222222-0000-4000-8000-000000000002"]
    assert e["src_ip"] == e["src"] == "71.1.1.1"                                # "71.1.1.1:61528"
    assert e["action"] == e["status"] == "failure"                             # ResultStatus "False"
    assert e["user_type"] == "Regular"                                         # UserType 0
    assert e["user"] == "grace@contoso.onmicrosoft.com"


def test_sharepoint_file_operation_fields(admin):
    e = admin["33333333-0000-4000-8000-000000000001"]
    assert e["record_type"] == "SharePointFileOperation"                       # RecordType 6
    assert e["src_ip"] == "198.51.100.3"                                       # ClientIP as it is
    # UserAgent is a property of the SharePoint base schema itself
    assert e["user_agent"] == e["UserAgent"] == (
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_3) Safari/605.1.15")
    assert e["object"] == "https://contoso.sharepoint.com/sites/finance/Shared Documents/q1.xlsx"
    assert "action" not in e and "status" not in e                            # no ResultStatus


def test_azure_ad_record_without_client_ip_uses_the_actor_address(admin):
    e = admin["11111111-0000-4000-8000-000000000001"]
    assert e["record_type"] == "AzureActiveDirectory"                          # RecordType 8
    assert e["src_ip"] == e["src"] == "203.0.113.50"                           # ActorIpAddress
    assert e["object"] == "carol@contoso.onmicrosoft.com"                      # the target user
    assert e["action"] == "success"                                            # ResultStatus Success


def test_sts_logon_fields(logons):
    failed = logons["00000000-0000-4000-8000-000000000002"]   # alice's 2nd failure, 10:00:25
    assert failed["_time"] == utc("2024-03-05T10:00:25")
    assert failed["record_type"] == "AzureActiveDirectoryStsLogon"             # RecordType 15
    # the logon's outcome is its Operation (ResultStatus is the HTTP call's)
    assert failed["action"] == failed["status"] == "failure"
    assert failed["reason"] == "InvalidUserNameOrPassword"                     # LogonError
    assert failed["src_ip"] == "203.0.113.7"
    # ExtendedProperties / DeviceProperties Name -> Value
    assert failed["UserAgent"] == failed["user_agent"] == "python-requests/2.31.0"
    assert failed["UserAuthenticationMethod"] == "1"
    assert failed["RequestType"] == "OAuth2:Token"
    assert failed["ResultStatusDetail"] == "UserError"
    assert failed["OS"] == "Windows10" and failed["BrowserType"] == "Chrome"
    ok = logons["00000000-0000-4000-8000-000000000020"]
    assert ok["action"] == ok["status"] == "success" and "reason" not in ok


# ---------------------------------------------------------------- content detection

def test_rule_recognises_audit_records_and_not_cloudtrail():
    assert rule(DIR)[0] == ST
    for name in ("admin_activity.ndjson", "sts_logons.ndjson"):
        assert rule_matches(DIR, (FIXTURES / DIR / name).read_text().splitlines())
    cloudtrail = sorted((FIXTURES.parent / "escu_cloudtrail").glob("*.ndjson"))
    assert cloudtrail
    for path in cloudtrail:
        assert not rule_matches(DIR, path.read_text().splitlines()), path


def test_the_corpus_records_in_the_vendor_form(tmp_path):
    """security_content's o365 example records, as the add-on indexes them: each one that is
    in the vendor's form (no provenance flag) meets the rule, gets its CreationTime as _time and
    the common schema's CIM fields."""
    found = [(line, flags) for line, flags in corpus_records("o365", "security_content_examples")
             if not flags]
    assert len(found) == 17
    lines = [line for line, _ in found]
    assert rule_matches(DIR, lines)
    data = tmp_path / "o365.ndjson"
    data.write_text("\n".join(lines) + "\n")
    from spl.session import Session
    table = Session(data, sourcetype=ST).events
    by_id = {row["Id"]: row for row in table.to_dict("records")}
    for line in lines:
        record = json.loads(line)
        e = by_id[record["Id"]]
        assert e["_time"] == parse_event_time(record["CreationTime"])
        assert e["user"] == record["UserId"]
        assert e["signature"] == record["Operation"]
        assert e["vendor_account"] == record["OrganizationId"]
        assert isinstance(e["record_type"], str) and not e["record_type"].isdigit()


# ---------------------------------------------------------------- ESCU detections

def test_escu_o365_disable_mfa(tmp_path):
    search = detection("cloud/o365_disable_mfa.yml")
    got = rows(session(DIR, "admin_activity.ndjson", ST, lookup_output=tmp_path), search)
    # Operation="Disable Strong Authentication." keeps records 1-3 (record 4 enables it).
    # stats ... by UserType Operation UserId ResultStatus object: UserType 2, the same
    # Operation, UserId admin@, ResultStatus Success for all three; object (ObjectId) is carol
    # for 1 and 2 (08:15:00, 08:45:10), dave for 3 (09:00:00): two groups, sorted by object.
    # The renames then give user_type, action, src_user, result and user; security_content_ctime
    # prints the times as %Y-%m-%dT%H:%M:%S (UTC).
    common = {"user_type": "2", "action": "Disable Strong Authentication.",
              "src_user": "admin@contoso.onmicrosoft.com", "result": "Success"}
    assert got == [
        {**common, "user": "carol@contoso.onmicrosoft.com", "count": "2",
         "firstTime": "2024-03-06T08:15:00", "lastTime": "2024-03-06T08:45:10"},
        {**common, "user": "dave@contoso.onmicrosoft.com", "count": "1",
         "firstTime": "2024-03-06T09:00:00", "lastTime": "2024-03-06T09:00:00"},
    ]


def test_escu_o365_high_number_of_failed_authentications_for_user(tmp_path):
    search = detection("cloud/o365_high_number_of_failed_authentications_for_user.yml")
    got = rows(session(DIR, "sts_logons.ndjson", ST, lookup_output=tmp_path), search)
    # Operation=UserLoginFailed record_type=AzureActiveDirectoryStsLogon (RecordType 15)
    # Workload=AzureActiveDirectory: alice's 12 failures and bob's 10 (not alice's sign-in).
    # bucket span=5m: alice's first 11 (10:00:00-10:04:10) and all of bob's (10:00:00-10:04:30)
    # fall in 10:00; alice's 12th (10:05:00) in 10:05. dc(_raw) by user, _time: alice@10:00 11,
    # alice@10:05 1, bob@10:00 10 (each record has its own Id, so its own _raw). where > 10
    # keeps alice@10:00, whose addresses are 203.0.113.7 (6) and 203.0.113.8 (5).
    assert got == [{"user": "alice@contoso.onmicrosoft.com",
                    "_time": str(int(utc("2024-03-05T10:00:00"))),
                    "failed_attempts": "11", "src_ip": ["203.0.113.7", "203.0.113.8"]}]


def test_escu_o365_excessive_authentication_failures_alert(tmp_path):
    search = detection("cloud/o365_excessive_authentication_failures_alert.yml")
    got = rows(session(DIR, "sts_logons.ndjson", ST, lookup_output=tmp_path), search)
    # Workload=AzureActiveDirectory UserAuthenticationMethod=* (every record has the property)
    # status=failure: alice's 12 failures and bob's 10. by user: alice 12, bob 10; count > 10
    # keeps alice. Her methods: "1" (11) and "3" (the 10:05 one); user agents alternate
    # Chrome (even k, and the 10:05 one) / python-requests (odd k); status failure; addresses
    # 198.51.100.20, 203.0.113.7, 203.0.113.8 (values() sorts them as text).
    assert got == [{
        "user": "alice@contoso.onmicrosoft.com", "count": "12",
        "firstTime": "2024-03-05T10:00:00", "lastTime": "2024-03-05T10:05:00",
        "UserAuthenticationMethod": ["1", "3"],
        "UserAgent": ["Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/120.0",
                      "python-requests/2.31.0"],
        "status": "failure",
        "src_ip": ["198.51.100.20", "203.0.113.7", "203.0.113.8"],
    }]
