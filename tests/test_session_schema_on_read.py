"""Session reads schema at search time (spl.session): loading keeps the files and each event's
_time; each search reads only what it needs. Its answers must be those of the old way, a table
of every field of every event built at load and searched whole (spl.engine.execute over
Session.events): hypothesis pipelines of every command over generated records, loaded in two
``load`` calls (a later load's events are read after an earlier's)."""
from __future__ import annotations

import gzip
import json
import os
import random
import shutil

import numpy as np
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from spl import data, eventindex
from spl import session as session_module
from spl.context import Context
from spl.data import fast
from spl.engine import execute
from spl.errors import SplError
from spl.frontend import parse_search
from spl.session import Session
from test_mapreduce import _rows
from test_plan_differential import MACROS, MENU, NOW, outcome, pipelines, records


def full_table(session: Session, search: str):
    """The search over one table of every field of every loaded event (the old Session.run)."""
    parsed = session.parse(search)
    ctx = Context(now=NOW, tz=session.tz, text=parsed.expanded, session=session)
    try:
        return execute(parsed.pipeline, session.events, ctx)
    except SplError as err:
        raise parsed.relocate(err) from None


@pytest.fixture(scope="module")
def lookups(tmp_path_factory):
    folder = tmp_path_factory.mktemp("lookups")
    (folder / "ip.csv").write_text("ip,place\n8.8.8.8,dns\n10.0.0.1,lan\nbob,person\n")
    return folder


@pytest.mark.parametrize("command", sorted(set(MENU) - {"makeresults"}))
def test_schema_on_read_gives_the_full_tables_answer(tmp_path, lookups, command, monkeypatch):
    # a piece a line and a head that starts from one event: the load's index and the head's
    # growing reads are exercised on a few records
    monkeypatch.setattr(fast, "PIECE", 1)
    monkeypatch.setattr(session_module, "HEAD_FIRST", 1)
    check_schema_on_read(tmp_path, lookups, command)


def assert_same(got, want):
    """Same columns in the same order, same rows, same values of the same types; a null is a
    null (a cell of a field some chunk's events lack is NaN, of one table's None: both are
    Splunk's null), as in tests/test_mapreduce.py."""
    if isinstance(want, str) or isinstance(got, str):
        assert got == want
    else:
        assert _rows(got) == _rows(want)


# no shrinking: a failing case is printed as found (each run is a read of files: slow to shrink);
# derandomized, so CI runs the same examples each time (a random draw once found map-reduce
# ordering a field differently from one table: `convert ... AS f` making a loaded field f that no
# found event has; tests/test_mapreduce.py's generated pipelines now cover it)
@settings(max_examples=int(os.environ.get("SPL_EXAMPLES", 5)), deadline=None, derandomize=True,
          phases=[Phase.explicit, Phase.reuse, Phase.generate],
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(case=st.data(), first=st.lists(records(), min_size=1, max_size=8),
       second=st.lists(records(), max_size=8))
def check_schema_on_read(tmp_path, lookups, command, case, first, second):
    text, ends = case.draw(pipelines(command))
    session = Session(macros=MACROS, lookups=[lookups], lookup_output=tmp_path / "out")
    paths = []
    for lines in (first, second):
        path = tmp_path / f"d{random.getrandbits(40)}.ndjson"
        path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
        session.load(path)
        paths.append(path)
    for end in ends:
        search = f"{text} | {end}" if end else text
        try:
            parse_search(search, MACROS)
        except SplError:
            continue
        # outputcsv/outputlookup write files inputcsv reads: both sides start from one state
        out, before = tmp_path / "out", tmp_path / "out-before"
        shutil.rmtree(before, ignore_errors=True)
        if out.is_dir():
            shutil.copytree(out, before)
        got = outcome(lambda s=search: session.run(s, now=NOW))
        shutil.rmtree(out, ignore_errors=True)
        if before.is_dir():
            shutil.copytree(before, out)
        want = outcome(lambda s=search: full_table(session, s))
        assert_same(got, want)
    for path in paths:
        path.unlink()


def record(second: int, name: str, **more) -> str:
    return json.dumps({"eventTime": f"2026-03-09T14:00:{second:02d}Z", "eventName": name,
                       **more}) + "\n"


def test_loading_reads_times_not_fields(tmp_path):
    path = tmp_path / "a.ndjson"
    path.write_text(record(1, "A") + record(3, "B") + "not json\n" + record(2, "C"))
    session = Session()
    loaded = session.load(path)
    # the load's table holds _time and each event's sourcetype only (.data lists the types
    # it found): fields are extracted by each search
    assert list(loaded.table.columns) == ["_time", "sourcetype"]
    # by hand: 14:00:01, :03, :02 on 2026-03-09 UTC, in reading order; the bad line skipped
    base = 1773064800.0  # 2026-03-09T14:00:00Z
    assert session.times.tolist() == [base + 1, base + 3, base + 2]
    assert [p.line for p in session.problems] == [3]
    got = session.run("* | table eventName")
    assert got["eventName"].tolist() == ["B", "C", "A"]  # newest first
    assert [p.line for p in session.problems] == [3]  # the search met the same one: said once


def test_a_later_load_is_read_after_an_earlier(tmp_path):
    a, b = tmp_path / "a.ndjson", tmp_path / "b.ndjson"
    a.write_text(record(5, "A1") + record(5, "A2"))
    b.write_text(record(5, "B1"))
    session = Session(a)
    session.load(b)
    # equal times: the last read first (Splunk reads an index backwards)
    assert session.run("* | table eventName")["eventName"].tolist() == ["B1", "A2", "A1"]
    assert session.run("* | head 2 | table eventName")["eventName"].tolist() == ["B1", "A2"]
    assert session.run("* | stats first(eventName) last(eventName)").iloc[0].tolist() == [
        "B1", "A1"]


def test_each_search_reads_only_its_fields(tmp_path, monkeypatch):
    path = tmp_path / "a.ndjson"
    path.write_text(record(1, "A", errorCode="X") + record(2, "B"))
    session = Session(path)
    asked = []
    real = data.begin

    def begin(*args, **kw):
        asked.append((kw.get("fields"), kw.get("terms") is not None))
        return real(*args, **kw)

    monkeypatch.setattr(data, "begin", begin)
    assert session.run("errorCode=X | stats count by eventName").to_dict("records") == [
        {"eventName": "A", "count": 1}]
    fields, filtered = asked[-1]
    assert fields == {"errorCode", "eventName"} and filtered  # planned, pre-filtered


def test_a_file_changed_since_loading_is_said(tmp_path):
    path = tmp_path / "a.ndjson"
    path.write_text(record(1, "A"))
    session = Session(path)
    path.write_text(record(1, "A") + record(2, "B"))
    assert session.run("* | stats count")["count"].tolist() == [2]
    assert any("changed since it was loaded" in w for w in session.last_warnings)


def test_sample_and_events_say_what_they_are(tmp_path):
    path = tmp_path / "a.ndjson"
    path.write_text("".join(record(i, f"E{i}", k=str(i)) for i in range(6)))
    session = Session(path)
    sample = session.sample(4)
    # the first 4 read (E0..E3), newest first, with every field
    assert sample["eventName"].tolist() == ["E3", "E2", "E1", "E0"]
    assert {"k", "eventName", "_raw", "source"} <= set(sample.columns)
    assert session.events["eventName"].tolist() == [f"E{i}" for i in range(5, -1, -1)]
    assert np.isclose(session.times, session.events["_time"].to_numpy()[::-1]).all()


def test_head_reads_only_the_pieces_holding_its_events(tmp_path, monkeypatch):
    monkeypatch.setattr(fast, "PIECE", 1)  # a piece a line
    monkeypatch.setattr(session_module, "HEAD_FIRST", 1)
    path = tmp_path / "a.ndjson"
    # times 1..9 s, the newest in the middle of the file
    lines = [record(s, f"E{s}", k=str(s)) for s in (1, 2, 3, 9, 8, 4, 5, 6, 7)]
    path.write_text("".join(lines))
    session = Session(path)
    read, asked = [], []
    real_pieces, real_begin = data.read_pieces, data.begin

    def read_pieces(path, spans, **kw):
        read.extend(spans)
        return real_pieces(path, spans, **kw)

    def begin(*args, **kw):
        asked.append(kw.get("fields"))
        return real_begin(*args, **kw)

    monkeypatch.setattr(data, "read_pieces", read_pieces)
    monkeypatch.setattr(data, "begin", begin)
    got = session.run("* | head 2")
    # by hand: the two newest are E9 and E8, lines 4 and 5; the head asks for 2 events first
    assert got["eventName"].tolist() == ["E9", "E8"] and got["k"].tolist() == ["9", "8"]
    starts = [sum(map(len, lines[:i])) for i in range(len(lines) + 1)]
    assert read == [(starts[3], starts[4]), (starts[4], starts[5])] and asked == []
    assert list(got.columns) == list(full_table(session, "* | head 2").columns)
    read.clear()
    asked.clear()
    # a head that keeps a few fields reads the same pieces, not that field of every event
    got = session.run("* | head 2 | table k")
    assert got["k"].tolist() == ["9", "8"] and asked == [] and len(read) == 2
    read.clear()
    # a filter the newest event fails: the 8 newest are read next (1 x 8), E9 down to E2,
    # every line but the first, E5 among them
    monkeypatch.setattr(session_module, "HEAD_SHARE", 1)  # the index may read all the data
    got = session.run("eventName=E5 | head 1")
    assert got["eventName"].tolist() == ["E5"] and asked == []
    assert read == [(starts[3], starts[4])] + [(starts[i], starts[i + 1]) for i in range(1, 9)]
    # by default a head reads at most 1/8 of the data by the index: 8 of 9 lines is the files'
    monkeypatch.setattr(session_module, "HEAD_SHARE", 8)
    read.clear()
    got = session.run("eventName=E5 | head 1")
    assert got["eventName"].tolist() == ["E5"]
    assert read == [(starts[3], starts[4])] and len(asked) >= 1


def test_head_over_a_gzipped_load_finds_its_events_before_reading_them_whole(tmp_path,
                                                                              monkeypatch):
    path = tmp_path / "a.ndjson.gz"
    # two records with the same text but their place: both are candidates, the newer is picked
    path.write_bytes(gzip.compress((record(1, "A", k="x") + record(4, "B", k="y")
                                    + record(3, "C", k="z") + record(4, "B", k="y")).encode()))
    session = Session(path)
    asked = []
    real = data.begin

    def begin(*args, **kw):
        asked.append((kw.get("fields"), kw.get("terms")))
        return real(*args, **kw)

    monkeypatch.setattr(data, "begin", begin)
    got = session.run("* | head 2")
    # by hand: newest first, equal times last read first: the second "B", then the first "B"
    assert got["eventName"].tolist() == ["B", "B"] and got["k"].tolist() == ["y", "y"]
    (first_fields, first_terms), (second_fields, second_terms) = asked
    assert list(got.columns) == list(full_table(session, "* | head 2").columns)
    assert first_fields == {"_raw"}  # picking: `*` and head read no field but _raw
    assert second_fields is None and second_terms != first_terms  # every field, of the picked
    asked.clear()
    session.run("* | head 200")  # past HEAD_PICKED_MAX: one reading
    assert len(asked) == 1


def test_fields_read_over_every_event_are_kept_for_later_searches(tmp_path, monkeypatch):
    path = tmp_path / "a.ndjson"
    path.write_text(record(1, "A", k="x") + record(2, "B", k="y") + record(3, "A", k="z"))
    session = Session(path)
    asked = []
    real = data.begin

    def begin(*args, **kw):
        asked.append(kw.get("fields"))
        return real(*args, **kw)

    monkeypatch.setattr(data, "begin", begin)
    # every event is read for eventName: extracted once, over every event
    got = session.run("* | stats count by eventName")
    assert got.to_dict("records") == [{"eventName": "A", "count": 2},
                                      {"eventName": "B", "count": 1}]
    assert asked == [{"eventName"}]
    # the same field again: no reading; newest first, the first of each name kept (by hand:
    # A at 14:00:03, B at 14:00:02)
    got = session.run("* | dedup eventName | table _time eventName")
    assert got["eventName"].tolist() == ["A", "B"] and asked == [{"eventName"}]
    # a field not kept and a search that skips records: read from the files, pre-filtered
    got = session.run("k=y | table eventName")
    assert got["eventName"].tolist() == ["B"] and asked[-1] == {"k", "eventName"}
    # a change of the files: read again, as they are now
    path.write_text(record(1, "A", k="x"))
    assert session.run("* | stats count by eventName")["count"].tolist() == [1]
    assert any("changed since it was loaded" in w for w in session.last_warnings)


def test_the_field_cache_keeps_to_its_budget(tmp_path, monkeypatch):
    path = tmp_path / "a.ndjson"
    path.write_text(record(1, "A", k="x") + record(2, "B", k="y"))
    monkeypatch.setattr(eventindex, "CACHE_BYTES", 0)  # nothing fits
    session = Session(path)
    for _ in range(2):  # each time from the files, the same answer
        assert session.run("* | table eventName k").values.tolist() == [["B", "y"], ["A", "x"]]
    index = session._event_index()
    assert index is not None and index.columns == {} and index.covered == set()
    # room for one column: the one used longest ago goes
    one = eventindex.column_bytes(np.array(["A", "B"], dtype=object))
    index.budget = one + 1
    session.run("* | stats count by eventName")
    assert set(index.columns) == {"eventName"}
    session.run("* | stats count by k")
    assert set(index.columns) == {"k"} and index.covered == {"k"}


def test_a_head_search_of_spl_run_reads_the_pieces_of_its_events(tmp_path, capsys):
    from spl.cli import main

    path = tmp_path / "a.ndjson"
    path.write_text(record(1, "A") + "not json\n" + record(9, "Z") + record(5, "M"))
    code = main(["run", "* | head 2 | table eventName", "--data", str(path), "--format", "csv"])
    out, err = capsys.readouterr()
    # by hand: the newest two are Z (14:00:09) and M (14:00:05); the bad line (line 2) said once
    assert code == 0 and out.splitlines() == ["eventName", "Z", "M"]
    assert err.count("a.ndjson:2: not JSON") == 1


def _written(fmt: str, parts) -> bytes:
    import io

    from spl import output

    sink = io.BytesIO()
    output.write(fmt, parts, sink)
    return sink.getvalue()


@pytest.mark.parametrize("workers", [False, True])
def test_events_are_streamed_in_event_order_a_batch_at_a_time(tmp_path, monkeypatch, workers):
    from spl import output
    from spl.eventindex import loader_order

    if workers:  # the batches read by worker processes, ahead of the one searched
        monkeypatch.setattr(fast, "PARALLEL_MIN", 0)
    monkeypatch.setattr(fast, "PIECE", 1)  # a piece a line
    monkeypatch.setattr(session_module, "STREAM_ROWS", 2)
    path = tmp_path / "a.ndjson"
    # in time order, as CloudTrail writes them; fields differ from event to event
    path.write_text(record(1, "A", k="x") + record(2, "B") + record(3, "C", z="1")
                    + record(4, "D", k="y") + record(5, "E"))
    session = Session(path)
    parts = session.stream("* | table *")
    assert parts is not None
    parts = list(parts)
    # by hand: newest first, two a batch: E D | C B | A; each batch with its own fields
    assert [p["eventName"].tolist() for p in parts] == [["E", "D"], ["C", "B"], ["A"]]
    assert "z" not in parts[0].columns and "z" in parts[1].columns
    whole = session.run("* | table *")
    assert _written("json", parts) == _written("json", output.batches(whole))
    assert _written("csv", output.uniform(iter(parts), loader_order)) == _written(
        "csv", output.batches(whole))
    # a search that skips records is read pre-filtered, not streamed
    assert session.stream("k=y | table *") is None
    assert session.stream("* | stats count") is None


def test_events_too_scattered_for_event_order_are_not_streamed(tmp_path, monkeypatch):
    lines = [record(s, f"E{s}") for s in (1, 6, 2, 5, 3, 4)]
    assert len(set(map(len, lines))) == 1
    monkeypatch.setattr(fast, "PIECE", 2 * len(lines[0]) + 1)  # three lines a piece
    monkeypatch.setattr(session_module, "STREAM_ROWS", 1)
    path = tmp_path / "a.ndjson"
    path.write_text("".join(lines))
    session = Session(path)
    assert session.stream("* | table eventName") is None  # not a search of events as they are
    # by hand: one event a batch, newest first (6 5 4 3 2 1), each in a piece of three lines:
    # six pieces read, three times the file, more than twice it: read by run() instead
    assert session.stream("*") is None
    # three a batch: (6 5 4) in both pieces, (3 2 1) in both: four pieces, twice the file
    monkeypatch.setattr(session_module, "STREAM_ROWS", 3)
    got = session.stream("*")
    assert got is not None
    assert [p["eventName"].tolist() for p in got] == [["E6", "E5", "E4"], ["E3", "E2", "E1"]]


def test_spl_run_streams_events_to_json_and_csv(tmp_path, capsys):
    from spl.cli import main

    path = tmp_path / "a.ndjson"
    path.write_text(record(1, "A", k="x") + record(2, "B", z="1"))
    assert main(["run", "* | table *", "--data", str(path), "--format", "csv"]) == 0
    header, *rows = capsys.readouterr().out.splitlines()
    # by hand: the base fields, then the others by name; B (newest) first, its k empty
    names = header.split(",")
    assert names[:2] == ["_time", "_raw"] and names.index("k") < names.index("z")
    assert len(rows) == 2 and rows[0].split(",")[names.index("eventName")] == "B"


def test_a_small_loads_events_are_read_once_and_again_when_a_file_changes(tmp_path, monkeypatch):
    path = tmp_path / "a.ndjson"
    path.write_text(record(1, "A") + record(2, "B"))
    session = Session()
    session.load(path)
    reads = []
    real = data.load
    monkeypatch.setattr(data, "load", lambda *a, **k: reads.append(1) or real(*a, **k))
    assert session.events["eventName"].tolist() == ["B", "A"]
    events = session.events
    events["x"] = 1  # a column set on it is not kept
    assert "x" not in session.events and len(reads) == 1
    path.write_text(record(1, "A") + record(2, "B") + record(3, "C"))
    assert session.events["eventName"].tolist() == ["C", "B", "A"] and len(reads) == 2
    monkeypatch.setattr(session_module, "EVENTS_KEPT", 10)  # files over it: read every time
    session.load(path)  # now two loads: each events reads both
    for _ in range(2):
        assert len(session.events) == 6
    assert len(reads) == 2 + 2 * 2


def test_the_sourcetypes_of_the_loads_are_known_without_reading_fields(tmp_path):
    path = tmp_path / "a.ndjson"
    path.write_text(record(1, "A"))
    session = Session()
    session.load(path)
    session.load(path, sourcetype="_json")
    assert session.sourcetypes() == {"aws:cloudtrail", "_json"}


def _loads(monkeypatch) -> list:
    """The ``fields`` of each read of the files from now on ({"*"}: every field of every
    event, as Session.events reads them)."""
    asked: list = []
    for name in ("load", "begin"):
        real = getattr(data, name)
        monkeypatch.setattr(data, name, lambda *a, real=real, **k: asked.append(
            k.get("fields")) or real(*a, **k))
    return asked


def test_a_subsearch_reads_the_fields_it_needs_not_every_event(tmp_path, monkeypatch):
    path = tmp_path / "a.ndjson"
    path.write_text(record(1, "A", actor="u1") + record(2, "B", actor="u2")
                    + record(3, "A", actor="u2"))
    session = Session()
    session.load(path)
    monkeypatch.setattr(session_module, "EVENTS_KEPT", 0)  # as a large load
    asked = _loads(monkeypatch)
    # the subsearch finds actor=u2 (event B); the search then keeps A's events of u2: the third
    out = session.run("search eventName=A [search eventName=B | fields actor]")
    assert out["_time"].tolist() == [1773064803.0]
    # the search reads every field (the subsearch may name any); the subsearch its own
    assert {"*"} not in asked and {"eventName", "actor", "_raw"} in asked
    out = session.run("search eventName=B | append [search eventName=A | fields actor]")
    assert out["actor"].tolist() == ["u2", "u2", "u1"]
    assert {"*"} not in asked


def test_tstats_reads_the_data_models_fields(tmp_path, monkeypatch):
    path = tmp_path / "a.ndjson"
    path.write_text(record(1, "A") + record(2, "B"))
    session = Session()
    session.load(path)
    monkeypatch.setattr(session_module, "EVENTS_KEPT", 0)
    asked = _loads(monkeypatch)
    assert session.run("| tstats count")["count"].tolist() == [2]
    assert asked and all(f == {"_time", "index", "sourcetype", "source", "host"} for f in asked)


def test_a_generating_search_reads_no_file(tmp_path, monkeypatch):
    path = tmp_path / "a.ndjson"
    path.write_text(record(1, "A"))
    session = Session()
    session.load(path)
    asked = _loads(monkeypatch)
    assert session.run("| makeresults count=2")["_time"].size == 2
    assert asked == []
