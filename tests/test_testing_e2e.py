"""spl test end to end over tests/fixtures/content, a tree in security_content's layout.

The CloudTrail file (attack_data/.../spl_fixture_access_keys/cloudtrail.json) holds, by hand:
CreateAccessKey by alice from 203.0.113.10 at 10:00 and 10:05, by bob from 198.51.100.5 at 11:00,
by svc-ci from 10.0.0.5 at 11:30; ListBuckets by alice; PutBucketPolicy by alice (203.0.113.10)
and by an assumed role without userName (192.0.2.44); DeleteTrail by carol (198.51.100.77); all
on 2026-03-01 UTC. The benign file has only ListBuckets and DescribeInstances calls. Each
detection's expected verdict and rows below follow from those records and its search.
"""
from __future__ import annotations

import calendar
import json
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from importlib import resources
from pathlib import Path

import pytest
import yaml

import spl.cli
from spl.testing import Options, run_tests

REPO = Path(__file__).resolve().parents[1]
TREE = Path(__file__).resolve().parent / "fixtures" / "content"
DETS = TREE / "detections" / "cloud"
CLONE = TREE / "attack_data"
OFFLINE = Options(attack_data=CLONE, offline=True)
SEED_URL = ("https://media.githubusercontent.com/media/splunk/attack_data/master/datasets/"
            "attack_techniques/T1580/aws_bedrock_list_foundation_model_failures/cloudtrail.json")


def _t(hour, minute=0):
    return float(calendar.timegm((2026, 3, 1, hour, minute, 0)))


@pytest.fixture(scope="module")
def outcomes():
    """Every test of the tree, keyed by (detection, test)."""
    return {(o.detection, o.test): o for o in run_tests([TREE / "detections"], OFFLINE)}


def test_older_layout_passes_and_the_trees_filter_macro_applies(outcomes):
    o = outcomes["SPL Fixture Access Key Created", "True Positive Test"]
    assert (o.verdict, o.reason, o.results) == ("pass", "2 results", 2)
    # svc-ci's key is dropped by macros/spl_fixture_access_key_created_filter.yml
    assert o.columns == ["user", "src", "count", "firstTime"]
    assert o.rows == [{"user": "alice", "src": "203.0.113.10", "count": 2, "firstTime": _t(10)},
                      {"user": "bob", "src": "198.51.100.5", "count": 1, "firstTime": _t(11)}]


def test_2026_layout_passes(outcomes):
    o = outcomes["SPL Fixture Trail Deleted", "True Positive Test"]
    assert (o.verdict, o.results) == ("pass", 1)
    assert o.rows == [{"user": "carol", "src": "198.51.100.77", "count": 1}]


def test_rule_one_no_result(outcomes):
    o = outcomes["SPL Fixture No Results", "True Positive Test"]
    assert (o.verdict, o.reason, o.results) == (
        "fail", "no results (rule: at least one result)", 0)


def test_rule_two_risk_object_null_in_one_result(outcomes):
    o = outcomes["SPL Fixture Bucket Policy Null User", "True Positive Test"]
    assert o.verdict == "fail" and o.results == 2
    # rows sorted by src: 192.0.2.44 (the assumed role, no userName) comes first
    assert o.reason == "risk object field 'user' is null in result(s) 1 of 2 (rule: in every result)"
    assert o.rows == [{"src": "192.0.2.44", "count": 1, "user": None}]


def test_rule_two_in_the_2026_layout(outcomes):
    o = outcomes["SPL Fixture Finding Null Entity", "True Positive Test"]
    assert o.verdict == "fail" and o.reason.startswith("risk object field 'user' is null")


def test_rule_three_threat_object_in_no_result(outcomes):
    o = outcomes["SPL Fixture Threat Missing", "True Positive Test"]
    assert o.verdict == "fail" and o.results == 3
    assert o.reason == ("threat object field 'src' is null in every result "
                        "(rule: in at least one result)")
    assert o.rows == [{"user": "alice", "count": 2}, {"user": "bob", "count": 1},
                      {"user": "svc-ci", "count": 1}]


@pytest.mark.parametrize("name, reason", [
    ("SPL Fixture Experimental", "detection is not production (status: experimental)"),
    ("SPL Fixture Correlation",
     "Correlation detections are not unit-tested (contentctl cannot test this type)"),
    ("SPL Fixture Manual",
     "manual test: Needs events spread over a day, which the replayed data cannot give."),
    ("SPL Fixture Seen User Baseline", "needs a baseline first: lookup spl_fixture_seen_users is "
                                       "a KV store collection filled by another search"),
])
def test_skips_with_their_reasons(outcomes, name, reason):
    o = outcomes[name, "True Positive Test"]
    assert (o.verdict, o.reason, o.results) == ("skip", reason, None)


def test_hunting_is_tested(outcomes):
    o = outcomes["SPL Fixture Hunting", "True Positive Test"]
    assert o.verdict == "pass"
    assert o.rows == [{"sourceIPAddress": "192.0.2.44", "count": 1},
                      {"sourceIPAddress": "203.0.113.10", "count": 1}]


def test_unsupported_command_is_not_a_failure(outcomes):
    o = outcomes["SPL Fixture Unsupported", "True Positive Test"]
    assert o.verdict == "unsupported" and not o.failed
    assert o.reason.startswith("unsupported: ") and "geostats" in o.reason


def test_a_sourcetype_without_definition_is_unsupported(tmp_path):
    text = (DETS / "spl_fixture_access_key_created.yml").read_text()
    det = tmp_path / "d.yml"
    det.write_text(text.replace("sourcetype: aws:cloudtrail", "sourcetype: spl:fixture:undefined"))
    # judged before any download: without a clone or a cache it is still unsupported
    [o] = run_tests([det], Options(offline=True, cache=tmp_path / "cache"))
    assert o.verdict == "unsupported" and "spl:fixture:undefined" in o.reason


LAKE_RECORD = {"metadata": {"product": {"name": "CloudTrail", "vendor_name": "AWS"}},
               "time": 1772359200000, "class_uid": 6003, "api": {"operation": "DeleteTrail"},
               "actor": {"user": {"uid": "AIDACAROL"}}, "src_endpoint": {"ip": "198.51.100.77"}}


@pytest.mark.parametrize("entry, rows", [
    # the entry's sourcetype and source are the events' (the search asks for both)
    ("    sourcetype: aws:cloudtrail:lake\n    source: aws_asl\n",
     [{"user": "AIDACAROL", "src": "198.51.100.77", "count": 1}]),
    # no sourcetype: the data's own, detected from its records
    ("    source: aws_asl\n", [{"user": "AIDACAROL", "src": "198.51.100.77", "count": 1}]),
    # another source: nothing found
    ("    sourcetype: aws:cloudtrail:lake\n    source: elsewhere\n", []),
])
def test_an_entry_gives_its_sourcetype_and_source(tmp_path, entry, rows):
    text = (DETS / "spl_fixture_trail_deleted.yml").read_text()
    text = text.replace("""  `cloudtrail` eventName=DeleteTrail
  | eval user='userIdentity.userName', src=sourceIPAddress""",
                        """  sourcetype=aws:cloudtrail:lake source=aws_asl api.operation=DeleteTrail
  | eval user='actor.user.uid', src='src_endpoint.ip'""")
    start = text.index("  - data:")
    text = text[:start] + "  - data: lake.json\n" + entry + "  test_type: unit\n"
    det = tmp_path / "d.yml"
    det.write_text(text)
    (tmp_path / "lake.json").write_text(json.dumps(LAKE_RECORD) + "\n")
    [o] = run_tests([det], Options(offline=True, cache=tmp_path / "cache"))
    assert (o.verdict, o.rows) == ("pass" if rows else "fail", rows)


def test_lfs_pointer_is_reported_not_parsed(outcomes):
    o = outcomes["SPL Fixture LFS Pointer", "True Positive Test"]
    assert o.verdict == "unavailable" and "only a Git LFS pointer" in o.reason


def test_negative_tests(outcomes):
    tp = outcomes["SPL Fixture Negative", "True Positive Test"]
    assert (tp.verdict, tp.results) == ("pass", 3)  # no filter macro: svc-ci stays
    benign = outcomes["SPL Fixture Negative", "Benign Activity"]  # relative data: path
    assert (benign.verdict, benign.reason, benign.results, benign.expect) == (
        "pass", "no results, as expected", 0, "no_results")
    wrong = outcomes["SPL Fixture Negative", "Attack Data Wrongly Expected Quiet"]
    assert (wrong.verdict, wrong.reason) == ("fail", "expected no results, got 3")
    assert [r["user"] for r in wrong.rows] == ["alice", "bob", "svc-ci"]


def test_parallel_workers_give_the_same_outcomes():
    files = [DETS / f"spl_fixture_{n}.yml" for n in
             ("access_key_created", "bucket_policy_null_user", "negative", "manual")]
    serial = run_tests(files, OFFLINE)
    parallel = run_tests(files, Options(attack_data=CLONE, offline=True, jobs=2))
    strip = [(o.detection, o.test, o.verdict, o.reason, o.results, o.rows) for o in serial]
    assert strip == [(o.detection, o.test, o.verdict, o.reason, o.results, o.rows)
                     for o in parallel]


# --- the command line ---------------------------------------------------------------------------

def _cli(capsys, *argv):
    code = spl.cli.main(["test", "--format", "table", *map(str, argv), "--attack-data", str(CLONE), "--offline"])
    return code, capsys.readouterr()


def test_cli_exit_zero_when_all_pass_or_skip(capsys):
    code, out = _cli(capsys, DETS / "spl_fixture_access_key_created.yml",
                     DETS / "spl_fixture_manual.yml", DETS / "spl_fixture_lfs_pointer.yml",
                     DETS / "spl_fixture_unsupported.yml")
    assert code == 0
    assert "1 pass, 1 skip, 1 unsupported, 1 unavailable" in out.out


def test_cli_exit_one_on_failure_with_reports(capsys, tmp_path):
    junit, summary = tmp_path / "junit.xml", tmp_path / "summary.yml"
    code, out = _cli(capsys, DETS / "spl_fixture_access_key_created.yml",
                     DETS / "spl_fixture_threat_missing.yml", DETS / "spl_fixture_correlation.yml",
                     "--junit", junit, "--summary", summary, "-j", "2")
    assert code == 1
    assert "1 pass, 1 fail, 1 skip" in out.out and "svc-ci" in out.out  # the failing rows shown
    suite = ET.parse(junit).getroot().find("testsuite")
    assert (suite.get("tests"), suite.get("failures"), suite.get("skipped")) == ("3", "1", "1")
    failure = suite.find("testcase[@classname='SPL Fixture Threat Missing']/failure")
    assert failure.get("message").startswith("threat object field 'src'")
    doc = yaml.safe_load(summary.read_text())
    assert doc["summary"]["total_pass"] == 1 and doc["summary"]["total_fail"] == 1
    assert doc["skipped_detections"][0]["name"] == "SPL Fixture Correlation"


def test_cli_json_format(capsys):
    code, out = _cli(capsys, DETS / "spl_fixture_no_results.yml", "--format", "json")
    assert code == 1
    [item] = json.loads(out.out)
    assert (item["detection"], item["verdict"], item["results"]) == (
        "SPL Fixture No Results", "fail", 0)


def test_cli_missing_path_is_a_clear_error(capsys, tmp_path):
    code = spl.cli.main(["test", str(tmp_path / "absent.yml")])
    assert code == 1
    err = " ".join(capsys.readouterr().err.split())  # the console wraps long lines
    assert err == f"config error: {tmp_path / 'absent.yml'}: no such file or directory"


def test_cli_binary_file_is_an_error_outcome_not_a_traceback(capsys, tmp_path):
    garbage = tmp_path / "garbage.bin"
    garbage.write_bytes(b"\xff\xfe\x00binary")
    code, out = _cli(capsys, garbage)
    assert code == 1 and "Traceback" not in out.err
    assert "1 error" in out.out and "not UTF-8 text" in " ".join(out.out.split())


@pytest.mark.parametrize("option", ["--junit", "--summary"])
def test_cli_report_into_a_missing_directory_fails_before_any_test_runs(capsys, tmp_path, option):
    target = tmp_path / "absent" / "report.xml"
    code, out = _cli(capsys, DETS / "spl_fixture_access_key_created.yml", option, target)
    assert code == 1 and out.out == ""  # no test ran: no table, no totals
    err = "".join(out.err.split())  # the console wraps long lines, even inside the path
    assert err == "".join(f"config error: {target}: cannot write the report: no directory "
                          f"'{target.parent}'".split())


def test_report_write_failure_is_a_config_error_naming_the_file(tmp_path):
    from spl.errors import ConfigError
    from spl.testing import reports

    (tmp_path / "file").write_text("")
    target = tmp_path / "file" / "junit.xml"  # the parent is a file: writing fails
    with pytest.raises(ConfigError) as err:
        reports.write_junit([], target)
    assert err.value.file == str(target) and "cannot write the report" in err.value.message


def test_lookups_come_from_the_tree_and_outputlookup_stays_out_of_the_users_folder(
        tmp_path, monkeypatch):
    """The tree's lookups/ holds known_users.csv (alice admin, bob dev). Of the four
    CreateAccessKey calls (alice twice, bob, svc-ci) stats by user and role keeps alice and bob,
    as svc-ci has no role. outputlookup writes into a directory of the test's own: the user's
    lookup folder ($SPL_LOOKUP_DIR) stays as it was."""
    user_dir = tmp_path / "user_lookups"
    monkeypatch.setenv("SPL_LOOKUP_DIR", str(user_dir))
    tree = tmp_path / "content"
    (tree / "lookups").mkdir(parents=True)
    (tree / "lookups" / "known_users.csv").write_text("user,role\nalice,admin\nbob,dev\n")
    (tree / "detections" / "cloud").mkdir(parents=True)
    data = CLONE / "datasets/attack_techniques/T1098.001/spl_fixture_access_keys/cloudtrail.json"
    (tree / "detections" / "cloud" / "d.yml").write_text(yaml.safe_dump({
        "name": "Known users", "status": "production", "type": "TTP",
        "search": "sourcetype=aws:cloudtrail eventName=CreateAccessKey"
                  " | eval user='userIdentity.userName'"
                  " | lookup known_users.csv user OUTPUT role | outputlookup keys_seen.csv"
                  " | stats count by user role",
        "rba": {"message": "$user$", "risk_objects": [{"field": "user"}],
                "threat_objects": [{"field": "role"}]},
        "tests": [{"name": "t", "attack_data": [{"data": str(data),
                                                 "sourcetype": "aws:cloudtrail"}]}]}))
    [o] = run_tests([tree / "detections"], Options(offline=True))
    assert (o.verdict, o.results) == ("pass", 2), o.reason
    assert o.rows == [{"user": "alice", "role": "admin", "count": 2},
                      {"user": "bob", "role": "dev", "count": 1}]
    assert not user_dir.exists()
    assert sorted(p.name for p in (tree / "lookups").iterdir()) == ["known_users.csv"]


def test_download_once_then_cache_then_offline(tmp_path):
    """A detection whose data is on a local server: fetched once, then served from the cache."""
    from test_testing import _Server

    srv = _Server({"/ad/cloudtrail.json": (CLONE / "datasets/attack_techniques/T1098.001/"
                                           "spl_fixture_access_keys/cloudtrail.json").read_bytes()})
    try:
        tree = tmp_path / "content"
        shutil.copytree(TREE / "macros", tree / "macros")
        text = (DETS / "spl_fixture_access_key_created.yml").read_text()
        url = srv.base + "/ad/cloudtrail.json"
        text = text.replace("https://media.githubusercontent.com/media/splunk/attack_data/master/"
                            "datasets/attack_techniques/T1098.001/spl_fixture_access_keys/"
                            "cloudtrail.json", url)
        assert url in text
        (tree / "detections").mkdir()
        (tree / "detections" / "d.yml").write_text(text)
        cache = tmp_path / "cache"
        for _ in range(2):
            [o] = run_tests([tree / "detections"], Options(cache=cache))
            assert (o.verdict, o.results) == ("pass", 2)
        [o] = run_tests([tree / "detections"], Options(cache=cache, offline=True))
        assert o.verdict == "pass"
        assert srv.requests == ["/ad/cloudtrail.json"]
        [o] = run_tests([tree / "detections"], Options(cache=tmp_path / "empty", offline=True))
        assert o.verdict == "unavailable" and "not available offline" in o.reason
    finally:
        srv.close()


# --- the seed detection ---------------------------------------------------------------------------

SEED_ROW = {"user": "svc-reporting", "src": "198.51.100.23", "count": 12}


def _seed_clone(tmp_path) -> Path:
    clone = tmp_path / "attack_data"
    target = clone / SEED_URL.split("/master/", 1)[1]
    target.parent.mkdir(parents=True)
    with resources.as_file(resources.files("spl") / "examples" / "bedrock_cloudtrail.json") as f:
        shutil.copyfile(f, target)
    return clone


def _check_seed(o):
    # test_seed.py works out the single row: svc-reporting denied 12 times from 198.51.100.23
    assert (o.verdict, o.results) == ("pass", 1)
    assert {k: o.rows[0][k] for k in SEED_ROW} == SEED_ROW


def test_bundled_example_passes_its_own_test():
    with resources.as_file(resources.files("spl") / "examples") as folder:
        [o] = run_tests([folder / "aws_bedrock_high_number_list_foundation_model_failures.yml"],
                        Options(offline=True))
    _check_seed(o)


def test_seed_passes_when_its_url_maps_to_the_bundled_example(tmp_path):
    with resources.as_file(resources.files("spl") / "examples") as folder:
        text = (folder / "aws_bedrock_high_number_list_foundation_model_failures.yml").read_text()
    det = tmp_path / "detections" / "seed.yml"
    det.parent.mkdir()
    det.write_text(text.replace("data: bedrock_cloudtrail.json", f"data: {SEED_URL}"))
    [o] = run_tests([det], Options(attack_data=_seed_clone(tmp_path), offline=True,
                                   cache=tmp_path / "cache"))
    _check_seed(o)


def test_shared_seed_file_passes_with_its_attack_data_mapped(shared, tmp_path):
    [seed] = sorted((shared / "seed").glob("*.yml"))
    [o] = run_tests([seed], Options(attack_data=_seed_clone(tmp_path), offline=True,
                                    cache=tmp_path / "cache"))
    _check_seed(o)


# --- the pytest plugin ------------------------------------------------------------------------------

def _pytest(tmp_path, *args):
    # a pytest of its own: no plugins or options of this run (CI's coverage comes in PYTEST_ADDOPTS)
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_ADDOPTS"}
    env.update(PYTHONPATH=str(REPO), PYTEST_DISABLE_PLUGIN_AUTOLOAD="1")
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "spl.testing.pytest_plugin",
                           "-p", "no:cacheprovider", "-o", "addopts=", "--rootdir", str(tmp_path),
                           *map(str, args)], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=300)


def test_pytest_collects_detection_tests(tmp_path):
    files = [DETS / f"spl_fixture_{n}.yml" for n in ("access_key_created", "no_results", "manual")]
    for f in files:
        shutil.copy(f, tmp_path)
    shutil.copytree(TREE / "macros", tmp_path / "macros")
    run = _pytest(tmp_path, "--spl-collect", "--spl-offline", "--spl-attack-data", CLONE, "-rA",
                  tmp_path)
    assert run.returncode == 1, run.stdout + run.stderr
    assert "1 failed, 1 passed, 1 skipped" in run.stdout
    assert "no results (rule: at least one result)" in run.stdout


def test_pytest_fixture_runs_one_detection(tmp_path):
    (tmp_path / "test_mine.py").write_text(f"""
def test_access_keys(spl_detection_test):
    [o] = spl_detection_test({str(DETS / 'spl_fixture_access_key_created.yml')!r})
    assert o.results == 2

def test_threat_missing(spl_detection_test):
    spl_detection_test({str(DETS / 'spl_fixture_threat_missing.yml')!r})
""")
    run = _pytest(tmp_path, "--spl-offline", "--spl-attack-data", CLONE, tmp_path)
    assert run.returncode == 1, run.stdout + run.stderr
    assert "1 failed, 1 passed" in run.stdout
    assert "threat object field 'src' is null in every result" in run.stdout
