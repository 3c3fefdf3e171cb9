"""Skip NDJSON records that cannot match the first search, looking only at their bytes.

The plan comes from ``spl.search.literal_terms``: literal pieces a matching record must hold. A
piece on a field counts only when the field's value is copied from the record's JSON (extracted,
or an alias of an extracted field) or is ``_raw``; a calculated field (EVAL-), a lookup output or
another base field (sourcetype, source, ...) could hold text the record lacks, so such a piece
asks for nothing. This is why errorCode (an EVAL of the add-on) never filters.

From a wanted value to bytes, conservatively:

- case-insensitive pieces are lowered (``str.lower``, as the matcher folds) and compared with the
  ASCII-lowered line; only runs of printable ASCII other than ``"`` and ``\\`` are looked for,
  since any other character may be written as a JSON escape;
- a line holding ``\\u`` or ``\\/`` (escapes that can hide any character, or ``/``), or one of the
  two non-ASCII characters whose lower case is ASCII (U+0130 and U+212A, KELVIN SIGN), is always
  kept: for such a line the bytes do not tell.

So a dropped line is one whose decoded text provably lacks a piece. Lines that are kept are read
exactly as without the filter, and the search itself runs afterwards on what was read.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from spl.search.literals import ANYTHING, AllOf, AnyOf, Needle, all_of, any_of

# Byte sequences after which the raw bytes no longer show the decoded text (see module doc).
_OPAQUE = (b"\\u", b"\\/", "\u0130".encode(), "\u212a".encode())
_SAMPLE = 1 << 20  # bytes of a buffer sampled to pick the rarest piece to scan for
_BASE = ("_time", "sourcetype", "source", "host", "index")


@dataclass(frozen=True)
class Piece:
    """Bytes a line must contain (in its ASCII-lowered form when ``lower``)."""

    data: bytes
    lower: bool


def compile_filter(terms, computed: set[str]):
    """The byte-level form of ``terms`` (from literal_terms), or None when it keeps every line.

    ``computed``: fields whose value is not a copy of the record's text (EVAL and lookup outputs).
    """
    formula = _bytes_formula(terms, computed)
    return None if formula == ANYTHING else LineFilter(formula)


def keeps_every_line(terms) -> bool:
    """Whether ``terms`` (literal_terms, or None) can skip no line: a search of them reads
    every event (terms on base fields such as ``sourcetype=`` only)."""
    return terms is None or compile_filter(terms, set()) is None


def _bytes_formula(node, computed):
    if isinstance(node, AllOf):
        return all_of(_bytes_formula(x, computed) for x in node.items)
    if isinstance(node, AnyOf):
        return any_of(_bytes_formula(x, computed) for x in node.items)
    if isinstance(node, Needle):
        if node.field is not None and node.field != "_raw" and (
                node.field in _BASE or node.field in computed):
            return ANYTHING
        text = node.text if node.case else node.text.lower()
        return all_of(Piece(run.encode("ascii"), not node.case) for run in _safe_runs(text))
    raise TypeError(f"not a literal-terms node: {node!r}")


def _safe_runs(text: str) -> list[str]:
    """Runs of characters that always appear as themselves in JSON text outside the opaque escapes."""
    runs, cur = [], []
    for ch in text:
        if " " <= ch <= "~" and ch not in '"\\':
            cur.append(ch)
        elif cur:
            runs.append("".join(cur))
            cur = []
    if cur:
        runs.append("".join(cur))
    return runs


class LineFilter:
    """Which lines of a buffer of NDJSON bytes may match."""

    def __init__(self, formula):
        self.formula = formula
        self.needs_lower = any(p.lower for p in _pieces(formula))
        self._folded = bytearray()

    def __getstate__(self):
        return {"formula": self.formula, "needs_lower": self.needs_lower, "_folded": bytearray()}

    def line_ok(self, line: bytes) -> bool:
        """Whether one line may match (a line with an opaque escape always may)."""
        if any(o in line for o in _OPAQUE):
            return True
        return _holds(self.formula, line, line.lower() if self.needs_lower else line)

    def candidates(self, buf, lo: int, hi: int) -> list[tuple[int, int]]:
        """(start, end) of the lines of ``buf[lo:hi]`` (whole lines) that may match, in order.

        ``buf``: bytes or bytearray. Pieces are first looked for in a cheap superset form
        (each byte OR 0x20, which maps a case variant of a piece onto the piece's lower case
        OR 0x20), then every line found is tested exactly.
        """
        arr = np.frombuffer(buf, np.uint8, count=hi - lo, offset=lo)
        folded = None
        if self.needs_lower:
            if len(self._folded) < hi - lo:
                self._folded = bytearray(hi - lo)
            folded = self._folded
            np.bitwise_or(arr, 32, out=np.frombuffer(folded, np.uint8, count=hi - lo))
        scan = _Scan(buf, lo, hi, folded)
        spans = []
        for s, e in _spans(buf, lo, hi, sorted(scan.lines(self.formula))):
            line = buf[s:e]
            if _holds(self.formula, line, line.lower() if self.needs_lower else line):
                spans.append((s, e))
        opaque = _spans(buf, lo, hi, _opaque_starts(buf, arr, lo))
        if opaque:
            spans = sorted(set(spans) | set(opaque))
        return spans


def _spans(buf, lo: int, hi: int, starts) -> list[tuple[int, int]]:
    out = []
    find = buf.find
    for s in starts:
        e = find(b"\n", s, hi)
        out.append((s, hi if e < 0 else e))
    return out


def _opaque_starts(buf, arr, lo: int) -> list[int]:
    """Starts of the lines holding an opaque sequence (see _OPAQUE)."""
    n = len(arr)
    hits = []
    bs = _positions(buf, arr, lo, 0x5C)
    if len(bs):
        nxt = arr[np.minimum(bs + 1, n - 1)]
        hits.append(bs[(nxt == 0x75) | (nxt == 0x2F)])
    if n and not buf.isascii():
        c4 = _positions(buf, arr, lo, 0xC4)
        hits.append(c4[arr[np.minimum(c4 + 1, n - 1)] == 0xB0])
        e2 = _positions(buf, arr, lo, 0xE2)
        hits.append(e2[(arr[np.minimum(e2 + 1, n - 1)] == 0x84)
                       & (arr[np.minimum(e2 + 2, n - 1)] == 0xAA)])
    starts = []
    rfind = buf.rfind
    line_end = -1
    for p in sorted(set(np.concatenate(hits).tolist())) if hits else ():
        p += lo
        if p < line_end:
            continue
        r = rfind(b"\n", lo, p)
        starts.append(r + 1 if r >= 0 else lo)
        e = buf.find(b"\n", p)
        line_end = e if e >= 0 else 1 << 62
    return starts


_FEW = 2048  # positions of a byte found one by one (memchr) before numpy does them all


def _positions(buf, arr, lo: int, byte: int) -> np.ndarray:
    """Offsets from ``lo`` of a byte value in ``arr`` (= buf[lo:lo + len(arr)])."""
    find, needle, hi = buf.find, bytes((byte,)), lo + len(arr)
    out: list[int] = []
    p = find(needle, lo, hi)
    while p >= 0:
        if len(out) == _FEW:
            return np.flatnonzero(arr == byte)
        out.append(p - lo)
        p = find(needle, p + 1, hi)
    return np.array(out, dtype=np.int64)


class _Scan:
    """Line starts where pieces occur, in the superset form described in candidates()."""

    def __init__(self, buf, lo, hi, folded):
        self.buf, self.lo, self.hi, self.folded = buf, lo, hi, folded

    def piece(self, piece: Piece) -> set[int]:
        buf, lo, hi = self.buf, self.lo, self.hi
        if piece.lower:
            hay, base = self.folded, lo
            needle = bytes(b | 0x20 for b in piece.data)
            pos, end = hay.find(needle, 0, hi - lo), hi - lo
        else:
            hay, base = buf, 0
            needle = piece.data
            pos, end = hay.find(needle, lo, hi), hi
        out = set()
        rfind, find = buf.rfind, buf.find
        while pos >= 0:
            p = pos + base
            r = rfind(b"\n", lo, p)
            out.add(r + 1 if r >= 0 else lo)
            e = find(b"\n", p, hi)
            if e < 0:
                break
            pos = hay.find(needle, e - base, end)
        return out

    def lines(self, node) -> set[int]:
        if isinstance(node, Piece):
            return self.piece(node)
        if isinstance(node, AnyOf):
            out: set[int] = set()
            for x in node.items:
                out |= self.lines(x)
            return out
        # AllOf: the lines of its rarest item (the rest is tested line by line)
        return self.lines(min(node.items, key=self._frequency))

    def _frequency(self, node) -> int:
        """How often a node's pieces occur in a sample of the buffer (fewer: a cheaper scan)."""
        if isinstance(node, Piece):
            size = min(_SAMPLE, self.hi - self.lo)
            if node.lower:
                return self.folded.count(bytes(b | 0x20 for b in node.data), 0, size)
            return self.buf[self.lo:self.lo + size].count(node.data)
        if isinstance(node, AllOf):
            return min(map(self._frequency, node.items))
        return sum(map(self._frequency, node.items))


def _pieces(node):
    if isinstance(node, Piece):
        yield node
    else:
        for x in node.items:
            yield from _pieces(x)


def _holds(node, line: bytes, lowered: bytes) -> bool:
    """Whether ``line`` holds the formula; ``lowered`` is it lower-cased (itself when no piece
    needs lower case)."""
    if isinstance(node, Piece):
        return node.data in (lowered if node.lower else line)
    if isinstance(node, AllOf):
        return all(_holds(x, line, lowered) for x in node.items)
    return any(_holds(x, line, lowered) for x in node.items)


