"""spl's _json definition (spl/data/sourcetypes/_json/) for Kubernetes audit Events, loaded as
ESCU's test data loads them: sourcetype _json, source "kubernetes" (the kube_audit macro is
source="kubernetes").

The events (tests/fixtures/sourcetypes/_json/audit.ndjson) are written by hand in the shape of
audit.k8s.io/v1 Events (https://kubernetes.io/docs/reference/config-api/apiserver-audit.v1/).
_json has no CIM aliases: the fields asserted are the JSON paths Splunk's JSON extraction names.
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

ST = "_json"
DIR = "_json"
KUBECTL = "kubectl/v1.29.2 (linux/amd64) kubernetes/4b8e819"


def _audit_id(n: int) -> str:
    return f"4d2b7c1e-0000-4000-8000-{n:012d}"


@pytest.fixture(scope="module")
def audit():
    return events(DIR, "audit.ndjson", ST, "auditID", source="kubernetes")


def test_event_fields_and_time(audit):
    e = audit[_audit_id(4)]
    assert e["sourcetype"] == "_json" and e["source"] == "kubernetes"
    # requestReceivedTimestamp, microseconds
    assert e["_time"] == pytest.approx(utc("2024-06-10T09:00:00") + 0.5, abs=1e-6)
    assert e["stageTimestamp"] == "2024-06-10T09:00:00.500001Z"
    assert e["verb"] == "create" and e["stage"] == "ResponseComplete"
    assert e["user.username"] == "ci-bot"
    assert e["user.groups{}"] == ["system:authenticated", "ci"]   # an array: a multivalue field
    assert e["sourceIPs{}"] == "10.20.1.7"
    assert e["objectRef.resource"] == "services" and e["objectRef.name"] == "debug-np"
    assert e["responseStatus.code"] == "201"
    assert e["requestObject.kind"] == "Service"
    assert e["requestObject.spec.type"] == "NodePort"
    assert e["requestObject.spec.ports{}.nodePort"] == "30080"
    assert e["annotations.authorization.k8s.io/decision"] == "allow"


def test_forbidden_event_fields(audit):
    e = audit[_audit_id(6)]
    assert e["responseStatus.reason"] == "Forbidden"
    assert e["responseStatus.status"] == "Failure"
    assert e["responseStatus.code"] == "403"


def test_a_long_event_keeps_its_fields_past_5000_bytes(tmp_path):
    """INDEXED_EXTRACTIONS extracts the whole event (up to TRUNCATE, 10000 bytes): a field past
    the 5000 bytes of search-time auto-KV is still there."""
    record = json.loads((FIXTURES / DIR / "audit.ndjson").read_text().splitlines()[3])
    record["requestObject"]["metadata"]["annotations"] = {"padding": "x" * 6000}
    record["requestObject"]["spec"]["type"] = "LoadBalancer"   # after the padding
    path = tmp_path / "long.ndjson"
    path.write_text(json.dumps(record) + "\n")
    assert 6000 < len(path.read_bytes()) < 10000
    from spl.session import Session
    e = Session(path, sourcetype=ST, source="kubernetes").events.iloc[0]
    assert e["requestObject.spec.type"] == "LoadBalancer"


# ---------------------------------------------------------------- content detection

def test_rule_recognises_audit_events_and_not_others():
    assert rule(DIR)[0] == ST
    assert rule_matches(DIR, (FIXTURES / DIR / "audit.ndjson").read_text().splitlines())
    for other in ("o365_management_activity/sts_logons.ndjson", "OktaIM2_log/mfa.ndjson",
                  "azure_monitor_aad/audit.ndjson"):
        assert not rule_matches(DIR, (FIXTURES / other).read_text().splitlines())


def test_the_corpus_event_in_the_vendor_form(tmp_path):
    """security_content's Kubernetes audit example: the one corpus Event in the API server's
    own form with its timestamps (Panther's are mostly minimal, without them)."""
    [(line, flags)] = corpus_records("kubernetes_audit", "security_content_examples")
    assert not flags and rule_matches(DIR, [line])
    data = tmp_path / "k8s.ndjson"
    data.write_text(line + "\n")
    from spl.session import Session
    e = Session(data, sourcetype=ST, source="kubernetes").events.iloc[0]
    record = json.loads(line)
    assert e["_time"] == parse_event_time(record["requestReceivedTimestamp"])
    assert e["responseStatus.reason"] == "Forbidden"


# ---------------------------------------------------------------- ESCU detections

def _rows(search, tmp_path):
    return rows(session(DIR, "audit.ndjson", ST, source="kubernetes", lookup_output=tmp_path),
                search)


def test_kube_audit_needs_the_kubernetes_source(tmp_path):
    search = detection("cloud/kubernetes_unauthorized_access.yml")
    plain = session(DIR, "audit.ndjson", ST, lookup_output=tmp_path)   # source: the file path
    assert rows(plain, search) == []


def test_escu_kubernetes_abuse_of_secret_by_unusual_user_name(tmp_path):
    search = detection("cloud/kubernetes_abuse_of_secret_by_unusual_user_name.yml")
    # objectRef.resource=secrets verb=get: events 1 (dev-alice) and 2 (admin); NOT
    # `kube_allowed_user_names` (user.username=admin) leaves 1. Its user.groups{} has two
    # values, so stats by it gives a row for each ("developers" sorts before
    # "system:authenticated"), count 1 each; then sourceIPs{} becomes src_ip and
    # user.username user.
    common = {"objectRef.name": "db-creds", "objectRef.namespace": "prod",
              "objectRef.resource": "secrets",
              "requestReceivedTimestamp": "2024-06-10T08:15:30.123456Z",
              "requestURI": "/api/v1/namespaces/prod/secrets/db-creds",
              "responseStatus.code": "200", "src_ip": "10.20.0.5", "stage": "ResponseComplete",
              "user.uid": "uid-dev-alice", "user": "dev-alice", "userAgent": KUBECTL,
              "verb": "get", "count": "1"}
    assert _rows(search, tmp_path) == [{**common, "user.groups{}": "developers"},
                                       {**common, "user.groups{}": "system:authenticated"}]


def test_escu_kubernetes_node_port_creation(tmp_path):
    search = detection("cloud/kubernetes_node_port_creation.yml")
    # services, create, requestObject.spec.type=NodePort: event 4 only (5 is a ClusterIP).
    assert _rows(search, tmp_path) == [{
        "kind": "Event", "objectRef.name": "debug-np", "objectRef.namespace": "web",
        "objectRef.resource": "services", "requestObject.kind": "Service",
        "requestObject.spec.type": "NodePort", "responseStatus.code": "201",
        "src_ip": "10.20.1.7", "stage": "ResponseComplete", "user": "ci-bot",
        "userAgent": KUBECTL, "verb": "create", "count": "1",
        "user_groups": ["ci", "system:authenticated"]}]


def test_escu_kubernetes_unauthorized_access(tmp_path):
    search = detection("cloud/kubernetes_unauthorized_access.yml")
    # verb=create responseStatus.reason=Forbidden: events 6 (pods) and 7 (jobs). Every by-field
    # is present in both; they differ from objectRef.resource on, so two rows, "jobs" first.
    common = {"objectRef.namespace": "test2", "responseStatus.code": "403",
              "src_ip": "176.95.188.101", "stage": "ResponseComplete",
              "user.groups{}": "system:authenticated", "user.uid": "uid-k8s-test-user",
              "user": "k8s-test-user", "userAgent": KUBECTL, "verb": "create", "count": "1"}
    assert _rows(search, tmp_path) == [
        {**common, "objectRef.resource": "jobs",
         "requestReceivedTimestamp": "2024-06-10T10:00:05.000010Z",
         "requestURI": "/apis/batch/v1/namespaces/test2/jobs?fieldManager=kubectl-create",
         "responseStatus.message": 'jobs.batch is forbidden: User "k8s-test-user" cannot create '
                                   'resource "jobs" in API group "batch" in the namespace "test2"'},
        {**common, "objectRef.resource": "pods",
         "requestReceivedTimestamp": "2024-06-10T10:00:00.000010Z",
         "requestURI": "/api/v1/namespaces/test2/pods?fieldManager=kubectl-run",
         "responseStatus.message": 'pods is forbidden: User "k8s-test-user" cannot create '
                                   'resource "pods" in API group "" in the namespace "test2"'},
    ]
