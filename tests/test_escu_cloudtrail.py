"""ESCU's CloudTrail detections, run verbatim.

1. Every detection of ../shared/corpus/escu/detections/cloud that reads `cloudtrail`, with ESCU's
   own macros and lookups, over every record of ../shared/corpus/cloudtrail: each runs, or stops
   saying it needs a data model or a baseline (a lookup another search fills).
2. Detections made to fire on records written by hand (tests/fixtures/escu_cloudtrail/): the
   search text is copied here from the ESCU detection named in each case (these are test inputs),
   and the expected result rows are worked out by hand from the records, the search, and the
   sourcetype's fields (../shared/docs/aws-cloudtrail-fields.md: dest is eventSource, or
   additionalEventData.LoginTo for ConsoleLogin; user_name is userIdentity.userName, else the
   session issuer's userName; errorCode is "success" for calls without one). stats gives one row
   per group sorted by the by-fields; security_content_ctime renders %Y-%m-%dT%H:%M:%S in UTC.
"""
from __future__ import annotations

import calendar
import csv
from pathlib import Path

import pytest
import yaml

from spl.errors import SplError, UnsupportedError
from spl.session import Session
from spl.values import is_null, to_str

FIX = Path(__file__).resolve().parent / "fixtures" / "escu_cloudtrail"
SHARED = Path(__file__).resolve().parents[1].parent / "shared"
ESCU = SHARED / "corpus" / "escu"
CLOUD = ESCU / "detections" / "cloud"

def _cloudtrail_detections() -> list[str]:
    if not CLOUD.is_dir():
        return []
    return sorted(p.name for p in CLOUD.glob("*.yml") if "`cloudtrail`" in p.read_text())


@pytest.fixture(scope="module")
def corpus_session(tmp_path_factory):
    if not (ESCU.is_dir() and (SHARED / "corpus" / "cloudtrail").is_dir()):
        pytest.skip(f"{SHARED} is absent: the ESCU corpus is only on the maintainers' machines")
    return Session(sorted((SHARED / "corpus" / "cloudtrail").glob("*.ndjson")),
                   macros=[ESCU / "macros"], lookups=[ESCU / "lookups"],
                   lookup_output=tmp_path_factory.mktemp("lookups"))


def test_the_corpus_has_61_cloudtrail_detections(corpus_session):
    assert len(_cloudtrail_detections()) == 61


@pytest.mark.parametrize("name", _cloudtrail_detections() or ["(no corpus)"])
def test_corpus_detection_runs_or_says_what_it_needs(name, corpus_session):
    """A smoke test: it fails when a detection errors or stops for a reason other than a data
    model or a baseline, but it checks no result rows, so a wrong answer passes it. The rows
    are checked by the hand-worked cases below (part 2 of the module docstring)."""
    search = yaml.safe_load((CLOUD / name).read_text())["search"]
    try:
        corpus_session.run(search)
    except UnsupportedError as e:
        assert e.message.startswith(("needs datamodel ", "needs baseline ")), e.render()


def test_the_baseline_detection_says_which_baseline(corpus_session):
    search = yaml.safe_load((CLOUD / "detect_spike_in_s3_bucket_deletion.yml").read_text())["search"]
    with pytest.raises(UnsupportedError) as err:
        corpus_session.run(search)
    assert err.value.message.startswith("needs baseline s3_deletion_baseline")


# ---------------------------------------------------------------- detections that fire

def fire(search: str, fixture: str, output: Path, now: float | None = None) -> list[dict]:
    """The result rows of ``search`` over one fixture file, cells as Splunk prints them."""
    session = Session(FIX / f"{fixture}.ndjson", macros=[FIX / "macros"],
                      lookups=[FIX / "lookups"], lookup_output=output)
    table = session.run(search, now=now)
    return [{k: _text(v) for k, v in row.items() if not is_null(v)}
            for row in table.to_dict("records")]


def _text(v):
    return [to_str(x) for x in v] if isinstance(v, list) else to_str(v)


ACCT = "111122223333"
CLI = "aws-cli/2.15.0"
BROWSER = "Mozilla/5.0 (X11; Linux x86_64)"
CONSOLE = "https://console.aws.amazon.com/console/home"


def common(signature, dest, user, src="203.0.113.50", agent=CLI, region="us-west-2", **more):
    """The by-fields ESCU's CloudTrail searches group by, plus the rest of a row."""
    return {"signature": signature, "dest": dest, "user": user, "user_agent": agent, "src": src,
            "vendor_account": ACCT, "vendor_region": region, "vendor_product": "AWS CloudTrail",
            **{k: str(v) for k, v in more.items()}}


def times(first, last=None):
    return {"firstTime": first, "lastTime": last or first}


# aws_defense_evasion_delete_cloudtrail.yml
DELETE_CLOUDTRAIL = """`cloudtrail` eventName = DeleteTrail eventSource = cloudtrail.amazonaws.com userAgent !=console.amazonaws.com errorCode = success
  | rename user_name as user
  | stats count min(_time) as firstTime max(_time) as lastTime
    BY signature dest user
       user_agent src vendor_account
       vendor_region vendor_product
  | `security_content_ctime(firstTime)`
  | `security_content_ctime(lastTime)`
  | `aws_defense_evasion_delete_cloudtrail_filter`"""


def test_delete_cloudtrail(tmp_path):
    # Two aws-cli DeleteTrail calls by mallory; the console one and the AccessDenied one are out.
    assert fire(DELETE_CLOUDTRAIL, "cloudtrail_tampering", tmp_path) == [
        common("DeleteTrail", "cloudtrail.amazonaws.com", "mallory", count=2,
               **times("2025-03-01T10:00:00", "2025-03-01T10:05:00"))]


# aws_defense_evasion_stop_logging_cloudtrail.yml
STOP_LOGGING = """`cloudtrail` eventName = StopLogging eventSource = cloudtrail.amazonaws.com userAgent!=console.amazonaws.com errorCode = success
  | rename user_name as user
  | stats count min(_time) as firstTime max(_time) as lastTime
    BY signature dest user
       user_agent src vendor_account
       vendor_region vendor_product
  | `security_content_ctime(firstTime)`
  | `security_content_ctime(lastTime)`
  | `aws_defense_evasion_stop_logging_cloudtrail_filter`"""


def test_stop_logging(tmp_path):
    # An assumed role: user_name is the session issuer's userName (OpsRole).
    assert fire(STOP_LOGGING, "cloudtrail_tampering", tmp_path) == [
        common("StopLogging", "cloudtrail.amazonaws.com", "OpsRole", src="198.51.100.20",
               agent="Boto3/1.34.0", count=1, **times("2025-03-01T11:00:00"))]


# aws_defense_evasion_update_cloudtrail.yml
UPDATE_CLOUDTRAIL = """`cloudtrail` eventName = UpdateTrail eventSource = cloudtrail.amazonaws.com userAgent !=console.amazonaws.com errorCode = success
  | rename user_name as user
  | stats count min(_time) as firstTime max(_time) as lastTime
    BY signature dest user
       user_agent src vendor_account
       vendor_region vendor_product
  | `security_content_ctime(firstTime)`
  | `security_content_ctime(lastTime)`
  | `aws_defense_evasion_update_cloudtrail_filter`"""


def test_update_cloudtrail(tmp_path):
    # Two users, one row each, alice before mallory.
    assert fire(UPDATE_CLOUDTRAIL, "cloudtrail_tampering", tmp_path) == [
        common("UpdateTrail", "cloudtrail.amazonaws.com", "alice", src="192.0.2.10",
               region="eu-west-1", count=1, **times("2025-03-01T12:30:00")),
        common("UpdateTrail", "cloudtrail.amazonaws.com", "mallory", count=1,
               **times("2025-03-01T12:00:00"))]


# aws_defense_evasion_delete_cloudwatch_log_group.yml
DELETE_LOG_GROUP = """`cloudtrail` eventName = DeleteLogGroup eventSource = logs.amazonaws.com userAgent !=console.amazonaws.com errorCode = success
  | rename user_name as user
  | stats count min(_time) as firstTime max(_time) as lastTime
    BY signature dest user
       user_agent src vendor_account
       vendor_region vendor_product
  | `security_content_ctime(firstTime)`
  | `security_content_ctime(lastTime)`
  | `aws_defense_evasion_delete_cloudwatch_log_group_filter`"""


def test_delete_log_group(tmp_path):
    assert fire(DELETE_LOG_GROUP, "cloudtrail_tampering", tmp_path) == [
        common("DeleteLogGroup", "logs.amazonaws.com", "mallory", count=1,
               **times("2025-03-01T13:00:00"))]


# aws_iam_delete_policy.yml
DELETE_POLICY = """`cloudtrail` eventName=DeletePolicy (userAgent!=*.amazonaws.com)
  | rename user_name as user
  | stats count min(_time) as firstTime max(_time) as lastTime
    BY signature dest user
       user_agent src vendor_account
       vendor_region vendor_product
  | `security_content_ctime(firstTime)`
  | `security_content_ctime(lastTime)`
  | `aws_iam_delete_policy_filter`"""


def test_iam_delete_policy(tmp_path):
    # alice's call came from cloudformation.amazonaws.com: left out by userAgent!=*.amazonaws.com.
    assert fire(DELETE_POLICY, "iam_changes", tmp_path) == [
        common("DeletePolicy", "iam.amazonaws.com", "mallory", region="us-east-1", count=1,
               **times("2025-03-02T08:00:00"))]


# aws_iam_successful_group_deletion.yml
GROUP_DELETED = """`cloudtrail` eventSource=iam.amazonaws.com eventName=DeleteGroup errorCode=success (userAgent!=*.amazonaws.com)
  | rename user_name as user
  | stats count min(_time) as firstTime max(_time) as lastTime
    BY signature dest user
       user_agent src vendor_account
       vendor_region vendor_product
  | `security_content_ctime(firstTime)`
  | `security_content_ctime(lastTime)`
  | `aws_iam_successful_group_deletion_filter`"""

# aws_iam_failure_group_deletion.yml
GROUP_DELETION_FAILED = """`cloudtrail` eventSource=iam.amazonaws.com eventName=DeleteGroup errorCode IN (NoSuchEntityException,DeleteConflictException, AccessDenied) (userAgent!=*.amazonaws.com)
  | rename user_name as user
  | stats count min(_time) as firstTime max(_time) as lastTime
    BY signature dest user
       user_agent src vendor_account
       vendor_region vendor_product
  | `security_content_ctime(firstTime)`
  | `security_content_ctime(lastTime)`
  | `aws_iam_failure_group_deletion_filter`"""


def test_iam_group_deletion_success_and_failure(tmp_path):
    # alice's DeleteGroup has no errorCode (so "success"); mallory's DeleteConflictException and
    # NoSuchEntityException count, his ServiceFailure is not in the list.
    assert fire(GROUP_DELETED, "iam_changes", tmp_path) == [
        common("DeleteGroup", "iam.amazonaws.com", "alice", region="us-east-1", count=1,
               **times("2025-03-02T09:00:00"))]
    assert fire(GROUP_DELETION_FAILED, "iam_changes", tmp_path) == [
        common("DeleteGroup", "iam.amazonaws.com", "mallory", region="us-east-1", count=2,
               **times("2025-03-02T09:10:00", "2025-03-02T09:20:00"))]


# aws_multi_factor_authentication_disabled.yml
MFA_DISABLED = """`cloudtrail` (eventName= DeleteVirtualMFADevice OR eventName=DeactivateMFADevice)
  | rename user_name as user
  | stats count min(_time) as firstTime max(_time) as lastTime
    BY signature dest user
       user_agent src vendor_account
       vendor_region vendor_product
  | `security_content_ctime(firstTime)`
  | `security_content_ctime(lastTime)`
  | `aws_multi_factor_authentication_disabled_filter`"""


def test_mfa_disabled(tmp_path):
    assert fire(MFA_DISABLED, "iam_changes", tmp_path) == [
        common("DeactivateMFADevice", "iam.amazonaws.com", "mallory", region="us-east-1",
               count=1, **times("2025-03-02T10:00:00")),
        common("DeleteVirtualMFADevice", "iam.amazonaws.com", "mallory", region="us-east-1",
               count=1, **times("2025-03-02T10:01:00"))]


# aws_password_policy_changes.yml
PASSWORD_POLICY = """`cloudtrail` eventName IN ("UpdateAccountPasswordPolicy","GetAccountPasswordPolicy","DeleteAccountPasswordPolicy") errorCode=success
  | rename user_name as user
  | stats count min(_time) as firstTime max(_time) as lastTime
    BY signature dest user
       user_agent src vendor_account
       vendor_region vendor_product
  | `security_content_ctime(firstTime)`
  | `security_content_ctime(lastTime)`
  | `aws_password_policy_changes_filter`"""


def test_password_policy_changes(tmp_path):
    assert fire(PASSWORD_POLICY, "iam_changes", tmp_path) == [
        common("UpdateAccountPasswordPolicy", "iam.amazonaws.com", "mallory", region="us-east-1",
               count=1, **times("2025-03-02T11:00:00"))]


# aws_setdefaultpolicyversion.yml
SET_DEFAULT_POLICY = """`cloudtrail` eventName=SetDefaultPolicyVersion eventSource = iam.amazonaws.com
  | rename user_name as user
  | stats count min(_time) as firstTime max(_time) as lastTime
    BY signature dest user
       user_agent src vendor_account
       vendor_region vendor_product
  | `security_content_ctime(firstTime)`
  | `security_content_ctime(lastTime)`
  | `aws_setdefaultpolicyversion_filter`"""


def test_set_default_policy_version(tmp_path):
    assert fire(SET_DEFAULT_POLICY, "iam_changes", tmp_path) == [
        common("SetDefaultPolicyVersion", "iam.amazonaws.com", "mallory", region="us-east-1",
               count=1, **times("2025-03-02T12:00:00"))]


# aws_saml_update_identity_provider.yml
SAML_UPDATE = """`cloudtrail` eventName=UpdateSAMLProvider
  | rename user_name as user
  | stats count min(_time) as firstTime max(_time) as lastTime values(requestParameters.sAMLProviderArn) as request_parameters
    BY signature dest user
       user_agent src vendor_account
       vendor_region vendor_product
  | `security_content_ctime(firstTime)`
  | `security_content_ctime(lastTime)`
  | `aws_saml_update_identity_provider_filter`"""


def test_saml_provider_update(tmp_path):
    # values() is sorted: AzureAD before Okta.
    row = common("UpdateSAMLProvider", "iam.amazonaws.com", "mallory", region="us-east-1",
                 count=2, **times("2025-03-02T13:00:00", "2025-03-02T13:30:00"))
    row["request_parameters"] = [f"arn:aws:iam::{ACCT}:saml-provider/AzureAD",
                                 f"arn:aws:iam::{ACCT}:saml-provider/Okta"]
    assert fire(SAML_UPDATE, "iam_changes", tmp_path) == [row]


# aws_defense_evasion_impair_security_services.yml
IMPAIR = """`cloudtrail`
(eventName="DeleteDetector" AND eventSource="guardduty.amazonaws.com") OR (   eventName IN ("DeleteIPSet", "DeleteWebACL", "DeleteRuleGroup", "DeleteRule") AND eventSource IN ("guardduty.amazonaws.com", "wafv2.amazonaws.com", "waf.amazonaws.com") ) OR ( eventName="DeleteLoggingConfiguration" AND eventSource IN ("wafv2.amazonaws.com", "waf.amazonaws.com", "route53.amazonaws.com") )
| rename user_name as user
| stats count min(_time) as firstTime max(_time) as lastTime by signature dest user user_agent src vendor_account vendor_region vendor_product
| `security_content_ctime(firstTime)`
| `security_content_ctime(lastTime)`
| `aws_defense_evasion_impair_security_services_filter`

"""


def test_impair_security_services(tmp_path):
    # DeleteRule on events.amazonaws.com is not one of the listed sources.
    assert fire(IMPAIR, "security_services", tmp_path) == [
        common("DeleteDetector", "guardduty.amazonaws.com", "mallory", count=2,
               **times("2025-03-03T07:00:00", "2025-03-03T07:04:00")),
        common("DeleteLoggingConfiguration", "route53.amazonaws.com", "mallory", count=1,
               **times("2025-03-03T07:02:00")),
        common("DeleteWebACL", "wafv2.amazonaws.com", "mallory", count=1,
               **times("2025-03-03T07:01:00"))]


# aws_bedrock_delete_guardrails.yml
BEDROCK_GUARDRAILS = """`cloudtrail` eventSource=bedrock.amazonaws.com eventName=DeleteGuardrail | rename user_name as user | stats count min(_time) as firstTime max(_time) as lastTime values(requestParameters.guardrailIdentifier) as guardrailIds by src user user_agent vendor_account vendor_product dest signature vendor_region | `security_content_ctime(firstTime)` | `security_content_ctime(lastTime)` | `aws_bedrock_delete_guardrails_filter`"""


def test_bedrock_delete_guardrails(tmp_path):
    [row] = fire(BEDROCK_GUARDRAILS, "security_services", tmp_path)
    assert row == common("DeleteGuardrail", "bedrock.amazonaws.com", "alice", src="192.0.2.10",
                         agent="Boto3/1.34.0", region="us-east-1", count=2,
                         guardrailIds=None, **times("2025-03-03T08:00:00", "2025-03-03T08:01:00")
                         ) | {"guardrailIds": ["gr-1", "gr-2"]}
    assert list(row)[:8] == ["src", "user", "user_agent", "vendor_account", "vendor_product",
                             "dest", "signature", "vendor_region"]  # by-fields first, in order


# aws_credential_access_failed_login.yml
FAILED_LOGIN = """`cloudtrail` eventName = ConsoleLogin errorMessage="Failed authentication"
  | rename user_name as user
  | stats count min(_time) as firstTime max(_time) as lastTime
    BY signature dest user
       user_agent src vendor_account
       vendor_region vendor_product
  | `security_content_ctime(firstTime)`
  | `security_content_ctime(lastTime)`
  | `aws_credential_access_failed_login_filter`"""


def test_failed_console_login(tmp_path):
    # dest of a ConsoleLogin is additionalEventData.LoginTo.
    assert fire(FAILED_LOGIN, "console_logins", tmp_path) == [
        common("ConsoleLogin", CONSOLE, "victim", src="198.51.100.1", agent=BROWSER,
               region="us-east-1", count=2,
               **times("2025-03-04T12:00:10", "2025-03-04T12:00:20"))]


# aws_console_login_failed_during_mfa_challenge.yml
MFA_CHALLENGE_FAILED = """`cloudtrail` eventName= ConsoleLogin errorMessage="Failed authentication" additionalEventData.MFAUsed = "Yes"
  | rename user_name as user
  | stats count min(_time) as firstTime max(_time) as lastTime
    BY signature dest user
       user_agent src vendor_account
       vendor_region vendor_product additionalEventData.MFAUsed
       errorMessage
  | `security_content_ctime(firstTime)`
  | `security_content_ctime(lastTime)`
  | `aws_console_login_failed_during_mfa_challenge_filter`"""


def test_console_login_failed_during_mfa(tmp_path):
    row = common("ConsoleLogin", CONSOLE, "victim", src="198.51.100.1", agent=BROWSER,
                 region="us-east-1")
    row.update({"additionalEventData.MFAUsed": "Yes", "errorMessage": "Failed authentication",
                "count": "1", **times("2025-03-04T12:00:10")})
    assert fire(MFA_CHALLENGE_FAILED, "console_logins", tmp_path) == [row]


# aws_successful_single_factor_authentication.yml
SINGLE_FACTOR = """`cloudtrail` eventName= ConsoleLogin errorCode=success "additionalEventData.MFAUsed"=No
  | rename user_name as user
  | stats count min(_time) as firstTime max(_time) as lastTime
    BY signature dest user
       user_agent src vendor_account
       vendor_region vendor_product
  | `security_content_ctime(firstTime)`
  | `security_content_ctime(lastTime)`
  | `aws_successful_single_factor_authentication_filter`"""


def test_single_factor_console_login(tmp_path):
    # carol's two logins without MFA, one row per source address; dave used MFA; victim's
    # failures have errorCode "failure".
    assert fire(SINGLE_FACTOR, "console_logins", tmp_path) == [
        common("ConsoleLogin", CONSOLE, "carol", src="192.0.2.33", agent=BROWSER,
               region="us-east-1", count=1, **times("2025-03-04T12:01:00")),
        common("ConsoleLogin", CONSOLE, "carol", src="203.0.113.77", agent=BROWSER,
               region="us-east-1", count=1, **times("2025-03-04T12:03:00"))]


# aws_successful_console_authentication_from_multiple_ips.yml
MULTIPLE_IPS = """`cloudtrail` eventName = ConsoleLogin
  | bin span=5m _time
  | rename user_name as user
  | stats  dc(src) as distinct_ip_count values(src) as src values(user_agent) as user_agent values(dest) as dest
    BY _time, user, signature,
       vendor_account, vendor_region, vendor_product
  | where distinct_ip_count>1
  | `security_content_ctime(firstTime)`
  | `security_content_ctime(lastTime)`
  | `aws_successful_console_authentication_from_multiple_ips_filter`"""


def test_console_logins_from_two_addresses_in_five_minutes(tmp_path):
    # carol at 12:01 and 12:03 share the 12:00 bin; victim's two attempts came from one address.
    assert fire(MULTIPLE_IPS, "console_logins", tmp_path) == [{
        "_time": to_str(float(calendar.timegm((2025, 3, 4, 12, 0, 0)))), "user": "carol",
        "signature": "ConsoleLogin", "vendor_account": ACCT, "vendor_region": "us-east-1",
        "vendor_product": "AWS CloudTrail", "distinct_ip_count": "2",
        "src": ["192.0.2.33", "203.0.113.77"], "user_agent": BROWSER, "dest": CONSOLE}]


# aws_network_access_control_list_created_with_all_open_ports.yml
ACL_ALL_OPEN = """`cloudtrail` eventName=CreateNetworkAclEntry OR eventName=ReplaceNetworkAclEntry requestParameters.ruleAction=allow requestParameters.egress=false requestParameters.aclProtocol=-1
  | append [search `cloudtrail` eventName=CreateNetworkAclEntry OR eventName=ReplaceNetworkAclEntry requestParameters.ruleAction=allow requestParameters.egress=false requestParameters.aclProtocol!=-1
  | eval port_range='requestParameters.portRange.to' - 'requestParameters.portRange.from'
  | where port_range>1024]
  | fillnull
  | rename user_name as user
  | stats count min(_time) as firstTime max(_time) as lastTime
    BY signature dest user
       user_agent src vendor_account
       vendor_region vendor_product requestParameters.ruleAction
       requestParameters.egress requestParameters.aclProtocol requestParameters.portRange.to
       requestParameters.portRange.from requestParameters.cidrBlock
  | `security_content_ctime(firstTime)`
  | `security_content_ctime(lastTime)`
  | `aws_network_access_control_list_created_with_all_open_ports_filter`"""


def test_acl_open_to_all_ports_main_search_and_append(tmp_path):
    # The all-protocols entry comes from the main search (its missing port range filled with 0);
    # the 0-65535 TCP entry from the appended subsearch; the 22-22 and the egress entries match
    # neither.
    def acl(signature, protocol, to, frm, when):
        row = common(signature, "ec2.amazonaws.com", "mallory")
        row.update({"requestParameters.ruleAction": "allow", "requestParameters.egress": "false",
                    "requestParameters.aclProtocol": protocol,
                    "requestParameters.portRange.to": to, "requestParameters.portRange.from": frm,
                    "requestParameters.cidrBlock": "0.0.0.0/0", "count": "1", **times(when)})
        return row
    assert fire(ACL_ALL_OPEN, "network_acl", tmp_path) == [
        acl("CreateNetworkAclEntry", "-1", "0", "0", "2025-03-05T09:00:00"),
        acl("ReplaceNetworkAclEntry", "6", "65535", "0", "2025-03-05T09:05:00")]


# aws_ec2_snapshot_shared_externally.yml
SNAPSHOT_SHARED = """`cloudtrail` eventName=ModifySnapshotAttribute
  | rename requestParameters.createVolumePermission.add.items{}.userId as requested_account_id
  | search requested_account_id != NULL
  | eval match=if(requested_account_id==aws_account_id,"Match","No Match")
  | where match = "No Match"
  | rename user_name as user
  | stats count min(_time) as firstTime max(_time) as lastTime
    BY signature dest user
       user_agent src vendor_account
       vendor_region vendor_product requested_account_id
  | `security_content_ctime(firstTime)`
  | `security_content_ctime(lastTime)`
  | `aws_ec2_snapshot_shared_externally_filter`"""


def test_snapshot_shared_with_another_account(tmp_path):
    # snap-2 was shared with the caller's own account (aws_account_id): "Match", left out.
    assert fire(SNAPSHOT_SHARED, "network_acl", tmp_path) == [
        common("ModifySnapshotAttribute", "ec2.amazonaws.com", "mallory",
               requested_account_id="999988887777", count=1, **times("2025-03-05T10:00:00"))]


# aws_createloginprofile.yml
CREATE_LOGIN_PROFILE = """`cloudtrail` eventName = CreateLoginProfile
  | rename requestParameters.userName as new_login_profile
  | table src_ip eventName new_login_profile userIdentity.userName
  | join new_login_profile src_ip [
  | search `cloudtrail` eventName = ConsoleLogin
  | rename userIdentity.userName  as new_login_profile
  | stats count values(eventName) min(_time) as firstTime max(_time) as lastTime
    BY eventSource aws_account_id errorCode
       user_agent eventID awsRegion
       userIdentity.principalId user_arn new_login_profile
       src_ip dest vendor_account
       vendor_region vendor_product
  | `security_content_ctime(firstTime)`
  | `security_content_ctime(lastTime)`]
  | rename user_arn as user
  | `aws_createloginprofile_filter`"""


def test_login_profile_created_then_used_from_the_same_address(tmp_path):
    # mallory gives "backdoor" a password from 203.0.113.50; backdoor logs in from there (joined
    # on new_login_profile and src_ip); its login from 192.0.2.99 and alice's login do not join.
    assert fire(CREATE_LOGIN_PROFILE, "login_profile", tmp_path) == [{
        "src_ip": "203.0.113.50", "eventName": "CreateLoginProfile",
        "new_login_profile": "backdoor", "userIdentity.userName": "mallory",
        "eventSource": "signin.amazonaws.com", "aws_account_id": ACCT, "errorCode": "success",
        "user_agent": BROWSER, "eventID": "ev-0045", "awsRegion": "us-east-1",
        "userIdentity.principalId": "AIDABACKDOOR", "user": f"arn:aws:iam::{ACCT}:user/backdoor",
        "dest": CONSOLE, "vendor_account": ACCT, "vendor_region": "us-east-1",
        "vendor_product": "AWS CloudTrail", "count": "1", "values(eventName)": "ConsoleLogin",
        **times("2025-03-06T09:10:00")}]


# detect_spike_in_s3_bucket_deletion.yml
S3_SPIKE = """`cloudtrail` eventName=DeleteBucket [search `cloudtrail` eventName=DeleteBucket
  | spath output=arn path=userIdentity.arn
  | stats count as apiCalls
    BY arn
  | inputlookup s3_deletion_baseline append=t
  | fields - latestCount
  | stats values(*) as *
    BY arn
  | rename apiCalls as latestCount
  | eval newAvgApiCalls=avgApiCalls + (latestCount-avgApiCalls)/720
  | eval newStdevApiCalls=sqrt(((pow(stdevApiCalls, 2)*719 + (latestCount-newAvgApiCalls)*(latestCount-avgApiCalls))/720))
  | eval avgApiCalls=coalesce(newAvgApiCalls, avgApiCalls), stdevApiCalls=coalesce(newStdevApiCalls, stdevApiCalls), numDataPoints=if(isnull(latestCount), numDataPoints, numDataPoints+1)
  | table arn, latestCount, numDataPoints, avgApiCalls, stdevApiCalls
  | outputlookup s3_deletion_baseline
  | eval dataPointThreshold = 15, deviationThreshold = 3
  | eval isSpike=if((latestCount > avgApiCalls+deviationThreshold*stdevApiCalls) AND numDataPoints > dataPointThreshold, 1, 0)
  | where isSpike=1
  | rename arn as userIdentity.arn
  | table userIdentity.arn]
  | spath output=user userIdentity.arn
  | spath output=bucketName path=requestParameters.bucketName
  | stats values(bucketName) as bucketName, count as numberOfApiCalls, dc(eventName) as uniqueApisCalled
    BY user
  | `detect_spike_in_s3_bucket_deletion_filter`"""

MALLORY = f"arn:aws:iam::{ACCT}:user/mallory"
ALICE = f"arn:aws:iam::{ACCT}:user/alice"


def test_s3_spike_needs_its_baseline(tmp_path):
    with pytest.raises(UnsupportedError) as err:
        fire(S3_SPIKE, "s3_deletions", tmp_path)
    assert err.value.message.startswith("needs baseline s3_deletion_baseline")


def test_s3_spike_fires_once_the_baseline_exists(tmp_path):
    # A baseline of 20 data points (avg 1, stdev 0.5) for both users. Today mallory deleted 4
    # buckets: new avg 1 + 3/720 = 1.00417, new stdev sqrt((0.25*719 + 2.99583*3)/720) = 0.51199,
    # 4 > 1.00417 + 3*0.51199 = 2.54 with 21 > 15 data points: a spike. alice's 1 is not (1 > 2.5
    # is false). The baseline is rewritten with 21 data points and today's counts.
    with open(tmp_path / "s3_deletion_baseline.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["arn", "latestCount", "numDataPoints", "avgApiCalls", "stdevApiCalls"])
        w.writerows([[MALLORY, 1, 20, 1, 0.5], [ALICE, 1, 20, 1, 0.5]])
    assert fire(S3_SPIKE, "s3_deletions", tmp_path) == [{
        "user": MALLORY, "bucketName": ["logs-a", "logs-b", "logs-c"],
        "numberOfApiCalls": "4", "uniqueApisCalled": "1"}]
    with open(tmp_path / "s3_deletion_baseline.csv", newline="") as f:
        baseline = {r["arn"]: r for r in csv.DictReader(f)}
    assert {a: (r["latestCount"], r["numDataPoints"]) for a, r in baseline.items()} == {
        ALICE: ("1", "21"), MALLORY: ("4", "21")}


# aws_create_policy_version_to_allow_all_resources.yml
POLICY_ALLOW_ALL = """`cloudtrail` eventName=CreatePolicyVersion eventSource = iam.amazonaws.com errorCode = success
  | spath input=requestParameters.policyDocument output=key_policy_statements path=Statement{}
  | mvexpand key_policy_statements
  | spath input=key_policy_statements output=key_policy_action_1 path=Action
  | where key_policy_action_1 = "*"
  | rename user_name as user
  | stats count min(_time) as firstTime max(_time) as lastTime values(key_policy_statements) as policy_added
    BY signature dest user
       user_agent src vendor_account
       vendor_region vendor_product
  | `security_content_ctime(firstTime)`
  | `security_content_ctime(lastTime)`
  | `aws_create_policy_version_to_allow_all_resources_filter`"""


def test_policy_version_allowing_everything(tmp_path):
    # mallory's document has two statements; only the Action "*" one survives mvexpand + where.
    # alice's only allows ec2:Describe*.
    assert fire(POLICY_ALLOW_ALL, "policies", tmp_path) == [
        common("CreatePolicyVersion", "iam.amazonaws.com", "mallory", region="us-east-1",
               count=1, **times("2025-03-09T08:00:00"),
               policy_added='{"Effect":"Allow","Action":"*","Resource":"*"}')]


# aws_detect_users_creating_keys_with_encrypt_policy_without_mfa.yml
KMS_ENCRYPT_POLICY = """`cloudtrail` eventName=CreateKey OR eventName=PutKeyPolicy | spath input=requestParameters.policy output=key_policy_statements path=Statement{} | mvexpand key_policy_statements | spath input=key_policy_statements output=key_policy_action_1 path=Action | spath input=key_policy_statements output=key_policy_action_2 path=Action{} | eval key_policy_action=mvappend(key_policy_action_1, key_policy_action_2) | spath input=key_policy_statements output=key_policy_principal path=Principal.AWS | search key_policy_action="kms:Encrypt" AND key_policy_principal="*" | stats count min(_time) as firstTime max(_time) as lastTime by eventName eventSource eventID awsRegion userIdentity.principalId user | `security_content_ctime(firstTime)`| `security_content_ctime(lastTime)` |`aws_detect_users_creating_keys_with_encrypt_policy_without_mfa_filter`"""


def test_kms_key_policy_lets_anyone_encrypt(tmp_path):
    # Every statement names Principal.AWS "*"; kms:Encrypt is in mallory's first CreateKey (as
    # one of an Action list, found through Action{}) and in alice's PutKeyPolicy (a single
    # Action); mallory's second key allows only kms:Decrypt. user is the sourcetype's field
    # (userIdentity.userName).
    def row(name, event_id, region, principal, user, when):
        return {"eventName": name, "eventSource": "kms.amazonaws.com", "eventID": event_id,
                "awsRegion": region, "userIdentity.principalId": principal, "user": user,
                "count": "1", **times(when)}
    assert fire(KMS_ENCRYPT_POLICY, "policies", tmp_path) == [
        row("CreateKey", "ev-0055", "us-west-2", "AIDAMALLORY", "mallory", "2025-03-09T09:00:00"),
        row("PutKeyPolicy", "ev-0057", "us-west-2", "AIDAALICE", "alice", "2025-03-09T09:10:00")]


# aws_ecr_container_scanning_findings_high.yml
ECR_HIGH = """`cloudtrail` eventSource=ecr.amazonaws.com eventName=DescribeImageScanFindings | spath path=responseElements.imageScanFindings.findings{} output=findings | mvexpand findings | spath input=findings | search severity=HIGH | rename name as finding_name, description as finding_description, requestParameters.imageId.imageDigest as imageDigest, requestParameters.repositoryName as repository, userIdentity.principalId as user | eval finding = finding_name.", ".finding_description | eval phase="release" | eval severity="high" | stats min(_time) as firstTime max(_time) as lastTime by awsRegion, eventName, eventSource, imageDigest, repository, user, src_ip, finding, phase, severity | `security_content_ctime(firstTime)` | `security_content_ctime(lastTime)` | `aws_ecr_container_scanning_findings_high_filter`"""


def test_ecr_high_severity_finding(tmp_path):
    # Two findings in one response; the LOW one is dropped by severity=HIGH.
    assert fire(ECR_HIGH, "ecr_scans", tmp_path) == [{
        "awsRegion": "us-west-2", "eventName": "DescribeImageScanFindings",
        "eventSource": "ecr.amazonaws.com", "imageDigest": "sha256:aaa111",
        "repository": "shop-api", "user": "AIDAMALLORY", "src_ip": "203.0.113.50",
        "finding": "CVE-2024-0001, overflow in libfoo", "phase": "release", "severity": "high",
        **times("2025-03-10T10:00:00")}]


# aws_anomalous_secrets_manager_batch_retrieval.yml
SECRETS_BATCH = """`cloudtrail` earliest=-169h latest=now eventName="BatchGetSecretValue" eventSource="secretsmanager.amazonaws.com"
| spath input=_raw path=userIdentity.userName output=iam_user
| spath input=_raw path=userIdentity.sessionContext.sessionIssuer.userName output=role_name
| spath input=_raw path=userIdentity.sessionContext.sessionIssuer.arn output=issuer_arn
| spath input=_raw path=userIdentity.arn output=identity_arn
| spath input=_raw path=userIdentity.principalId output=principal_id
| spath input=_raw path=recipientAccountId output=vendor_account
| spath input=_raw path=sourceIPAddress output=src
| spath input=_raw path=userAgent output=user_agent
| spath input=_raw path=awsRegion output=vendor_region
| spath input=_raw path=errorCode output=error_code
| eval user=coalesce(issuer_arn, identity_arn, principal_id, iam_user, role_name, "unknown")
| where (isnull(error_code) OR error_code="") AND user!="unknown"
| eval evaluation_start=relative_time(now(), "-1h")
| eval period=if(_time>=evaluation_start, "current", "baseline")
| stats count(eval(period="current")) as batch_request_count
    count(eval(period="baseline")) as prior_batch_request_count
    values(eval(if(period="current", src, null()))) as src
    values(eval(if(period="current", user_agent, null()))) as user_agent
    values(eval(if(period="current", vendor_account, null()))) as vendor_account
    values(eval(if(period="current", vendor_region, null()))) as vendor_region
    earliest(eval(if(period="current", _time, null()))) as firstTime
    latest(eval(if(period="current", _time, null()))) as lastTime
    by user
| where batch_request_count>0 AND prior_batch_request_count=0
| `security_content_ctime(firstTime)`
| `security_content_ctime(lastTime)`
| `aws_anomalous_secrets_manager_batch_retrieval_filter`"""


def test_first_secrets_batch_retrieval_in_a_week(tmp_path):
    # now = 2025-03-08T12:00:00Z. xavier's only call is in the last hour: fires. yolanda also
    # called two days ago; walter's call failed; olga's is older than an hour; zed's is older
    # than 169 hours (outside the search).
    now = float(calendar.timegm((2025, 3, 8, 12, 0, 0)))
    assert fire(SECRETS_BATCH, "secrets", tmp_path, now=now) == [{
        "user": f"arn:aws:iam::{ACCT}:user/xavier", "batch_request_count": "1",
        "prior_batch_request_count": "0", "src": "203.0.113.50", "user_agent": CLI,
        "vendor_account": ACCT, "vendor_region": "us-west-2", **times("2025-03-08T11:30:00")}]


# aws_concurrent_sessions_from_different_ips.yml
CONCURRENT_SESSIONS = """`cloudtrail` eventName = DescribeEventAggregates src_ip!="AWS Internal"
  | bin span=5m _time
  | rename user_name as user
  | stats min(_time) as firstTime max(_time) as lastTime values(user_agent) as user_agent values(signature) as signature values(src) as src values(dest) as dest dc(src) as distinct_ip_count
    BY _time user vendor_account
       vendor_region vendor_product
  | where distinct_ip_count > 1
  | `security_content_ctime(firstTime)`
  | `security_content_ctime(lastTime)`
  | `aws_concurrent_sessions_from_different_ips_filter`"""


def test_concurrent_console_sessions(tmp_path):
    # mallory's calls at 14:01 and 14:03 share the 14:00 bin; alice's at 14:04 and 14:06 do not.
    # min/max read the binned _time, so firstTime = lastTime = 14:00:00.
    assert fire(CONCURRENT_SESSIONS, "sessions", tmp_path) == [{
        "_time": to_str(float(calendar.timegm((2025, 3, 11, 14, 0, 0)))), "user": "mallory",
        "vendor_account": ACCT, "vendor_region": "us-east-1", "vendor_product": "AWS CloudTrail",
        **times("2025-03-11T14:00:00"), "user_agent": "console.amazonaws.com",
        "signature": "DescribeEventAggregates", "src": ["198.51.100.77", "203.0.113.50"],
        "dest": "health.amazonaws.com", "distinct_ip_count": "2"}]


def test_fixture_macros_cover_every_search():
    # Each search above parses with the fixture macros (a missing filter macro would be an error).
    session = Session(macros=[FIX / "macros"])
    for name, value in globals().items():
        if name.isupper() and isinstance(value, str) and "`cloudtrail`" in value:
            try:
                session.parse(value)
            except SplError as e:  # pragma: no cover - the message says which search
                pytest.fail(f"{name}: {e.render()}")
