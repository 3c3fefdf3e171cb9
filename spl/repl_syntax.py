"""What the REPL knows about SPL text while it is being typed: tokens, roles, completeness.

This is a forgiving scanner, not the parser: it must cope with half-written searches (an open
quote, a dangling pipe) and still say, for every word, whether it is a command, a field, a
function or a keyword. The prompt's highlighting, its Enter rule and its tab completion all read
SPL through here, so they agree with each other.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from collections.abc import Set as AbstractSet
from dataclasses import dataclass

from prompt_toolkit.completion import Completer, Completion, PathCompleter
from prompt_toolkit.document import Document
from prompt_toolkit.lexers import Lexer

# A bare word runs until whitespace or a character with a meaning of its own. A single quote
# opens a quoted field name only at the start of a word: in ``don't`` it is a letter.
_WORD = re.compile(r"""[^\s|"`'\[\](),=<>!][^\s|"`\[\](),=<>!]*""")
_OP = re.compile(r"==|!=|<=|>=|=|<|>|!")
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?\Z")
_OPERATOR_WORD = re.compile(r"[-+*/%.]+\Z")

# Words that are keywords in any case, unless used as a field (``by=1``).
KEYWORDS_ANY_CASE = {"as", "by", "over", "output", "outputnew", "where", "from"}
# Boolean and other operators count only in upper case: lower-case ``and`` is a search term.
KEYWORDS_UPPER = {"AND", "OR", "NOT", "XOR", "IN", "LIKE"}

# Commands whose arguments are eval expressions.
EXPRESSION_COMMANDS = {"eval", "where"}
# Commands whose arguments are aggregations, then ``by`` fields.
STATS_COMMANDS = {"stats", "eventstats", "streamstats", "chart", "timechart", "tstats"}
# Commands that take ``as`` or ``by`` after their fields.
AS_BY_COMMANDS = {"rename": ("as",), "top": ("by",), "rare": ("by",), "convert": ("as",),
                  "bin": ("as",), "bucket": ("as",), "lookup": ("as", "output", "outputnew")}


@dataclass(frozen=True)
class Token:
    """One piece of the text. ``closed`` is False for a quote, macro or comment left open."""

    kind: str  # ws pipe string quoted macro comment lbracket rbracket lparen rparen comma op word
    start: int
    end: int
    text: str
    closed: bool = True


def tokenize(text: str) -> list[Token]:
    """Split ``text`` into tokens that cover it completely (whitespace included)."""
    out: list[Token] = []
    i, n = 0, len(text)
    single = {"|": "pipe", "[": "lbracket", "]": "rbracket", "(": "lparen", ")": "rparen",
              ",": "comma"}
    while i < n:
        c = text[i]
        if c.isspace():
            j = i
            while j < n and text[j].isspace():
                j += 1
            out.append(Token("ws", i, j, text[i:j]))
        elif text.startswith("```", i):
            end = text.find("```", i + 3)
            j = n if end == -1 else end + 3
            out.append(Token("comment", i, j, text[i:j], end != -1))
        elif c in "\"'`":
            j, closed = _quoted_end(text, i)
            kind = {"\"": "string", "'": "quoted", "`": "macro"}[c]
            out.append(Token(kind, i, j, text[i:j], closed))
        elif c in single:
            j = i + 1
            out.append(Token(single[c], i, j, c))
        else:
            m = _OP.match(text, i) or _WORD.match(text, i)
            assert m is not None  # _WORD takes every character the branches above leave
            j = m.end()
            kind = "op" if m.re is _OP or _OPERATOR_WORD.match(m.group()) else "word"
            out.append(Token(kind, i, j, m.group()))
        i = j
    return out


def _quoted_end(text: str, i: int) -> tuple[int, bool]:
    """End of the quoted run starting at ``i`` (backslash escapes honoured) and whether it closed."""
    quote, j, n = text[i], i + 1, len(text)
    while j < n:
        if text[j] == "\\" and quote != "`":
            j += 2
            continue
        if text[j] == quote:
            return j + 1, True
        j += 1
    return n, False


def is_complete(text: str) -> bool:
    """The Enter rule: a search runs unless it is visibly unfinished.

    Unfinished means: its last line ends with ``|``, or a quote, backtick, comment, bracket or
    parenthesis is still open. A line starting with ``.`` is a meta command and always complete.
    """
    stripped = text.strip()
    if not stripped or stripped.startswith("."):
        return True
    if stripped.endswith("|"):
        return False
    depth = 0
    for tok in tokenize(text):
        if not tok.closed:
            return False
        if tok.kind in ("lbracket", "lparen"):
            depth += 1
        elif tok.kind in ("rbracket", "rparen"):
            depth -= 1
    return depth <= 0


# ---------------------------------------------------------------- roles of words


def roles(tokens: list[Token], fields: AbstractSet[str] = frozenset()) -> list[str]:
    """A role for each token: command, keyword, function, field, number, operator, string,
    macro, comment, pipe, bracket, text (anything else) or ws."""
    out: list[str] = []
    expect_command = [False]  # one flag per bracket depth: is the next word a command name?
    at_segment_start = [True]
    sig = [k for k, t in enumerate(tokens) if t.kind != "ws"]
    following = {sig[a]: sig[a + 1] for a in range(len(sig) - 1)}
    for k, tok in enumerate(tokens):
        nxt = tokens[following[k]] if k in following else None
        role = {"ws": "ws", "pipe": "pipe", "string": "string", "quoted": "field", "macro": "macro",
                "comment": "comment", "lbracket": "bracket", "rbracket": "bracket",
                "lparen": "operator", "rparen": "operator", "comma": "operator",
                "op": "operator"}.get(tok.kind, "text")
        if tok.kind == "pipe":
            expect_command[-1] = True
        elif tok.kind == "lbracket":
            expect_command.append(False)
            at_segment_start.append(True)
        elif tok.kind == "rbracket":
            if len(expect_command) > 1:
                expect_command.pop()
                at_segment_start.pop()
        elif tok.kind == "word":
            role = _word_role(tok, nxt, fields, expect_command[-1] or
                              (at_segment_start[-1] and tok.text.lower() == "search"))
            expect_command[-1] = False
        if tok.kind not in ("ws", "comment", "lbracket"):
            at_segment_start[-1] = False
        out.append(role)
    return out


def _word_role(tok: Token, nxt: Token | None, fields: AbstractSet[str], is_command: bool) -> str:
    word = tok.text
    if is_command:
        return "command"
    comparison = nxt is not None and nxt.kind == "op" and nxt.text != "!"
    if nxt is not None and nxt.kind == "lparen" and nxt.start == tok.end:
        return "function" if word not in KEYWORDS_UPPER else "keyword"
    if word in KEYWORDS_UPPER or (word.lower() in KEYWORDS_ANY_CASE and not comparison):
        return "keyword"
    if _NUMBER.match(word):
        return "number"
    if comparison or word in fields:
        return "field"
    return "text"


# ---------------------------------------------------------------- highlighting


class SplLexer(Lexer):
    """prompt_toolkit lexer: one style class per role (``class:spl.command`` and so on)."""

    def __init__(self, fields: Callable[[], Iterable[str]] = lambda: ()):
        self._fields = fields

    def lex_document(self, document: Document):
        text = document.text
        if text.lstrip().startswith("."):
            meta = [[("class:spl.meta", line)] for line in document.lines]
            return lambda i: meta[i] if i < len(meta) else []
        tokens = tokenize(text)
        fields = set(self._fields())
        lines: list[list[tuple[str, str]]] = [[]]
        for tok, role in zip(tokens, roles(tokens, fields)):
            style = "" if role in ("ws", "text") else f"class:spl.{role}"
            for n, part in enumerate(tok.text.split("\n")):
                if n:
                    lines.append([])
                if part:
                    lines[-1].append((style, part))
        return lambda i: lines[i] if i < len(lines) else []


# ---------------------------------------------------------------- completion


@dataclass
class Vocabulary:
    """Where the completer gets its names; each is called on demand, so they stay current."""

    commands: Callable[[], Iterable[str]] = lambda: ()
    fields: Callable[[], Iterable[str]] = lambda: ()
    eval_functions: Callable[[], Iterable[str]] = lambda: ()
    stats_functions: Callable[[], Iterable[str]] = lambda: ()
    macros: Callable[[], Iterable[str]] = lambda: ()  # as called: name or name(arg1,arg2)
    values: Callable[[str], Iterable[str]] = lambda field: ()
    metas: Callable[[], Iterable[str]] = lambda: ()  # meta command names, without the dot
    # A one-line description of a name of some kind ("function", "stats function"), or None.
    describe: Callable[[str, str], str | None] = lambda kind, name: None


class SplCompleter(Completer):
    """Tab completion that reads where the cursor is: which command, which clause, which quote."""

    def __init__(self, vocabulary: Vocabulary):
        self.vocab = vocabulary

    def get_completions(self, document: Document, complete_event=None) -> Iterator[Completion]:
        before = document.text_before_cursor
        if before.lstrip().startswith("."):
            yield from self._meta_completions(before.lstrip(), complete_event)
            return
        for text, start, meta, display in self.candidates(before):
            yield Completion(text, start_position=start, display_meta=meta, display=display)

    def _meta_completions(self, before: str, complete_event) -> Iterator[Completion]:
        """Meta command names after ``.``; file paths after ``.load`` and ``.save``."""
        name, space, rest = before.partition(" ")
        if not space:
            for meta in _matching(self.vocab.metas(), name[1:]):
                yield Completion(meta, start_position=-(len(name) - 1), display_meta="command")
        elif name in (".load", ".save"):
            word = rest.rsplit(" ", 1)[-1]
            yield from PathCompleter(expanduser=True).get_completions(Document(word),
                                                                      complete_event)

    def candidates(self, before: str) -> list[tuple[str, int, str, str | None]]:
        """(insert text, start offset relative to the cursor, kind, display) for ``before``."""
        tokens = tokenize(before)
        last = tokens[-1] if tokens else None
        if last is not None and last.kind == "macro" and not last.closed:
            prefix = last.text[1:]
            return [(call[:call.index("(") + 1] if "(" in call else call + "`", -len(prefix),
                     "macro", call) for call in _matching(self.vocab.macros(), prefix)]
        if last is not None and not last.closed:
            return []  # inside a string or comment
        prefix = last.text if last is not None and last.kind == "word" else ""
        head = tokens[:-1] if prefix else tokens
        context = _context(head)
        out: list[tuple[str, int, str, str | None]] = []

        def offer(names: Iterable[str], kind: str) -> None:
            for name in _matching(names, prefix):
                meta = self.vocab.describe(kind, name) or kind
                if name.endswith("<N>"):  # perc<N>: insert the stem, show the pattern
                    out.append((name[:-3], -len(prefix), meta, name))
                elif kind == "function":  # an eval function is always called
                    out.append((name + "(", -len(prefix), meta, name))
                else:
                    out.append((name, -len(prefix), meta, None))

        kind = context.kind
        if kind == "command":
            offer(self.vocab.commands(), "command")
        elif kind == "value":
            for v in _matching(self.vocab.values(context.field), prefix):
                quoted = v if re.fullmatch(r"[^\s\"'|()\[\]=,`]+", v) else _quote(v)
                out.append((quoted, -len(prefix), "value", None))
        elif kind == "expression":
            offer(self.vocab.fields(), "field")
            offer(self.vocab.eval_functions(), "function")
        elif kind == "aggregation":
            offer(self.vocab.stats_functions(), "stats function")
            offer(context.keywords, "keyword")
        elif kind == "fields":
            offer(self.vocab.fields(), "field")
            offer(context.keywords, "keyword")
        return out


def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _matching(names: Iterable[str], prefix: str) -> list[str]:
    """Names starting with ``prefix`` (ignoring case), each once, in the order given."""
    low = prefix.lower()
    seen: set[str] = set()
    out = []
    for name in names:
        if name not in seen and name.lower().startswith(low) and name != prefix:
            seen.add(name)
            out.append(name)
    return out


@dataclass(frozen=True)
class _Context:
    kind: str  # command, fields, expression, aggregation, value, none
    keywords: tuple[str, ...] = ()
    field: str = ""


def _context(tokens: list[Token]) -> _Context:
    """What may come next after ``tokens`` (the text before the word being completed)."""
    # The current segment: tokens after the last pipe (or opening bracket) at the cursor's depth.
    depth = 0
    seg_start = 0
    at_pipe = False
    for k in range(len(tokens) - 1, -1, -1):
        kind = tokens[k].kind
        if kind in ("rbracket", "rparen"):
            depth += 1
        elif kind == "lparen" and depth > 0:
            depth -= 1
        elif kind == "lbracket":
            if depth == 0:
                seg_start = k + 1
                break
            depth -= 1
        elif kind == "pipe" and depth == 0:
            seg_start, at_pipe = k + 1, True
            break
    segment = [t for t in tokens[seg_start:] if t.kind not in ("ws", "comment")]
    if not segment:
        return _Context("command") if at_pipe else _Context("fields")
    if at_pipe:
        command, args = segment[0].text.lower(), segment[1:]
    elif segment[0].kind == "word" and segment[0].text.lower() == "search":
        command, args = "search", segment[1:]
    else:
        command, args = "search", segment
    prev = args[-1] if args else None
    if prev is not None and prev.kind == "word" and prev.text.lower() == "as":
        return _Context("none")  # a new name follows
    open_parens = _open_parens(args)
    if command in EXPRESSION_COMMANDS:
        if command == "eval" and open_parens == 0 and (prev is None or prev.kind == "comma"):
            return _Context("fields")  # the name being assigned
        return _Context("expression")
    if any(t.kind == "word" and t.text.lower() == "by" for t in args):
        return _Context("fields")
    if command in STATS_COMMANDS:
        if open_parens > 0:
            return _Context("fields")
        after_call = prev is not None and prev.kind == "rparen"
        return _Context("aggregation", ("as", "by") if after_call else ("by",))
    if command == "search":
        if prev is not None and prev.kind == "op" and len(args) >= 2 and args[-2].kind == "word":
            return _Context("value", field=args[-2].text)
        return _Context("fields")
    return _Context("fields", AS_BY_COMMANDS.get(command, ()))


def _open_parens(tokens: list[Token]) -> int:
    depth = 0
    for t in tokens:
        if t.kind == "lparen":
            depth += 1
        elif t.kind == "rparen":
            depth = max(0, depth - 1)
    return depth
