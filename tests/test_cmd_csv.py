"""outputcsv (https://help.splunk.com/splunk-enterprise/spl-search-reference/9.4/search-commands/outputcsv)
and inputcsv (https://help.splunk.com/splunk-enterprise/spl-search-reference/9.4/search-commands/inputcsv):
a round trip through spl's CSV directory (csv/ in the lookup output directory), the options'
effects worked out by hand, and the file-name safety rules shared with outputlookup."""
from __future__ import annotations

import os
from dataclasses import replace
from types import SimpleNamespace

import pytest

from spl.context import Context
from spl.engine import execute
from spl.errors import SplError, UnsupportedError
from spl.lookups import Lookups
from spl.syntax import parse
from spltest import NOW, column, table

ROWS = [{"host": "a", "n": "1"}, {"host": "b", "n": None, "m": ["x", "y"]}]


def run(search, rows, out_dir):
    session = SimpleNamespace(events=table([]), lookups=Lookups([], out_dir))
    return execute(replace(parse(search), generating=False), table(rows),
                   Context(now=NOW, text=search, session=session))


def test_round_trip_with_csv_added_to_the_name(tmp_path):
    passed = run("| outputcsv hosts", ROWS, tmp_path)
    assert column(passed, "host") == ["a", "b"]                  # results pass through
    assert (tmp_path / "csv" / "hosts.csv").read_text().splitlines()[0] == "host,n,m"
    r = run("| inputcsv hosts.csv", [{"other": "1"}], tmp_path)  # replaces the results
    assert list(r.columns) == ["host", "n", "m"]
    assert column(r, "n") == ["1", None]
    assert column(r, "m") == [None, "x\ny"]


def test_append_start_max(tmp_path):
    run("| outputcsv t", ROWS, tmp_path)
    run("| outputcsv append=true t", [{"host": "c", "z": "9"}], tmp_path)
    r = run("| inputcsv start=1 max=1 t", [], tmp_path)
    # row b of host,n,m,z: n and z empty, so no column (a field no result has)
    assert column(r, "host") == ["b"] and list(r.columns) == ["host", "m"]
    r = run("| inputcsv append=t t", [{"host": "first"}], tmp_path)
    assert column(r, "host") == ["first", "a", "b", "c"]


def test_no_results_create_empty_and_override_if_empty(tmp_path):
    run("| outputcsv none", [], tmp_path)
    assert not (tmp_path / "csv" / "none.csv").exists()          # create_empty defaults false
    run("| outputcsv create_empty=true none", [], tmp_path)
    assert (tmp_path / "csv" / "none.csv").read_text() == ""
    run("| outputcsv keep", ROWS, tmp_path)
    run("| outputcsv override_if_empty=false keep", [], tmp_path)
    assert len(run("| inputcsv keep", [], tmp_path)) == 2


def test_names_stay_inside_the_directory(tmp_path):
    for name in ("../x", "/etc/passwd", ".hidden"):
        with pytest.raises(SplError, match="plain file name"):
            run(f"| outputcsv {name}", ROWS, tmp_path)
    (tmp_path / "csv").mkdir(exist_ok=True)
    os.symlink(tmp_path / "target.csv", tmp_path / "csv" / "link.csv")
    with pytest.raises(SplError):
        run("| outputcsv link", ROWS, tmp_path)
    assert not (tmp_path / "target.csv").exists()


def test_missing_file_and_unsupported_forms(tmp_path):
    with pytest.raises(SplError, match="no CSV file"):
        run("| inputcsv nothing", [], tmp_path)
    with pytest.raises(UnsupportedError, match="WHERE"):
        run("| inputcsv t where a", [], tmp_path)
    with pytest.raises(UnsupportedError, match="file name"):
        run("| outputcsv", ROWS, tmp_path)
