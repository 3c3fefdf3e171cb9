"""spl hunt with ESCU's own detections (../shared corpus) over tests/fixtures/hunt/cloudtrail.json,
and the seed detection's drilldowns. Skipped when ../shared is absent.

The data trips five ESCU AWS detections for two users (worked out from their searches):

- AWS Bedrock Delete Knowledge Base: alice's DeleteKnowledgeBase of KB12345678 (finding.entity
  user, score 50; T1485 Data Destruction: impact TA0040);
- AWS Bedrock High Number List Foundation Model Failures: alice's ten AccessDenied
  ListFoundationModels (``where count > 9``; rba user 50; T1580: discovery TA0007);
- AWS SAML Update identity provider: bob's UpdateSAMLProvider (user 50; T1078 Valid Accounts:
  initial access TA0001, persistence TA0003, privilege escalation TA0004, defense evasion
  TA0005);
- AWS SetDefaultPolicyVersion: alice's and bob's (stats by ... user: alice's row first; user 50
  each; T1078.004 Cloud Accounts: the four tactics of T1078);
- AWS Successful Single-Factor Authentication: alice's console sign-in with MFAUsed=No (user
  50; T1078.004 and T1586.003 Compromise Accounts: Cloud Accounts, resource development
  TA0042).

Each row is dated 09:30:00, the last event (rows without _time: tests/test_hunt.py).

Incident rules with ES's defaults: alice 50 * 4 = 200 > 100 -> "Risk Threshold Exceeded";
bob 50 + 50 = 100, not above 100 -> nothing. Tactics of alice: TA0040, TA0007, TA0001, TA0003,
TA0004, TA0005, TA0042 = 7 >= 3, from 4 detections >= 4 -> "ATT&CK Tactic Threshold Exceeded";
bob: 2 detections < 4 -> nothing.
"""
from __future__ import annotations

import calendar
from pathlib import Path

import pytest

from spl.hunt import HuntData, Options, run_hunt

FIX = Path(__file__).parent / "fixtures" / "hunt"
DATA = FIX / "cloudtrail.json"
LAST = calendar.timegm((2026, 3, 10, 9, 30, 0))
FIVE = ["aws_bedrock_delete_knowledge_base", "aws_bedrock_high_number_list_foundation_model_failures",
        "aws_saml_update_identity_provider", "aws_setdefaultpolicyversion",
        "aws_successful_single_factor_authentication"]
KB = "AWS Bedrock Delete Knowledge Base"
LIST = "AWS Bedrock High Number List Foundation Model Failures"
SAML = "AWS SAML Update identity provider"
POLICY = "AWS SetDefaultPolicyVersion"
LOGIN = "AWS Successful Single-Factor Authentication"
T1078 = ["TA0001", "TA0003", "TA0004", "TA0005"]


@pytest.fixture(scope="module")
def five():
    shared = Path(__file__).resolve().parents[1].parent / "shared"
    if not shared.is_dir():
        pytest.skip(f"{shared} is absent: the shared corpus is only on the maintainers' machines")
    cloud = shared / "corpus" / "escu" / "detections" / "cloud"
    return run_hunt([cloud / f"{name}.yml" for name in FIVE], HuntData([str(DATA)])).doc


def test_five_escu_detections_fire(five):
    assert [(d["name"], d["status"], d["rows"]) for d in five["detections"]] == [
        (KB, "fired", 1), (LIST, "fired", 1), (SAML, "fired", 1), (POLICY, "fired", 2),
        (LOGIN, "fired", 1)]


def test_risk_events_as_worked_out(five):
    got = [(e["search_name"], e["risk_object"], e["risk_object_type"], e["risk_score"],
            e["risk_message"], e["threat_object"], e["annotations.mitre_attack.mitre_tactic_id"],
            e["_time"]) for e in five["risk_events"]]
    assert got == [
        (f"{KB} - Rule", "alice", "user", 50,
         "User alice deleted AWS Bedrock Knowledge Base KB12345678 from 203.0.113.10",
         ["203.0.113.10"], ["TA0040"], LAST),
        (f"{LIST} - Rule", "alice", "user", 50,
         "User alice attempted to list AWS Bedrock foundation models 10 times with failures "
         "from 203.0.113.10", ["203.0.113.10"], ["TA0007"], LAST),
        (f"{SAML} - Rule", "bob", "user", 50,
         "User bob from IP address 198.51.100.77 has trigged an event UpdateSAMLProvider to "
         "update the SAML provider to arn:aws:iam::111122223333:saml-provider/corp-idp",
         ["198.51.100.77"], T1078, LAST),
        (f"{POLICY} - Rule", "alice", "user", 50,
         "From IP address 203.0.113.10, user alice has trigged an action SetDefaultPolicyVersion "
         "for updating the the default policy version", ["203.0.113.10"], T1078, LAST),
        (f"{POLICY} - Rule", "bob", "user", 50,
         "From IP address 198.51.100.77, user bob has trigged an action SetDefaultPolicyVersion "
         "for updating the the default policy version", ["198.51.100.77"], T1078, LAST),
        (f"{LOGIN} - Rule", "alice", "user", 50,
         "User alice has successfully logged into an AWS Console without Multi-Factor "
         "Authentication from 203.0.113.10", ["203.0.113.10"], [*T1078, "TA0042"], LAST),
    ]


def test_incident_rules_as_worked_out(five):
    tactics = ["TA0001", "TA0003", "TA0004", "TA0005", "TA0007", "TA0040", "TA0042"]
    sources = [f"{KB} - Rule", f"{LIST} - Rule", f"{POLICY} - Rule", f"{LOGIN} - Rule"]
    got = [(i["rule"], i["risk_object"], i["risk_score"], i["count"], i["tactic_ids"],
            i["sources"]) for i in five["incidents"]]
    assert got == [("risk_threshold", "alice", 200, 4, tactics, sources),
                   ("multiple_tactics", "alice", 200, 4, tactics, sources)]


def test_seed_drilldowns_return_the_seed_finding(shared, tmp_path):
    """The seed's two drilldowns: the first reruns its search over the CloudTrail for alice,
    the second reads the risk events through the Risk data model (starthoursago=168 from the
    hunt's now, which holds the 09:30 event)."""
    doc = run_hunt([shared / "seed"], HuntData([str(DATA)]), Options(jobs=1),
                   run_drilldowns=True).doc
    [finding] = doc["findings"]
    first, second = finding["drilldowns"]
    assert first["search"].endswith('| search user = "alice"')
    assert first["earliest"] == str(calendar.timegm((2026, 3, 10, 8, 0, 0)))
    assert first["latest"] == str(LAST + 1)
    [row] = first["results"]
    assert row == finding["fields"]
    assert (row["user"], row["src"], row["count"]) == ("alice", "203.0.113.10", "10")
    [risk] = second["results"]
    assert risk["normalized_risk_object"] == "alice"
    assert risk["count"] == "1"
    assert risk["Search Name"] == f"{LIST} - Rule"
    assert risk["Risk Message"] == finding["risk_message"]
    assert risk["ATT&CK Tactics"] == "discovery"
