"""spl hunt over detections written for these tests (tests/fixtures/hunt/detections) and the
hand-written CloudTrail of tests/fixtures/hunt/cloudtrail.json.

The data (16 records, 2026-03-10, UTC): alice (203.0.113.10) signs in to the console without
MFA at 08:00, fails ListFoundationModels ten times (08:05-08:14), sets a default policy version
at 08:20 and deletes a Bedrock knowledge base at 08:30; bob (198.51.100.77) updates a SAML
provider at 09:00 and sets a default policy version at 09:10; carol lists buckets at 09:30.

Every row these detections give has no _time of its own (stats by user/src), so each finding is
dated by the last event the search saw: 09:30:00 (ES's risk action dates a result without _time
by the search's run; here the search runs as of the end of the data).
"""
from __future__ import annotations

import calendar
import json
from html import escape
from pathlib import Path

import pytest

from spl.cli import main
from spl.errors import ConfigError
from spl.hunt import HuntData, Options, Thresholds, rba, riskdata, run_hunt
from spl.hunt.drilldowns import substitute
from spl.hunt.runner import reads
from spl.session import Session

FIX = Path(__file__).parent / "fixtures" / "hunt"
DATA = FIX / "cloudtrail.json"
DETS = FIX / "detections"
LAST = calendar.timegm((2026, 3, 10, 9, 30, 0))  # carol's ListBuckets, the last event
FIRST = calendar.timegm((2026, 3, 10, 8, 0, 0))   # alice's ConsoleLogin


@pytest.fixture(scope="module")
def hunt():
    return run_hunt([DETS], HuntData([str(DATA)]), Options(jobs=1)).doc


def test_every_detection_has_a_status_in_file_name_order(hunt):
    got = [(d["name"], d["status"]) for d in hunt["detections"]]
    assert got == [("Hunt Test Policy Version Set", "fired"),
                   ("Hunt Test Console Login", "fired"),
                   ("Hunt Test Model Listing Failures", "fired"),
                   ("Hunt Test Okta Sign-in", "not_applicable"),   # reads `okta`, not CloudTrail
                   ("Hunt Test Unsupported Command", "unsupported"),  # geostats
                   ("Hunt Test Broken Search", "error"),            # stats count by <nothing>
                   ("Hunt Test Trail Deleted", "quiet")]            # no DeleteTrail in the data
    by_name = {d["name"]: d for d in hunt["detections"]}
    assert "`okta`" in by_name["Hunt Test Okta Sign-in"]["reason"]
    assert "geostats" in by_name["Hunt Test Unsupported Command"]["reason"]
    assert "column 30" in by_name["Hunt Test Broken Search"]["reason"]
    assert hunt["summary"] == {"detections": 7, "fired": 3, "quiet": 1, "not_applicable": 1,
                               "unsupported": 1, "error": 1, "findings": 4, "risk_events": 4,
                               "incidents": 0}


def test_risk_events_from_the_three_layouts(hunt):
    # a_rba: stats count by user src gives (alice, 203.0.113.10) then (bob, 198.51.100.77)
    # (stats sorts its groups); each is a risk event of score 30 with src as threat object.
    # b_older: tags risk_score 25, observable user (Victim) -> risk object of type user,
    # src (Attacker, IP Address) -> threat object ip_address; one ConsoleLogin (alice).
    # c_finding: finding.entity user score 40, title with $count$ = 10 failures; no threat.
    got = [(e["risk_object"], e["risk_object_type"], e["risk_score"], e["risk_message"],
            e["threat_object"], e["threat_object_type"], e["search_name"], e["_time"])
           for e in hunt["risk_events"]]
    assert got == [
        ("alice", "user", 30, "Policy version set by alice from 203.0.113.10", ["203.0.113.10"],
         ["ip_address"], "Hunt Test Policy Version Set - Rule", LAST),
        ("bob", "user", 30, "Policy version set by bob from 198.51.100.77", ["198.51.100.77"],
         ["ip_address"], "Hunt Test Policy Version Set - Rule", LAST),
        ("alice", "user", 25, "Console login by alice", ["203.0.113.10"], ["ip_address"],
         "Hunt Test Console Login - Rule", LAST),
        ("alice", "user", 40, "User alice failed 10 times", [], [],
         "Hunt Test Model Listing Failures - Rule", LAST),
    ]


def test_annotations_map_techniques_to_tactics(hunt):
    # ATT&CK: T1098 Account Manipulation is persistence (TA0003) and privilege escalation
    # (TA0004); T1580 Cloud Infrastructure Discovery is discovery (TA0007).
    first, last = hunt["risk_events"][0], hunt["risk_events"][3]
    assert first["annotations.mitre_attack"] == ["T1098"]
    assert first["annotations.mitre_attack.mitre_tactic_id"] == ["TA0003", "TA0004"]
    assert first["annotations.mitre_attack.mitre_tactic"] == ["persistence",
                                                              "privilege-escalation"]
    assert first["analyticstories"] == ["Hunt Test Story"]
    assert last["annotations.mitre_attack.mitre_tactic"] == ["discovery"]
    assert last["analyticstories"] == ["Other Story"]


def test_findings_and_drilldowns(hunt):
    f = hunt["findings"][0]
    assert f["fields"] == {"user": "alice", "src": "203.0.113.10", "count": "1"}
    assert f["risk_objects"] == [{"field": "user", "value": "alice", "type": "user",
                                  "score": 30, "message": f["risk_message"]}]
    assert f["threat_objects"] == [{"field": "src", "value": "203.0.113.10",
                                    "type": "ip_address"}]
    # %original_detection_search% is the search verbatim; $info_min_time$ the first event,
    # $info_max_time$ the hunt's now (one second after the last event: latest is exclusive).
    assert f["drilldowns"] == [{
        "name": 'Events of "alice"',
        "search": '`cloudtrail` eventName=SetDefaultPolicyVersion | rename user_name as user '
                  '| stats count by user src | search user = "alice"',
        "earliest": str(FIRST), "latest": str(LAST + 1)}]


def test_default_thresholds_raise_nothing_lower_ones_raise_both_rules():
    # alice: 30 + 25 + 40 = 95, not above ES's 100; bob: 30. Sources of alice: 3 detections,
    # below ES's 4. With 90 and 3: alice's 95 > 90, and her tactics TA0003, TA0004 (T1098),
    # TA0001, TA0003, TA0004, TA0005 (T1078.004), TA0007 (T1580) are 5 distinct >= 3.
    doc = run_hunt([DETS], HuntData([str(DATA)]), Options(jobs=1),
                   Thresholds(risk=90, sources=3)).doc
    got = [(i["rule"], i["risk_object"], i["risk_score"], i["count"], i["source_count"],
            i["tactic_ids"]) for i in doc["incidents"]]
    tactics = ["TA0001", "TA0003", "TA0004", "TA0005", "TA0007"]
    assert got == [("risk_threshold", "alice", 95, 3, 3, tactics),
                   ("multiple_tactics", "alice", 95, 3, 3, tactics)]
    assert doc["incidents"][0]["sources"] == ["Hunt Test Console Login - Rule",
                                              "Hunt Test Model Listing Failures - Rule",
                                              "Hunt Test Policy Version Set - Rule"]


def test_window_leaves_out_older_risk_events():
    # every risk event is dated 09:30, the last event: a one-hour window still holds them all,
    # so the outcome is the 90-threshold one; that the window applies is shown by rules.run
    # over an event dated two days earlier.
    from spl.hunt import rules

    event = {"_time": LAST - 2 * 86400, "source": "x - Rule", "search_name": "x - Rule",
             "risk_object": "dave", "risk_object_type": "user", "risk_score": 500,
             "calculated_risk_score": 500, "normalized_risk_object": "dave"}
    now = LAST + 1
    assert rules.run([event], now, Thresholds()) == []
    got = rules.run([event], now, Thresholds(risk_window="3d"))
    assert [(i["rule"], i["risk_object"], i["risk_score"]) for i in got] == [
        ("risk_threshold", "dave", 500)]


def test_risk_events_load_back_as_the_risk_sourcetype(hunt, tmp_path):
    out = tmp_path / "risk.ndjson"
    out.write_text(riskdata.ndjson(hunt["risk_events"]), encoding="utf-8")
    session = Session()
    session.add(riskdata.table(riskdata.read(out), str(out)))
    table = session.run("| from datamodel Risk.All_Risk | stats sum(risk_score) as total "
                        "values(threat_object) as threats by risk_object")
    rows = table.to_dict("records")
    assert [(r["risk_object"], r["total"]) for r in rows] == [("alice", 95), ("bob", 30)]
    assert rows[0]["threats"] == "203.0.113.10"
    events = session.run("index=risk sourcetype=risk risk_object=bob")
    assert events["source"].tolist() == ["Hunt Test Policy Version Set - Rule"]


def test_risk_file_errors_name_the_line(tmp_path):
    with pytest.raises(Exception, match="line 2: a risk event needs a numeric _time"):
        riskdata.table(['{"_time": 1, "risk_object": "a"}', '{"risk_object": "b"}'], "f.ndjson")


def test_layout_readers():
    inter = {"intermediate_findings": {"entities": [
        {"field": "user", "type": "user", "score": 40, "message": "User $user$ did it"}]},
        "threat_objects": [{"field": "src", "type": "ip_address"}]}
    cfg = rba.risk_config(inter, "x.yml")
    assert cfg.risk_objects == [rba.RiskObject("user", "user", 40, "User $user$ did it")]
    f = rba.finding("X", "id", "x.yml", 0, {"user": ["a", "b"], "src": "1.2.3.4"}, cfg, 5.0)
    # a multivalue risk object field gives one risk event per value
    assert [(e["risk_object"], e["risk_message"]) for e in rba.risk_events(f, "X - Rule")] == [
        ("a", "User a, b did it"), ("b", "User a, b did it")]
    older = {"tags": {"risk_score": 10, "observable": [
        {"name": "dest", "type": "Hostname", "role": ["Victim"]},
        {"name": "url", "type": "URL String", "role": ["Attacker"]}]}}
    cfg = rba.risk_config(older, "y.yml")
    assert cfg.risk_objects == [rba.RiskObject("dest", "system", 10)]
    assert cfg.threat_objects == [rba.ThreatObject("url", "url")]
    with pytest.raises(ConfigError, match="score"):
        rba.risk_config({"rba": {"risk_objects": [{"field": "u", "score": "high"}]}}, "z.yml")
    # ESCU writes some older scores as 25.0: a whole number scores as one
    assert rba.risk_config({"tags": {"risk_score": 25.0}}, "w.yml").risk_objects == []
    cfg = rba.risk_config({"tags": {"risk_score": 25.0, "observable": [
        {"name": "user", "type": "User", "role": ["Victim"]}]}}, "w.yml")
    assert cfg.risk_objects == [rba.RiskObject("user", "user", 25)]
    assert isinstance(cfg.risk_objects[0].score, int)


def test_reads_names_the_macro_or_the_sourcetype():
    assert reads("`cloudtrail` eventName=x", "aws:cloudtrail")
    assert reads('sourcetype="aws:cloudtrail" x', "aws:cloudtrail")
    assert not reads("sourcetype=aws:cloudtrail:lake x", "aws:cloudtrail")
    assert not reads("`okta` x", "aws:cloudtrail")


def test_substitute_keeps_unknown_tokens():
    dd = {"name": "$user$", "search": "x=$nope$ %original_detection_search%",
          "earliest_offset": "7d", "latest_offset": "0"}
    got = substitute(dd, {"user": "bob"}, "`cloudtrail` $user$", 1.0, 2.0)
    # the detection's own text is inserted after the tokens are filled: its $...$ stay
    assert got == {"name": "bob", "search": "x=$nope$ `cloudtrail` $user$", "earliest": "7d",
                   "latest": "0"}


def test_cli_formats_and_exit_codes(tmp_path, capsys):
    risk = tmp_path / "r.csv"
    code = main(["hunt", str(DETS), "--data", str(DATA), "--format", "csv", "-j", "1",
                 "--risk-out", str(risk)])
    out = capsys.readouterr().out
    assert code == 1  # findings
    lines = out.splitlines()
    assert lines[0].startswith("_time,search_name,risk_object,risk_object_type,risk_score")
    assert lines[1].startswith(f"{LAST},Hunt Test Policy Version Set - Rule,alice,user,30,")
    assert risk.read_text(encoding="utf-8") == out
    code = main(["hunt", str(DETS / "g_quiet.yml"), "--data", str(DATA), "--format", "json"])
    doc = json.loads(capsys.readouterr().out)
    assert code == 0 and doc["summary"]["quiet"] == 1 and doc["findings"] == []
    assert set(doc) >= {"spl_version", "generated", "data", "detections", "findings",
                        "risk_events", "incidents", "summary"}
    assert doc["data"] == {"files": [str(DATA)], "events": 16, "earliest": FIRST,
                           "latest": LAST, "sourcetypes": {"aws:cloudtrail": 16}}
    assert main(["hunt", str(tmp_path / "none"), "--data", str(DATA)]) == 2
    assert main(["hunt", str(DETS), "--data", str(tmp_path / "missing.json")]) == 2
    assert main(["hunt", str(DETS), "--data", "-"]) == 2
    err = capsys.readouterr().err
    assert "no such file or directory" in err


def test_cli_writes_the_html_report_and_says_when_it_cannot(tmp_path, capsys):
    pytest.importorskip("jinja2")
    pytest.importorskip("matplotlib")
    page = tmp_path / "hunt.html"
    code = main(["hunt", str(DETS), "--data", str(DATA), "--format", "json", "-j", "1",
                 "--report", str(page)])
    doc = json.loads(capsys.readouterr().out)
    assert code == 1
    html = page.read_text(encoding="utf-8")
    # every risk object and each finding's message is on the page (escaped as HTML text)
    for event in doc["risk_events"]:
        assert event["risk_object"] in html
    for finding in doc["findings"]:  # (a detection without a risk message has none)
        assert finding["risk_message"] is None or escape(finding["risk_message"]) in html
    assert main(["hunt", str(DETS), "--data", str(DATA), "-j", "1",
                 "--report", str(tmp_path / "no" / "dir" / "hunt.html")]) == 2
    assert main(["hunt", str(DETS), "--data", str(DATA), "-j", "1",
                 "--risk-out", str(tmp_path / "no" / "dir" / "r.csv")]) == 2
    err = capsys.readouterr().err
    assert "cannot write the risk events" in err and "internal error" not in err


def test_table_output_names_findings_and_incidents(capsys):
    code = main(["hunt", str(DETS), "--data", str(DATA), "--format", "table", "-j", "1",
                 "--risk-threshold", "90", "--run-drilldowns"])
    out = capsys.readouterr().out
    assert code == 1
    assert "7 detections: 3 fired, 1 quiet, 1 not applicable, 1 unsupported, 1 error" in out
    assert "risk incidents" in out and "Console login by alice" in out
    assert "-> 1 result(s)" in out  # the drilldown ran


def test_parallel_run_gives_the_same_document(hunt):
    doc = run_hunt([DETS], HuntData([str(DATA)]), Options(jobs=2)).doc
    for key in ("detections", "findings", "risk_events", "incidents", "summary"):
        if key == "detections":
            strip = [{k: v for k, v in d.items() if k != "seconds"} for d in doc[key]]
            assert strip == [{k: v for k, v in d.items() if k != "seconds"}
                             for d in hunt[key]]
        else:
            assert doc[key] == hunt[key]
