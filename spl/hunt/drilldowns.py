"""A finding's drilldown searches, as ES opens them: ``$field$`` tokens from the finding's row,
``%original_detection_search%`` the detection's search, ``$info_min_time$`` and
``$info_max_time$`` the time range the detection searched (the data's first event and the
hunt's "now"). Running one searches the data (when it reads the data's sourcetype) and the
hunt's risk events (sourcetype risk, index risk), within its earliest/latest when both are
times; relative offsets such as ``7d`` are shown but not applied (all the data is searched).
"""
from __future__ import annotations

from spl.detections import fill_message
from spl.hunt import riskdata
from spl.hunt.runner import parse, reads
from spl.hunt.source import HuntData, events_for
from spl.values import format_number


def substitute(dd: dict, row: dict, det_search: str, info_min: float | None,
               info_max: float) -> dict:
    """One drilldown of a finding, its tokens filled in."""
    info = {"info_min_time": format_number(info_min) if info_min is not None else None,
            "info_max_time": format_number(info_max)}
    values = {**row, **{k: v for k, v in info.items() if v is not None}}

    def fill(text) -> str:
        return fill_message(str(text), values)

    search = fill(dd["search"]).replace("%original_detection_search%", det_search)
    return {"name": fill(dd.get("name", "")), "search": search,
            "earliest": fill(dd.get("earliest_offset", "")),
            "latest": fill(dd.get("latest_offset", ""))}


def run(dd: dict, hd: HuntData, risk_lines: list[str], macros=(), lookups=(),
        datamodels=(), tz: str = "UTC", now: float | None = None):
    """Run a substituted drilldown; its result table."""
    from spl.plan import required_fields, search_terms
    from spl.session import Session

    session = Session(macros=list(macros), lookups=list(lookups), tz=tz,
                      datamodels=list(datamodels))
    parsed = parse(dd["search"], session.macro_dirs)
    lo, hi = _time(dd.get("earliest")), _time(dd.get("latest"))
    if reads(dd["search"], hd.sourcetype):
        loaded = events_for(hd, required_fields(parsed.pipeline), search_terms(parsed.pipeline))
        session.add(_within(loaded, lo, hi))
    session.add(_within(riskdata.table(risk_lines), lo, hi))
    return session.run(parsed, now=now)


def _time(text) -> float | None:
    try:
        return float(text)
    except (TypeError, ValueError):
        return None


def _within(result, lo: float | None, hi: float | None):
    """The loaded events inside [lo, hi) when both bounds are times (Splunk's latest is
    exclusive)."""
    if lo is None or hi is None:
        return result
    t = result.table["_time"]
    result.table = result.table[(t >= lo) & (t < hi)].reset_index(drop=True)
    return result
