"""parse_search (comments, macros, parser, positions in the user's text) and spl check/explain."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from spl.check import check_paths, main_check, main_explain
from spl.errors import MacroError, SplSyntaxError
from spl.frontend import parse_search
from spl.macros import MacroLibrary
from spl.syntax import ast


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_parsed_search_keeps_both_texts():
    p = parse_search("`cloudtrail` ```find them``` eventName=X | stats count")
    assert p.original.startswith("`cloudtrail`")
    assert p.expanded.startswith("sourcetype=aws:cloudtrail")
    assert "find them" not in p.expanded
    s = p.pipeline.commands[0]
    # the span of eventName=X in the expanded text maps back to the user's text
    cmp = s.expr.items[1]
    orig = p.to_original(cmp.span)
    assert p.original[orig.start:orig.end] == "eventName=X"


def test_syntax_error_after_a_macro_points_into_user_text():
    text = "`cloudtrail` a=1\n| stats count by"
    with pytest.raises(SplSyntaxError) as info:
        parse_search(text)
    err = info.value
    assert err.text == text
    assert err.position == (2, 17)
    assert err.render().endswith("| stats count by\n                ^")


def test_syntax_error_inside_a_macro_points_at_the_call(tmp_path):
    write(tmp_path / "bad.yml", "name: bad\ndefinition: 'stats count by'\n")
    text = "a=1 | `bad`"
    with pytest.raises(SplSyntaxError) as info:
        parse_search(text, [tmp_path])
    assert info.value.text == text
    assert (info.value.span.start, info.value.span.end) == (6, 11)
    assert info.value.message.endswith("(in the expansion of `bad`)")


def test_macro_error_carries_user_text():
    with pytest.raises(MacroError) as info:
        parse_search("a | `undefined_thing`")
    assert info.value.text == "a | `undefined_thing`"
    assert info.value.position == (1, 5)


def test_comment_covering_a_whole_segment_leaves_an_error():
    # `| ```x``` |` leaves an empty segment. "The first whitespace-delimited string after each pipe
    # character controls the command used"
    # (https://docs.splunk.com/Documentation/SplunkCloud/9.2.2403/Search/Aboutsearchlanguagesyntax):
    # with no string there is no command, so we reject it (no ESCU search relies on it).
    with pytest.raises(SplSyntaxError) as info:
        parse_search("a | ```x``` | stats count")
    assert "empty pipe segment" in info.value.message


def test_comment_with_a_pipe_inside():
    p = parse_search("a ``` | junk ``` | stats count")
    assert [c.name for c in p.pipeline.commands] == ["search", "stats"]


def test_library_reused():
    lib = MacroLibrary.load()
    assert parse_search("`cloudtrail`", library=lib).expanded == "sourcetype=aws:cloudtrail"


def test_relocate_runtime_error():
    p = parse_search("`cloudtrail` | eval x=1")
    ev = p.pipeline.commands[1]
    err = SplSyntaxError("boom", span=ev.span, text=p.expanded)
    p.relocate(err)
    assert err.text == p.original and p.original[err.span.start:err.span.end] == "eval x=1"


# ------------------------------------------------------------------ spl check / explain


@pytest.fixture
def files(tmp_path: Path) -> Path:
    d = tmp_path / "det"
    write(d / "good.yml", "name: g\nsearch: '`cloudtrail` | where count > 1'\n")
    write(d / "sub" / "bad.spl", "a | stats count by")
    write(d / "macro.yml", "search: a | `nope`\n")
    write(d / "unsupported.spl", "a | frobnicate x=1")
    write(d / "notes.yml", "title: not a detection\n")
    return d


def test_check_paths(files):
    results = {Path(r.path).name: r for r in check_paths([files])}
    assert set(results) == {"good.yml", "bad.spl", "macro.yml", "unsupported.spl"}
    assert results["bad.spl"].status == "syntax_error"
    assert "expected a field name" in results["bad.spl"].message
    assert results["macro.yml"].status == "macro_error"
    assert results["unsupported.spl"].status == "unsupported"
    assert "frobnicate" in results["unsupported.spl"].message
    assert results["good.yml"].status in ("ok", "unsupported")


def test_check_explicit_yaml_without_search(files):
    [r] = check_paths([files / "notes.yml"])
    assert (r.status, r.message) == ("file_error", "the file has no 'search:' text")


def test_main_check_json_and_exit_code(files, capsys):
    assert main_check([files / "unsupported.spl"], fmt="json") == 0
    assert main_check([files], fmt="json") == 1
    out = capsys.readouterr().out
    last = json.loads(out[out.rindex("{\n  \"results\""):])["results"]
    assert {r["status"] for r in last} >= {"syntax_error", "macro_error", "unsupported"}
    assert set(last[0]) == {"path", "status", "message"}


def test_main_check_text(files, capsys):
    main_check([files])
    out = capsys.readouterr().out
    assert "syntax_error" in out and "4 searches" in out


def test_main_explain(capsys):
    assert main_explain("`cloudtrail` | stats count by x") == 0
    out = capsys.readouterr().out
    assert "sourcetype=aws:cloudtrail | stats count by x" in out
    assert "1. Search" in out and "2. Stats by=('x',)" in out
    with pytest.raises(SplSyntaxError):  # the CLI prints it (tests/test_check.py)
        main_explain("a | stats count by")


def test_main_explain_shows_a_tree_and_what_reading_takes(capsys):
    main_explain("`cloudtrail` eventName=ListFoundationModels errorCode=AccessDenied "
                 "(src=10.* OR userAgent=\"*boto*\") | stats count by src | where count > 9")
    out = capsys.readouterr().out
    assert "             Compare field='eventName' op='=' value='ListFoundationModels'\n" in out
    assert "             Field name='count'\n" in out
    # by hand from spl.plan and spl.data.prefilter's rules: every field named before stats; the
    # pre-filter ignores sourcetype (a base field) and errorCode (an EVAL of the definition),
    # folds case, and keeps * out of the pieces (src is an alias of sourceIPAddress)
    assert "  fields: errorCode, eventName, sourcetype, src, userAgent\n" in out
    assert ('  pre-filter: a record is parsed only if its text holds "listfoundationmodels" '
            '(in any case) and ("10." (in any case) or "boto" (in any case))\n') in out
    main_explain("| makeresults | eval x=1")
    out = capsys.readouterr().out
    assert "fields: every field" in out and "pre-filter: none, every record is parsed" in out


def test_unsupported_eval_function(tmp_path):
    f = write(tmp_path / "x.spl", "a | eval y=no_such_function_here(x)")
    [r] = check_paths([f])
    assert r.status == "unsupported" and "no_such_function_here" in r.message


def test_generic_subsearch_commands_are_checked():
    p = parse_search("a | append [ search b | frobnicate ]")
    assert isinstance(p.pipeline.commands[1], ast.Append)
