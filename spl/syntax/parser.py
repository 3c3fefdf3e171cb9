"""SPL text -> typed AST (spl.syntax.ast), with Lark's LALR parser and contextual lexer.

The grammar (grammar/spl.lark, shipped as ``spl._grammar``) is compiled once per process. The
transformer runs inside the parser (no parse tree is built), which keeps a typical ESCU search
well under two milliseconds. Every Lark error becomes an SplSyntaxError with a message a person
can act on and the span of the offending text.
"""
from __future__ import annotations

import functools
import importlib.resources
import re
import threading
from typing import Any, cast

from lark import Lark, Token, Transformer
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from spl.errors import SearchError, Span, SplError, SplSyntaxError
from spl.syntax import ast
from spl.values import to_number

# Search-time modifiers that a search's `name=value` term sets instead of matching a field
# (https://help.splunk.com/splunk-enterprise/spl-search-reference/9.4/time-format-variables-and-modifiers/time-modifiers).
TIME_MODIFIERS = frozenset({
    "earliest", "latest", "_index_earliest", "_index_latest", "starttime", "endtime",
    "startdaysago", "starthoursago", "startminutesago", "startmonthsago",
    "enddaysago", "endhoursago", "endminutesago", "endmonthsago",
    "daysago", "hoursago", "minutesago", "monthsago",
    "searchtimespandays", "searchtimespanhours", "searchtimespanminutes", "searchtimespanmonths",
    "timeformat",
})

_ESCAPE = re.compile(r'\\([\\"])')
_SEARCH_ESCAPE = re.compile(r'\\([\\"|])')
_SQ_ESCAPE = re.compile(r"\\([\\'])")
_INT = re.compile(r"[+-]?\d+")
_GLUED = re.compile(r'"((?:[^"\\]|\\.)*)"')
_PIECE = re.compile(r'"((?:[^"\\]|\\.)*)"|\\.|[^"\\]+')  # quoted piece, escape, plain run


def _unquote(tok: str) -> str:
    """A double-quoted literal's value: quotes removed, ``\\\\`` and ``\\"`` resolved."""
    return _ESCAPE.sub(r"\1", tok[1:-1])


def _search_value(tok: Token) -> tuple[str, bool]:
    """A search value as (text, quoted): quotes removed and ``\\\\ \\" \\|`` resolved."""
    if tok.type == "STRING":
        return _SEARCH_ESCAPE.sub(r"\1", tok[1:-1]), True
    return _SEARCH_ESCAPE.sub(r"\1", str(tok)), False


def _name(tok: Token) -> str:
    """A field name written bare, "double-quoted" or 'single-quoted'."""
    if tok.type == "STRING":
        return _unquote(tok)
    if tok.type == "SQ":
        return _SQ_ESCAPE.sub(r"\1", tok[1:-1])
    if '"' in tok:
        return _GLUED.sub(lambda m: _ESCAPE.sub(r"\1", m.group(1)), tok)
    return str(tok)


def _start(x: Any) -> int:
    if isinstance(x, Token):
        return _tok_span(x).start
    if isinstance(x, Span):
        return x.start
    if isinstance(x, (list, tuple)):
        return _start(x[0])
    return x.span.start


def _end(x: Any) -> int:
    if isinstance(x, Token):
        return _tok_span(x).end
    if isinstance(x, Span):
        return x.end
    if isinstance(x, (list, tuple)):
        return _end(x[-1])
    return x.span.end


def _span(first: Any, last: Any = None) -> Span:
    return Span(_start(first), _end(first if last is None else last))


def _tok_span(tok: Token) -> Span:
    # Lark types positions as optional: a token made by hand has none, the lexer's always do.
    assert tok.start_pos is not None and tok.end_pos is not None
    return Span(tok.start_pos, tok.end_pos)


class _Opt:
    """An ``key=value`` argument while a command is being assembled."""

    __slots__ = ("key", "value", "span")

    def __init__(self, key: str, value: str, span: Span):
        self.key, self.value, self.span = key, value, span


class _CallArg:
    """A ``func(field)`` argument (sort keys such as ``num(x)``)."""

    __slots__ = ("func", "field", "span")

    def __init__(self, func: str, field: str, span: Span):
        self.func, self.field, self.span = func, field, span


class _Alias:
    """``as name`` inside bin/bucket."""

    __slots__ = ("name", "span")

    def __init__(self, name: str, span: Span):
        self.name, self.span = name, span


class _Pair:
    """``old as new`` of rename."""

    __slots__ = ("old", "new", "span")

    def __init__(self, old: str, new: str, span: Span):
        self.old, self.new, self.span = old, new, span


class _By:
    """A ``by`` clause: field names and any options written after them (``span=1h``)."""

    __slots__ = ("fields", "options", "span")

    def __init__(self, fields: tuple[str, ...], options: tuple[tuple[str, str], ...], span: Span):
        self.fields, self.options, self.span = fields, options, span


def _error(message: str, span: Span) -> SplSyntaxError:
    return SplSyntaxError(message, span=span)


def _is_int(tok: Any) -> bool:
    return isinstance(tok, Token) and tok.type == "WORD" and _INT.fullmatch(tok) is not None


def _options(items: list) -> tuple[tuple[str, str], ...]:
    return tuple((o.key, o.value) for o in items if isinstance(o, _Opt))


def _words(items: list) -> list[Token]:
    return [t for t in items if isinstance(t, Token) and t.type in ("WORD", "STRING")]


def _nospace(text: str) -> str:
    """``text`` without whitespace outside double quotes (Splunk's default stats column name)."""
    return "".join(part if i % 2 else re.sub(r"\s+", "", part)
                   for i, part in enumerate(re.split(r'("(?:[^"\\]|\\.)*")', text)))


class _ToAst(Transformer):
    """Callbacks named after the grammar's rules; each returns an AST node (or a helper)."""

    def __init__(self) -> None:
        super().__init__(visit_tokens=False)
        self.text = ""

    # ------------------------------------------------------------ pipeline

    def pipeline(self, c):
        commands = [c[0]] + c[2::2]
        return ast.Pipeline(tuple(commands), _span(c[0], c[-1]), generating=False)

    def generating_pipeline(self, c):
        return ast.Pipeline(tuple(c[1::2]), _span(c[0], c[-1]), generating=True)

    def implied_search(self, c):
        if isinstance(c[0], Token):
            return ast.Search("search", _span(c[0], c[-1]), c[1] if len(c) > 1 else None)
        return ast.Search("search", c[0].span, c[0])

    def search_cmd(self, c):
        return ast.Search("search", _span(c[0], c[-1]), c[1] if len(c) > 1 else None)

    def subpipe(self, c):
        generating = isinstance(c[0], Token)
        commands = tuple(x for x in c if not isinstance(x, Token))
        return ast.Pipeline(commands, _span(c[0], c[-1]), generating=generating)

    def subsearch(self, c):
        return ast.Subsearch(c[1], _span(c[0], c[2]))

    # ------------------------------------------------------------ search expressions

    def s_expr(self, c):
        items = [x for x in c if not isinstance(x, Token)]
        if len(items) == 1:
            return items[0]
        return ast.SearchAnd(tuple(items), _span(c[0], c[-1]))

    t_expr = s_expr

    def s_or(self, c):
        items = [x for x in c if not isinstance(x, Token)]
        if len(items) == 1:
            return items[0]
        return ast.SearchOr(tuple(items), _span(c[0], c[-1]))

    t_or = s_or

    def s_negate(self, c):
        return ast.SearchNot(c[1], _span(c[0], c[1]))

    def s_group(self, c):
        return c[1]

    def s_keyword(self, c):
        value, _ = _search_value(c[0])
        return ast.Term(value, False, _tok_span(c[0]))

    def s_phrase(self, c):
        value, _ = _search_value(c[0])
        return ast.Term(value, True, _tok_span(c[0]))

    @staticmethod
    def _termcall(tok: Token) -> tuple[str, bool, bool, bool]:
        """(value, quoted, term, case) of ``TERM(x)`` / ``CASE(x)``."""
        inner = str(tok)[5:-1]
        quoted = inner.startswith('"') and inner.endswith('"') and len(inner) >= 2
        value = _SEARCH_ESCAPE.sub(r"\1", inner[1:-1] if quoted else inner)
        is_term = tok.startswith("TERM")
        return value, quoted, is_term, not is_term

    def s_termcall(self, c):
        value, quoted, term, case = self._termcall(c[0])
        return ast.Term(value, quoted, _tok_span(c[0]), term=term, case=case)

    def s_compare(self, c):
        field_tok, op, value_tok = c
        field, _ = _search_value(field_tok)
        span = _span(field_tok, value_tok)
        if value_tok.type == "TERMCALL":
            value, quoted, term, case = self._termcall(value_tok)
            return ast.Compare(field, str(op), value, quoted, span, case=case, term=term)
        value, quoted = _search_value(value_tok)
        if op == "=" and field.lower() in TIME_MODIFIERS:
            return ast.TimeModifier(field.lower(), value, span)
        return ast.Compare(field, str(op), value, quoted, span)

    def s_field_in(self, c):
        field, _ = _search_value(c[0])
        values = tuple(_search_value(t)[0] for t in c[3] if t.type != "COMMA")
        return ast.FieldIn(field, values, _span(c[0], c[-1]))

    def in_items(self, c):
        return c

    def s_subsearch(self, c):
        sub = ast.Subsearch(c[1], _span(c[0], c[2]))
        return ast.SubsearchTerm(sub, sub.span)

    # ------------------------------------------------------------ eval expressions

    _OPS = {"==": "="}

    def e_binop(self, c):
        left, op, right = c
        name = op.upper() if op.type.startswith("E_") else self._OPS.get(str(op), str(op))
        return ast.BinOp(name, left, right, _span(left, right))

    def e_unary(self, c):
        op, operand = c
        if op.type == "MINUS":
            if isinstance(operand, ast.Literal) and not isinstance(operand.value, str):
                return ast.Literal(-operand.value, _span(op, operand))
            return ast.UnaryOp("-", operand, _span(op, operand))
        return ast.UnaryOp("NOT", operand, _span(op, operand))

    def e_plus(self, c):
        return c[1]

    def e_in(self, c):
        return ast.In(c[0], c[3], _span(c[0], c[4]))

    def e_number(self, c):
        tok = c[0]
        text = str(tok)
        # Numbers are doubles: an integer literal beyond 2**53 is the nearest double (values.py).
        value = to_number(text)
        return ast.Literal(value, _tok_span(tok))

    def e_string(self, c):
        return ast.Literal(_unquote(c[0]), _tok_span(c[0]))

    def e_quoted_field(self, c):
        return ast.Field(_name(c[0]), _tok_span(c[0]))

    def e_field(self, c):
        return ast.Field(str(c[0]), _tok_span(c[0]))

    def e_call(self, c):
        args = c[2] if len(c) == 4 else ()
        return ast.Call(str(c[0]), args, _span(c[0], c[-1]))

    def e_group(self, c):
        return c[1]

    def e_args(self, c):
        return tuple(x for x in c if not isinstance(x, Token))

    # ------------------------------------------------------------ shared argument pieces

    def option(self, c):
        key, _, value = c
        if value.type == "QGLUED":  # quoted pieces lose their quotes; \" and \\ resolve everywhere
            text = "".join(_ESCAPE.sub(r"\1", m.group(1) if m.group(1) is not None else m.group(0))
                           for m in _PIECE.finditer(str(value)))
        else:
            text = _unquote(value) if value.type == "STRING" else _name(value)
        return _Opt(str(key), text, _span(key, value))

    stats_option = by_option = conv_option = head_option = bin_option = option
    lookup_option = il_option = top_option = option

    def call_arg(self, c):
        return _CallArg(str(c[0]), str(c[2]), _span(c[0], c[3]))

    def plain_args(self, c):
        return [x for x in c if not (isinstance(x, Token) and x.type == "COMMA")]

    def by_clause(self, c):
        fields = tuple(_name(t) for t in c[1:] if isinstance(t, Token) and t.type != "COMMA")
        return _By(fields, _options(c), _span(c[0], c[-1]))

    # ------------------------------------------------------------ commands

    def where_cmd(self, c):
        return ast.Where("where", _span(c[0], c[1]), c[1])

    def assignment(self, c):
        target, _, expr = c
        return ast.Assignment(_name(target), expr, _span(target, expr))

    def eval_cmd(self, c):
        assignments = tuple(x for x in c[1:] if isinstance(x, ast.Assignment))
        return ast.Eval(str(c[0]).lower(), _span(c[0], c[-1]), assignments)

    def rename_pair(self, c):
        return _Pair(_name(c[0]), _name(c[2]), _span(c[0], c[2]))

    def rename_cmd(self, c):
        pairs = tuple((x.old, x.new) for x in c[1:] if isinstance(x, _Pair))
        return ast.Rename("rename", _span(c[0], c[-1]), pairs)

    def agg_field(self, c):
        return ("field", _name(c[0]))

    def agg_eval(self, c):
        return ("eval", c[2])

    def agg(self, c):
        func = c[0]
        field = expr = alias = None
        call_end = func.end_pos
        if len(c) >= 4 and isinstance(c[1], Token) and c[1].type == "LPAR":
            kind, value = c[2]
            if kind == "field":
                field = value
            else:
                expr = value
            call_end = c[3].end_pos
        if len(c) >= 3 and isinstance(c[-2], Token) and c[-2].type == "AS":
            alias = _name(c[-1])
        text = _nospace(self.text[func.start_pos:call_end])
        return ast.Aggregation(str(func).lower(), field, alias, text, _span(func, c[-1]), expr=expr)

    _STATS_NODES = {"stats": ast.Stats, "eventstats": ast.EventStats, "streamstats": ast.StreamStats}

    def stats_cmd(self, c):
        name = str(c[0]).lower()
        aggs = tuple(x for x in c if isinstance(x, ast.Aggregation))
        by = next((x for x in c if isinstance(x, _By)), None)
        if not aggs:
            raise _error(f"{name} needs at least one aggregation such as count or values(field)",
                         _span(c[0], c[-1]))
        options = _options(c) + (by.options if by else ())
        return self._STATS_NODES[name](name, _span(c[0], c[-1]), aggs, by.fields if by else (),
                                       options)

    def tstats_cmd(self, c):
        aggs = tuple(x for x in c if isinstance(x, ast.Aggregation))
        if not aggs:
            raise _error("tstats needs at least one aggregation such as count", _span(c[0], c[-1]))
        by = next((x for x in c if isinstance(x, _By)), None)
        datamodel = where = None
        for i, x in enumerate(c):
            if isinstance(x, Token) and x.type == "FROM":
                source = str(c[i + 1])
                if i + 3 < len(c) + 1 and isinstance(c[i + 2], Token) and c[i + 2].type == "EQ":
                    value = _name(c[i + 3])
                    source = value if source.lower() == "datamodel" else f"{source}={value}"
                elif source.lower().startswith("datamodel:"):
                    source = source[len("datamodel:"):]
                datamodel = source
            elif isinstance(x, Token) and x.type == "WHERE":
                where = c[i + 1]
        options = _options(c) + (by.options if by else ())
        return ast.Tstats("tstats", _span(c[0], c[-1]), aggs, datamodel, where,
                          by.fields if by else (), options)

    def chart_cmd(self, c):
        name = str(c[0]).lower()
        aggs = tuple(x for x in c if isinstance(x, ast.Aggregation))
        by = next((x for x in c if isinstance(x, _By)), None)
        if not aggs:
            raise _error(f"{name} needs an aggregation such as count or avg(field)",
                         _span(c[0], c[-1]))
        over = next((_name(c[i + 1]) for i, x in enumerate(c)
                     if isinstance(x, Token) and x.type == "OVER"), None)
        fields = by.fields if by else ()
        most = 1 if name == "timechart" or over is not None else 2
        if len(fields) > most:
            raise _error(f"{name} splits by at most {most} field{'s' * (most > 1)} here",
                         by.span if by else _span(c[0], c[-1]))
        if name == "timechart" and over is not None:
            raise _error("timechart takes no over clause: its rows are _time", _span(c[0], c[-1]))
        options = _options(c) + (by.options if by else ())
        return ast.Chart(name, _span(c[0], c[-1]), aggs, over, fields, options)

    def conversion(self, c):
        alias = _name(c[-1]) if len(c) == 6 else None
        return ast.Conversion(str(c[0]).lower(), str(c[2]), alias, _span(c[0], c[-1]))

    def convert_cmd(self, c):
        conversions = tuple(x for x in c if isinstance(x, ast.Conversion))
        if not conversions:
            raise _error("convert needs a conversion such as ctime(field)", _span(c[0], c[-1]))
        opts = _options(c)
        return ast.Convert("convert", _span(c[0], c[-1]), ast.option(opts, "timeformat"),
                           conversions)

    def table_cmd(self, c):
        args = c[1]
        self._only_words("table", args)
        if not args:  # "table <wc-field-list>": the list is required
            raise _error("table needs at least one field name", _span(c[0], c[0]))
        return ast.Table("table", _span(c[0], args), tuple(_name(t) for t in args))

    def fields_cmd(self, c):
        args = c[1]
        self._only_words("fields", args)
        remove = False
        if args and args[0] in ("-", "+"):
            remove = args[0] == "-"
            args = args[1:]
        if not args:
            raise _error("fields needs at least one field name", _span(c[0], c[-1] or c[0]))
        return ast.Fields("fields", _span(c[0], c[1] or c[0]), tuple(_name(t) for t in args), remove)

    @staticmethod
    def _only_words(name: str, args: list) -> None:
        for a in args:
            if not (isinstance(a, Token) and a.type in ("WORD", "STRING")):
                raise _error(f"{name} takes field names only", a.span)

    @staticmethod
    def _sort_keys(items: list) -> list[ast.SortKey]:
        keys: list[ast.SortKey] = []
        sign: Token | None = None
        for item in items:
            if isinstance(item, _CallArg):
                func, desc = item.func, False
                if func[:1] in "+-":
                    desc, func = func[0] == "-", func[1:]
                if sign is not None:
                    desc = sign == "-"
                keys.append(ast.SortKey(item.field, desc, func.lower(), item.span))
                sign = None
            elif isinstance(item, Token):
                text = _name(item)
                if text in ("+", "-"):
                    sign = item
                    continue
                desc = False
                if item.type == "WORD" and text[:1] in "+-":
                    desc, text = text[0] == "-", text[1:]
                if sign is not None:
                    desc = sign == "-"
                    span = _span(sign, item)
                else:
                    span = _tok_span(item)
                keys.append(ast.SortKey(text, desc, None, span))
                sign = None
            else:
                raise _error("expected a sort key", item.span)
        if sign is not None:
            raise _error(f"expected a field name after '{sign}'", _tok_span(sign))
        return keys

    def sort_cmd(self, c):
        args = list(c[1])
        limit = None
        if args and _is_int(args[0]):
            limit = int(args.pop(0))
        opts = [a for a in args if isinstance(a, _Opt)]
        for o in opts:
            if o.key.lower() != "limit" or not _INT.fullmatch(o.value):
                raise _error(f"unknown sort option '{o.key}'", o.span)
            limit = int(o.value)
        args = [a for a in args if not isinstance(a, _Opt)]
        reverse = False
        if len(args) > 1 and isinstance(args[-1], Token) and args[-1].lower() in ("d", "desc"):
            reverse = True
            args.pop()
        keys = self._sort_keys(args)
        if not keys:
            raise _error("sort needs at least one field", _span(c[0], c[1] or c[0]))
        return ast.Sort("sort", _span(c[0], c[1] or c[0]), tuple(keys), limit, reverse)

    def head_expr(self, c):
        return _Pair("expr", c[1], _span(c[0], c[2]))

    def head_cmd(self, c):
        limit = expr = None
        options: list[tuple[str, str]] = []
        for a in c[1:]:
            if isinstance(a, _Pair):
                expr = cast(ast.Expr, a.new)  # head's (<eval>) rule puts its expression here
            elif isinstance(a, _Opt):
                if a.key.lower() == "limit" and _INT.fullmatch(a.value):
                    limit = int(a.value)
                else:
                    options.append((a.key, a.value))
            elif _is_int(a) and limit is None:
                limit = int(a)
            else:
                raise _error(f"head: unexpected argument '{a}'", _tok_span(a))
        return ast.Head("head", _span(c[0], c[-1]),
                        limit, expr, tuple(options))

    def tail_cmd(self, c):
        args = c[1]
        limit = None
        for a in args:
            if _is_int(a) and limit is None:
                limit = int(a)
            else:
                raise _error("tail takes one number", getattr(a, "span", None) or _tok_span(a))
        return ast.Tail("tail", _span(c[0], args or c[0]), limit)

    def dedup_cmd(self, c):
        args = list(c[1])
        count = 1
        if args and _is_int(args[0]):
            count = int(args.pop(0))
        fields: list[str] = []
        sortby: list[ast.SortKey] = []
        for i, a in enumerate(args):
            if isinstance(a, Token) and a.type == "WORD" and a.lower() == "sortby":
                sortby = self._sort_keys([x for x in args[i + 1:] if not isinstance(x, _Opt)])
                break
            if isinstance(a, Token):
                fields.append(_name(a))
            elif not isinstance(a, _Opt):
                raise _error("dedup: expected a field name", a.span)
        if not fields:
            raise _error("dedup needs at least one field", _span(c[0], c[1] or c[0]))
        return ast.Dedup("dedup", _span(c[0], c[1] or c[0]), tuple(fields), count,
                         _options(args), tuple(sortby))

    def fillnull_cmd(self, c):
        args = c[1]
        value = None
        for o in args:
            if isinstance(o, _Opt):
                if o.key.lower() != "value":
                    raise _error(f"unknown fillnull option '{o.key}'", o.span)
                value = o.value
        fields = tuple(_name(t) for t in args if isinstance(t, Token))
        return ast.FillNull("fillnull", _span(c[0], args or c[0]), value, fields)

    def spath_cmd(self, c):
        args = c[1]
        opts = _options(args)
        path = ast.option(opts, "path")
        positional = _words(args)
        if positional:
            path = _name(positional[0])
        return ast.Spath("spath", _span(c[0], args or c[0]), ast.option(opts, "input"),
                         ast.option(opts, "output"), path)

    def rex_cmd(self, c):
        args = c[1]
        regexes = [t for t in args if isinstance(t, Token) and t.type == "STRING"]
        if not regexes:
            raise _error('rex needs a regular expression in double quotes', _span(c[0], args or c[0]))
        opts = _options(args)
        return ast.Rex("rex", _span(c[0], args or c[0]), _unquote(regexes[0]),
                       ast.option(opts, "field"), tuple(o for o in opts if o[0].lower() != "field"))

    def bin_alias(self, c):
        return _Alias(_name(c[1]), _span(c[0], c[1]))

    def bin_cmd(self, c):
        name = str(c[0]).lower()
        words = _words(c[1:])
        if not words:
            raise _error(f"{name} needs a field", _span(c[0], c[-1]))
        alias = next((a.name for a in c[1:] if isinstance(a, _Alias)), None)
        return ast.Bin(name, _span(c[0], c[-1]), _name(words[0]), alias, _options(c[1:]))

    def lookup_field(self, c):
        first = _name(c[0])
        return _Pair(first, _name(c[2]) if len(c) == 3 else first, _span(c[0], c[-1]))

    def lookup_cmd(self, c):
        fields_in: list[_Pair] = []
        fields_out: list[_Pair] = []
        mode = None
        for x in c[1:]:
            if isinstance(x, Token) and x.type in ("OUTPUT", "OUTPUTNEW"):
                mode = x.type
            elif isinstance(x, _Pair):
                (fields_out if mode else fields_in).append(x)
        if not fields_in:
            raise _error("lookup needs a lookup table name", _span(c[0], c[-1]))
        table = fields_in.pop(0)
        if table.old != table.new:
            raise _error("lookup: expected the lookup table name before any 'as'", table.span)
        if not fields_in:
            raise _error("lookup needs at least one field to match on", _span(c[0], c[-1]))
        return ast.Lookup("lookup", _span(c[0], c[-1]), table.old,
                          tuple((f.old, f.new) for f in fields_in),
                          mode.lower() if mode else None,
                          tuple((f.old, f.new) for f in fields_out), _options(c[1:]))

    def inputlookup_cmd(self, c):
        where = None
        args = c[1:]
        for i, x in enumerate(args):
            if isinstance(x, Token) and x.type == "WHERE":
                where = args[i + 1]
                args = args[:i]
                break
        words = _words(args)
        if not words:
            raise _error("inputlookup needs a lookup table name", _span(c[0], c[-1]))
        return ast.InputLookup("inputlookup", _span(c[0], c[-1]), _name(words[0]), _options(args),
                               where)

    def _table_command(self, node, name: str, c):
        args = c[1]
        words = _words(args)
        if not words:
            raise _error(f"{name} needs a lookup table name", _span(c[0], args or c[0]))
        return node(name, _span(c[0], args or c[0]), _name(words[0]), _options(args))

    def outputlookup_cmd(self, c):
        return self._table_command(ast.OutputLookup, "outputlookup", c)

    def _field_command(self, node, name: str, c):
        args = c[1]
        words = _words(args)
        if not words:
            raise _error(f"{name} needs a field", _span(c[0], args or c[0]))
        return node(name, _span(c[0], args or c[0]), _name(words[0]), _options(args))

    def iplocation_cmd(self, c):
        return self._field_command(ast.IpLocation, "iplocation", c)

    def mvexpand_cmd(self, c):
        return self._field_command(ast.MvExpand, "mvexpand", c)

    def makemv_cmd(self, c):
        return self._field_command(ast.MakeMv, "makemv", c)

    def makeresults_cmd(self, c):
        args = c[1]
        return ast.MakeResults("makeresults", _span(c[0], args or c[0]), _options(args))

    def top_cmd(self, c):
        name = str(c[0]).lower()
        split = next((i for i, x in enumerate(c) if isinstance(x, Token) and x.type == "BY"), len(c))
        before, after = c[1:split], c[split + 1:]
        limit = None
        words = [t for t in before if isinstance(t, Token) and t.type != "COMMA"]
        if words and _is_int(words[0]):
            limit = int(words.pop(0))
        opts = _options(c)
        if ast.option(opts, "limit") is not None and _INT.fullmatch(ast.option(opts, "limit") or ""):
            limit = int(ast.option(opts, "limit"))  # type: ignore[arg-type]
        if not words:
            raise _error(f"{name} needs at least one field", _span(c[0], c[-1]))
        by = tuple(_name(t) for t in after if isinstance(t, Token) and t.type != "COMMA")
        node = ast.Rare if name == "rare" else ast.Top
        return node(name, _span(c[0], c[-1]), tuple(_name(t) for t in words), by, limit, opts)

    def join_cmd(self, c):
        args = c[1]
        return ast.Join("join", _span(c[0], c[2]), tuple(_name(t) for t in _words(args)),
                        _options(args), c[2])

    def append_cmd(self, c):
        args = c[1]
        if _words(args):
            raise _error("append takes options and a [subsearch]", _tok_span(_words(args)[0]))
        return ast.Append("append", _span(c[0], c[2]), _options(args), c[2])

    def from_cmd(self, c):
        args = c[1]
        if not args:
            raise _error("from needs a dataset such as datamodel:Name", _tok_span(c[0]))
        dataset = self.text[_start(args[0]):_end(args[-1])]
        return ast.From("from", _span(c[0], args), dataset)

    def generic_cmd(self, c):
        name = c[0]
        options: list[tuple[str, str]] = []
        args: list[str | ast.Subsearch] = []
        rest = c[1:]
        i = 0
        while i < len(rest):
            x = rest[i]
            if (isinstance(x, Token) and x.type == "GARG" and i + 2 < len(rest) + 0
                    and isinstance(rest[i + 1], Token) and rest[i + 1].type == "EQ"
                    and isinstance(rest[i + 2], Token) and rest[i + 2].type in ("GARG", "STRING")):
                value = rest[i + 2]
                options.append((str(x), _unquote(value) if value.type == "STRING" else str(value)))
                i += 3
                continue
            args.append(x if isinstance(x, ast.Subsearch) else str(x))
            i += 1
        return ast.Generic(str(name).lower(), _span(name, c[-1]), tuple(options), tuple(args))


_LOCK = threading.Lock()
_PARSER: Lark | None = None
_TRANSFORMER = _ToAst()


def _grammar() -> str:
    return importlib.resources.files("spl._grammar").joinpath("spl.lark").read_text("utf-8")


def _parser() -> Lark:
    """The parser for whole searches (start ``start``) and lone expressions (start ``expr``),
    built on first use and kept for the process (Lark also caches the compiled tables on disk,
    which takes a process's first parse from ~250 ms to ~25 ms: see ``_cache_file``)."""
    global _PARSER
    if _PARSER is None:
        text = _grammar()
        _PARSER = Lark(text, parser="lalr", lexer="contextual", start=["start", "expr"],
                       transformer=_TRANSFORMER, maybe_placeholders=False,
                       cache=_cache_file(text) or False)
    return _PARSER


def _cache_file(grammar: str) -> str | None:
    """Where Lark keeps the compiled grammar tables: a file named after the grammar, Lark and
    Python versions in the user's own cache directory ($XDG_CACHE_HOME/spl, ~/.cache/spl).

    Lark's default (``cache=True``) is a predictable name in the shared temporary directory,
    and the file is a pickle: another local user could plant one there and run code in this
    process. So the directory must be this user's and writable by no one else; otherwise no
    cache (each process builds the tables, ~250 ms)."""
    import hashlib
    import os
    import sys

    import lark

    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    folder = os.path.join(base, "spl")
    try:
        os.makedirs(folder, mode=0o700, exist_ok=True)
        st = os.stat(folder)
    except OSError:
        return None
    if hasattr(os, "getuid") and (st.st_uid != os.getuid() or st.st_mode & 0o022):
        return None
    key = hashlib.sha256(f"{grammar}{lark.__version__}{sys.version_info[:2]}".encode())
    return os.path.join(folder, f"grammar-{key.hexdigest()[:16]}.lark-cache")


_QUOTES_AND_BRACKETS = re.compile(r'\\.|"(?:[^"\\]|\\.)*("?)|[\[\]]', re.S)


def _prescan(text: str) -> None:
    """Report an unbalanced double quote or square bracket at the character that opens it.

    Lark would only notice at the end of the text (or at a confusing later token).
    """
    brackets: list[int] = []
    for m in _QUOTES_AND_BRACKETS.finditer(text):
        ch = m.group()
        if ch == "[":
            brackets.append(m.start())
        elif ch == "]":
            if not brackets:
                raise _error("unbalanced bracket: ']' without a matching '['",
                             Span(m.start(), m.start() + 1))
            brackets.pop()
        elif ch[0] == '"' and not m.group(1):
            raise _error("unbalanced quote: this \" is never closed", Span(m.start(), m.start() + 1))
    if brackets:
        raise _error("unbalanced bracket: this '[' is never closed", Span(brackets[-1], brackets[-1] + 1))


# How to name what the parser could have accepted, in the order the phrases are listed.
_DESCRIBE = [
    ({"CMDNAME"}, "a command"),
    ({"NAME", "NUMBER", "SQ"}, "an expression"),
    ({"SWORD", "TERMCALL"}, "a search term"),
    ({"SVALUE", "INWORD"}, "a value"),
    ({"ALIAS"}, "a field name"),
    ({"WORD"}, "a field name or argument"),
    ({"GARG"}, "an argument"),
    ({"ECMP", "PLUS", "MINUS", "STAR", "SLASH", "PERCENT", "DOT", "E_AND", "E_OR", "E_XOR",
      "E_LIKE", "E_IN"}, "an operator"),
    ({"CMP"}, "a comparison such as '='"),
    ({"EQ"}, "'='"),
    ({"AS"}, "'as'"),
    ({"LPAR"}, "'('"),
    ({"RPAR"}, "')'"),
    ({"LSQB"}, "a [subsearch]"),
    ({"RSQB"}, "']'"),
    ({"COMMA"}, "','"),
    ({"PIPE"}, "'|'"),
]


def _expected(expected: set[str], after: str) -> str:
    """The terminals the parser could accept, in words."""
    if after.lower() in ("by", "as", "output", "outputnew", ",") and expected & {"WORD", "ALIAS"}:
        return "a field name"
    if expected & {"NAME", "NUMBER"}:  # the start of an expression, not a binary operator
        expected = expected - {"MINUS", "PLUS", "LPAR", "E_NOT"}
    if "SVALUE" in expected:
        expected = expected - {"TERMCALL"}
    phrases = [words for names, words in _DESCRIBE if names & expected]
    if not phrases:
        return "the end of the search" if "$END" in expected else "something else"
    if len(phrases) > 4:
        phrases = phrases[:4]
    return phrases[0] if len(phrases) == 1 else ", ".join(phrases[:-1]) + " or " + phrases[-1]


def _acceptable(exc: UnexpectedInput) -> set[str]:
    """What the parser would really accept at the error (LALR's own list may hold terminals that
    only fit other contexts)."""
    interactive = getattr(exc, "interactive_parser", None)
    if interactive is not None:
        try:
            accepts = set(interactive.accepts())
        except Exception:
            accepts = set()
        if accepts:
            return accepts
    return set(getattr(exc, "expected", None) or getattr(exc, "allowed", None) or ())


def _unclosed_paren(text: str) -> int | None:
    """The offset of the last '(' (outside double quotes) that no ')' closes, if any."""
    stack: list[int] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "\\":
            i += 2
            continue
        if ch == '"':
            i += 1
            while i < n and text[i] != '"':
                i += 2 if text[i] == "\\" else 1
        elif ch == "(":
            stack.append(i)
        elif ch == ")" and stack:
            stack.pop()
        i += 1
    return stack[-1] if stack else None


def _previous(text: str, pos: int) -> str:
    """The last token-like piece of text before ``pos`` (for messages)."""
    m = re.search(r'("(?:[^"\\]|\\.)*"|[\w.*{}@:$<>-]+|\S)\s*$', text[:pos])
    return m.group(1) if m else ""


# a function call written as the value of a search comparison: `_time >= relative_time(now(), ...)`
_SEARCH_CALL = re.compile(r"(?:^|[\s(])(?:search\s+)?[\w.{}:@-]+\s*(?:[<>!]=?|=)\s*([A-Za-z_]\w*)\(",
                          re.IGNORECASE)


def _function_in_search(text: str, pos: int) -> SplSyntaxError | None:
    """A search comparison whose value is a function call, when the error at ``pos`` is in the
    same pipe segment: search compares fields with literal values and calls nothing (Search
    Reference, search command: "<field><comparison-operator><value>"); where evaluates calls."""
    segment_start = text.rfind("|", 0, pos) + 1
    calls = list(_SEARCH_CALL.finditer(text, segment_start, pos + 1))
    m = calls[-1] if calls else None
    if m is None or text.lstrip()[:1] == "|" and segment_start == 0:
        return None
    head = text[segment_start:m.start(1)].strip().lower()
    if not (head.startswith("search") or segment_start == 0):
        return None
    name = m.group(1)
    return _error(f"the search command compares a field with a literal value and does not call "
                  f"functions: {name}(...) is a function call; to compare with a computed value "
                  f"use where, e.g. '| where <field> >= {name}(...)'",
                  Span(m.start(1), m.end(1)))


def _translate(exc: UnexpectedInput, text: str) -> SplSyntaxError:
    """A Lark error as an SplSyntaxError that names the problem and its position."""
    pos = exc.pos_in_stream if isinstance(exc, UnexpectedCharacters) else getattr(
        getattr(exc, "token", None), "start_pos", None)
    if isinstance(pos, int):
        called = _function_in_search(text, pos)
        if called is not None:
            return called
    if isinstance(exc, UnexpectedCharacters):
        pos = exc.pos_in_stream
        assert isinstance(pos, int)  # set for a character the lexer could not take
        ch = text[pos]
        if ch in "\"'":
            return _error("unbalanced quote", Span(pos, pos + 1))
        if ch == ")":
            return _error("unbalanced parenthesis: ')' without a matching '('", Span(pos, pos + 1))
        prev = _previous(text, pos)
        where = f" after '{prev}'" if prev else ""
        return _error(f"unexpected character '{ch}'{where}", Span(pos, pos + 1))
    if isinstance(exc, UnexpectedEOF) or (isinstance(exc, UnexpectedToken) and exc.token.type == "$END"):
        pos = len(text.rstrip())
        expected = _acceptable(exc)
        prev = _previous(text, pos)
        if not text.strip():
            return _error("empty search", Span(0, 0))
        if prev == "|":
            return _error("trailing pipe: expected a command after '|'", Span(pos - 1, pos))
        unclosed = _unclosed_paren(text)
        if "RPAR" in expected and unclosed is not None:
            return _error("unbalanced parenthesis: this '(' is never closed",
                          Span(unclosed, unclosed + 1))
        return _error(f"unexpected end of search after '{prev}': expected {_expected(expected, prev)}",
                      Span(pos, pos))
    assert isinstance(exc, UnexpectedToken)
    tok = exc.token
    span = Span(tok.start_pos, tok.end_pos)
    prev = _previous(text, tok.start_pos)
    if tok.type == "PIPE" and (prev in ("|", "") or prev == "["):
        return _error("empty pipe segment: expected a command before '|'", span)
    expected = _acceptable(exc)
    if tok.type == "RPAR" and "RPAR" not in expected:
        return _error("unbalanced parenthesis: ')' without a matching '('", span)
    if tok.type == "RSQB" and prev in ("[", "|"):
        return _error("empty subsearch: expected a command", span)
    where = f" after '{prev}'" if prev else ""
    return _error(f"unexpected '{tok}'{where}: expected {_expected(expected, prev)}", span)


# How deeply expressions may nest: spl's own limit (Splunk's documentation states none). The
# engine recurses once per level (each level costs a few Python frames of the 1000 Python
# allows), except along chains it runs as loops: ``a OR b OR ...``, ``a.b.c``, ``1+2+3`` (an
# operator whose left side is an operator) and runs of NOT or minus, which may be any length.
MAX_NESTING = 100


def _check_nesting(tree) -> None:
    """Stop a search nested more than MAX_NESTING levels (parentheses, function calls, a NOT
    before parentheses...) with a SearchError at the first level too many."""
    stack = [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_NESTING:
            raise SearchError(f"expression nested too deeply: more than {MAX_NESTING} levels of "
                              "parentheses, function calls or NOT (spl's limit)",
                              span=Span(node.span.start, node.span.start + 1))
        for name in node.__dataclass_fields__:
            value = getattr(node, name)
            for child in value if isinstance(value, tuple) else (value,):
                if isinstance(child, tuple):  # (old, new) pairs, options: no nodes
                    continue
                if hasattr(child, "__dataclass_fields__") and not isinstance(child, Span):
                    chained = (isinstance(node, ast.BinOp) and name == "left"
                               and isinstance(child, ast.BinOp)) or \
                              (type(node) is type(child) and isinstance(node, (ast.UnaryOp,
                                                                              ast.SearchNot)))
                    stack.append((child, depth if chained else depth + 1))


def _run(start: str, text: str) -> Any:
    try:
        _prescan(text)
    except SplError as exc:
        exc.with_text(text)
        raise
    parser = _parser()
    with _LOCK:
        _TRANSFORMER.text = text
        try:
            tree = parser.parse(text, start=start)
            _check_nesting(tree)
            return tree
        except UnexpectedInput as exc:
            raise _translate(exc, text).with_text(text) from None
        except SplError as exc:
            exc.with_text(text)
            raise
        except RecursionError:
            raise _error("search nested too deeply", Span(0, len(text))).with_text(text) from None


def parse(text: str) -> ast.Pipeline:
    """Parse one SPL search (macros already expanded, comments removed) into a Pipeline."""
    if not text.strip():
        raise _error("empty search", Span(0, len(text))).with_text(text)
    return _run("start", text)


def parse_expression(text: str) -> ast.Expr:
    """Parse one eval expression (as in ``eval x=<expr>`` or props.conf ``EVAL-x = <expr>``)."""
    if not text.strip():
        raise _error("empty expression", Span(0, len(text))).with_text(text)
    return _run("expr", text)


@functools.lru_cache(maxsize=1024)
def parse_once(text: str) -> ast.Pipeline:
    """:func:`parse`, once a process for each text: for the searches of definitions that every
    load reads again (event types, data model constraints). The tree is immutable."""
    return parse(text)


@functools.lru_cache(maxsize=1024)
def parse_expression_once(text: str) -> ast.Expr:
    """:func:`parse_expression`, once a process for each text (props EVALs, data model
    calculations)."""
    return parse_expression(text)
