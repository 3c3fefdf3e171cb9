"""anomalydetection: events whose field values are jointly rare, by the histogram method.

Splunk (https://help.splunk.com/en/splunk-enterprise/search/spl-search-reference/9.4/search-commands/anomalydetection):
``anomalydetection [method=...] [action=...] [pthresh=<num>] [cutoff=<bool>] [<field-list>]``.
An event's probability is the product of the frequencies of its field values: a categorical
value's frequency is its count over the number of events; a numerical value's is the size of its
histogram bin over the number of events. ``pthresh`` (a probability) separates anomalous events;
without it the threshold is computed, ``1st-quartile - 1.5 * IQR`` when ``cutoff=false``, a
formula modified to give fewer anomalies when ``cutoff=true`` (the default). ``action=filter``
(default) keeps the anomalous events, ``annotate`` keeps every event, both adding
``log_event_prob`` (natural log of the probability), ``probable_cause`` (the field that best
explains the anomaly), ``probable_cause_freq`` (its value's frequency) and ``max_freq`` (the
largest frequency of the event's values); ``summary`` returns one row: num_anomalies, thresh,
max_logprob, min_logprob, 1st_quartile, 3rd_quartile (quartiles of log(event_prob)).
method=zscore ("performs like" anomalousvalue) and method=iqr (like outlier) are not implemented:
the page defines them only by reference to those commands, whose own pages leave their scores
and percentiles unspecified; asking for them is an UnsupportedError naming the method.

The page leaves these open; spl's readings (each pinned in tests/test_cmd_anomalydetection.py):
- The quartiles and the computed threshold are of log(event_prob); an event is anomalous when its
  log probability is strictly below the threshold (with pthresh: its probability below pthresh).
  ``thresh`` in the summary is a probability, like pthresh (exp of the log threshold).
- Quartiles interpolate linearly between the closest ranks of the sorted values.
- cutoff=true: the fence is moved from 1.5 to 3 IQRs below the first quartile (Tukey's "far
  out" fence), which can only give fewer anomalies than cutoff=false, as the page requires.
- A field is numerical when every non-null cell of it is a single number; its histogram has 10
  bins of equal width from the smallest to the largest value (the largest in the last bin); a
  field with one distinct value is one bin.
- A null cell adds nothing to its event's probability; a multivalue cell is one value (the whole
  list). Without a field list every field not starting with ``_`` is used.
- probable_cause is the field whose value has the smallest frequency (the first in field order on
  a tie). With action=annotate, ``log_event_prob`` and ``max_freq`` are set on every event,
  ``probable_cause`` and ``probable_cause_freq`` only on anomalous ones (a cause explains an
  anomaly: ESCU's detections annotate and then ``search probable_cause=*`` to keep anomalies).
"""
from __future__ import annotations

import bisect
import math
import re
from collections import Counter
from typing import cast

import pandas as pd

from spl.commands import command
from spl.commands._args import check_known, flag
from spl.errors import SearchError, UnsupportedError
from spl.syntax import ast
from spl.values import is_null, mv_values, to_number

OPTIONS = {"method", "action", "pthresh", "cutoff"}
ACTIONS = {"filter", "annotate", "summary"}
BINS = 10
ADDED = ("log_event_prob", "probable_cause", "probable_cause_freq", "max_freq")
SUMMARY = ("num_anomalies", "thresh", "max_logprob", "min_logprob", "1st_quartile", "3rd_quartile")
_ESCAPE = re.compile(r"\\([\\\"])")


def reads(node) -> set[str] | None:
    """The fields listed, or every field when none is (spl.plan; an escaped name: every field)."""
    names = set()
    for arg in node.args:
        if not isinstance(arg, str) or "\\" in arg:
            return None
        names.add(arg[1:-1] if len(arg) >= 2 and arg[0] == arg[-1] == '"' else arg)
    return names or None


def narrows(node) -> bool:
    """action=summary leaves one row of statistics and none of the events' fields."""
    return (ast.option(node.options, "action") or "").lower() == "summary"


@command("anomalydetection", reads=reads, narrows=narrows,
          doc='Finds events whose field values are rare (histogram method) and marks, filters or summarizes them.',
          syntax='anomalydetection [method=histogram] [action=filter|annotate|summary] [pthresh=N] [field-list]')
def run(node, table, ctx):
    method = ast.option(node.options, "method", "histogram").lower()
    if method in ("zscore", "iqr"):  # before the options: these methods take others' options
        raise UnsupportedError(f"anomalydetection: option method={method} is not supported "
                               f"(only method=histogram)", span=node.span)
    check_known(node, OPTIONS)
    if method != "histogram":
        raise SearchError(f"anomalydetection: option method={method} must be histogram, zscore "
                          f"or iqr", span=node.span)
    action = ast.option(node.options, "action", "filter").lower()
    if action not in ACTIONS:
        raise SearchError(f"anomalydetection: option action={action} must be filter, annotate or "
                          f"summary", span=node.span)
    pthresh = _pthresh(node)
    cutoff = flag(node, "cutoff", True)
    fields = _fields(node, table)

    scores = [_score(row) for row in _frequencies(table, fields)]
    logs = [log for log, _, _, _ in scores]
    q1, q3 = _quantile(logs, 0.25), _quantile(logs, 0.75)
    if pthresh is not None:
        log_thresh = math.log(pthresh) if pthresh > 0 else -math.inf
    elif q1 is not None and q3 is not None:  # there are logs
        log_thresh = q1 - (3.0 if cutoff else 1.5) * (q3 - q1)
    else:
        log_thresh = None
    anomalous = [log < log_thresh for log in logs]

    if action == "summary":
        row = {"num_anomalies": sum(anomalous),
               "thresh": None if log_thresh is None else math.exp(log_thresh),
               "max_logprob": max(logs, default=None), "min_logprob": min(logs, default=None),
               "1st_quartile": q1, "3rd_quartile": q3}
        return pd.DataFrame({c: pd.Series([row[c]], dtype=object) for c in SUMMARY})

    added: dict[str, list] = {name: [] for name in ADDED}
    for (log, cause, cause_freq, max_freq), bad in zip(scores, anomalous):
        added["log_event_prob"].append(log)
        added["probable_cause"].append(cause if bad else None)
        added["probable_cause_freq"].append(cause_freq if bad else None)
        added["max_freq"].append(max_freq)
    out = table.copy()
    for name, values in added.items():
        out[name] = pd.Series(values, index=table.index, dtype=object)
    if action == "filter":
        out = out[pd.Series(anomalous, index=table.index, dtype=bool)].reset_index(drop=True)
    return out


def _pthresh(node) -> float | None:
    """The pthresh option: a probability from 0 to 1, or None when absent."""
    text = ast.option(node.options, "pthresh")
    if text is None:
        return None
    value = to_number(text)
    if value is None or not 0 <= value <= 1:
        raise SearchError(f"anomalydetection: option pthresh={text} must be a number from 0 to 1",
                          span=node.span)
    return float(value)


def _fields(node, table: pd.DataFrame) -> list[str]:
    """The field list as written (quotes removed), or every field not starting with ``_``."""
    names = []
    for arg in node.args:
        if not isinstance(arg, str):
            raise SearchError("anomalydetection: a field list cannot hold a subsearch",
                              span=node.span)
        if len(arg) >= 2 and arg[0] == arg[-1] == '"':
            arg = _ESCAPE.sub(r"\1", arg[1:-1])
        names.append(arg)
    if not names:
        names = [c for c in table.columns if not str(c).startswith("_")]
    return list(dict.fromkeys(names))


def _frequencies(table: pd.DataFrame, fields: list[str]) -> list[list[tuple[str, float]]]:
    """For each event, (field, frequency of its value) for each field it has, in field order."""
    n = len(table)
    per_field: list[list[float | None]] = []
    for name in fields:
        cells = table[name].tolist() if name in table.columns else [None] * n
        keys = _bins(cells)
        counts = Counter(k for k in keys if k is not None)
        per_field.append([None if k is None else counts[k] / n for k in keys])
    return [[(f, x) for f, freqs in zip(fields, per_field) if (x := freqs[i]) is not None]
            for i in range(n)]


def _bins(cells: list) -> list:
    """The key each cell is counted under: its histogram bin for a numerical field, else the
    value itself (a multivalue cell as a whole); None for a null cell."""
    numbers = [to_number(c) if not isinstance(c, list) else None for c in cells]
    present = [x for c, x in zip(cells, numbers) if not is_null(c)]
    if not present or any(x is None for x in present):
        return [None if is_null(c) else tuple(mv_values(c)) for c in cells]
    low, high = min(cast(list[float], present)), max(cast(list[float], present))  # no None
    width = (high - low) / BINS
    inner = [low + width * i for i in range(1, BINS)] if width > 0 else []
    return [None if x is None else bisect.bisect_right(inner, x) for x in numbers]


def _score(freqs: list[tuple[str, float]]) -> tuple:
    """(log probability, probable cause, its frequency, largest frequency) of one event."""
    if not freqs:
        return 0.0, None, None, None
    cause, cause_freq = min(freqs, key=lambda kv: kv[1])
    return (sum(math.log(f) for _, f in freqs), cause, cause_freq, max(f for _, f in freqs))


def _quantile(values: list[float], q: float) -> float | None:
    """The q-quantile, interpolating linearly between the closest ranks; None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    pos = q * (len(ordered) - 1)
    lo = math.floor(pos)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)
