"""The loader's pre-filter and fast NDJSON path never change what a search returns.

The pre-filter (spl.data.prefilter) skips records before parsing them, from the literal terms of
the first search (spl.search.literal_terms); the fast path (spl.data.fast) reads plain NDJSON in
chunks and worker processes. Every test here compares against the plain path: the same search
over the same file, read whole (a gzipped copy goes through spl.data.readers record by record).
Expected values are those of the unfiltered run, never numbers the filter printed.
"""
from __future__ import annotations

import gzip
import json
import os
import random
from pathlib import Path

import orjson
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from spl.data import fast, load
from spl.data.prefilter import compile_filter
from spl.errors import SplError
from spl.frontend import parse_search
from spl.plan import required_fields, search_terms
from spl.search import literal_terms
from spl.search.literals import ANYTHING, AllOf, AnyOf, Needle
from spl.session import Session

REPO = Path(__file__).resolve().parents[1]
MACROS = [REPO / "macros"]
NOW = 1_900_000_000.0


def first_search(text: str):
    return parse_search(text, MACROS).pipeline.commands[0].expr


def run_both(path, search: str, **options):
    """(filtered, unfiltered) results of ``search`` over ``path``."""
    parsed = parse_search(search, MACROS)
    fields = required_fields(parsed.pipeline)
    plain = Session(path, macros=MACROS, fields=fields, **options).run(parsed, now=NOW)
    fast_ = Session(path, macros=MACROS, fields=fields, terms=search_terms(parsed.pipeline),
                    **options).run(parsed, now=NOW)
    return fast_, plain


def assert_same(path, search: str, **options):
    got, want = run_both(path, search, **options)
    pd.testing.assert_frame_equal(got, want)
    return want


# ------------------------------------------------------------------ literal terms


def test_literal_terms_of_the_seed_search():
    expr = first_search("`cloudtrail` eventSource=bedrock.amazonaws.com "
                        "eventName=ListFoundationModels errorCode=AccessDenied")
    assert literal_terms(expr) == AllOf((
        Needle("aws:cloudtrail", False, "sourcetype"),
        Needle("bedrock.amazonaws.com", False, "eventSource"),
        Needle("ListFoundationModels", False, "eventName"),
        Needle("AccessDenied", False, "errorCode")))


@pytest.mark.parametrize("text", [
    "NOT eventName=x", "eventName!=x", "count>5", "eventName=*", "src=10.0.0.0/8",
    "earliest=-1d", "*", "eventName=x OR NOT eventName=y",
])
def test_terms_that_promise_nothing(text):
    # NOT, !=, ordering, existence, CIDR (an address in a subnet is not its text), time bounds
    assert literal_terms(first_search(text)) == ANYTHING


def test_wildcards_split_into_pieces_and_or_keeps_alternatives():
    expr = first_search('eventName=Get*Policy* (foo OR "bar baz")')
    assert literal_terms(expr) == AllOf((
        Needle("Get", False, "eventName"), Needle("Policy", False, "eventName"),
        AnyOf((Needle("foo", False, None), Needle("bar baz", False, None)))))
    assert literal_terms(first_search("eventName IN (a, b*)")) == AnyOf((
        Needle("a", False, "eventName"), Needle("b", False, "eventName")))


# ------------------------------------------------------------------ bytes of a line


def line_filter(text: str, computed=frozenset({"errorCode", "user_name"})):
    return compile_filter(literal_terms(first_search(text)), set(computed))


def test_calculated_and_base_fields_do_not_filter():
    # errorCode and user_name are EVAL- fields: their value need not be in the record's text
    assert line_filter("errorCode=AccessDenied") is None
    assert line_filter("user_name=bob") is None
    assert line_filter("sourcetype=aws:cloudtrail") is None


def test_line_tests_fold_case_and_keep_lines_with_opaque_escapes():
    f = line_filter("eventName=ListBuckets")
    assert f.line_ok(b'{"eventName":"LISTBUCKETS"}')
    assert not f.line_ok(b'{"eventName":"GetObject"}')
    # \u escapes can spell any letter, \/ a slash: such a line is always kept
    assert f.line_ok(b'{"eventName":"List\\u0042uckets"}')
    # KELVIN SIGN lower-cases to "k": a value written with it matches "k" case-insensitively
    assert line_filter("eventName=key").line_ok('{"eventName":"\u212aey"}'.encode())
    g = line_filter("eventName=CASE(ListBuckets)")
    assert not g.line_ok(b'{"eventName":"listbuckets"}')


def test_pieces_with_quotes_or_non_ascii_look_only_for_their_plain_runs():
    f = line_filter('userAgent="caf\u00e9 \\"x\\" au lait"')
    assert f.line_ok(b'{"userAgent":"caf\\u00e9 \\"x\\" au lait"}')
    assert f.line_ok('{"userAgent":"CAF\u00c9 \\"X\\" AU LAIT"}'.encode())
    assert not f.line_ok(b'{"userAgent":"tea"}')


def test_candidates_of_a_buffer_are_whole_lines():
    f = line_filter("eventName=ListBuckets")
    buf = (b'{"eventName":"GetObject"}\n{"eventName":"listbuckets"}\n'
           b'{"eventName":"x\\/y"}\n{"eventName":"ListBuckets"}')
    starts = [s for s, _ in f.candidates(buf, 0, len(buf))]
    lines = buf.split(b"\n")
    offsets = [sum(len(x) + 1 for x in lines[:i]) for i in range(len(lines))]
    assert starts == [offsets[1], offsets[2], offsets[3]]


def test_opaque_lines_are_kept_however_many_backslashes_a_buffer_has():
    # past a few thousand backslashes the search for escapes changes method: same answer
    f = line_filter("eventName=ListBuckets")
    for quoted in (10, 5000):
        lines = [b'{"a":"x\\"y"}'] * quoted + [b'{"eventName":"List\\u0042uckets"}',
                                                 '{"eventName":"\u212aey"}'.encode()]
        buf = b"\n".join(lines)
        starts = [s for s, _ in f.candidates(buf, 0, len(buf))]
        assert starts == [buf.index(b"List\\u0042") - len(b'{"eventName":"'),
                          buf.rindex(b"\n") + 1]


# ------------------------------------------------------------------ generated data


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    # benchmarks/ is not a package the install carries: load its generator from the checkout
    import importlib.util

    from conftest import REPO

    spec = importlib.util.spec_from_file_location("generate", REPO / "benchmarks" / "generate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.generate(tmp_path_factory.mktemp("gen") / "ct.ndjson", 6000, seed=3)


SEED_SEARCH = ("`cloudtrail` eventSource=bedrock.amazonaws.com eventName=ListFoundationModels "
               "errorCode=AccessDenied | rename user_name as user | stats count min(_time) as "
               "firstTime max(_time) as lastTime values(errorCode) as errorCodes "
               "values(errorMessage) as errorMessages by src user user_agent vendor_account "
               "vendor_product dest signature vendor_region | where count > 9")

SEARCHES = [
    SEED_SEARCH,
    "`cloudtrail` | stats count by eventSource eventName",
    "`cloudtrail` eventName=ListFoundationModels",
    "`cloudtrail` eventname=listfoundationmodels | stats count by user_name",
    "`cloudtrail` eventName=Get* eventSource=s3* | stats count by eventName",
    "`cloudtrail` (eventName=Decrypt OR errorCode=ThrottlingException) | stats count by eventName",
    "`cloudtrail` NOT eventName=GetObject userAgent=*terraform* | stats count",
    "`cloudtrail` userIdentity.userName=jos* | table userIdentity.userName, eventName",
    "`cloudtrail` src=10.0.0.0/8 | stats count by src",
    "`cloudtrail` assumed-role | stats count by user_type",
    '`cloudtrail` "inline-access" policyDocument | table eventName, _raw',
    "`cloudtrail` policyName=inline-access | fields eventName",
    "`cloudtrail` eventName!=GetObject eventSource=kms.amazonaws.com | stats count by eventName",
]


@pytest.mark.parametrize("search", SEARCHES)
def test_generated_data_gives_the_same_results(generated, search):
    assert_same(generated, search)


@pytest.fixture(scope="module")
def generated_document(generated, tmp_path_factory) -> Path:
    """The generated records as one gzipped ``{"Records": [...]}`` file (S3's layout)."""
    lines = generated.read_bytes().splitlines()
    path = tmp_path_factory.mktemp("doc") / "ct.json.gz"
    path.write_bytes(gzip.compress(b'{"Records":[' + b",".join(lines) + b"]}"))
    return path


@pytest.mark.parametrize("search", SEARCHES[:8])
def test_a_records_document_gives_the_same_results(generated, generated_document, search):
    want = assert_same(generated_document, search)
    pd.testing.assert_frame_equal(want.drop(columns="source", errors="ignore"),
                                  run_both(generated, search)[1].drop(columns="source",
                                                                      errors="ignore"))


def test_the_seed_detection_finds_the_escaped_prober(generated):
    # one prober's event names are written with \u escapes: their text lacks the literal name
    result = assert_same(generated, SEED_SEARCH)
    assert len(result) >= 5
    escaped = [json.loads(line) for line in generated.read_text().splitlines()
               if "List\\u0046oundation" in line]
    assert escaped
    names = {r["userIdentity"]["sessionContext"]["sessionIssuer"]["userName"] for r in escaped}
    assert names <= set(result["user"])


def test_chunks_and_worker_processes_give_the_same_table(generated, monkeypatch):
    whole = load(generated, fields=None).table
    monkeypatch.setattr(fast, "CHUNK", 50_000)
    monkeypatch.setattr(fast, "PARALLEL_MIN", 0)
    monkeypatch.setattr(fast, "cores", lambda: 3)
    parts = load(generated, fields=None).table
    pd.testing.assert_frame_equal(whole, parts)
    parsed = parse_search(SEED_SEARCH, MACROS)
    got = Session(generated, macros=MACROS, fields=required_fields(parsed.pipeline),
                  terms=search_terms(parsed.pipeline)).run(parsed, now=NOW)
    want = Session(generated, macros=MACROS, fields={"*"}).run(parsed, now=NOW)
    pd.testing.assert_frame_equal(got, want)


def test_fast_path_equals_the_record_reader(tmp_path):
    # the same NDJSON gzipped is read by spl.data.readers record by record
    lines = [
        "\ufeff" + json.dumps({"eventTime": "2026-03-09T14:00:05Z", "eventName": "A", "n": 1.50}),
        "",
        '{"eventName": "no time"}',
        "not json",
        json.dumps({"eventTime": "2026-03-09 14:00:07", "eventName": "B", "big": 2**70}) + "\r",
        "[1, 2]",
        '{"eventTime": "bad", "eventName": "C", "v": "caf\\u00e9 \\/x"}',
        json.dumps({"eventTime": "2026-03-09T14:00:09Z", "pad": "x" * 6000, "tail": "t"}),
    ]
    data = ("\n".join(lines) + "\n").encode() + b'{"eventTime":"2026-03-09T14:00:10Z","b":"\xff"}'
    plain = tmp_path / "a.ndjson"
    plain.write_bytes(data)
    packed = tmp_path / "a.ndjson.gz"
    packed.write_bytes(gzip.compress(data))
    a = load(plain, source="s")
    b = load(packed, source="s")
    pd.testing.assert_frame_equal(a.table, b.table)
    assert [(p.line, p.reason) for p in a.problems] == [(p.line, p.reason) for p in b.problems]
    # by hand: no eventTime (line 3), not JSON (4), not an object (6), bad eventTime (7), byte 0xff (9)
    assert [p.line for p in a.problems] == [3, 4, 6, 7, 9]


# ------------------------------------------------------------------ the shared corpus


CORPUS_SEARCHES = SEARCHES + [
    "`cloudtrail` eventName=ConsoleLogin | stats count by user, errorCode",
    "`cloudtrail` eventSource=iam.amazonaws.com (eventName=Create* OR eventName=Delete*)"
    " | stats count by eventName",
    "`cloudtrail` AccessDenied | stats count by eventSource",
]


@pytest.mark.parametrize("search", CORPUS_SEARCHES)
def test_shared_corpus_gives_the_same_results(shared, search):
    files = sorted((shared / "corpus" / "cloudtrail").glob("*.ndjson"))
    if not files:
        pytest.skip("no NDJSON in the shared corpus")
    assert_same(files, search)


# ------------------------------------------------------------------ property


WORDS = ["ListBuckets", "listbuckets", "GetObject", "Get/Object", "caf\u00e9", "\u212aey", "key",
         "\u0130d", "id", 'a"b', "x\\y", "10.0.0.1", "1", "1.0", "true", "AccessDenied",
         "accessdenied", "bob"]
FIELDS = ["eventName", "src", "sourceIPAddress", "errorCode", "user_name", "userAgent",
          "userIdentity.userName", "resources{}.ARN", "sourcetype", "readOnly", "msg"]


def case_variant(draw, word: str) -> str:
    mode = draw(st.sampled_from(["same", "upper", "lower", "swap"]))
    return {"same": word, "upper": word.upper(), "lower": word.lower(),
            "swap": word.swapcase()}[mode]


@st.composite
def values(draw):
    word = case_variant(draw, draw(st.sampled_from(WORDS)))
    if draw(st.booleans()) and len(word) > 1:
        cut = draw(st.integers(0, len(word) - 1))
        word = word[:cut] + "*" + word[cut + 1:] if draw(st.booleans()) else word[:cut] + "*"
    return word


def quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


@st.composite
def atoms(draw):
    kind = draw(st.sampled_from(["eq", "eq", "ne", "term", "in", "case"]))
    field = draw(st.sampled_from(FIELDS))
    value = draw(values())
    if kind == "eq":
        return f"{field}={quote(value)}"
    if kind == "ne":
        return f"{field}!={quote(value)}"
    if kind == "term":
        return quote(value)
    if kind == "in":
        return f"{field} IN ({quote(value)}, {quote(draw(values()))})"
    return f"{field}=CASE({quote(value)})"


@st.composite
def expressions(draw, depth=2):
    if depth == 0 or draw(st.integers(0, 2)) == 0:
        atom = draw(atoms())
        return f"NOT {atom}" if draw(st.integers(0, 4)) == 0 else atom
    items = draw(st.lists(expressions(depth - 1), min_size=1, max_size=3))
    joiner = draw(st.sampled_from([" ", " OR "]))
    text = "(" + joiner.join(items) + ")"
    return f"NOT {text}" if draw(st.integers(0, 5)) == 0 else text


@st.composite
def records(draw):
    rec = {}
    if draw(st.integers(0, 9)):
        rec["eventTime"] = f"2026-03-09T14:{draw(st.integers(0, 59)):02d}:00Z"
    elif draw(st.booleans()):
        rec["eventTime"] = "soon"
    for key in ["eventName", "sourceIPAddress", "errorCode", "userAgent", "errorMessage"]:
        if draw(st.booleans()):
            rec[key] = draw(st.sampled_from(WORDS))
    if draw(st.booleans()):
        rec["userIdentity"] = {"userName": draw(st.sampled_from(WORDS)), "type": "IAMUser"}
    if draw(st.booleans()):
        rec["resources"] = [{"ARN": draw(st.sampled_from(WORDS))}
                            for _ in range(draw(st.integers(1, 2)))]
    if draw(st.booleans()):
        rec["readOnly"] = draw(st.booleans())
    style = draw(st.sampled_from(["orjson", "ascii", "slash", "plain"]))
    if style == "orjson":
        return orjson.dumps(rec).decode()
    if style == "ascii":
        return json.dumps(rec, ensure_ascii=True)
    if style == "slash":
        return json.dumps(rec, ensure_ascii=False).replace("/", "\\/")
    return json.dumps(rec, ensure_ascii=False)


TAILS = [" | stats count by eventName", " | dedup eventName | table eventName src msg",
         " | sort - errorCode | head 3", " | rename src as s | stats count by s user_name",
         ' | eval x=coalesce(user_name, "-") | stats count by x', " | fillnull value=- userAgent",
         " | fillnull value=- | table *", " | table *"]


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(expr=expressions(), lines=st.lists(records(), min_size=1, max_size=25),
       chunk=st.sampled_from([64, 300, 1 << 20]), tail=st.sampled_from(TAILS))
def test_prefilter_never_changes_a_search(tmp_path, monkeypatch, expr, lines, chunk, tail):
    path = tmp_path / f"p{random.getrandbits(40)}.ndjson"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    monkeypatch.setattr(fast, "CHUNK", chunk)
    try:
        parsed = parse_search(f"search {expr}", MACROS)
    except SplError:
        assume(False)
        return
    for rest in ("", tail):
        search = f"search {expr}{rest}"
        try:
            got, want = run_both(path, search)
        except SplError:
            assume(False)
            return
        pd.testing.assert_frame_equal(got, want)
    os.unlink(path)
    assert parsed.pipeline.commands


# ------------------------------------------------------------------ planning


def plan(text: str):
    return parse_search(text, MACROS).pipeline


def test_search_terms_come_from_the_first_search_only():
    assert search_terms(plan("| makeresults | search x")) is None
    assert search_terms(plan("eventName=A | search eventSource=b")) == Needle("A", False,
                                                                               "eventName")


@pytest.mark.parametrize("text", [
    "eventName=A | fillnull", "eventName=A | table *", "eventName=A | fields event*",
    "eventName=A | stats values(*) as *", "eventName=A | outputlookup x.csv",
])
def test_terms_even_when_the_result_depends_on_which_fields_exist(text):
    # the engine keeps only the fields of the found events right after the first search, so
    # what fillnull or a wildcard sees does not depend on the records skipped before it
    assert search_terms(plan(text)) == Needle("A", False, "eventName")


def test_no_terms_with_a_command_of_unknown_effect():
    assert search_terms(plan("eventName=A | somecommand x")) is None


@pytest.mark.parametrize("tail", [
    "| fillnull | stats count by errorCode requestParameters.modelId",
    "| fillnull value=none | table *", "| table *", "| fields user* event* | fillnull",
    "| stats values(*) as *",
])
def test_commands_that_see_every_field_give_the_same_results(generated, tail):
    assert_same(generated, f"`cloudtrail` eventName=ListFoundationModels {tail}")


def test_terms_when_only_named_fields_matter():
    expected = Needle("A", False, "eventName")
    assert search_terms(plan("eventName=A | fillnull value=- b | rex field=b \"(?<c>x)\" "
                             "| stats count by c")) == expected
    assert search_terms(plan("eventName=A | table a b")) == expected


def test_a_subsearch_asks_for_every_field(tmp_path):
    # the terms a subsearch returns name fields known only when it runs: a lookup's columns
    assert required_fields(plan("a [| inputlookup x.csv] | stats count")) is None
    lookups = tmp_path / "lookups"
    lookups.mkdir()
    (lookups / "st.csv").write_text("sourcetype\naws:cloudtrail\n")
    (lookups / "es.csv").write_text("eventSource\ns3.amazonaws.com\n")
    data = tmp_path / "a.ndjson"
    data.write_text("".join(f'{{"eventTime":"2026-03-09T14:00:0{i}Z","eventSource":"{s}"}}\n'
                            for i, s in enumerate(["s3.amazonaws.com", "kms.amazonaws.com",
                                                   "s3.amazonaws.com"])))
    # by hand: all 3 events have sourcetype aws:cloudtrail, 2 of them eventSource s3
    for text, want in (("search [| inputlookup st.csv] | stats count", 3),
                       ("search [| inputlookup es.csv] | stats count", 2)):
        parsed = parse_search(text, MACROS)
        got = Session(data, macros=MACROS, lookups=[lookups],
                      fields=required_fields(parsed.pipeline),
                      terms=search_terms(parsed.pipeline)).run(parsed, now=NOW)
        assert int(got["count"].iloc[0]) == want, text


def test_required_fields_keep_raw_when_the_search_can_read_it():
    # keywords look in _raw; `fields` keeps _raw (spl/commands/fields.py); searchmatch reads it
    assert "_raw" in required_fields(plan("foo | stats count by a"))
    assert "_raw" in required_fields(plan("a=1 | fields a"))
    assert "_raw" in required_fields(plan('a=1 | where searchmatch("x") | stats count'))
    assert "_raw" not in required_fields(plan("a=1 | stats count by b"))
    assert "_raw" not in required_fields(plan("* | stats count by b"))
