"""``spl test``: run detections' own tests (their ``attack_data``) and judge them as contentctl does.

For each detection YAML (security_content's layouts, older ``rba:`` and 2026 ``finding:``) and
each entry of its ``tests:``, the attack data is found (a local clone of splunk/attack_data given
by ``--attack-data``, else the download cache, else a download), loaded with the entry's
``sourcetype`` and ``source`` (an entry without ``sourcetype`` gets its data's, detected from the
content by spl.data), and the detection's search is run verbatim over all time with the macros
of the content tree. The verdicts:

- pass / fail: contentctl's unit-test rules (spl.testing.judge); a failure names the broken rule
  and shows the result rows;
- skip: what contentctl does not test (non-production, Correlation, manual tests, experimental
  tests, searches that need a baseline first);
- unsupported: the search uses a command or function the engine lacks, or the data has a
  sourcetype it has no definition for;
- unavailable: offline without a cached copy, or a Git LFS pointer instead of the data;
- error: the detection or its data cannot be used (bad YAML, missing file, a search error).
Exit status: 1 when a test failed or erred; else 3 when nothing was tested (no test passed:
every one was unavailable, unsupported or skipped, and not every one skipped), which CI must
not take for a pass; else 0.

Negative tests (security_content has none): a test entry may say ``expect: no_results``; it then
passes only when the search returns nothing over its attack data. ``expect: results`` is the
default. The key is an extra field of the test mapping (security_content's test fields are
``name``, ``test_type``, ``description``, ``attack_data``, and in older schemas ``pass_condition``,
``earliest_time``, ``latest_time``, ``baselines``); loaders that ignore unknown keys, as pydantic
models do by default, accept it. contentctl would run such a test as an ordinary positive one
and fail it, so a pack that is also tested by contentctl keeps negative tests out of its way::

    tests:
      - name: Benign admin activity
        expect: no_results
        attack_data:
          - data: benign_cloudtrail.json
            sourcetype: aws:cloudtrail
            source: aws_cloudtrail

Python use: ``run_tests(paths, Options(...))`` returns a list of ``Outcome``; the pytest plugin
(spl.testing.pytest_plugin) runs them inside a team's own test suite.
"""
from __future__ import annotations

from pathlib import Path

from spl.testing.runner import Options, Outcome, run_tests

__all__ = ["main", "run_tests", "Options", "Outcome"]


def main(args) -> int:
    """The ``spl test`` command over parsed arguments; returns the exit status."""
    from rich.console import Console

    from spl.testing import reports

    for target in (args.junit, args.summary):
        if target:
            reports.check_target(target)
    out = Console(soft_wrap=False)
    err = Console(stderr=True)
    options = Options(attack_data=Path(args.attack_data) if args.attack_data else None,
                      cache=Path(args.cache) if args.cache else None, offline=args.offline,
                      jobs=max(1, args.jobs), macros=[Path(m) for m in args.macros],
                      baselines=[Path(b) for b in args.baselines],
                      baseline_data=[Path(d) for d in args.baseline_data],
                      discover=not args.no_discover)
    live = err if err.is_terminal else None
    outcomes = run_tests(args.paths, options, console=live,
                         on_result=(lambda o: err.print(reports.line(o), highlight=False))
                         if live else None)
    if args.format == "json":
        out.print(reports.to_json(outcomes), markup=False, highlight=False, soft_wrap=True)
    else:
        out.print(reports.summary_table(outcomes))
        for heading, table in reports.failure_tables(outcomes):
            out.print(heading, highlight=False)
            out.print(table)
        out.print(reports.totals(outcomes), highlight=False)
    if args.junit:
        reports.write_junit(outcomes, args.junit)
    if args.summary:
        reports.write_summary(outcomes, args.summary)
    return exit_status(outcomes)


NOTHING_TESTED = 3


def exit_status(outcomes) -> int:
    """1 on a failure or error; NOTHING_TESTED when no test passed and not every one was
    skipped (the rest unavailable or unsupported); else 0 (see the module doc)."""
    from spl.testing.runner import PASS, SKIP

    if any(o.failed for o in outcomes):
        return 1
    verdicts = {o.verdict for o in outcomes}
    if PASS not in verdicts and verdicts - {SKIP}:
        return NOTHING_TESTED
    return 0
