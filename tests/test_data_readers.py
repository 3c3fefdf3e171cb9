"""Readers: layouts told apart by content, gzip, directories, and every bad input reported."""
import gzip
import json

import pytest

from spl.data.readers import DataProblem, Record, expand_paths, read_file
from spl.errors import DataError

REC = [
    {"eventTime": "2024-05-01T10:00:00Z", "eventName": "A", "n": 1},
    {"eventTime": "2024-05-01T10:00:01.250Z", "eventName": "B", "ok": True},
    {"eventTime": "2024-05-01T10:00:02Z", "eventName": "C", "list": ["x", "y"]},
]
LINES = [json.dumps(r) for r in REC]


def records(path):
    return [x for x in read_file(path) if isinstance(x, Record)]


def problems(path):
    return [x for x in read_file(path) if isinstance(x, DataProblem)]


def test_ndjson_raw_is_the_line_exactly(tmp_path):
    p = tmp_path / "a.log"
    p.write_text("\n".join(LINES) + "\n")
    got = records(p)
    assert [r.raw for r in got] == LINES
    assert [r.line for r in got] == [1, 2, 3]
    assert got[0].value["eventName"] == "A"


def test_records_document_gives_same_raw_and_lines(tmp_path):
    p = tmp_path / "b.json"
    p.write_text('{"Records": [\n' + ",\n".join(LINES) + "\n]}\n")
    got = records(p)
    assert [r.raw for r in got] == LINES
    assert [r.line for r in got] == [2, 3, 4]
    assert problems(p) == []


def test_records_key_not_first_and_other_keys_ignored(tmp_path):
    # keys after Records are skipped whatever their value
    p = tmp_path / "c.json"
    p.write_text('{"Records": [' + LINES[0] + '], "x": {"y": [1, 2]}}')
    assert [r.raw for r in records(p)] == [LINES[0]]


def test_top_level_array(tmp_path):
    p = tmp_path / "d.json"
    p.write_text("[" + ",".join(LINES) + "]")
    assert [r.raw for r in records(p)] == LINES


def test_gzip_detected_by_magic_not_name(tmp_path):
    p = tmp_path / "plain.txt"  # gzipped despite its name
    p.write_bytes(gzip.compress(("\n".join(LINES)).encode()))
    assert [r.raw for r in records(p)] == LINES
    q = tmp_path / "records.txt"
    q.write_bytes(gzip.compress(('{"Records":[' + ",".join(LINES) + "]}").encode()))
    assert [r.raw for r in records(q)] == LINES


def test_directory_recursive_sorted(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "2.json").write_text(LINES[1])
    (tmp_path / "a.json").write_text(LINES[0])
    (tmp_path / "b" / "1.json").write_text(LINES[2])
    files = expand_paths([tmp_path])
    assert [f.relative_to(tmp_path).as_posix() for f in files] == ["a.json", "b/1.json",
                                                                    "b/2.json"]


def test_missing_path_is_data_error(tmp_path):
    with pytest.raises(DataError) as e:
        expand_paths([tmp_path / "nope"])
    assert e.value.file == str(tmp_path / "nope")


def test_bad_json_line_reported_and_rest_read(tmp_path):
    p = tmp_path / "bad.json"
    p.write_text(LINES[0] + "\n{not json\n" + LINES[1] + "\n")
    assert [r.line for r in records(p)] == [1, 3]
    [prob] = problems(p)
    assert (prob.file, prob.line) == (str(p), 2)
    assert "not JSON" in prob.reason
    assert prob.render().startswith(f"{p}:2: ")


def test_non_object_line_reported(tmp_path):
    p = tmp_path / "arr.json"
    p.write_text(LINES[0] + '\n"just a string"\n')
    [prob] = problems(p)
    assert prob.line == 2 and "not an object" in prob.reason


def test_non_utf8_byte_reported_record_kept(tmp_path):
    p = tmp_path / "latin.json"
    p.write_bytes(LINES[0].encode() + b'\n{"eventTime": "2024-05-01T10:00:00Z", "u": "caf\xe9"}\n')
    recs = records(p)
    assert recs[1].value["u"] == "caf\ufffd"
    [prob] = problems(p)
    assert prob.line == 2 and "0xe9" in prob.reason


def test_non_utf8_in_records_document(tmp_path):
    p = tmp_path / "doc.json"
    p.write_bytes(b'{"Records": [\n' + LINES[0].encode() + b',\n{"eventTime": "x", "u": "\xff"}\n]}')
    assert len(records(p)) == 2
    [prob] = problems(p)
    assert prob.line == 3 and "0xff" in prob.reason


def test_broken_records_document_reports_line(tmp_path):
    p = tmp_path / "broken.json"
    p.write_text('{"Records": [\n' + LINES[0] + ',\n{"eventTime": oops}\n]}')
    assert len(records(p)) == 1
    [prob] = problems(p)
    assert prob.line == 3


def test_not_json_file_is_one_problem(tmp_path):
    p = tmp_path / "notes.tsv"
    p.write_text("a\tb\n1\t2\n")
    assert records(p) == []
    [prob] = problems(p)
    assert prob.line == 1 and "skipped" in prob.reason


def test_numbers_keep_their_json_text(tmp_path):
    from spl.data import load
    p = tmp_path / "n.json"
    p.write_text('{"eventTime": "2024-05-01T10:00:00Z", "a": 1.50, "b": 1e3, "d": 7, '
                 '"c": 12345678901234567890123}\n')
    t = load([p], fields={"a", "b", "c", "d"}).table
    assert (t["a"][0], t["b"][0], t["c"][0], t["d"][0]) == ("1.50", "1e3",
                                                            "12345678901234567890123", "7")
    q = tmp_path / "n2.json"
    q.write_text('{"Records": [{"eventTime": "2024-05-01T10:00:00Z", "a": 1.50}]}')
    assert load([q], fields={"a"}).table["a"][0] == "1.50"


def test_crlf_and_blank_lines(tmp_path):
    p = tmp_path / "crlf.json"
    p.write_bytes((LINES[0] + "\r\n\r\n" + LINES[1] + "\r\n").encode())
    assert [r.raw for r in records(p)] == [LINES[0], LINES[1]]
    assert problems(p) == []


def test_large_files_across_chunk_edges(tmp_path):
    # > 2 MB so records and multi-byte characters straddle the 1 MB read chunks
    recs = [json.dumps({"eventTime": "2024-05-01T10:00:00Z", "i": i, "pad": "é€𝄞" * (i % 50),
                        "x": "y" * 300}, ensure_ascii=False) for i in range(6000)]
    nd = tmp_path / "big.ndjson"
    nd.write_text("\n".join(recs) + "\n", encoding="utf-8")
    doc = tmp_path / "big.json.gz"
    doc.write_bytes(gzip.compress(('{"Records": [\n' + ",\n".join(recs) + "\n]}").encode()))
    assert nd.stat().st_size > 2_000_000
    for path, first_line in ((nd, 1), (doc, 2)):
        assert problems(path) == []
        got = records(path)
        assert [r.raw for r in got] == recs
        assert [r.line for r in got] == list(range(first_line, first_line + len(recs)))


def test_corrupt_gzip_reported(tmp_path):
    p = tmp_path / "bad.gz"
    p.write_bytes(b"\x1f\x8b" + b"\x00" * 40)
    [prob] = problems(p)
    assert prob.file == str(p) and "gzip" in prob.reason
