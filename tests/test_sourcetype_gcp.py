"""spl's google:gcp:pubsub:message definition (spl/data/sourcetypes/google_gcp_pubsub_message/).

The messages (tests/fixtures/sourcetypes/google_gcp_pubsub_message/) are written by hand: Cloud
Audit Log entries (https://cloud.google.com/logging/docs/reference/v2/rest/v2/LogEntry, AuditLog
payload) in the Pub/Sub message form the Splunk Add-on for Google Cloud Platform indexes,
{"publish_time", "data": <LogEntry>, "attributes"}. Every expected value is worked out from a
message and the definition's props.conf.

ESCU's 2024 snapshot has four google_gcp_pubsub_message detections; two are run here. The other
two cannot be made to fire on this sourcetype's JSON: detect_gcp_storage_access_from_a_new_ip
reads GCS usage logs with multikv (CSV text, not a LogEntry) and
gcp_kubernetes_cluster_pod_scan_detection reads category=kube-audit and properties.log, which
are Azure Monitor's fields, not a Pub/Sub message's.
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

ST = "google:gcp:pubsub:message"
DIR = "google_gcp_pubsub_message"


@pytest.fixture(scope="module")
def messages():
    return events(DIR, "messages.ndjson", ST, "data.insertId")


def test_audit_log_entry_fields(messages):
    e = messages["x1y2z30001"]
    assert e["_time"] == utc("2024-08-01T09:00:00")        # data.timestamp, nanoseconds
    assert e["publish_time"] == "1722503001.0"              # the message's own, later
    assert e["user"] == e["src_user"] == "attacker-sa@victim-proj.iam.gserviceaccount.com"
    assert e["src"] == e["src_ip"] == "203.0.113.150"      # requestMetadata.callerIp
    assert e["http_user_agent"] == e["user_agent"] == (
        "google-api-python-client/1.7.11 (gzip),gzip(gfe)")
    assert e["signature"] == e["command"] == (
        "google.cloud.functions.v1.CloudFunctionsService.CreateFunction")   # methodName
    assert e["dest"] == "cloudfunctions.googleapis.com"    # serviceName
    assert e["object"] == "projects/victim-proj/locations/us-central1/functions/fn1"
    assert e["vendor_account"] == "victim-proj"            # resource.labels.project_id
    assert e["action"] == "success"                        # status {}: no code, OK
    assert e["vendor_product"] == "Google Cloud Platform"


def test_a_failed_call(tmp_path):
    record = json.loads((FIXTURES / DIR / "messages.ndjson").read_text().splitlines()[0])
    record["data"]["protoPayload"]["status"] = {"code": 7, "message": "PERMISSION_DENIED"}
    path = tmp_path / "denied.ndjson"
    path.write_text(json.dumps(record) + "\n")
    from spl.session import Session
    assert Session(path, sourcetype=ST).events.iloc[0]["action"] == "failure"


# ---------------------------------------------------------------- content detection

def test_rule_recognises_messages_and_not_others():
    assert rule(DIR)[0] == ST
    assert rule_matches(DIR, (FIXTURES / DIR / "messages.ndjson").read_text().splitlines())
    for other in ("OktaIM2_log/mfa.ndjson", "_json/audit.ndjson",
                  "gws_reports_login/login.ndjson"):
        assert not rule_matches(DIR, (FIXTURES / other).read_text().splitlines())


def test_the_corpus_log_entries_wrapped_as_messages(tmp_path):
    """Panther's GCP audit log entries in Google's own form (no provenance flag), each put in a
    Pub/Sub message as the add-on receives it: _time is the entry's timestamp."""
    lines = [line for line, flags in corpus_records("gcp_audit", "panther_analysis") if not flags]
    assert len(lines) == 30
    wrapped = [json.dumps({"publish_time": 1700000000.5, "data": json.loads(line),
                           "attributes": {}}) for line in lines]
    assert rule_matches(DIR, wrapped)
    data = tmp_path / "gcp.ndjson"
    data.write_text("\n".join(wrapped) + "\n")
    from spl.session import Session
    table = Session(data, sourcetype=ST).events
    assert sorted(table["_time"]) == sorted(parse_event_time(json.loads(line)["timestamp"])
                                            for line in lines)


# ---------------------------------------------------------------- ESCU detections

def _rows(name, tmp_path):
    search = detection(f"cloud/{name}.yml")
    return rows(session(DIR, "messages.ndjson", ST, lookup_output=tmp_path), search)


def test_escu_gcp_detect_gcploit_framework(tmp_path):
    # request.function.timeout=539s (GCPloit's function timeout): message 1 only (2 is 60s).
    assert _rows("gcp_detect_gcploit_framework", tmp_path) == [{
        "src": "203.0.113.150",
        "src_user": "attacker-sa@victim-proj.iam.gserviceaccount.com",
        "data.resource.labels.project_id": "victim-proj",
        "data.protoPayload.request.function.serviceAccountEmail":
            "victim-proj@appspot.gserviceaccount.com",
        "data.protoPayload.authorizationInfo{}.permission": "cloudfunctions.functions.create",
        "data.protoPayload.request.location": "projects/victim-proj/locations/us-central1",
        "http_user_agent": "google-api-python-client/1.7.11 (gzip),gzip(gfe)"}]


def test_escu_detect_new_open_gcp_storage_buckets(tmp_path):
    # The detection ends "| search `detect_new_open_gcp_storage_buckets_filter`": with the
    # filter macro undefined spl expands it to "search *" (ESCU's definition of its filter
    # macros), which makes "| search search *", a search for the word "search". Whether Splunk
    # reads that the same way is not settled here, so the search is run without that last
    # command (left to the maintainers; see the report of this work).
    search = detection("cloud/detect_new_open_gcp_storage_buckets.yml")
    tail = "| search `detect_new_open_gcp_storage_buckets_filter`"
    assert search.rstrip().endswith(tail)
    search = search.rstrip()[:-len(tail)]
    got = rows(session(DIR, "messages.ndjson", ST, lookup_output=tmp_path), search)
    # gcs_bucket setIamPermissions: messages 3-5; spath takes the binding delta's action, role
    # and member, the caller, location and bucket; member=allUsers AND action=ADD keeps 3
    # (4 adds a user, 5 removes allUsers).
    assert got == [{
        "_time": str(int(utc("2024-08-01T10:00:00"))),
        "bucketName": "projects/_/buckets/public-data", "src": "198.51.100.12",
        "user": "alice@example.com", "location": "us", "action": "ADD",
        "role": "roles/storage.objectViewer", "member": "allUsers"}]
