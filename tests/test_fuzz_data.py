"""Fuzzing the data intake (issue 12): random bytes, truncations and mutations of real CloudTrail
records, as NDJSON, gzipped NDJSON and gzip cut short. Whatever the bytes, a load that is not
strict raises nothing, reports what it could not read, and still reads every record left intact:
its line comes back as an event whose ``_raw`` is that line, exactly.

The records are the bundled example's (always there) and, when ../shared is beside the clone, the
shared corpus's real CloudTrail. Both the fast reader (every field, and a few fields with the
pre-filter's terms) and the record reader (gzip) are exercised.
"""
from __future__ import annotations

import gzip
import zlib
from collections import Counter
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spl.data import load
from spl.errors import DataError
from spl.frontend import parse_search
from spl.plan import search_terms

REPO = Path(__file__).resolve().parents[1]
SHARED_CT = REPO.parent / "shared" / "corpus" / "cloudtrail"


def _records() -> list[bytes]:
    files = [REPO / "spl" / "examples" / "bedrock_cloudtrail.json"]
    if SHARED_CT.is_dir():
        files += sorted(SHARED_CT.glob("*.ndjson"))
    out = []
    for f in files:
        out += [line for line in f.read_bytes().splitlines() if line.strip()]
    return out


RECORDS = _records()

mutation = st.one_of(
    st.tuples(st.just("keep"), st.just(0), st.just(b"")),
    st.tuples(st.just("keep"), st.just(0), st.just(b"")),
    st.tuples(st.just("truncate"), st.integers(0, 4000), st.just(b"")),
    st.tuples(st.just("insert"), st.integers(0, 4000), st.binary(min_size=1, max_size=8)),
    st.tuples(st.just("flip"), st.integers(0, 4000), st.binary(min_size=1, max_size=1)),
    st.tuples(st.just("replace"), st.just(0), st.binary(max_size=200)),
    st.tuples(st.just("deep"), st.integers(1, 3000), st.just(b"")),
)


def _mutate(line: bytes, how) -> bytes:
    kind, at, data = how
    at = at % (len(line) + 1)
    if kind == "truncate":
        return line[:at]
    if kind == "insert":
        return line[:at] + data + line[at:]
    if kind == "flip":
        return line[:at] + data + line[at + 1:]
    if kind == "replace":
        return data
    if kind == "deep":  # the record nested inside thousands of arrays
        return b"[" * at + line + b"]" * at
    return line


def _good(lines: list[bytes], kept: list[bool]) -> Counter:
    """The intact records' lines, as the text their events' ``_raw`` must be."""
    return Counter(line.decode("utf-8") for line, k in zip(lines, kept) if k)


def _raws(result) -> Counter:
    return Counter(result.table["_raw"].tolist()) if "_raw" in result.table else Counter()


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(picks=st.lists(st.tuples(st.integers(0, len(RECORDS) - 1), mutation), min_size=1,
                      max_size=12),
       noise=st.lists(st.binary(max_size=64), max_size=3))
def test_mutated_ndjson_keeps_every_intact_record(tmp_path, picks, noise):
    lines, kept = [], []
    for index, how in picks:
        line = _mutate(RECORDS[index], how)
        lines.append(line.replace(b"\n", b" ").replace(b"\r", b" "))
        kept.append(how[0] == "keep")
    for blob in noise:  # lines of random bytes between the records
        lines.append(blob.replace(b"\n", b" ").replace(b"\r", b" "))
        kept.append(False)
    data = b"\n".join(lines) + b"\n"
    path = tmp_path / "mutated.json"
    path.write_bytes(data)
    good = _good(lines, kept)

    every = load(path)  # never raises: a bad line is a problem, not the end of the load
    assert not good - _raws(every)
    assert len(every.table) <= len(lines)
    # a line that is neither blank nor an intact record is an event or a problem, never nothing
    broken = [line for line, k in zip(lines, kept) if not k and line.strip(b" \t")]
    assert len(every.table) + len(every.problems) >= len(good) + min(len(broken), 1)

    # a few fields and the pre-filter's terms: the intact records that hold the term still come
    terms = search_terms(parse_search("eventSource=*amazonaws.com | table _raw").pipeline)
    few = load(path, fields={"eventSource", "eventName", "_raw"}, terms=terms)
    expected = Counter({raw: n for raw, n in good.items() if "amazonaws.com" in raw})
    assert not expected - _raws(few)

    # gzipped: the record reader's path gives the same intact records
    packed = tmp_path / "mutated.json.gz"
    packed.write_bytes(gzip.compress(data))
    assert not good - _raws(load(packed))


@settings(max_examples=100, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(count=st.integers(1, 20), start=st.integers(0, len(RECORDS) - 1),
       cut=st.floats(0.0, 1.0))
def test_gzip_cut_short_reads_what_came_before_and_says_so(tmp_path, count, start, cut):
    lines = [RECORDS[(start + k) % len(RECORDS)] for k in range(count)]
    data = b"\n".join(lines) + b"\n"
    packed = gzip.compress(data)
    keep = int(len(packed) * cut)
    # past the 10-byte header (an empty file is no damage) and before the 8-byte trailer
    keep = min(max(keep, 10), len(packed) - 9)
    path = tmp_path / "cut.json.gz"
    path.write_bytes(packed[:keep])
    # what the cut stream inflates to: every whole line in it is an intact record
    inflated = zlib.decompressobj(wbits=31).decompress(packed[:keep])
    whole = inflated[:inflated.rfind(b"\n") + 1] if b"\n" in inflated else b""
    good = Counter(line.decode("utf-8") for line in whole.splitlines())
    result = load(path)
    assert not good - _raws(result)
    assert result.problems, "a gzip stream cut short must be reported"
    assert any("gzip" in p.reason.lower() or "truncat" in p.reason.lower()
               for p in result.problems)


@settings(max_examples=100, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(blob=st.binary(max_size=2048), name=st.sampled_from(["x.json", "x.json.gz", "x"]))
def test_random_bytes_are_problems_never_a_crash(tmp_path, blob, name):
    path = tmp_path / name
    path.write_bytes(blob)
    result = load(path)  # any exception fails the test
    for p in result.problems:
        assert p.file and p.reason
    try:
        load(path, strict=True)  # strict: the first problem is a DataError, nothing else
    except DataError as err:
        assert str(err)


# What the fuzzing found, pinned: each lost a good record before it was fixed.
ONE = RECORDS[0]


def test_a_first_line_that_is_not_json_loses_only_itself(tmp_path):
    path = tmp_path / "f.json"
    path.write_bytes(b"\x00\n" + ONE + b"\n")
    result = load(path)
    assert result.table["_raw"].tolist() == [ONE.decode()]
    assert [(p.line, p.kind) for p in result.problems] == [(1, "not JSON")]


def test_a_broken_value_does_not_take_the_records_after_it(tmp_path):
    # an array of an array on line 1 (not a record), a lone "{" on line 2 whose parse runs
    # into line 3, and an intact record on line 3
    path = tmp_path / "f.json"
    path.write_bytes(b"[[" + ONE + b"]]\n{\n" + ONE + b"\n")
    assert load(path).table["_raw"].tolist() == [ONE.decode()]


def test_a_broken_records_document_gives_each_record_once(tmp_path):
    path = tmp_path / "f.json"
    path.write_bytes(b'{"Records": [\n' + ONE + b',\n{"eventTime": oops}\n]}\n' + ONE + b"\n")
    result = load(path)
    assert len(result.table) == 2  # the document's first record, then the line after it


def test_a_record_too_deep_at_a_pieces_end_is_a_problem(tmp_path):
    path = tmp_path / "f.json"
    path.write_bytes(ONE + b"\n" + b"[" * 1100 + ONE + b"]" * 1100 + b"\n")
    result = load(path)
    assert result.table["_raw"].tolist() == [ONE.decode()]
    assert len(result.problems) == 1


def test_a_text_file_that_begins_with_the_gzip_magic_keeps_its_records(tmp_path):
    # found by test_mutated_ndjson_keeps_every_intact_record: a first line of the two bytes
    # 1f 8b, then an intact record. A gzip stream's third byte is its method, 8 (RFC 1952);
    # without it the file is text and the record after the broken line is kept
    path = tmp_path / "mutated.json"
    path.write_bytes(b"\x1f\x8b\n" + RECORDS[0] + b"\n")
    result = load([path])
    assert _raws(result) == Counter([RECORDS[0].decode()])
    assert {p.line for p in result.problems} == {1}  # its bytes: not UTF-8, not JSON
