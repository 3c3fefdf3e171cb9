"""gentimes: results describing adjacent time ranges, from a start time to an end time.

Splunk (https://help.splunk.com/splunk-cloud-platform/spl-search-reference/10.0.2503/search-commands/gentimes):
``| gentimes start=<timestamp> [end=<timestamp>] [increment=<int>(s|m|h|d)]``. A timestamp is
``MM/DD/YYYY[:HH:MM:SS]`` or an integer number of days (``-5``: five days ago); ``end``
defaults to the midnight before the current time, in local time; ``increment`` to ``1d``. The
results start exactly at the start time, each an adjacent, non-overlapping range one increment
long, "up to the end time, but not including the end time". Each has ``starttime`` and
``endtime`` (UNIX time) and ``starthuman``/``endhuman`` (the same, readable).

Readings where the page is silent (pinned in tests/test_cmd_gentimes.py): local time is the
search's time zone (``--tz``, UTC by default); an integer is that many days from the last
midnight; a range's ``endtime`` is one second before the next range's start (a day runs to
23:59:59); the human form is ``%a %b %d %H:%M:%S %Y``; a day increment moves the calendar
date (midnight stays midnight across a daylight-saving change), others add seconds; an end not
after the start gives no result; no ``_time`` field. The page gives no limit; spl refuses more
than MAX_RESULTS ranges (as makeresults does past its count), saying so, rather than run out of
memory.
"""
import math
import re
from datetime import datetime, timedelta

import pandas as pd

from spl.commands import command
from spl.commands._args import check_known
from spl.commands._generic import words
from spl.errors import SearchError
from spl.syntax import ast
from spl.timefmt import zone

MAX_RESULTS = 10_000_000
_STAMP = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})(?::(\d{1,2}):(\d{1,2}):(\d{1,2}))?\Z")
_DAYS = re.compile(r"[+-]?\d{1,7}\Z")
_INCREMENT = re.compile(r"(\d{1,9})([smhd])\Z")
_STEP = {"s": 1, "m": 60, "h": 3600}
HUMAN = "%a %b %d %H:%M:%S %Y"


def reads(node) -> set[str]:
    """It makes its own results."""
    return set()


# Splunk's type (the page: "an event-generating command")
COMMAND_TYPE = "generating"


def _midnight(now: float, tz) -> datetime:
    local = datetime.fromtimestamp(math.floor(now), tz)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def _timestamp(node, name: str, text: str, now: float, tz) -> datetime:
    text = text.strip()
    if _DAYS.match(text):
        base = _midnight(now, tz)
        try:
            return datetime.combine(base.date() + timedelta(days=int(text)), base.time(), tz)
        except (OverflowError, ValueError):
            raise SearchError(f"gentimes: {name}={text} days from today is outside the years "
                              f"1 to 9999", span=node.span) from None
    m = _STAMP.match(text)
    if m is not None:
        month, day, year = int(m.group(1)), int(m.group(2)), int(m.group(3))
        h, mi, s = (int(m.group(i)) if m.group(i) else 0 for i in (4, 5, 6))
        try:
            return datetime(year, month, day, h, mi, s, tzinfo=tz)
        except ValueError as e:
            raise SearchError(f"gentimes: {name}={text} is not a valid time ({e})",
                              span=node.span) from None
    raise SearchError(f"gentimes: {name}={text} must be MM/DD/YYYY[:HH:MM:SS] or a number of "
                      f"days", span=node.span)


@command("gentimes", reads=reads,
          doc='Generates time ranges, one result per interval.',
          syntax='gentimes start=time [end=time] [increment=int(s|m|h|d)]')
def run(node, table, ctx):
    check_known(node, {"start", "end", "increment"})
    if words(node):
        raise SearchError(f"gentimes: unexpected argument '{node.args[0]}'", span=node.span)
    tz = zone(ctx.tz)
    start_text = ast.option(node.options, "start")
    if start_text is None:
        raise SearchError("gentimes needs start=<timestamp>", span=node.span)
    start = _timestamp(node, "start", start_text, ctx.now, tz)
    end_text = ast.option(node.options, "end")
    end = (_midnight(ctx.now, tz) if end_text is None
           else _timestamp(node, "end", end_text, ctx.now, tz))
    increment = ast.option(node.options, "increment", "1d").strip()
    m = _INCREMENT.match(increment)
    if m is None or int(m.group(1)) == 0:
        raise SearchError(f"gentimes: increment={increment} must be a positive whole number of "
                          f"seconds, minutes, hours or days (s, m, h, d)", span=node.span)
    count, unit = int(m.group(1)), m.group(2)

    def after(t: datetime) -> datetime:
        if unit == "d":  # the calendar date moves; the wall-clock time stays
            day = t.date() + timedelta(days=count)
            return datetime.combine(day, t.time().replace(tzinfo=None), tz)
        return datetime.fromtimestamp(t.timestamp() + count * _STEP[unit], tz)

    step = count * (86400 if unit == "d" else _STEP[unit])
    if (end.timestamp() - start.timestamp()) / step > MAX_RESULTS + 1:  # a day is 23 to 25 h
        raise SearchError(f"gentimes: more than {MAX_RESULTS:,} ranges from start to end; "
                          f"use a larger increment or a nearer end", span=node.span)
    rows = []
    t = start
    while t.timestamp() < end.timestamp():
        try:
            nxt = after(t)
        except (OverflowError, ValueError, OSError):
            raise SearchError(f"gentimes: a range starting {t.strftime(HUMAN)} ends after the "
                              f"year 9999", span=node.span) from None
        stop = nxt.timestamp() - 1
        rows.append((int(t.timestamp()), t.strftime(HUMAN), int(stop),
                     datetime.fromtimestamp(stop, tz).strftime(HUMAN)))
        t = nxt
    names = ("starttime", "starthuman", "endtime", "endhuman")
    return pd.DataFrame({n: pd.Series([r[i] for r in rows], dtype=object)
                         for i, n in enumerate(names)})
