"""``spl check`` and ``spl explain`` through the CLI: statuses of paths that hold no search, exit
statuses, and errors on stderr (the report itself is on stdout)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

import spl.cli
from spl.check import check_paths, exec_coverage


def _cli(capsys, *argv) -> tuple[int, str, str]:
    code = spl.cli.main([str(a) for a in argv])
    captured = capsys.readouterr()
    return code, captured.out, " ".join(captured.err.split())


def _json_check(capsys, *paths) -> tuple[int, list[dict]]:
    code, out, _ = _cli(capsys, "check", *paths, "--format", "json")
    return code, json.loads(out)["results"]


def test_a_missing_path_is_a_file_error_and_fails(capsys, tmp_path):
    code, results = _json_check(capsys, tmp_path / "absent.yml")
    assert code == 1
    assert results == [{"path": str(tmp_path / "absent.yml"), "status": "file_error",
                        "message": "no such file or directory"}]


def test_a_binary_file_is_a_file_error_not_a_syntax_error(capsys, tmp_path):
    path = tmp_path / "garbage.yml"
    path.write_bytes(b"search: \xff\xfe")
    code, [r] = _json_check(capsys, path)
    assert code == 1
    assert (r["status"], r["message"]) == ("file_error", "cannot read file: not UTF-8 text (byte 8)")


def test_invalid_yaml_is_a_file_error(capsys, tmp_path):
    path = tmp_path / "broken.yml"
    path.write_text("search: [unclosed\n")
    code, [r] = _json_check(capsys, path)
    assert code == 1 and r["status"] == "file_error" and r["message"].startswith("invalid YAML")


def test_a_yaml_without_search_named_on_the_command_line_fails(capsys, tmp_path):
    path = tmp_path / "story.yml"
    path.write_text("name: a story\n")
    code, [r] = _json_check(capsys, path)
    assert code == 1
    assert (r["status"], r["message"]) == ("file_error", "the file has no 'search:' text")


def test_a_folder_with_no_detection_says_so_and_fails(capsys, tmp_path):
    (tmp_path / "macros.yml").write_text("definition: x\nname: m\n")  # passed over in a folder
    (tmp_path / "notes.txt").write_text("search: a\n")  # not a .yml/.yaml/.spl file
    code, out, _ = _cli(capsys, "check", tmp_path, "--format", "table")
    assert code == 1
    assert f"file_error {tmp_path}" in " ".join(out.split())
    assert "no detection (a YAML with 'search:') and no .spl file in this directory" in out


def test_a_folder_with_a_detection_checks_it_and_passes(capsys, tmp_path):
    (tmp_path / "macros.yml").write_text("definition: x\nname: m\n")
    (tmp_path / "d.spl").write_text("index=main | stats count by user")
    code, results = _json_check(capsys, tmp_path)
    assert code == 0 and [(Path(r["path"]).name, r["status"]) for r in results] == [("d.spl", "ok")]


def test_exec_coverage_reports_file_errors_and_fails(capsys, tmp_path):
    [r] = exec_coverage([tmp_path / "absent.spl"])
    assert (r.status, r.message) == ("file_error", "no such file or directory")
    code, out, _ = _cli(capsys, "check", "--exec-coverage", tmp_path / "absent.spl", "--format", "table")
    assert code == 1 and "1 file_error" in out


def test_a_syntax_error_still_fails_and_an_unsupported_command_does_not(tmp_path):
    (tmp_path / "bad.spl").write_text("a | stats count by")
    (tmp_path / "later.spl").write_text("a | frobnicate x=1")
    statuses = {Path(r.path).name: r.status for r in check_paths([tmp_path])}
    assert statuses == {"bad.spl": "syntax_error", "later.spl": "unsupported"}


def test_a_bad_macro_file_stops_the_check_with_its_error_on_stderr(capsys, tmp_path):
    (tmp_path / "d.spl").write_text("a")
    (tmp_path / "macros").mkdir()
    (tmp_path / "macros" / "m.yml").write_text("name: [\n")
    code, out, err = _cli(capsys, "check", tmp_path / "d.spl", "--macros", tmp_path / "macros")
    # a config error, not a syntax error: exit 1 as for spl run (spl/cli.py's exit statuses)
    assert (code, out) == (1, "")
    assert err.startswith(f"config error: {tmp_path / 'macros' / 'm.yml'}:2: invalid YAML")


@pytest.mark.parametrize("search, code, kind", [
    ("a | stats count by", 2, "syntax error"),
    ("a | `no_such_macro`", 2, "macro error"),
])
def test_explain_exits_2_on_a_syntax_or_macro_error_like_run_and_prints_to_stderr(
        capsys, search, code, kind):
    got, out, err = _cli(capsys, "explain", search)
    assert (got, out) == (code, "")
    assert err.startswith(f"{kind}:")
    run_code, _, _ = _cli(capsys, "run", search, "--data", "x")
    assert run_code == code


def test_explain_prints_the_pipeline_on_stdout(capsys):
    code, out, err = _cli(capsys, "explain", "a | stats count")
    assert (code, err) == (0, "") and "2. Stats" in out


def test_exec_coverage_says_no_data_of_the_sourcetype_a_search_asks_for(tmp_path):
    """A search that runs over events none of which is of the sourcetype its first search asks
    for is "no_data", not "runs": its 0 rows say nothing of it. Wildcards match as in a search
    (case-insensitively); a negated term asks for no sourcetype."""
    data = tmp_path / "ct.json"
    data.write_text('{"eventTime": "2025-03-01T10:00:00Z", "eventSource": "iam.amazonaws.com", '
                    '"eventName": "DeleteUser"}\n')
    searches = {
        "lake.spl": "sourcetype=aws:cloudtrail:lake | stats count",
        "two.spl": "sourcetype IN (o365:management:activity, \"azure:monitor:aad\") | stats count",
        "ct.spl": "sourcetype=aws:cloudtrail eventName=DeleteUser | stats count",
        "wild.spl": "sourcetype=AWS:Cloud* | stats count",
        "not.spl": "NOT sourcetype=aws:cloudtrail:lake | stats count",
        "none.spl": "eventName=Nothing | stats count",
    }
    for name, text in searches.items():
        (tmp_path / name).write_text(text)
    got = {Path(r.path).name: (r.status, r.message, r.rows)
           for r in exec_coverage([tmp_path / n for n in searches], data=[data])}
    assert got == {
        "lake.spl": ("no_data", "no data of sourcetype aws:cloudtrail:lake", 1),
        "two.spl": ("no_data", "no data of sourcetype o365:management:activity or "
                               "azure:monitor:aad", 1),
        "ct.spl": ("runs", "", 1),
        "wild.spl": ("runs", "", 1),
        "not.spl": ("runs", "", 1),
        "none.spl": ("runs", "", 1),
    }
