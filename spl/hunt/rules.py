"""Risk incident rules: ES's defaults (rules/savedsearches.conf), run with the engine over the
hunt's risk events, as of the hunt's "now" over each rule's window.

Each rule runs once, as a scheduled run just after the data ends would: over the risk events
of its window before ``now`` (``dispatch.earliest_time``, e.g. the last 24 hours). Findings
spread over a longer export than the window are not summed across it; a longer window
(``--risk-window 30d``) does.
"""
from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from spl.data.props import parse_conf
from spl.errors import UsageError
from spl.timefmt import relative_time
from spl.values import mv_values, to_str

RULES = resources.files("spl.hunt") / "rules"


@dataclass
class Thresholds:
    risk: float = 100          # ES: risk_score > 100
    tactics: int = 3           # ES: mitre_tactic_id_count >= 3
    sources: int = 4           # ES: source_count >= 4
    risk_window: str | None = None    # None: the rule's dispatch.earliest_time (-24h)
    tactic_window: str | None = None  # None: the rule's (-7d)


@dataclass
class Rule:
    title: str
    key: str        # risk_threshold | multiple_tactics
    earliest: str   # relative time modifier, e.g. -24h
    search: str


def rules(th: Thresholds) -> list[Rule]:
    """The shipped rules with the thresholds and windows filled in."""
    text = (RULES / "savedsearches.conf").read_text(encoding="utf-8")
    out = []
    for title, st in parse_conf(text, "savedsearches.conf").items():
        if "search" not in st:  # the [default] stanza
            continue
        key = st.get("action.hunt.rule", "")
        window = th.risk_window if key == "risk_threshold" else th.tactic_window
        search = (st["search"].replace("$risk_threshold$", _number(th.risk))
                  .replace("$tactic_threshold$", str(th.tactics))
                  .replace("$source_threshold$", str(th.sources)))
        out.append(Rule(title, key, _window(window) if window else st["dispatch.earliest_time"],
                        search))
    return out


def _number(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else repr(float(x))


def _window(text: str) -> str:
    """``24h``, ``7d`` or ``-24h`` as a relative time modifier (``-24h``)."""
    spec = text if text.startswith("-") else f"-{text}"
    try:
        relative_time(0.0, spec)
    except Exception:
        raise UsageError(f"{text!r} is not a window (e.g. 24h, 7d, 90m)") from None
    return spec


def run(risk_events: list[dict], now: float, th: Thresholds, macros=(),
        tz: str = "UTC") -> list[dict]:
    """The incidents the rules raise over ``risk_events`` (hunt document form)."""
    from spl.hunt import riskdata
    from spl.session import Session

    found: list[dict] = []
    with resources.as_file(RULES / "macros") as rule_macros:
        for rule in rules(th):
            start = relative_time(now, rule.earliest, tz)
            window = [e for e in risk_events if start <= e["_time"] <= now]  # run just after
            session = Session(macros=[Path(rule_macros), *macros], tz=tz)
            session.add(riskdata.table([riskdata.ndjson([e]).strip() for e in window]))
            table = session.run(rule.search, now=now)
            for row in table.to_dict("records"):
                found.append(_incident(rule, row))
    return found


def _incident(rule: Rule, row: dict) -> dict:
    def texts(name):
        return [s for s in (to_str(v) for v in mv_values(row.get(name))) if s is not None]

    def number(name):
        v = row.get(name)
        return None if v is None else float(v)

    score = number("risk_score")
    return {"rule": rule.key, "title": rule.title, "risk_object": to_str(row.get("risk_object")),
            "risk_object_type": to_str(row.get("risk_object_type")),
            "risk_score": int(score) if score is not None and score.is_integer() else score,
            "tactics": texts("tactics"),
            "tactic_ids": texts("annotations.mitre_attack.mitre_tactic_id"),
            "sources": texts("source"), "count": int(number("risk_event_count") or 0),
            "source_count": int(number("source_count") or 0),
            "tactic_count": int(number("mitre_tactic_id_count") or 0),
            "firstTime": number("firstTime"), "lastTime": number("lastTime")}
