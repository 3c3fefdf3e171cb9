"""Long flat expressions run whatever Python's stack allows; deep nesting stops with a clear error.

The parser nests a chain of operators to the left (``a OR b OR c`` is ``(a OR b) OR c``), so a
600-term OR is a tree 600 deep. The evaluator runs such chains (and runs of NOT or minus) as a
loop, the planner and ``ast.walk`` use explicit stacks; what is genuinely nested (parentheses
around an operator's right side, function calls) may go MAX_NESTING levels deep and no further:
a SearchError names the limit and where it is passed. Every expected row is worked out by hand.
"""
from __future__ import annotations

import json
import sys

import pytest

import spl
from spl.cli import main as cli_main
from spl.errors import SearchError
from spl.frontend import parse_search
from spl.plan import required_fields, search_terms
from spl.syntax import ast, parse
from spl.syntax.parser import MAX_NESTING
from spltest import column, run


def ors(template: str, n: int) -> str:
    return " OR ".join(template.format(i) for i in range(n))


def test_the_cases_are_deeper_than_pythons_stack():
    assert sys.getrecursionlimit() <= 20_000  # so each case below would overflow a recursion


# ---------------------------------------------------------------- flat chains


def test_where_with_600_ors_selects_the_rows_by_hand():
    rows = [{"a": v} for v in ("0", "5", "599", "600", "1000", "x", None)]
    r = run("| where " + ors("a={}", 600), rows)
    assert column(r, "a") == ["0", "5", "599"]  # a=0 ... a=599: the first three only


def test_ors_of_10000_keywords_in_a_search():
    rows = [{"_raw": "k17 z"}, {"_raw": "k10000"}, {"_raw": "zz k9999"}, {"_raw": "k1x"}]
    r = run("| search " + ors("k{}", 10_000), rows)
    # keywords match whole segments: k17 and k9999 are among k0..k9999; k10000 and k1x are not
    assert column(r, "_raw") == ["k17 z", "zz k9999"]


def test_ors_of_10000_terms_through_the_planner_and_the_prefilter(tmp_path):
    data = tmp_path / "a.ndjson"
    data.write_text("".join(json.dumps({"eventTime": f"2026-03-09T14:00:0{i}Z", "eventName": n})
                            + "\n" for i, n in enumerate(["k3", "k10000", "k9999", "x"])))
    search = ors("eventName={}", 10_000).replace("eventName=", "eventName=k")  # k0 ... k9999
    assert required_fields(parse_search(search + " | stats count").pipeline) == {"eventName"}
    r = spl.run(search + " | stats count by eventName", data=data)
    assert r.to_dict("records") == [{"eventName": "k3", "count": 1},
                                    {"eventName": "k9999", "count": 1}]


@pytest.mark.parametrize("n, want", [(20_000, ["x y"]), (20_001, ["z"])])
def test_20000_nots_in_a_search(n, want):
    # an even number of NOTs is the term itself, an odd number its negation
    r = run("| search " + "NOT " * n + "x", [{"_raw": "x y"}, {"_raw": "z"}])
    assert column(r, "_raw") == want


@pytest.mark.parametrize("n, want", [(20_000, ["1"]), (20_001, ["2"])])
def test_20000_nots_in_where(n, want):
    r = run("| where " + "NOT " * n + "a=1", [{"a": "1"}, {"a": "2"}])
    assert column(r, "a") == want


def test_a_long_dot_chain():
    r = run("| eval x=" + ".".join(["a"] * 5000) + " | eval n=len(x)", [{"a": "ab"}, {"b": "1"}])
    assert column(r, "n") == [10_000, None]  # 5000 times "ab"; a null operand makes the whole null


def test_long_plus_and_minus_chains_keep_their_left_to_right_order():
    r = run("| eval s=" + "+".join(["1"] * 5000) + ", d=10" + "-1" * 3000 + ", t=2" + "*1" * 3000
            + ", c=\"a\"" + "+\"b\"" * 3000, [{"z": "1"}])
    assert column(r, "s") == [5000]
    assert column(r, "d") == [10 - 3000]  # ((10-1)-1)-...: left-associative
    assert column(r, "t") == [2]
    assert column(r, "c") == ["a" + "b" * 3000]  # + of string literals concatenates


def test_a_chain_mixing_and_or_keeps_precedence_and_short_circuits():
    # a=1 AND b=1 OR c=1 AND d=1 OR e=1, three times over: AND binds tighter than OR
    text = " OR ".join(["a=1 AND b=1", "c=1 AND d=1", "e=1"] * 3)
    rows = [{"a": "1", "b": "1"}, {"a": "1", "c": "1"}, {"c": "1", "d": "1"}, {"e": "1"}, {}]
    assert column(run(f"| where {text} | eval i=1", rows), "a") == ["1", None, None]
    # NOT binds tighter than OR: (NOT a=1) OR b=1 OR b=2
    r = run("| eval v=if(NOT a=1 OR b=1 OR b=2, \"t\", \"f\")",
            [{"a": "1", "b": "2"}, {"a": "1", "b": "3"}])
    assert column(r, "v") == ["t", "f"]


def test_the_planner_and_walk_go_through_long_chains():
    expr = "NOT " * 20_000 + "a=1"
    pipeline = parse("| makeresults | where " + ors("b={}", 1500) + " AND " + expr + " | table c")
    assert required_fields(pipeline) == {"a", "b", "c"}
    assert sum(isinstance(n, ast.UnaryOp) for n in ast.walk(pipeline)) == 20_000
    pipeline = parse("search " + "NOT " * 20_000 + "a=1 | stats count")
    assert required_fields(pipeline) == {"a"}
    assert search_terms(pipeline) is not None


# ---------------------------------------------------------------- genuine nesting


def test_nesting_up_to_the_limit_runs():
    # MAX_NESTING counts levels below the command: eval's assignment, then each call
    n = MAX_NESTING - 3
    r = run("| eval x=" + "abs(" * n + "-1" + ")" * n, [{"z": "1"}])
    assert column(r, "x") == [1]


@pytest.mark.parametrize("text", [  # 20,000 levels once; 2,000 (twice Python's stack) after
    "| makeresults | eval x=" + "abs(" * 20_000 + "1" + ")" * 20_000,
    "| makeresults | where " + "a=1 OR (" * 2_000 + "a=2" + ")" * 2_000,
    "search " + "a OR (" * 2_000 + "b" + ")" * 2_000,
    "search " + "NOT (a " * 2_000 + "b" + ")" * 2_000,
])
def test_deep_nesting_stops_with_a_clear_error(text):
    with pytest.raises(SearchError) as err:
        spl.run(text, data=[])
    assert f"more than {MAX_NESTING} levels" in err.value.message
    start = err.value.span.start
    assert 0 < start < 2000  # at the first level too many, near the start: not the whole text


def test_the_cli_says_the_limit_not_internal_error(capsys, tmp_path):
    data = tmp_path / "a.ndjson"
    data.write_text('{"eventTime":"2026-03-09T14:00:00Z","eventName":"A"}\n')
    code = cli_main(["run", "| makeresults | eval x=" + "len(" * 5000 + "\"a\"" + ")" * 5000,
                     "--data", str(data)])
    err = capsys.readouterr().err
    assert code == 1
    assert "nested too deeply" in err and "internal error" not in err


def test_explain_shows_a_long_chain_as_one_node_with_its_operands(capsys):
    code = cli_main(["explain", "| makeresults | where " + ors("a={}", 3000)])
    out = capsys.readouterr().out
    assert code == 0
    # one OR node; its 3000 operands, each a comparison, in the order written
    assert out.count("BinOp op='OR'") == 1 and out.count("BinOp op='='") == 3000
    assert out.index("value=0\n") < out.index("value=1\n") < out.index("value=2999\n")
