"""outputlookup writes inside its directory only, never through a link, and replaces a file whole.

A lookup output directory is a place others may write too (a shared $SPL_LOOKUP_DIR, an
attack_data checkout): a symbolic link planted at ``x.csv`` must not make ``outputlookup x.csv``
overwrite (or, with append=true, read) a file elsewhere. Names are plain file names. The output
directory is never a lookups directory or inside one, even through a symbolic link: that is a
usage error before anything is read (exit status 2 in the CLI).
"""
from __future__ import annotations

import os

import pytest

import spl
from spl.errors import ConfigError, DataError, UsageError
from spl.lookups import Lookups

WRITE = '| makeresults count=2 | streamstats count as n | eval user="u".n | table user n'


@pytest.fixture
def place(tmp_path):
    lookups = tmp_path / "lookups"
    lookups.mkdir()
    (lookups / "users.csv").write_text("user,dept\nalice,eng\n")
    out = tmp_path / "out"
    out.mkdir()
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "victim.csv").write_text("secret,value\nkey,hunter2\n")
    return lookups, out, outside


def run(search, lookups, out):
    return spl.run(search, lookups=[lookups], lookup_output=out)


def test_a_symlink_at_the_lookup_name_is_refused_and_its_target_untouched(place):
    lookups, out, outside = place
    (out / "x.csv").symlink_to(outside / "victim.csv")
    for search in (WRITE + " | outputlookup x.csv", WRITE + " | outputlookup append=true x.csv"):
        with pytest.raises(ConfigError, match="symbolic link") as caught:
            run(search, lookups, out)
        assert caught.value.file == str(out / "x.csv")
    assert (outside / "victim.csv").read_text() == "secret,value\nkey,hunter2\n"
    assert (out / "x.csv").is_symlink()
    assert sorted(os.listdir(out)) == ["x.csv"]  # no temporary file left behind


def test_a_dangling_symlink_creates_nothing_at_its_target(place):
    lookups, out, outside = place
    (out / "x.csv").symlink_to(outside / "planted.csv")
    with pytest.raises(ConfigError, match="symbolic link"):
        run(WRITE + " | outputlookup x.csv", lookups, out)
    assert not (outside / "planted.csv").exists()


def test_a_symlink_to_another_lookup_of_the_directory_is_refused_too(place):
    lookups, out, _ = place
    (out / "real.csv").write_text("a\n1\n")
    (out / "x.csv").symlink_to(out / "real.csv")
    with pytest.raises(ConfigError, match="symbolic link"):
        run(WRITE + " | outputlookup x.csv", lookups, out)
    assert (out / "real.csv").read_text() == "a\n1\n"


def test_a_directory_at_the_lookup_name_is_refused(place):
    lookups, out, _ = place
    (out / "x.csv").mkdir()
    with pytest.raises(ConfigError, match="not a regular file"):
        run(WRITE + " | outputlookup x.csv", lookups, out)


@pytest.mark.parametrize("name", ["../escape.csv", '"../escape.csv"', "/tmp/abs.csv",
                                  '"/tmp/abs.csv"', "sub/x.csv", ".hidden.csv", '"a\\\\b.csv"'])
def test_names_with_a_directory_are_refused_with_the_command_position(place, name):
    lookups, out, _ = place
    search = WRITE + " | outputlookup " + name
    with pytest.raises(ConfigError, match="is not a plain file name") as caught:
        run(search, lookups, out)
    assert caught.value.position == (1, search.index("outputlookup") + 1)
    assert os.listdir(out) == [] and not (out.parent / "escape.csv").exists()


def test_a_subdirectory_that_is_a_symlink_is_never_reached(place):
    lookups, out, outside = place
    (out / "sub").symlink_to(outside, target_is_directory=True)
    with pytest.raises(ConfigError, match="is not a plain file name"):
        run(WRITE + " | outputlookup sub/victim.csv", lookups, out)
    assert (outside / "victim.csv").read_text() == "secret,value\nkey,hunter2\n"


def test_a_definition_naming_a_path_outside_is_refused(place):
    lookups, out, outside = place
    (lookups / "evil.yml").write_text("name: evil\nfilename: ../outside/victim.csv\n")
    with pytest.raises(ConfigError, match="is not a plain file name"):
        run(WRITE + " | outputlookup evil", lookups, out)
    assert (outside / "victim.csv").read_text() == "secret,value\nkey,hunter2\n"


def test_the_file_is_replaced_whole_not_written_in_place(place):
    """A new file takes the old one's name (os.replace): a hard link to the old file keeps the
    old content, and the inode changes (the new file existed before the old one was unlinked)."""
    lookups, out, outside = place
    run(WRITE + " | outputlookup x.csv", lookups, out)
    assert (out / "x.csv").read_text().splitlines() == ["user,n", "u1,1", "u2,2"]
    os.link(out / "x.csv", outside / "hard.csv")
    before = os.stat(out / "x.csv").st_ino
    run(WRITE + " | eval user=\"v\".n | outputlookup x.csv", lookups, out)
    assert (out / "x.csv").read_text().splitlines() == ["user,n", "v1,1", "v2,2"]
    assert (outside / "hard.csv").read_text().splitlines() == ["user,n", "u1,1", "u2,2"]
    assert os.stat(out / "x.csv").st_ino != before
    run(WRITE + " | eval user=\"w\".n | outputlookup append=true x.csv", lookups, out)
    assert (out / "x.csv").read_text().splitlines() == [
        "user,n", "v1,1", "v2,2", "w1,1", "w2,2"]
    assert sorted(os.listdir(out)) == ["x.csv"]


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temporary(place, monkeypatch):
    lookups, out, _ = place
    (out / "x.csv").write_text("user,n\nold,0\n")

    def broken_writer(f, *args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("spl.commands.outputlookup.csv.writer", broken_writer)
    with pytest.raises(DataError, match="No space left on device"):
        run(WRITE + " | outputlookup x.csv", lookups, out)
    assert (out / "x.csv").read_text() == "user,n\nold,0\n"
    assert os.listdir(out) == ["x.csv"]


# ---------------------------------------------------------------- the directories apart


def test_output_directory_equal_to_a_lookups_directory_is_a_usage_error(place):
    lookups, _, _ = place
    with pytest.raises(UsageError, match="is the lookups directory"):
        Lookups([lookups], lookups)
    with pytest.raises(UsageError, match="is the lookups directory"):
        spl.Session(lookups=[lookups], lookup_output=lookups)


def test_output_directory_reached_through_a_symlink_is_still_refused(place, tmp_path):
    lookups, _, _ = place
    (tmp_path / "link").symlink_to(lookups, target_is_directory=True)
    with pytest.raises(UsageError, match="is the lookups directory"):
        Lookups([lookups], tmp_path / "link")
    with pytest.raises(UsageError, match="is the lookups directory"):
        Lookups([tmp_path / "link"], lookups)
    with pytest.raises(UsageError, match="is inside the lookups directory"):
        Lookups([lookups], tmp_path / "link" / "sub")  # not there yet: made at the first write
    with pytest.raises(UsageError, match="is inside the lookups directory"):
        Lookups([lookups], lookups / "sub")


def test_a_lookups_directory_inside_the_output_directory_is_allowed(place):
    """Only the output directory's own files are written, so a lookups directory below it is
    never touched."""
    _, out, _ = place
    (out / "reference").mkdir()
    (out / "reference" / "t.csv").write_text("a\n1\n")
    found = spl.run("| inputlookup t.csv", lookups=[out / "reference"], lookup_output=out)
    assert found["a"].tolist() == ["1"]


def test_the_output_directory_made_a_link_after_the_session_started_is_refused(place, tmp_path):
    lookups, _, _ = place
    late = tmp_path / "late"
    session = spl.Session(lookups=[lookups], lookup_output=late)
    late.symlink_to(lookups, target_is_directory=True)
    with pytest.raises(UsageError, match="is the lookups directory"):
        session.run(WRITE + " | outputlookup users.csv")
    assert (lookups / "users.csv").read_text() == "user,dept\nalice,eng\n"


@pytest.mark.parametrize("command", ["run", "repl"])
def test_cli_refuses_overlapping_directories_before_reading_data(place, tmp_path, capsys,
                                                                 command, monkeypatch):
    import io

    from spl.cli import main

    lookups, _, _ = place
    (tmp_path / "link").symlink_to(lookups, target_is_directory=True)
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(b"| makeresults\n")))
    argv = ([command, "| makeresults"] if command == "run" else [command]) + [
        "--data", str(tmp_path / "no-such-file.json"), "--lookups", str(lookups),
        "--lookup-output", str(tmp_path / "link")]
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.err.startswith("usage error: the lookup output directory ")
    assert "no-such-file" not in captured.err + captured.out  # the data was never read
