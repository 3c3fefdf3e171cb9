"""Hostile data: every input a tester threw at the intake, with the exact outcome each gives.

Each case is isolated: the bad record or file becomes a DataProblem with file (and line) and a
clear reason, and everything else is read. The forms CloudTrail comes in (S3 Records files with
other keys, lookup-events output, EventBridge events, pretty-printed records and arrays) are
read from their content; CloudTrail-Digest files are skipped and counted. The CLI prints a
summary by kind and the first problems (root causes first), all with --problems, and a run
that read no event exits 1 saying why. Expected values are worked out by hand from the fixtures.
"""
from __future__ import annotations

import gzip
import io
import json
import os
import subprocess
import sys
import zlib
from importlib import resources

import pytest
from rich.console import Console

from spl.cli import main
from spl.data import fast, load, readers
from spl.data.readers import DataProblem, Record, expand, read_file
from spl.errors import DataError
from spl.repl import Repl

REC = [
    {"eventVersion": "1.09", "eventTime": "2024-05-01T10:00:00Z", "eventSource": "s3.amazonaws.com",
     "eventName": "GetObject", "awsRegion": "us-east-1", "userIdentity": {"type": "IAMUser",
                                                                          "userName": "ana"}},
    {"eventVersion": "1.09", "eventTime": "2024-05-01T10:00:01Z", "eventSource": "iam.amazonaws.com",
     "eventName": "CreateUser", "awsRegion": "us-east-1", "userIdentity": {"type": "Root"}},
    {"eventVersion": "1.09", "eventTime": "2024-05-01T10:00:02Z", "eventSource": "sts.amazonaws.com",
     "eventName": "GetCallerIdentity", "awsRegion": "eu-west-1",
     "userIdentity": {"type": "AssumedRole"}},
]
LINES = [json.dumps(r) for r in REC]
EXAMPLES = resources.files("spl") / "examples"


def names(result):
    return result.table["eventName"].tolist()


def problems(result):
    return [(p.file, p.line, p.reason) for p in result.problems]


def run(argv, capsys):
    """main()'s exit status, stdout and stderr."""
    code = main(argv)
    got = capsys.readouterr()
    return code, got.out, got.err


def deep_record(levels: int) -> str:
    """A CloudTrail record whose requestParameters nest ``levels`` objects deep."""
    return ('{"eventTime": "2024-05-01T10:00:05Z", "eventName": "Deep", "requestParameters": '
            + '{"a": ' * levels + '"leaf"' + "}" * levels + "}")


# ---------------------------------------------------------------- per-record isolation


@pytest.mark.parametrize("fields", [None, {"eventName"}, {"eventName", "requestParameters.a"},
                                    {"eventName", "requestParameters" + ".a" * 249}])
def test_a_record_900_levels_deep_is_kept_with_its_shallow_fields(tmp_path, fields):
    # 900 objects inside the record object: 901 levels; spl extracts down to 200
    p = tmp_path / "deep.json"
    p.write_text(LINES[0] + "\n" + deep_record(900) + "\n" + LINES[1] + "\n")
    r = load(p, fields=fields)
    assert names(r) == ["GetObject", "Deep", "CreateUser"]
    want = [(str(p), 2, "JSON nested 901 levels deep: fields below level 200 (spl's limit) "
                        "are not extracted; record kept")]
    # a search that reads no field down there never walks it, so nothing is said
    assert problems(r) == ([] if fields is not None and len(max(fields, key=len)) < 100 else want)
    assert [x.dropped for x in r.problems] == [False] * len(r.problems)


def test_a_record_100000_levels_deep_is_skipped_and_the_rest_read(tmp_path):
    p = tmp_path / "deeper.json"
    p.write_text(LINES[0] + "\n" + deep_record(100_000) + "\n" + LINES[1] + "\n")
    for fields in (None, {"eventName"}):
        r = load(p, fields=fields)
        assert names(r) == ["GetObject", "CreateUser"]
        assert problems(r) == [(str(p), 2, "JSON nested 100001 levels deep, more than the 1024 "
                                           "levels spl can parse; record skipped")]
        assert r.problems[0].kind == readers.TOO_DEEP and r.problems[0].dropped


def test_deep_records_inside_a_gzipped_records_document(tmp_path):
    p = tmp_path / "deep.json.gz"
    doc = ('{"Records": [\n' + LINES[0] + ",\n" + deep_record(100_000) + ",\n" + deep_record(900)
           + ",\n" + LINES[1] + "\n]}")
    p.write_bytes(gzip.compress(doc.encode()))
    r = load(p, fields=None)
    assert names(r) == ["GetObject", "Deep", "CreateUser"]
    assert problems(r) == [
        (str(p), 3, "JSON nested 100001 levels deep, more than the 1024 levels spl can parse; "
                    "record skipped"),
        (str(p), 4, "JSON nested 901 levels deep: fields below level 200 (spl's limit) are not "
                    "extracted; record kept")]


def test_fifo_in_a_directory_is_never_opened(tmp_path):
    # opening a FIFO no one writes to would block for ever: run in a child with a bound
    (tmp_path / "a.json").write_text(LINES[0] + "\n")
    os.mkfifo(tmp_path / "b.pipe")
    (tmp_path / "c.json").write_text(LINES[1] + "\n")
    out = subprocess.run([sys.executable, "-m", "spl.cli", "run", "* | stats count", "--data",
                          str(tmp_path), "--format", "csv"], capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0
    assert out.stdout.split() == ["count", "2"]
    assert out.stderr.splitlines() == [
        "warning: 1 data problem (1 unreadable file): 1 skipped, 0 kept",
        f"  {tmp_path / 'b.pipe'}: a FIFO (named pipe), not a regular file; skipped (never opened)"]


def test_a_pipe_given_by_name_is_read(tmp_path):
    r_fd, w_fd = os.pipe()
    os.write(w_fd, ("\n".join(LINES) + "\n").encode())
    os.close(w_fd)
    try:
        [path] = expand([f"/dev/fd/{r_fd}"])
    finally:
        os.close(r_fd)
    r = load(path)
    assert names(r) == ["GetObject", "CreateUser", "GetCallerIdentity"]
    assert r.table["source"].tolist() == [f"/dev/fd/{r_fd}"] * 3  # the name it was given


def test_permission_denied_file_is_a_problem_and_the_rest_read(tmp_path, monkeypatch):
    (tmp_path / "a.json").write_text(LINES[0] + "\n")
    locked = tmp_path / "b.json"
    locked.write_text(LINES[1] + "\n")
    (tmp_path / "c.json").write_text(LINES[2] + "\n")
    real_open = open

    def guarded(file, *args, **kwargs):
        if str(file) == str(locked):
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(readers, "open", guarded, raising=False)
    monkeypatch.setattr(fast, "open", guarded, raising=False)
    r = load(tmp_path, fields={"eventName"})
    assert names(r) == ["GetObject", "GetCallerIdentity"]
    assert problems(r) == [(str(locked), None, "cannot read the file (Permission denied); skipped")]


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a file whatever its mode bits")
def test_unreadable_mode_bits(tmp_path):
    (tmp_path / "a.json").write_text(LINES[0] + "\n")
    locked = tmp_path / "b.json"
    locked.write_text(LINES[1] + "\n")
    locked.chmod(0)
    r = load(tmp_path)
    assert names(r) == ["GetObject"]
    assert problems(r) == [(str(locked), None, "cannot read the file (Permission denied); skipped")]


def test_dangling_link_and_link_loop_in_a_directory(tmp_path):
    data = tmp_path / "logs"
    (data / "sub").mkdir(parents=True)
    (data / "a.json").write_text(LINES[0] + "\n")
    (data / "sub" / "b.json").write_text(LINES[1] + "\n")
    (data / "gone.json").symlink_to(tmp_path / "nowhere.json")
    (data / "sub" / "up").symlink_to(data)            # a loop
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "c.json").write_text(LINES[2] + "\n")
    (data / "more").symlink_to(outside)               # followed: it leads out of the tree
    r = load(data, fields={"eventName"})
    assert names(r) == ["GetObject", "GetCallerIdentity", "CreateUser"]  # sorted path order
    assert problems(r) == [
        (str(data / "gone.json"), None, "broken symbolic link (its target does not exist); "
                                        "skipped"),
        (str(data / "sub" / "up"), None, f"a link to the directory {data}, already read (a loop, "
                                         f"or a second link); not followed")]
    assert [p.notice for p in r.problems] == [False, True]
    assert r.files == [str(data / "a.json"), str(data / "more" / "c.json"),
                       str(data / "sub" / "b.json")]


def _truncated_gzip(text: bytes, cut_after: bytes) -> bytes:
    """A gzip stream of ``text`` up to and including ``cut_after``... then nothing: no final
    block, no trailer (as a download cut short). Flushed, so exactly that prefix inflates."""
    head, _, _ = text.partition(cut_after)
    z = zlib.compressobj(9, zlib.DEFLATED, 31)
    return z.compress(head + cut_after) + z.flush(zlib.Z_SYNC_FLUSH)


def test_truncated_gzip_tells_the_damage_not_the_json_error_it_causes(tmp_path):
    p = tmp_path / "cut.json.gz"
    data = ("\n".join(LINES) + "\n").encode()
    p.write_bytes(_truncated_gzip(data, b'"eventSource": "sts'))  # inside line 3
    r = load(p)
    assert names(r) == ["GetObject", "CreateUser"]
    assert problems(r) == [(str(p), 3, "gzip stream is truncated (ended before its end-of-stream "
                                       "marker); the text it cuts short is skipped")]
    doc = tmp_path / "cut-doc.json.gz"
    text = ('{"Records": [\n' + ",\n".join(LINES) + "\n]}").encode()
    doc.write_bytes(_truncated_gzip(text, b'"eventSource": "sts'))
    r = load(doc)
    assert names(r) == ["GetObject", "CreateUser"]
    assert [(p.line, p.kind) for p in r.problems] == [(4, readers.GZIP)]


# ---------------------------------------------------------------- the forms CloudTrail comes in


def _awslogs(tmp_path):
    root = tmp_path / "AWSLogs" / "123456789012"
    logs = root / "CloudTrail" / "us-east-1" / "2024" / "05" / "01"
    digests = root / "CloudTrail-Digest" / "us-east-1" / "2024" / "05" / "01"
    logs.mkdir(parents=True)
    digests.mkdir(parents=True)
    (logs / "123456789012_CloudTrail_us-east-1_20240501T1000Z_a.json.gz").write_bytes(
        gzip.compress(json.dumps({"Records": REC}).encode()))
    digest = {"awsAccountId": "123456789012", "digestStartTime": "2024-05-01T09:00:00Z",
              "digestEndTime": "2024-05-01T10:00:00Z", "digestS3Bucket": "trail-bucket",
              "digestS3Object": "AWSLogs/123456789012/CloudTrail-Digest/x.json.gz",
              "newestEventTime": "2024-05-01T10:00:02Z", "logFiles": []}
    name = digests / "123456789012_CloudTrail-Digest_us-east-1_trail_20240501T1000Z.json.gz"
    name.write_bytes(gzip.compress(json.dumps(digest).encode()))
    return tmp_path / "AWSLogs", name


def test_digest_files_in_an_awslogs_tree_are_skipped_not_events(tmp_path):
    root, digest = _awslogs(tmp_path)
    for fields in (None, {"eventName"}):
        for strict in (False, True):  # a digest is meant to be skipped: not an error
            r = load(root, fields=fields, strict=strict)
            assert names(r) == ["GetObject", "CreateUser", "GetCallerIdentity"]
            assert problems(r) == [(str(digest), 1, "a CloudTrail-Digest file (integrity "
                                                    "digest, not events); skipped")]
            assert r.problems[0].kind == readers.DIGEST and r.problems[0].dropped


def test_digest_files_are_a_note_on_the_command_line(tmp_path, capsys):
    root, digest = _awslogs(tmp_path)
    code, out, err = run(["run", "* | stats count", "--data", str(root), "--format", "csv"],
                         capsys)
    assert (code, out.split()) == (0, ["count", "3"])
    assert err.splitlines() == [
        "note: 1 skipped as not events (1 CloudTrail-Digest)",
        f"  {digest}:1: a CloudTrail-Digest file (integrity digest, not events); skipped"]
    # with a pre-filter (the search's terms) too: the digest is still counted
    code, out, err = run(["run", "eventName=GetObject | stats count", "--data", str(root),
                          "--format", "csv"], capsys)
    assert (code, out.split()) == (0, ["count", "1"])
    assert err.splitlines()[0] == "note: 1 skipped as not events (1 CloudTrail-Digest)"


def test_records_beside_other_keys_and_lowercase_records(tmp_path):
    a = tmp_path / "meta.json"
    a.write_text('{"meta": 1, "Records": [' + ", ".join(LINES[:2]) + '], "after": [1]}')
    b = tmp_path / "lower.json"
    b.write_text('{"records": [' + LINES[2] + "]}")
    for fields in (None, {"eventName"}):
        r = load([a, b], fields=fields)
        assert names(r) == ["GetObject", "CreateUser", "GetCallerIdentity"]
        assert r.problems == []
    assert load([a, b]).table["_raw"].tolist() == LINES  # each record's text as in the file


def test_records_that_is_not_an_array(tmp_path, capsys):
    p = tmp_path / "five.json"
    p.write_text('{"Records": 5}')
    r = load(p)
    assert len(r.table) == 0
    assert problems(r) == [(str(p), 1, "'Records' is a number, not an array of records; nothing "
                                       "read from it")]
    with pytest.raises(DataError) as e:
        load(p, strict=True)
    assert (e.value.file, e.value.line) == (str(p), 1)
    code, out, err = run(["run", "* | stats count", "--data", str(p), "--strict"], capsys)
    assert code == 1
    assert err == f"data error: {p}:1: 'Records' is a number, not an array of records; nothing " \
                  f"read from it\n"


def test_records_elements_that_are_not_objects(tmp_path):
    p = tmp_path / "mixed.json"
    p.write_text('{"Records": [\n1,\n' + LINES[0] + "\n]}")
    r = load(p)
    assert names(r) == ["GetObject"]
    assert problems(r) == [(str(p), 2, "element 1 of Records is not a JSON object; skipped")]


def test_lookup_events_output(tmp_path):
    # aws cloudtrail lookup-events --output json: pretty-printed, each record as JSON text
    events = {"Events": [{"EventId": f"id-{i}", "EventName": r["eventName"], "ReadOnly": "true",
                          "Resources": [], "CloudTrailEvent": LINES[i]} for i, r in enumerate(REC)],
              "NextToken": "tok"}
    p = tmp_path / "lookup.json"
    p.write_text(json.dumps(events, indent=4) + "\n")
    for fields in (None, {"eventName", "_raw"}):
        r = load(p, fields=fields)
        assert names(r) == ["GetObject", "CreateUser", "GetCallerIdentity"]
        assert r.table["_raw"].tolist() == LINES
        assert r.problems == []
    assert load(p).table["userIdentity.userName"].tolist() == ["ana", None, None]


def test_eventbridge_events_carry_their_detail(tmp_path):
    def event(detail_type, detail):
        return json.dumps({"version": "0", "id": "e1", "detail-type": detail_type,
                           "source": "aws.s3", "time": "2024-05-01T10:00:00Z",
                           "region": "us-east-1", "detail": detail})

    p = tmp_path / "eventbridge.ndjson"
    p.write_text(event("AWS API Call via CloudTrail", REC[0]) + "\n"
                 + event("Object Created", {"bucket": {"name": "b"}}) + "\n"
                 + event("AWS Console Sign In via CloudTrail", REC[1]) + "\n")
    for fields in (None, {"eventName", "_raw"}):
        r = load(p, fields=fields)
        assert names(r) == ["GetObject", "CreateUser"]
        assert r.table["_raw"].tolist() == [json.dumps(REC[0]), json.dumps(REC[1])]
        assert problems(r) == [(str(p), 2, "an EventBridge event of detail-type 'Object Created', "
                                           "which carries no CloudTrail record (not an object); "
                                           "skipped")]


def test_pretty_printed_record_array_and_jq_stream(tmp_path):
    one = tmp_path / "one.json"
    one.write_text(json.dumps(REC[0], indent=2) + "\n")
    r = load(one)
    assert names(r) == ["GetObject"]
    assert r.table["_raw"].tolist() == [json.dumps(REC[0], indent=2)]  # the whole text
    assert r.table["userIdentity.userName"].tolist() == ["ana"]
    arr = tmp_path / "arr.json"
    arr.write_text(json.dumps(REC, indent=2))
    r = load(arr, fields={"eventName", "_raw"})
    assert names(r) == ["GetObject", "CreateUser", "GetCallerIdentity"]
    assert r.table["_raw"].tolist() == [json.dumps(x, indent=2).replace("\n", "\n  ")
                                        for x in REC]
    jq = tmp_path / "jq.json"  # jq . prints one pretty-printed value after another
    jq.write_text("".join(json.dumps(x, indent=2) + "\n" for x in REC))
    r = load(jq, fields={"eventName"})
    assert names(r) == ["GetObject", "CreateUser", "GetCallerIdentity"]
    assert [x.line for x in read_file(jq) if isinstance(x, Record)] == [1, 12, 22]


def test_data_from_standard_input():
    example = (EXAMPLES / "bedrock_cloudtrail.json").read_bytes()
    out = subprocess.run([sys.executable, "-m", "spl.cli", "run",
                          "* | stats count by source", "--data", "-", "--format", "csv"],
                         input=gzip.compress(example), capture_output=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.decode().split() == ["source,count", "stdin,24"]


# ---------------------------------------------------------------- problems told whole


def test_summary_first_problems_and_all_with_problems_flag(tmp_path, capsys):
    p = tmp_path / "bad.json"
    p.write_text("\n".join([LINES[0]] + ["{oops"] * 7) + "\n")
    code, out, err = run(["run", "* | stats count", "--data", str(p), "--format", "csv"], capsys)
    assert code == 0 and out.split() == ["count", "1"]
    lines = err.splitlines()
    assert lines[0] == "warning: 7 data problems (7 not JSON): 7 skipped, 0 kept"
    assert [x.split(": ")[0] for x in lines[1:6]] == [f"  {p}:{n}" for n in range(2, 7)]
    assert lines[6:] == ["  ... and 2 more (--problems lists them all)"]
    code, out, err = run(["run", "* | stats count", "--data", str(p), "--format", "csv",
                          "--problems"], capsys)
    assert len(err.splitlines()) == 8
    code, out, err = run(["run", "* | stats count", "--data", str(p), "--format", "json",
                          "--problems"], capsys)
    rows = [json.loads(x) for x in err.splitlines()]
    assert rows[0] == {"problems": 7, "skipped": 7, "kept": 0, "kinds": {"not JSON": 7}}
    assert [(x["file"], x["line"], x["kind"], x["skipped"]) for x in rows[1:]] == [
        (str(p), n, "not JSON", True) for n in range(2, 9)]


def test_root_cause_is_told_first(tmp_path, capsys):
    (tmp_path / "a.json").write_text("{oops\n" + LINES[0] + "\n")
    cut = tmp_path / "b.json.gz"
    cut.write_bytes(_truncated_gzip(("\n".join(LINES) + "\n").encode(), b'"eventSource": "sts'))
    code, out, err = run(["run", "* | stats count", "--data", str(tmp_path), "--format", "csv"],
                         capsys)
    assert code == 0 and out.split() == ["count", "3"]
    assert err.splitlines() == [
        "warning: 2 data problems (1 not JSON, 1 gzip damage): 2 skipped, 0 kept",
        f"  {cut}:3: gzip stream is truncated (ended before its end-of-stream marker); the text it "
        f"cuts short is skipped",
        f"  {tmp_path / 'a.json'}:1: not JSON (Expecting property name enclosed in double quotes: "
        f"line 1 column 2 (char 1)); line skipped"]


def test_strict_makes_the_first_problem_an_error(tmp_path, capsys):
    p = tmp_path / "bad.json"
    p.write_text(LINES[0] + "\n{oops\n")
    code, out, err = run(["run", "* | stats count", "--data", str(p), "--strict"], capsys)
    assert code == 1
    assert err == (f"data error: {p}:2: not JSON (Expecting property name enclosed in double "
                   f"quotes: line 1 column 2 (char 1)); line skipped\n")


def test_detect_on_data_with_no_readable_record_exits_1(tmp_path, capsys):
    p = tmp_path / "notes.csv"
    p.write_text("eventName,eventTime\nListFoundationModels,2024-05-01\n")
    with resources.as_file(EXAMPLES / "aws_bedrock_high_number_list_foundation_model_failures.yml") \
            as det:
        code, out, err = run(["detect", str(det), "--data", str(p), "--format", "json"], capsys)
    assert code == 1 and out == ""
    assert err.splitlines() == [
        '{"problems": 1, "skipped": 1, "kept": 0, "kinds": {"not CloudTrail JSON": 1}}',
        json.dumps({"file": str(p), "line": 1, "kind": "not CloudTrail JSON",
                    "reason": "not a CloudTrail JSON file (it does not begin with '{' or '['); "
                              "file skipped", "skipped": True}),
        "data error: no events read from the data (1 file): every record was skipped (1 problem "
        "above)",
        f"  hint: {p}: it begins 'eventName,eventTime': CSV or another text format? CloudTrail "
        f"files are JSON records"]


def test_no_events_messages(tmp_path, capsys):
    root, digest = _awslogs(tmp_path / "t")
    for f in (root / "123456789012" / "CloudTrail").rglob("*.gz"):
        f.unlink()
    code, out, err = run(["run", "* | stats count", "--data", str(root)], capsys)
    assert code == 1
    assert err.splitlines()[-1] == ("data error: no events read from the data (1 file): the files "
                                    "hold no events (only CloudTrail-Digest files or links, "
                                    "skipped)")
    pretty = tmp_path / "pretty.json"
    pretty.write_text('{\n  "eventTime": "2024-05-01T10:00:00Z",\n  "eventName": oops\n}\n')
    code, out, err = run(["run", "* | stats count", "--data", str(pretty)], capsys)
    assert code == 1
    assert err.splitlines()[-2:] == [
        "data error: no events read from the data (1 file): every record was skipped (1 problem "
        "above)",
        f"  hint: {pretty}: it looks like pretty-printed JSON, read as one JSON value: the first "
        f"JSON error stops the whole file"]
    empty = tmp_path / "empty"
    empty.mkdir()
    code, out, err = run(["run", "* | stats count", "--data", str(empty)], capsys)
    assert (code, err) == (1, "data error: no events read from the data (0 files): no file to "
                              "read\n")


def test_a_search_that_matches_nothing_is_not_an_error(tmp_path, capsys):
    # the pre-filter skips every record, but the data holds records: 0 results, exit 0
    p = tmp_path / "a.json"
    p.write_text("\n".join(LINES) + "\n")
    code, out, err = run(["run", "eventName=NoSuchCall | stats count", "--data", str(p),
                          "--format", "csv"], capsys)
    assert (code, out.split(), err) == (0, ["count", "0"], "")


def test_unreadable_entries_as_a_problem_list(tmp_path):
    os.mkfifo(tmp_path / "p")
    (tmp_path / "x.json").write_text(LINES[0])
    items = expand([tmp_path])
    assert items == [DataProblem(str(tmp_path / "p"), None, "a FIFO (named pipe), not a regular "
                                                           "file; skipped (never opened)",
                                 readers.UNREADABLE), tmp_path / "x.json"]


def test_strict_stops_at_an_unreadable_entry_but_not_at_a_notice(tmp_path):
    (tmp_path / "a.json").write_text(LINES[0] + "\n")
    (tmp_path / "loop").symlink_to(tmp_path)
    assert names(load(tmp_path, strict=True)) == ["GetObject"]  # the loop is only a notice
    os.mkfifo(tmp_path / "p")
    with pytest.raises(DataError) as e:
        load(tmp_path, strict=True)
    assert (e.value.file, e.value.line, e.value.message) == (
        str(tmp_path / "p"), None, "a FIFO (named pipe), not a regular file; skipped (never opened)")


def test_repl_load_counts_only_what_was_dropped_as_skipped(tmp_path):
    (tmp_path / "a.json").write_text(LINES[0] + "\n" + '{"eventName": "NoTime"}\n')
    os.mkfifo(tmp_path / "p")
    buffer = io.StringIO()
    repl = Repl(console=Console(file=buffer, width=200, color_system=None, force_terminal=False))
    repl.load([str(tmp_path)])
    # the FIFO is skipped; the record without eventTime is kept (with a substitute _time)
    assert buffer.getvalue().split(" in ")[0] == "loaded 2 events from 1 file"
    assert buffer.getvalue().rstrip().endswith(
        "; 2 data problems: 1 skipped, 1 kept (.data shows them)")


def test_a_broken_first_line_of_ndjson_costs_one_line(tmp_path):
    # the first line leaves a bracket open, but the next one begins a record: still NDJSON
    p = tmp_path / "a.json"
    p.write_text('{"eventTime": "2024-05-01T10:00:00Z", "x": [1,\n' + LINES[1] + "\n")
    r = load(p)
    assert names(r) == ["CreateUser"]
    assert [(x.line, x.kind) for x in r.problems] == [(1, readers.NOT_JSON)]
