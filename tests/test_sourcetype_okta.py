"""spl's OktaIM2:log definition (spl/data/sourcetypes/OktaIM2_log/).

The events (tests/fixtures/sourcetypes/OktaIM2_log/) are written by hand in the shape of Okta's
System Log LogEvent object (https://developer.okta.com/docs/reference/api/system-log/). Every
expected value is worked out from an event and the definition's props.conf, eventtypes.conf and
tags.conf.
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

ST = "OktaIM2:log"
DIR = "OktaIM2_log"


def _uuid(n: int) -> str:
    return f"5b1c8f2e-{n:04d}-11ef-9c2a-0b1d2e3f4a5b"


@pytest.fixture(scope="module")
def signins():
    return events(DIR, "single_factor.ndjson", ST, "uuid")


def test_definition_directory_is_the_sourcetype_name():
    from spl.data import load_sourcetype
    assert load_sourcetype(ST).time.fields == ("published",)


def test_authentication_event_fields(signins):
    e = signins[_uuid(43)]   # rupert's failed password verification
    assert e["_time"] == utc("2024-05-15T15:02:00")                 # published
    assert e["user"] == e["src_user"] == "rupert@example.com"       # actor.alternateId
    assert e["src_user_id"] == "00u00000000000000043"               # actor.id
    assert e["src_user_type"] == "User"                             # actor.type
    assert e["src_user_name"] == "Rupert"                           # actor.displayName
    assert e["src"] == e["src_ip"] == "198.51.100.42"               # client.ipAddress
    assert e["user_agent"].startswith("Mozilla/5.0 (Windows NT 10.0")
    assert e["signature"] == e["command"] == "user.authentication.verify"   # eventType
    assert e["description"] == "Verify user identity"               # displayMessage
    assert e["result"] == "FAILURE" and e["action"] == "failure"    # outcome.result
    assert e["reason"] == "INVALID_CREDENTIALS"                     # outcome.reason
    assert e["vendor_product"] == "Okta Identity Cloud"
    # an Authentication eventType (the add-on's CIM compatibility table): its event type and tag
    assert e["eventtype"] == "okta_identity_cloud_authentication"
    assert e["tag"] == "authentication"


def test_success_and_an_event_outside_authentication(tmp_path):
    spray = events(DIR, "spray.ndjson", ST, "uuid")
    assert spray[_uuid(90)]["action"] == "success"                  # SUCCESS
    mfa = events(DIR, "mfa.ndjson", ST, "uuid")
    assert mfa[_uuid(1)]["action"] == "failure"
    # outcome.reason is JSON null on a success: extracted as the text "null" (spl.data.extract)
    assert mfa[_uuid(12)]["reason"] == "null"
    from spl.session import Session
    other = tmp_path / "other.ndjson"
    record = json.loads((FIXTURES / DIR / "spray.ndjson").read_text().splitlines()[0])
    record.update(eventType="user.lifecycle.create", uuid="other")
    other.write_text(json.dumps(record) + "\n")
    e = Session(other, sourcetype=ST).events.iloc[0]
    assert e["signature"] == "user.lifecycle.create"
    assert "eventtype" not in e.index or e["eventtype"] is None     # no Authentication event type


# ---------------------------------------------------------------- content detection

def test_rule_recognises_system_log_events_and_not_others():
    assert rule(DIR)[0] == ST
    for name in ("mfa.ndjson", "single_factor.ndjson", "spray.ndjson"):
        assert rule_matches(DIR, (FIXTURES / DIR / name).read_text().splitlines())
    for other in ("o365_management_activity/sts_logons.ndjson", "azure_monitor_aad/audit.ndjson"):
        assert not rule_matches(DIR, (FIXTURES / other).read_text().splitlines())


def test_the_corpus_events_in_the_vendor_form(tmp_path):
    """Panther's Okta System Log test events that are in Okta's own form (no provenance flag):
    each meets the rule and gets published as _time, the actor as user."""
    lines = [line for line, flags in corpus_records("okta", "panther_analysis") if not flags]
    assert len(lines) == 20
    assert rule_matches(DIR, lines)
    data = tmp_path / "okta.ndjson"
    data.write_text("\n".join(lines) + "\n")
    from spl.session import Session
    table = Session(data, sourcetype=ST).events
    # Panther's test events reuse uuids: an event is its uuid and its published time
    by_id = {(row["uuid"], row["published"]): row for row in table.to_dict("records")}
    for line in lines:
        record = json.loads(line)
        e = by_id[record["uuid"], record["published"]]
        assert e["_time"] == parse_event_time(record["published"])
        assert e["user"] == record["actor"]["alternateId"]
        assert e["signature"] == record["eventType"]


# ---------------------------------------------------------------- ESCU detections

def test_escu_okta_multiple_failed_mfa_requests_for_user(tmp_path):
    search = detection("application/okta_multiple_failed_mfa_requests_for_user.yml")
    got = rows(session(DIR, "mfa.ndjson", ST, lookup_output=tmp_path), search)
    # auth_via_mfa, outcome FAILURE, factor not PASSWORD_AS_FACTOR: mallory's 10 (14:00:00 to
    # 14:04:30; not her PASSWORD_AS_FACTOR failure nor her success) and nina's 9. bucket 5m puts
    # all of them in 14:00; stats by _time src_user: mallory 10, nina 9; count >= 10 keeps
    # mallory. Her _time values are all the bucket's 14:00:00, so min and max are 14:00:00;
    # addresses .21 (first 5) and .22; factors OKTA_VERIFY_PUSH (first 7) and SMS_FACTOR.
    assert got == [{"_time": str(int(utc("2024-05-14T14:00:00"))),
                    "src_user": "mallory@example.com", "count": "10",
                    "firstTime": "2024-05-14T14:00:00", "lastTime": "2024-05-14T14:00:00",
                    "values(displayMessage)": "Authentication of user via MFA",
                    "src_ip": ["203.0.113.21", "203.0.113.22"],
                    "values(debugContext.debugData.factor)": ["OKTA_VERIFY_PUSH", "SMS_FACTOR"]}]


def test_escu_okta_successful_single_factor_authentication(tmp_path):
    search = detection("application/okta_successful_single_factor_authentication.yml")
    got = rows(session(DIR, "single_factor.ndjson", ST, lookup_output=tmp_path), search)
    # action=success src_user_type=User (eventType=verify OR eventType=auth_via_mfa): peggy's
    # two verifications (40, 41) and quentin's MFA (42); not rupert's failure (43), the
    # PublicClientApp actor (44) nor peggy's user.session.start (45). By src_ip user action:
    # peggy's group (targets Password) and quentin's (targets Okta Verify), which the final
    # search targets!="Okta Verify" drops. No event has authentication_method.
    assert got == [{"src_ip": "198.51.100.40", "user": "peggy@example.com", "action": "success",
                    "dc(eventType)": "1", "eventType": "user.authentication.verify",
                    "targets": "Password", "values(debugContext.debugData.url)": "/api/v1/authn",
                    "firstTime": "2024-05-15T15:00:00", "lastTime": "2024-05-15T15:10:00"}]


def test_escu_okta_multiple_users_failing_to_authenticate_from_ip(tmp_path):
    search = detection("application/okta_multiple_users_failing_to_authenticate_from_ip.yml")
    got = rows(session(DIR, "spray.ndjson", ST, lookup_output=tmp_path), search)
    # tstats over the Authentication data model: the user.session.start events are of event
    # type okta_identity_cloud_authentication, tagged authentication. action=failure and
    # signature user.session.start: 10 accounts from 192.0.2.99, 9 from 192.0.2.98 (user10's
    # success is not a failure). By _time span=5m (all at 16:00:00), src, sourcetype:
    # unique_accounts 10 and 9; > 9 keeps 192.0.2.99. Every event is at 16:00:00, so first and
    # last time are 16:00:00. No event has app or authentication_method.
    assert got == [{"_time": str(int(utc("2024-05-16T16:00:00"))), "src": "192.0.2.99",
                    "sourcetype": ST, "count": "10",
                    "lastTime": "2024-05-16T16:00:00", "firstTime": "2024-05-16T16:00:00",
                    "unique_accounts": "10", "signature": "user.session.start",
                    "user": [f"user{k:02d}@example.com" for k in range(10)]}]
