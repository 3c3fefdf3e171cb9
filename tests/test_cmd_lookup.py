"""lookup, inputlookup, outputlookup; lookup tables found by name in security_content layout.

Sources (expected values worked out by hand from these rules):
- LOOKUP = https://help.splunk.com/splunk-enterprise/spl-search-reference/10.0/search-commands/lookup
- INPUT = https://help.splunk.com/splunk-enterprise/spl-search-reference/10.0/search-commands/inputlookup
- OUTPUT = https://help.splunk.com/en/splunk-enterprise/spl-search-reference/10.0/search-commands/outputlookup
- TRANSFORMS = https://docs.splunk.com/Documentation/Splunk/latest/Admin/Transformsconf
  (match_type, case_sensitive_match default true, max_matches, min_matches, default_match; OUTPUT
  clears the outputs of an event with every input field but no match; OUTPUTNEW fills only
  missing fields; no output list outputs every non-input column)
"""
from __future__ import annotations

import json
from dataclasses import replace
from types import SimpleNamespace

import pytest

from spl.cli import main as cli_main
from spl.context import Context
from spl.engine import execute
from spl.errors import ConfigError, SearchError, SplSyntaxError, UnsupportedError
from spl.lookups import Lookups, default_output_dir
from spl.syntax import parse
from spltest import NOW, column, table

USERS = "user,dept,level\nalice,eng,3\nBob,ops,2\nadm*,admin,9\n"


@pytest.fixture
def dirs(tmp_path):
    lk = tmp_path / "lookups"
    lk.mkdir()
    (lk / "users.csv").write_text(USERS)
    (lk / "users_ci.yml").write_text(
        "name: users_ci\nfilename: users.csv\ncase_sensitive_match: 'false'\n")
    (lk / "users_wild.yml").write_text(
        "name: users_wild\nfilename: users.csv\nmatch_type: WILDCARD(user)\n")
    (lk / "nets.csv").write_text("net,zone\n10.0.0.0/8,internal\n10.1.0.0/16,lab\n")
    (lk / "nets.yml").write_text("name: nets\nfilename: nets.csv\nmatch_type: CIDR(net)\n")
    (lk / "nets_one.yml").write_text(
        "name: nets_one\nfilename: nets.csv\nmatch_type: CIDR(net)\nmax_matches: 1\n")
    (lk / "tools.csv").write_text("tool,is_tool\nmimikatz*,true\n")
    (lk / "tools.yml").write_text(  # shaped like ESCU's attacker_tools.yml
        "name: tools\nfilename: tools.csv\nmatch_type: WILDCARD(tool)\nmin_matches: 1\n"
        "default_match: 'false'\ncase_sensitive_match: 'false'\n")
    (lk / "seen.yml").write_text(  # a KV store collection, as ESCU's previously_seen_* lookups
        "name: seen\ncollection: seen\nfields_list: _key, user, firstTime\n")
    return SimpleNamespace(lookups=lk, out=tmp_path / "out")


def run(search, rows, dirs, events=None):
    """Run ``search`` over ``rows``; the session's events (for subsearches) are ``events``."""
    session = SimpleNamespace(events=table(events or []),
                              lookups=Lookups([dirs.lookups], dirs.out))
    pipeline = parse(search)
    if rows is not None:
        pipeline = replace(pipeline, generating=False)
    return execute(pipeline, table(rows or []), Context(now=NOW, text=search, session=session))


# ---------------------------------------------------------------- lookup

def test_no_output_clause_outputs_every_other_column(dirs):
    # LOOKUP: without OUTPUT every non-input column is added; AS names the event field.
    out = run("| lookup users.csv user AS u", [{"u": "alice"}, {"u": "carol"}], dirs)
    assert column(out, "dept") == ["eng", None]
    assert column(out, "level") == ["3", None]
    assert "user" not in out.columns


def test_output_overwrites_and_clears_on_no_match(dirs):
    # TRANSFORMS: OUTPUT overwrites; an event with the input but no matching row loses the output;
    # an event without the input field is left alone.
    rows = [{"user": "alice", "dept": "old"}, {"user": "carol", "dept": "old"}, {"dept": "keep"}]
    out = run("| lookup users.csv user OUTPUT dept AS dept", rows, dirs)
    assert column(out, "dept") == ["eng", None, "keep"]


def test_outputnew_fills_only_missing_fields(dirs):
    rows = [{"user": "alice", "dept": "old"}, {"user": "alice"}, {"user": "carol", "dept": "x"}]
    out = run("| lookup users.csv user OUTPUTNEW dept", rows, dirs)
    assert column(out, "dept") == ["old", "eng", "x"]


def test_case_sensitive_by_default_unless_the_definition_says(dirs):
    # TRANSFORMS: case_sensitive_match defaults to true.
    rows = [{"user": "ALICE"}, {"user": "bob"}]
    assert "dept" not in run("| lookup users.csv user OUTPUT dept", rows, dirs).columns
    out = run("| lookup users_ci user OUTPUT dept", rows, dirs)
    assert column(out, "dept") == ["eng", "ops"]


def test_wildcard_match_type(dirs):
    # Only a WILDCARD(...) column treats * as a wildcard; in users.csv "adm*" is literal.
    rows = [{"user": "admin7"}, {"user": "adm*"}]
    assert column(run("| lookup users.csv user OUTPUT dept", rows, dirs), "dept") == [None, "admin"]
    assert column(run("| lookup users_wild user OUTPUT dept", rows, dirs), "dept") == [
        "admin", "admin"]


def test_cidr_match_type_and_max_matches(dirs):
    # 10.1.2.3 is in both 10.0.0.0/8 and 10.1.0.0/16: two matches in file order (multivalue);
    # max_matches: 1 keeps the first in file order.
    rows = [{"ip": "10.1.2.3"}, {"ip": "10.9.9.9"}, {"ip": "192.0.2.1"}, {"ip": "not-an-ip"}]
    out = run("| lookup nets net AS ip OUTPUT zone", rows, dirs)
    assert column(out, "zone") == [["internal", "lab"], "internal", None, None]
    out = run("| lookup nets_one net AS ip OUTPUT zone", rows, dirs)
    assert column(out, "zone") == ["internal", "internal", None, None]


def test_multivalue_input_matches_any_value(dirs):
    out = run("| lookup users.csv user OUTPUT dept", [{"user": ["carol", "Bob", "alice"]}], dirs)
    assert column(out, "dept") == [["eng", "ops"]]  # rows in file order: alice, then Bob


def test_min_matches_and_default_match(dirs):
    # TRANSFORMS: fewer than min_matches matching rows -> default_match.
    rows = [{"p": "MIMIKATZ.exe"}, {"p": "notepad.exe"}]
    out = run("| lookup tools tool AS p OUTPUT is_tool", rows, dirs)
    assert column(out, "is_tool") == ["true", "false"]


def test_unknown_lookup_names_it_and_the_directories(dirs):
    with pytest.raises(ConfigError) as err:
        run("| lookup nosuch user", [{"user": "a"}], dirs)
    message = err.value.message
    assert "'nosuch'" in message and str(dirs.lookups) in message and str(dirs.out) in message
    assert err.value.span is not None  # points at the command


def test_a_lookup_name_is_not_a_path(dirs):
    with pytest.raises(ConfigError, match="not given as a path"):
        run("| inputlookup ../lookups/users.csv", None, dirs)


def test_unknown_column_is_an_error(dirs):
    with pytest.raises(SearchError, match="no column 'nope'"):
        run("| lookup users.csv nope", [{"user": "a"}], dirs)


def test_unfilled_collection_needs_its_baseline(dirs):
    with pytest.raises(UnsupportedError) as err:
        run("| lookup seen user OUTPUT firstTime", [{"user": "a"}], dirs)
    assert err.value.message.startswith("needs baseline seen:")


# ---------------------------------------------------------------- inputlookup

def test_inputlookup_rows_in_file_order_with_where(dirs):
    # INPUT: rows in file order; where filters them; a definition name or a file name.
    out = run("| inputlookup users_ci where level>2", None, dirs)
    assert column(out, "user") == ["alice", "adm*"]
    out = run("| inputlookup users.csv", None, dirs)
    assert column(out, "user") == ["alice", "Bob", "adm*"]
    assert list(out.columns) == ["user", "dept", "level"]


def test_inputlookup_where_is_a_search_query(dirs):
    # INPUT: WHERE <search-query> with = != < > <= >= AND OR NOT and wildcards: values match as
    # in search (case-insensitive, * wildcard), a bare word on the right is a value.
    assert column(run('| inputlookup users.csv where user="AL*"', None, dirs), "user") == ["alice"]
    assert column(run("| inputlookup users.csv where user=bob", None, dirs), "user") == ["Bob"]
    out = run("| inputlookup users.csv where NOT dept=eng AND level<9", None, dirs)
    assert column(out, "user") == ["Bob"]
    # written as in search: an unquoted wildcard, parentheses; an eval call is no search term
    assert column(run("| inputlookup users.csv where user=AL*", None, dirs), "user") == ["alice"]
    out = run("| inputlookup users.csv where (user=AL* OR user=b*) level<3", None, dirs)
    assert column(out, "user") == ["Bob"]
    with pytest.raises(SplSyntaxError):
        run("| inputlookup users.csv where len(user)>3", None, dirs)


def test_inputlookup_start_and_max(dirs):
    out = run("| inputlookup start=1 max=1 users.csv", None, dirs)
    assert column(out, "user") == ["Bob"]


def test_inputlookup_append_adds_after_the_results(dirs):
    out = run("| inputlookup append=t nets", [{"user": "z"}], dirs)
    assert column(out, "user") == ["z", None, None]
    assert column(out, "zone") == [None, "internal", "lab"]


def test_inputlookup_empty_cells_are_absent(dirs):
    (dirs.lookups / "gaps.csv").write_text("a,b\n1,\n,2\n")
    out = run("| inputlookup gaps.csv | where isnull(b)", None, dirs)
    assert column(out, "a") == ["1"]


# ---------------------------------------------------------------- outputlookup

def test_outputlookup_writes_to_the_output_dir_and_passes_results(dirs):
    rows = [{"user": "x", "n": 1}, {"user": "y", "n": ["2", "3"]}]
    out = run("| outputlookup made.csv", rows, dirs)
    assert column(out, "user") == ["x", "y"]
    text = (dirs.out / "made.csv").read_text()
    assert text.splitlines()[0] == "user,n"
    again = run("| inputlookup made.csv", None, dirs)
    assert column(again, "user") == ["x", "y"]
    assert column(again, "n") == ["1", "2\n3"]  # multivalue: one value per line


def test_outputlookup_never_writes_into_a_lookup_dir(dirs):
    run("| outputlookup users.csv", [{"user": "new"}], dirs)
    assert (dirs.lookups / "users.csv").read_text() == USERS
    assert (dirs.out / "users.csv").is_file()
    with pytest.raises(ConfigError):
        run("| outputlookup ../escape.csv", [{"user": "new"}], dirs)


def test_outputlookup_fills_a_collection_that_lookups_then_read(dirs):
    # OUTPUT: a table name may be a KV store definition; spl keeps it as <name>.csv.
    run("| outputlookup seen", [{"user": "a", "firstTime": "100"}], dirs)
    out = run("| lookup seen user OUTPUT firstTime", [{"user": "a"}, {"user": "b"}], dirs)
    assert column(out, "firstTime") == ["100", None]


def test_outputlookup_append_and_override_if_empty(dirs):
    run("| outputlookup t.csv", [{"a": "1"}], dirs)
    run("| outputlookup append=true t.csv", [{"a": "2", "b": "x"}], dirs)
    out = run("| inputlookup t.csv", None, dirs)
    assert column(out, "a") == ["1", "2"] and column(out, "b") == [None, "x"]
    run("| where a=99 | outputlookup override_if_empty=false t.csv", [{"a": "1"}], dirs)
    assert len(run("| inputlookup t.csv", None, dirs)) == 2
    run("| where a=99 | outputlookup t.csv", [{"a": "1"}], dirs)
    assert len(run("| inputlookup t.csv", None, dirs)) == 0


def test_outputlookup_unknown_table_name(dirs):
    with pytest.raises(ConfigError, match="give a file name ending in .csv"):
        run("| outputlookup nodef", [{"a": "1"}], dirs)


def test_default_output_dir(monkeypatch, tmp_path):
    monkeypatch.delenv("SPL_LOOKUP_DIR", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert default_output_dir() == tmp_path / "spl" / "lookups"
    monkeypatch.setenv("SPL_LOOKUP_DIR", str(tmp_path / "mine"))
    assert default_output_dir() == tmp_path / "mine"


def test_cli_lookups_option(dirs, capsys):
    data = "tests/fixtures/data/cloudtrail_small.ndjson"
    (dirs.lookups / "accounts.csv").write_text("recipientAccountId,owner\n222233334444,prod\n")
    code = cli_main(["run", "eventName=CreateUser | lookup accounts.csv "
                     "recipientAccountId OUTPUT owner | table eventName owner",
                     "--data", data, "--lookups", str(dirs.lookups),
                     "--lookup-output", str(dirs.out), "--format", "json"])
    assert code == 0
    assert json.loads(capsys.readouterr().out) == [{"eventName": "CreateUser", "owner": "prod"}]
