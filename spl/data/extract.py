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

Extraction cutoff: limits.conf.spec, ``[spath] extraction_cutoff`` (default 5000): "this
setting applies extraction only to the first <integer> number of bytes. This setting applies
both the auto kv extraction and the spath command" (quoted in spl-semantics.md section 7;
https://help.splunk.com/en/data-management/splunk-enterprise-admin-manual/9.4/configuration-file-reference/9.4.0-configuration-file-reference/limits.conf).
So a record longer than the cutoff gives only the fields whose whole value lies within its first
5000 bytes (:func:`flatten_prefix`); a value the limit cuts, and everything after it, is not
extracted. Splunk does not document what happens to the value straddling the limit; this is
spl's reading. A definition may set another cutoff in its limits.conf (spl.data.props).

Nesting: Splunk documents no depth limit for JSON. spl parses records nested up to
``PARSE_DEPTH`` (1024, orjson's limit) levels (a deeper one is skipped) and extracts fields
down to ``MAX_DEPTH`` (200) levels, a limit of this implementation (its walks are recursive):
the walks raise :class:`TooDeep` where a field the search reads lies deeper, and the readers
then keep the record with the fields above that level (:func:`extract_capped`) and a
DataProblem that says so. CloudTrail records are a dozen levels deep at most.
"""
from __future__ import annotations

import calendar
import json
import re

from spl.errors import DataError

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


PARSE_DEPTH = 1024  # levels a record may be nested and still be parsed (orjson's limit)
MAX_DEPTH = 200     # levels the field walks go down (see the module docstring)


class TooDeep(DataError):
    """A record nested deeper than spl reads (``limit``: the limit it went past)."""

    def __init__(self, limit: int = MAX_DEPTH):
        super().__init__(f"JSON nested more than {limit} levels deep")
        self.limit = limit

    def reason(self, raw: str) -> str:
        """The DataProblem reason for the record whose text is ``raw``."""
        if self.limit == PARSE_DEPTH:
            return (f"JSON nested {nesting_depth(raw)} levels deep, more than the {PARSE_DEPTH} "
                    f"levels spl can parse; record skipped")
        return (f"JSON nested {nesting_depth(raw)} levels deep: fields below level {MAX_DEPTH} "
                f"(spl's limit) are not extracted; record kept")


_BRACKETS = re.compile(r'"(?:[^"\\]|\\.)*(?:"|\\?\Z)|[\[\]{}]', re.S)


def nesting_depth(text: str) -> int:
    """How many levels deep the brackets of a JSON text go (without recursion)."""
    depth = top = 0
    for m in _BRACKETS.finditer(text):
        c = m.group()
        if c in ("{", "["):
            depth += 1
            top = max(top, depth)
        elif c in ("}", "]"):
            depth -= 1
    return top


def value_end(text: str, pos: int) -> int | None:
    """Where the object or array starting at ``text[pos]`` ends (None: not in ``text``),
    found without recursion, for a value too deep to parse."""
    depth = 0
    for m in _BRACKETS.finditer(text, pos):
        c = m.group()
        if c in ("{", "["):
            depth += 1
        elif c in ("}", "]"):
            depth -= 1
            if depth == 0:
                return m.end()
    return None


class InexactNumber(Exception):
    """A leaf whose JSON text the parsed value does not give back: a float, or an integer 0
    (which may have been written ``-0``). The record must be parsed again exactly."""


def flatten(record: dict | list, wanted: set[str] | None = None) -> dict:
    """The extracted fields of one JSON record: {name: str | list[str]}.

    ``wanted`` is a set of path prefixes (see :func:`prefixes`); None extracts every field.
    Raises InexactNumber on a float leaf (parse with spl.data.readers.parse_exact instead).
    """
    acc: dict[str, list] = {}
    _walk(record, "", acc, wanted)
    return {k: (v[0] if len(v) == 1 else v) for k, v in acc.items()}


def _walk(v, path: str, acc: dict, wanted, depth: int = 0):
    """Add the leaves of ``v`` (inside ``depth`` objects and arrays) to ``acc``; TooDeep past
    MAX_DEPTH levels."""
    if isinstance(v, dict):
        if depth >= MAX_DEPTH:
            raise TooDeep
        for k, x in v.items():
            p = f"{path}.{k}" if path else k
            if wanted is None or p in wanted:
                _walk(x, p, acc, wanted, depth + 1)
    elif isinstance(v, list):
        if depth >= MAX_DEPTH:
            raise TooDeep
        p = path + "{}"
        if wanted is None or p in wanted:
            for x in v:
                _walk(x, p, acc, wanted, depth + 1)
    else:
        acc.setdefault(path, []).append(_leaf(v))


def extract_capped(text: str, value, wanted, cutoff: int) -> dict:
    """The fields of a record (``text``, parsed ``value``) down to MAX_DEPTH levels, for a
    record whose walk raised TooDeep: deeper values are passed over."""
    if len(text.encode("utf-8")) > cutoff:
        return flatten_prefix(text, cutoff, wanted, capped=True)
    acc: dict[str, list] = {}
    try:
        _walk_capped(value, "", acc, wanted, 0)
    except InexactNumber:
        acc.clear()
        exact = json.loads(text, parse_int=str, parse_float=str, parse_constant=_not_json)
        _walk_capped(exact, "", acc, wanted, 0)
    return {k: (v[0] if len(v) == 1 else v) for k, v in acc.items()}


def _walk_capped(v, path: str, acc: dict, wanted, depth: int):
    """_walk, passing over what lies deeper than MAX_DEPTH instead of raising."""
    if isinstance(v, (dict, list)) and depth >= MAX_DEPTH:
        return
    if isinstance(v, dict):
        for k, x in v.items():
            p = f"{path}.{k}" if path else k
            if wanted is None or p in wanted:
                _walk_capped(x, p, acc, wanted, depth + 1)
    elif isinstance(v, list):
        p = path + "{}"
        if wanted is None or p in wanted:
            for x in v:
                _walk_capped(x, p, acc, wanted, depth + 1)
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
    if isinstance(v, float) or v == 0:
        raise InexactNumber
    return str(v)  # any other int prints as its JSON text


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


def time_of(record: dict, field: str):
    """The value of a record's time field (None: it has none): a top-level key, or a dotted path
    into nested objects (``id.time``), as JSON field names are written."""
    value = record.get(field)
    if value is not None or "." not in field:
        return value
    node: object = record
    for part in field.split("."):
        if not isinstance(node, dict):
            return None
        node = node.get(part)
    return node


def time_problem(field: str, value) -> str:
    """What is wrong with a record's time field (its value ``value``; None: absent)."""
    return f"no {field}" if value is None else f"{field} {value!r} is not a timestamp"


def extract_text(raw: str, cutoff: int) -> dict:
    """Every field of one JSON text, as auto-KV (and ``spath`` without a path) extracts them.

    A text within ``cutoff`` bytes is parsed whole, numbers kept as written; a longer one, or
    one that is not well-formed JSON, gives the complete leaves of its first ``cutoff`` bytes
    (:func:`flatten_prefix`). A bare scalar names no field, so it gives nothing. Values
    nested deeper than MAX_DEPTH levels are passed over, as when a record is loaded: one
    hostile record does not end the search.
    """
    if len(raw) <= cutoff and (len(raw) * 4 <= cutoff or len(raw.encode("utf-8")) <= cutoff):
        try:
            value = json.loads(raw, parse_int=str, parse_float=str, parse_constant=_not_json)
        except (ValueError, RecursionError):  # nested past the parser's depth: read by prefix
            pass
        else:
            if not isinstance(value, (dict, list)):
                return {}
            try:
                return flatten(value)
            except TooDeep:  # as a record is loaded: the fields above MAX_DEPTH levels
                return extract_capped(raw, value, None, cutoff)
    out = flatten_prefix(raw, cutoff, capped=True)
    return {} if "" in out else out


def _not_json(name: str):
    raise ValueError(f"{name} is not JSON")


def flatten_prefix(raw: str, cutoff: int, wanted: set[str] | None = None,
                   capped: bool = False) -> dict:
    """:func:`flatten` of only the first ``cutoff`` bytes of a record's JSON text. Past
    MAX_DEPTH levels: TooDeep, or (``capped``) the deeper values passed over."""
    data = raw.encode("utf-8")[:cutoff].decode("utf-8", errors="ignore")
    acc: dict[str, list] = {}
    try:
        _Prefix(data, acc, wanted, capped).value(_Prefix.skip_ws(data, 0), "")
    except _End:
        pass
    return {k: (v[0] if len(v) == 1 else v) for k, v in acc.items()}


class _End(Exception):
    """The text ended (or stopped being JSON) before the value did."""


_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.S)
_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?")
_WS = re.compile(r"[ \t\r\n]*")


class _Prefix:
    """A JSON reader that keeps the complete leaves of a cut-off text, in document order."""

    def __init__(self, text: str, acc: dict, wanted, capped: bool = False):
        self.text, self.acc, self.wanted, self.capped = text, acc, wanted, capped
        self.depth = 0

    @staticmethod
    def skip_ws(text: str, i: int) -> int:
        m = _WS.match(text, i)
        assert m is not None  # [ \t\r\n]* matches the empty string too
        return m.end()

    def value(self, i: int, path: str) -> int:
        t = self.text
        if i >= len(t):
            raise _End
        c = t[i]
        if c in "{[":
            if self.depth >= MAX_DEPTH:
                if self.capped:
                    return self.skip(i)
                raise TooDeep
            self.depth += 1
            try:
                return self.object(i + 1, path) if c == "{" else self.array(i + 1, path)
            finally:
                self.depth -= 1
        if c == '"':
            m = _STRING.match(t, i)
            if not m:
                raise _End
            self.leaf(path, json.loads(m.group()))
            return m.end()
        for word, leaf in (("true", "true"), ("false", "false"), ("null", "null")):
            if t.startswith(word, i):
                self.leaf(path, leaf)
                return i + len(word)
        m = _NUMBER.match(t, i)
        if not m or m.end() >= len(t):  # a number running into the cut may be cut short
            raise _End
        self.leaf(path, m.group())
        return m.end()

    def object(self, i: int, path: str) -> int:
        t = self.text
        i = self.skip_ws(t, i)
        if t.startswith("}", i):
            return i + 1
        while True:
            m = _STRING.match(t, i)
            if not m:
                raise _End
            key = json.loads(m.group())
            i = self.skip_ws(t, m.end())
            if not t.startswith(":", i):
                raise _End
            i = self.skip_ws(t, i + 1)
            p = f"{path}.{key}" if path else key
            i = self.value(i, p) if self.wanted is None or p in self.wanted else self.skip(i)
            i = self.skip_ws(t, i)
            if t.startswith("}", i):
                return i + 1
            if not t.startswith(",", i):
                raise _End
            i = self.skip_ws(t, i + 1)

    def array(self, i: int, path: str) -> int:
        t = self.text
        p = path + "{}"
        keep = self.wanted is None or p in self.wanted
        i = self.skip_ws(t, i)
        if t.startswith("]", i):
            return i + 1
        while True:
            i = self.value(i, p) if keep else self.skip(i)
            i = self.skip_ws(t, i)
            if t.startswith("]", i):
                return i + 1
            if not t.startswith(",", i):
                raise _End
            i = self.skip_ws(t, i + 1)

    def skip(self, i: int) -> int:
        """Pass over a value that is not wanted: an object or array found by its brackets
        (without recursion, at any depth), a scalar read and dropped."""
        if self.text.startswith(("{", "["), i):
            end = value_end(self.text, i)
            if end is None:
                raise _End
            return end
        saved, self.acc = self.acc, {}
        try:
            return self.value(i, "")
        finally:
            self.acc = saved

    def leaf(self, path: str, value: str):
        self.acc.setdefault(path, []).append(value)
