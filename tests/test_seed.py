"""The seed detection (ESCU's AWS Bedrock High Number List Foundation Model Failures), end to end.

Expected rows are worked out by hand from the records: the search keeps bedrock ListFoundationModels
calls denied with AccessDenied, groups them by caller, and reports groups of more than 9.
"""
import json
from importlib import resources

import pytest

import spl.cli
from spl.detections import fill_message, load, row_dicts
from spl.session import Session, run

EXAMPLES = resources.files("spl") / "examples"
SEED = EXAMPLES / "aws_bedrock_high_number_list_foundation_model_failures.yml"
ACCOUNT = "123456789012"
BOTO = "Boto3/1.34.50 md/Botocore#1.34.50 ua/2.0 os/linux#6.1.0 md/arch#x86_64 lang/python#3.11.7 cfg/retry-mode#legacy Botocore/1.34.50"
DENIED = ("User: arn:aws:iam::123456789012:user/svc-reporting is not authorized to perform: "
          "bedrock:ListFoundationModels because no identity-based policy allows the "
          "bedrock:ListFoundationModels action")
COLUMNS = ["src", "user", "user_agent", "vendor_account", "vendor_product", "dest", "signature",
           "vendor_region", "count", "firstTime", "lastTime", "errorCodes", "errorMessages"]


def test_seed_on_bundled_example_gives_one_row_with_every_column():
    det = load(str(SEED))
    with resources.as_file(EXAMPLES / "bedrock_cloudtrail.json") as data:
        out = Session(data, source="aws_cloudtrail").run(det.search)
    assert list(out.columns) == COLUMNS
    assert len(out) == 1
    row = out.iloc[0].to_dict()
    assert row == {
        "src": "198.51.100.23", "user": "svc-reporting", "user_agent": BOTO,
        "vendor_account": ACCOUNT, "vendor_product": "AWS CloudTrail",
        "dest": "bedrock.amazonaws.com", "signature": "ListFoundationModels",
        "vendor_region": "us-east-1", "count": 12,
        # min and max eventTime of the twelve denied calls, rendered by security_content_ctime
        "firstTime": "2026-03-09T14:00:00", "lastTime": "2026-03-09T14:22:17",
        "errorCodes": "AccessDenied", "errorMessages": DENIED,
    }
    message = fill_message(det.message, row_dicts(out)[0])
    assert message == ("User svc-reporting attempted to list AWS Bedrock foundation models 12 "
                       "times with failures from 198.51.100.23")


def _call(second, *, user="prober", error=True, event="ListFoundationModels", role=None,
          agent="aws-cli/2.15.30", ip="198.51.100.7"):
    if role:
        identity = {"type": "AssumedRole", "principalId": f"AROAEXAMPLE:{user}",
                    "arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/{role}/{user}", "accountId": ACCOUNT,
                    "sessionContext": {"sessionIssuer": {"type": "Role", "userName": role,
                                                         "arn": f"arn:aws:iam::{ACCOUNT}:role/{role}",
                                                         "accountId": ACCOUNT}}}
    else:
        identity = {"type": "IAMUser", "arn": f"arn:aws:iam::{ACCOUNT}:user/{user}",
                    "accountId": ACCOUNT, "userName": user}
    record = {"eventVersion": "1.09", "userIdentity": identity,
              "eventTime": f"2026-03-09T10:00:{second:02d}Z", "eventSource": "bedrock.amazonaws.com",
              "eventName": event, "awsRegion": "eu-west-1", "sourceIPAddress": ip,
              "eventType": "AwsApiCall", "recipientAccountId": ACCOUNT}
    if agent is not None:
        record["userAgent"] = agent
    if error:
        record["errorCode"] = "AccessDenied"
        record["errorMessage"] = "denied"
    return record


def _seed(tmp_path, records):
    path = tmp_path / "cloudtrail.json"
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return run(load(str(SEED)).search, data=path)


def test_nine_failures_are_not_enough(tmp_path):
    assert len(_seed(tmp_path, [_call(s) for s in range(9)])) == 0


def test_ten_failures_fire(tmp_path):
    out = _seed(tmp_path, [_call(s) for s in range(10)])
    assert out["count"].tolist() == [10]
    assert out["firstTime"].tolist() == ["2026-03-09T10:00:00"]
    assert out["lastTime"].tolist() == ["2026-03-09T10:00:09"]


def test_successes_and_other_apis_of_the_same_principal_do_not_count(tmp_path):
    records = [_call(s) for s in range(9)]
    records += [_call(20 + s, error=False) for s in range(5)]  # ListFoundationModels that worked
    records += [_call(40 + s, event="ListCustomModels") for s in range(5)]  # another API, denied
    assert len(_seed(tmp_path, records)) == 0


def test_assumed_role_caller_is_named_by_its_session_issuer(tmp_path):
    # aws-cloudtrail-fields.md: user_name falls back to sessionContext.sessionIssuer.userName
    out = _seed(tmp_path, [_call(s, user="alice@example.com", role="BedrockReader")
                           for s in range(10)])
    assert out["user"].tolist() == ["BedrockReader"]


def test_event_missing_a_by_field_is_left_out(tmp_path):
    # stats drops events that lack any by-field: ten failures, one without a userAgent -> 9
    records = [_call(s) for s in range(9)] + [_call(30, agent=None)]
    assert len(_seed(tmp_path, records)) == 0
    records.append(_call(31))
    out = _seed(tmp_path, records)
    assert out["count"].tolist() == [10]


def test_two_callers_are_two_rows_sorted_by_the_by_fields(tmp_path):
    records = [_call(s, ip="203.0.113.9") for s in range(10)] + [_call(s, ip="192.0.2.1")
                                                                  for s in range(11)]
    out = _seed(tmp_path, records)
    assert out["src"].tolist() == ["192.0.2.1", "203.0.113.9"]
    assert out["count"].tolist() == [11, 10]


def test_cli_detect_example_prints_the_row_and_risk_message(capsys):
    assert spl.cli.main(["detect", "--example", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == 1
    assert rows[0]["count"] == "12"
    assert rows[0]["_risk_message"].startswith("User svc-reporting attempted")


def test_seed_yaml_in_shared_matches_the_bundled_search(shared):
    # the bundled example must carry the published search verbatim
    published = load(str(shared / "seed" / "aws_bedrock_high_number_list_foundation_model_failures.yml"))
    assert load(str(SEED)).search == published.search


@pytest.mark.parametrize("argv, code", [
    (["run", "| stats count by", "--data", "x"], 2),  # syntax error
    (["run", "`nosuchmacro` | head", "--data", "x"], 2),  # macro error
    (["detect"], 2),  # usage
])
def test_cli_errors_have_exit_codes_and_no_traceback(argv, code, capsys):
    assert spl.cli.main(argv) == code
    err = capsys.readouterr().err
    assert "Traceback" not in err


@pytest.mark.parametrize("content, problem", [
    (b"\x89PNG\r\n\x1a\n\xff\xfe", "not UTF-8 text"),
    (b"name: D\nsearch: '| makeresults'\nrba:\n  message: 42\n", "'rba.message' must be text"),
])
def test_cli_detect_on_an_unusable_file_names_it(tmp_path, capsys, content, problem):
    path = tmp_path / "garbage.bin"
    path.write_bytes(content)
    assert spl.cli.main(["detect", str(path), "--data", str(tmp_path)]) == 1
    err = " ".join(capsys.readouterr().err.split())
    assert err.startswith(f"config error: {path}") and problem in err and "Traceback" not in err


def test_a_leading_pipe_search_searches_the_events(tmp_path):
    # `| search x` is the search command itself, as the first command of a search
    out = _seed_free_run(tmp_path, "| search errorCode=AccessDenied | stats count")  # seconds 0, 2, 4
    assert out["count"].tolist() == [3]


def test_bad_time_zone_is_a_usage_error(capsys):
    assert spl.cli.main(["run", "| stats count", "--data", "x", "--tz", "Nowhere/Bad"]) == 2
    assert "Nowhere/Bad" in capsys.readouterr().err


def test_detect_prints_data_as_text_not_markup(tmp_path, capsys):
    # a user agent such as "[bold]x[/bold]" or "[/x]" must print as written, never as markup
    records = [_call(s, agent="[/x] [bold]agent[/bold]") for s in range(10)]
    path = tmp_path / "ct.json"
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    det = tmp_path / "d.yml"
    det.write_text("name: d\nsearch: '`cloudtrail` | stats count by user_agent'\n"
                   "rba:\n  message: agent $user_agent$ seen $count$ times\n")
    assert spl.cli.main(["detect", str(det), "--data", str(path), "--format", "table"]) == 0
    assert "agent [/x] [bold]agent[/bold] seen 10 times" in capsys.readouterr().out


def _seed_free_run(tmp_path, search):
    path = tmp_path / "ct.json"
    path.write_text("".join(json.dumps(_call(s, error=s % 2 == 0)) + "\n" for s in range(6)))
    return run(search, data=path)
