"""From the text a user wrote to a parsed pipeline: comments, macros, then the grammar.

Errors leave here as SplError subclasses whose span and text refer to the user's own text, so
``err.render()`` puts the caret under what they wrote (under the macro call when the problem is
inside a macro's expansion).
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from spl.errors import Span, SplError
from spl.macros import Expansion, MacroLibrary
from spl.syntax import ast
from spl.syntax.parser import parse


@dataclass(frozen=True)
class ParsedSearch:
    """A parsed search: ``pipeline`` spans refer to ``expanded``; ``original`` is the user's text."""

    pipeline: ast.Pipeline
    expanded: str
    original: str
    expansion: Expansion

    def to_original(self, span: Span) -> Span:
        """The span of the user's text that ``span`` (of the expanded text) came from."""
        return self.expansion.to_original(span)

    def relocate(self, error: SplError) -> SplError:
        """``error`` (whose span refers to the expanded text) re-pointed at the user's text.

        Errors raised while running carry spans of the expanded text (``Context.text``).
        """
        if error.span is not None and error.text in (None, self.expanded):
            error.span = self.to_original(error.span)
            error.text = self.original
        return error


def parse_search(text: str, macro_dirs: Sequence[Path] = (),
                 library: MacroLibrary | None = None) -> ParsedSearch:
    """Strip comments, expand macros (bundled, then ``macro_dirs``) and parse ``text``."""
    if library is None:
        library = MacroLibrary.load(macro_dirs)
    try:
        expansion = library.expand(text)
    except SplError as exc:
        if exc.text is None:
            exc.text = text
        raise
    try:
        pipeline = parse(expansion.text)
    except SplError as exc:
        if exc.span is not None:
            call = expansion.macro_call(exc.span)
            if call is not None:
                exc.message += f" (in the expansion of {text[call.start:call.end]})"
            exc.span = expansion.to_original(exc.span)
        exc.text = text
        raise
    return ParsedSearch(pipeline, expansion.text, text, expansion)
