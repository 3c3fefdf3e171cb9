"""spl's mscs:azure:audit definition (spl/data/sourcetypes/mscs_azure_audit/).

The events (tests/fixtures/sourcetypes/mscs_azure_audit/activity.ndjson) are written by hand in
the shape of Azure Activity Log events as the Azure Monitor REST API returns them
(https://learn.microsoft.com/azure/azure-monitor/essentials/activity-log-schema): each operation
logs a Started event, then Succeeded (or Failed). Every expected value is worked out from an
event and the definition's props.conf. The shared corpus has no mscs:azure:audit record.
"""
from __future__ import annotations

import pytest

from sourcetype_cases import FIXTURES, detection, events, rows, rule, rule_matches, session, utc

ST = "mscs:azure:audit"
DIR = "mscs_azure_audit"
SUB = "7c1e9f2a-1111-4222-8333-944455566677"
ACCOUNT = f"/subscriptions/{SUB}/resourceGroups/rg-ops/providers/Microsoft.Automation/" \
          "automationAccounts/aa-prod"


def _id(n: int) -> str:
    return f"e0d1c2b3-0000-4000-8000-{n:012d}"


@pytest.fixture(scope="module")
def activity():
    return events(DIR, "activity.ndjson", ST, "eventDataId")


def test_change_fields(activity):
    e = activity[_id(6)]   # the runbook backdoor-rb written
    assert e["_time"] == utc("2024-09-02T10:12:02")                   # eventTimestamp
    assert e["user"] == "eve@contoso.com"                             # caller
    assert e["signature"] == e["command"] == (
        "Microsoft.Automation/automationAccounts/runbooks/write")      # operationName.value
    assert e["object_path"] == ACCOUNT + "/runbooks/backdoor-rb"      # resourceId
    assert e["object"] == "backdoor-rb"                               # its last segment
    assert e["action"] == e["status"] == "success"                    # status.value Succeeded
    assert e["vendor_account"] == SUB                                 # subscriptionId
    assert e["vendor_product"] == "Azure Activity Log"


def test_started_and_failed(activity):
    assert "action" not in activity[_id(5)]                           # Started: no outcome yet
    assert activity[_id(8)]["action"] == "failure"                    # Failed


def test_rule_recognises_activity_events_and_not_others():
    assert rule(DIR)[0] == ST
    assert rule_matches(DIR, (FIXTURES / DIR / "activity.ndjson").read_text().splitlines())
    for other in ("azure_monitor_aad/audit.ndjson", "o365_management_activity/admin_activity.ndjson"):
        assert not rule_matches(DIR, (FIXTURES / other).read_text().splitlines())


# ---------------------------------------------------------------- ESCU detections

def _rows(name, tmp_path):
    search = detection(f"cloud/{name}.yml")
    return rows(session(DIR, "activity.ndjson", ST, lookup_output=tmp_path), search)


COMMON = {"user": "eve@contoso.com", "src_ip": "203.0.113.200", "resourceGroupName": "rg-ops",
          "count": "1"}


def test_escu_azure_automation_account_created(tmp_path):
    # "Create or Update an Azure Automation account", Succeeded: events 2 (10:00:04) and 3
    # (10:05:00), both of aa-prod. dedup object keeps the first in search order, newest first:
    # event 3. One group; claims.ipaddr is src_ip, caller user.
    assert _rows("azure_automation_account_created", tmp_path) == [
        {**COMMON, "object_path": ACCOUNT, "object": "aa-prod",
         "firstTime": "2024-09-02T10:05:00", "lastTime": "2024-09-02T10:05:00"}]


def test_escu_azure_automation_runbook_created(tmp_path):
    # Runbook writes that Succeeded: 4 (AzureAutomationTutorialWithIdentity, which
    # object!=AzureAutomationTutorial* drops) and 6 (backdoor-rb); 5 only Started.
    assert _rows("azure_automation_runbook_created", tmp_path) == [
        {**COMMON, "object": "backdoor-rb", "object_path": ACCOUNT + "/runbooks/backdoor-rb",
         "firstTime": "2024-09-02T10:12:02", "lastTime": "2024-09-02T10:12:02"}]


def test_escu_azure_runbook_webhook_created(tmp_path):
    # Webhook writes that Succeeded: 7 (wh1); 8 (wh2) failed.
    assert _rows("azure_runbook_webhook_created", tmp_path) == [
        {**COMMON, "object": "wh1", "object_path": ACCOUNT + "/webhooks/wh1",
         "firstTime": "2024-09-02T10:20:00", "lastTime": "2024-09-02T10:20:00"}]
