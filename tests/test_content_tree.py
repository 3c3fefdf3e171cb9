"""Content tree discovery (spl.content) through the CLI: a detection inside a security_content-like
tree gets the tree's macros/ and lookups/ in ``spl detect``, ``check``, ``explain`` and ``test``;
``--macros`` adds to them; ``--no-discover`` turns discovery off; a macro that is still missing
names the folders searched and the fix.

The tree is built here: ``sc/detections/cloud/d.yml`` uses macro ``my_events`` (defined only in
``sc/macros/``) and lookup ``admins`` (only in ``sc/lookups/``). The data is three records by
alice, bob and alice, so ``stats count by user`` gives alice 2, bob 1, and the lookup marks
alice as an admin.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

import spl.cli
from spl.content import discover

RECORD = ('{{"eventVersion":"1.08","eventTime":"2026-03-09T10:0{i}:00Z","eventSource":'
          '"iam.amazonaws.com","eventName":"CreateUser","awsRegion":"us-east-1",'
          '"sourceIPAddress":"198.51.100.{i}","userIdentity":{{"type":"IAMUser",'
          '"userName":"{user}"}}}}')
SEARCH = ("`my_events` | rename userIdentity.userName AS user | stats count by user "
          "| lookup admins user OUTPUT is_admin")


@pytest.fixture
def tree(tmp_path) -> Path:
    root = tmp_path / "sc"
    (root / "detections" / "cloud").mkdir(parents=True)
    (root / "macros").mkdir()
    (root / "lookups").mkdir()
    (root / "macros" / "my_events.yml").write_text(
        "name: my_events\ndefinition: sourcetype=aws:cloudtrail eventName=CreateUser\n")
    (root / "lookups" / "admins.csv").write_text("user,is_admin\nalice,yes\n")
    (root / "lookups" / "admins.yml").write_text(
        "name: admins\nfilename: admins.csv\ndescription: admins\n")
    (root / "detections" / "cloud" / "d.yml").write_text(
        f"name: Tree Detection\nsearch: |\n  {SEARCH}\n")
    data = tmp_path / "data.json"
    data.write_text("\n".join(RECORD.format(i=i, user=u)
                              for i, u in enumerate(["alice", "bob", "alice"], 1)) + "\n")
    return root


def _cli(capsys, *argv) -> tuple[int, str, str]:
    code = spl.cli.main([str(a) for a in argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_discover_finds_the_nearest_folders_above_the_yaml(tree):
    found = discover(tree / "detections" / "cloud" / "d.yml")
    assert found.macros == [tree / "macros"] and found.lookups == [tree / "lookups"]
    assert found.baselines == []  # the tree has none
    assert discover(tree / "detections" / "cloud" / "d.yml", enabled=False).macros == []
    assert discover(None).macros == []


def test_detect_uses_the_trees_macros_and_lookups(tree, capsys):
    code, out, err = _cli(capsys, "detect", tree / "detections" / "cloud" / "d.yml",
                          "--data", tree.parent / "data.json", "--format", "json")
    assert (code, err) == (0, "")
    assert json.loads(out) == [{"user": "alice", "count": "2", "is_admin": "yes"},
                    {"user": "bob", "count": "1"}]


def test_no_discover_turns_it_off_and_the_error_names_the_folders_and_the_fix(tree, capsys):
    code, out, err = _cli(capsys, "detect", tree / "detections" / "cloud" / "d.yml",
                          "--data", tree.parent / "data.json", "--no-discover")
    assert code == 2 and out == ""
    assert "the search uses macro `my_events`, which is not defined in:" in err
    assert "--macros DIR" in err.splitlines()[-1] and err.splitlines()[-1].startswith("hint:")


def test_macros_adds_to_the_tree(tree, tmp_path, capsys):
    """--macros comes after the tree's folder, so its definition of a macro wins."""
    extra = tmp_path / "mine"
    extra.mkdir()
    (extra / "m.yml").write_text("name: my_events\ndefinition: sourcetype=aws:cloudtrail "
                                 "eventName=CreateUser sourceIPAddress=198.51.100.2\n")
    code, out, _ = _cli(capsys, "detect", tree / "detections" / "cloud" / "d.yml",
                        "--data", tree.parent / "data.json", "--macros", extra,
                        "--format", "json")
    assert code == 0
    assert json.loads(out) == [{"user": "bob", "count": "1"}]


def test_check_uses_the_tree_and_says_which(tree, capsys):
    code, out, _ = _cli(capsys, "check", tree / "detections", "--format", "json")
    report = json.loads(out)
    assert code == 0
    assert [r["status"] for r in report["results"]] == ["ok"]
    assert report["content_trees"] == [{"macros": [str(tree / "macros")],
                                        "lookups": [str(tree / "lookups")], "baselines": []}]
    code, out, _ = _cli(capsys, "check", tree / "detections", "--format", "table")
    assert f"content tree: {tree / 'macros'}, {tree / 'lookups'}" in " ".join(out.split())
    code, out, _ = _cli(capsys, "check", tree / "detections", "--format", "json", "--no-discover")
    [r] = json.loads(out)["results"]
    assert code == 1 and r["status"] == "macro_error" and "--macros DIR" in r["message"]


def test_exec_coverage_runs_with_the_trees_lookups(tree, capsys):
    code, out, _ = _cli(capsys, "check", "--exec-coverage", tree / "detections",
                        "--data", tree.parent / "data.json", "--format", "json")
    report = json.loads(out)
    assert code == 0
    assert [(r["status"], r["rows"]) for r in report["results"]] == [("runs", 2)]
    assert report["summary"]["runs"] == 1


def test_explain_a_yaml_explains_its_search_with_its_tree(tree, capsys):
    path = tree / "detections" / "cloud" / "d.yml"
    code, out, err = _cli(capsys, "explain", path)
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == f"detection: Tree Detection ({path})"
    assert lines[1] == f"content tree: {tree / 'macros'}, {tree / 'lookups'}"
    assert "sourcetype=aws:cloudtrail eventName=CreateUser" in lines[3]  # the expansion


def test_explain_a_missing_yaml_is_an_error_not_a_search(tmp_path, capsys):
    code, out, err = _cli(capsys, "explain", tmp_path / "absent.yml")
    assert code == 1 and out == ""
    assert err.startswith(f"config error: {tmp_path / 'absent.yml'}: cannot read detection")


CORPUS = Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus" / "escu"


@pytest.mark.skipif(not (CORPUS / "macros").is_dir(), reason="shared corpus absent")
def test_escu_cloud_detections_find_their_macros(capsys):
    """ESCU's detections/ and macros/ are siblings: no cloud detection fails with an undefined
    macro once the tree is found (201 of 271 did before)."""
    code, out, _ = _cli(capsys, "check", CORPUS / "detections" / "cloud", "--format", "json")
    results = json.loads(out)["results"]
    assert len(results) > 200
    assert [r["path"] for r in results if "not defined" in r["message"]] == []
