"""Helpers of the tests of spl's sourcetype definitions (tests/test_sourcetype_*.py).

Each of those tests loads hand-written records (tests/fixtures/sourcetypes/<dir>/) with an
explicit sourcetype through the Python API, and runs ESCU detections taken from the shared
corpus (../shared/corpus/escu, skipped when absent) with ESCU's own macros.
"""
from __future__ import annotations

import calendar
from pathlib import Path

import pytest
import yaml

from spl.session import Session
from spl.values import is_null, to_str

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "sourcetypes"
SHARED = Path(__file__).resolve().parents[1].parent / "shared"
ESCU = SHARED / "corpus" / "escu"


def utc(text: str) -> float:
    """Epoch seconds of ``YYYY-MM-DDTHH:MM:SS`` read as UTC."""
    return float(calendar.timegm((int(text[0:4]), int(text[5:7]), int(text[8:10]),
                                  int(text[11:13]), int(text[14:16]), int(text[17:19]), 0, 0, 0)))


def session(fixture_dir: str, files, sourcetype: str, *, source: str | None = None,
            lookup_output=None) -> Session:
    """A session over fixture files of ``fixture_dir``, loaded as ``sourcetype``, with ESCU's
    macros and lookups when the shared corpus is there."""
    paths = [FIXTURES / fixture_dir / f for f in ([files] if isinstance(files, str) else files)]
    macros = [ESCU / "macros"] if ESCU.is_dir() else []
    lookups = [ESCU / "lookups"] if ESCU.is_dir() else []
    return Session(paths, sourcetype=sourcetype, source=source, macros=macros, lookups=lookups,
                   lookup_output=lookup_output)


def events(fixture_dir: str, files, sourcetype: str, key: str, **options) -> dict[str, dict]:
    """Every event of the fixture files as {field: value}, by the value of field ``key``."""
    table = session(fixture_dir, files, sourcetype, **options).events
    out = {}
    for row in table.to_dict("records"):
        out[row[key]] = {k: v for k, v in row.items() if not is_null(v)}
    return out


def detection(path: str) -> str:
    """The search of an ESCU detection of the shared corpus (skips when it is absent)."""
    file = ESCU / "detections" / path
    if not file.is_file():
        pytest.skip(f"{ESCU} is absent: the ESCU corpus is only on the maintainers' machines")
    return yaml.safe_load(file.read_text())["search"]


def rows(sess: Session, search: str) -> list[dict]:
    """The result rows of ``search``, cells as Splunk prints them (a multivalue cell a list)."""
    table = sess.run(search)
    return [{k: _text(v) for k, v in row.items() if not is_null(v)}
            for row in table.to_dict("records")]


def _text(v):
    if isinstance(v, list):
        return [to_str(x) for x in v]
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return to_str(v)


def rule(fixture_dir: str):
    """The ``[rule::<dir>]`` stanza of a definition's props.conf: (sourcetype, [(kind, percent,
    compiled regex)]) with kind MORE_THAN or LESS_THAN (Splunk's rule-based source typing)."""
    import re

    from spl.data.props import BUILTIN, parse_conf

    path = BUILTIN / fixture_dir / "props.conf"
    stanza = parse_conf(path.read_text(), str(path))[f"rule::{fixture_dir}"]
    tests = []
    for key, value in stanza.items():
        kind, _, percent = key.rpartition("_")
        if kind in ("MORE_THAN", "LESS_THAN"):
            tests.append((kind, int(percent), re.compile(value)))
    return stanza["sourcetype"], tests


def rule_matches(fixture_dir: str, lines: list[str]) -> bool:
    """Whether the lines meet the rule: more than n% match each MORE_THAN_n regex, fewer than
    n% each LESS_THAN_n (props.conf.spec, [rule::<rulename>])."""
    _, tests = rule(fixture_dir)
    for kind, percent, regex in tests:
        share = 100 * sum(1 for x in lines if regex.search(x)) / len(lines)
        if (kind == "MORE_THAN" and not share > percent) or (
                kind == "LESS_THAN" and not share < percent):
            return False
    return True


def corpus_records(folder: str, name: str) -> list[tuple[str, str]]:
    """(line, flags) of the shared corpus's records of ``folder/name.ndjson`` (skips when it is
    absent)."""
    data = SHARED / "corpus" / folder / f"{name}.ndjson"
    prov = SHARED / "corpus" / folder / "provenance" / f"{name}.tsv"
    if not data.is_file():
        pytest.skip(f"{SHARED} is absent: the corpus is only on the maintainers' machines")
    flags = [r.split("\t")[4] if len(r.split("\t")) > 4 else ""
             for r in prov.read_text().splitlines()[1:]]
    return list(zip(data.read_text().splitlines(), flags))
