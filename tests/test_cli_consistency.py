"""The CLI around the engine behaves the same everywhere: json when piped, one JSON shape per
command, generating searches without --data, errors cut to the screen's width with the caret
under the right text, broken pipes ending quietly, no library warning, spl test's exit status
when nothing could be tested, each detection YAML read once, and the reference of commands and
functions generated from the registries."""
from __future__ import annotations

import io
import json
import subprocess
import sys
import warnings
from pathlib import Path

import pandas as pd
import pytest

import spl
import spl.cli
from spl import engine, reference, yamlload
from spl.errors import Span, caret_excerpt

ROOT = Path(__file__).resolve().parents[1]
TREE = Path(__file__).resolve().parent / "fixtures" / "content"
DETS = TREE / "detections" / "cloud"
CLONE = TREE / "attack_data"


def _cli(capsys, *argv) -> tuple[int, str, str]:
    code = spl.cli.main([str(a) for a in argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


# ---------------------------------------------------------------- formats and shapes

def test_check_and_test_print_json_when_piped(capsys):
    code, out, _ = _cli(capsys, "check", DETS / "spl_fixture_access_key_created.yml")
    assert code == 0 and set(json.loads(out)) == {"results", "summary", "content_trees"}
    code, out, _ = _cli(capsys, "test", DETS / "spl_fixture_access_key_created.yml",
                        "--attack-data", CLONE, "--offline")
    [outcome] = json.loads(out)
    assert code == 0 and outcome["verdict"] == "pass"


def test_check_has_one_json_shape_with_or_without_exec_coverage(capsys):
    path = DETS / "spl_fixture_access_key_created.yml"
    _, plain, _ = _cli(capsys, "check", path, "--format", "json")
    _, coverage, _ = _cli(capsys, "check", path, "--exec-coverage", "--format", "json")
    plain, coverage = json.loads(plain), json.loads(coverage)
    assert set(plain) == set(coverage) == {"results", "summary", "content_trees"}
    assert plain["results"][0]["status"] == "ok" and plain["summary"]["ok"] == 1
    # no --data: the detection's search asks for aws:cloudtrail and no event is of it
    assert coverage["results"][0]["status"] == "no_data" and coverage["summary"]["no_data"] == 1


def test_the_json_shapes_are_documented_in_help(capsys):
    for command, words in (("check", '"content_trees"'), ("test", "verdict"),
                           ("run", "array of result objects")):
        with pytest.raises(SystemExit):
            spl.cli.main([command, "--help"])
        assert words in " ".join(capsys.readouterr().out.split())


# ---------------------------------------------------------------- generating searches

def test_makeresults_needs_no_data(capsys):
    code, out, err = _cli(capsys, "run", "| makeresults count=2 | eval x=1 | table x",
                          "--format", "json")
    assert (code, err, json.loads(out)) == (0, "", [{"x": "1"}, {"x": "1"}])


def test_inputlookup_needs_no_data(capsys, tmp_path):
    (tmp_path / "people.csv").write_text("user,team\nalice,red\nbob,blue\n")
    code, out, err = _cli(capsys, "run", "| inputlookup people.csv | where team=\"blue\"",
                          "--lookups", tmp_path, "--format", "json")
    assert (code, err, json.loads(out)) == (0, "", [{"user": "bob", "team": "blue"}])


def test_a_search_of_events_without_data_is_a_usage_error(capsys):
    code, out, err = _cli(capsys, "run", "index=main | stats count")
    assert (code, out) == (2, "")
    assert err.startswith("usage error: give at least one --data PATH")


# ---------------------------------------------------------------- errors fit the screen

LONG = ("`cloudtrail` eventName=ConsoleLogin " + "userAgent!=x " * 30
        + "| stats cuont(x) by user " + "| eval y=1 " * 20)


def _caret_under(excerpt: str) -> str:
    line, carets = excerpt.splitlines()
    start = carets.index("^")
    return line[start:start + carets.count("^")]


def test_a_long_line_is_cut_around_the_error_and_the_caret_stays_under_it():
    at = LONG.index("cuont")
    excerpt = caret_excerpt(LONG, Span(at, at + 5), width=60)
    line, carets = excerpt.splitlines()
    assert len(line) <= 59 and line.startswith("...") and line.endswith("...")
    assert _caret_under(excerpt) == "cuont"
    whole = caret_excerpt(LONG, Span(at, at + 5))  # no width: the whole line
    assert _caret_under(whole) == "cuont" and len(whole.splitlines()[0]) == len(LONG)


@pytest.mark.parametrize("where", ["start", "end"])
def test_a_cut_at_either_end_has_one_ellipsis(where):
    at = 0 if where == "start" else len(LONG) - 4
    excerpt = caret_excerpt(LONG, Span(at, at + 3), width=50)
    line = excerpt.splitlines()[0]
    assert len(line) <= 49 and _caret_under(excerpt) == LONG[at:at + 3]
    assert line.endswith("...") if where == "start" else line.startswith("...")


def test_the_cli_cuts_to_the_terminal_width(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "70")  # what shutil.get_terminal_size reads first
    search = "index=main " + "a=1 " * 40 + "| stats count by"
    code, _, err = _cli(capsys, "run", search, "--data", "x.json")
    lines = err.splitlines()
    assert code == 2 and lines[0].startswith("syntax error: line 1, column")
    assert max(len(x) for x in lines[1:3]) <= 69 and lines[1].startswith("...")
    assert lines[2].rstrip().endswith("^") and lines[1].endswith("by")


# ---------------------------------------------------------------- quiet endings

def test_a_closed_pipe_ends_explain_quietly():
    """``spl explain ... | head -1``: output larger than a pipe buffer, the reader gone after
    one line; exit 141 (128 + SIGPIPE) and nothing on stderr."""
    search = "| makeresults | where " + " OR ".join(f"a={i}" for i in range(3000))
    proc = subprocess.Popen([sys.executable, "-m", "spl.cli", "explain", search],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.readline()
    proc.stdout.close()
    err = proc.stderr.read()
    assert (proc.wait(), err) == (141, b"")


def test_table_star_over_many_fields_warns_nothing():
    """``table *`` builds its table at once: pandas' PerformanceWarning (a frame fragmented by
    100+ inserted columns) cannot reach the user."""
    fields = ", ".join(f"f{i}={i}" for i in range(150))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        table = spl.run(f"| makeresults | eval {fields} | table *")
    assert list(table.columns)[:3] == ["_time", "f0", "f1"] and len(table.columns) == 151


# ---------------------------------------------------------------- spl test's exit status

def test_spl_test_exits_3_when_nothing_could_be_tested(capsys):
    code, out, _ = _cli(capsys, "test", DETS / "spl_fixture_lfs_pointer.yml",
                        "--attack-data", CLONE, "--offline")
    assert code == 3 and {o["verdict"] for o in json.loads(out)} == {"unavailable"}
    code, _, _ = _cli(capsys, "test", DETS / "spl_fixture_lfs_pointer.yml",
                      DETS / "spl_fixture_access_key_created.yml", "--attack-data", CLONE,
                      "--offline")
    assert code == 0  # one test ran and passed
    code, out, _ = _cli(capsys, "test", DETS / "spl_fixture_unsupported.yml",
                        "--attack-data", CLONE, "--offline")
    assert code == 3 and {o["verdict"] for o in json.loads(out)} == {"unsupported"}
    code, out, _ = _cli(capsys, "test", DETS / "spl_fixture_manual.yml",
                        "--attack-data", CLONE, "--offline")
    assert code == 0 and {o["verdict"] for o in json.loads(out)} == {"skip"}  # as contentctl


def test_each_detection_yaml_is_parsed_once(monkeypatch, capsys):
    texts = []
    real = yamlload.safe_load
    monkeypatch.setattr(yamlload, "safe_load", lambda text: texts.append(text) or real(text))
    _cli(capsys, "test", DETS, "--attack-data", CLONE, "--offline")
    detections = [p.read_text() for p in sorted(DETS.glob("*.yml"))]
    assert [texts.count(t) for t in detections] == [1] * len(detections)
    texts.clear()
    _cli(capsys, "check", DETS, "--exec-coverage")
    assert [texts.count(t) for t in detections] == [1] * len(detections)


# ---------------------------------------------------------------- empty columns

def test_empty_columns_are_found_slice_by_slice(monkeypatch):
    monkeypatch.setattr(engine, "_CELLS", 10)  # slices of 256 rows, then of 1024
    n = 5000
    table = pd.DataFrame({"first": ["x"] + [None] * (n - 1), "last": [None] * (n - 1) + ["y"],
                          "none": [None] * n, "number": [float("nan")] * n})
    assert engine._empty_columns(table, list(table.columns)) == ["none", "number"]
    assert engine._empty_columns(table.head(0), ["first"]) == ["first"]


# ---------------------------------------------------------------- the reference

def test_the_reference_document_is_up_to_date():
    """docs/reference.md is regenerated by ``python -m spl.reference > docs/reference.md``."""
    assert (ROOT / "docs" / "reference.md").read_text() == reference.document()


def test_spl_help_prints_the_same(capsys):
    assert _cli(capsys, "help", "commands")[1] == reference.commands()
    assert _cli(capsys, "help", "functions")[1] == reference.functions()


def test_every_command_has_a_syntax_and_a_description():
    from spl import commands

    missing = [n for n in commands.supported()
               if not (commands.spec(n).doc and commands.spec(n).syntax)]
    assert missing == []


# ---------------------------------------------------------------- the REPL through a pipe

class _Stdin:
    def __init__(self, text: str):
        self.buffer = io.BytesIO(text.encode())

    def isatty(self) -> bool:
        return False


def _repl(monkeypatch, capsys, text: str) -> str:
    monkeypatch.setattr(sys, "stdin", _Stdin(text))
    assert spl.cli.main(["repl"]) == 0
    return capsys.readouterr().out


def test_repl_help_shows_commands_and_functions_from_the_registries(monkeypatch, capsys):
    out = _repl(monkeypatch, capsys, ".help stats\n.help strftime\n.help dc\n.help nosuch\n")
    assert "command: stats [allnum=bool]" in out
    assert "Calculates aggregate statistics over the results" in out
    assert "eval function: strftime(" in out
    assert "stats function: dc(field)" in out
    assert "no meta command, search command or function is called nosuch" in out


def test_ctrl_c_cancels_a_search_and_keeps_the_session(monkeypatch, capsys):
    from spl.session import Session

    real = Session.run
    calls = []

    def interrupted_once(self, *args, **kw):
        calls.append(1)
        if len(calls) == 1:
            raise KeyboardInterrupt  # Ctrl-C while the first search runs
        return real(self, *args, **kw)

    monkeypatch.setattr(Session, "run", interrupted_once)
    out = _repl(monkeypatch, capsys, "| makeresults count=3 | stats count\n"
                                     "| makeresults count=2 | stats count\n")
    assert "interrupted" in out
    assert out.startswith("interrupted\n") and json.loads(out[12:out.rindex("]") + 1]) == [{"count": "2"}]
    assert len(calls) == 2
