"""Baselines: found for a detection whose lookup is missing, run first, into a scratch directory.

The content tree tests/fixtures/baseline_content/ (see its README) holds a detection reading the
KV store collection ``seen_console_users``, the baselines that fill it and two windows of
made-up console sign-ins. Expected rows are worked out by hand from those records:
- history (April 1-2): alice and bob sign in; window (April 10): alice at 08:00, mallory at
  08:15 and 08:45.
- With the history as baseline data, the detection finds mallory only (first sign-in in the
  window: 08:15). With the window itself as baseline data every user of the window is "seen":
  no result.
"""
from __future__ import annotations

import calendar
import json
from pathlib import Path

import pytest

from spl import baselines
from spl.cli import main
from spl.errors import UnsupportedError
from spl.session import Session

TREE = Path(__file__).resolve().parent / "fixtures" / "baseline_content"
DETECTION = TREE / "detections" / "cloud" / "new_console_user.yml"
HISTORY = TREE / "data" / "history.ndjson"
WINDOW = TREE / "data" / "window.ndjson"
MALLORY_FIRST = float(calendar.timegm((2024, 4, 10, 8, 15, 0)))


def test_catalog_finds_by_listed_name_by_outputlookup_and_by_tags():
    catalog = baselines.Catalog(baselines.content_dirs(DETECTION))
    assert catalog.dirs == [TREE / "baselines"]
    names = lambda found: [b.name for b in found]  # noqa: E731
    # the detection names the Initial one: only it runs
    assert names(catalog.find("seen_console_users", "Fixture Console Login By New User",
                              ["Fixture Seen Console Users - Initial"])) == [
        "Fixture Seen Console Users - Initial"]
    # nothing listed: every writer, the one that does not read the lookup first
    assert names(catalog.find("seen_console_users")) == [
        "Fixture Seen Console Users - Initial", "Fixture Seen Console Users - Update"]
    # no writer of the lookup: the baselines whose tags name the detection (a sub-folder too)
    assert names(catalog.find("other_lookup", "Fixture Other Detection")) == [
        "Fixture Linked Only"]
    assert catalog.find("seen_regions", "Fixture Unseen Region") == []


def test_detect_runs_the_baseline_over_the_history(tmp_path, capsys):
    user_out = tmp_path / "my_lookups"
    code = main(["detect", str(DETECTION), "--data", str(WINDOW), "--baseline-data",
                 str(HISTORY), "--lookups", str(TREE / "lookups"),
                 "--lookup-output", str(user_out), "--format", "json"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert json.loads(captured.out) == [{"user": "mallory", "firstTime": str(int(MALLORY_FIRST)),
                                         "_risk_message": "New console user mallory"}]
    assert "ran baseline 'Fixture Seen Console Users - Initial'" in captured.err
    # never into the user's lookups: neither the lookup directory nor the output directory
    assert not user_out.exists() or not any(user_out.iterdir())
    assert sorted(p.name for p in (TREE / "lookups").iterdir()) == [
        "seen_console_users.yml", "seen_regions.yml"]


def test_detect_over_the_same_data_sees_everyone(capsys):
    code = main(["detect", str(DETECTION), "--data", str(WINDOW), "--lookups",
                 str(TREE / "lookups"), "--format", "json"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert json.loads(captured.out) == []


def test_no_baseline_found_is_said_plainly(capsys):
    code = main(["detect", str(TREE / "detections" / "cloud" / "unseen_region.yml"),
                 "--data", str(WINDOW), "--lookups", str(TREE / "lookups")])
    err = capsys.readouterr().err
    assert code == 1
    assert "needs baseline seen_regions: no baseline search fills lookup 'seen_regions'" in err
    assert str(TREE / "baselines") in err


def test_fill_into_a_session(tmp_path):
    session = Session(WINDOW, lookups=[TREE / "lookups"], lookup_output=tmp_path / "out")
    parsed = session.parse(DETECTION.read_text().split("search: '")[1].split("'\nbaselines")[0])
    with pytest.raises(UnsupportedError):
        session.run(parsed)  # the collection is empty until a baseline fills it
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    ran = baselines.fill(session, parsed.pipeline, baselines.Catalog([TREE / "baselines"]),
                         scratch, lambda s: s.load(HISTORY))
    assert [(r.baseline.name, r.rows) for r in ran] == [
        ("Fixture Seen Console Users - Initial", 2), ("Fixture Seen Console Users - Update", 2)]
    assert (scratch / "seen_console_users.csv").read_text().splitlines()[0] == "user,firstSeen"
    assert session.run(parsed).to_dict("records") == [
        {"user": "mallory", "firstTime": MALLORY_FIRST}]
    assert not (tmp_path / "out").exists()


def test_a_search_that_updates_its_own_collection_starts_it_empty(tmp_path):
    """``inputlookup x append=t ... | outputlookup x`` with no baseline: its first run reads an
    empty collection with the columns of the definition's fields_list."""
    session = Session(WINDOW, lookups=[TREE / "lookups"], lookup_output=tmp_path / "scratch")
    search = ("| inputlookup seen_regions | append [| makeresults | eval vendor_region=\"x\"] "
              "| outputlookup seen_regions")
    parsed = session.parse(search)
    baselines.fill(session, parsed.pipeline, baselines.Catalog([]), tmp_path / "scratch")
    assert [r["vendor_region"] for r in session.run(parsed).to_dict("records")] == ["x"]


def test_spl_baseline_by_hand(tmp_path, capsys):
    out = tmp_path / "out"
    code = main(["baseline", str(TREE / "baselines" / "seen_console_users_initial.yml"),
                 "--data", str(HISTORY), "--lookups", str(TREE / "lookups"),
                 "--lookup-output", str(out)])
    assert code == 0, capsys.readouterr().err
    assert "2 row(s); wrote" in capsys.readouterr().out
    rows = (out / "seen_console_users.csv").read_text().splitlines()
    assert rows[0] == "user,firstSeen"
    assert [r.split(",")[0] for r in rows[1:]] == ["alice", "bob"]


def test_spl_test_runs_the_baseline_first(tmp_path):
    from spl.testing import Options, run_tests

    outcomes = run_tests([DETECTION], Options(baseline_data=[HISTORY], offline=True))
    assert [(o.verdict, o.results) for o in outcomes] == [("pass", 1)]
    # over the test's own data the baseline has seen mallory: no result, the test fails
    outcomes = run_tests([DETECTION], Options(offline=True))
    assert [(o.verdict, o.results) for o in outcomes] == [("fail", 0)]
    outcomes = run_tests([TREE / "detections" / "cloud" / "unseen_region.yml"],
                         Options(offline=True))
    assert outcomes[0].verdict == "unsupported"
    assert "no baseline search fills lookup 'seen_regions'" in outcomes[0].reason


def test_exec_coverage_fills_baselines(tmp_path):
    from spl.check import exec_coverage

    results = exec_coverage([TREE / "detections"], lookup_dirs=[TREE / "lookups"],
                            data=[WINDOW])
    got = {Path(r.path).name: (r.status, r.rows) for r in results}
    assert got == {"new_console_user.yml": ("runs", 0), "unseen_region.yml": ("needs_baseline",
                                                                              None)}


# ---------------------------------------------------------------- the shared corpus

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
ESCU_BASELINES = Path(__file__).resolve().parent / "fixtures" / "escu_baselines" / "baselines"


def _cloudtrail_detections() -> list[Path]:
    """ESCU's CloudTrail detections of the corpus: those of cloud/ over `cloudtrail` or the data
    models it feeds, and the removed ones that still have tests."""
    found = []
    for folder in ("cloud", "removed"):
        for path in sorted((SHARED / "escu" / "detections" / folder).glob("*.yml")):
            text = path.read_text()
            if folder == "removed" and "\ntests:" not in text:
                continue
            if "`cloudtrail`" in text or "datamodel=Change" in text or \
                    "datamodel=Authentication" in text or ("datamodel=Risk" in text and "AWS" in text):
                found.append(path)
    return found


def test_every_cloudtrail_detection_of_the_corpus_gets_past_datamodels_and_baselines():
    """None stops at "needs datamodel" or "needs baseline" (the baselines are
    tests/fixtures/escu_baselines/); other stops (an unsupported command) may remain."""
    if not SHARED.is_dir():
        pytest.skip(f"{SHARED} is absent: the shared corpus is only on the maintainers' machines")
    from spl.check import exec_coverage

    paths = _cloudtrail_detections()
    results = exec_coverage(paths, macro_dirs=[SHARED / "escu" / "macros"],
                            data=sorted((SHARED / "cloudtrail").glob("*.ndjson")),
                            lookup_dirs=[SHARED / "escu" / "lookups"],
                            baseline_dirs=[ESCU_BASELINES])
    assert len(results) == len(paths) > 60
    stopped = [(r.path, r.message) for r in results
               if r.status in ("needs_datamodel", "needs_baseline", "error")]
    assert stopped == []
