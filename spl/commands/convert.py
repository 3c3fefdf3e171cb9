"""convert: change field values with fixed conversion functions.

Splunk (https://help.splunk.com/en/splunk-enterprise/search/spl-search-reference/10.0/search-commands/convert):
``timeformat`` defaults to ``%m/%d/%Y %H:%M:%S``; without ``AS`` the field is replaced, with ``AS``
the original is kept; ``auto`` leaves a value it cannot convert untouched, ``num`` removes it;
field names take wildcards. Times render in the session's time zone (UTC unless ``--tz``).
"""
import re

import pandas as pd

from spl import timefmt
from spl.commands import command
from spl.errors import SearchError
from spl.fieldnames import expand, has_wildcard, substitute
from spl.values import is_null, make_mv, mv_values, to_number

DEFAULT_TIMEFORMAT = "%m/%d/%Y %H:%M:%S"
_DURATION = re.compile(r"^(?:(\d+)\+)?(\d+):(\d{1,2}):(\d{1,2}(?:\.\d+)?)$")
_MSTIME = re.compile(r"^(?:(\d+):)?(\d+(?:\.\d+)?)$")
_MEMK = re.compile(r"^([+-]?\d+(?:\.\d+)?)\s*([kKmMgG]?)$")
_LEADING_NUMBER = re.compile(r"^\s*([+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)")


def _ctime(v, fmt, tz):
    """A time outside the calendar, like a value that is no number, is left as it is."""
    n = to_number(v)
    if n is None:
        return v
    try:
        return timefmt.strftime(float(n), fmt, tz)
    except SearchError:
        return v


def _mktime(v, fmt, tz):
    t = timefmt.strptime(v, fmt, tz) if isinstance(v, str) else None
    return v if t is None else t


def _auto(v, fmt, tz):
    n = _num(v, fmt, tz)
    return v if n is None else n


def _num(v, fmt, tz):
    n = to_number(v)
    if n is not None:
        return n
    if isinstance(v, str):
        for fn in (_dur2sec, _memk):
            out = fn(v, fmt, tz)
            if out is not v:
                return out
        return to_number(v.replace(",", "")) if "," in v else None
    return None


def _dur2sec(v, fmt, tz):
    m = _DURATION.match(v) if isinstance(v, str) else None
    if not m:
        return v
    days, h, mi, s = m.groups()
    total = int(days or 0) * 86400 + int(h) * 3600 + int(mi) * 60 + float(s)
    return int(total) if total == int(total) else total


def _mstime(v, fmt, tz):
    m = _MSTIME.match(v) if isinstance(v, str) else None
    if not m:
        return v
    minutes, seconds = m.groups()
    return int(minutes or 0) * 60 + float(seconds)


def _memk(v, fmt, tz):
    m = _MEMK.match(v.strip()) if isinstance(v, str) else None
    if not m:
        return v
    number, unit = float(m.group(1)), m.group(2).lower()
    out = number * {"": 1, "k": 1, "m": 1024, "g": 1024 * 1024}[unit]
    return int(out) if out == int(out) else out


def _rmcomma(v, fmt, tz):
    return v.replace(",", "") if isinstance(v, str) else v


def _rmunit(v, fmt, tz):
    m = _LEADING_NUMBER.match(v) if isinstance(v, str) else None
    return to_number(m.group(1)) if m else v


def _none(v, fmt, tz):
    return v


FUNCTIONS = {"ctime": _ctime, "mktime": _mktime, "auto": _auto, "num": _num,
             "dur2sec": _dur2sec, "mstime": _mstime, "memk": _memk, "rmcomma": _rmcomma,
             "rmunit": _rmunit, "none": _none}


def reads(node) -> set[str]:
    """The fields converted (a wildcard is every field, spl.plan)."""
    return {c.field for c in node.conversions}


# Splunk's type (spl.mapreduce; https://help.splunk.com/splunk-enterprise/spl-search-reference/10.0/quick-reference/command-types)
COMMAND_TYPE = "distributable streaming"


@command("convert", reads=reads)
def run(node, table, ctx):
    fmt = node.timeformat or DEFAULT_TIMEFORMAT
    table = table.copy()
    excluded = {f for c in node.conversions if c.func == "none"
                for f in expand(c.field, table.columns)}
    for conv in node.conversions:
        fn = FUNCTIONS.get(conv.func)
        if fn is None:
            raise SearchError(f"convert: unknown conversion function '{conv.func}'", span=conv.span)
        if conv.func == "none":
            continue
        sources = expand(conv.field, table.columns)
        if has_wildcard(conv.field):
            sources = [s for s in sources if s not in excluded]
        for source in sources:
            if source not in table.columns:
                continue
            target = source if conv.alias is None else (
                substitute(conv.field, source, conv.alias) if has_wildcard(conv.field) else conv.alias)
            # an event without the field is left as it is, as when no event has it: a
            # streaming command sees one event at a time, never whether others have the field
            before = table[target] if target in table.columns else None
            converted = [_convert_cell(fn, v, fmt, ctx.tz, drop=conv.func == "num")
                         if not is_null(v) else (None if before is None else before.iloc[i])
                         for i, v in enumerate(table[source])]
            table[target] = pd.Series(converted, index=table.index, dtype=object)
    return table


def _convert_cell(fn, cell, fmt, tz, drop):
    out = []
    for v in mv_values(cell):
        r = fn(v, fmt, tz)
        if r is None and not drop:
            r = v
        out.append(r)
    return make_mv(out)
