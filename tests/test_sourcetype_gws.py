"""spl's gws:reports:login definition (spl/data/sourcetypes/gws_reports_login/).

The activities (tests/fixtures/sourcetypes/gws_reports_login/) are written by hand in the shape
of the Admin SDK Reports API's login activities
(https://developers.google.com/admin-sdk/reports/v1/appendix/activity/login), one event per
activity as the Splunk Add-on for Google Workspace indexes them. Every expected value is worked
out from an activity and the definition's props.conf.
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

ST = "gws:reports:login"
DIR = "gws_reports_login"


def _key(n: int) -> str:
    return str(8830000000000000000 + n)


@pytest.fixture(scope="module")
def logins():
    return events(DIR, "login.ndjson", ST, "id.uniqueQualifier")


def test_failed_login_fields(logins):
    e = logins[_key(20)]   # wendy: password, then a phone challenge, failed
    assert e["_time"] == utc("2024-07-01T12:10:00")                # id.time, a nested key
    assert e["user"] == e["user_id"] == e["user_name"] == "wendy@example.org"  # actor.email
    assert e["src"] == e["src_ip"] == "192.0.2.33"                 # ipAddress
    assert e["signature"] == "login"                               # event.type
    assert e["app"] == "login"                                     # id.applicationName
    assert e["vendor_account"] == "C03ab12cd"                      # id.customerId
    assert e["action"] == "failure"                                # event.name login_failure
    assert e["login_challenge_method"] == e["authentication_method"] == [
        "password", "idv_preregistered_phone"]
    assert e["vendor_product"] == "Google Workspace"


def test_successful_login(logins):
    e = logins[_key(31)]
    assert e["_time"] == utc("2024-07-01T13:20:00") + 0.25
    assert e["action"] == "success"
    assert e["login_challenge_method"] == "password"


# ---------------------------------------------------------------- content detection

def test_rule_recognises_login_activities_and_not_others():
    assert rule(DIR)[0] == ST
    assert rule_matches(DIR, (FIXTURES / DIR / "login.ndjson").read_text().splitlines())
    for other in ("OktaIM2_log/mfa.ndjson", "azure_monitor_aad/signins.ndjson"):
        assert not rule_matches(DIR, (FIXTURES / other).read_text().splitlines())


def test_the_corpus_activities_in_the_add_on_form(tmp_path):
    """security_content's two gws login activities, in the add-on's one-event form."""
    found = corpus_records("google_workspace", "security_content_examples")
    assert [flags for _, flags in found] == ["splunk-ta-single-event-object"] * 2
    lines = [line for line, _ in found]
    assert rule_matches(DIR, lines)
    data = tmp_path / "gws.ndjson"
    data.write_text("\n".join(lines) + "\n")
    from spl.session import Session
    table = Session(data, sourcetype=ST).events
    by_id = {row["id.uniqueQualifier"]: row for row in table.to_dict("records")}
    for line in lines:
        record = json.loads(line)
        e = by_id[record["id"]["uniqueQualifier"]]
        assert e["_time"] == parse_event_time(record["id"]["time"])
        assert e["user"] == record["actor"]["email"]
        assert e["action"] == {"login_failure": "failure", "login_success": "success"}[
            record["event"]["name"]]


# ---------------------------------------------------------------- ESCU detections

def _rows(name, tmp_path):
    search = detection(f"cloud/{name}.yml")
    return rows(session(DIR, "login.ndjson", ST, lookup_output=tmp_path), search)


def test_escu_gcp_authentication_failed_during_mfa_challenge(tmp_path):
    # login_failure with a second-factor method (`gws_login_mfa_methods`: any multiValue value
    # in its list): victor's 10 (google_prompt) and wendy's first (password +
    # idv_preregistered_phone); not her password-only failure. stats by user, src_ip and the
    # multivalue login_challenge_method: a row per value, so wendy's one failure counts under
    # idv_preregistered_phone and under password. firstTime/lastTime stay epoch seconds.
    assert _rows("gcp_authentication_failed_during_mfa_challenge", tmp_path) == [
        {"user": "victor@example.org", "src_ip": "203.0.113.77",
         "login_challenge_method": "google_prompt", "count": "10",
         "firstTime": str(int(utc("2024-07-01T12:00:00"))),
         "lastTime": str(int(utc("2024-07-01T12:04:30")))},
        {"user": "wendy@example.org", "src_ip": "192.0.2.33",
         "login_challenge_method": "idv_preregistered_phone", "count": "1",
         "firstTime": str(int(utc("2024-07-01T12:10:00"))),
         "lastTime": str(int(utc("2024-07-01T12:10:00")))},
        {"user": "wendy@example.org", "src_ip": "192.0.2.33",
         "login_challenge_method": "password", "count": "1",
         "firstTime": str(int(utc("2024-07-01T12:10:00"))),
         "lastTime": str(int(utc("2024-07-01T12:10:00")))},
    ]


def test_escu_gcp_multiple_failed_mfa_requests_for_user(tmp_path):
    # The same 11 failures; bucket 5m: victor's in 12:00, wendy's in 12:10. dc(_raw) by src_ip,
    # login_challenge_method, _time: victor's group 10 (each activity its own _raw), wendy's two
    # groups 1 each; >= 10 keeps victor's.
    assert _rows("gcp_multiple_failed_mfa_requests_for_user", tmp_path) == [
        {"src_ip": "203.0.113.77", "login_challenge_method": "google_prompt",
         "_time": str(int(utc("2024-07-01T12:00:00"))), "mfa_prompts": "10",
         "user": "victor@example.org"}]


def test_escu_gcp_successful_single_factor_authentication(tmp_path):
    # login_success without a second-factor method: xavier's two password-only logins
    # (13:00:00, 13:20:00.25); yolanda's used google_prompt. One group; ctime prints seconds.
    assert _rows("gcp_successful_single_factor_authentication", tmp_path) == [
        {"user": "xavier@example.org", "src_ip": "198.51.100.90",
         "login_challenge_method": "password", "app": "login", "event.name": "login_success",
         "vendor_account": "C03ab12cd", "action": "success", "count": "2",
         "firstTime": "2024-07-01T13:00:00", "lastTime": "2024-07-01T13:20:00"}]
