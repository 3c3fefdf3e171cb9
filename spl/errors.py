"""One error hierarchy for everything a user can get wrong.

Every error knows where it happened: a span in the SPL text the user wrote, or a file and line of
data. ``render()`` gives the message a person reads (with a caret under the SPL text); the CLI and
the REPL print that and never a traceback.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Span:
    """Half-open character range [start, end) in a piece of SPL text."""

    start: int
    end: int


def line_col(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of ``offset`` in ``text``."""
    offset = max(0, min(offset, len(text)))
    line = text.count("\n", 0, offset) + 1
    col = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, col


def _same(text: str) -> str:
    return text


ELLIPSIS = "..."


def caret_excerpt(text: str, span: Span, clean: Callable[[str], str] = _same,
                  width: int | None = None) -> str:
    """The source line holding ``span.start`` with a caret line under the spanned part.

    ``clean`` rewrites the line for display (spl.render.inert); the caret follows the rewrite.
    With ``width`` (the terminal's columns), a longer line is cut to the part around the span,
    each cut marked ``...``, so that the terminal does not wrap it and move the caret away from
    its text; a span wider than the screen keeps its start."""
    start = max(0, min(span.start, len(text)))
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", start)
    if line_end == -1:
        line_end = len(text)
    before = clean(text[line_start:start])
    marked = clean(text[start:max(start, min(span.end, line_end))])
    after = clean(text[max(start, min(span.end, line_end)):line_end])
    if width is not None and len(before) + max(1, len(marked)) + len(after) > width - 1:
        before, marked, after = _fit(before, marked, after, max(width - 1, 20))
    return f"{before}{marked}{after}\n{' ' * len(before)}{'^' * max(1, len(marked))}"


def _fit(before: str, marked: str, after: str, room: int) -> tuple[str, str, str]:
    """Cut a line to ``room`` characters around its marked part: a third of the room (at most)
    for the text before it, the rest after, ``...`` where text was left out."""
    cut = len(ELLIPSIS)
    marked = marked[:max(1, room - 2 * cut - 10)]  # keep some context on each side
    left = room - max(1, len(marked))  # an empty span still has its caret
    keep_before = min(len(before), max(left // 3, left - len(after)))
    if keep_before < len(before):
        keep_before = max(0, keep_before - cut)
        before = ELLIPSIS + before[len(before) - keep_before:]
    keep_after = room - len(before) - max(1, len(marked))
    if keep_after < len(after):
        after = after[:max(0, keep_after - cut)] + ELLIPSIS
    return before, marked, after


class SplError(Exception):
    """Base of every error spl reports to a user."""

    kind = "error"

    def __init__(self, message: str, *, span: Span | None = None, text: str | None = None,
                 file: str | None = None, line: int | None = None, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint  # what to do about it, printed last
        self.span = span
        self.text = text
        self.file = file
        self.line = line

    def with_text(self, text: str) -> SplError:
        """Attach the SPL text the span refers to, if none is attached yet."""
        if self.text is None:
            self.text = text
        return self

    @property
    def position(self) -> tuple[int, int] | None:
        """1-based (line, column) of the error in the SPL text, when known."""
        if self.span is None or self.text is None:
            return None
        return line_col(self.text, self.span.start)

    def render(self, clean: Callable[[str], str] = _same, width: int | None = None) -> str:
        """The message a person reads; ``clean`` rewrites the parts that quote the user's file,
        data or search for display (spl.render.error_text makes them inert); ``width`` cuts a
        long search line to fit the screen (caret_excerpt)."""
        where = ""
        if self.file is not None:
            file = clean(self.file)
            where = f"{file}:{self.line}: " if self.line is not None else f"{file}: "
        pos = self.position
        if pos is not None:
            where += f"line {pos[0]}, column {pos[1]}: "
        out = f"{self.kind}: {where}{clean(self.message)}"
        if self.span is not None and self.text is not None:
            out += "\n" + caret_excerpt(self.text, self.span, clean, width)
        if self.hint:
            out += f"\nhint: {self.hint}"
        return out

    def __str__(self) -> str:
        return self.render()


class SplSyntaxError(SplError):
    kind = "syntax error"


class MacroError(SplError):
    kind = "macro error"


class UnsupportedError(SplError):
    """The search parses, but uses a command or function the engine cannot run yet."""

    kind = "unsupported"


class SearchError(SplError):
    """The search is well formed but fails while running (bad argument, bad type, ...)."""

    kind = "search error"


class DataError(SplError):
    """Input data that cannot be read; carries file and line."""

    kind = "data error"


class ConfigError(SplError):
    """A sourcetype definition, lookup or detection file that cannot be used."""

    kind = "config error"


class UsageError(SplError):
    """spl used wrongly: a bad option or argument of the CLI or the Python API (exit status 2)."""

    kind = "usage error"
