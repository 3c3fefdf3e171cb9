"""The hunt's HTML report: one self-contained file a person opens in any browser, offline.

It reads only the ``spl hunt --format json`` document (notes: HUNT_JSON.md), so a report can be
written again from a saved hunt. Everything is inline and the page carries a Content-Security-Policy
that forbids every fetch but ``data:`` images: opening it loads nothing from anywhere, even if a
value slipped through. It has no script at all; a drilldown search is selected whole by one click
(CSS ``user-select: all``) for copying.

Every value comes from logs an attacker can write to (a CloudTrail ``userAgent`` is any text), so
the page is a jinja2 template with autoescape on, and values are shown through
:func:`spl.render.inert` first, which turns control characters, bidi overrides and zero-width
characters into visible escapes; a MITRE link is made only from an id of ATT&CK's own form.

The timeline is drawn by matplotlib as SVG put inline (text kept as text, math parsing off so a
``$`` in a value is a dollar sign). A plotting library with a JavaScript runtime (plotly, bokeh,
altair) would inline megabytes of script, or fetch them from a CDN, for a chart that needs no
interaction; matplotlib's SVG is a few kilobytes of static markup. Both libraries are the optional
``report`` extra: ``pip install 'spl-cloudtrail[report]'``.
"""
from __future__ import annotations

import io
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from spl.errors import UsageError
from spl.render import inert, inert_lines

INSTALL = "the HTML report needs jinja2 and matplotlib: pip install 'spl-cloudtrail[report]'"

# The keys of the hunt document the report reads (HUNT_JSON.md: all present, lists may be empty).
KEYS = ("data", "detections", "findings", "risk_events", "incidents", "summary")

# The timeline draws the risk objects with the highest total score, at most this many rows, so a
# hunt over a big account stays a readable chart; the caption says how many were left out and
# the summary table lists them all.
CHART_OBJECTS = 30

# An ATT&CK technique or sub-technique id (T1580, T1078.004): only these become links.
_TECHNIQUE = re.compile(r"T(\d{4})(?:\.(\d{3}))?")

# The page may load nothing: no script, no frame, no font, no fetch; styles are inline (the
# <style> element and the SVG's style attributes), images only data: URLs.
CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
       "base-uri 'none'; form-action 'none'")


@dataclass
class RiskObject:
    """One risk object's line in the summary, summed over its risk events as ES sums them."""

    type: str
    value: str
    score: float = 0.0
    events: int = 0
    tactics: list[str] = field(default_factory=list)
    detections: list[str] = field(default_factory=list)
    incidents: list[dict[str, Any]] = field(default_factory=list)
    findings: list[int] = field(default_factory=list)  # indexes into the document's findings
    times: list[tuple[float, float]] = field(default_factory=list)  # (_time, score) per event


def write_report(path: str | Path, doc: dict[str, Any]) -> None:
    """Write the hunt document ``doc`` (as ``spl hunt --format json`` gives it) to ``path`` as
    one self-contained HTML file."""
    try:
        import jinja2
        import matplotlib  # noqa: F401  (checked here so the error comes before any work)
    except ImportError:
        raise UsageError(INSTALL) from None
    if not isinstance(doc, dict):
        raise UsageError(f"the report needs a spl hunt document (a JSON object), "
                         f"not {type(doc).__name__}")
    missing = [k for k in KEYS if k not in doc]
    if missing:
        raise UsageError(f"not a spl hunt document: no {', '.join(map(repr, missing))}")
    objects = risk_objects(doc)
    env = jinja2.Environment(loader=jinja2.PackageLoader("spl.hunt", "templates"),
                             autoescape=True, undefined=jinja2.StrictUndefined,
                             trim_blocks=True, lstrip_blocks=True)
    env.filters.update(show=show, lines=lambda v: inert_lines(_text(v)), when=when,
                       number=number, technique_url=technique_url)
    shown = objects[:CHART_OBJECTS]
    page = env.get_template("report.html.j2").render(
        doc=doc, csp=CSP, objects=objects, chart=timeline_svg(shown),
        chart_rows=len(shown), findings=list(enumerate(doc["findings"])),
        statuses=_status_counts(doc["detections"]))
    try:
        Path(path).write_text(page, encoding="utf-8")
    except OSError as e:
        raise UsageError(f"cannot write the report: {e.strerror or e}", file=str(path)) from None


def risk_objects(doc: dict[str, Any]) -> list[RiskObject]:
    """The summary by risk object, highest total score first: the risk events grouped by
    (risk_object_type, risk_object), with their tactics, detections, the incidents raised on
    them and the findings that name them."""
    by_key: dict[tuple[str, str], RiskObject] = {}
    for ev in doc["risk_events"]:
        key = (_text(ev.get("risk_object_type")), _text(ev.get("risk_object")))
        obj = by_key.setdefault(key, RiskObject(*key))
        score = _float(ev.get("risk_score")) or 0.0
        obj.score += score
        obj.events += 1
        _add(obj.tactics, _list(ev.get("annotations.mitre_attack.mitre_tactic")))
        _add(obj.detections, _list(ev.get("search_name")))
        t = _float(ev.get("_time"))
        if t is not None:
            obj.times.append((t, score))
    for inc in doc["incidents"]:
        key = (_text(inc.get("risk_object_type")), _text(inc.get("risk_object")))
        by_key.setdefault(key, RiskObject(*key)).incidents.append(inc)
    for i, finding in enumerate(doc["findings"]):
        for ro in finding.get("risk_objects") or ():
            named = by_key.get((_text(ro.get("type")), _text(ro.get("value"))))
            if named is not None and i not in named.findings:
                named.findings.append(i)
    return sorted(by_key.values(), key=lambda o: (-o.score, o.type, o.value))


def timeline_svg(objects: list[RiskObject]) -> str:
    """The risk events of ``objects`` over time, one row per object, as an inline ``<svg>``
    element (no XML prolog); "" when none has a time."""
    if not any(o.times for o in objects):
        return ""
    import matplotlib
    from matplotlib import dates
    from matplotlib.figure import Figure

    def day(t: float) -> float:  # matplotlib's time axis counts days since its epoch
        return float(dates.date2num(datetime.fromtimestamp(t, UTC)))

    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "spl-hunt",
                                "text.parse_math": False, "font.size": 9,
                                "font.family": "sans-serif"}):
        fig = Figure(figsize=(9, 1.4 + 0.32 * len(objects)), layout="constrained")
        ax = fig.add_subplot()
        for row, obj in enumerate(objects):
            if obj.times:
                ax.scatter([day(t) for t, _ in obj.times], [row] * len(obj.times), alpha=0.7,
                           s=[20 + 1.5 * min(max(s, 0), 100) for _, s in obj.times],
                           zorder=2, gid=f"risk-object-{row}")
        ax.set_yticks(range(len(objects)),
                      [_short(f"{o.type}: {o.value}") for o in objects])
        ax.set_ylim(len(objects) - 0.5, -0.5)
        first, last = _padded([t for o in objects for t, _ in o.times])
        ax.set_xlim(day(first), day(last))
        locator = dates.AutoDateLocator(tz=UTC)
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(dates.ConciseDateFormatter(locator, tz=UTC))
        ax.set_xlabel("time (UTC)")
        ax.grid(axis="x", alpha=0.3)
        out = io.StringIO()
        fig.savefig(out, format="svg", metadata={"Date": None, "Creator": None})
    svg = out.getvalue()
    return svg[svg.index("<svg"):]


def _padded(times: list[float]) -> tuple[float, float]:
    """The time axis: the events' span with 5% on each side, at least 5 minutes (matplotlib's
    own margin for a single instant is two years)."""
    pad = max((max(times) - min(times)) * 0.05, 300.0)
    return min(times) - pad, max(times) + pad


def technique_url(technique: Any) -> str | None:
    """ATT&CK's page for a technique id (T1078.004 -> .../techniques/T1078/004/); None for any
    text that is not such an id, which the report shows unlinked."""
    m = _TECHNIQUE.fullmatch(_text(technique))
    if m is None:
        return None
    sub = f"{m[2]}/" if m[2] else ""
    return f"https://attack.mitre.org/techniques/T{m[1]}/{sub}"


def show(value: Any) -> str:
    """A logged value as the page shows it: inert text, a list one value per line."""
    return "\n".join(inert(v) for v in _list(value))


def when(t: Any) -> str:
    """An epoch time as UTC text; "—" when unknown."""
    x = _float(t)
    if x is None:
        return "—"
    try:
        stamp = datetime.fromtimestamp(x, UTC)
    except (OverflowError, OSError, ValueError):
        return number(x)
    text = stamp.strftime("%Y-%m-%d %H:%M:%S")
    if stamp.microsecond:
        text += f".{stamp.microsecond // 1000:03d}"
    return text + " UTC"


def number(value: Any) -> str:
    """A number as Splunk prints one (no ``.0`` on an integer); other values as text."""
    x = _float(value)
    if x is None:
        return show(value)
    return str(int(x)) if x.is_integer() else f"{x:g}"


def _status_counts(detections: Iterable[dict[str, Any]]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for d in detections:
        status = _text(d.get("status"))
        counts[status] = counts.get(status, 0) + 1
    return counts


def _float(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        x = float(value)
    except ValueError:
        return None
    return x if math.isfinite(x) else None


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "\n".join(map(_text, value))
    return value if isinstance(value, str) else str(value)


def _list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list):
        return [_text(v) for v in value]
    return [_text(value)]


def _add(into: list[str], values: list[str]) -> None:
    for v in values:
        if v and v not in into:
            into.append(v)


def _short(text: str, most: int = 60) -> str:
    text = inert(text)
    return text if len(text) <= most else text[:most - 1] + "…"
