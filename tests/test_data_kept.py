"""What a Session's load keeps of a file between runs (spl.data.kept): the next load of the
same unchanged file takes every event's time, the pieces, the sourcetypes and the problems from
the entry instead of reading the file, and gets exactly what reading it gives; a changed file, a
damaged or foreign entry, or a directory that is not the user's alone is never trusted."""
from __future__ import annotations

import calendar
import io
import json
import os
import sys

import numpy as np
import pytest

from spl import data
from spl.data import kept
from spl.data.readers import UNTYPED
from spl.session import Session


def epoch(stamp: str) -> float:
    """An ISO 8601 UTC time in epoch seconds, by the standard library (not spl)."""
    return float(calendar.timegm(
        tuple(int(x) for x in stamp[:19].replace("T", "-").replace(":", "-").split("-"))
        + (0, 0, 0)))


def record(t: str, name: str = "ListBuckets") -> str:
    return json.dumps({"eventVersion": "1.08", "eventTime": t, "eventName": name,
                       "eventSource": "s3.amazonaws.com", "awsRegion": "us-east-1"})


TIMES = ["2026-03-07T10:00:00Z", "2026-03-07T12:30:15Z", "2026-03-06T23:59:59Z"]


@pytest.fixture
def keep(tmp_path, monkeypatch):
    """Entries in a directory of the test's, for files of any size."""
    where = tmp_path / "cache"
    monkeypatch.setenv("SPL_CACHE_DIR", str(where))
    monkeypatch.setattr(kept, "KEEP_MIN", 0)
    monkeypatch.setattr(kept, "RACY", -1)  # the test's files were written a moment ago
    return where / "times"


def write(path, lines: list[str]):
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def logs(tmp_path):
    """Three records, a line that is not JSON (line 3), a record without eventTime (line 5)."""
    return write(tmp_path / "a.json", [record(TIMES[0]), record(TIMES[1]), "{not json",
                                       record(TIMES[2]), json.dumps({"eventName": "X"})])


def no_reading(monkeypatch):
    """Fail the test if anything reads a file's records."""
    def refuse(*args, **kwargs):
        raise AssertionError("read the file")
    monkeypatch.setattr(kept, "begin", refuse)


def facts(session: Session):
    part = session._parts[0]
    return (session.times.tolist(), [(p.file, p.line, p.reason) for p in session.problems],
            part.pieces, sorted(session.sourcetypes()))


def test_a_second_load_takes_the_times_from_the_entry(tmp_path, keep, monkeypatch):
    path = logs(tmp_path)
    first = Session(path)
    # the record without eventTime takes the previous event's time (spl.data's rule)
    assert first.times.tolist() == [epoch(TIMES[0]), epoch(TIMES[1]), epoch(TIMES[2]),
                                    epoch(TIMES[2])]
    assert [(p.line, p.dropped) for p in first.problems] == [(3, True), (5, False)]
    assert len(list(keep.glob("*.npz"))) == 1
    no_reading(monkeypatch)
    second = Session(path)
    assert facts(second) == facts(first)
    # and a search over it finds what reading does
    assert second.run("search eventName=X | stats count")["count"].tolist() == [1]
    assert second.run("search | head 1")["_time"].tolist() == [epoch(TIMES[1])]


def test_the_result_is_what_reading_every_file_gives(tmp_path, keep, monkeypatch):
    """Two files no sourcetype rule types (Office 365 records), each with a bad line: a load
    orders the problems untyped a, untyped b, then a's lines, then b's; one file kept and one
    read must too. Without eventTime, the first record's _time is the file's modification
    time and the next ones take the previous event's."""
    def untyped(name):
        return write(tmp_path / name, [json.dumps({"CreationTime": TIMES[0], "Operation": "x"}),
                                       "[1, 2", json.dumps({"CreationTime": TIMES[1]})])
    a = untyped("a.json")
    Session(a)  # a is kept
    b = untyped("b.json")
    result, files = kept.load_times([a, b], sourcetype=None, source=None, host=None,
                                    index="main", ta=None, strict=False, progress=False)
    assert files == [a, b]
    assert [(p.file, p.line, p.kind == UNTYPED) for p in result.problems] == [
        (str(a), None, True), (str(b), None, True),
        (str(a), 1, False), (str(a), 2, False), (str(a), 3, False),
        (str(b), 1, False), (str(b), 2, False), (str(b), 3, False)]
    assert result.table["_time"].tolist() == [os.stat(a).st_mtime] * 2 + [os.stat(b).st_mtime] * 2
    assert result.table["sourcetype"].tolist() == ["aws:cloudtrail"] * 4
    assert result.counts == [2, 2]
    monkeypatch.setenv("SPL_CACHE_DIR", "off")
    plain = data.load([a, b], fields={"_time", "sourcetype"})
    assert result.table.equals(plain.table) and result.pieces == plain.pieces
    assert result.problems == plain.problems and result.files == plain.files


def test_a_changed_file_is_read_again(tmp_path, keep):
    path = logs(tmp_path)
    Session(path)
    with path.open("a") as f:
        f.write(record("2026-03-08T00:00:00Z") + "\n")
    assert Session(path).times.tolist()[-1] == epoch("2026-03-08T00:00:00Z")


def test_a_rewrite_of_the_same_size_and_modification_time_is_read_again(tmp_path, keep):
    """The change time moves on any write, even one that puts the modification time back."""
    path = write(tmp_path / "a.json", [record("2026-03-07T10:00:00Z")])
    Session(path)
    st = os.stat(path)
    write(path, [record("2026-03-07T11:00:00Z")])  # the same length
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert os.stat(path).st_size == st.st_size
    assert Session(path).times.tolist() == [epoch("2026-03-07T11:00:00Z")]


@pytest.mark.parametrize("damage", ["garbage", "truncated", "another file's", "inconsistent",
                                    "meta without a key", "times of no dimension",
                                    "types not a list"])
def test_a_damaged_or_foreign_entry_is_not_used(tmp_path, keep, damage):
    path = logs(tmp_path)
    want = facts(Session(path))
    entry = next(keep.glob("*.npz"))
    if damage == "garbage":
        entry.write_bytes(b"PK\x03\x04 not a zip")
    elif damage == "truncated":
        entry.write_bytes(entry.read_bytes()[:200])
    elif damage == "another file's":
        other = write(tmp_path / "b.json", [record(TIMES[0])])
        Session(other)
        os.replace(next(p for p in keep.glob("*.npz") if p != entry), entry)
    else:
        with np.load(entry) as z:
            parts = dict(z)
        meta = json.loads(bytes(parts["meta"]))
        if damage == "inconsistent":  # the pieces count other events than the times
            parts["pieces"] = parts["pieces"] + np.array([0, 0, 1])
        elif damage == "meta without a key":
            del meta["has_pieces"]
        elif damage == "times of no dimension":
            parts["times"] = np.float64(1.0)
        else:
            meta["types"] = "a"
        parts["meta"] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
        with entry.open("wb") as f:
            np.savez(f, **parts)
    assert facts(Session(path)) == want
    with np.load(entry) as z:  # made again from the file
        assert json.loads(bytes(z["meta"]))["path"] == os.path.realpath(path)
        assert int(z["pieces"][:, 2].sum()) == 4


def test_a_directory_not_the_users_alone_is_not_used(tmp_path, keep, monkeypatch, capsys):
    path = logs(tmp_path)
    keep.mkdir(parents=True)
    keep.chmod(0o777)  # others could write entries
    kept._tell.cache_clear()
    assert Session(path).times.tolist()[0] == epoch(TIMES[0])
    assert not list(keep.iterdir())
    assert f"{keep} is a link, someone else's, or writable by others" in capsys.readouterr().err
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir(mode=0o700)
    (tmp_path / "linked").mkdir(mode=0o700)
    (tmp_path / "linked" / "times").symlink_to(elsewhere)
    monkeypatch.setenv("SPL_CACHE_DIR", str(tmp_path / "linked"))
    Session(path)
    assert not list(elsewhere.iterdir())


def test_keeping_off_and_small_files(tmp_path, keep, monkeypatch):
    path = logs(tmp_path)
    monkeypatch.setenv("SPL_CACHE_DIR", "off")
    Session(path)
    assert not keep.parent.exists()
    monkeypatch.setenv("SPL_CACHE_DIR", str(keep.parent))
    monkeypatch.setattr(kept, "KEEP_MIN", path.stat().st_size + 1)
    Session(path)
    assert not keep.parent.exists()  # no folder made for files too small to keep


def test_the_least_recently_used_entries_go_first(tmp_path, keep, monkeypatch):
    files = [write(tmp_path / f"{k}.json", [record(TIMES[0])] * 50) for k in range(3)]
    Session(files[0])
    size = next(keep.glob("*.npz")).stat().st_size
    monkeypatch.setattr(kept, "KEEP_BYTES", 2 * size)
    Session(files[1])
    for k, entry in enumerate(sorted(keep.glob("*.npz"), key=os.path.getmtime)):
        os.utime(entry, (1000 + k, 1000 + k))
    Session(files[0])  # used again: now the most recent
    Session(files[2])  # a third entry: the least recently used one (files[1]'s) goes
    names = {kept._name(f, None) for f in (files[0], files[2])}
    assert {p.name for p in keep.glob("*.npz")} == names


def test_a_file_given_twice_and_standard_input_are_read(tmp_path, keep, monkeypatch):
    path = logs(tmp_path)
    assert len(Session([path, path]).times) == 8
    assert not list(keep.glob("*.npz"))  # read twice, as a load reads it
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(path.open("rb")))
    session = Session("-")
    assert len(session.times) == 4 and {p.file for p in session.problems} == {"stdin"}
    assert not list(keep.glob("*.npz"))  # a copy of standard input is not kept


def test_a_load_that_cannot_be_told_file_by_file_is_read_whole(tmp_path, keep, monkeypatch):
    a = logs(tmp_path)
    b = write(tmp_path / "b.json", [record(TIMES[1])])
    Session(a)
    monkeypatch.setattr(kept, "_split", lambda result, files: None)
    session = Session([a, b])
    assert session.times.tolist()[-1] == epoch(TIMES[1]) and len(session.times) == 5
    assert [p.line for p in session.problems] == [3, 5]


def test_progress_says_the_times_were_kept(tmp_path, keep, capsys):
    path = logs(tmp_path)
    Session(path)
    Session(path, progress=True)
    assert f"{path}: times kept from an earlier read" in capsys.readouterr().err


def test_the_directory_is_private_whatever_the_umask(tmp_path, monkeypatch):
    """A umask of 002 (user private groups) would make ``mkdir -p`` folders group-writable:
    the directory is made 0700 itself, so it is used."""
    monkeypatch.setenv("SPL_CACHE_DIR", str(tmp_path / "a" / "b"))
    old = os.umask(0o002)
    try:
        where = kept.directory()
    finally:
        os.umask(old)
    assert where == tmp_path / "a" / "b" / "times"
    assert (where.stat().st_mode & 0o777, where.parent.stat().st_mode & 0o777) == (0o700, 0o700)


def test_a_file_changed_a_moment_ago_is_not_kept(tmp_path, keep, monkeypatch):
    """A rewrite within the same clock tick would leave the stamp as it was (git's racy rule):
    a file changed less than RACY seconds ago is read, not kept."""
    monkeypatch.setattr(kept, "RACY", 2.0)
    path = logs(tmp_path)
    Session(path)
    assert not list(keep.glob("*.npz"))
    monkeypatch.setattr(kept, "RACY", -1)
    Session(path)
    assert len(list(keep.glob("*.npz"))) == 1


def test_a_parent_anyone_may_write_to_is_refused_unless_sticky(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(kept, "KEEP_MIN", 0)
    public = tmp_path / "public"
    public.mkdir()
    public.chmod(0o777)  # anyone could rename spl's folder there and put a link in its place
    monkeypatch.setenv("SPL_CACHE_DIR", str(public / "spl"))
    kept._tell.cache_clear()
    assert kept.directory() is None
    assert f"{public} is writable by anyone" in capsys.readouterr().err
    public.chmod(0o1777)  # as /tmp: only an entry's owner may rename it
    assert kept.directory() == public / "spl" / "times"


def test_only_spls_own_files_are_ever_removed(tmp_path, keep, monkeypatch):
    files = [write(tmp_path / f"{k}.json", [record(TIMES[0])] * 50) for k in range(2)]
    keep.mkdir(parents=True)
    mine = [keep / "my_results.npz", keep / "notes.tmp", keep / ("0" * 64 + ".npz.bak")]
    for p in mine:
        p.write_bytes(b"x" * 100)
        os.utime(p, (1000, 1000))  # old: the first to go, were they spl's
    monkeypatch.setattr(kept, "KEEP_BYTES", 1)
    for f in files:
        Session(f)
    assert all(p.exists() for p in mine)
    assert set(keep.iterdir()) == set(mine)  # spl's entries went: over KEEP_BYTES


def test_an_entry_is_for_the_same_reading(tmp_path, monkeypatch):
    """A large file's pieces are one range a core: with other cores, other pieces."""
    path = logs(tmp_path)
    names = []
    for cores in (1, 2):
        monkeypatch.setattr(kept.fast, "cores", lambda n=cores: n)
        kept._code.cache_clear()
        names.append(kept._name(path, None))
    kept._code.cache_clear()
    assert names[0] != names[1]


def test_standard_input_and_a_file_named_stdin_are_told_apart(tmp_path, keep, monkeypatch):
    """Problems carry the name a file is shown by: standard input's is ``stdin``, as is a file
    named so; the two are then read as a load reads them, nothing kept of either."""
    named = write(tmp_path / "stdin", [record(TIMES[0])])
    piped = write(tmp_path / "piped.json", [record(TIMES[1]), "{not json"])
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(piped.open("rb")))
    both = Session(["-", "stdin"])
    assert [(p.file, p.line) for p in both.problems] == [("stdin", 2)]
    assert not list(keep.glob("*.npz"))
    assert Session(["stdin"]).problems == [] and named.exists()
