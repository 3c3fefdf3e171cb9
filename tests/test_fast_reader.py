"""The fast NDJSON reader's column-by-column decoding gives exactly the record reader's table.

spl.data.fast decodes a chunk's records with a decoder that builds only the wanted top-level keys;
the oracle is the same bytes gzipped, which spl.data.readers parses record by record and
spl.data.extract flattens (the KV_MODE=json rules pinned in test_data_extract.py). Records mix
the shapes extraction must get right: nested objects and arrays, floats written in several ways
(their JSON text is the value), integers beyond 64 bits, null, booleans, dotted and ``{}`` keys
that collide with nested paths, duplicate keys, escapes and non-ASCII text, bad UTF-8.
"""
from __future__ import annotations

import gzip
import json
import subprocess
import sys
import threading

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spl.data import begin, fast, load, stream
from spl.data.extract import parse_event_time

KEYS = ["a", "b", "a.b", "a{}", "é", "eventName"]
NUMBERS = ["0", "-0", "7", "1.50", "1e5", "-2.5E-3", "123456789012345678901234567890"]
STRINGS = ["x", "caf\u00e9", "tab\tquote\"", "\\/slash", "\U0001F600", ""]
FIELDS = ["a", "a.b", "a.b{}", "a{}", "a{}.b", "a.b.c", "b", "c", "é", "eventName", "a.a.b",
          "eventTime", "pad"]


class Num(str):
    """A number's JSON text, written as is."""


def dump(v) -> str:
    if isinstance(v, Num):
        return v
    if isinstance(v, Obj):
        return "{" + ",".join(f"{json.dumps(k, ensure_ascii=False)}:{dump(x)}" for k, x in v) + "}"
    if isinstance(v, list):
        return "[" + ",".join(map(dump, v)) + "]"
    return json.dumps(v, ensure_ascii=False)


class Obj(list):
    """An object as (key, value) pairs, so keys may repeat."""


scalars = st.one_of(st.none(), st.booleans(), st.sampled_from(NUMBERS).map(Num),
                    st.sampled_from(STRINGS))
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.lists(st.tuples(st.sampled_from(KEYS), inner), max_size=3).map(Obj)),
    max_leaves=8)


@st.composite
def lines(draw) -> bytes:
    pairs = draw(st.lists(st.tuples(st.sampled_from(KEYS), values), max_size=5))
    if draw(st.booleans()):  # keys whose paths collide: a.b and a{} are also paths under a
        pairs += draw(st.permutations([("a", Obj([("b", draw(scalars))])), ("a.b", draw(scalars)),
                                       ("a{}", draw(scalars)), ("a", [draw(scalars)])]))[:2]
    # a record without a valid time sends its whole chunk down the record-by-record path
    stamp = draw(st.sampled_from(["2026-03-09T14:00:05Z"] * 12 + [
        "2026-03-09 14:00:07.5", None, Num("5"), Obj([("t", "x")]), "2026-03-09T14:00:05Z\0"]))
    for _ in range(draw(st.sampled_from([1] * 8 + [2]))):  # sometimes twice: the last counts
        if stamp is not None:
            pairs.insert(draw(st.integers(0, len(pairs))), ("eventTime", stamp))
    if draw(st.integers(0, 15)) == 0:  # beyond the 5000-byte extraction cutoff
        pairs.insert(draw(st.integers(0, len(pairs))), ("pad", "x" * 5100))
    line = dump(Obj(pairs)).encode("utf-8")
    if draw(st.integers(0, 30)) == 0:
        line = line.replace(b"\xc3\xa9", b"\xff", 1)  # bad UTF-8 where there was an é
    return line


def by_records(path, fields):
    """The oracle: spl.data.readers record by record (spl.data.stream, the fast reader of
    gzipped and Records files, turned off)."""
    with pytest.MonkeyPatch.context() as m:
        m.setattr(stream, "stream_form", lambda path: None)
        return load(path, source="s", fields=fields)


def same(a, b):
    pd.testing.assert_frame_equal(a.table, b.table)
    assert [(p.line, p.reason) for p in a.problems] == [(p.line, p.reason) for p in b.problems]


def tables(tmp_path, data: bytes, fields):
    """The fast reader's load of ``data`` as plain NDJSON, and the oracle's of it gzipped; the
    fast reader's of it gzipped must equal the oracle's too."""
    plain = tmp_path / "a.ndjson"
    plain.write_bytes(data)
    packed = tmp_path / "a.ndjson.gz"
    packed.write_bytes(gzip.compress(data))
    a = load(plain, source="s", fields=fields)
    b = by_records(packed, fields)
    same(load(packed, source="s", fields=fields), b)
    return a, b


# 150 examples: each loads the same bytes four ways (about 0.2 s); 300 took a fifth of CI's time
@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(records=st.lists(st.one_of(*[lines()] * 6, st.sampled_from([b"", b" "])), min_size=1,
                       max_size=12),
       fields=st.none() | st.sets(st.sampled_from(FIELDS), min_size=1, max_size=4),
       chunk=st.sampled_from([64, 1 << 20]), piece=st.sampled_from([100, 1 << 20]),
       newline=st.sampled_from([b"\n"] * 4 + [b"\r\n"]), bom=st.integers(0, 9))
def test_columnar_decoding_equals_the_record_reader(tmp_path, monkeypatch, records, fields,
                                                    chunk, piece, newline, bom):
    monkeypatch.setattr(fast, "CHUNK", chunk)
    monkeypatch.setattr(fast, "PIECE", piece)
    data = (b"\xef\xbb\xbf" if bom == 0 else b"") + newline.join(records) + newline
    a, b = tables(tmp_path, data, fields)
    same(a, b)
    # the same records as a Records document, gzipped or not: fast reader against the oracle
    doc = b'{"Records": [' + b",\n ".join(r for r in records if r.strip()) + b"]}"
    for name, content in (("d.json", doc), ("d.json.gz", gzip.compress(doc))):
        path = tmp_path / name
        path.write_bytes(content)
        same(load(path, source="s", fields=fields), by_records(path, fields))


def test_nested_floats_and_big_integers_keep_their_text(tmp_path):
    # worked by hand from the KV_MODE=json rules: numbers as their JSON text, arrays multivalue
    data = (b'{"eventTime":"2026-03-09T14:00:05Z","a":{"b":[1.50,1e5]},"c":123456789012345678901}\n'
            b'{"eventTime":"2026-03-09T14:00:06Z","a":{"b":null},"c":-2.5E-3}\n')
    a, b = tables(tmp_path, data, {"a.b{}", "a.b", "c"})
    assert a.table["a.b{}"].tolist() == [["1.50", "1e5"], None]
    assert a.table["a.b"].tolist() == [None, "null"]
    assert a.table["c"].tolist() == ["123456789012345678901", "-2.5E-3"]
    pd.testing.assert_frame_equal(a.table, b.table)


def test_negative_zero_keeps_its_text(tmp_path):
    # numbers are extracted as written; parsers read -0 as the integer 0, whose text is "0"
    data = (b'{"eventTime":"2026-03-09T14:00:05Z","a":-0,"b":1.5}\n'
            b'{"eventTime":"2026-03-09T14:00:06Z","a":-0}\n'
            b'{"eventTime":"2026-03-09T14:00:07Z","a":0,"c":{"d":[-0,0]}}\n')
    a, b = tables(tmp_path, data, {"a", "b", "c.d{}"})
    assert a.table["a"].tolist() == ["-0", "-0", "0"]
    assert a.table["c.d{}"].tolist() == [None, None, ["-0", "0"]]
    pd.testing.assert_frame_equal(a.table, b.table)


def test_a_dotted_key_and_a_nested_path_merge_in_record_order(tmp_path):
    # flatten names both by the path a.b, so the field is multivalue, values in record order
    data = (b'{"eventTime":"2026-03-09T14:00:05Z","a.b":"dotted","a":{"b":"nested"}}\n'
            b'{"eventTime":"2026-03-09T14:00:06Z","a":{"b":"nested"},"a.b":"dotted"}\n')
    a, b = tables(tmp_path, data, {"a.b"})
    assert a.table["a.b"].tolist() == [["dotted", "nested"], ["nested", "dotted"]]
    pd.testing.assert_frame_equal(a.table, b.table)


def test_bad_utf8_in_a_field_nobody_reads_is_still_reported(tmp_path):
    data = (b'{"eventTime":"2026-03-09T14:00:05Z","eventName":"A","junk":"\xff"}\n'
            b'{"eventTime":"2026-03-09T14:00:06Z","eventName":"B"}\n')
    a, b = tables(tmp_path, data, {"eventName"})
    assert a.table["eventName"].tolist() == ["A", "B"]
    assert [p.line for p in a.problems] == [1] == [p.line for p in b.problems]


@settings(max_examples=300, deadline=None)
@given(stamps=st.lists(st.one_of(
    st.builds("{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}Z".format,
              st.sampled_from([0, 1, 4, 100, 400, 1600, 1900, 1969, 1970, 2000, 2024, 9999])
              | st.integers(0, 9999), st.integers(0, 13), st.integers(0, 32),
              st.integers(0, 25), st.integers(0, 61), st.integers(0, 62)),
    st.sampled_from(["2026-03-09T14:00:05.5Z", "2026-03-09 14:00:05", "x", "",
                     "2026-03-09T14:00:05Z\0", "2026-03-09T14:00:05\0",
                     "2026-03-09T14:00:05Zabc", "\uff12\uff10\uff12\uff16-03-09T14:00:05Z"]),
    st.none(), st.integers(), st.lists(st.just("2026-03-09T14:00:05Z"), max_size=2)),
    max_size=20))
def test_event_times_in_bulk_equal_parse_event_time(stamps):
    # the oracle is spl.data.extract.parse_event_time, one stamp at a time
    want = [parse_event_time(s) for s in stamps]
    assert fast._event_times(stamps) == (None if None in want else want)


def test_planning_and_starting_a_read_need_no_pandas(tmp_path):
    # spl run forks its readers before importing pandas, so that they read while it loads
    data = tmp_path / "a.ndjson"
    data.write_text('{"eventTime":"2026-03-09T14:00:05Z","eventName":"A"}\n')
    code = (
        "import sys\n"
        "from spl import data\n"
        "from spl.frontend import parse_search\n"
        "from spl.plan import required_fields, search_terms\n"
        "p = parse_search('`cloudtrail` eventName=A | stats count by user').pipeline\n"
        f"r = data.begin([{str(data)!r}], fields=required_fields(p), terms=search_terms(p))\n"
        "assert 'pandas' not in sys.modules, 'pandas imported before reading starts'\n"
        "assert r.finish().table['eventName'].tolist() == ['A']\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_cancel_stops_the_worker_processes(tmp_path, monkeypatch):
    monkeypatch.setattr(fast, "PARALLEL_MIN", 0)
    monkeypatch.setattr(fast, "cores", lambda: 2)
    data = tmp_path / "a.ndjson"
    data.write_text('{"eventTime":"2026-03-09T14:00:05Z","eventName":"A"}\n' * 2000)
    reading = begin([data], fields={"eventName"})
    workers = list(reading.workers.pool._processes.values())
    assert len(workers) == 2
    reading.cancel()
    assert reading.workers.pool is None
    for proc in workers:
        proc.join(5)
        assert not proc.is_alive()


def test_a_worker_asked_to_stop_gives_up_between_chunks(tmp_path, monkeypatch):
    data = tmp_path / "a.ndjson"
    data.write_text('{"eventTime":"2026-03-09T14:00:05Z","eventName":"A"}\n' * 200)
    stop = threading.Event()
    monkeypatch.setattr(fast, "_STOP", stop)
    monkeypatch.setattr(fast, "CHUNK", 1000)
    opts = fast.Options({"eventName"}, 5000, False)
    assert len(fast.read_range(str(data), 0, data.stat().st_size, opts)) > 1
    stop.set()
    with pytest.raises(fast.Stopped):
        fast.read_range(str(data), 0, data.stat().st_size, opts)


def test_files_of_a_directory_are_read_by_the_workers_in_file_order(tmp_path, monkeypatch):
    # small NDJSON, gzipped NDJSON and a Records document, each a job of the worker processes;
    # the oracle is the same load in this process alone
    monkeypatch.setattr(fast, "PARALLEL_MIN", 0)
    monkeypatch.setattr(fast, "cores", lambda: 2)
    line = '{{"eventTime":"2026-03-09T14:00:0{}Z","eventName":"{}"}}'
    (tmp_path / "a.ndjson").write_text(line.format(1, "A") + "\nnot json\n")
    (tmp_path / "b.json.gz").write_bytes(gzip.compress((line.format(2, "B") + "\n{").encode()))
    (tmp_path / "c.json").write_text('{"Records": [' + line.format(3, "C") + "]}")
    parallel = load([tmp_path], source="s", fields={"eventName"}, terms=None)
    monkeypatch.setattr(fast, "cores", lambda: 1)
    alone = load([tmp_path], source="s", fields={"eventName"})
    pd.testing.assert_frame_equal(parallel.table, alone.table)
    assert parallel.table["eventName"].tolist() == ["A", "B", "C"]
    assert [(p.file, p.line) for p in parallel.problems] == [
        (str(tmp_path / "a.ndjson"), 2), (str(tmp_path / "b.json.gz"), 2)]
    assert [p.reason for p in parallel.problems] == [p.reason for p in alone.problems]


@pytest.mark.parametrize("doc, problems", [
    ('{"Records": [A, B]}', 0),
    ('[A, B]', 0),
    ('{"Records": [A, , B]}', 0),               # a stray comma, which the record reader passes
    ('{"Records": [A], "Records": [B]}', 0),    # two Records arrays: both are read
    ('{"Records": [A, 7, B]}', 1),              # an element that is no object: reported
    ('{"Records": [A, B]} trailing', 1),        # text after the document: reported
    ('{"Records": [A], "Rec\\u006frds": [B]}', 0),  # the second Records key, escaped
])
def test_records_documents_give_their_records_however_they_are_read(tmp_path, doc, problems):
    rec = '{"eventTime":"2026-03-09T14:00:0%d.5Z","eventName":"%s","n":%s}'
    text = doc.replace("A", rec % (1, "A", "1.50")).replace("B", rec % (2, "B", "12"))
    for name, content in (("d.json", text.encode()), ("d.json.gz", gzip.compress(text.encode()))):
        path = tmp_path / name
        path.write_bytes(content)
        got = load(path, source="s", fields={"eventName", "n"})
        assert got.table["eventName"].tolist() == ["A", "B"]
        assert got.table["n"].tolist() == ["1.50", "12"]
        assert got.table["_time"].tolist() == [1773064801.5, 1773064802.5]
        assert len(got.problems) == problems
        same(got, by_records(path, {"eventName", "n"}))


def test_spl_run_with_worker_processes_and_its_error_path(tmp_path, monkeypatch, capsys):
    # the CLI forks the readers before it checks the search: an unsupported command stops them
    import multiprocessing

    import spl.cli

    monkeypatch.setattr(fast, "PARALLEL_MIN", 0)
    monkeypatch.setattr(fast, "cores", lambda: 2)
    data = tmp_path / "a.ndjson"
    data.write_text("".join(f'{{"eventTime":"2026-03-09T14:00:0{i}Z","eventName":"{n}"}}\n'
                            for i, n in enumerate("ABA")))
    code = spl.cli.main(["run", "eventName=A | stats count", "--data", str(data),
                         "--format", "csv"])
    assert (code, capsys.readouterr().out.split()) == (0, ["count", "2"])
    code = spl.cli.main(["run", "eventName=A | nosuchcommand", "--data", str(data)])
    assert code == 1 and "unknown command 'nosuchcommand'" in capsys.readouterr().err
    assert multiprocessing.active_children() == []


SHARED_FIELDS = {"user", "src", "dest", "signature", "user_type", "userIdentity.arn",
                 "userIdentity.sessionContext.sessionIssuer.userName", "resources{}.ARN",
                 "requestParameters.bucketName", "requestParameters.policyDocument", "errorCode",
                 "userAgent", "eventTime", "responseElements.ConsoleLogin",
                 "additionalEventData.MFAUsed", "additionalEventData.bytesTransferredOut"}


def test_shared_corpus_reads_the_same_every_way(shared, tmp_path):
    # real CloudTrail: the fast reader of NDJSON, of gzipped NDJSON and of a gzipped Records
    # document each give the record reader's table
    files = sorted((shared / "corpus" / "cloudtrail").glob("*.ndjson"))
    if not files:
        pytest.skip("no NDJSON in the shared corpus")
    for path in files:
        data = path.read_bytes()
        for fields in (SHARED_FIELDS, None):  # None: every field, as the REPL loads
            a, b = tables(tmp_path, data, fields)
            same(a, b)
        records = [line for line in data.split(b"\n") if line.strip()]
        doc = tmp_path / "d.json.gz"
        doc.write_bytes(gzip.compress(b'{"Records":[' + b",".join(records) + b"]}"))
        same(load(doc, source="s", fields=SHARED_FIELDS), by_records(doc, SHARED_FIELDS))


def test_a_base_field_the_search_does_not_name_is_not_loaded(tmp_path):
    # with the fields known (spl.plan), only those, _time and _raw (when read) are columns
    data = tmp_path / "a.ndjson"
    data.write_text('{"eventTime":"2026-03-09T14:00:05Z","eventName":"A"}\n')
    assert list(load(data, fields={"eventName"}).table.columns) == ["_time", "eventName"]
    assert list(load(data, fields={"eventName", "host", "_raw"}).table.columns) == [
        "_time", "_raw", "host", "eventName"]
    assert list(load(data).table.columns)[:6] == ["_time", "_raw", "sourcetype", "source",
                                                  "host", "index"]


def test_a_document_with_bad_utf8_around_its_records_is_reported(tmp_path):
    rec = b'{"eventTime":"2026-03-09T14:00:01Z","eventName":"A"}'
    path = tmp_path / "d.json"
    path.write_bytes(b'{"Records": [' + rec + b'], "x": "\xff"}')
    got = load(path, source="s", fields={"eventName"})
    assert got.table["eventName"].tolist() == ["A"]
    assert "byte 0xff is not UTF-8" in got.problems[0].reason  # as the record reader says it
    same(got, by_records(path, {"eventName"}))
