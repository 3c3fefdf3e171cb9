"""The REPL: meta commands, result display, errors, completion, highlighting and the prompt loop.

Expected values are worked out by hand from the bundled spl/examples/bedrock_cloudtrail.json
(24 CloudTrail records, 2026-03-09 09:12:05Z to 16:03:59Z):
- eventName: ListFoundationModels 15, PutObject 6, DescribeInstances 1, GetCallerIdentity 1,
  ListCustomModels 1;
- errorCode AccessDenied on 13 records: 12 ListFoundationModels (14:00:00 to 14:22:17) and
  1 ListCustomModels (14:25:03), all by user svc-reporting; 13 records carry an errorMessage;
- the one GetCallerIdentity is at 13:58:41Z, by svc-reporting from 198.51.100.23.
"""
from __future__ import annotations

import io
import json
import re
from importlib import resources

import pytest
from prompt_toolkit.document import Document
from prompt_toolkit.history import InMemoryHistory
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from spl.repl import META, Repl, history_path, make_console, prompt_loop, script_inputs
from spl.repl_syntax import SplCompleter, SplLexer, Vocabulary, is_complete, roles, tokenize

ENTER = "\r"
CTRL_C = "\x03"
CTRL_D = "\x04"


class Out:
    """A Repl printing into a buffer; ``take()`` returns what was printed since the last take."""

    def __init__(self, repl: Repl, buffer: io.StringIO):
        self.repl, self.buffer, self.mark = repl, buffer, 0

    def take(self) -> str:
        text = self.buffer.getvalue()[self.mark:]
        self.mark = len(self.buffer.getvalue())
        return text

    def __call__(self, text: str) -> str:
        self.repl.handle(text)
        return self.take()


def make_repl(**options) -> tuple[Repl, io.StringIO]:
    buffer = io.StringIO()
    console = make_console(file=buffer, width=160, color_system=None, force_terminal=False)
    return Repl(console=console, **options), buffer


@pytest.fixture
def example(tmp_path):
    with resources.as_file(resources.files("spl") / "examples" / "bedrock_cloudtrail.json") as p:
        yield str(p)


@pytest.fixture
def out(example) -> Out:
    repl, buffer = make_repl()
    repl.load([example], source="aws_cloudtrail")
    o = Out(repl, buffer)
    o.take()
    return o


def rows(text: str) -> list[list[str]]:
    """The body rows of a rich table as lists of stripped cells (continuation lines included)."""
    out = []
    for line in text.splitlines():
        if "│" in line:
            cells = line.split("│")
            out.append([c.strip() for c in (cells[1:-1] if line.startswith("│") else cells)])
    return out


# ---------------------------------------------------------------- searches and their display


def test_search_over_bundled_data_prints_table_and_count(out):
    text = out("errorCode=AccessDenied | stats count by eventName")
    assert rows(text) == [["ListCustomModels", "1"], ["ListFoundationModels", "12"]]
    assert re.search(r"^2 results in \d+\.\d{3} s$", text, re.M)


def test_multiline_search_through_handle(out):
    text = out("errorCode=AccessDenied\n| stats count by userIdentity.userName")
    assert rows(text) == [["svc-reporting", "13"]]


def test_event_results_show_time_and_fields_and_raw_on_request(out):
    text = out("eventName=GetCallerIdentity")
    assert "2026-03-09T13:58:41.000+00:00" in text
    assert "eventName=GetCallerIdentity" in text
    assert "sourceIPAddress=198.51.100.23" in text
    assert '"eventVersion": "1.09"' not in text  # _raw stays hidden by default
    assert re.search(r"^1 event in ", text, re.M)
    assert out(".raw on") == ""
    assert '│ {"eventVersion": "1.09", ' in out("eventName=GetCallerIdentity")
    out(".raw off")
    assert '"eventVersion"' not in out("eventName=GetCallerIdentity")
    assert "raw is off" in out(".raw")


def test_macros_expand_in_searches(out):
    assert rows(out("`cloudtrail` eventName=PutObject | stats count")) == [["6"]]


def test_long_results_print_their_first_rows_only(out, monkeypatch):
    monkeypatch.setattr("spl.repl.DISPLAY_LIMIT", 2)
    text = out("eventName=PutObject | table eventName")
    assert rows(text) == [["PutObject"], ["PutObject"]]
    assert "6 results in " in text and "; the first 2 shown (.save FILE writes them all)" in text
    monkeypatch.setattr("spl.repl.EVENT_LIMIT", 1)
    text = out("eventName=PutObject")
    assert len(re.findall(r"eventName=PutObject", text)) == 1
    assert "6 events in " in text and "; the first 1 shown" in text


def test_multivalue_cells_one_value_per_line(out):
    text = out('eventName=GetCallerIdentity | eval pair=mvappend("a","b") | table eventName pair')
    assert rows(text) == [["GetCallerIdentity", "a"], ["", "b"]]


def test_json_and_csv_formats(out):
    out(".format json")
    text = out("errorCode=AccessDenied | stats count by eventName")
    body = text[:text.rindex("]") + 1]
    assert json.loads(body) == [{"eventName": "ListCustomModels", "count": "1"},
                                {"eventName": "ListFoundationModels", "count": "12"}]
    out(".format csv")
    text = out("errorCode=AccessDenied | stats count by eventName")
    assert text.splitlines()[:3] == ["eventName,count", "ListCustomModels,1",
                                     "ListFoundationModels,12"]
    assert "choose table, json or csv" in out(".format xml")


def test_tz_changes_how_times_print(out):
    out(".tz America/New_York")
    # US daylight saving time began on 2026-03-08, so 13:58:41Z is 09:58:41 EDT (UTC-4).
    assert "2026-03-09T09:58:41.000-04:00" in out("eventName=GetCallerIdentity")
    assert out(".tz").strip() == "America/New_York"
    assert "unknown time zone 'Mars/Olympus'" in out(".tz Mars/Olympus")


def test_long_results_go_through_the_pager_only_when_asked(example, monkeypatch):
    paged = []
    monkeypatch.setattr("spl.repl.page", lambda text: paged.append(text) or True)
    buffer = io.StringIO()
    console = make_console(file=buffer, width=100, height=20, force_terminal=True, color_system=None)
    repl = Repl(console=console)
    repl.load([example])
    repl.handle("eventName=ListFoundationModels | table eventName")  # 15 rows with lines: 30+ lines
    assert paged == [] and "15 results" in buffer.getvalue()  # off by default: on the screen
    repl.handle(".pager on")
    repl.handle("eventName=GetCallerIdentity | table eventName")  # short: printed directly
    assert paged == [] and "1 result" in buffer.getvalue()
    repl.handle("eventName=ListFoundationModels | table eventName")
    assert len(paged) == 1 and "15 results" in paged[0]
    repl.handle(".pager off")
    repl.handle("eventName=ListFoundationModels | table eventName")
    assert len(paged) == 1


def test_the_pager_leaves_text_on_screen_and_takes_no_command_from_a_key(monkeypatch):
    """less -F (quit when it fits), -R (colours), -X (no clearing), with LESSSECURE=1: no shell
    escape (!), no log file (s), no pipe (|), no editor (v), whatever a stray key says."""
    import subprocess

    from spl import repl as repl_module

    calls = []
    monkeypatch.setattr("shutil.which", lambda name: "/usr/bin/" + name)
    monkeypatch.setattr(subprocess, "run", lambda argv, **kw: calls.append((argv, kw)))
    assert repl_module.page("a\nb\n") is True
    [(argv, kw)] = calls
    assert argv == ("less", "-FRX") and kw["input"] == b"a\nb\n"
    assert kw["env"]["LESSSECURE"] == "1" and "LESSOPEN" not in kw["env"]


# ---------------------------------------------------------------- errors


def test_syntax_error_then_good_search_in_same_session(out):
    text = out("| stats count by")
    assert text.startswith("syntax error: line 1, column 17")
    assert text.splitlines()[1:3] == ["| stats count by", " " * 16 + "^"]
    text = out("eventName=PutObject | stats count")
    assert rows(text) == [["6"]]


def test_error_in_second_line_points_there(out):
    text = out("eventName=PutObject\n| stats count by")
    assert "line 2, column 17" in text.splitlines()[0]
    assert text.splitlines()[1:3] == ["| stats count by", " " * 16 + "^"]


def test_unexpected_exception_is_one_line_and_session_continues(out, monkeypatch):
    def broken(*a, **k):
        raise RuntimeError("boom\nsecond line")

    monkeypatch.setattr(out.repl.session, "run", broken)
    text = out("eventName=PutObject")
    assert text == "internal error: RuntimeError: boom (set SPL_DEBUG=1 for the traceback)\n"
    monkeypatch.undo()
    assert rows(out("eventName=PutObject | stats count")) == [["6"]]


def test_interrupted_search_returns_to_prompt(out, monkeypatch):
    def interrupted(*a, **k):
        raise KeyboardInterrupt

    monkeypatch.setattr(out.repl.session, "run", interrupted)
    assert out("eventName=PutObject").strip() == "interrupted"
    assert not out.repl.done


def test_unknown_meta_and_bad_usage(out):
    assert "unknown command .frobnicate" in out(".frobnicate")
    assert "usage: .load PATH" in out(".load")
    assert "usage: .explain SEARCH" in out(".explain")
    assert "/nonexistent/x.json" in out(".load /nonexistent/x.json")


# ---------------------------------------------------------------- meta commands


def test_fields_sidebar_over_loaded_events(out):
    text = out(".fields eventName")
    assert rows(text) == [["eventName", "100.0%", "5", "ListFoundationModels (15)"],
                          ["", "", "", "PutObject (6)"],
                          ["", "", "", "DescribeInstances (1)"]]
    assert "fields of the loaded events (24)" in text
    text = out(".fields errorMessage")
    assert rows(text)[0][:3] == ["errorMessage", "54.2%", "2"]  # 13 of 24 records


def test_values_in_brackets_print_as_they_are(out):
    # 7 records (the ci-deployer role) have userAgent "[aws-sdk-go-v2/1.25.2]": not a style tag
    text = out(".fields userAgent")
    assert "[aws-sdk-go-v2/1.25.2] (7)" in text
    text = out("eventName=DescribeInstances | table userAgent")
    assert rows(text) == [["[aws-sdk-go-v2/1.25.2]"]]


def test_fields_describe_the_last_event_search(out):
    out("errorCode=AccessDenied")
    text = out(".fields eventName")
    assert "fields of the last search's events (13)" in text
    assert rows(text) == [["eventName", "100.0%", "2", "ListFoundationModels (12)"],
                          ["", "", "", "ListCustomModels (1)"]]
    out("errorCode=AccessDenied | stats count by eventName")  # no events: back to all of them
    assert "fields of the loaded events (24)" in out(".fields eventName")


def test_fields_pattern_with_wildcard(out):
    names = [r[0] for r in rows(out(".fields userIdentity.*Name")) if r[0]]
    # the assumed-role records also carry userIdentity.sessionContext.sessionIssuer.userName
    assert names == ["userIdentity.sessionContext.sessionIssuer.userName", "userIdentity.userName"]


def test_data_lists_files_counts_and_time_range(out, example):
    text = out(".data")
    assert rows(text)[0][1:] == ["aws:cloudtrail", "24", "0"]
    assert "24 events from 2026-03-09T09:12:05.000+00:00 to 2026-03-09T16:03:59.000+00:00" in text


def test_load_reports_what_came_in_and_skipped_lines(tmp_path, example):
    repl, buffer = make_repl()
    o = Out(repl, buffer)
    assert "no data loaded" in o(".data")
    bad = tmp_path / "bad.json"
    lines = open(example, encoding="utf-8").read().splitlines()
    bad.write_text(lines[0] + "\n{not json\n" + lines[1] + "\n", encoding="utf-8")
    text = o(f".load {bad} sourcetype=aws:cloudtrail")
    assert text.startswith("loaded 2 events from 1 file in ")
    assert "; 1 data problem: 1 skipped, 0 kept (.data shows them)" in text
    text = o(".data")
    assert f"{bad}:2: " in text


def test_save_last_result_by_extension(out, tmp_path):
    assert "no result to save yet" in out(f".save {tmp_path / 'x.csv'}")
    out("errorCode=AccessDenied | stats count by eventName")
    assert out(f".save {tmp_path / 'r.csv'}").strip() == f"saved 2 rows to {tmp_path / 'r.csv'}"
    assert (tmp_path / "r.csv").read_text().splitlines() == [
        "eventName,count", "ListCustomModels,1", "ListFoundationModels,12"]
    out(f".save {tmp_path / 'r.json'}")
    assert json.loads((tmp_path / "r.json").read_text())[1] == {
        "eventName": "ListFoundationModels", "count": "12"}
    assert "use .json or .csv" in out(f".save {tmp_path / 'r.xlsx'}")


def test_macros_lists_bundled_definitions(out):
    text = out(".macros cloudtrail")
    assert rows(text)[0][:2] == ["cloudtrail", "sourcetype=aws:cloudtrail"]


def test_explain_shows_expansion_and_pipeline(out):
    text = out(".explain `cloudtrail` eventName=PutObject | stats count | frobnicate")
    assert "sourcetype=aws:cloudtrail eventName=PutObject | stats count | frobnicate" in text
    table = [r[:3] for r in rows(text) if r[0]]
    assert table == [["1", "search", "yes"], ["2", "stats", "yes"], ["3", "frobnicate", "no"]]


def test_help_lists_every_meta_and_the_enter_rule(out):
    text = out(".help")
    for name in META:
        assert f".{name}" in text
    assert "ends with |" in text
    assert out(".help load").startswith(".load PATH...")


def test_quit(out):
    out(".quit")
    assert out.repl.done


# ---------------------------------------------------------------- the Enter rule and scanning


@pytest.mark.parametrize("text, complete", [
    ("errorCode=AccessDenied", True),
    ("errorCode=AccessDenied |", False),
    ("errorCode=AccessDenied |  \n", False),
    ("errorCode=AccessDenied\n| stats count", True),
    ('eventName="List', False),
    ("| eval x=if(a>1,", False),
    ("`cloudtrail", False),
    ("search [| inputlookup x", False),
    ("``` a comment", False),
    ('eventName="a|"', True),
    ("userAgent=don't", True),  # a quote inside a word is a letter
    ("| eval x='user", False),  # at a word's start it opens a quoted field name
    (".load a |", True),
    ("", True),
])
def test_is_complete(text, complete):
    assert is_complete(text) is complete


def test_script_inputs_split_with_the_enter_rule():
    lines = ["a=1 |\n", "stats count\n", "\n", ".data\n", "b=\"x\n", "y\"\n"]
    assert script_inputs(lines) == ["a=1 |\nstats count\n", ".data\n", 'b="x\ny"\n']


def test_roles_of_words():
    text = 'search eventName=x "a b" | stats count(src) as n by user | eval y=lower(user) AND `m`'
    toks = tokenize(text)
    got = {(t.text, r) for t, r in zip(toks, roles(toks, {"user"})) if r != "ws"}
    for pair in [("search", "command"), ("eventName", "field"), ('"a b"', "string"),
                 ("stats", "command"), ("count", "function"), ("as", "keyword"),
                 ("by", "keyword"), ("user", "field"), ("eval", "command"),
                 ("lower", "function"), ("AND", "keyword"), ("`m`", "macro"), ("|", "pipe")]:
        assert pair in got


def test_lexer_styles_each_line_of_a_multiline_search():
    lexer = SplLexer(lambda: ["eventName"])
    lines = lexer.lex_document(Document("eventName=x\n| stats count by eventName"))
    assert lines(0) == [("class:spl.field", "eventName"), ("class:spl.operator", "="), ("", "x")]
    styled = dict((text, style) for style, text in lines(1) if text.strip())
    assert styled == {"|": "class:spl.pipe", "stats": "class:spl.command", "count": "",
                      "by": "class:spl.keyword", "eventName": "class:spl.field"}


# ---------------------------------------------------------------- completion


def complete(repl: Repl, text: str) -> dict[str, tuple[str, int]]:
    completer = SplCompleter(repl.vocabulary())
    return {c.text: (c.display_meta_text, c.start_position)
            for c in completer.get_completions(Document(text), None)}


def test_completes_field_names_of_loaded_data(out):
    got = complete(out.repl, "errorCode=AccessDenied | stats count by eventN")
    assert got == {"eventName": ("field", -6)}
    got = complete(out.repl, "userIdentity.user")
    assert "userIdentity.userName" in got
    assert "user_agent" in complete(out.repl, "| table user_a")  # a CIM field of the TA


def test_completes_command_names_after_a_pipe(out):
    got = complete(out.repl, "errorCode=AccessDenied | sta")
    assert got["stats"] == ("command", -3)
    assert "eval" not in got
    assert {"eval", "stats", "where", "table"} <= set(complete(out.repl, "x | "))


def test_completes_functions_keywords_macros_and_values(out):
    # eval functions insert their opening parenthesis and describe themselves
    from spl.eval import functions

    assert complete(out.repl, "x | eval y=low")["lower("] == (functions.lookup("lower").doc, -3)
    assert complete(out.repl, "x | where isnu")["isnull("][1] == -4
    assert "distinct_count" in complete(out.repl, "x | stats disti")
    assert "perc" in complete(out.repl, "x | stats per")  # perc<N>: the stem goes in
    assert set(complete(out.repl, "x | stats count(eventName) ")) >= {"as", "by"}
    assert complete(out.repl, "x | stats count as ") == {}
    assert complete(out.repl, "`cloudt") == {"cloudtrail`": ("macro", -6)}
    assert complete(out.repl, "x | `security_content_c") == {"security_content_ctime(": ("macro", -18)}
    assert complete(out.repl, "eventName=ListF") == {"ListFoundationModels": ("value", -5)}
    assert complete(out.repl, 'x | eval y="low') == {}


def test_completes_meta_commands_and_paths(out, tmp_path):
    assert complete(out.repl, ".fi") == {"fields": ("command", -2)}
    (tmp_path / "trail.json").write_text("")
    assert list(complete(out.repl, f".load {tmp_path}/tr")) == ["ail.json"]


def test_completer_without_data_offers_no_fields():
    completer = SplCompleter(Vocabulary(commands=lambda: ["stats", "search"]))
    assert [c.text for c in completer.get_completions(Document("| st"), None)] == ["stats"]
    assert list(completer.get_completions(Document("eventN"), None)) == []


# ---------------------------------------------------------------- the prompt loop


def drive(repl: Repl, keys: str, history=None) -> None:
    with create_pipe_input() as pipe:
        pipe.send_text(keys)
        prompt_loop(repl, input=pipe, output=DummyOutput(), history=history or InMemoryHistory())


def test_prompt_loop_multiline_search_error_then_good_search(example):
    repl, buffer = make_repl()
    repl.load([example])
    buffer.truncate(0)
    buffer.seek(0)
    history = InMemoryHistory()
    drive(repl, "errorCode=AccessDenied |" + ENTER + "stats dc(eventName) as names" + ENTER
          + "| stats count by" + ENTER + "eventName=PutObject | stats count" + ENTER + CTRL_D,
          history)
    text = buffer.getvalue()
    assert rows(text) == [["2"], ["6"]]  # dc of ListFoundationModels and ListCustomModels; PutObject
    assert "syntax error: line 1, column 17" in text
    assert list(history.get_strings()) == [
        "errorCode=AccessDenied |\nstats dc(eventName) as names", "| stats count by",
        "eventName=PutObject | stats count"]


def test_prompt_loop_ctrl_c_drops_the_line_and_quit_ends(example):
    repl, buffer = make_repl()
    repl.load([example])
    drive(repl, "eventName=Put" + CTRL_C + "eventName=GetCallerIdentity | stats count" + ENTER
          + ".quit" + ENTER + "eventName=PutObject | stats count" + ENTER)
    assert rows(buffer.getvalue()) == [["1"]]  # the line after .quit never ran
    assert repl.done


def test_history_persists_in_the_data_directory(tmp_path, monkeypatch, example):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert history_path() == tmp_path / "spl" / "history"
    repl, _ = make_repl()
    with create_pipe_input() as pipe:
        pipe.send_text("eventName=PutObject | stats count" + ENTER + CTRL_D)
        prompt_loop(repl, input=pipe, output=DummyOutput())
    assert "+eventName=PutObject | stats count" in (tmp_path / "spl" / "history").read_text()


def test_ctrl_r_finds_an_earlier_search(example):
    repl, buffer = make_repl()
    repl.load([example])
    history = InMemoryHistory()
    for old in ("eventName=PutObject | stats count", "eventName=GetCallerIdentity | stats count"):
        history.append_string(old)
    drive(repl, "\x12PutO" + ENTER + ENTER + CTRL_D, history)
    assert rows(buffer.getvalue()) == [["6"]]


def test_big_loads_show_a_progress_bar_and_still_load(example, monkeypatch):
    monkeypatch.setattr("spl.repl.PROGRESS_BYTES", 0)
    buffer = io.StringIO()
    repl = Repl(console=make_console(file=buffer, width=100, force_terminal=True, color_system=None))
    repl.load([example, example])
    text = buffer.getvalue()
    assert "loading bedrock_cloudtrail.json" in text  # the bar's description, drawn at least once
    assert "loaded 48 events from 2 files" in text


def test_esc_enter_runs_an_unfinished_search_as_it_stands(example):
    repl, buffer = make_repl()
    repl.load([example])
    drive(repl, "eventName=PutObject |" + "\x1b" + ENTER + CTRL_D)
    assert "syntax error" in buffer.getvalue()


def test_unwritable_history_falls_back_to_memory(tmp_path, monkeypatch):
    (tmp_path / "spl").write_text("a file where the directory should be")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    repl, buffer = make_repl()
    with create_pipe_input() as pipe:
        pipe.send_text(".tz" + ENTER + CTRL_D)
        prompt_loop(repl, input=pipe, output=DummyOutput())
    assert buffer.getvalue().splitlines() == [
        f"history not saved: cannot write {tmp_path / 'spl' / 'history'}", "UTC"]


def test_spl_repl_reads_inputs_from_a_pipe(example, monkeypatch, capsys):
    from spl.cli import main

    script = "errorCode=AccessDenied |\n  stats count by eventName\n.quit\neventName=PutObject\n"
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(script.encode())))
    assert main(["repl", "--data", example, "--format", "csv"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("loaded 24 events from 1 file in ")
    assert lines[1:4] == ["eventName,count", "ListCustomModels,1", "ListFoundationModels,12"]
    assert re.fullmatch(r"2 results in \d+\.\d{3} s", lines[4]) and len(lines) == 5  # then .quit


def test_piped_bytes_that_are_not_utf8_become_replacement_characters(monkeypatch, capsys):
    from spl.cli import main

    script = b'| makeresults | eval x="a\xffb" | table x\n| makeresults | eval y=1 | table y\n'
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(script)))
    assert main(["repl", "--format", "csv"]) == 0
    lines = capsys.readouterr().out.splitlines()
    # both searches ran: the bad byte is U+FFFD in the first, the second is untouched
    assert lines[:2] == ["x", "a\ufffdb"] and lines[3:5] == ["y", "1"]


def test_repl_reads_and_writes_lookups_where_told(monkeypatch, capsys, tmp_path):
    """--lookups is searched for tables, --lookup-output receives what outputlookup writes."""
    from spl.cli import main

    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "roles.csv").write_text("user,role\nalice,admin\n")
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    script = ("| makeresults | eval user=\"alice\" | lookup roles.csv user OUTPUT role"
              " | table user role | outputlookup seen.csv\n")
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(script.encode())))
    assert main(["repl", "--format", "csv", "--lookups", str(tmp_path / "in"),
                 "--lookup-output", str(out_dir)]) == 0
    assert capsys.readouterr().out.splitlines()[:2] == ["user,role", "alice,admin"]
    assert (out_dir / "seen.csv").read_text().splitlines() == ["user,role", "alice,admin"]


def test_an_error_in_a_long_search_fits_the_console_width(example):
    repl, buffer = make_repl()  # 160 columns
    repl.load([example])
    out = Out(repl, buffer)
    out.take()
    search = "eventName=PutObject " + "userAgent!=x " * 20 + "| stats cuont(x) by user " * 3
    lines = out(search).splitlines()
    assert lines[0].startswith("unsupported: line 1, column 289: unknown stats function 'cuont'")
    line, carets = lines[1:3]
    assert len(line) <= 159 and line.startswith("...")
    start = carets.index("^")
    assert line[start:start + carets.count("^")] == "cuont(x)"  # the first call, its span
