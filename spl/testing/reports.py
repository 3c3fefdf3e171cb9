"""What ``spl test`` tells people and machines: a table, failing rows, JSON, JUnit XML, a YAML summary."""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import asdict
from pathlib import Path

import yaml
from rich.table import Table

from spl.errors import ConfigError
from spl.testing.runner import ERROR, FAIL, PASS, SKIP, UNAVAILABLE, UNSUPPORTED, Outcome

STYLE = {PASS: "green", FAIL: "bold red", ERROR: "bold red", SKIP: "yellow",
         UNSUPPORTED: "magenta", UNAVAILABLE: "cyan"}


def verdict_text(outcome: Outcome) -> str:
    return f"[{STYLE[outcome.verdict]}]{outcome.verdict.upper()}[/]"


def line(outcome: Outcome) -> str:
    """One line for the live display as a verdict arrives."""
    return (f"{verdict_text(outcome)} {_escape(outcome.detection)} › {_escape(outcome.test)}"
            f" [dim]{_escape(outcome.reason)}[/]")


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)


def summary_table(outcomes: list[Outcome]) -> Table:
    table = Table(title="spl test", show_lines=False)
    table.add_column("detection")
    table.add_column("test")
    table.add_column("verdict")
    table.add_column("results", justify="right")
    table.add_column("time", justify="right")
    table.add_column("reason")
    for o in outcomes:
        table.add_row(_escape(o.detection), _escape(o.test), verdict_text(o),
                      "" if o.results is None else str(o.results),
                      f"{o.seconds:.2f}s" if o.results is not None else "", _escape(o.reason))
    return table


def totals(outcomes: list[Outcome]) -> str:
    counts = Counter(o.verdict for o in outcomes)
    order = (PASS, FAIL, ERROR, SKIP, UNSUPPORTED, UNAVAILABLE)
    return ", ".join(f"{counts[v]} {v}" for v in order if counts[v]) or "no tests"


def failure_tables(outcomes: list[Outcome]) -> list[tuple[str, Table]]:
    """For each failed test with rows to show: a heading naming the broken rule, and the rows."""
    tables = []
    for o in outcomes:
        if o.verdict != FAIL or not o.rows:
            continue
        t = Table()
        for c in o.columns:
            t.add_column(_escape(c))
        for row in o.rows:
            t.add_row(*(_cell(row.get(c)) for c in o.columns))
        tables.append((line(o), t))
    return tables


def _cell(value) -> str:
    if value is None:
        return "[dim]null[/]"
    if isinstance(value, list):
        return _escape("\n".join(str(v) for v in value))
    return _escape(str(value))


def to_json(outcomes: list[Outcome]) -> str:
    return json.dumps([asdict(o) for o in outcomes], indent=2, default=str)


def write_junit(outcomes: list[Outcome], path: str | Path) -> None:
    """JUnit XML: one testcase per test, classname = detection; skip-like verdicts are skipped."""
    counts = Counter(o.verdict for o in outcomes)
    skipped = counts[SKIP] + counts[UNSUPPORTED] + counts[UNAVAILABLE]
    total_time = sum(o.seconds for o in outcomes)
    attrs = {"tests": str(len(outcomes)), "failures": str(counts[FAIL]),
             "errors": str(counts[ERROR]), "skipped": str(skipped), "time": f"{total_time:.3f}"}
    root = ET.Element("testsuites", {"name": "spl test", **attrs})
    suite = ET.SubElement(root, "testsuite", {"name": "detections", **attrs})
    for o in outcomes:
        case = ET.SubElement(suite, "testcase", {"classname": o.detection, "name": o.test,
                                                 "file": o.file, "time": f"{o.seconds:.3f}"})
        if o.verdict == FAIL:
            node = ET.SubElement(case, "failure", {"message": o.reason, "type": "DetectionTest"})
            node.text = _rows_text(o)
        elif o.verdict == ERROR:
            ET.SubElement(case, "error", {"message": o.reason, "type": "DetectionError"})
        elif o.verdict != PASS:
            ET.SubElement(case, "skipped", {"message": f"{o.verdict}: {o.reason}"})
    ET.indent(root)
    _write(path, ET.tostring(root, encoding="utf-8", xml_declaration=True))


def _rows_text(o: Outcome) -> str:
    return "\n".join(json.dumps(r, default=str) for r in o.rows)


def write_summary(outcomes: list[Outcome], path: str | Path) -> None:
    """A YAML summary shaped like contentctl's summary.yml: totals, then tested and skipped
    detections, each with its tests' results."""
    by_file: dict[str, list[Outcome]] = {}
    for o in outcomes:
        by_file.setdefault(o.file, []).append(o)
    tested: list[dict] = []
    skipped: list[dict] = []
    for file, group in by_file.items():
        first = group[0]
        entry = {"name": first.detection, "file_path": file, "type": first.type,
                 "production_status": first.status, "status": _detection_status(group),
                 "success": not any(o.failed for o in group),
                 "tests": [{"name": o.test, "expect": o.expect, "status": o.verdict,
                            "success": not o.failed, "message": o.reason,
                            "resultCount": o.results, "duration": round(o.seconds, 3)}
                           for o in group]}
        (skipped if entry["status"] == SKIP else tested).append(entry)
    passed = sum(1 for d in tested if d["status"] == PASS)
    failed = sum(1 for d in tested if d["status"] == FAIL)
    summary = {"summary": {
        "mode": "spl test", "success": failed == 0,
        "total_detections": len(by_file), "total_tested_detections": len(tested),
        "total_pass": passed, "total_fail": failed, "total_skipped": len(skipped),
        "total_not_run": len(tested) - passed - failed,
        "success_rate": f"{(100.0 * passed / len(tested)) if tested else 0.0:.1f}%"},
        "tested_detections": tested, "skipped_detections": skipped}
    _write(path, yaml.safe_dump(summary, sort_keys=False, allow_unicode=True).encode("utf-8"))


def check_target(path: str | Path) -> None:
    """Refuse, before any test runs, a report path whose directory does not exist (or that is a
    directory): finding out only after a long run would lose the run."""
    path = Path(path)
    if path.is_dir():
        raise ConfigError("cannot write the report: it is a directory", file=str(path))
    if not path.parent.is_dir():
        raise ConfigError(f"cannot write the report: no directory {str(path.parent)!r}",
                          file=str(path))


def _write(path: str | Path, data: bytes) -> None:
    try:
        Path(path).write_bytes(data)
    except OSError as exc:
        raise ConfigError(f"cannot write the report: {exc.strerror}", file=str(path)) from None


def _detection_status(group: list[Outcome]) -> str:
    """contentctl's roll-up: fail if any test failed, pass if one passed and the rest passed or
    were skipped, skip if all were skipped; our unsupported/unavailable tests roll up as such."""
    verdicts = {o.verdict for o in group}
    if verdicts & {FAIL, ERROR}:
        return FAIL
    if PASS in verdicts and verdicts <= {PASS, SKIP}:
        return PASS
    if verdicts == {SKIP}:
        return SKIP
    return next(v for v in (UNSUPPORTED, UNAVAILABLE, PASS) if v in verdicts)
