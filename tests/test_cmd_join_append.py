"""join, append, subsearch terms, tstats/from (needs datamodel), and spl check --exec-coverage.

Sources (expected values worked out by hand from these rules):
- JOIN = https://help.splunk.com/splunk-enterprise/spl-search-reference/9.4/search-commands/join
  (type=inner default, outer/left keep unmatched results; max=1 default, 0 = all; overwrite=true
  default; no field list = every field both sides have)
- APPEND = https://help.splunk.com/splunk-enterprise/spl-search-reference/9.4/search-commands/append
- FORMAT = https://help.splunk.com/en/splunk-enterprise/search/search-manual/9.2/subsearches/change-the-format-of-subsearch-results
  ((f1=v1 AND f2=v2) OR (...); fields starting with _ ignored; a field named search/query is
  inserted as search text)
"""
from __future__ import annotations

import json
from dataclasses import replace
from types import SimpleNamespace

import pytest

from spl.check import exec_coverage, main_exec_coverage
from spl.context import Context
from spl.engine import execute
from spl.errors import UnsupportedError
from spl.lookups import Lookups
from spl.syntax import parse
from spltest import NOW, column, table

EVENTS = [
    {"_time": 5.0, "user": "alice", "ip": "10.0.0.1", "action": "login"},
    {"_time": 4.0, "user": "bob", "ip": "10.0.0.2", "action": "login"},
    {"_time": 3.0, "user": "alice", "ip": "10.0.0.3", "action": "delete"},
    {"_time": 2.0, "user": "carol", "ip": "10.0.0.4", "action": "delete"},
]


def run(search, rows=None, tmp_path=None):
    """Run ``search``; subsearches read EVENTS. With ``rows`` the commands run over them."""
    session = SimpleNamespace(events=table(EVENTS), lookups=Lookups([], tmp_path))
    pipeline = parse(search)
    events = table(EVENTS)
    if rows is not None:
        pipeline, events = replace(pipeline, generating=False), table(rows)
    return execute(pipeline, events, Context(now=NOW, text=search, session=session))


# ---------------------------------------------------------------- subsearch terms

def test_subsearch_term_is_an_or_of_its_values():
    out = run("action=login [search action=delete | fields user]")
    assert column(out, "ip") == ["10.0.0.1"]  # user=alice OR user=carol, and action=login


def test_subsearch_rows_and_fields_make_and_groups():
    # FORMAT: (user=alice AND ip=10.0.0.3) OR (user=carol AND ip=10.0.0.4)
    out = run("[search action=delete | fields user ip]")
    assert column(out, "ip") == ["10.0.0.3", "10.0.0.4"]


def test_subsearch_without_results_matches_nothing():
    assert len(run("[search action=nothing | fields user]")) == 0


def test_subsearch_ignores_internal_fields_and_inserts_search_field():
    # _time is ignored (else no event would match with both fields); search= is search text.
    out = run('[search user=bob | fields _time user]')
    assert column(out, "user") == ["bob"]
    out = run('[search user=carol | eval search="action=login OR user=carol" | fields search]')
    assert column(out, "ip") == ["10.0.0.1", "10.0.0.2", "10.0.0.4"]


def test_subsearch_multivalue_field_is_an_or():
    out = run("[search action=login | stats values(user) as user]")
    assert column(out, "ip") == ["10.0.0.1", "10.0.0.2", "10.0.0.3"]


def test_subsearch_reads_the_session_events_not_the_piped_results():
    # The mid-pipeline search filters the piped rows by values found in the session's events.
    out = run("| search [search action=delete | fields user]",
              rows=[{"user": "alice", "n": "1"}, {"user": "bob", "n": "2"}])
    assert column(out, "n") == ["1"]


# ---------------------------------------------------------------- join

MAIN = [{"user": "alice", "k": "m1"}, {"user": "bob", "k": "m2"}, {"user": "dave", "k": "m3"}]


def test_inner_join_first_match_only_by_default():
    out = run("| join user [search * | table user ip action]", rows=MAIN)
    # JOIN: max=1 -> alice joins her first subsearch row (10.0.0.1); dave has none: dropped.
    assert column(out, "user") == ["alice", "bob"]
    assert column(out, "ip") == ["10.0.0.1", "10.0.0.2"]


def test_left_join_keeps_unmatched_and_max0_gives_every_match():
    out = run("| join type=left max=0 user [search * | table user ip]", rows=MAIN)
    assert column(out, "user") == ["alice", "alice", "bob", "dave"]
    assert column(out, "ip") == ["10.0.0.1", "10.0.0.3", "10.0.0.2", None]
    out = run("| join type=outer user [search * | table user ip]", rows=MAIN)
    assert column(out, "user") == ["alice", "bob", "dave"]


def test_join_overwrite():
    rows = [{"user": "bob", "ip": "mine"}]
    assert column(run("| join user [search * | table user ip]", rows=rows), "ip") == ["10.0.0.2"]
    out = run("| join overwrite=false user [search * | table user ip]", rows=rows)
    assert column(out, "ip") == ["mine"]


def test_join_without_field_list_uses_common_fields():
    rows = [{"user": "alice", "ip": "10.0.0.3"}, {"user": "bob", "ip": "nope"}]
    out = run("| join [search * | table user ip action]", rows=rows)
    assert column(out, "action") == ["delete"]


def test_join_values_compare_case_sensitively():
    assert len(run("| join user [search * | table user ip]", rows=[{"user": "ALICE"}])) == 0


def test_join_leading_pipe_search_subsearch():
    # ESCU writes join ... [ | search `cloudtrail` ... ]: a leading | search searches the events.
    out = run("| join user [| search action=delete | table user action]", rows=MAIN)
    assert column(out, "action") == ["delete"]


# ---------------------------------------------------------------- append

def test_append_adds_subsearch_results_after():
    out = run("action=login | table user | append [search action=delete | table ip]")
    assert column(out, "user") == ["alice", "bob", None, None]
    assert column(out, "ip") == [None, None, "10.0.0.3", "10.0.0.4"]


def test_append_maxout():
    out = run("action=login | table user | append maxout=1 [search action=delete | table ip]")
    assert column(out, "ip") == [None, None, "10.0.0.3"]


# ---------------------------------------------------------------- data models

@pytest.mark.parametrize("search, model", [
    ("| tstats count from datamodel=Endpoint.Processes where Processes.user=x by Processes.dest",
     "Endpoint.Processes"),
    ("| from datamodel:Email.All_Email | stats count", "Email.All_Email"),
    ("| from datamodel Web", "Web"),
])
def test_datamodel_searches_say_what_they_need(search, model):
    """A data model spl has no definition of (tests/test_datamodel.py runs the ones it has)."""
    with pytest.raises(UnsupportedError) as err:
        run(search)
    assert err.value.message.startswith(f"needs datamodel {model}: no definition of data model")


# ---------------------------------------------------------------- spl check --exec-coverage

@pytest.fixture
def searches(tmp_path):
    d = tmp_path / "searches"
    d.mkdir()
    (d / "a_runs.spl").write_text("action=login | stats count by user")
    (d / "b_tstats.spl").write_text("| tstats count from datamodel=Web.Web by Web.url")
    (d / "c_unknown.spl").write_text("action=login | geostats count")
    (d / "d_syntax.spl").write_text("action=login | stats count by")
    (d / "e_baseline.yml").write_text(
        "name: e\nsearch: '| inputlookup seen_users'\n")
    (tmp_path / "lk").mkdir()
    (tmp_path / "lk" / "seen_users.yml").write_text("name: seen_users\ncollection: seen_users\n")
    (tmp_path / "events.ndjson").write_text("".join(json.dumps(
        {"eventTime": "2025-01-01T00:00:00Z", "eventName": "ConsoleLogin",
         "userIdentity": {"userName": u}}) + "\n" for u in ("x", "y", "x")))
    return tmp_path


def test_exec_coverage_statuses(searches):
    results = exec_coverage([searches / "searches"], lookup_dirs=[searches / "lk"])
    got = {r.path.rsplit("/", 1)[1]: r for r in results}
    assert {k: r.status for k, r in got.items()} == {
        "a_runs.spl": "runs", "b_tstats.spl": "needs_datamodel", "c_unknown.spl": "unsupported",
        "d_syntax.spl": "syntax_error", "e_baseline.yml": "needs_baseline"}
    assert "geostats" in got["c_unknown.spl"].message
    assert got["a_runs.spl"].rows == 0  # no events given


def test_exec_coverage_over_data_json(searches, capsys):
    code = main_exec_coverage([searches / "searches" / "a_runs.spl"], fmt="json",
                              data=[searches / "events.ndjson"])
    report = json.loads(capsys.readouterr().out)
    assert code == 0
    assert report["results"][0]["status"] == "runs"
    assert report["results"][0]["rows"] == 0  # the events have no field action
    assert report["summary"]["runs"] == 1


def test_exec_coverage_cli_text(searches, capsys):
    from spl.cli import main

    code = main(["check", "--exec-coverage", str(searches / "searches"),
                 "--lookups", str(searches / "lk"), "--format", "table"])
    out = capsys.readouterr().out
    assert code == 1  # d_syntax.spl does not parse
    assert ("5 searches: 1 runs, 1 needs_datamodel, 1 needs_baseline, 1 unsupported, "
            "1 syntax_error") in " ".join(out.split())


def test_static_check_names_the_datamodel():
    from spl.check import check_search
    from spl.macros import MacroLibrary

    status, message = check_search(
        "| tstats count from datamodel=Web.Web by Web.url", MacroLibrary.load([]))
    assert status == "unsupported" and "needs datamodel Web.Web (1:3)" in message
    status, _ = check_search("| tstats count from datamodel=Change.All_Changes by All_Changes.user",
                             MacroLibrary.load([]))
    assert status == "ok"  # spl has the CIM Change model (spl/datamodels/Change.json)
    status, message = check_search("| datamodel Web Web search", MacroLibrary.load([]))
    assert status == "unsupported" and "needs datamodel Web.Web (1:3)" in message


@pytest.mark.parametrize("search, expected", [
    # join: the subsearch reads AssumeRole/StopInstances records the main search does not match
    ("eventName=CreateUser | table eventName recipientAccountId | join type=left "
     "recipientAccountId [search eventName=StopInstances | rename eventName as later | "
     "table recipientAccountId later]",
     [{"eventName": "CreateUser", "recipientAccountId": "222233334444", "later": "StopInstances"}]),
    ("eventName=CreateUser | table eventName | append [search eventName=AssumeRole | "
     "table eventName]", [{"eventName": "CreateUser"}, {"eventName": "AssumeRole"}]),
    ("eventName=ConsoleLogin [search eventName=StopInstances | fields sourceIPAddress] "
     "| table eventName", []),
    ("[search eventName=StopInstances | fields sourceIPAddress] | table eventName",
     [{"eventName": "StopInstances"}, {"eventName": "AssumeRole"}]),
])
def test_cli_subsearches_see_every_loaded_event(search, expected, capsys, tmp_path):
    # By hand from tests/fixtures/data/cloudtrail_small.ndjson: StopInstances and AssumeRole both
    # come from 203.0.113.9; results newest first. A loader that kept only the records the main
    # search can match would starve the subsearches.
    from spl.cli import main

    code = main(["run", search, "--data", "tests/fixtures/data/cloudtrail_small.ndjson",
                 "--lookup-output", str(tmp_path), "--format", "json"])
    assert code == 0
    assert json.loads(capsys.readouterr().out) == expected


def test_exec_coverage_finds_lookups_no_event_reaches(searches):
    # No events: the lookup command never runs, yet the missing baseline and the unknown table
    # are reported; a table the search writes itself first is not required to exist.
    d = searches / "searches"
    (d / "f_seen.spl").write_text("action=login | lookup seen_users user OUTPUT firstTime")
    (d / "g_missing.spl").write_text("action=login | lookup nosuch user")
    (d / "h_selfmade.spl").write_text("| makeresults | outputlookup mine.csv | lookup mine.csv _time")
    results = exec_coverage([d / "f_seen.spl", d / "g_missing.spl", d / "h_selfmade.spl"],
                            lookup_dirs=[searches / "lk"])
    assert [r.status for r in results] == ["needs_baseline", "error", "runs"]
    assert "lookup table 'nosuch' not found" in results[1].message
    assert "line 1, column 16" in results[1].message


def test_a_session_plans_the_search_apart_from_its_subsearches():
    # each subsearch of a Session reads the events for itself (Session.subsearch): the search's
    # own read needs what its commands declare, pre-filtered by its first search's terms; a
    # subsearch among the search's terms names fields no one can list; map searches as text
    from spl.frontend import parse_search
    from spl.plan import reads_by_session, required_fields, search_terms

    def plan(search, own):
        pipeline = parse_search(search).pipeline
        return required_fields(pipeline, own), search_terms(pipeline, own)

    appended = ("eventName=CreateUser | table eventName | append [search eventName=AssumeRole | "
                "table eventName]")
    assert plan(appended, False) == (None, None)
    fields, terms = plan(appended, True)
    assert fields is not None and "eventName" in fields and "recipientAccountId" not in fields
    assert terms is not None and "CreateUser" in str(terms) and "AssumeRole" not in str(terms)
    fields, terms = plan("eventName=ConsoleLogin [search eventName=StopInstances | fields "
                         "sourceIPAddress] | table eventName", True)
    assert fields is None and "ConsoleLogin" in str(terms)
    assert plan('eventName=A | map search="search eventName=$eventName$"', True) == (None, None)
    assert reads_by_session(parse_search(appended).pipeline)
    assert not reads_by_session(parse_search("eventName=A | stats count").pipeline)


def test_cli_search_with_a_subsearch_reads_its_own_records_pre_filtered(monkeypatch, capsys,
                                                                         tmp_path):
    # the rows of test_cli_subsearches_see_every_loaded_event; the search's own read is
    # pre-filtered (terms given), no read is of every field of every event
    from spl import data
    from spl import session as session_module
    from spl.cli import main

    monkeypatch.setattr(session_module, "EVENTS_KEPT", 0)  # as a large load
    reads: list = []
    for name in ("load", "begin"):
        real = getattr(data, name)
        monkeypatch.setattr(data, name, lambda *a, real=real, **k: reads.append(
            (k.get("fields"), k.get("terms"))) or real(*a, **k))
    search = ("eventName=CreateUser | table eventName | append [search eventName=AssumeRole | "
              "table eventName]")
    assert main(["run", search, "--data", "tests/fixtures/data/cloudtrail_small.ndjson",
                 "--lookup-output", str(tmp_path), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == [{"eventName": "CreateUser"},
                                                   {"eventName": "AssumeRole"}]
    assert any(terms is not None and "CreateUser" in str(terms) for _, terms in reads)
    assert all(fields is not None and "*" not in fields for fields, _ in reads)
