"""Options read the same way by every command (spl.commands._args): booleans, integers, unknown
options; and the boolean settings of lookup definitions and macros.conf read by the same rule.

Expected values are worked out by hand from the command pages:
- JOIN = https://help.splunk.com/splunk-enterprise/spl-search-reference/9.4/search-commands/join
  (``overwrite=<bool>``, ``max=<int>``, 0 = no limit)
- INPUT = https://help.splunk.com/splunk-enterprise/spl-search-reference/10.0/search-commands/inputlookup
  (``append=<bool>``, ``start=<int>``, ``max=<int>``)
- OUTPUT = https://help.splunk.com/en/splunk-enterprise/spl-search-reference/10.0/search-commands/outputlookup
  (``append=<bool>``, ``override_if_empty=<bool>``, ``create_empty=<bool>``, ``max=<int>``)
- MACROS = https://help.splunk.com/en/data-management/splunk-enterprise-admin-manual/10.0/10.0.0-configuration-file-reference/macros.conf
  (``iseval = <boolean>``)
- TRANSFORMS = https://docs.splunk.com/Documentation/Splunk/latest/Admin/Transformsconf
  (``case_sensitive_match = <boolean>``)
"""
from __future__ import annotations

from dataclasses import replace
from types import SimpleNamespace

import pytest

from spl.commands._args import boolean
from spl.context import Context
from spl.engine import execute
from spl.errors import ConfigError, SearchError, UnsupportedError
from spl.lookups import Lookups
from spl.macros import MacroLibrary
from spl.syntax import parse
from spltest import NOW, column, table


@pytest.mark.parametrize("text, expected", [
    ("true", True), ("T", True), ("1", True), ("Yes", True), ("y", True),
    ("false", False), ("F", False), ("0", False), ("NO", False), ("n", False),
    ("ture", None), ("2", None), ("", None), ("on", None),
])
def test_boolean_spellings(text, expected):
    assert boolean(text) is expected


@pytest.fixture
def dirs(tmp_path):
    lk = tmp_path / "lookups"
    lk.mkdir()
    (lk / "users.csv").write_text("user,dept\nalice,eng\nbob,ops\ncarol,eng\n")
    return SimpleNamespace(lookups=lk, out=tmp_path / "out")


def run(search, rows, dirs, events=()):
    session = SimpleNamespace(events=table(list(events)),
                              lookups=Lookups([dirs.lookups], dirs.out))
    pipeline = parse(search)
    if rows is not None:
        pipeline = replace(pipeline, generating=False)
    return execute(pipeline, table(rows or []), Context(now=NOW, text=search, session=session))


def span_of(search, word):
    """Where the command starting with ``word`` begins in ``search``."""
    return search.index(word)


@pytest.mark.parametrize("search, option", [
    ("| join overwrite=flase user [search *]", "overwrite"),
    ("| join usetime=maybe user [search *]", "usetime"),
    ("| inputlookup append=yes_please users.csv", "append"),
    ("| outputlookup append=tru made.csv", "append"),
    ("| outputlookup create_empty=nope made.csv", "create_empty"),
])
def test_a_boolean_typo_is_an_error_at_the_command(search, option, dirs):
    with pytest.raises(SearchError, match=option) as err:
        run(search, [{"user": "a"}], dirs, events=[{"user": "a"}])
    command = search.split()[1]
    assert err.value.span is not None
    assert err.value.span.start == span_of(search, command)


@pytest.mark.parametrize("search, option", [
    ("| join max=two user [search *]", "max"),
    ("| join max=-1 user [search *]", "max"),
    ("| inputlookup start=x users.csv", "start"),
    ("| inputlookup max=1_000 users.csv", "max"),
    ("| outputlookup max=1.5 made.csv", "max"),
])
def test_a_bad_integer_is_an_error(search, option, dirs):
    with pytest.raises(SearchError, match=option):
        run(search, [{"user": "a"}], dirs, events=[{"user": "a"}])


@pytest.mark.parametrize("search, option", [
    ("| join typ=left user [search *]", "typ"),
    ("| inputlookup apend=t users.csv", "apend"),
    ("| outputlookup apend=t made.csv", "apend"),
])
def test_an_unknown_option_is_an_error(search, option, dirs):
    with pytest.raises(SearchError, match=option):
        run(search, [{"user": "a"}], dirs, events=[{"user": "a"}])


def test_an_option_splunk_has_but_spl_lacks_says_unsupported(dirs):
    with pytest.raises(UnsupportedError, match="output_format"):
        run("| outputlookup output_format=splunk_mv_csv made.csv", [{"a": "1"}], dirs)


def test_join_overwrite_spellings(dirs):
    # JOIN overwrite=false keeps the main result's value of a field both sides have.
    main, sub = [{"user": "a", "ip": "main"}], [{"user": "a", "ip": "sub"}]
    for spelling, expected in (("f", "main"), ("NO", "main"), ("0", "main"), ("t", "sub")):
        out = run(f"| join overwrite={spelling} user [search * | table user ip]", main, dirs,
                  events=sub)
        assert column(out, "ip") == [expected], spelling


def test_inputlookup_append_spellings(dirs):
    # INPUT append=true adds the rows after the current results: 1 + 3 rows.
    for spelling in ("true", "Y", "yes", "1"):
        assert len(run(f"| inputlookup append={spelling} users.csv", [{"x": "1"}], dirs)) == 4
    assert len(run("| inputlookup append=n users.csv", [{"x": "1"}], dirs)) == 3


def test_outputlookup_max_caps_the_rows_written(dirs):
    # OUTPUT max: only the first 2 of 3 results are written; all 3 pass through.
    rows = [{"a": "1"}, {"a": "2"}, {"a": "3"}]
    assert len(run("| outputlookup max=2 made.csv", rows, dirs)) == 3
    assert column(run("| inputlookup made.csv", None, dirs), "a") == ["1", "2"]


def test_lookup_definition_boolean_typo_names_the_file(dirs):
    (dirs.lookups / "users_x.yml").write_text(
        "name: users_x\nfilename: users.csv\ncase_sensitive_match: 'flase'\n")
    with pytest.raises(ConfigError, match="case_sensitive_match") as err:
        run("| lookup users_x user", [{"user": "alice"}], dirs)
    assert err.value.file and "users" in err.value.file


def test_lookup_definition_boolean_spellings(dirs):
    # TRANSFORMS case_sensitive_match=false: "ALICE" matches the row "alice".
    (dirs.lookups / "users_n.yml").write_text(
        "name: users_n\nfilename: users.csv\ncase_sensitive_match: 'n'\n")
    out = run("| lookup users_n user OUTPUT dept", [{"user": "ALICE"}], dirs)
    assert column(out, "dept") == ["eng"]


def test_macros_conf_iseval_typo_names_file_and_line(tmp_path):
    conf = tmp_path / "macros.conf"
    conf.write_text("[ok]\ndefinition = a\n\n[bad]\ndefinition = b\niseval = ture\n")
    with pytest.raises(ConfigError, match="iseval") as err:
        MacroLibrary.load([conf], bundled=False)
    assert err.value.file == str(conf) and err.value.line == 4


def test_macros_conf_iseval_spellings(tmp_path):
    conf = tmp_path / "macros.conf"
    conf.write_text("[a]\ndefinition = x\niseval = Y\n\n[b]\ndefinition = x\niseval = 0\n\n"
                    "[c]\ndefinition = x\n")
    lib = MacroLibrary.load([conf], bundled=False)
    assert [lib.get(n, 0).iseval for n in "abc"] == [True, False, False]
