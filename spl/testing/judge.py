"""Which tests run, and whether a search's results pass: contentctl's rules, restated.

Skips (contentctl ``Detection.adjust_tests_and_groups`` and its test-type rules):
- a detection whose ``status`` is not ``production`` is not tested;
- a ``Correlation`` detection is not tested (contentctl cannot test that type), nor is a
  ``Baseline`` or ``Investigation`` file, which is not a detection; Hunting, TTP and Anomaly are;
- a detection carrying ``manual_test`` (under ``tags:`` or at the top level) is tested by hand;
- a test with ``test_type: experimental`` (the 2026 layout's ported manual tests) is not run;
- a search that needs a baseline run first: the detection lists ``baselines:``, or it reads a
  lookup named ``*baseline*`` or a KV-store lookup (``collection:`` in ``lookups/<name>.yml``),
  which only another search fills.

A unit test passes (contentctl's unit-test check) when the search returns at least one result,
every risk object field is present and not null in every result, and every threat object field
is present and not null in at least one result. contentctl counts the text "null" as null too.
A test with ``expect: no_results`` passes when the search returns nothing.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import yaml

from spl import yamlload
from spl.detections import Detection
from spl.values import is_null

EXPECT_KEY = "expect"
EXPECT_RESULTS = "results"
EXPECT_NONE = "no_results"
_NOT_DETECTIONS = {"baseline", "investigation"}
_LOOKUP = re.compile(r"\b(?:input)?lookup\s+(?:[\w-]+\s*=\s*\S+\s+)*([\w.-]+)", re.I)


@dataclass(frozen=True)
class Judgement:
    passed: bool
    reason: str
    rows: tuple[int, ...] = ()  # 0-based result rows that show the problem


def detection_skip(det: Detection, lookups_dir: Path | None = None) -> str | None:
    """Why no test of ``det`` runs, or None when its tests run."""
    status = det.status.strip().lower()
    if status != "production":
        return f"detection is not production (status: {det.status or 'none'})"
    kind = det.type.strip().lower()
    if kind == "correlation":
        return "Correlation detections are not unit-tested (contentctl cannot test this type)"
    if kind in _NOT_DETECTIONS:
        return f"a {det.type} search is not a detection with tests"
    tags = det.raw.get("tags")
    if not isinstance(tags, dict):
        tags = {}
    manual = det.raw.get("manual_test") or tags.get("manual_test")
    if manual:
        return f"manual test: {str(manual).strip()}"
    baseline = baseline_need(det, lookups_dir)
    if baseline:
        return f"needs a baseline first: {baseline}"
    if not det.tests:
        return "detection has no tests"
    return None


def skip_for_test(test: dict) -> str | None:
    """Why this one test does not run, or None."""
    if str(test.get("test_type", "")).strip().lower() == "experimental":
        why = str(test.get("description") or "").strip()
        return "experimental test" + (f": {why}" if why else "")
    if test.get("baselines"):
        return "needs a baseline first: the test lists baselines"
    return None


def expectation(test: dict) -> str:
    """``results`` (the default) or ``no_results``; anything else is a ValueError."""
    value = str(test.get(EXPECT_KEY, EXPECT_RESULTS)).strip().lower()
    if value not in (EXPECT_RESULTS, EXPECT_NONE):
        raise ValueError(f"unknown '{EXPECT_KEY}: {test.get(EXPECT_KEY)}' "
                         f"(use '{EXPECT_RESULTS}' or '{EXPECT_NONE}')")
    return value


def baseline_need(det: Detection, lookups_dir: Path | None) -> str | None:
    """What baseline the search depends on, or None."""
    listed = det.raw.get("baselines")
    if listed:
        names = ", ".join(str(b) for b in listed) if isinstance(listed, list) else str(listed)
        return f"run the baseline search(es) {names}"
    for name in _LOOKUP.findall(det.search):
        if "baseline" in name.lower():
            return f"lookup {name} is filled by a baseline search"
        if lookups_dir is not None and _is_kv_store(lookups_dir / f"{name}.yml"):
            return f"lookup {name} is a KV store collection filled by another search"
    return None


def _is_kv_store(path: Path) -> bool:
    if not path.is_file():
        return False
    try:
        doc = yamlload.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return False
    return isinstance(doc, dict) and bool(doc.get("collection")) and not doc.get("filename")


def _unique(names) -> list[str]:
    return list(dict.fromkeys(names))


def _null(value) -> bool:
    return is_null(value) or (isinstance(value, str) and value == "null")


def _rows(indexes) -> str:
    return ", ".join(str(i + 1) for i in indexes)


def judge(table: pd.DataFrame, risk_objects: list[str], threat_objects: list[str],
          expect: str = EXPECT_RESULTS) -> Judgement:
    """Apply the unit-test rules to a search's results; the first broken rule is the reason."""
    count = len(table)
    if expect == EXPECT_NONE:
        if count:
            return Judgement(False, f"expected no results, got {count}", tuple(range(count)))
        return Judgement(True, "no results, as expected")
    if count == 0:
        return Judgement(False, "no results (rule: at least one result)")
    for name in _unique(risk_objects):
        if name not in table.columns:
            return Judgement(False, f"risk object field '{name}' is missing from the results "
                                    "(rule: in every result)", tuple(range(count)))
        empty = [i for i, v in enumerate(table[name].tolist()) if _null(v)]
        if empty:
            return Judgement(False, f"risk object field '{name}' is null in result(s) "
                                    f"{_rows(empty)} of {count} (rule: in every result)",
                             tuple(empty))
    for name in _unique(threat_objects):
        if name not in table.columns or all(_null(v) for v in table[name].tolist()):
            return Judgement(False, f"threat object field '{name}' is null in every result "
                                    "(rule: in at least one result)", tuple(range(count)))
    noun = "result" if count == 1 else "results"
    return Judgement(True, f"{count} {noun}")
