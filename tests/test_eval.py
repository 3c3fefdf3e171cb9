"""Eval expression semantics: operators, nulls, types, multivalue comparison, where, errors.

ASTs are built directly (the helpers below) so these tests do not depend on the parser.
Sources, cited per test:
EVAL  = https://help.splunk.com/en/splunk-enterprise/search/spl-search-reference/10.0/search-commands/eval
WHERE = https://help.splunk.com/en/splunk-enterprise/search/spl-search-reference/10.0/search-commands/where
COND  = https://help.splunk.com/en/splunk-enterprise/search/spl-search-reference/10.0/evaluation-functions/comparison-and-conditional-functions
BOOL  = https://help.splunk.com/en/splunk-enterprise/search/search-manual/9.3/expressions-and-predicates
STAT  = https://help.splunk.com/en/splunk-enterprise/search/spl-search-reference/10.0/evaluation-functions/statistical-eval-functions
"""
import numpy as np
import pandas as pd
import pytest

from spl.context import Context
from spl.errors import SearchError, Span, UnsupportedError
from spl.eval import evaluate, evaluate_row, where_mask
from spl.syntax import ast

SPAN = Span(0, 1)
CTX = Context(now=1700000000.0, tz="UTC")  # Tue 2023-11-14 22:13:20 UTC

# ------------------------------------------------------------------ AST builders (shared with
# test_eval_functions.py)


def lit(v):
    return ast.Literal(v, SPAN)


def fld(name):
    return ast.Field(name, SPAN)


def node(x):
    """Plain Python strings/numbers become literals; AST nodes pass through."""
    return lit(x) if isinstance(x, (str, int, float)) and not isinstance(x, bool) else x


def op(symbol, left, right):
    return ast.BinOp(symbol, node(left), node(right), SPAN)


def neg(x):
    return ast.UnaryOp("-", node(x), SPAN)


def not_(x):
    return ast.UnaryOp("NOT", node(x), SPAN)


def call(name, *args, span=SPAN):
    return ast.Call(name, tuple(node(a) for a in args), span)


def in_(x, *values):
    return ast.In(node(x), tuple(node(v) for v in values), SPAN)


def table(**columns):
    """A table with object columns, as the engine builds them."""
    return pd.DataFrame({k: pd.Series(v, dtype=object) for k, v in columns.items()})


def ev(expr, ctx=CTX, **fields):
    """The value of ``expr`` for one event with ``fields``."""
    return evaluate_row(node(expr), fields, ctx)


def kept(expr, tbl, ctx=CTX):
    return where_mask(node(expr), tbl, ctx).tolist()


TRUE, FALSE = call("true"), call("false")
NULL = call("null")

# ------------------------------------------------------------------ quoting: strings vs fields


def test_double_quoted_is_a_string_and_bare_word_is_a_field():
    # WHERE: `where host="www2"` compares to a string; `where ipaddress=clientip` compares fields.
    assert ev(op("=", fld("host"), "www2"), host="www2") is True
    assert ev(op("=", fld("ipaddress"), fld("clientip")), ipaddress="1.2.3.4", clientip="1.2.3.4") is True
    assert ev(op("=", fld("ipaddress"), fld("clientip")), ipaddress="1.2.3.4", clientip="5.6.7.8") is False


def test_missing_field_is_null():
    assert ev(fld("nosuch")) is None
    assert ev(call("isnull", fld("nosuch"))) is True


# ------------------------------------------------------------------ arithmetic


def test_arithmetic_on_numbers():
    # EVAL: arithmetic operators + - * / %
    assert ev(op("+", 2, 3)) == 5
    assert ev(op("-", 2, 5)) == -3
    assert ev(op("*", 4, 2.5)) == 10.0
    assert ev(op("/", 7, 2)) == 3.5
    assert ev(op("%", 7, 3)) == 1


def test_exact_integer_division_stays_integer():
    # 6/3 is 2, printed "2" (spl/values.py: integers without ".0").
    v = ev(op("/", 6, 3))
    assert v == 2 and isinstance(v, int)


def test_numeric_strings_from_fields_act_as_numbers():
    # JSON extraction gives strings; EVAL: "+" adds numbers. "5" + 1 = 6, "2.5" * "2" = 5.
    assert ev(op("+", fld("a"), 1), a="5") == 6
    assert ev(op("*", fld("a"), fld("b")), a="2.5", b="2") == 5.0


def test_division_by_zero_is_null():
    # EVAL (and STATS page): division by zero results in a null field.
    assert ev(op("/", 1, 0)) is None
    assert ev(op("%", 5, 0)) is None
    assert ev(op("/", fld("a"), fld("b")), a="10", b="0") is None


def test_arithmetic_with_a_non_number_is_null():
    assert ev(op("-", fld("a"), 1), a="abc") is None
    assert ev(op("*", "x", 2)) is None


def test_null_propagates_through_arithmetic():
    assert ev(op("+", fld("missing"), 1)) is None
    assert ev(op("*", 3, NULL)) is None
    assert ev(neg(fld("missing"))) is None


def test_unary_minus():
    assert ev(neg(fld("a")), a="4") == -4


def test_modulo_keeps_the_sign_of_the_dividend():
    # Splunk is C++: % follows C's fmod, -7 % 3 = -1 (Python's % would give 2).
    assert ev(op("%", neg(7), 3)) == -1
    assert ev(op("%", 7.5, 2)) == 1.5


# ------------------------------------------------------------------ + and . on strings


def test_plus_concatenates_two_strings():
    # EVAL: "+" adds numbers or concatenates two strings.
    assert ev(op("+", "a", "b")) == "ab"


def test_quoted_literals_are_strings_not_numbers():
    # STAT (statistical eval functions page): avg(1, 2, "3") is an error "because one of the
    # arguments is a string", while a field holding "3" is treated as a number. So a quoted
    # literal is a string: "5" + "3" concatenates; "5" + 1 mixes types (null here).
    assert ev(op("+", "5", "3")) == "53"
    assert ev(op("+", "5", 1)) is None
    assert ev(op("+", fld("a"), fld("b")), a="5", b="3") == 8


def test_comparison_with_a_quoted_literal_compares_text():
    # Same rule: x="05" is a text comparison, x=5 a numeric one.
    assert ev(op("=", fld("x"), "05"), x="5") is False
    assert ev(op("=", fld("x"), 5), x="05") is True
    assert ev(op("=", fld("x"), "5"), x=5) is True
    assert ev(in_(fld("x"), "05"), x="5") is False
    assert ev(in_(fld("x"), 5), x="05") is True


def test_plus_with_number_and_non_numeric_string_is_null():
    assert ev(op("+", fld("s"), 1), s="abc") is None


def test_dot_concatenates_numbers_in_their_string_form():
    # EVAL: "." concatenates strings and numbers; 1 . "a" = "1a"; integers print without ".0".
    assert ev(op(".", 1, "a")) == "1a"
    assert ev(op(".", op("/", 6, 3), "x")) == "2x"
    assert ev(op(".", 2.5, "")) == "2.5"


def test_dot_with_null_is_null():
    assert ev(op(".", "a", fld("missing"))) is None


# ------------------------------------------------------------------ comparison


def test_equality_is_case_sensitive():
    # WHERE: the eval expression is case-sensitive; `where host="WWW2"` does not match www2.
    assert ev(op("=", fld("host"), "WWW2"), host="www2") is False
    assert ev(op("!=", fld("host"), "WWW2"), host="www2") is True


def test_double_equals_is_equals():
    # EVAL: = and == are the same operator (the parser stores both as "=").
    assert ev(op("==", 1, 1)) is True


def test_numbers_compare_numerically_when_both_sides_are_numbers():
    # SRCH/WHERE: numeric comparison if both are numbers; "10" > "9" numerically.
    assert ev(op(">", fld("a"), fld("b")), a="10", b="9") is True
    assert ev(op("=", fld("a"), 5), a="5.0") is True
    assert ev(op("<", fld("count"), 100), count="99") is True


def test_strings_compare_lexicographically():
    # SRCH: lexicographic (UTF-8 byte order) otherwise: "10" < "9" as strings; uppercase first.
    assert ev(op("<", "abc", "abd")) is True
    assert ev(op("<", "Zebra", "apple")) is True
    assert ev(op("<", fld("a"), "9x"), a="10") is True


def test_comparison_with_null_is_not_true():
    assert ev(op("=", fld("missing"), "x")) is False
    assert ev(op("!=", fld("missing"), "x")) is False
    assert ev(op("<", fld("missing"), 5)) is False


def test_multivalue_equality_matches_any_value():
    # Widely observed (spl-semantics.md §1): field=value on a multivalue field matches if any
    # value matches; the same holds for comparisons in where.
    assert ev(op("=", fld("m"), "b"), m=["a", "b"]) is True
    assert ev(op("=", fld("m"), "c"), m=["a", "b"]) is False
    assert ev(op(">", fld("m"), 5), m=["1", "10"]) is True


# ------------------------------------------------------------------ Boolean operators


def test_and_or_xor_not():
    # BOOL: AND, OR, NOT, XOR.
    assert ev(op("AND", TRUE, FALSE)) is False
    assert ev(op("OR", TRUE, FALSE)) is True
    assert ev(op("XOR", TRUE, TRUE)) is False
    assert ev(op("XOR", TRUE, FALSE)) is True
    assert ev(not_(FALSE)) is True


def test_not_of_a_false_comparison_with_null_is_true():
    # A comparison with a missing field is false (not null), so NOT x="a" keeps events that lack
    # x, as `NOT field=value` does in search (spl-semantics.md §1, NOTexpressions).
    assert ev(not_(op("=", fld("missing"), "a"))) is True


def test_logic_over_null_operands_is_three_valued():
    # Decision (no doc found): a null or non-Boolean operand is "unknown": false AND unknown is
    # false, true OR unknown is true, anything else with unknown stays unknown (where drops it).
    assert ev(op("AND", FALSE, fld("missing"))) is False
    assert ev(op("OR", TRUE, fld("missing"))) is True
    assert ev(op("AND", TRUE, fld("missing"))) is None
    assert ev(not_(fld("missing"))) is None


def test_logic_short_circuits():
    # The right side of a decided AND/OR is not evaluated (an unknown function there would
    # still be rejected at compile time, but a bad regex at run time is not reached).
    bad = call("match", "x", "(")
    assert ev(op("AND", FALSE, bad)) is False
    assert ev(op("OR", TRUE, bad)) is True


# ------------------------------------------------------------------ LIKE and IN


def test_like_percent_and_underscore():
    # WHERE/COND: % matches any run of characters, _ exactly one.
    assert ev(op("LIKE", fld("ip"), "198.%"), ip="198.51.100.7") is True
    assert ev(op("LIKE", fld("ip"), "198.%"), ip="10.198.1.1") is False
    assert ev(op("LIKE", "abc", "a_c")) is True
    assert ev(op("LIKE", "abbc", "a_c")) is False


def test_like_matches_the_whole_value_and_escapes_regex_characters():
    assert ev(op("LIKE", "a.c", "a.c")) is True
    assert ev(op("LIKE", "abc", "a.c")) is False
    assert ev(op("LIKE", "xabc", "abc")) is False


def test_like_is_case_sensitive():
    # Decision: eval expressions are case-sensitive (WHERE), LIKE included.
    assert ev(op("LIKE", "Foo", "foo%")) is False


def test_like_with_null_is_false():
    assert ev(op("LIKE", fld("missing"), "%")) is False


def test_in_operator():
    # COND: `where status in("400", "401", "403", "404")`.
    expr = in_(fld("status"), "400", "401", "403", "404")
    assert ev(expr, status="403") is True
    assert ev(expr, status="200") is False
    assert ev(expr) is False


def test_in_has_no_wildcards():
    # COND: in() values cannot hold wildcards; "4*" is the literal text.
    assert ev(in_(fld("status"), "4*"), status="404") is False
    assert ev(in_(fld("status"), "4*"), status="4*") is True


def test_in_compares_numbers_numerically():
    assert ev(in_(fld("n"), 1, 2), n="2.0") is True


# ------------------------------------------------------------------ evaluate / where_mask API


def test_evaluate_gives_one_value_per_row_aligned_with_the_index():
    t = table(a=["1", "x", None])
    t.index = [10, 20, 30]
    out = evaluate(op("+", fld("a"), 1), t, CTX)
    assert out.index.tolist() == [10, 20, 30]
    assert out.tolist() == [2, None, None]
    assert out.dtype == object


def test_evaluate_on_an_empty_table():
    t = table(a=[])
    assert evaluate(op("+", fld("a"), 1), t, CTX).tolist() == []


def test_evaluate_treats_nan_as_null():
    t = pd.DataFrame({"a": [1.5, np.nan]})
    assert evaluate(call("isnull", fld("a")), t, CTX).tolist() == [False, True]


def test_evaluate_reads_numeric_columns_as_numbers():
    t = pd.DataFrame({"_time": [1700000000.0], "n": pd.Series([3], dtype="int64")})
    assert evaluate(op("+", fld("n"), fld("_time")), t, CTX).tolist() == [1700000003.0]


def test_where_keeps_only_true_rows():
    # WHERE: filters to results where the expression is TRUE; null and non-Boolean drop the row.
    t = table(a=["1", "5", None, "9"])
    assert kept(op(">", fld("a"), 2), t) == [False, True, False, True]
    assert kept(fld("a"), t) == [False, False, False, False]


def test_where_rejects_expressions_that_are_never_boolean():
    # WHERE: "These eval-expressions must be Boolean expressions"; the expression "is checked
    # before running the search". Decision: a literal, arithmetic, concatenation or a call of a
    # value function is refused with its span; a field or if()/case() may still give a Boolean.
    t = table(a=["1"])
    for expr in (lit(5), op("+", fld("a"), 1), op(".", fld("a"), "x"), call("lower", fld("a"))):
        with pytest.raises(SearchError) as e:
            where_mask(expr, t, CTX)
        assert e.value.span == SPAN
    assert kept(call("if", op("=", fld("a"), "1"), TRUE, FALSE), t) == [True]
    assert kept(call("coalesce", fld("missing"), TRUE), t) == [True]


def test_where_field_to_field_comparison():
    t = table(x=["a", "b"], y=["a", "c"])
    assert kept(op("=", fld("x"), fld("y")), t) == [True, False]


def test_where_mask_index_aligned():
    t = table(a=["1", "2"])
    t.index = [5, 7]
    m = where_mask(op("=", fld("a"), "2"), t, CTX)
    assert m.index.tolist() == [5, 7] and m.dtype == bool


def test_evaluate_keeps_multivalue_cells_as_lists():
    t = table(m=[["a", "b"], "c"])
    assert evaluate(fld("m"), t, CTX).tolist() == [["a", "b"], "c"]


# ------------------------------------------------------------------ errors


def test_unknown_function_is_unsupported_with_its_span():
    span = Span(10, 17)
    with pytest.raises(UnsupportedError) as e:
        ev(call("nosuchfn", 1, span=span))
    assert e.value.span == span
    assert "nosuchfn" in e.value.message


def test_function_names_ignore_case():
    # ESCU's production detections call CASE(...) and ISNOTNULL(...), which Splunk runs.
    assert ev(call("IF", TRUE, 1, 2)) == 1


def test_wrong_arity_is_a_search_error_with_span():
    span = Span(3, 9)
    with pytest.raises(SearchError) as e:
        ev(call("if", TRUE, 1, span=span))
    assert e.value.span == span
    assert "if()" in e.value.message


def test_runtime_error_carries_the_call_span():
    span = Span(4, 20)
    with pytest.raises(SearchError) as e:
        ev(call("match", "x", "(unclosed", span=span))
    assert e.value.span == span


def test_large_table_keeps_row_alignment():
    # Speed is measured in benchmarks/, not here; this checks a long table stays row-aligned.
    n = 200_000
    t = table(a=[str(i) for i in range(n)], b=["x"] * n)
    out = evaluate(call("if", op(">", fld("a"), 100), op(".", fld("b"), fld("a")), NULL), t, CTX)
    assert out.iloc[-1] == f"x{n - 1}" and out.iloc[0] is None and out.iloc[101] == "x101"


# ------------------------------------------------------------------ through the parser


def parsed(text, **fields):
    from spl.syntax import parse_expression
    return evaluate_row(parse_expression(text), fields, CTX)


def test_parsed_replace_of_a_backslash():
    # TEXT (replace): to replace a backslash, escape it twice: eval level, then PCRE level.
    # https://help.splunk.com/en/splunk-enterprise/search/spl-search-reference/10.0/evaluation-functions/text-functions
    assert parsed(r'replace(path, "\\\\", "/")', path="C:\\Windows\\System32") == \
        "C:/Windows/System32"


def test_parsed_dotted_field_names_in_single_quotes():
    # EVAL: 'userIdentity.arn' is one field; the user name is the last path part of the ARN.
    expr = """mvindex(split(mvindex(split('userIdentity.arn', ":"), -1), "/"), -1)"""
    assert parsed(expr, **{"userIdentity.arn": "arn:aws:sts::123:assumed-role/Admin/alice"}) \
        == "alice"


def test_parsed_group_reference_in_replace():
    expr = r'replace(msg, "^.*?resource:\s*(?:user\s+)?(\S+).*$", "\1")'
    assert parsed(expr, msg="not authorized to perform: iam:GetUser on resource: user carol") \
        == "carol"


def test_parsed_escu_mvfilter_shape():
    expr = 'mvcount(mvfilter(match(process, "^-name$")))'
    assert parsed(expr, process=["-name", "x", "-name"]) == 2
    assert parsed(expr, process="x") is None
