"""fieldsummary: one result per field with its counts, numeric statistics and top values.

Splunk (https://help.splunk.com/en/splunk-enterprise/search/spl-search-reference/9.4/search-commands/fieldsummary):
``fieldsummary [maxvals=<unsigned_int>] [<wc-field-list>]``. Each result has ``field``,
``count`` (results with the field), ``distinct_count``, ``is_exact``, ``max``, ``mean``, ``min``
(for numbers), ``numeric_count`` (numeric values), ``stdev`` and ``values`` (the distinct
values with their counts). ``maxvals`` (default 100, 0 for all) is how many distinct values are
kept per field: past it Splunk stops keeping values and estimates the distinct count, and
``is_exact`` is 0.

Readings where the page is silent (pinned in tests/test_cmd_fieldsummary.py):
- Without a field list every field whose name does not start with ``_`` is summarized (a
  wildcard or name starting with ``_`` can ask for internal ones); fields come in code-point
  order of their names, the columns in the order listed above.
- A multivalue field counts each of its values (``count`` still counts results).
- max, mean, min and stdev are over the numeric values (numeric text too), null when there is
  none; stdev is the sample standard deviation, 0 for one value (stats' stdev).
- ``values`` is JSON text, ``[{"value":"a","count":2},...]``, most frequent first (ties in
  Splunk's value order), at most maxvals entries.
- spl counts distinct values exactly even past maxvals: ``is_exact`` is 0 there as Splunk's
  would be, but ``distinct_count`` is the exact count where Splunk's is an estimate.
"""
import json
import math
from collections import Counter

import pandas as pd

from spl.commands import command
from spl.commands._args import check_known, integer
from spl.commands._generic import words
from spl.fieldnames import name_regex
from spl.values import is_null, mv_values, order_key, to_number, to_str

COLUMNS = ("field", "count", "distinct_count", "is_exact", "max", "mean", "min",
           "numeric_count", "stdev", "values")


def reads(node) -> set[str] | None:
    """The fields listed; every field when none is."""
    names = {a for a in node.args if isinstance(a, str)}
    return names or None


def narrows(node) -> bool:
    """Its results are about fields; no event field is left."""
    return True


# Splunk's type (spl.mapreduce; https://help.splunk.com/splunk-enterprise/spl-search-reference/10.0/quick-reference/command-types)
COMMAND_TYPE = "transforming"


@command("fieldsummary", reads=reads, narrows=narrows,
          doc='Summary statistics of every field (count, distinct_count, numeric stats, values).',
          syntax='fieldsummary [maxvals=int] [field-list]')
def run(node, table, ctx):
    check_known(node, {"maxvals"})
    maxvals = integer(node, "maxvals", 100)
    patterns = words(node)
    if patterns:
        names = sorted(c for c in table.columns
                       if any(name_regex(p).match(c) for p in patterns))
    else:
        names = sorted(c for c in table.columns if not c.startswith("_"))
    rows = []
    for name in names:
        count, counts = 0, Counter[str]()
        for cell in table[name].tolist():
            values = [v for v in mv_values(cell) if not is_null(v)]
            if values:
                count += 1
            counts.update(to_str(v) for v in values)
        if not count:
            continue
        numbers = [n for v, k in counts.items() if (n := to_number(v)) is not None
                   for _ in range(k)]
        top = sorted(counts.items(), key=lambda kv: (-kv[1], order_key(kv[0])))
        if maxvals:
            top = top[:maxvals]
        rows.append({
            "field": name, "count": count, "distinct_count": len(counts),
            "is_exact": 0 if maxvals and len(counts) > maxvals else 1,
            "max": max(numbers) if numbers else None,
            "mean": sum(numbers) / len(numbers) if numbers else None,
            "min": min(numbers) if numbers else None,
            "numeric_count": len(numbers),
            "stdev": _stdev(numbers),
            "values": json.dumps([{"value": v, "count": k} for v, k in top],
                                 separators=(",", ":"), ensure_ascii=False),
        })
    return pd.DataFrame({c: pd.Series([r[c] for r in rows], dtype=object) for c in COLUMNS})


def _stdev(numbers: list):
    if not numbers:
        return None
    if len(numbers) == 1:
        return 0
    mean = sum(numbers) / len(numbers)
    return math.sqrt(sum((x - mean) * (x - mean) for x in numbers) / (len(numbers) - 1))
