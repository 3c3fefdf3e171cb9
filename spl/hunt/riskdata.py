"""Risk events on disk and back: NDJSON (one event a line) or CSV out, and NDJSON read back as
events of sourcetype ``risk`` in index ``risk`` (the CIM Risk data model's root constraint is
``index=risk``), so that ``| from datamodel Risk.All_Risk`` and ``| tstats ... from
datamodel=Risk.All_Risk`` search them.

The fields come from the JSON as Splunk's KV_MODE=json extracts them and then through spl's
``risk`` sourcetype definition (spl/data/sourcetypes/risk/props.conf); ``_time`` is the event's
``_time`` (epoch seconds), which CloudTrail's reader (it takes ``eventTime``) does not know.
"""
from __future__ import annotations

import csv
import io
import json
import socket
from pathlib import Path

from spl.data import LoadResult, load_sourcetype
from spl.data.extract import TooDeep, flatten
from spl.data.readers import parse_exact
from spl.errors import DataError
from spl.values import format_number

SOURCETYPE = "risk"
INDEX = "risk"
BASE = ("_time", "_raw", "sourcetype", "source", "host", "index")


def ndjson(events: list[dict]) -> str:
    """The risk events as NDJSON text (keys as in the hunt document)."""
    return "".join(json.dumps(e, ensure_ascii=False, sort_keys=False) + "\n" for e in events)


CSV_COLUMNS = ("_time", "search_name", "risk_object", "risk_object_type", "risk_score",
               "risk_message", "threat_object", "threat_object_type",
               "annotations.mitre_attack", "annotations.mitre_attack.mitre_tactic",
               "annotations.mitre_attack.mitre_tactic_id", "analyticstories")


def csv_text(events: list[dict]) -> str:
    """The risk events as CSV: multivalue fields one value a line in their cell, as Splunk's
    CSV export writes them."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(CSV_COLUMNS)
    for e in events:
        w.writerow([_cell(e.get(c)) for c in CSV_COLUMNS])
    return buf.getvalue()


def _cell(v) -> str:
    if isinstance(v, list):
        return "\n".join(_cell(x) for x in v)
    if v is None:
        return ""
    return format_number(v) if isinstance(v, (int, float)) else str(v)


def read(path: str | Path) -> list[str]:
    """The lines of a risk NDJSON file (blank lines passed over)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DataError(f"cannot read risk events from {path}: {exc}") from None
    return [line for line in text.splitlines() if line.strip()]


def table(lines: list[str], source: str = "spl hunt") -> LoadResult:
    """Risk NDJSON lines as events (sourcetype risk, index risk). A line that is not a JSON
    object with a numeric ``_time`` is a DataError naming the source and line."""
    st = load_sourcetype(SOURCETYPE)
    times: list[float] = []
    sources: list[str] = []
    parts: list[dict] = []
    for n, line in enumerate(lines, 1):
        try:
            value = parse_exact(line)
        except ValueError as exc:
            raise DataError(f"{source}, line {n}: not JSON ({exc})") from None
        t = _number(value.get("_time") if isinstance(value, dict) else None)
        if t is None:
            raise DataError(f"{source}, line {n}: a risk event needs a numeric _time")
        try:
            parts.append({k: v for k, v in flatten(value).items() if k not in BASE})
        except TooDeep:
            raise DataError(f"{source}, line {n}: nested too deep for a risk event") from None
        times.append(t)
        own = value.get("source")  # ES's risk events: the correlation search's name
        sources.append(own if isinstance(own, str) and own else source)
    count = len(lines)
    cols: dict[str, list] = {"_time": times, "_raw": list(lines),
                             "sourcetype": [SOURCETYPE] * count, "source": sources,
                             "host": [socket.gethostname()] * count, "index": [INDEX] * count}
    for k, part in enumerate(parts):
        for name, v in part.items():
            cols.setdefault(name, [None] * count)[k] = v
    cols = st.apply_columns(cols, count)
    import pandas as pd

    frame = pd.DataFrame({c: pd.Series(v, dtype="float64" if c == "_time" else object)
                          for c, v in cols.items()})
    return LoadResult(frame, [], [source])


def _number(value) -> float | None:
    """A JSON number (parse_exact keeps its text) as a float; None for anything else."""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return None
    try:
        return float(value)
    except ValueError:
        return None
