"""spl test, the parts that need no engine: attack-data resolution and download cache, contentctl's
skip and pass rules over given result tables, detection discovery, and the JUnit/YAML reports.

Rules restated from contentctl (splunk/contentctl, Detection.adjust_tests_and_groups and the unit
test check of DetectionTestingInfrastructure); every expected value below is worked out by hand.
"""
from __future__ import annotations

import hashlib
import http.server
import threading
import xml.etree.ElementTree as ET
from pathlib import Path

import pandas as pd
import pytest
import yaml

from spl import detections
from spl.content import discover
from spl.detections import Detection
from spl.errors import ConfigError, DataError
from spl.testing import judge as rules
from spl.testing import reports
from spl.testing.resolve import (
    Resolver,
    Unavailable,
    attack_data_path,
    default_cache,
    is_lfs_pointer,
)
from spl.testing.runner import Options, Outcome, find_detections, plan

TREE = Path(__file__).resolve().parent / "fixtures" / "content"
REL = "datasets/attack_techniques/T1098.001/spl_fixture_access_keys/cloudtrail.json"
POINTER = (b"version https://git-lfs.github.com/spec/v1\n"
           b"oid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\n"
           b"size 48213\n")


# --- URL -> path in splunk/attack_data -------------------------------------------------------

@pytest.mark.parametrize("url", [
    f"https://media.githubusercontent.com/media/splunk/attack_data/master/{REL}",
    f"https://raw.githubusercontent.com/splunk/attack_data/master/{REL}",
    f"https://raw.githubusercontent.com/splunk/attack_data/refs/heads/master/{REL}",
    f"https://github.com/splunk/attack_data/raw/master/{REL}",
    f"https://github.com/splunk/attack_data/blob/master/{REL}",
    f"https://github.com/splunk/attack_data/raw/refs/heads/master/{REL}",
    f"https://raw.githubusercontent.com/splunk/attack_data/3f1c2a9/{REL}",
])
def test_attack_data_urls_name_a_path_in_the_repository(url):
    assert attack_data_path(url) == REL


@pytest.mark.parametrize("url", [
    f"https://raw.githubusercontent.com/someone/attack_data/master/{REL}",
    "https://example.com/cloudtrail.json",
    "cloudtrail.json",
])
def test_other_locations_are_not_attack_data_paths(url):
    assert attack_data_path(url) is None


def test_default_cache_follows_xdg_then_home(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_cache() == tmp_path / "xdg" / "spl"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert default_cache() == tmp_path / "home" / ".cache" / "spl"


# --- resolving files ---------------------------------------------------------------------------

def test_lfs_pointer_is_recognised_by_its_first_line(tmp_path):
    pointer, data = tmp_path / "p.json", tmp_path / "d.json"
    pointer.write_bytes(POINTER)
    data.write_text('{"eventVersion": "1.09"}\n')
    assert is_lfs_pointer(pointer) and not is_lfs_pointer(data)


def test_attack_data_url_maps_into_a_local_clone(tmp_path):
    resolver = Resolver(TREE / "attack_data", cache=tmp_path / "cache", offline=True)
    url = f"https://media.githubusercontent.com/media/splunk/attack_data/master/{REL}"
    assert resolver.resolve(url, tmp_path) == TREE / "attack_data" / REL
    assert resolver.downloads == 0


def test_lfs_pointer_in_the_clone_is_unavailable_not_data(tmp_path):
    resolver = Resolver(TREE / "attack_data", cache=tmp_path / "cache", offline=True)
    url = ("https://media.githubusercontent.com/media/splunk/attack_data/master/datasets/"
           "attack_techniques/T1562.008/spl_fixture_lfs_pointer/cloudtrail.json")
    with pytest.raises(Unavailable, match="Git LFS pointer"):
        resolver.resolve(url, tmp_path)


def test_offline_without_clone_or_cache_is_unavailable(tmp_path):
    resolver = Resolver(None, cache=tmp_path / "cache", offline=True)
    with pytest.raises(Unavailable, match="not available offline"):
        resolver.resolve(f"https://raw.githubusercontent.com/splunk/attack_data/master/{REL}",
                         tmp_path)


def test_cached_attack_data_mirrors_the_repository_layout(tmp_path):
    cached = tmp_path / "cache" / "attack_data" / REL
    cached.parent.mkdir(parents=True)
    cached.write_text("{}\n")
    resolver = Resolver(None, cache=tmp_path / "cache", offline=True)
    assert resolver.resolve(f"https://github.com/splunk/attack_data/raw/master/{REL}",
                            tmp_path) == cached


def test_relative_data_resolves_against_the_detection_directory(tmp_path):
    (tmp_path / "data.json").write_text("{}\n")
    resolver = Resolver(None, cache=tmp_path / "cache", offline=True)
    assert resolver.resolve("data.json", tmp_path) == tmp_path / "data.json"
    with pytest.raises(DataError) as err:
        resolver.resolve("absent.json", tmp_path)
    assert err.value.file == str(tmp_path / "absent.json")
    assert not isinstance(err.value, Unavailable)


# --- downloading, against a server on 127.0.0.1 -----------------------------------------------

class _Server:
    """A local HTTP server with fixed files; counts the requests for each path."""

    def __init__(self, files: dict[str, bytes]):
        self.files, self.requests = files, []
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                owner.requests.append(self.path)
                body = owner.files.get(self.path)
                if body is None:
                    self.send_error(404, "Not Found")
                    return
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server():
    data = (TREE / "attack_data" / REL).read_bytes()
    srv = _Server({"/data/cloudtrail.json": data, "/data/pointer.json": POINTER})
    yield srv
    srv.close()


def test_download_goes_to_the_cache_once(server, tmp_path):
    url = server.base + "/data/cloudtrail.json"
    first = Resolver(None, cache=tmp_path / "cache").resolve(url, tmp_path)
    digest = hashlib.sha256(url.encode()).hexdigest()[:16]
    assert first == tmp_path / "cache" / "url" / digest / "cloudtrail.json"
    assert first.read_bytes() == (TREE / "attack_data" / REL).read_bytes()
    again = Resolver(None, cache=tmp_path / "cache")
    assert again.resolve(url, tmp_path) == first
    assert server.requests == ["/data/cloudtrail.json"] and again.downloads == 0


def test_download_failure_is_a_data_error_naming_the_url(server, tmp_path):
    url = server.base + "/data/absent.json"
    with pytest.raises(DataError, match="HTTP 404") as err:
        Resolver(None, cache=tmp_path / "cache").resolve(url, tmp_path)
    assert url in err.value.message and not isinstance(err.value, Unavailable)
    assert not list((tmp_path / "cache").rglob("*.json*"))


def test_downloaded_lfs_pointer_is_reported_and_not_cached(server, tmp_path):
    with pytest.raises(Unavailable, match="Git LFS pointer"):
        Resolver(None, cache=tmp_path / "cache").resolve(server.base + "/data/pointer.json",
                                                         tmp_path)
    assert not [p for p in (tmp_path / "cache").rglob("*") if p.is_file()]


def test_download_draws_a_progress_bar_on_the_given_console(server, tmp_path):
    from rich.console import Console

    console = Console(record=True, force_terminal=True, width=100)
    Resolver(None, cache=tmp_path / "cache", progress=console).resolve(
        server.base + "/data/cloudtrail.json", tmp_path)
    assert "downloading cloudtrail.json" in console.export_text()


# --- the pass rules over result tables ---------------------------------------------------------

def _table(rows: list[dict]) -> pd.DataFrame:
    cols = list(dict.fromkeys(k for r in rows for k in r))
    return pd.DataFrame({c: pd.Series([r.get(c) for r in rows], dtype=object) for c in cols})


def test_no_result_fails_the_first_rule():
    verdict = rules.judge(_table([]), ["user"], ["src"])
    assert not verdict.passed and verdict.reason == "no results (rule: at least one result)"


def test_every_risk_object_must_be_in_every_result():
    rows = [{"user": "alice", "src": "203.0.113.10"}, {"user": None, "src": "192.0.2.44"},
            {"user": "null", "src": "198.51.100.5"}]
    verdict = rules.judge(_table(rows), ["user"], ["src"])
    assert not verdict.passed
    assert verdict.reason == ("risk object field 'user' is null in result(s) 2, 3 of 3 "
                              "(rule: in every result)")
    assert verdict.rows == (1, 2)


def test_a_risk_object_absent_from_the_results_fails():
    verdict = rules.judge(_table([{"src": "203.0.113.10"}]), ["user"], [])
    assert not verdict.passed and "risk object field 'user' is missing" in verdict.reason


def test_a_threat_object_needs_only_one_result():
    rows = [{"user": "alice", "src": None}, {"user": "bob", "src": "198.51.100.5"}]
    assert rules.judge(_table(rows), ["user"], ["src"]) == rules.Judgement(True, "2 results")


def test_a_threat_object_null_in_every_result_fails():
    rows = [{"user": "alice", "src": None}, {"user": "bob", "src": "null"}]
    verdict = rules.judge(_table(rows), ["user"], ["src"])
    assert not verdict.passed
    assert verdict.reason == ("threat object field 'src' is null in every result "
                              "(rule: in at least one result)")
    verdict = rules.judge(_table([{"user": "alice"}]), ["user"], ["src"])
    assert not verdict.passed and "'src' is null in every result" in verdict.reason


def test_multivalue_objects_are_present():
    rows = [{"user": ["alice", "bob"], "src": ["203.0.113.10", "198.51.100.5"]}]
    assert rules.judge(_table(rows), ["user"], ["src"]).passed


def test_risk_rule_is_checked_before_threat_rule():
    verdict = rules.judge(_table([{"user": None, "src": None}]), ["user"], ["src"])
    assert verdict.reason.startswith("risk object field 'user'")


def test_negative_expectation():
    assert rules.judge(_table([]), ["user"], ["src"], rules.EXPECT_NONE).passed
    verdict = rules.judge(_table([{"user": "a"}, {"user": "b"}]), ["user"], [], rules.EXPECT_NONE)
    assert not verdict.passed and verdict.reason == "expected no results, got 2"
    assert verdict.rows == (0, 1)


def test_expectation_key():
    assert rules.expectation({"name": "t"}) == "results"
    assert rules.expectation({"expect": "no_results"}) == "no_results"
    assert rules.expectation({"expect": "Results"}) == "results"
    with pytest.raises(ValueError, match="unknown 'expect: nothing'"):
        rules.expectation({"expect": "nothing"})


# --- what is skipped ---------------------------------------------------------------------------

def _det(**kw) -> Detection:
    base = dict(path=Path("d.yml"), name="D", search="`cloudtrail` | stats count by user",
                status="production", type="TTP", tests=[{"name": "t"}], raw={})
    base.update(kw)
    return Detection(**base)


@pytest.mark.parametrize("kind", ["TTP", "Anomaly", "Hunting"])
def test_production_detections_of_tested_types_run(kind):
    assert rules.detection_skip(_det(type=kind)) is None


@pytest.mark.parametrize("det, reason", [
    (_det(status="experimental"), "detection is not production (status: experimental)"),
    (_det(status="deprecated"), "detection is not production (status: deprecated)"),
    (_det(type="Correlation"),
     "Correlation detections are not unit-tested (contentctl cannot test this type)"),
    (_det(type="Baseline"), "a Baseline search is not a detection with tests"),
    (_det(raw={"tags": {"manual_test": "needs a day of data"}}), "manual test: needs a day of data"),
    (_det(raw={"manual_test": "by hand"}), "manual test: by hand"),
    (_det(raw={"baselines": ["Previously Seen Users - Initial"]}),
     "needs a baseline first: run the baseline search(es) Previously Seen Users - Initial"),
    (_det(search="| inputlookup seen_users_baseline | stats count by user"),
     "needs a baseline first: lookup seen_users_baseline is filled by a baseline search"),
    (_det(tests=[]), "detection has no tests"),
])
def test_detection_skips(det, reason):
    assert rules.detection_skip(det) == reason


def test_kv_store_lookups_need_a_baseline_and_file_lookups_do_not(tmp_path):
    (tmp_path / "seen.yml").write_text("name: seen\ncollection: seen\nfields_list: _key, user\n")
    (tmp_path / "known.yml").write_text("name: known\nfilename: known.csv\n")
    kv = _det(search="`cloudtrail` | lookup seen user OUTPUT firstTimeSeen | where count>0")
    csv = _det(search="`cloudtrail` | lookup local=true known user OUTPUT role")
    assert rules.detection_skip(kv, tmp_path) == (
        "needs a baseline first: lookup seen is a KV store collection filled by another search")
    assert rules.detection_skip(csv, tmp_path) is None


def test_test_level_skips():
    assert rules.skip_for_test({"name": "t", "test_type": "unit"}) is None
    assert rules.skip_for_test({"test_type": "experimental", "description": "PORTED MANUAL TEST"}) \
        == "experimental test: PORTED MANUAL TEST"
    assert rules.skip_for_test({"baselines": [{"name": "b"}]}) == \
        "needs a baseline first: the test lists baselines"


# --- reading detection files -------------------------------------------------------------------

HEAD = "name: D\nsearch: '`cloudtrail` | stats count by user'\n"


def test_a_binary_file_is_a_config_error_naming_it(tmp_path):
    path = tmp_path / "garbage.bin"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe\x00")
    with pytest.raises(ConfigError) as err:
        detections.load(path)
    assert err.value.file == str(path) and "not UTF-8 text" in err.value.message


@pytest.mark.parametrize("body, key, line, problem", [
    ('rba: "str"\n', "rba", 3, "must be a mapping, not text"),
    ("finding: [1]\n", "finding", 3, "must be a mapping, not a list"),
    ("intermediate_findings: 7\n", "intermediate_findings", 3, "must be a mapping, not a number"),
    ("tests: 5\n", "tests", 3, "must be a list of test mappings"),
    ("tests: abc\n", "tests", 3, "must be a list of test mappings"),
    ("rba:\n  message: 42\n", "rba.message", 4, "must be text, not a number"),
    ("finding:\n  title: [a, b]\n", "finding.title", 4, "must be text, not a list"),
    ("rba:\n  message: m\n  risk_objects: user\n", "rba.risk_objects", 5,
     "must be a list of mappings with a 'field:', not text"),
    ("rba:\n  message: m\n  risk_objects:\n    - user\n", "rba.risk_objects", 6,
     "has an entry without a 'field:' name"),
    ("finding:\n  title: t\n  entity: {type: user}\n", "finding.entity", 5,
     "has an entry without a 'field:' name"),
    ("threat_objects:\n  - field: 3\n", "threat_objects", 4,
     "has an entry without a 'field:' name"),
])
def test_a_key_of_the_wrong_type_is_a_config_error_naming_file_key_and_line(
        tmp_path, body, key, line, problem):
    # Lines counted by hand: HEAD is lines 1-2, so the body's first key is on line 3.
    path = tmp_path / "d.yml"
    path.write_text(HEAD + body)
    with pytest.raises(ConfigError) as err:
        detections.load(path)
    assert (err.value.file, err.value.line, err.value.message) == (
        str(path), line, f"'{key}' {problem}")


def test_both_layouts_give_message_and_objects(tmp_path):
    old = tmp_path / "old.yml"
    old.write_text(HEAD + "rba:\n  message: User $user$\n  risk_objects:\n    - field: user\n"
                   "      type: user\n      score: 25\n  threat_objects:\n    - field: src\n"
                   "      type: ip_address\ntests:\n  - name: t\n")
    new = tmp_path / "new.yml"
    new.write_text(HEAD + "finding:\n  title: User $user$\n  entity:\n    field: user\n"
                   "    type: user\nthreat_objects:\n  - field: src\n    type: ip_address\n")
    for path in (old, new):
        det = detections.load(path)
        assert (det.message, det.risk_objects, det.threat_objects) == ("User $user$", ["user"],
                                                                       ["src"])
    assert detections.load(old).tests == [{"name": "t"}] and detections.load(new).tests == []


@pytest.mark.parametrize("tests, reason", [
    ("[5]", "a test entry must be a mapping"),
    ("[{name: t, attack_data: 5}]", "attack_data must be a list of {data: ...} entries"),
    ("[{name: t, attack_data: file.json}]", "attack_data must be a list of {data: ...} entries"),
    ("[{name: t, attack_data: [{source: s}]}]", "an attack_data entry has no 'data:'"),
    ("[{name: t}]", "the test has no attack_data"),
])
def test_a_malformed_test_entry_is_an_error_outcome(tmp_path, tests, reason):
    path = tmp_path / "d.yml"
    path.write_text(HEAD + f"status: production\ntype: TTP\ntests: {tests}\n")
    [o] = plan([path], Options(offline=True), Resolver(cache=tmp_path / "cache", offline=True))
    assert (o.verdict, o.reason) == ("error", reason)


# --- finding detections in a content tree ------------------------------------------------------

def test_directories_yield_detections_not_macros_or_lookups():
    found = find_detections([TREE])
    assert all(p.parent == TREE / "detections" / "cloud" for p in found)
    assert len(found) == len(list((TREE / "detections" / "cloud").glob("*.yml")))


def test_a_missing_path_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="no such file or directory"):
        find_detections([tmp_path / "absent"])


def test_macros_and_lookups_are_found_above_the_detections():
    tree = discover(TREE / "detections" / "cloud" / "spl_fixture_manual.yml")
    assert tree.macros == [TREE / "macros"] and tree.lookups == [TREE / "lookups"]


# --- reports ------------------------------------------------------------------------------------

OUTCOMES = [
    Outcome("A", "a.yml", "True Positive Test", "pass", "2 results", results=2, seconds=0.25,
            status="production", type="TTP", columns=["user"], rows=[{"user": "alice"}]),
    Outcome("B", "b.yml", "True Positive Test", "fail", "no results (rule: at least one result)",
            results=0, seconds=0.5, status="production", type="TTP"),
    Outcome("C", "c.yml", "True Positive Test", "skip", "manual test: by hand",
            status="production", type="TTP"),
    Outcome("D", "d.yml", "True Positive Test", "unsupported", "unsupported: command 'x'",
            status="production", type="Hunting"),
    Outcome("E", "e.yml", "-", "error", "config error: e.yml: not valid YAML"),
    Outcome("F", "f.yml", "True Positive Test", "fail", "risk object field 'user' is null",
            results=1, status="production", type="TTP", columns=["user", "src"],
            rows=[{"user": None, "src": "192.0.2.44"}]),
]


def test_junit_xml_has_one_case_per_test_with_its_verdict(tmp_path):
    path = tmp_path / "junit.xml"
    reports.write_junit(OUTCOMES, path)
    root = ET.parse(path).getroot()
    assert root.tag == "testsuites"
    suite = root.find("testsuite")
    assert {k: suite.get(k) for k in ("tests", "failures", "errors", "skipped")} == \
        {"tests": "6", "failures": "2", "errors": "1", "skipped": "2"}
    assert suite.get("time") == "0.750"
    cases = suite.findall("testcase")
    assert [(c.get("classname"), c.get("name")) for c in cases] == [
        (o.detection, o.test) for o in OUTCOMES]
    assert [child.tag for c in cases for child in c] == ["failure", "skipped", "skipped",
                                                         "error", "failure"]
    assert cases[1].find("failure").get("message") == "no results (rule: at least one result)"
    assert cases[3].find("skipped").get("message") == "unsupported: unsupported: command 'x'"
    assert cases[5].find("failure").text == '{"user": null, "src": "192.0.2.44"}'


def test_yaml_summary_splits_tested_and_skipped(tmp_path):
    path = tmp_path / "summary.yml"
    reports.write_summary(OUTCOMES, path)
    doc = yaml.safe_load(path.read_text())
    assert doc["summary"] == {
        "mode": "spl test", "success": False, "total_detections": 6,
        "total_tested_detections": 5, "total_pass": 1, "total_fail": 3, "total_skipped": 1,
        "total_not_run": 1, "success_rate": "20.0%"}
    assert [d["name"] for d in doc["skipped_detections"]] == ["C"]
    tested = {d["name"]: d for d in doc["tested_detections"]}
    assert tested["D"]["status"] == "unsupported" and tested["D"]["success"] is True
    assert tested["B"]["tests"] == [{"name": "True Positive Test", "expect": "results",
                                     "status": "fail", "success": False,
                                     "message": "no results (rule: at least one result)",
                                     "resultCount": 0, "duration": 0.5}]


def test_totals_line():
    assert reports.totals(OUTCOMES) == "1 pass, 2 fail, 1 error, 1 skip, 1 unsupported"
    assert reports.totals([]) == "no tests"


def test_attack_data_urls_download_from_githubs_lfs_media_into_the_clone_layout(
        server, tmp_path, monkeypatch):
    # Any form of an attack_data URL is fetched from media.githubusercontent.com (raw.github
    # serves only the LFS pointer); here that host is the local server.
    monkeypatch.setattr("spl.testing.resolve.MEDIA_URL", server.base + "/")
    server.files["/" + REL] = server.files["/data/cloudtrail.json"]
    url = f"https://raw.githubusercontent.com/splunk/attack_data/master/{REL}"
    path = Resolver(None, cache=tmp_path / "cache").resolve(url, tmp_path)
    assert path == tmp_path / "cache" / "attack_data" / REL
    assert server.requests == ["/" + REL]

