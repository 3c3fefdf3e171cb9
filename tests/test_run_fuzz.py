"""Random and mutated searches run over a small event table: whatever the search, the only
exceptions that come out are spl.errors.SplError subclasses (a user never sees a traceback).

Searches are built from a vocabulary of real commands, options, fields, functions, numbers
(negative, huge, fractional), quotes and brackets, then mutated character-wise. Lookups have
no session here (lookup commands meet "not found"); outputlookup writes into a temporary
directory. Nothing is left out of the vocabulary to hide a known crash.
"""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spl.errors import SplError
from spltest import NOW, run

ROWS = [
    {"_time": NOW - 60, "_raw": '{"a": {"b": [1, 2]}, "user": "alice"}', "host": "web1",
     "user": "alice", "n": "5", "ip": "10.1.2.3", "mv": ["x", "y"], "j": '{"a": {"b": [1, 2]}}'},
    {"_time": NOW - 30, "_raw": "plain text 404", "host": "web2", "user": "Bob", "n": "-2.5",
     "ip": "8.8.8.8", "mv": "z", "j": "not json"},
    {"_time": NOW, "_raw": "", "host": "web1", "n": "99999999999999999999", "ip": "::1"},
]

FIELDS = ["host", "user", "n", "ip", "mv", "j", "_time", "_raw", "missing", "x", "count",
          "'n'", "a.b", "*", "h*"]
NUMBERS = ["0", "1", "-1", "2", "3", "10", "1.5", "-2.5", ".5", "1e3", "1e308", "-1e308",
           "99999999999999", "-99999999999999", "9007199254740993", "9" * 30, "2147483648"]
STRINGS = ['"web1"', '"alice"', '""', '"%"', '"a,b"', '"-1d@d"', '"%Y-%m-%d"', '"(?<x>\\d+)"',
           '"["', '"\\\\"', '"10.0.0.0/8"', '"*"', '"1"', '"a{}.b"', '"+1d"', '"@w7"',
           '"a{99999999999}"', '"%999999999d"', '"%.3f %s"', '"[[:alpha:]]"', '"duration"',
           '"hex"', '"s/a/b/g"', '"{\\"a\\": 1e999}"']
FUNCTIONS = ["abs", "avg", "case", "ceil", "cidrmatch", "coalesce", "exp", "floor", "if", "in",
             "isint", "isnotnull", "isnull", "isnum", "isstr", "json_extract", "len", "like",
             "ln", "log", "lower", "ltrim", "match", "max", "md5", "min", "mvappend", "mvcount",
             "mvdedup", "mvfilter", "mvfind", "mvindex", "mvjoin", "mvmap", "mvrange",
             "mvreverse", "mvsort", "mvzip", "now", "null", "nullif", "pi", "pow", "printf",
             "relative_time", "replace", "round", "rtrim", "searchmatch", "sha256", "spath",
             "split", "sqrt", "strftime", "strptime", "substr", "sum", "tonumber", "tostring",
             "trim", "typeof", "upper", "urldecode", "validate"]
AGGREGATES = ["count", "dc", "sum", "avg", "min", "max", "values", "list", "first", "last",
              "earliest", "latest", "range", "stdev", "var", "median", "mode", "perc95", "p50",
              "distinct_count", "sumsq", "nosuch"]
OPTIONS = {  # each command's own options (and a few it does not have)
    "stats": ["allnum", "dedup_splitvals", "delim", "partitions"],
    "eventstats": ["allnum"],
    "streamstats": ["current", "window", "global", "reset_on_change", "reset_before",
                    "reset_after", "allnum", "time_window"],
    "top": ["limit", "countfield", "percentfield", "showcount", "showperc", "useother",
            "otherstr"],
    "dedup": ["keepempty", "consecutive", "keepevents"],
    "fillnull": ["value"],
    "rex": ["max_match", "offset_field", "mode"],
    "spath": ["input", "output", "path"],
    "bin": ["span", "bins", "minspan", "start", "end", "aligntime"],
    "makemv": ["delim", "tokenizer", "allowempty", "setsv"],
    "mvexpand": ["limit"],
    "iplocation": ["prefix", "allfields", "lang"],
    "join": ["type", "usetime", "earlier", "overwrite", "max"],
    "makeresults": ["count", "annotate", "splunk_server", "format"],
    "inputlookup": ["append", "start", "max", "strict"],
    "head": ["limit", "null", "keeplast"],
}
OTHER_OPTIONS = ["count", "frobnicate", "limit", "max"]
OPTION_VALUES = NUMBERS + ["true", "false", "t", "f", "yes", "ture", "", "1h", "-1d@d", "5m",
                           "0s", "left", "outer", "inner", "now", "earliest", "x", '"|"',
                           '"(n=2)"', '"(x"', "sed", "a{}.b", "n", "mv", "j", "_raw"]
SPANS = ["1h", "5m", "1d", "1mon", "-1h", "0s", "99999999999y", "1.5", "10", "0", "1w"]
TIME_MODS = ["-1d", "-99999999999y", "+9999999999999d", "-1000000y", "now", "0", "@d", "-1d@w7",
             "1", "10/27/2025:00:00:00", "garbage", "9" * 30]
OPERATORS = ["+", "-", "*", "/", "%", ".", "=", "==", "!=", "<", "<=", ">", ">=", " AND ",
             " OR ", " XOR ", " LIKE "]


def _pick(items):
    return st.sampled_from(items)


fields = _pick(FIELDS)
numbers = _pick(NUMBERS)
literals = st.one_of(numbers, _pick(STRINGS), _pick(["true()", "null()", "-" + "1e400"]))


def _expr(children):
    return st.one_of(
        st.tuples(children, _pick(OPERATORS), children).map(lambda t: f"{t[0]}{t[1]}{t[2]}"),
        st.tuples(_pick(FUNCTIONS), st.lists(children, max_size=3)).map(
            lambda t: f"{t[0]}({', '.join(t[1])})"),
        children.map(lambda e: f"({e})"),
        children.map(lambda e: f"NOT {e}"),
        children.map(lambda e: f"-{e}"),
    )


exprs = st.recursive(st.one_of(literals, fields), _expr, max_leaves=6)


def options(command: str):
    """Up to two ``name=value`` options, mostly the command's own."""
    names = st.one_of(_pick(OPTIONS[command]), _pick(OTHER_OPTIONS)) if OPTIONS[command] \
        else _pick(OTHER_OPTIONS)
    return st.lists(st.tuples(names, _pick(OPTION_VALUES)).map(lambda t: f"{t[0]}={t[1]}"),
                    max_size=2).map(" ".join)


field_list = st.lists(fields, min_size=1, max_size=3).map(", ".join)
value = st.one_of(numbers, _pick(STRINGS), fields)
aggregate = st.tuples(_pick(AGGREGATES), fields, fields).map(lambda t: f"{t[0]}({t[1]}) as {t[2]}")


def _command(parts):
    return st.tuples(*parts).map(lambda t: " ".join(p for p in t if p))


COMMANDS = st.one_of(
    _command([st.just("search"), fields, _pick(["=", "!=", "<", ">"]), value]),
    _command([st.just("search"), st.tuples(_pick(["earliest", "latest"]), _pick(TIME_MODS)).map(
        lambda t: f"{t[0]}={t[1]}"), fields]),
    _command([st.just("eval"), fields.map(lambda f: f + "="), exprs]),
    _command([st.just("where"), exprs]),
    *(_command([st.just(name), options(name),
                st.lists(aggregate, min_size=1, max_size=2).map(" ".join),
                st.one_of(st.just(""), field_list.map(lambda f: "by " + f))])
      for name in ("stats", "eventstats", "streamstats")),
    _command([st.just("stats"), _pick(["count", "count(eval(n>1)) as c", "dc(user)"]),
              st.one_of(st.just(""), field_list.map(lambda f: "by " + f))]),
    _command([_pick(["top", "rare"]), options("top"), field_list]),
    _command([_pick(["head", "tail"]), _pick(["", "0", "1", "5"])]),
    _command([st.just("dedup"), options("dedup"), field_list]),
    _command([_pick(["table", "fields", "fields -", "fields +"]), field_list]),
    _command([st.just("rename"), fields, st.just("as"), fields]),
    _command([st.just("fillnull"), options("fillnull"), field_list]),
    _command([st.just("convert"), _pick(["num", "auto", "ctime", "dur2sec", "rmunit", "nosuch"]),
              fields.map(lambda f: f"({f})")]),
    _command([st.just("rex"), options("rex"), fields.map(lambda f: f"field={f}"),
              _pick(STRINGS + ['"(?<v>[a-z]+)"', '"(?<n>\\d+)(?<n>x)"', '"("'])]),
    _command([st.just("spath"), options("spath")]),
    _command([_pick(["bin", "bucket"]), fields, st.one_of(
        _pick(SPANS).map(lambda s: f"span={s}"), options("bin"))]),
    _command([st.just("makemv"), options("makemv"), fields]),
    _command([st.just("mvexpand"), options("mvexpand"), fields]),
    _command([st.just("iplocation"), options("iplocation"), fields]),
    _command([st.just("join"), options("join"), fields, st.just("[search * | table"), fields,
              st.just("]")]),
    _command([st.just("append"), st.just("[makeresults"), options("makeresults"),
              st.just("]")]),
    _command([st.just("makeresults"), options("makeresults")]),
    _command([st.just("sort"), _pick(["", "0", "-", "+", "num(n)", "str(user)", "-n"]), fields]),
    _command([st.just("inputlookup"), options("inputlookup"), _pick(["users.csv", "nosuch", "../x.csv"])]),
    _command([st.just("lookup"), _pick(["users.csv", "nosuch"]), fields]),
    _command([st.just("tstats"), st.just("count from datamodel=Change")]),
)

pipelines = st.lists(COMMANDS, min_size=1, max_size=4).map(lambda cs: "| " + " | ".join(cs))
PIECES = ["|", "[", "]", "(", ")", '"', "'", "=", "!=", ",", " by ", " as ", " AND ", " NOT ",
          "-", "*", "\\", "\n", "{}", "$", "99999999999999", "-1", "1e999", "0", "count="]


@st.composite
def mutated(draw):
    """A generated search with a few pieces inserted, deleted or repeated."""
    text = draw(pipelines)
    for _ in range(draw(st.integers(1, 3))):
        i = draw(st.integers(0, len(text)))
        how = draw(st.sampled_from(["insert", "delete", "repeat"]))
        if how == "insert":
            text = text[:i] + draw(st.sampled_from(PIECES)) + text[i:]
        elif how == "delete":
            text = text[:i] + text[i + draw(st.integers(1, 8)):]
        else:
            text = text[:i] + text[i:i + 8] + text[i:]
    return text


@pytest.fixture(autouse=True, scope="module")
def _lookup_output_in_a_temporary_directory(tmp_path_factory):
    """outputlookup-like commands must never write into the user's own lookup directory."""
    mp = pytest.MonkeyPatch()
    mp.setenv("SPL_LOOKUP_DIR", str(tmp_path_factory.mktemp("lookups")))
    yield
    mp.undo()


def check(search: str) -> None:
    try:
        run(search, ROWS)
    except SplError as err:
        err.render()


FUZZ = settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(pipelines)
def test_generated_searches(search):
    check(search)


@FUZZ
@given(mutated())
def test_mutated_searches(search):
    check(search)


@FUZZ
@given(st.tuples(st.lists(COMMANDS, max_size=2), st.text(max_size=40)))
def test_searches_ending_in_random_text(parts):
    commands, tail = parts
    check("| " + " | ".join([*commands, tail]))


@pytest.mark.parametrize("search", [
    "| makeresults count=99999999999999",
    "| search earliest=-99999999999y",
    "| search latest=+9999999999999d",
    "| search earliest=-1000000y",
    "| eval i=9007199254740993, p=pow(10,400), q=pow(2,100000000)",
    "| stats count dedup_splitvals=ture",
    "| join overwrite=flase user [search *]",
])
def test_reported_crashes_are_errors_or_results(search):
    check(search)
