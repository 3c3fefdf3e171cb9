"""The Python API checks its arguments: a clear spl.UsageError, never a bare TypeError or a walk
of the filesystem from '/'.

A str (or os.PathLike) where a list of paths goes is ONE path: ``macros="dir"`` once split into
the characters 'd', 'i', 'r'. The time zone is checked as the CLI's --tz is.
"""
from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

import pytest

import spl
from spl import Session, UsageError
from spl.errors import SplError

COUNT = "| makeresults | eval user=\"a\" | table user"


@pytest.fixture
def example():
    with resources.as_file(resources.files("spl") / "examples" / "bedrock_cloudtrail.json") as p:
        yield p


def test_usage_error_is_an_spl_error_exported_from_the_package():
    assert issubclass(UsageError, SplError) and "UsageError" in spl.__all__


@pytest.mark.parametrize("search", [None, b"| makeresults", 42, ["| makeresults"]])
def test_a_search_that_is_not_a_str_is_a_usage_error(search):
    for call in (lambda: spl.run(search), lambda: spl.parse(search),
                 lambda: Session().run(search)):
        with pytest.raises(UsageError, match=f"the search is a str of SPL, not "
                                             f"{type(search).__name__}"):
            call()


def test_a_str_of_macros_is_one_directory(tmp_path, monkeypatch):
    macros = tmp_path / "mymacros"
    macros.mkdir()
    (macros / "m.yml").write_text("name: who\ndefinition: eval user=\"from-macro\"\n")
    monkeypatch.chdir(tmp_path)
    search = "| makeresults | `who` | table user"
    for given in ("mymacros", macros, str(macros)):
        assert spl.run(search, macros=given)["user"].tolist() == ["from-macro"]
        assert Session(macros=given).run(search)["user"].tolist() == ["from-macro"]
        assert "from-macro" in spl.parse(search, macros=given).expanded


def test_a_str_of_lookups_is_one_directory(tmp_path, monkeypatch):
    (tmp_path / "lk").mkdir()
    (tmp_path / "lk" / "t.csv").write_text("a\n1\n")
    monkeypatch.chdir(tmp_path)
    assert spl.run("| inputlookup t.csv", lookups="lk",
                   lookup_output=tmp_path / "out")["a"].tolist() == ["1"]


def test_a_str_or_path_of_data_is_one_file(example):
    for given in (str(example), example, [example], (str(example),)):
        assert len(spl.run("`cloudtrail`", data=given)) == 24  # the example's 24 records


@pytest.mark.parametrize("option, value, message", [
    ("macros", 7, "macros: give a path or a list of paths, not int"),
    ("macros", ["ok", 7], "macros: a path is a str or os.PathLike, not int"),
    ("lookups", [None], "lookups: a path is a str or os.PathLike, not NoneType"),
    ("ta", ["a", "b"], "ta: a path is a str or os.PathLike, not list"),
    ("lookup_output", 1.5, "lookup_output: a path is a str or os.PathLike, not float"),
    ("tz", "Mars/Olympus", "tz='Mars/Olympus' is not a time zone name"),
    ("tz", "", "tz='' is not a time zone name"),
    ("tz", None, "tz=None is not a time zone name"),
    ("strict", "yes", "strict is True or False, not str"),
    ("sourcetype", 5, "sourcetype is a str or None, not int"),  # None: detected per file
    ("source", 3, "source is a str or None, not int"),
])
def test_bad_option_values_are_usage_errors_naming_the_option(option, value, message):
    with pytest.raises(UsageError, match=message.replace("(", r"\(")):
        spl.run(COUNT, **{option: value})
    with pytest.raises(UsageError, match=message.replace("(", r"\(")):
        Session(**{option: value})


def test_data_that_is_not_paths_is_a_usage_error():
    with pytest.raises(UsageError, match="data: give a path or a list of paths, not int"):
        spl.run(COUNT, data=5)
    with pytest.raises(UsageError, match="paths: a path is a str or os.PathLike, not int"):
        Session().load([5])


def test_a_known_time_zone_is_taken():
    assert Session(tz="Europe/Paris").tz == "Europe/Paris"


def test_the_cli_refuses_the_same_zone(capsys):
    from spl.cli import main

    assert main(["run", "| makeresults", "--data", os.devnull, "--tz", "Mars/Olympus"]) == 2
    assert "is not a time zone name" in capsys.readouterr().err


def test_unknown_keyword_options_are_refused_naming_the_known_ones():
    with pytest.raises(UsageError, match=r"spl.run: unknown option timezone \(it takes datamodels, host, "
                                         r"index, lookup_output, lookups, macros, progress, "
                                         r"source, sourcetype, strict, ta, tz\)"):
        spl.run(COUNT, timezone="UTC")
    with pytest.raises(UsageError, match="unknown options fields, terms"):
        spl.run(COUNT, fields={"x"}, terms=None)  # run works these out itself


def test_now_must_be_a_number():
    with pytest.raises(UsageError, match="now is a time in epoch seconds, not str"):
        Session().run(COUNT, now="yesterday")
    assert Session().run("| makeresults | eval t=now() | table t", now=100)["t"].tolist() == [100]


def test_good_arguments_still_run(tmp_path):
    out = spl.run(COUNT, macros=[], lookups=(), lookup_output=Path(tmp_path), tz="UTC",
                  strict=False, sourcetype="aws:cloudtrail", source=None)
    assert out["user"].tolist() == ["a"]


@pytest.mark.parametrize("fields, message", [
    ("eventName", "fields is a set of field names or None, not str"),
    ({"eventName", 7}, "a field name is a str, not int"),
])
def test_events_of_takes_a_set_of_field_names(example, fields, message):
    session = Session(example)
    with pytest.raises(UsageError, match=message):
        session.events_of(fields)
    assert session.events_of({"eventName"})["eventName"].notna().all()
