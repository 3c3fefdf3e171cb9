"""transaction: group related events into one result per transaction.

Splunk (https://help.splunk.com/splunk-enterprise/spl-search-reference/9.4/search-commands/transaction):
``transaction [<field-list>] [maxspan=..] [maxpause=..] [maxevents=..] [startswith=..]
[endswith=..] [keepevicted=..] [mvlist=..] [delim=..] [nullstr=..] ...``. A transaction is made
of "the raw text (the _raw field) of each member, the time and date fields of the earliest
member, as well as the union of all other fields of each member", plus ``duration`` (last event's
time minus the first's) and ``eventcount``. Events group by equal values of the field list;
``maxspan`` bounds first-to-last time, ``maxpause`` the gap between neighbours, ``maxevents``
(default 1000) the size; ``startswith``/``endswith`` are a search expression (``"login"``,
``(name="foo bar")``) or ``eval(<expression>)`` marking an event that begins or ends one.
``keepevicted=true`` also outputs the transactions that did not close, with ``closed_txn`` 0
(and 1 for the others).

spl's readings where the page is silent or leaves it to Splunk's internals (pinned in
tests/test_cmd_transaction.py):
- Events are taken oldest first (Splunk reads them newest first, which gives the same groups):
  an event joins the open transaction of its field values unless adding it would break
  maxspan, maxpause or maxevents, or it matches startswith; then the open one is finished and
  the event begins a new one. An event matching endswith finishes its transaction.
- A finished transaction is closed, except one whose first event does not match startswith
  (when given) or whose last does not match endswith (when given): it is evicted, and output
  only with keepevicted=true. ``closed_txn`` is set only with keepevicted=true.
- With a field list, an event lacking one of the fields is in no transaction and is dropped
  (Splunk's ``connected`` and ``keeporphans`` rules for such events are not reproduced: the
  options are refused).
- A transaction's fields: ``_time`` the earliest, ``_raw`` the members' raw texts oldest first
  joined by a newline; any other field the distinct values of its members, in string order
  (``mvlist=false``, the default) or every value in event order (``mvlist=true``); a single
  value stays single. Transactions come out newest first (by their ``_time``).
- maxspan/maxpause take ``<int>[s|m|h|d]`` (no unit: seconds); -1 means no limit.
"""
from __future__ import annotations

import re

import numpy as np
import pandas as pd

from spl import search as matching
from spl.commands import command
from spl.commands._args import boolean
from spl.context import Context
from spl.errors import SearchError, SplError, UnsupportedError
from spl.eval import where_mask
from spl.syntax import ast
from spl.syntax.parser import parse, parse_expression
from spl.values import is_null, make_mv, mv_values, to_str

MAXEVENTS = 1000
OPTIONS = {"maxspan", "maxpause", "maxevents", "startswith", "endswith", "keepevicted",
           "mvlist", "delim", "nullstr", "mvraw", "maxopentxn", "maxopenevents", "unifyends",
           "name", "connected", "keeporphans"}
UNSUPPORTED = {"name", "connected", "keeporphans", "mvraw", "unifyends"}
_TOKEN = re.compile(r'\s*(?:(\w+)\s*=\s*)?("(?:[^"\\]|\\.)*"|\S+)')
_DURATION = re.compile(r"(-?\d+)\s*([smhd]?)\Z", re.I)
_UNIT = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


def reads(node) -> None:
    """A transaction is the union of every field of its events."""
    return None


@command("transaction", reads=reads,
          doc='Groups events into transactions by shared field values, time span and pauses.',
          syntax='transaction [field-list] [maxspan=time] [maxpause=time] [maxevents=N] [startswith=filter] [endswith=filter] [keepevicted=bool] [mvlist=bool]')
def run(node: ast.Generic, table: pd.DataFrame, ctx: Context) -> pd.DataFrame:
    fields, opts = _arguments(node, ctx)
    maxspan = _duration(node, opts, "maxspan")
    maxpause = _duration(node, opts, "maxpause")
    maxevents = _count(node, opts.get("maxevents"), MAXEVENTS)
    keepevicted = _flag(node, opts, "keepevicted", False)
    mvlist = _flag(node, opts, "mvlist", False)
    starts = _filter(node, opts.get("startswith"), table, ctx)
    ends = _filter(node, opts.get("endswith"), table, ctx)
    if table.empty:
        return table
    times = pd.to_numeric(table["_time"], errors="coerce").to_numpy(dtype=float) \
        if "_time" in table.columns else np.full(len(table), np.nan)
    # Splunk's order is newest first: taken backwards, oldest first (equal times reversed too)
    order = np.argsort(np.where(np.isnan(times), np.inf, -times), kind="stable")[::-1]
    keys = _keys(table, fields)

    done: list[tuple[list[int], bool]] = []
    open_: dict[tuple, list[int]] = {}

    def finish(key):
        members = open_.pop(key)
        closed = (starts is None or starts[members[0]]) and (ends is None or ends[members[-1]])
        done.append((members, bool(closed)))

    for i in order:
        key = keys[i]
        if key is None or np.isnan(times[i]):
            continue
        members = open_.get(key)
        if members is not None and (
                (starts is not None and starts[i])
                or len(members) >= maxevents
                or (maxspan is not None and times[i] - times[members[0]] > maxspan)
                or (maxpause is not None and times[i] - times[members[-1]] > maxpause)):
            finish(key)
            members = None
        if members is None:
            open_[key] = members = []
        members.append(i)
        if ends is not None and ends[i]:
            finish(key)
    for key in list(open_):
        finish(key)
    kept = [(m, c) for m, c in done if c or keepevicted]
    kept.sort(key=lambda mc: (-times[mc[0][0]], -mc[0][0]))
    return _results(table, kept, times, mvlist, keepevicted)


def _arguments(node: ast.Generic, ctx: Context) -> tuple[list[str], dict[str, str]]:
    """The field list and the options, read from the command's text: a startswith/endswith
    filter holds ``=``, quotes and parentheses that a generic command's words do not keep."""
    text = ctx.text[node.span.start:node.span.end] if ctx.text else ""
    if not text.lower().startswith("transaction"):
        raise SearchError("transaction: its arguments cannot be read back from the search text",
                          span=node.span)
    fields: list[str] = []
    opts: dict[str, str] = {}
    pos = len("transaction")
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:
            break
        key, value = m.group(1), m.group(2)
        if key is not None and key.lower() in ("startswith", "endswith") and \
                value[0] != '"':
            value, end = _balanced(node, text, m.start(2))
        else:
            end = m.end()
        pos = end
        if key is None:
            fields.extend(f for f in value.split(",") if f)
            continue
        name = key.lower()
        if name not in OPTIONS:
            raise SearchError(f"transaction: unknown option '{key}'", span=node.span)
        if name in UNSUPPORTED:
            raise UnsupportedError(f"transaction: option {key} is not supported", span=node.span)
        opts[name] = value
    return [f[1:-1] if f[:1] == f[-1:] == '"' and len(f) > 1 else f for f in fields], opts


def _balanced(node, text: str, start: int) -> tuple[str, int]:
    """The filter starting at ``start`` up to its closing parenthesis (``(..)``/``eval(..)``),
    or the word there."""
    depth, i, quoted = 0, start, False
    while i < len(text):
        ch = text[i]
        if quoted:
            if ch == "\\":
                i += 1
            elif ch == '"':
                quoted = False
        elif ch == '"':
            quoted = True
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0:
                return text[start:i + 1], i + 1
        elif ch.isspace() and depth == 0:
            break
        i += 1
    if depth:
        raise SearchError("transaction: a startswith/endswith filter has an unclosed '('",
                          span=node.span)
    return text[start:i], i


def _filter(node, text: str | None, table: pd.DataFrame, ctx: Context) -> np.ndarray | None:
    """Which events match a startswith/endswith filter (None when there is none)."""
    if text is None:
        return None
    try:
        if text.lower().startswith("eval(") and text.endswith(")"):
            return where_mask(parse_expression(text[5:-1]), table, ctx).to_numpy(dtype=bool)
        if text[:1] == '"' and text[-1:] == '"' and len(text) > 1:
            text = re.sub(r'\\(["\\])', r"\1", text[1:-1])
        pipeline = parse("search " + text)
    except SplError as e:
        raise SearchError(f"transaction: filter {text}: {e.message}", span=node.span) from None
    first = pipeline.commands[0]
    if len(pipeline.commands) != 1 or not isinstance(first, ast.Search):
        raise SearchError(f"transaction: filter {text} must be a search expression or "
                          "eval(<expression>)", span=node.span)
    return matching.match(first.expr, table, ctx).to_numpy(dtype=bool)


def _duration(node, opts: dict, name: str) -> float | None:
    text = opts.get(name)
    if text is None:
        return None
    m = _DURATION.match(text.strip())
    if m is None:
        raise SearchError(f"transaction: option {name}={text} must be a time such as 30s, 5m, "
                          "2h or 1d (-1: no limit)", span=node.span)
    n = int(m.group(1))
    return None if n < 0 else float(n * _UNIT[m.group(2).lower()])


def _count(node, text: str | None, default: int) -> int:
    if text is None:
        return default
    if not re.fullmatch(r"-?\d+", text.strip()):
        raise SearchError(f"transaction: option maxevents={text} must be an integer",
                          span=node.span)
    n = int(text)
    return default if n <= 0 else n


def _flag(node, opts: dict, name: str, default: bool) -> bool:
    text = opts.get(name)
    if text is None:
        return default
    value = boolean(text)
    if value is None:
        raise SearchError(f"transaction: option {name}={text} must be true or false",
                          span=node.span)
    return value


def _keys(table: pd.DataFrame, fields: list[str]) -> list[tuple | None]:
    """Each event's field-list values (None: it lacks one of them)."""
    if not fields:
        return [()] * len(table)
    cols = [table[f].tolist() if f in table.columns else [None] * len(table) for f in fields]
    out: list[tuple | None] = []
    for cells in zip(*cols):
        if any(is_null(c) for c in cells):
            out.append(None)
        else:
            out.append(tuple(tuple(to_str(v) for v in mv_values(c)) for c in cells))
    return out


def _results(table: pd.DataFrame, txns: list, times: np.ndarray, mvlist: bool,
             keepevicted: bool) -> pd.DataFrame:
    """One result per transaction (see the module doc for how members merge)."""
    columns = list(table.columns)
    cells = {c: table[c].tolist() for c in columns}
    rows: dict[str, list] = {c: [] for c in columns}
    extra: dict[str, list] = {"duration": [], "eventcount": []}
    if keepevicted:
        extra["closed_txn"] = []
    for members, closed in txns:
        for c in columns:
            if c == "_time":
                rows[c].append(times[members[0]])
            elif c == "_raw":
                raws = [to_str(v) for m in members for v in mv_values(cells[c][m])]
                rows[c].append("\n".join(raws) if raws else None)
            else:
                values = [v for m in members for v in mv_values(cells[c][m])]
                if not mvlist:
                    unique = {to_str(v): v for v in values}
                    values = [unique[s] for s in sorted(unique)]  # code-point order
                rows[c].append(make_mv(values))
        span = times[members[-1]] - times[members[0]]
        extra["duration"].append(int(span) if float(span).is_integer() else float(span))
        extra["eventcount"].append(len(members))
        if keepevicted:
            extra["closed_txn"].append(1 if closed else 0)
    rows.update(extra)
    out = {c: pd.Series(v, dtype="float64" if c == "_time" else object) for c, v in rows.items()}
    return pd.DataFrame(out, columns=list(rows), index=range(len(txns)))

