"""Search macros: loading definitions and expanding `backtick` calls before parsing.

Definitions come from directories layered in order — the bundled ``spl._macros`` first, then the
user's directories, later ones overriding earlier ones. Each directory may hold security_content's
YAML files (``name``, ``definition``, ``arguments``) and Splunk ``*.conf`` files in macros.conf form.

Expansion keeps a map from every offset of the expanded text back to the text the user wrote, so a
syntax error found in the expanded search is reported where the user can see it (at the macro call
when the error lies inside a macro's expansion).

Limits. Depth: at most MAX_DEPTH nested calls. Size: Splunk's macros.conf and limits.conf pages
document no cap on what a search expands to, yet macros that each call the next twice double the
text at every level (20 levels: over a million copies). spl stops expanding once the expanded
search passes MAX_EXPANDED_CHARS characters (1 MB, thousands of times a real detection) or
MAX_CALLS macro calls (which catches the same doubling with empty bodies). Both are counted
while expanding, piece by piece, so the error comes before the huge text is built; it names the
macro being expanded, the call in the user's text (caret) and the limit.
"""
from __future__ import annotations

import bisect
import importlib.resources
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from spl import yamlload
from spl.commands._args import boolean
from spl.errors import ConfigError, MacroError, Span, SplSyntaxError

# How deep macros may call macros before we call it a recursion.
MAX_DEPTH = 50
# How large a search may grow by expansion: characters of expanded text, and macro calls.
MAX_EXPANDED_CHARS = 1_000_000
MAX_CALLS = 10_000

_STANZA = re.compile(r"^\[\s*([^\]\(]+?)\s*(?:\(\s*(\d+)\s*\))?\s*\]\s*$")
_ARG_NAME = re.compile(r"^[A-Za-z0-9_-]+$")
_COMMENT = "```"


@dataclass(frozen=True)
class Macro:
    """One definition: ``name`` with ``args`` (names, in order) expanding to ``definition``."""

    name: str
    args: tuple[str, ...]
    definition: str
    source: str
    iseval: bool = False


@dataclass(frozen=True)
class Expansion:
    """An expanded search and the way back to the text the user wrote.

    ``segments`` are (expanded start, expanded end, original start, original end, verbatim):
    verbatim pieces map offset for offset, a macro's expansion maps as a whole to its call.
    """

    text: str
    original: str
    segments: tuple[tuple[int, int, int, int, bool], ...]

    def _segment(self, pos: int) -> tuple[int, int, int, int, bool]:
        i = bisect.bisect_right(self._starts, pos) - 1
        return self.segments[max(i, 0)]

    @property
    def _starts(self) -> list[int]:
        return [s[0] for s in self.segments]

    def macro_call(self, span: Span) -> Span | None:
        """The macro call (in the user's text) whose expansion holds ``span``, if any."""
        if not self.segments:
            return None
        pos = span.start - 1 if span.end <= span.start and span.start > 0 else span.start
        es, ee, os_, oe, verbatim = self._segment(pos)
        return None if verbatim or pos >= ee else Span(os_, oe)

    def to_original(self, span: Span) -> Span:
        """The span of the user's text that produced ``span`` of the expanded text."""
        if not self.segments:
            return span
        if span.end <= span.start and span.start > 0:
            # an empty span (e.g. "end of search") sits right after the character before it
            es, ee, os_, oe, verbatim = self._segment(span.start - 1)
            if not verbatim:
                return Span(os_, oe)
            pos = os_ + min(span.start, ee) - es
            return Span(pos, pos)
        es, ee, os_, oe, verbatim = self._segment(span.start)
        if span.start >= ee:
            start = oe
        else:
            start = os_ + (span.start - es) if verbatim else os_
        if span.end <= span.start:
            return Span(start, start)
        es, ee, os_, oe, verbatim = self._segment(span.end - 1)
        if span.end > ee:
            end = oe
        else:
            end = os_ + (span.end - es) if verbatim else oe
        return Span(start, max(start, end))


def strip_comments(text: str) -> str:
    """Replace every ```comment``` (outside double quotes) with spaces, keeping offsets and lines.

    Splunk replaces comments with a space before running the search
    (https://help.splunk.com/splunk-enterprise/search/search-manual/10.0/using-the-search-app/add-comments-to-searches).
    """
    if _COMMENT not in text:
        return text
    out = list(text)
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == '"':
            i = _skip_string(text, i)
            continue
        if ch == "\\":
            i += 2
            continue
        if text.startswith(_COMMENT, i):
            end = text.find(_COMMENT, i + 3)
            if end == -1:
                raise SplSyntaxError("unclosed comment: ``` without a closing ```",
                                     span=Span(i, i + 3), text=text)
            for j in range(i, end + 3):
                if out[j] != "\n":
                    out[j] = " "
            i = end + 3
            continue
        i += 1
    return "".join(out)


def _skip_string(text: str, i: int) -> int:
    """The offset just past the double-quoted string starting at ``i`` (or the end of text)."""
    j, n = i + 1, len(text)
    while j < n:
        if text[j] == "\\":
            j += 2
        elif text[j] == '"':
            return j + 1
        else:
            j += 1
    return n


def _split_args(text: str) -> list[str]:
    """Split a macro call's argument text on top-level commas (quotes and parentheses nest)."""
    args, depth, start, i = [], 0, 0, 0
    while i < len(text):
        ch = text[i]
        if ch == '"':
            i = _skip_string(text, i)
            continue
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "," and depth == 0:
            args.append(text[start:i].strip())
            start = i + 1
        i += 1
    args.append(text[start:].strip())
    return args


def bundled_dir() -> Path:
    """The directory of the macros shipped with spl (``macros/`` in the repository)."""
    return Path(str(importlib.resources.files("spl._macros")))


def _load_yaml(path: Path) -> list[Macro]:
    try:
        data = yamlload.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read macro file: {exc}", file=str(path)) from None
    except yaml.YAMLError as exc:
        line = getattr(getattr(exc, "problem_mark", None), "line", None)
        raise ConfigError(f"invalid YAML: {getattr(exc, 'problem', exc)}", file=str(path),
                          line=None if line is None else line + 1) from None
    if not isinstance(data, dict) or "name" not in data or "definition" not in data:
        raise ConfigError("a macro file needs 'name' and 'definition'", file=str(path))
    args = data.get("arguments") or []
    if not isinstance(args, list):
        raise ConfigError("'arguments' must be a list of names", file=str(path))
    return [Macro(str(data["name"]).strip(), tuple(str(a).strip() for a in args),
                  str(data["definition"]), str(path))]


def _conf_lines(path: Path) -> Iterable[tuple[int, str]]:
    """Logical lines of a .conf file: a trailing backslash continues onto the next line."""
    try:
        raw = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read macro file: {exc}", file=str(path)) from None
    buf: list[str] = []
    first = 0
    for number, line in enumerate(raw, 1):
        if not buf:
            first = number
        if line.endswith("\\"):
            buf.append(line[:-1])
            continue
        buf.append(line)
        yield first, "\n".join(buf)
        buf = []
    if buf:
        yield first, "\n".join(buf)


def _load_conf(path: Path) -> list[Macro]:
    """Macros of a macros.conf file (stanzas ``[name]`` / ``[name(N)]``)."""
    stanzas: list[tuple[str, int, int, dict[str, str]]] = []
    for number, line in _conf_lines(path):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.startswith("["):
            m = _STANZA.match(stripped)
            if not m:
                raise ConfigError(f"bad stanza header {stripped!r}", file=str(path), line=number)
            stanzas.append((m.group(1), int(m.group(2) or 0), number, {}))
            continue
        key, sep, value = line.partition("=")
        if not sep:
            raise ConfigError(f"expected 'key = value', got {stripped!r}", file=str(path),
                              line=number)
        if not stanzas:
            continue  # settings before any stanza are global defaults, not macros
        stanzas[-1][3][key.strip().lower()] = value.strip()
    macros = []
    for name, arity, number, settings in stanzas:
        if name == "default":
            continue
        if "definition" not in settings:
            raise ConfigError(f"macro [{name}] has no definition", file=str(path), line=number)
        args = tuple(a.strip() for a in settings.get("args", "").split(",") if a.strip())
        if arity == 0:
            args = ()
        if len(args) != arity or any(not _ARG_NAME.match(a) for a in args):
            raise ConfigError(f"macro [{name}({arity})] needs 'args' with {arity} names "
                              f"(letters, digits, _ or -)", file=str(path), line=number)
        iseval = boolean(settings.get("iseval") or "false")
        if iseval is None:
            raise ConfigError(f"macro [{name}]: iseval = {settings['iseval']} must be true or "
                              f"false", file=str(path), line=number)
        macros.append(Macro(name, args, settings["definition"], f"{path}:{number}",
                            iseval=iseval))
    return macros


@dataclass
class MacroLibrary:
    """Macro definitions keyed by (name, number of arguments)."""

    dirs: list[str] = field(default_factory=list)
    macros: dict[tuple[str, int], Macro] = field(default_factory=dict)

    @classmethod
    def load(cls, dirs: Sequence[Path | str] = (), *, bundled: bool = True) -> MacroLibrary:
        """The bundled macros (unless ``bundled`` is False), then each of ``dirs`` in order."""
        library = cls()
        if bundled:
            library.add_dir(bundled_dir())
        for d in dirs:
            library.add_dir(Path(d))
        return library

    def add_dir(self, path: Path) -> None:
        """Add every macro of a directory (recursively) or of one file; later ones override."""
        if not path.exists():
            raise ConfigError("macro directory does not exist", file=str(path))
        self.dirs.append(str(path))
        files = [path] if path.is_file() else sorted(
            p for p in path.rglob("*") if p.suffix in (".yml", ".yaml", ".conf") and p.is_file())
        for f in files:
            for macro in (_load_conf(f) if f.suffix == ".conf" else _load_yaml(f)):
                self.add(macro)

    def add(self, macro: Macro) -> None:
        self.macros[(macro.name, len(macro.args))] = macro

    def get(self, name: str, arity: int) -> Macro | None:
        return self.macros.get((name, arity))

    # ------------------------------------------------------------------ expansion

    def expand(self, text: str) -> Expansion:
        """Strip comments and expand every macro call of ``text`` (not inside quoted strings)."""
        clean = strip_comments(text)
        out: list[str] = []
        segments: list[tuple[int, int, int, int, bool]] = []
        pos = 0  # in clean (same offsets as text)
        length = 0  # of the output so far
        budget = _Budget(text)

        def verbatim(upto: int) -> None:
            nonlocal length
            if upto > pos:
                out.append(clean[pos:upto])
                segments.append((length, length + upto - pos, pos, upto, True))
                length += upto - pos

        for start, end in _calls(clean, 0, original=text):
            verbatim(start)
            body = self._expand_call(clean, start, end, depth=0, chain=(), original=text,
                                     budget=budget)
            if body:
                out.append(body)
                segments.append((length, length + len(body), start, end, False))
                length += len(body)
            pos = end
        verbatim(len(clean))
        return Expansion("".join(out), text, tuple(segments))

    def _expand_text(self, text: str, depth: int, chain: tuple[str, ...], at: Span,
                     original: str, budget: _Budget) -> str:
        parts: list[str] = []
        pos = 0
        for start, end in _calls(text, 0, original=original, at=at):
            budget.text(start - pos, chain[-1], at)
            parts.append(text[pos:start])
            parts.append(self._expand_call(text, start, end, depth, chain, at=at, original=original,
                                           budget=budget))
            pos = end
        budget.text(len(text) - pos, chain[-1], at)
        parts.append(text[pos:])
        return "".join(parts)

    def _expand_call(self, text: str, start: int, end: int, depth: int, chain: tuple[str, ...],
                     at: Span | None = None, original: str | None = None, *,
                     budget: _Budget) -> str:
        """The full expansion of the call ``text[start:end]`` (backticks included)."""
        where = at or Span(start, end)
        source = original if original is not None else text
        call = text[start + 1:end - 1].strip()
        paren = call.find("(")
        if paren == -1:
            name, args = call, []
        else:
            if not call.endswith(")"):
                raise MacroError(f"malformed macro call `{call}`: expected ')' at the end",
                                 span=where, text=source)
            name, args = call[:paren].strip(), _split_args(call[paren + 1:-1])
        if not name:
            raise MacroError("empty macro call ``", span=where, text=source)
        if depth >= MAX_DEPTH:
            raise MacroError(f"macro `{name}` expands too deeply (more than {MAX_DEPTH} levels): "
                             f"{' -> '.join(chain[:5] + ('...', name))}", span=where, text=source)
        budget.call(name, where)
        macro = self._resolve(name, args, where, source)
        if macro is None:  # an undefined <detection>_filter macro: no filtering
            budget.text(len("search *"), name, where)
            return "search *"
        if macro.iseval:
            raise MacroError(f"macro `{name}` is an eval-based macro (iseval = true), which spl "
                             f"does not support", span=where, text=source)
        body = macro.definition
        named = _named_args(args, macro.args)
        for arg_name, value in zip(macro.args, named):
            token = f"${arg_name}$"
            # arguments that double at each call: measured before the text is built
            budget.fits(len(body) + body.count(token) * (len(value) - len(token)), name, where)
            body = body.replace(token, value)
        body = strip_comments(body)
        return self._expand_text(body, depth + 1, chain + (name,), where, source, budget)

    def _resolve(self, name: str, args: list[str], where: Span, source: str) -> Macro | None:
        macro = self.get(name, len(args))
        if macro is not None:
            return macro
        if name.endswith("_filter") and not args:
            return None
        others = sorted(n for (n, a) in self.macros if n == name)
        if others:
            arities = ", ".join(str(a) for (n, a) in sorted(self.macros) if n == name)
            raise MacroError(f"macro `{name}` is not defined with {len(args)} argument(s) "
                             f"(defined with {arities})", span=where, text=source)
        searched = ", ".join(self.dirs) or "(no macro directories)"
        raise MacroError(f"the search uses macro `{name}`, which is not defined in: {searched}",
                         span=where, text=source, hint=UNDEFINED_HINT)


UNDEFINED_HINT = ("name the folder that defines it with --macros DIR (macros=[DIR] in Python); "
                  "a detection inside a security_content checkout uses the checkout's macros/ "
                  "by itself")


class _Budget:
    """What one expansion has produced so far: characters of output and macro calls."""

    def __init__(self, source: str):
        self.source = source
        self.chars = 0
        self.calls = 0

    def fits(self, size: int, name: str, where: Span) -> None:
        """Stop unless ``size`` more characters of output stay within the limit."""
        if self.chars + size > MAX_EXPANDED_CHARS:
            raise MacroError(f"macro `{name}` expands the search past {MAX_EXPANDED_CHARS:,} "
                             "characters (spl's limit on the size of an expanded search)",
                             span=where, text=self.source)

    def text(self, size: int, name: str, where: Span) -> None:
        """Count ``size`` characters of output."""
        self.fits(size, name, where)
        self.chars += size

    def call(self, name: str, where: Span) -> None:
        self.calls += 1
        if self.calls > MAX_CALLS:
            raise MacroError(f"macro `{name}`: the search makes more than {MAX_CALLS:,} macro "
                             "calls (spl's limit on macro expansion)", span=where,
                             text=self.source)


def _named_args(values: list[str], names: tuple[str, ...]) -> list[str]:
    """Argument values in definition order; ``name=value`` form allowed for every argument."""
    pairs = [v.partition("=") for v in values]
    if values and all(sep and k.strip() in names for k, sep, _ in pairs):
        given = {k.strip(): v.strip() for k, _, v in pairs}
        if set(given) == set(names):
            return [given[n] for n in names]
    return values


_QUOTES_AND_BACKTICKS = re.compile(r'\\.|"(?:[^"\\]|\\.)*"?|`[^`]*(`?)', re.S)


def _calls(text: str, start: int, *, original: str | None = None,
           at: Span | None = None) -> Iterable[tuple[int, int]]:
    """(start, end) of each `macro` call in ``text`` outside double-quoted strings."""
    for m in _QUOTES_AND_BACKTICKS.finditer(text, start):
        if m.group()[0] != "`":
            continue
        if not m.group(1):
            span = at or Span(m.start(), m.start() + 1)
            raise MacroError("unbalanced backtick: this macro call is never closed",
                             span=span, text=original if original is not None else text)
        yield m.start(), m.end()
