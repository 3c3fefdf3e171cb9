"""Detections' tests inside a team's own pytest suite.

Load it with ``-p spl.testing.pytest_plugin`` (or through the package's ``pytest11`` entry point).
Two ways in:

- the fixture ``spl_detection_test``: call it with a detection YAML path; it runs that detection's
  tests and fails the pytest test on a failed one (naming the rule and showing the rows), skips
  it when none ran (skipped, unsupported, unavailable), and returns the Outcomes otherwise;
- ``--spl-collect``: every detection YAML pytest walks into becomes a file of items, one per test
  entry, e.g. ``pytest -p spl.testing.pytest_plugin --spl-collect detections/``.

``--spl-attack-data DIR``, ``--spl-cache DIR``, ``--spl-offline`` and ``--spl-macros DIR`` are
those of ``spl test``.
"""
from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from spl.testing.runner import PASS, Options, Outcome, is_detection_file, run_tests


def pytest_addoption(parser):
    group = parser.getgroup("spl", "detection tests run by spl")
    group.addoption("--spl-attack-data", metavar="DIR", default=None,
                    help="local clone of splunk/attack_data")
    group.addoption("--spl-cache", metavar="DIR", default=None, help="download cache directory")
    group.addoption("--spl-offline", action="store_true", help="never download attack data")
    group.addoption("--spl-macros", action="append", default=[], metavar="DIR",
                    help="extra macro directory; repeatable")
    group.addoption("--spl-collect", action="store_true",
                    help="collect the tests of detection YAMLs as pytest items")


def _options(config) -> Options:
    opt = config.getoption
    return Options(attack_data=Path(opt("spl_attack_data")) if opt("spl_attack_data") else None,
                   cache=Path(opt("spl_cache")) if opt("spl_cache") else None,
                   offline=bool(opt("spl_offline")),
                   macros=[Path(m) for m in opt("spl_macros")])


def describe(outcome: Outcome) -> str:
    """A verdict as plain text: detection, test, reason, then the rows that show it."""
    text = f"{outcome.detection} › {outcome.test}: {outcome.verdict}: {outcome.reason}"
    return "\n".join([text] + ["    " + json.dumps(r, default=str) for r in outcome.rows])


def _settle(outcomes: list[Outcome]) -> None:
    failed = [o for o in outcomes if o.failed]
    if failed:
        pytest.fail("\n".join(describe(o) for o in failed), pytrace=False)
    if not any(o.verdict == PASS for o in outcomes):
        pytest.skip("; ".join(f"{o.test}: {o.verdict}: {o.reason}" for o in outcomes)
                    or "no tests")


@pytest.fixture
def spl_detection_test(request):
    """A function ``check(path, **options) -> list[Outcome]`` that runs one detection's tests."""
    base = _options(request.config)

    def check(path, **overrides) -> list[Outcome]:
        outcomes = run_tests([path], replace(base, **overrides))
        _settle(outcomes)
        return outcomes

    return check


def pytest_collect_file(file_path: Path, parent):
    if (parent.config.getoption("spl_collect") and file_path.suffix in (".yml", ".yaml")
            and is_detection_file(file_path)):
        return DetectionFile.from_parent(parent, path=file_path)
    return None


class DetectionFile(pytest.File):
    """A detection YAML; its tests run together the first time one of its items runs."""

    _outcomes: list[Outcome] | None = None

    def collect(self):
        from spl import detections
        from spl.errors import SplError

        try:
            tests = detections.load(self.path).tests
        except SplError:
            tests = []  # the single item reports the error when it runs
        names = [str(t.get("name")) if isinstance(t, dict) and t.get("name") else f"test {i + 1}"
                 for i, t in enumerate(tests)] or ["-"]
        for i, name in enumerate(names):
            yield DetectionItem.from_parent(self, name=f"{name} [{i + 1}]", index=i)

    def outcomes(self) -> list[Outcome]:
        if self._outcomes is None:
            self._outcomes = run_tests([self.path], _options(self.config))
        return self._outcomes


class DetectionItem(pytest.Item):
    def __init__(self, *, index: int, **kw):
        super().__init__(**kw)
        self.index = index

    def runtest(self):
        assert isinstance(self.parent, DetectionFile)  # collect() makes the items of one file
        outcomes = self.parent.outcomes()
        _settle(outcomes[self.index:self.index + 1] if self.index < len(outcomes) else outcomes)

    def reportinfo(self):
        return self.path, None, f"{self.path.name}::{self.name}"
