"""Gzipped files and Records documents read in pieces (spl.data.stream) give exactly the record
reader's table and problems.

The oracle is spl.data.readers record by record (test_fast_reader.by_records). Pieces are made
as small as a few records (STREAM_PIECE down to one byte: each piece then holds one line or one
record), read here and by the worker processes, loaded whole and mapped (spl run's map side).
"""
from __future__ import annotations

import gzip
import json
import multiprocessing
import os
import threading
import zlib
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spl.data import begin, fast, load, stream
from spl.data.readers import GZIP
from spl.frontend import parse_search
from test_fast_reader import SHARED_FIELDS, by_records, lines, same

REC = '{{"eventVersion":"1.08","eventTime":"2026-03-09T14:{:02d}:{:02d}Z","eventName":"{}",' \
      '"resources":[{{"ARN":"a"}},{{"ARN":"b"}}],"n":{}}}'


def records(n: int, names="ABC") -> list[str]:
    return [REC.format(i // 60 % 60, i % 60, names[i % len(names)], i) for i in range(n)]


def in_workers(monkeypatch) -> None:
    """Worker processes for any load, and every gzipped or Records file streamed to them."""
    monkeypatch.setattr(fast, "PARALLEL_MIN", 0)
    monkeypatch.setattr(fast, "cores", lambda: 2)
    monkeypatch.setattr(stream, "STREAM_MIN", 0)


@settings(max_examples=100, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(lines=st.lists(st.one_of(*[lines()] * 6, st.sampled_from([b"", b" ", b"[]", b"7"])),
                      min_size=1, max_size=12),
       fields=st.none() | st.sets(st.sampled_from(["a", "a.b", "a{}", "b", "eventName", "pad"]),
                                  min_size=1, max_size=3),
       piece=st.sampled_from([1, 60, 300, 1 << 20]), chunk=st.sampled_from([64, 1 << 20]),
       newline=st.sampled_from([b"\n"] * 3 + [b"\r\n"]), bom=st.integers(0, 9),
       cut=st.integers(0, 12))
def test_pieces_give_the_record_readers_table(tmp_path, monkeypatch, lines, fields, piece, chunk,
                                             newline, bom, cut):
    # gzipped NDJSON, and the same records as a Records document and an array (gzipped and
    # not), cut into pieces down to one line or one record each
    monkeypatch.setattr(stream, "STREAM_PIECE", piece)
    monkeypatch.setattr(fast, "CHUNK", chunk)
    data = (b"\xef\xbb\xbf" if bom == 0 else b"") + newline.join(lines) + newline
    objects = [x for x in lines if x.strip()[:1] == b"{"]
    doc = b'{"Records": [' + b",\n ".join(objects) + b"]}"
    array = b"[" + b", ".join(objects) + b"]"
    files = {"a.ndjson.gz": gzip.compress(data), "d.json": doc, "d.json.gz": gzip.compress(doc),
             "e.json.gz": gzip.compress(array)}
    if cut and cut < len(files["a.ndjson.gz"]) - 8:  # a gzip stream cut short: reported
        files["t.ndjson.gz"] = files["a.ndjson.gz"][:-cut]
    for name, content in files.items():
        path = tmp_path / name
        path.write_bytes(content)
        same(load(path, source="s", fields=fields), by_records(path, fields))


def test_lines_of_problems_count_the_lines_of_the_pieces_before(tmp_path, monkeypatch):
    # worked by hand: lines 2 and 5 are not JSON, line 4 has no eventTime, pieces of one line
    monkeypatch.setattr(stream, "STREAM_PIECE", 1)
    text = "\n".join([records(1)[0], "nope", records(2)[1], '{"eventName":"X"}', "{bad",
                      records(3)[2]]) + "\n"
    path = tmp_path / "a.ndjson.gz"
    path.write_bytes(gzip.compress(text.encode()))
    assert len(list(stream.pieces(path, "ndjson"))) == 6
    got = load(path, source="s", fields={"eventName"})
    assert got.table["eventName"].tolist() == ["A", "B", "X", "C"]
    assert [p.line for p in got.problems] == [2, 4, 5]
    assert got.table["_time"].tolist()[2] == got.table["_time"].tolist()[1]  # the previous one's
    same(got, by_records(path, {"eventName"}))


def test_pieces_are_bounded_and_cut_at_lines_and_between_records(tmp_path, monkeypatch):
    monkeypatch.setattr(stream, "STREAM_PIECE", 1000)
    recs = records(300)
    path = tmp_path / "a.ndjson.gz"
    path.write_bytes(gzip.compress("\n".join(recs).encode()))  # no newline at the end
    got = [(base, stream.joined(parts)) for base, parts in stream.pieces(path, "ndjson")]
    longest = max(map(len, recs)) + 1
    assert all(len(p) < 1000 + 2 * longest for _, p in got) and len(got) > 20
    assert b"".join(p for _, p in got) == "\n".join(recs).encode()
    assert [b for b, _ in got] == [sum(len(p) for _, p in got[:i]) for i in range(len(got))]
    doc = tmp_path / "d.json.gz"
    doc.write_bytes(gzip.compress(('{"Records": [' + ", ".join(recs) + "]}").encode()))
    texts = [json.loads(b"[" + stream.joined(p) + b"]") for _, p in stream.pieces(doc, "document")]
    assert all(len(t) <= 1000 // 100 + 2 for t in texts) and len(texts) > 20
    assert [r for t in texts for r in t] == [json.loads(r) for r in recs]


def test_a_cut_inside_a_record_gives_the_file_to_the_record_reader(tmp_path, monkeypatch):
    # a record holding objects that begin as records do: a piece cut there does not decode
    monkeypatch.setattr(stream, "STREAM_PIECE", 1)
    inner = '{"eventVersion":"x"},{"eventVersion":"y"}'
    recs = [r.replace('"n":', f'"nested":[{inner}],"n":') for r in records(3)]
    path = tmp_path / "d.json.gz"
    path.write_bytes(gzip.compress(('{"Records":[' + ",".join(recs) + "]}").encode()))
    assert stream.read_whole(path, fast.Options({"eventName"}, 5000, False)) is None
    got = load(path, source="s", fields={"eventName", "nested{}.eventVersion"})
    assert got.table["nested{}.eventVersion"].tolist() == [["x", "y"]] * 3
    same(got, by_records(path, {"eventName", "nested{}.eventVersion"}))


@pytest.mark.parametrize("tail", ['], "x": 1}', '], "x": []}', "]} {}", "]", '], "Records": []}'])
def test_a_document_with_more_than_its_records_is_read_by_the_record_reader(tmp_path, tail):
    path = tmp_path / "d.json"
    path.write_text('{"Records": [' + ",".join(records(2)) + tail)
    assert stream.read_whole(path, fast.Options({"eventName"}, 5000, False)) is None
    same(load(path, source="s", fields={"eventName"}), by_records(path, {"eventName"}))


@pytest.mark.parametrize("step", [1, 7, 8 << 10])
def test_members_and_zero_padding_are_read_as_gzip_reads_them(tmp_path, monkeypatch, step):
    # inflated a byte at a time, members and padding straddle the steps
    monkeypatch.setattr(stream, "STREAM_PIECE", 100)
    monkeypatch.setattr(stream, "INFLATE_STEP", step)
    text = "\n".join(records(50)).encode() + b"\n"
    path = tmp_path / "a.ndjson.gz"
    path.write_bytes(gzip.compress(text) + b"\0" * 5 + gzip.compress(text) + b"\0\0")
    assert b"".join(stream._text(path)) == gzip.decompress(path.read_bytes()) == text * 2
    got = load(path, source="s", fields={"n"})
    assert got.table["n"].tolist() == [str(i) for i in range(50)] * 2 and not got.problems
    same(got, by_records(path, {"n"}))


@pytest.mark.parametrize("damage", ["cut", "crc", "garbage after"])
def test_gzip_damage_is_reported_naming_the_file(tmp_path, monkeypatch, damage):
    monkeypatch.setattr(stream, "STREAM_PIECE", 100)
    packed = bytearray(gzip.compress(("\n".join(records(40)) + "\n").encode()))
    if damage == "cut":
        packed = packed[:len(packed) // 2]
    elif damage == "crc":
        packed[-6] ^= 1
    else:
        packed += b"not gzip"
    path = tmp_path / "a.ndjson.gz"
    path.write_bytes(bytes(packed))
    with pytest.raises(stream.GiveUp):
        list(stream.pieces(path, "ndjson"))
    got = load(path, source="s", fields={"eventName"})
    assert [(p.file, p.kind) for p in got.problems][-1:] == [(str(path), GZIP)]
    same(got, by_records(path, {"eventName"}))


def test_zlib_and_igzip_inflate_the_same(tmp_path, monkeypatch):
    monkeypatch.setattr(stream, "STREAM_PIECE", 500)
    path = tmp_path / "a.ndjson.gz"
    path.write_bytes(gzip.compress(("\n".join(records(100)) + "\n").encode()))
    with_default = b"".join(stream._text(path))
    monkeypatch.setattr(stream, "_inflater", zlib)
    assert b"".join(stream._text(path)) == with_default == gzip.decompress(path.read_bytes())


def test_the_workers_read_the_pieces_in_file_order(tmp_path, monkeypatch):
    # two large files streamed to the workers (fewer than the cores), pieces of one line, and
    # a small one between
    in_workers(monkeypatch)
    monkeypatch.setattr(fast, "cores", lambda: 3)
    monkeypatch.setattr(stream, "STREAM_PIECE", 1)
    monkeypatch.setattr(stream, "STREAM_AHEAD", 2)
    (tmp_path / "a.ndjson.gz").write_bytes(gzip.compress(
        ("\n".join(records(40)) + "\nnot json\n").encode()))
    (tmp_path / "b.ndjson").write_text(records(1, "Z")[0] + "\n")
    (tmp_path / "c.json.gz").write_bytes(gzip.compress(
        ('{"Records":[' + ",".join(records(30, "DE")) + "]}").encode()))
    reading = begin([tmp_path], fields={"eventName", "n"})
    assert [type(j).__name__ for j in reading.jobs] == ["Stream", "list", "Stream"]
    got = reading.finish(source="s")
    assert got.table["eventName"].tolist() == list("ABC" * 14)[:40] + ["Z"] + list("DE" * 15)
    assert [(Path(p.file).name, p.line) for p in got.problems] == [("a.ndjson.gz", 41)]
    assert multiprocessing.active_children() == []
    monkeypatch.setattr(stream, "stream_form", lambda path: None)
    alone = load([tmp_path], source="s", fields={"eventName", "n"})
    pd.testing.assert_frame_equal(got.table, alone.table)
    folders = [s.folder for s in reading._streams()]
    assert all(folders) and not any(map(os.path.exists, folders))  # the pieces' files removed


def test_pieces_go_through_the_pipe_without_shared_memory(tmp_path, monkeypatch):
    in_workers(monkeypatch)
    monkeypatch.setattr(stream, "STREAM_PIECE", 200)

    def no_folder(**kw):
        raise OSError("no room")

    monkeypatch.setattr(stream.tempfile, "mkdtemp", no_folder)
    path = tmp_path / "a.ndjson.gz"
    path.write_bytes(gzip.compress(("\n".join(records(30)) + "\n{x\n").encode()))
    reading = begin([path], fields={"n"})
    got = reading.finish(source="s")
    assert [s.folder for s in reading._streams()] == [""]
    assert got.table["n"].tolist() == [str(i) for i in range(30)]
    assert [p.line for p in got.problems] == [31]
    same(got, by_records(path, {"n"}))


def test_cancel_stops_the_feeding_and_removes_the_pieces(tmp_path, monkeypatch):
    in_workers(monkeypatch)
    monkeypatch.setattr(stream, "STREAM_PIECE", 100)
    path = tmp_path / "a.ndjson.gz"
    path.write_bytes(gzip.compress(("\n".join(records(3000)) + "\n").encode()))
    reading = begin([path], fields={"n"})
    [fed] = reading._streams()
    reading.cancel()
    for thread in threading.enumerate():
        if thread.name == "spl-inflate":
            thread.join(5)
            assert not thread.is_alive()
    assert fed.stopped.is_set() and (not fed.folder or not os.path.exists(fed.folder))
    assert multiprocessing.active_children() == []


def test_a_file_the_pieces_cannot_read_is_read_again_by_the_record_reader(tmp_path, monkeypatch):
    # a line holding records (a Records document on line 30) after pieces read by the workers
    in_workers(monkeypatch)
    monkeypatch.setattr(stream, "STREAM_PIECE", 1)
    recs = records(40)
    recs[29] = '{"Records":[' + recs[29] + "]}"
    path = tmp_path / "a.ndjson.gz"
    path.write_bytes(gzip.compress(("\n".join(recs) + "\n").encode()))
    got = load(path, source="s", fields={"n"})
    assert got.table["n"].tolist() == [str(i) for i in range(40)]
    same(got, by_records(path, {"n"}))


@pytest.mark.parametrize("search", ["`cloudtrail` | stats count by eventName",
                                    "`cloudtrail` eventName=B | head 3 | table n _time"])
def test_spl_run_maps_the_pieces_as_the_workers_read_them(tmp_path, monkeypatch, capsys, search):
    # spl run's map side over a gzipped file streamed to the workers, 7 events at a time,
    # against the same search over the plain file; a bad line is reported with its line
    import spl.cli
    from spl import data

    in_workers(monkeypatch)
    monkeypatch.setattr(stream, "STREAM_PIECE", 300)
    monkeypatch.setattr(data, "MAP_ROWS", 7)
    text = ("\n".join(records(60)[:33] + ["{broken"] + records(60)[33:]) + "\n").encode()
    (tmp_path / "a.ndjson").write_bytes(text)
    (tmp_path / "a.ndjson.gz").write_bytes(gzip.compress(text))
    outs = []
    for name in ("a.ndjson", "a.ndjson.gz"):
        code = spl.cli.main(["run", search, "--data", str(tmp_path / name), "--format", "json"])
        out, err = capsys.readouterr()
        told = [json.loads(line) for line in err.splitlines()[1:]]
        assert code == 0 and [(Path(p["file"]).name, p["line"]) for p in told] == [(name, 34)]
        outs.append(json.loads(out))
    assert outs[0] == outs[1] and outs[0]
    assert multiprocessing.active_children() == []


def test_shared_corpus_reads_the_same_gzipped_in_pieces(shared, tmp_path, monkeypatch):
    # real logs of every kind: gzipped NDJSON and a gzipped array of the same records, in pieces
    # of a few records, against the record reader
    monkeypatch.setattr(stream, "STREAM_PIECE", 3000)
    files = sorted((shared / "corpus").glob("*/*.ndjson"))
    if not files:
        pytest.skip("no NDJSON in the shared corpus")
    for path in files:
        data = path.read_bytes()
        fields = SHARED_FIELDS if path.parent.name == "cloudtrail" else None
        packed = tmp_path / f"{path.parent.name}.ndjson.gz"
        packed.write_bytes(gzip.compress(data))
        objects = [line for line in data.split(b"\n") if line.strip()]
        doc = tmp_path / f"{path.parent.name}.json.gz"
        doc.write_bytes(gzip.compress(b"[" + b",".join(objects) + b"]"))
        for p in (packed, doc):
            same(load(p, source="s", fields=fields), by_records(p, fields))


def test_records_without_a_time_across_mapped_pieces_of_a_plain_file(tmp_path, monkeypatch):
    # the same rule over a plain file's ranges, each its own batch (one event a batch): line 1
    # takes the file's modification time and says so, lines 2 to 5 the previous event's (the
    # modification time too) and say that; the map side told line 3 it took the modification
    # time, as it does the first
    from spl import data
    from spl.mapjob import for_search

    in_workers(monkeypatch)
    monkeypatch.setattr(data, "MAP_ROWS", 1)
    monkeypatch.setattr(data, "MAP_BYTES", 1)
    recs = [r.replace('"eventTime"', '"when"') if i < 5 else r for i, r in enumerate(records(7))]
    path = tmp_path / "a.ndjson"
    path.write_text("\n".join(recs) + "\n")
    parsed = parse_search("search * | stats count", [])
    reading = begin([path], fields={"_time"}, mapper=for_search(
        parsed.pipeline, tz="UTC", now=0, text=parsed.expanded, lookups=None, strict=False))
    try:
        _, problems = reading.finish_mapped()
    finally:
        reading.cancel()
    mtime = "the file's modification time"
    previous = "that of the previous event of the file"
    assert [(p.line, p.reason) for p in problems] == [
        (1, f"no eventTime; _time is {mtime}")] + [
        (n, f"no eventTime; _time is {previous}") for n in (2, 3, 4, 5)]


def test_records_without_a_time_across_mapped_batches(tmp_path, monkeypatch, capsys):
    # the first five records have no eventTime: the first takes the file's modification time and
    # says so, each later one the previous event's, batch after batch (three events a batch)
    import spl.cli
    from spl import data

    in_workers(monkeypatch)
    monkeypatch.setattr(stream, "STREAM_PIECE", 1)
    monkeypatch.setattr(data, "MAP_ROWS", 3)
    recs = [r.replace('"eventTime"', '"when"') if i < 5 else r for i, r in enumerate(records(9))]
    path = tmp_path / "a.ndjson.gz"
    path.write_bytes(gzip.compress(("\n".join(recs) + "\n").encode()))
    code = spl.cli.main(["run", "`cloudtrail` | stats count", "--data", str(path),
                         "--format", "json"])
    out, err = capsys.readouterr()
    told = [(p["line"], p["reason"]) for p in map(json.loads, err.splitlines()[1:])]
    want = by_records(path, {"n"}).problems
    assert code == 0 and [int(r["count"]) for r in json.loads(out)] == [9]
    assert told == [(p.line, p.reason) for p in want] and len(told) == 5
    assert "modification time" in told[0][1] and "previous event" in told[4][1]
