"""Map-reduce execution (spl.mapreduce) gives exactly the single-table answer.

Differential: hypothesis builds events (times with ties, numbers as strings and numbers, text,
nulls, multivalue cells) and pipelines from the commands that have map and reduce halves (stats
with every kind of function, top/rare, dedup, head, tail, sort) behind distributable streaming
commands, plus commands that must collect; the events are cut into chunks of every size down to
one event; the chunked result must equal the result over one table: same columns in the same
order, same rows in the same order, same values of the same types.
"""
from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spl import mapreduce
from spl.context import Context
from spl.engine import execute
from spl.frontend import parse_search

NOW = 1_700_000_000.0


def _cell(v):
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ("null",)
    if isinstance(v, list):
        return ("mv", tuple(_cell(x) for x in v))
    return (type(v).__name__, repr(v))


def _rows(table: pd.DataFrame):
    return list(table.columns), [tuple(_cell(v) for v in row)
                                 for row in table.itertuples(index=False, name=None)]


def single(search: str, events: pd.DataFrame) -> pd.DataFrame:
    pipeline = parse_search(search).pipeline
    return execute(pipeline, mapreduce.events_table([events]), Context(now=NOW))


def chunked(search: str, events: pd.DataFrame, size: int) -> pd.DataFrame:
    pipeline = parse_search(search).pipeline
    chunks = [(_loaded(events.iloc[i:i + size].reset_index(drop=True)), i)
              for i in range(0, len(events), size)]
    return mapreduce.run_chunks(pipeline, chunks, Context(now=NOW))


def _loaded(part: pd.DataFrame) -> pd.DataFrame:
    """A chunk as the loader gives it: a field none of its events has is no column."""
    return part[[c for c in part.columns if c in ("_time", "_raw") or part[c].notna().any()]]


def assert_same(search: str, events: pd.DataFrame, sizes) -> None:
    want = _rows(single(search, events))
    for size in sizes:
        got = _rows(chunked(search, events, size))
        assert got == want, (search, size)


# ---------------------------------------------------------------- generated events

TIMES = st.sampled_from([NOW - 5, NOW - 3, NOW - 3, NOW - 1, NOW, NOW + 2.5])
NUMS = st.sampled_from(["1", "2", "2", "3.5", "-4", "10", "0.1", "0.2", "5", "5.0", "a", "B"])
CATS = st.sampled_from(["p", "q", "r", "P", "10", "9"])


@st.composite
def event(draw):
    row = {"_time": draw(TIMES), "_raw": draw(st.sampled_from(["GET a", "PUT b", "GET c"]))}
    for name, values in (("x", NUMS), ("y", CATS), ("w", NUMS)):
        if draw(st.booleans()) or name == "y":
            row[name] = draw(st.one_of(st.none(), values))
    if draw(st.integers(0, 3)) == 0:
        row["z"] = draw(st.lists(CATS, min_size=2, max_size=3))
    elif draw(st.booleans()):
        row["z"] = draw(CATS)
    return row


@st.composite
def events(draw):
    rows = draw(st.lists(event(), min_size=0, max_size=14))
    columns = ["_time", "_raw", "w", "x", "y", "z"]  # the loader's order: base, then by name
    present = [c for c in columns if any(c in r for r in rows)] or ["_time", "_raw"]
    return pd.DataFrame({c: pd.Series([r.get(c) for r in rows],
                                      dtype="float64" if c == "_time" else object)
                         for c in present})


MAP = ["search y=p OR y=q", "search GET", "where isnotnull(x)", "eval v=x*2",
       'eval k=y.":".x', "eval _time=_time+1", "fields _time y x z", "fields - w",
       "rename w as ww", "mvexpand z", "fillnull value=0 x", "bin _time span=2",
       'rex field=_raw "(?<verb>\\w+)"', "convert num(x)", "eval w=1",
       "convert ctime(_time) AS x"]
AGGS = ["count", "count(x)", "dc(x)", "values(z)", "list(x)", "min(x)", "max(x)", "sum(x)",
        "avg(x)", "stdev(x)", "var(w)", "median(x)", "perc90(x)", "mode(y)", "range(x)",
        "first(z)", "last(x)", "earliest(x)", "latest(y)", "earliest_time(x)",
        "latest_time(w)", "sumsq(x)", "count(eval(x>1)) AS big", "values(*) AS v_*"]
BYS = ["", " by y", " by z", " by y x", " by x", " by _time"]
SPLIT = st.one_of(
    st.builds(lambda aggs, by, allnum: "stats " + ("allnum=t " if allnum else "")
              + " ".join(aggs) + by,
              st.lists(st.sampled_from(AGGS), min_size=1, max_size=4), st.sampled_from(BYS),
              st.booleans()),
    st.sampled_from(["top y", "top 2 x by y", "rare z", "top x y useother=t limit=1",
                     "dedup y", "dedup 2 y x", "dedup z keepempty=true", "dedup x sortby -y",
                     "dedup y consecutive=true",
                     "head", "head 3", "head 0", "head (x<3)", "head (x<3) keeplast=t null=t",
                     "tail 2", "tail", "sort x", "sort 3 - _time x", "sort 2 y desc",
                     "sort num(x) -y", "sort 0 y", "eventstats count by y",
                     "streamstats count by y", "table y x", "fillnull"]))
AFTER = st.sampled_from(["", " | eval q=1", " | head 2", " | sort - count", " | fields y"])


@st.composite
def pipeline(draw):
    # the first search decides which loaded fields exist (only those some found event has)
    first = draw(st.sampled_from(["search *", "search y=p", "search GET"]))
    parts = [first] + draw(st.lists(st.sampled_from(MAP), max_size=3))
    if draw(st.integers(0, 4)):
        parts.append(draw(SPLIT))
    return " | ".join(parts) + draw(AFTER)


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(events(), pipeline())
def test_chunked_equals_single_table(table, search):
    assert_same(search, table, sizes=(1, 2, 3, 5, len(table) or 1))


# ---------------------------------------------------------------- hand-worked cases


def _table(rows):
    cols = list(dict.fromkeys(k for r in rows for k in r))
    return pd.DataFrame({c: pd.Series([r.get(c) for r in rows],
                                      dtype="float64" if c == "_time" else object) for c in cols})


def test_events_come_back_newest_first_and_equal_times_last_read_first():
    # Session.events' order: _time descending; equal times: the last read first
    rows = [{"_time": 1.0, "_raw": "a"}, {"_time": 2.0, "_raw": "b"},
            {"_time": 1.0, "_raw": "c"}, {"_time": 2.0, "_raw": "d"}]
    out = chunked("search *", _table(rows), 1)
    assert out["_raw"].tolist() == ["d", "b", "c", "a"]


def test_first_and_last_follow_event_order_across_chunks():
    rows = [{"_time": 1.0, "_raw": "a", "x": "1"}, {"_time": 3.0, "_raw": "b", "x": "2"},
            {"_time": 2.0, "_raw": "c", "x": "3"}]
    out = chunked("search * | stats first(x) last(x) count", _table(rows), 1)
    # newest first: b (t=3), c (t=2), a (t=1)
    assert out.iloc[0].tolist() == ["2", "1", 3]


def test_avg_adds_floats_in_event_order():
    # AGG: "makeresults count=100 | eval test=3.99 | stats avg(test)" gives 3.9900000000000055
    # (https://docs.splunk.com/Documentation/Splunk/latest/SearchReference/Aggregatefunctions)
    rows = [{"_time": float(i), "_raw": "e", "test": "3.99"} for i in range(100)]
    for size in (1, 7, 100):
        out = chunked("search * | stats avg(test)", _table(rows), size)
        assert out.iloc[0, 0] == 3.9900000000000055


def test_list_keeps_its_limit_of_100_across_chunks():
    # MVF: list() keeps the first 100 values
    rows = [{"_time": float(1000 - i), "_raw": "e", "x": str(i)} for i in range(150)]
    out = chunked("search * | stats list(x) AS l", _table(rows), 7)
    assert out.iloc[0, 0] == [str(i) for i in range(100)]


# ---------------------------------------------------------------- the plan


def _plan(search):
    return mapreduce.plan(parse_search(search).pipeline)


def test_plan_splits_at_the_first_transforming_command():
    p = _plan("search a | eval b=1 | where b=1 | stats count by c | sort - count")
    assert [c.name for c in p.map] == ["search", "eval", "where"]
    assert p.split.name == "stats"
    assert [c.name for c in p.reduce] == ["sort"]


def test_plan_collects_for_a_command_without_halves():
    p = _plan("search a | streamstats count | stats count")
    assert p.split is None and [c.name for c in p.reduce] == ["streamstats", "stats"]
    assert "collected into one table" in p.why


def test_options_decide_the_type():
    assert _plan("search a | bin _time span=1h | stats count").split.name == "stats"
    assert _plan("search a | bin _time | stats count").split is None  # bin without span
    assert _plan("search a | fillnull | stats count").split is None   # every field
    assert _plan("search a | sort 0 x").split is None
    assert _plan("search a | dedup x sortby y").split is None


def test_a_subsearch_runs_over_one_table():
    assert not _plan("search a [search b | fields c] | stats count").chunkable


def test_a_made_field_no_found_event_has_comes_last():
    # one table: after the search, w is no field of the results (no found event has it), so the
    # eval adds a new field, and a new field comes after the existing ones; in the chunk whose
    # events have w it was a loaded field, which sits in the loader's place (before x)
    rows = [{"_time": 2.0, "_raw": "a", "x": "1"}, {"_time": 1.0, "_raw": "b", "w": "5"}]
    out = chunked("search a | eval w=7", _table(rows), 1)
    assert list(out.columns) == ["_time", "_raw", "x", "w"]
    assert out["w"].tolist() == [7]


def test_empty_input_gives_what_one_table_gives():
    empty = pd.DataFrame({"_time": pd.Series([], dtype=float), "_raw": pd.Series([], dtype=object)})
    for q in ("search * | stats count", "search * | stats count by y", "search * | top y",
              "search * | head 2", "search *"):
        pl = parse_search(q).pipeline
        got = mapreduce.run_chunks(pl, [], Context(now=NOW))
        assert _rows(got) == _rows(single(q, empty)), q


@pytest.mark.parametrize("search", [
    "search * | stats count min(_time) max(_time) values(y) by x",
    "search * | mvexpand z | stats count by z",
    "search * | dedup y | table y x",
])
def test_cases(search):
    rows = [{"_time": float(t), "_raw": r, "x": x, "y": y, "z": z}
            for t, r, x, y, z in [(3, "a", "1", "p", ["p", "q"]), (3, "b", "2", "q", "r"),
                                  (1, "c", "1", "p", None), (2, "d", None, "q", ["q", "q"])]]
    assert_same(search, _table(rows), sizes=(1, 2, 3, 4))


# ---------------------------------------------------------------- the shared corpus

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
ESCU = SHARED / "corpus" / "escu"
CLOUDTRAIL = SHARED / "corpus" / "cloudtrail"


def _escu_searches() -> list[str]:
    cloud = ESCU / "detections" / "cloud"
    if not cloud.is_dir():
        return []
    return sorted(p.name for p in cloud.glob("*.yml") if "`cloudtrail`" in p.read_text())


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    if not (ESCU.is_dir() and CLOUDTRAIL.is_dir()):
        pytest.skip(f"{SHARED} is absent: the ESCU corpus is only on the maintainers' machines")
    from spl.session import Session

    return Session(sorted(CLOUDTRAIL.glob("*.ndjson")), macros=[ESCU / "macros"],
                   lookups=[ESCU / "lookups"], lookup_output=tmp_path_factory.mktemp("lookups"))


@pytest.fixture(scope="module")
def loaded(corpus):
    """The corpus with every field, in reading order: the single table."""
    from spl import data

    return data.load(sorted(CLOUDTRAIL.glob("*.ndjson"))).table


def _single_table(parsed, corpus, loaded):
    """The search over the one table of every event and every field (no map-reduce)."""
    return execute(parsed.pipeline, mapreduce.events_table([loaded]),
                   Context(now=NOW, text=parsed.expanded, session=corpus))


@pytest.mark.parametrize("name", _escu_searches() or ["(no corpus)"])
def test_escu_detection_chunked_equals_single_table(name, corpus, loaded):
    """Each ESCU CloudTrail detection, verbatim, over the corpus cut into chunks of 61 events
    (events as loaded, in reading order) gives the single table's rows."""
    import yaml

    from spl.errors import SplError

    search = yaml.safe_load((ESCU / "detections" / "cloud" / name).read_text())["search"]
    parsed = corpus.parse(search)
    try:
        want = _rows(_single_table(parsed, corpus, loaded))
    except SplError as e:
        want = type(e).__name__ + e.message
    chunks = [(loaded.iloc[i:i + 61].reset_index(drop=True), i)
              for i in range(0, len(loaded), 61)]
    try:
        got = _rows(mapreduce.run_chunks(parsed.pipeline, chunks,
                                         Context(now=NOW, text=parsed.expanded, session=corpus)))
    except SplError as e:
        got = type(e).__name__ + e.message
    assert got == want


def test_reader_maps_pieces_as_it_reads(corpus, loaded, monkeypatch):
    """spl run's path (spl.data.begin with a map job, Reading.finish_mapped) over the corpus
    files, mapped 50 events at a time, gives the single table's rows."""
    from spl import data
    from spl.mapjob import MapJob
    from spl.plan import required_fields, search_terms

    monkeypatch.setattr(data, "MAP_ROWS", 50)
    files = sorted(CLOUDTRAIL.glob("*.ndjson"))
    for search in ("`cloudtrail` | stats count dc(eventName) values(awsRegion) by eventSource",
                   "`cloudtrail` | head 5 | table _time eventName",
                   "`cloudtrail` errorCode=* | dedup eventName | table eventName errorCode",
                   "`cloudtrail` | sort 4 - eventName | table eventName _time",
                   "`cloudtrail` | top 3 eventSource"):
        parsed = corpus.parse(search)
        job = MapJob(parsed.pipeline, "UTC", NOW, parsed.expanded, corpus.lookups)
        reading = data.begin(files, fields=required_fields(parsed.pipeline),
                             terms=search_terms(parsed.pipeline), mapper=job)
        partials, _ = reading.finish_mapped()
        got = mapreduce.reduce_partials(mapreduce.plan(parsed.pipeline), partials,
                                        Context(now=NOW, text=parsed.expanded, session=corpus))
        assert _rows(got) == _rows(_single_table(parsed, corpus, loaded)), search
        assert _rows(corpus.run(parsed, now=NOW)) == _rows(got), search  # the Session's way


def test_explain_shows_the_split(capsys):
    from spl.check import main_explain

    main_explain("search a | eval b=1 | streamstats count | stats count")
    out = capsys.readouterr().out
    assert "execution (map-reduce):" in out
    assert "map     eval: distributable streaming" in out
    assert "reduce  streamstats: centralized streaming; streamstats runs through the events" in out
