"""Splunk's automatic JSON field extraction (KV_MODE = json) and the event timestamp.

Names and values, as Splunk shows them for a JSON event:
- every leaf is a field named by its dotted path (``userIdentity.sessionContext.sessionIssuer.arn``);
  an array adds ``{}`` to the name and its elements become the values of one multivalue field
  (``resources{}.ARN``, ``userAgent{}``); objects give only their leaves, so an empty object or
  array gives no field;
- strings as they are, numbers as their JSON text, booleans as ``true``/``false``;
- a JSON ``null`` is the string ``null``. Splunk's JSON extractor keeps null leaves as a field
  whose value is the text ``null``; the add-on's ``desc`` alias ("requestParameters, only when it
  is a scalar", aws-cloudtrail-fields.md) exists because CloudTrail's ``requestParameters`` is
  either an object or ``null``, and ESCU searches such as gsuite_drive_share_in_external_email
  test ``email IN("", "null")``. Pinned in tests/test_data_extract.py.
- a field with one value is a scalar, with two or more a list (spl.values' multivalue rule).

Extraction cutoff: limits.conf ``[spath] extraction_cutoff`` (default 5000 bytes) is described as
applying to auto-KV too, but the exact edge behaviour (a value straddling the cutoff, arrays) is
not documented, so spl extracts the whole record. Records longer than 5000 bytes (RunInstances
and similar) may therefore show fields that a default Splunk install omits.
"""
from __future__ import annotations

import calendar
import re

_NULL = "null"


def prefixes(names) -> set[str]:
    """Every path prefix of the wanted field names, for pruning the walk of a record.

    ``a.b{}.c`` needs ``a``, ``a.b``, ``a.b{}`` and ``a.b{}.c``.
    """
    out: set[str] = set()
    for name in names:
        out.add(name)
        for i, ch in enumerate(name):
            if ch == ".":
                out.add(name[:i])
            elif name.startswith("{}", i):
                out.add(name[:i])
                out.add(name[:i + 2])
    return out


class InexactNumber(Exception):
    """A float leaf: its JSON text is lost, so the record must be parsed again exactly."""


def flatten(record: dict, wanted: set[str] | None = None) -> dict:
    """The extracted fields of one JSON record: {name: str | list[str]}.

    ``wanted`` is a set of path prefixes (see :func:`prefixes`); None extracts every field.
    Raises InexactNumber on a float leaf (parse with spl.data.readers.parse_exact instead).
    """
    acc: dict[str, list] = {}
    _walk(record, "", acc, wanted)
    return {k: (v[0] if len(v) == 1 else v) for k, v in acc.items()}


def _walk(v, path: str, acc: dict, wanted):
    if isinstance(v, dict):
        for k, x in v.items():
            p = f"{path}.{k}" if path else k
            if wanted is None or p in wanted:
                _walk(x, p, acc, wanted)
    elif isinstance(v, list):
        p = path + "{}"
        if wanted is None or p in wanted:
            for x in v:
                _walk(x, p, acc, wanted)
    else:
        acc.setdefault(path, []).append(_leaf(v))


def _leaf(v) -> str:
    if v is None:
        return _NULL
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, str):
        return v
    if isinstance(v, float):
        raise InexactNumber
    return str(v)  # an int prints as its JSON text


_TIME = re.compile(
    r"\s*(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d):(\d\d)(?:[.,](\d+))?\s*"
    r"(Z|[+-]\d\d:?\d\d|UTC)?\s*\Z")


def parse_event_time(value) -> float | None:
    """``eventTime`` as float epoch seconds, or None when it is not a timestamp.

    CloudTrail writes ``2026-03-09T14:00:05Z`` (fractional seconds occur). The Panther corpus
    also has ``2022-12-11 19:42:55``, ``2024-01-01 00:00:00.000`` and nanosecond fractions:
    Splunk's timestamp recognition reads those too, and CloudTrail times are UTC, so a time
    without a zone is taken as UTC. An explicit offset is honoured. Anything else is not a time.
    """
    if not isinstance(value, str):
        return None
    m = _TIME.match(value)
    if not m:
        return None
    y, mo, d, h, mi, s, frac, zone = m.groups()
    try:
        secs = calendar.timegm((int(y), int(mo), int(d), int(h), int(mi), int(s), 0, 0, 0))
    except (ValueError, OverflowError):
        return None
    if not (1 <= int(mo) <= 12 and 1 <= int(d) <= 31 and int(h) < 24 and int(mi) < 60
            and int(s) < 61):
        return None
    if zone and zone not in ("Z", "UTC"):
        sign = 1 if zone[0] == "+" else -1
        digits = zone[1:].replace(":", "")
        secs -= sign * (int(digits[:2]) * 3600 + int(digits[2:]) * 60)
    out = float(secs)
    if frac:
        out += float("0." + frac)
    return out
