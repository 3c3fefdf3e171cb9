"""Numbers are doubles: integer literals and results beyond ±2**53 are the nearest double, and a
result beyond the double range is ±inf; small integers stay integers (3 prints as "3").

Sources:
- EVAL usage, "Numeric calculations": numbers "are treated as double-precision floating-point
  numbers, subject to all the usual behaviors of floating point numbers"
  https://help.splunk.com/splunk-enterprise/search/spl2-search-reference/eval-command/eval-command-usage
- spl-semantics.md §2 (EVAL https://help.splunk.com/en/splunk-enterprise/search/spl-search-reference/10.0/search-commands/eval):
  "integers above 2^53−1 lose precision"; ±inf is shown as "inf"/"-inf".
- Splunk 8.2.2 observed: pow(2, 53) + 1 is not odd, and 9007199254740987 + n stops counting by
  one at 2^53 = 9007199254740992 (https://qiita.com/frozencatpisces/items/43e8fd9098e4d642025d).
Expected values are worked out by hand: 2**53 + 1 lies halfway between the doubles 2**53 and
2**53 + 2 and rounds to the even one, 2**53; 10**400 exceeds the largest double (~1.8e308).
"""
import pytest

from spl.values import to_number, to_str
from spltest import column, run

ROW = [{"s": "9007199254740993", "one": "1"}]


def ev(expr):
    """The printed value of ``expr`` (as Splunk shows it)."""
    return to_str(column(run(f"| eval v={expr}", ROW), "v")[0])


@pytest.mark.parametrize("expr, shown", [
    ("3", "3"),
    ("-3", "-3"),
    ("9007199254740992", "9007199254740992"),
    ("9007199254740993", "9007199254740992"),
    ("-9007199254740993", "-9007199254740992"),
    ("9007199254740992 + 1", "9007199254740992"),
    ("9007199254740991 + 2", "9007199254740992"),
    ("pow(2, 53) + 1", "9007199254740992"),
    ("(pow(2, 53) + 1) % 2", "0"),
    ("4503599627370496 * 2 + 1", "9007199254740992"),
    ("0 - 9007199254740992 - 1", "-9007199254740992"),
    ("s + 0", "9007199254740992"),
    ("pow(2, 10)", "1024"),
    ("pow(10, 400)", "inf"),
    ("pow(-10, 401)", "-inf"),
    ("pow(-10, 400)", "inf"),
    ("exp(1000)", "inf"),
    ("1" + "0" * 400, "inf"),
    ("9" * 5000, "inf"),
])
def test_numbers_are_doubles(expr, shown):
    assert ev(expr) == shown


def test_huge_integers_never_print_hundreds_of_digits():
    # ceil/floor/round of 1e300 are whole numbers far beyond 2**53: the double 1e300 itself.
    out = run("| eval c=ceil(1e300), f=floor(-1e300), r=round(1e300), p=pow(10, 300)", ROW)
    assert column(out, "c") == [1e300] and column(out, "f") == [-1e300]
    assert column(out, "r") == [1e300] and column(out, "p") == [1e300]
    assert all(isinstance(column(out, c)[0], float) for c in "cfrp")


def test_pow_of_a_huge_exponent_does_not_compute_a_huge_integer():
    # 2**100000000 as an exact integer would take minutes; as a double it is inf at once.
    assert ev("pow(2, 100000000)") == "inf"


def test_pow_without_a_real_result_is_null():
    out = run("| eval a=pow(0, -1), b=pow(-8, 0.5) | eval a=coalesce(a, \"null\"), "
              "b=coalesce(b, \"null\")", ROW)
    assert column(out, "a") == ["null"] and column(out, "b") == ["null"]


def test_numeric_strings_are_doubles_in_comparisons():
    # "9007199254740993" and 9007199254740992 are the same double.
    out = run("| where s = 9007199254740992", ROW)
    assert len(out) == 1


def test_tonumber_of_a_long_hex_string_is_a_double():
    # 16**20 - 1 = 1208925819614629174706175, whose nearest double is 1.2089258196146292e24.
    assert to_number(ev('tonumber("ffffffffffffffffffff", 16)')) == 1.2089258196146292e24


def test_stats_sum_beyond_2_53_is_a_double():
    rows = [{"n": "9007199254740992"}, {"n": "1"}]
    out = run("| stats sum(n) as total", rows)
    assert to_str(column(out, "total")[0]) == "9007199254740992"


def test_mvrange_values_beyond_2_53_are_doubles():
    # 9007199254740990 + 3 = 2**53 + 1, whose nearest double is 2**53.
    out = run("| eval r=mvrange(9007199254740990, 9007199254740996, 3)", ROW)
    assert [to_str(v) for v in column(out, "r")[0]] == ["9007199254740990", "9007199254740992"]
