"""spl's azure:monitor:aad definition (spl/data/sourcetypes/azure_monitor_aad/).

The records (tests/fixtures/sourcetypes/azure_monitor_aad/) are written by hand in the shape of
Entra ID sign-in and audit logs as Azure Monitor exports them: the resource-log envelope (time,
resourceId .../providers/Microsoft.aadiam, operationName, category, tenantId, callerIpAddress)
around Microsoft Graph's signIn and directoryAudit resources in "properties"
(https://learn.microsoft.com/graph/api/resources/signin,
https://learn.microsoft.com/graph/api/resources/directoryaudit). Every expected value is worked
out from a record and the definition's props.conf.
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

ST = "azure:monitor:aad"
DIR = "azure_monitor_aad"
TENANT = "3f1c2a9e-5b7d-4c8e-9a0b-1c2d3e4f5a6b"
IVAN = "ivan@contoso.com"


@pytest.fixture(scope="module")
def signins():
    return events(DIR, "signins.ndjson", ST, "properties.id")


@pytest.fixture(scope="module")
def audits():
    return events(DIR, "audit.ndjson", ST, "correlationId")


def _signin(n: int) -> str:
    return f"6a0f7c2e-0000-4000-8000-{n:012d}"


def _audit(n: int) -> str:
    return f"a0d1b2c3-0000-4000-8000-{n:012d}"


def test_failed_sign_in_fields(signins):
    e = signins[_signin(1)]
    assert e["_time"] == utc("2024-04-02T10:00:00") + 0.5         # time, .5000000Z
    assert e["user"] == IVAN                                       # properties.userPrincipalName
    assert e["user_id"] == "0d4e3a8b-0000-4000-8000-00000000000a"  # properties.userId
    assert e["src_ip"] == e["src"] == "198.51.100.61"              # properties.ipAddress
    assert e["user_agent"] == "Mozilla/5.0 (X11; Linux x86_64) Firefox/123.0"
    assert e["action"] == "failure"                                # status.errorCode 50126
    assert e["reason"] == ("Invalid username or password or Invalid on-premise username or "
                           "password.")                            # status.failureReason
    assert e["signature"] == e["command"] == "Sign-in activity"    # operationName
    assert e["app"] == "Microsoft Azure PowerShell"                # properties.appDisplayName
    assert e["vendor_account"] == TENANT                           # tenantId
    assert e["vendor_product"] == "Microsoft Entra ID"
    assert "src_user" not in e and "object" not in e


def test_successful_sign_in(signins):
    e = signins[_signin(30)]
    assert e["action"] == "success" and "reason" not in e          # status.errorCode 0


def test_audit_change_targeting_a_user(audits):
    e = audits[_audit(1)]
    assert e["_time"] == utc("2024-04-03T09:00:00") + 0.1234567
    assert e["user"] == "kim@contoso.com"                # targetResources{}.userPrincipalName
    assert e["src_user"] == "admin@contoso.com"          # initiatedBy.user.userPrincipalName
    assert e["src_user_type"] == "user"
    assert e["src_ip"] == "198.51.100.77"                # initiatedBy.user.ipAddress
    assert e["action"] == "success"                      # properties.result
    # userAgent is null and there are no additionalDetails; the target's displayName is null
    assert "user_agent" not in e and "object" not in e


def test_audit_change_targeting_no_user(audits):
    e = audits[_audit(4)]
    assert e["user"] == "admin@contoso.com"     # no target user: the one who made the change
    assert e["object"] == "contoso-login.example"
    assert e["user_agent"] == "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Edg/122.0"
    assert audits[_audit(6)]["action"] == "failure"


def test_audit_change_made_by_an_app(audits):
    e = audits[_audit(7)]
    assert e["src_user"] == "Deploy Bot"                 # initiatedBy.app.displayName
    assert e["src_user_type"] == "servicePrincipal"
    assert e["object"] == "Office 365 Exchange Online"
    assert "user" not in e and "src_ip" not in e


# ---------------------------------------------------------------- content detection

def test_rule_recognises_entra_records_and_not_others():
    assert rule(DIR)[0] == ST
    for name in ("signins.ndjson", "audit.ndjson"):
        assert rule_matches(DIR, (FIXTURES / DIR / name).read_text().splitlines())
    for other in ("o365_management_activity/sts_logons.ndjson",
                  "o365_management_activity/admin_activity.ndjson"):
        assert not rule_matches(DIR, (FIXTURES / other).read_text().splitlines())


def test_the_corpus_records_in_the_vendor_form(tmp_path):
    """security_content's azure:monitor:aad example records (15 audit, 1 sign-in): each meets
    the rule and gets its time as _time, its operationName as signature."""
    lines = [line for line, flags in corpus_records("azure_ad", "security_content_examples")
             if not flags]
    assert len(lines) == 16
    assert rule_matches(DIR, lines)
    data = tmp_path / "aad.ndjson"
    data.write_text("\n".join(lines) + "\n")
    from spl.session import Session
    table = Session(data, sourcetype=ST).events
    by_id = {row["properties.id"]: row for row in table.to_dict("records")}
    for line in lines:
        record = json.loads(line)
        e = by_id[record["properties"]["id"]]
        assert e["_time"] == parse_event_time(record["time"])
        assert e["signature"] == record["operationName"]
        assert e["action"] in ("success", "failure")


# ---------------------------------------------------------------- ESCU detections

def test_escu_azure_ad_multi_factor_authentication_disabled(tmp_path):
    search = detection("cloud/azure_ad_multi_factor_authentication_disabled.yml")
    got = rows(session(DIR, "audit.ndjson", ST, lookup_output=tmp_path), search)
    # category=AuditLogs operationName="Disable Strong Authentication": audit records 1-3.
    # After the renames, by user (the target: kim, leo, kim), type (targetResources{}.type
    # User), operationName, initiatedBy (admin@contoso.com), result (success): kim's group holds
    # 1 (09:00:00.1234567) and 3 (09:30:00), leo's 2 (09:05:00); sorted by user. ctime prints
    # whole seconds.
    common = {"type": "User", "operationName": "Disable Strong Authentication",
              "initiatedBy": "admin@contoso.com", "result": "success"}
    assert got == [
        {"user": "kim@contoso.com", **common, "count": "2",
         "firstTime": "2024-04-03T09:00:00", "lastTime": "2024-04-03T09:30:00"},
        {"user": "leo@contoso.com", **common, "count": "1",
         "firstTime": "2024-04-03T09:05:00", "lastTime": "2024-04-03T09:05:00"},
    ]


def test_escu_azure_ad_high_number_of_failed_authentications_for_user(tmp_path):
    search = detection("cloud/azure_ad_high_number_of_failed_authentications_for_user.yml")
    got = rows(session(DIR, "signins.ndjson", ST, lookup_output=tmp_path), search)
    # category=SignInLogs errorCode=50126 succeeded=false: ivan's 21 interactive failures (not
    # his success, nor his NonInteractiveUserSignInLogs failure) and judy's 20. bucket span=10m
    # floors _time to 10:00 or 10:10 (ivan's run from 10:00:00.5 to 10:12:00.5); stats by user:
    # ivan 21, judy 20; count > 20 keeps ivan: min 10:00:00, max 10:10:00, his two addresses
    # (198.51.100.61 for every third sign-in, 203.0.113.9 for the rest).
    assert got == [{"user": IVAN, "count": "21", "firstTime": "2024-04-02T10:00:00",
                    "lastTime": "2024-04-02T10:10:00",
                    "src_ip": ["198.51.100.61", "203.0.113.9"]}]


def test_escu_azure_ad_new_custom_domain_added(tmp_path):
    search = detection("cloud/azure_ad_new_custom_domain_added.yml")
    got = rows(session(DIR, "audit.ndjson", ST, lookup_output=tmp_path), search)
    # operationName="Add unverified domain" properties.result=success: records 4 and 5 (6
    # failed). Their target is a domain, with no user: user is admin@contoso.com, who added it;
    # domain is targetResources{}.displayName; src_ip is the admin's ipAddress. One group.
    assert got == [{"user": "admin@contoso.com", "domain": "contoso-login.example",
                    "result": "success", "operationName": "Add unverified domain",
                    "src_ip": "198.51.100.77", "count": "2",
                    "firstTime": "2024-04-03T11:00:00", "lastTime": "2024-04-03T11:02:00"}]
