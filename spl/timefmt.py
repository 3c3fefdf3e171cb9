"""Splunk's time formats and relative time modifiers, translated explicitly.

Python's ``time.strftime`` differs from Splunk's variables (no ``%N``/``%Q``/``%:z``, platform-
dependent ``%e``/``%k``/``%s``), so every variable is rendered and parsed here by hand.
Sources: https://help.splunk.com/en/splunk-enterprise/spl-search-reference/10.2/time-format-variables-and-modifiers/date-and-time-format-variables
and https://help.splunk.com/splunk-enterprise/spl-search-reference/9.4/time-format-variables-and-modifiers/time-modifiers
"""
from __future__ import annotations

import calendar
import math
import re
from datetime import UTC, datetime, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from spl.errors import SearchError

MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]

# A directive: % then an optional digit width (%3N) or colons (%:z), then the letter.
_DIRECTIVE = re.compile(r"%(E(?=z)|:{1,3}|\d*)([A-Za-z%+])")


@lru_cache(maxsize=64)
def zone(tz: str):
    """The tzinfo for an IANA name (or UTC); a bad name is a SearchError."""
    if tz in ("UTC", "GMT", "Z", ""):
        return UTC
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as e:
        raise SearchError(f"unknown time zone {tz!r}") from e


def _micros(epoch: float) -> tuple[int, int]:
    """Whole seconds and microseconds of an epoch value, rounded to the microsecond."""
    total = round(epoch * 1_000_000)
    return total // 1_000_000, total % 1_000_000


def _offset_text(dt: datetime, colons: int) -> str:
    off = dt.utcoffset() or timedelta(0)
    minutes = int(off.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    hh, mm = divmod(abs(minutes), 60)
    if colons == 0:
        return f"{sign}{hh:02d}{mm:02d}"
    if colons == 1:
        return f"{sign}{hh:02d}:{mm:02d}"
    if colons == 2:
        return f"{sign}{hh:02d}:{mm:02d}:00"
    return f"{sign}{hh:02d}"


def strftime(epoch: float, fmt: str, tz: str = "UTC") -> str:
    """Render ``epoch`` (seconds, UTC) with Splunk's time-format variables in zone ``tz``; a
    time outside years 1..9999 is a SearchError."""
    try:
        secs, micros = _micros(float(epoch))
        dt = datetime.fromtimestamp(secs, UTC).astimezone(zone(tz))
    except (OverflowError, ValueError, OSError):
        raise SearchError(f"time {epoch!r} is out of range (years 1 to 9999)") from None

    def render(m: re.Match) -> str:
        mod, letter = m.group(1), m.group(2)
        if letter == "%":
            return "%"
        if letter in "NQ" or (letter == "f" and mod.isdigit()):
            default = {"N": 9, "Q": 3, "f": 6}[letter]
            width = int(mod) if mod.isdigit() and mod else default
            digits = f"{micros:06d}" + "000"
            return digits[:width] if width <= 9 else digits.ljust(width, "0")
        if mod.startswith(":") and letter == "z":
            return _offset_text(dt, len(mod))
        if mod == "E" and letter == "z":
            off = dt.utcoffset() or timedelta(0)
            return str(int(off.total_seconds() // 60))
        out = _one(dt, secs, micros, letter)
        return m.group(0) if out is None else out

    return _DIRECTIVE.sub(render, fmt)


def _one(dt: datetime, secs: int, micros: int, letter: str) -> str | None:
    """One plain directive, or None when Splunk has no such variable (left as written)."""
    if letter == "Y":
        return f"{dt.year:04d}"
    if letter == "y":
        return f"{dt.year % 100:02d}"
    if letter == "C":
        return f"{dt.year // 100:02d}"
    if letter == "m":
        return f"{dt.month:02d}"
    if letter == "d":
        return f"{dt.day:02d}"
    if letter == "e":
        return f"{dt.day:2d}"
    if letter == "j":
        return f"{dt.timetuple().tm_yday:03d}"
    if letter == "H":
        return f"{dt.hour:02d}"
    if letter == "k":
        return f"{dt.hour:2d}"
    if letter in "Il":
        h = dt.hour % 12 or 12
        return f"{h:02d}" if letter == "I" else f"{h:2d}"
    if letter == "p":
        return "AM" if dt.hour < 12 else "PM"
    if letter == "M":
        return f"{dt.minute:02d}"
    if letter == "S":
        return f"{dt.second:02d}"
    if letter == "f":
        return f"{micros:06d}"
    if letter == "T":
        return f"{dt.hour:02d}:{dt.minute:02d}:{dt.second:02d}"
    if letter == "R":
        return f"{dt.hour:02d}:{dt.minute:02d}"
    if letter == "F":
        return f"{dt.year:04d}-{dt.month:02d}-{dt.day:02d}"
    if letter == "D" or letter == "x":
        return f"{dt.month:02d}/{dt.day:02d}/{dt.year % 100:02d}"
    if letter == "X":
        return f"{dt.hour:02d}:{dt.minute:02d}:{dt.second:02d}"
    if letter in "bh":
        return MONTHS[dt.month - 1][:3]
    if letter == "B":
        return MONTHS[dt.month - 1]
    if letter == "a":
        return DAYS[dt.weekday()][:3]
    if letter == "A":
        return DAYS[dt.weekday()]
    if letter == "w":
        return str((dt.weekday() + 1) % 7)
    if letter == "u":
        return str(dt.weekday() + 1)
    if letter in "UWVGg":
        return dt.strftime("%" + letter)
    if letter == "s":
        return str(secs)
    if letter == "z":
        return _offset_text(dt, 0)
    if letter == "Z":
        return dt.tzname() or "UTC"
    if letter == "c":
        return f"{DAYS[dt.weekday()][:3]} {MONTHS[dt.month - 1][:3]} {dt.day:2d} " \
               f"{dt.hour:02d}:{dt.minute:02d}:{dt.second:02d} {dt.year:04d}"
    if letter == "+":
        return f"{DAYS[dt.weekday()][:3]} {MONTHS[dt.month - 1][:3]} {dt.day:2d} " \
               f"{dt.hour:02d}:{dt.minute:02d}:{dt.second:02d} {dt.tzname() or 'UTC'} {dt.year:04d}"
    if letter == "n":
        return "\n"
    if letter == "t":
        return "\t"
    return None


# ---------------------------------------------------------------- parsing

_MONTH_RX = "|".join(sorted({m for name in MONTHS for m in (name, name[:3])}, key=len, reverse=True))
_DAY_RX = "|".join(sorted({d for name in DAYS for d in (name, name[:3])}, key=len, reverse=True))
_EXPAND = {"T": "%H:%M:%S", "F": "%Y-%m-%d", "D": "%m/%d/%y", "R": "%H:%M", "x": "%m/%d/%y",
           "X": "%H:%M:%S", "c": "%a %b %e %H:%M:%S %Y", "+": "%a %b %e %H:%M:%S %Z %Y"}


@lru_cache(maxsize=256)
def _parser(fmt: str) -> tuple[re.Pattern, tuple[str, ...]]:
    """A regex for ``fmt`` and the variable each group captures."""
    names: list[str] = []
    out: list[str] = []
    pos = 0
    for m in _DIRECTIVE.finditer(fmt):
        out.append(_literal(fmt[pos:m.start()]))
        pos = m.end()
        mod, letter = m.group(1), m.group(2)
        if letter in _EXPAND and not mod:
            inner, sub = _parser(_EXPAND[letter])
            out.append(inner.pattern.removesuffix(r"\s*"))
            names.extend(sub)
            continue
        rx, name = _capture(mod, letter)
        if rx is None:
            out.append(re.escape(m.group(0)))
            continue
        out.append(rx)
        if name:
            names.append(name)
    out.append(_literal(fmt[pos:]))
    return re.compile("".join(out), re.IGNORECASE), tuple(names)


def _literal(text: str) -> str:
    """Format text between variables; whitespace matches any run of whitespace (as C strptime)."""
    return "".join(r"\s*" if ch.isspace() else re.escape(ch) for ch in text)


def _capture(mod: str, letter: str) -> tuple[str | None, str | None]:
    if letter == "%":
        return "%", None
    if letter in "NQ" or (letter == "f"):
        width = int(mod) if mod.isdigit() else {"N": 9, "Q": 3, "f": 6}[letter]
        return rf"(\d{{1,{width}}})", f"frac{width}"
    if letter == "z":
        return r"(Z|[+-]\d{2}(?::?\d{2})?(?::\d{2})?)", "z"
    simple = {
        "Y": (r"([+-]?\d{4})", "Y"), "y": (r"(\d{2})", "y"), "m": (r"(\d{1,2})", "m"),
        "d": (r"\s*(\d{1,2})", "d"), "e": (r"\s*(\d{1,2})", "d"), "j": (r"(\d{1,3})", "j"),
        "H": (r"\s*(\d{1,2})", "H"), "k": (r"\s*(\d{1,2})", "H"), "I": (r"\s*(\d{1,2})", "I"),
        "l": (r"\s*(\d{1,2})", "I"), "M": (r"(\d{1,2})", "M"), "S": (r"(\d{1,2})", "S"),
        "p": (r"(AM|PM)", "p"), "b": (f"({_MONTH_RX})", "b"), "h": (f"({_MONTH_RX})", "b"),
        "B": (f"({_MONTH_RX})", "b"), "a": (f"(?:{_DAY_RX})", None), "A": (f"(?:{_DAY_RX})", None),
        "w": (r"(?:[0-6])", None), "u": (r"(?:[1-7])", None), "s": (r"(\d+(?:\.\d+)?)", "s"),
        "Z": (r"([A-Za-z][A-Za-z0-9_/+-]*)", "Z"), "n": (r"\s*", None), "t": (r"\s*", None),
    }
    return simple.get(letter, (None, None))


def strptime(text: str, fmt: str, tz: str = "UTC") -> float | None:
    """Parse ``text`` with Splunk's variables; None when it does not fit ``fmt``.

    Like C strptime, the format must match from the start; trailing text is ignored. Parts the
    format lacks default to 1970-01-01 00:00:00; the zone is the text's %z/%Z, else ``tz``.
    """
    if text is None:
        return None
    rx, names = _parser(fmt)
    m = rx.match(text)
    if m is None:
        return None
    got = dict(zip(names, m.groups()))
    if "s" in got:
        return float(got["s"])
    try:
        year = int(got["Y"]) if "Y" in got else None
        if year is None and "y" in got:
            yy = int(got["y"])
            year = 2000 + yy if yy < 69 else 1900 + yy
        year = 1970 if year is None else year
        month = _month(got["b"]) if "b" in got else int(got.get("m", 1))
        day = int(got.get("d", 1))
        if "j" in got and "m" not in got and "b" not in got:
            base = datetime(year, 1, 1) + timedelta(days=int(got["j"]) - 1)
            month, day = base.month, base.day
        if "I" in got:
            hour = int(got["I"]) % 12
            if got.get("p", "AM").upper() == "PM":
                hour += 12
        else:
            hour = int(got.get("H", 0))
        minute, second = int(got.get("M", 0)), int(got.get("S", 0))
        frac = next((v for k, v in got.items() if k.startswith("frac")), None)
        micros = int((frac + "000000")[:6]) if frac else 0
        tzinfo = _parsed_zone(got, tz)
        dt = datetime(year, month, day, hour, minute, second, micros, tzinfo=tzinfo)
    except (ValueError, OverflowError):
        return None
    return dt.timestamp()


def _month(name: str) -> int:
    name = name[:3].lower()
    return next(i + 1 for i, m in enumerate(MONTHS) if m[:3].lower() == name)


def _parsed_zone(got: dict, tz: str):
    if got.get("z"):
        z = got["z"]
        if z.upper() == "Z":
            return UTC
        digits = z[1:].replace(":", "")
        hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
        delta = timedelta(hours=hours, minutes=minutes)
        return timezone(-delta if z[0] == "-" else delta)
    if got.get("Z"):
        name = got["Z"]
        if name.upper() in ("UTC", "GMT", "Z"):
            return UTC
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            pass  # an abbreviation such as EST names no unique zone: use the search's zone
    return zone(tz)


# ---------------------------------------------------------------- relative time

_UNITS = {
    **dict.fromkeys(["s", "sec", "secs", "second", "seconds"], "s"),
    **dict.fromkeys(["m", "min", "mins", "minute", "minutes"], "m"),
    **dict.fromkeys(["h", "hr", "hrs", "hour", "hours"], "h"),
    **dict.fromkeys(["d", "day", "days"], "d"),
    **dict.fromkeys(["w", "week", "weeks"], "w"),
    **dict.fromkeys(["mon", "month", "months"], "mon"),
    **dict.fromkeys(["q", "qtr", "qtrs", "quarter", "quarters"], "q"),
    **dict.fromkeys(["y", "yr", "yrs", "year", "years"], "y"),
    "ms": "ms", "us": "us", "cs": "cs", "ds": "ds",
}
_SUBSECOND = {"ms": 1e-3, "us": 1e-6, "cs": 1e-2, "ds": 1e-1}
_STEP = re.compile(r"([+-]?)(\d*)([a-zA-Z]+)|@([a-zA-Z]+?)(\d?)(?=[+-]|\Z)")


def relative_time(epoch: float, spec: str, tz: str = "UTC") -> float:
    """Apply a relative time modifier (``-1d@d``, ``@w0``, ``+3h``, ``now``) to ``epoch``.

    Offsets in days and larger move the wall-clock date in ``tz`` (so ``-1d`` across a DST change
    keeps the hour); smaller units are exact seconds. ``@unit`` snaps down to the start of the unit
    in ``tz``; ``@w0``..``@w6`` snap to the most recent Sunday..Saturday (``@w7`` = Sunday). A
    missing number means 1 (``-h``); a missing sign is read as ``-`` (the docs' ``earliest=2d@d``).
    """
    text = spec.strip()
    if text.lower() in ("now", "now()", ""):
        return epoch
    pos = 0
    t = float(epoch)
    for m in _STEP.finditer(text):
        if m.start() != pos:
            break
        pos = m.end()
        if m.group(3):
            unit = _UNITS.get(m.group(3).lower())
            if unit is None:
                raise SearchError(f"invalid time unit {m.group(3)!r} in {spec!r}")
            digits = m.group(2) or "1"
            amount = (int(digits) if len(digits) <= 30 else 10 ** 30) * (
                1 if m.group(1) == "+" else -1)
            t = _out_of_range(_shift, t, amount, unit, tz, spec=spec)
        else:
            unit = _UNITS.get(m.group(4).lower())
            if unit is None or unit in _SUBSECOND:
                raise SearchError(f"invalid snap unit {m.group(4)!r} in {spec!r}")
            t = _out_of_range(_snap, t, unit, m.group(5), tz, spec=spec)
    if pos != len(text):
        raise SearchError(f"invalid relative time {spec!r}")
    return t


def _out_of_range(step, *args, spec: str) -> float:
    """One step of a relative time; a time beyond the calendar (year 1..9999) is a SearchError
    naming the modifier, not a Python error."""
    try:
        t = step(*args)
    except (OverflowError, ValueError, OSError):
        t = math.inf
    if not _FIRST_SECOND <= t <= _LAST_SECOND:
        shown = spec if len(spec) <= 40 else spec[:37] + "..."
        raise SearchError(f"relative time {shown!r} is out of range (years 1 to 9999)")
    return t


_FIRST_SECOND = -62_135_596_800.0  # 0001-01-01T00:00:00Z
_LAST_SECOND = 253_402_300_799.999999  # 9999-12-31T23:59:59.999999Z


def _local(t: float, tz: str) -> datetime:
    secs, micros = _micros(t)
    return datetime.fromtimestamp(secs, UTC).astimezone(zone(tz)).replace(microsecond=micros)


def _wall(dt: datetime, tz: str) -> float:
    """Epoch of a naive wall-clock time in ``tz``."""
    return dt.replace(tzinfo=zone(tz)).timestamp()


def _shift(t: float, amount: int, unit: str, tz: str) -> float:
    if unit in _SUBSECOND:
        return t + amount * _SUBSECOND[unit]
    if unit in ("s", "m", "h"):
        return t + amount * {"s": 1, "m": 60, "h": 3600}[unit]
    dt = _local(t, tz).replace(tzinfo=None)
    if unit in ("d", "w"):
        dt += timedelta(days=amount * (7 if unit == "w" else 1))
    else:
        months = amount * {"mon": 1, "q": 3, "y": 12}[unit]
        index = dt.year * 12 + dt.month - 1 + months
        year, month = divmod(index, 12)
        # Like C mktime: a day past the end of the month rolls into the next month.
        overflow = dt.day - calendar.monthrange(year, month + 1)[1]
        dt = dt.replace(year=year, month=month + 1, day=dt.day - max(overflow, 0))
        dt += timedelta(days=max(overflow, 0))
    return _wall(dt, tz)


def _snap(t: float, unit: str, weekday: str, tz: str) -> float:
    dt = _local(t, tz).replace(tzinfo=None)
    if unit == "s":
        return float(math.floor(t))
    if unit == "m":
        dt = dt.replace(second=0, microsecond=0)
    elif unit == "h":
        dt = dt.replace(minute=0, second=0, microsecond=0)
    elif unit == "d":
        dt = dt.replace(hour=0, minute=0, second=0, microsecond=0)
    elif unit == "w":
        target = int(weekday or 0) % 7  # 0 = Sunday
        today = (dt.weekday() + 1) % 7
        dt = dt.replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=(today - target) % 7)
    elif unit == "mon":
        dt = dt.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    elif unit == "q":
        dt = dt.replace(month=(dt.month - 1) // 3 * 3 + 1, day=1, hour=0, minute=0, second=0,
                        microsecond=0)
    elif unit == "y":
        dt = dt.replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0)
    return _wall(dt, tz)


_EPOCH = re.compile(r"[+-]?\d+(\.\d+)?\Z")
ABSOLUTE_FORMAT = "%m/%d/%Y:%H:%M:%S"


def parse_time_modifier(value: str, now: float, tz: str = "UTC") -> float:
    """The epoch an ``earliest=``/``latest=`` value stands for.

    Accepts ``now``, an epoch number, an absolute ``%m/%d/%Y:%H:%M:%S`` time, or a relative
    modifier applied to ``now``; anything else is a SearchError.
    """
    text = value.strip()
    if _EPOCH.match(text):
        t = float(text)
        if not _FIRST_SECOND <= t <= _LAST_SECOND:
            raise SearchError("invalid time modifier: epoch out of range (years 1 to 9999)")
        return t
    if re.match(r"\d{1,2}/\d{1,2}/\d{4}:", text):
        parsed = strptime(text, ABSOLUTE_FORMAT, tz)
        if parsed is None or _parser(ABSOLUTE_FORMAT)[0].fullmatch(text) is None:
            raise SearchError(f"invalid time {value!r}: expected {ABSOLUTE_FORMAT}")
        return parsed
    try:
        return relative_time(now, text, tz)
    except SearchError as e:
        raise SearchError(f"invalid time modifier {value!r}: {e.message}") from None
