"""Streamed output (spl.output): the bytes the whole-result serializers gave, written a batch at a
time; the CLI's --max-rows for table output; a closed pipe ends quietly.

The oracle is the code these writers replaced (spl/render.py at 0d7a1cb: one cell at a time, one
JSON string or CSV text for the whole result, printed through rich), kept here verbatim.
"""
import io
import json
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import orjson
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console

import spl.cli
from spl import output, render, timefmt
from spl.values import is_null, to_number, to_str
from spltest import table

EXAMPLE = Path(spl.cli.__file__).parent / "examples" / "bedrock_cloudtrail.json"
TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%3N%:z"


# -- the serializers before streaming ------------------------------------------------------------
def old_cell(column, v, tz):
    if is_null(v):
        return None
    if column == "_time":
        n = to_number(v)
        return timefmt.strftime(float(n), TIME_FORMAT, tz) if n is not None else to_str(v)
    if isinstance(v, list):
        return [to_str(x) for x in v]
    return to_str(v)


def old_to_json(t, tz="UTC", extra=None):
    columns = list(t.columns)
    rows = []
    for row in t[columns].itertuples(index=False, name=None):
        item = {}
        for c, v in zip(columns, row):
            value = old_cell(c, v, tz)
            if value is not None:
                item[c] = value
        rows.append(item)
    for row, more in zip(rows, extra or []):
        row.update(more)
    return orjson.dumps(rows, option=orjson.OPT_INDENT_2).decode()


def old_to_csv(t, tz="UTC"):
    """The csv module's CSV, with one deliberate difference: a field holding a carriage return is
    quoted (the module, with ``\\n`` line ends, leaves it bare, and a bare CR splits the row)."""
    import csv
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    columns = list(t.columns)
    writer.writerow(columns)
    for row in t.itertuples(index=False, name=None):
        cells = [old_cell(c, v, tz) for c, v in zip(columns, row)]
        fields = ["\n".join(x) if isinstance(x, list) else ("" if x is None else x)
                  for x in cells]
        if any("\r" in f for f in fields):
            buf.write(",".join('"' + f.replace('"', '""') + '"'
                               if any(ch in f for ch in ',"\r\n') else f for f in fields) + "\n")
        else:
            writer.writerow(fields)
    return buf.getvalue()


def old_show(t, fmt, tz="UTC"):
    """What ``spl run --format json|csv`` printed: the text through a rich Console on a pipe."""
    console = Console(file=io.StringIO(), soft_wrap=False)
    if fmt == "json":
        console.print(old_to_json(t, tz), markup=False, highlight=False, soft_wrap=True)
    else:
        console.print(old_to_csv(t, tz), markup=False, highlight=False, soft_wrap=True, end="")
    return console.file.getvalue()


def new(fmt, t, tz="UTC", rows=output.BATCH_ROWS, extra=None):
    buf = io.BytesIO()
    if fmt == "json":
        output.write_json(output.batches(t, rows), buf, tz, extra)
    else:
        output.write_csv(output.batches(t, rows), buf, tz)
    return buf.getvalue()


# -- tables of every kind of cell ----------------------------------------------------------------
def _frame(columns: dict) -> pd.DataFrame:
    return pd.DataFrame(columns)


TABLES = {
    "multivalue": table([{"a": ["x", "y"], "n": 3}, {"n": 2.5, "a": None},
                         {"a": ["only, one", 'q"uote', "new\nline"]}]),
    "nulls": _frame({"a": pd.Series(["x", None, float("nan"), None], dtype=object),
                     "b": pd.Series([None, None, None, None], dtype=object),
                     "c": pd.Series([1.0, float("nan"), 3.5, float("nan")])}),
    "all-null row": table([{"a": "1", "b": None}, {"a": None, "b": None}, {"a": None, "b": "2"}]),
    "times": _frame({"_time": [1773064800.25, 1773064800.0004, 1773064800.9995, 0.0, -1.5,
                               -86400.001, 1773064800.0, float("nan"), 253402300799.0,
                               -62135596800.0],
                     "x": list("abcdefghij")}),
    "time ints": _frame({"_time": np.array([1773064800, 0, -5], dtype=np.int64), "y": [1, 2, 3]}),
    "time objects": table([{"_time": 1773064800.5}, {"_time": "1773064801"},
                           {"_time": "not a time"}, {"_time": None}, {"_time": 7}]),
    "unicode": table([{"名前": "中文", "e": "é", "emoji": "😀", "rtl": "a\u202eb",
                       "combining": "e\u0301", "sep": "\u2028"}]),
    "escapes": table([{"q": 'say "hi"', "bs": "a\\b", "ctl": "\x00\x1b[31m\x7f", "tab": "a\tb",
                       "nl": "a\nb", "cr": "a\rb", "comma": "a,b", "space": " lead"}]),
    "numbers": _frame({"f": [1.0, 2.5, -0.0, 1e16, 1e15 + 0.5, float("inf"), float("-inf"),
                             123456789012345678.0, 0.1 + 0.2],
                       "i": np.arange(-4, 5, dtype=np.int64),
                       "b": [True, False] * 4 + [True],
                       "o": pd.Series([1, 2.0, 2.5, True, "7", 2**60, -3, float("inf"), None],
                                      dtype=object)}),
    "str dtype": _frame({"s": pd.Series(["a", None, "c"], dtype="str")}),
    "categorical": _frame({"c": pd.Series(["x", None, "x"], dtype="category")}),
    "one column of empties": table([{"a": ""}, {"a": None}, {"a": "x"}]),
    "awkward names": table([{'na"me': "1", "a,b": "2", "lé": "3", "_raw": "{\"k\": 1}"}]),
    "no rows": table([{"a": "1", "b": "2"}]).iloc[:0],
    "no columns": pd.DataFrame(),
    "rows without columns": pd.DataFrame(index=range(3)),
}


@pytest.mark.parametrize("rows", [1, 2, 3, output.BATCH_ROWS])
@pytest.mark.parametrize("name", list(TABLES))
def test_json_and_csv_bytes_are_the_old_ones(name, rows):
    t = TABLES[name]
    assert new("json", t, rows=rows) == (old_to_json(t) + "\n").encode()
    assert new("csv", t, rows=rows) == old_to_csv(t).encode()


@pytest.mark.parametrize("tz", ["America/New_York", "Asia/Kolkata", "Australia/Lord_Howe",
                                "America/St_Johns", "Europe/Amsterdam"])
def test_times_in_other_zones_are_the_old_ones(tz):
    # DST changes (New York 8 March 2026, Lord Howe's half hour), :30 offsets, and 1900, when
    # Amsterdam's offset was +00:19:32 (local mean time: the seconds move, %:z shows minutes)
    times = [1773064800.25, 1772949600.0, 1772953200.5, 1775404800.0, 1775408400.75,
             -2208988800.0, 0.0, float("nan")]
    t = _frame({"_time": times, "v": [str(i) for i in range(len(times))]})
    for rows in (1, 3, 100):
        assert new("json", t, tz, rows) == (old_to_json(t, tz) + "\n").encode()
        assert new("csv", t, tz, rows) == old_to_csv(t, tz).encode()


def test_worked_example_by_hand():
    # 1773064800.25 is 2026-03-09T14:00:00.250Z; nulls left out; the array indented by two
    t = _frame({"_time": [1773064800.25, 1773064801.0],
                "a": pd.Series([["x", "y"], None], dtype=object),
                "n": [3.0, float("nan")]})
    assert new("json", t, rows=1) == (
        b'[\n  {\n    "_time": "2026-03-09T14:00:00.250+00:00",\n    "a": [\n      "x",\n'
        b'      "y"\n    ],\n    "n": "3"\n  },\n  {\n    "_time": '
        b'"2026-03-09T14:00:01.000+00:00"\n  }\n]\n')
    assert new("csv", t, rows=1) == (b'_time,a,n\n2026-03-09T14:00:00.250+00:00,"x\ny",3\n'
                                     b'2026-03-09T14:00:01.000+00:00,,\n')
    assert new("json", t.iloc[:0]) == b"[]\n"


def test_risk_messages_of_spl_detect_are_added_to_their_rows():
    # cli.py passes one {"_risk_message": m} a row; fewer messages than rows leave the rest as
    # they are, and a field of that name is replaced where it was
    t = table([{"a": "1", "_risk_message": "old"}, {"a": "2"}, {"a": "3"}])
    extra = [{"_risk_message": "é first"}, {"_risk_message": "second"}]
    for rows in (1, 2, 10):
        assert new("json", t, rows=rows, extra=extra) == (
            old_to_json(t, extra=extra) + "\n").encode()
    assert json.loads(new("json", t, rows=1, extra=extra)) == [
        {"a": "1", "_risk_message": "é first"}, {"a": "2", "_risk_message": "second"},
        {"a": "3"}]


@pytest.mark.parametrize("name", ["multivalue", "nulls", "times", "unicode", "numbers",
                                  "awkward names", "no rows"])
def test_same_bytes_as_printed_through_rich_before(name):
    t = TABLES[name]
    for fmt in ("json", "csv"):
        console = Console(file=io.StringIO(), soft_wrap=False)
        render.show(t, fmt, console)
        assert console.file.getvalue() == old_show(t, fmt)


def test_text_that_rich_used_to_change_is_written_as_it_is():
    # rich turned ":smile:" into an emoji, a tab into spaces and dropped a carriage return
    t = table([{"a": ":smile: a\tb\rc"}])
    assert json.loads(new("json", t)) == [{"a": ":smile: a\tb\rc"}]
    assert new("csv", t) == b"a\n\":smile: a\tb\rc\"\n"  # a CR is quoted (spl.output._Quoter)


def test_a_time_out_of_range_is_the_search_error_it_was():
    from spl.errors import SearchError

    t = _frame({"_time": [1.0, 1e12]})
    with pytest.raises(SearchError, match="out of range"):
        new("json", t)
    with pytest.raises(SearchError, match="out of range"):
        old_to_json(t)


cells = st.one_of(
    st.none(), st.just(float("nan")),
    st.text(alphabet=st.sampled_from('ab ,"\n\r\t\\é😀\x00'), max_size=6),
    st.lists(st.text(alphabet="ab,\"\n", max_size=3), min_size=2, max_size=3),
    st.integers(-2**62, 2**62), st.floats(allow_nan=False, width=64), st.booleans())
times = st.one_of(st.none(), st.floats(-1e10, 1e10), st.integers(-10**10, 10**10))


@settings(max_examples=150, deadline=None)
@given(data=st.data(), n=st.integers(0, 7), rows=st.integers(1, 4),
       tz=st.sampled_from(["UTC", "Asia/Kolkata", "America/New_York"]))
def test_any_table_gives_the_old_bytes(data, n, rows, tz):
    names = data.draw(st.lists(st.sampled_from(["_time", "a", "b", "c", "d"]), unique=True,
                               max_size=4))
    columns = {}
    for name in names:
        values = data.draw(st.lists(times if name == "_time" else cells, min_size=n, max_size=n))
        columns[name] = pd.Series(values, dtype=object)
    t = pd.DataFrame(columns, index=range(n))
    if "_time" in t and data.draw(st.booleans()):  # as loaded: a float column
        t["_time"] = [math.nan if v is None else float(v) for v in t["_time"]]
    assert new("json", t, tz, rows) == (old_to_json(t, tz) + "\n").encode()
    assert new("csv", t, tz, rows) == old_to_csv(t, tz).encode()


def test_rows_are_written_as_their_batch_arrives():
    # a batch is serialized and written before the next one is asked for: memory holds one
    pulled = []
    writes = []

    def parts():
        for i in range(4):
            pulled.append(i)
            yield table([{"a": str(i)}, {"a": str(i) + "b"}])

    class Stream(io.BytesIO):
        def write(self, data):
            writes.append((len(pulled), bytes(data)))
            return super().write(data)

    for fmt in ("json", "csv"):
        pulled.clear()
        writes.clear()
        output.write(fmt, parts(), Stream())
        written_by = {}
        for seen, data in writes:
            written_by[seen] = written_by.get(seen, b"") + data
        assert sorted(written_by) == [1, 2, 3, 4]  # something written after each batch
        assert b"0b" in written_by[1] and b"1" not in written_by[1]


# -- the command line ----------------------------------------------------------------------------
def _run(capsys, *args):
    code = spl.cli.main(["run", *args, "--data", str(EXAMPLE)])
    return code, capsys.readouterr().out


def test_table_output_shows_max_rows_and_says_how_many_more(capsys):
    code, ids = _run(capsys, "`cloudtrail` | table eventID", "--format", "json", "--max-rows", "5")
    ids = [r["eventID"] for r in json.loads(ids)]
    assert code == 0 and len(ids) == 24  # json is never cut
    code, text = _run(capsys, "`cloudtrail` | table eventID", "--format", "table", "--max-rows",
                      "5")
    assert code == 0
    assert [i for i in ids if i in text] == ids[:5]
    assert "24 results" in text
    assert text.rstrip().endswith("19 more results not shown (use --max-rows or --format json)")
    for more in (["--max-rows", "0"], []):  # all, and the default 100
        code, text = _run(capsys, "`cloudtrail` | table eventID", "--format", "table", *more)
        assert [i for i in ids if i in text] == ids and "not shown" not in text
    code, text = _run(capsys, "`cloudtrail` | table eventID", "--format", "csv", "--max-rows",
                      "1")
    assert text.splitlines() == ["eventID", *ids]


def test_max_rows_must_be_a_count(capsys):
    for bad in ("-1", "many"):
        with pytest.raises(SystemExit) as exc:
            spl.cli.main(["run", "| makeresults", "--max-rows", bad])
        assert exc.value.code == 2
        assert "is not a number of rows" in capsys.readouterr().err


def test_detect_table_prints_risk_lines_of_the_rows_shown(tmp_path, capsys):
    det = tmp_path / "d.yml"
    det.write_text("name: d\nsearch: '`cloudtrail` | stats count by eventName'\n"
                   "rba:\n  message: saw $eventName$\n")
    assert spl.cli.main(["detect", str(det), "--data", str(EXAMPLE), "--format", "json"]) == 0
    names = [r["eventName"] for r in json.loads(capsys.readouterr().out)]
    assert len(names) > 2
    assert spl.cli.main(["detect", str(det), "--data", str(EXAMPLE), "--format", "table",
                         "--max-rows", "2"]) == 0
    text = capsys.readouterr().out
    assert [line.split("saw ")[1] for line in text.splitlines() if "risk: " in line] == names[:2]
    more = len(names) - 2
    assert text.rstrip().endswith(f"{more} more result{'s' if more != 1 else ''} not shown "
                                  "(use --max-rows or --format json)")


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_a_reader_that_goes_away_ends_the_output_quietly(tmp_path, fmt):
    # `spl run ... | head -c 100`: several MB of events into a pipe closed after 100 bytes
    data = tmp_path / "ct.json"
    data.write_bytes(EXAMPLE.read_bytes() * 100)
    script = (f'"{sys.executable}" -m spl.cli run \'`cloudtrail`\' --data "{data}" '
              f'--format {fmt} 2>"{tmp_path}/err" | head -c 100 >"{tmp_path}/out"; '
              'echo "${PIPESTATUS[0]}"')
    done = subprocess.run(["bash", "-c", script], capture_output=True, text=True, check=True,
                          cwd=Path(spl.cli.__file__).parents[1],
                          env={**os.environ, "PYTHONWARNINGS": "ignore"})
    err = (tmp_path / "err").read_text()
    assert done.stdout.strip() == "141", err
    assert "Traceback" not in err and "Exception ignored" not in err and "Broken" not in err
    head = (tmp_path / "out").read_bytes()
    assert len(head) == 100
    assert head.startswith(b"[\n  {\n" if fmt == "json" else b"_time,")


# -- the REPL's .save ----------------------------------------------------------------------------
def _repl(last):
    from spl.repl import Repl, make_console

    buffer = io.StringIO()
    repl = Repl(console=make_console(file=buffer, width=120, color_system=None,
                                     force_terminal=False))
    repl.last = last
    return repl, buffer


def test_repl_save_writes_every_batch_as_before(tmp_path):
    n = 2 * output.BATCH_ROWS + 1
    t = _frame({"_time": 1773064800.0 + np.arange(n) / 8,
                "i": pd.Series([str(i) if i % 3 else None for i in range(n)], dtype=object)})
    repl, buffer = _repl(t)
    for fmt, old in (("json", old_to_json(t) + "\n"), ("csv", old_to_csv(t))):
        repl.handle(f".save {tmp_path / ('r.' + fmt)}")
        assert (tmp_path / ("r." + fmt)).read_bytes() == old.encode()
        assert f"saved {n} rows to {tmp_path / ('r.' + fmt)}" in buffer.getvalue()


def test_repl_save_that_fails_leaves_no_file(tmp_path):
    # the second batch holds a time past year 9999: the error is said, no half file is left
    t = _frame({"_time": [1.0] * output.BATCH_ROWS + [1e12]})
    repl, buffer = _repl(t)
    repl.handle(f".save {tmp_path / 'r.json'}")
    assert "out of range" in buffer.getvalue()
    assert not (tmp_path / "r.json").exists()
