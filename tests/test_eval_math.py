"""Trigonometric, hyperbolic, bitwise and precision eval functions (spl/eval/functions_math.py).
Expected values are the pages' examples or worked out by hand:

TRIG = https://help.splunk.com/splunk-enterprise/spl-search-reference/9.4/evaluation-functions/trig-and-hyperbolic-functions
BIT  = https://help.splunk.com/splunk-enterprise/spl-search-reference/9.4/evaluation-functions/bitwise-functions
MATH = https://help.splunk.com/splunk-enterprise/spl-search-reference/9.4/evaluation-functions/mathematical-functions
"""
import math

import pytest

from spl.errors import SearchError
from spltest import column, run


def ev(expr: str, **fields):
    out = run(f"| eval r={expr}", [fields or {"z": "1"}])
    return column(out, "r")[0] if "r" in out.columns else None


def test_acos_asin_atan_in_radians():
    # TRIG: acos(0) is pi/2, so acos(0)*180/pi() is 90 degrees; asin(1) is pi/2 too.
    assert ev("acos(0)") == pytest.approx(math.pi / 2)
    assert ev("acos(0)*180/pi()") == pytest.approx(90)
    assert ev("asin(1)") == pytest.approx(math.pi / 2)
    assert ev("atan(1)") == pytest.approx(math.pi / 4)


def test_atan2_and_hypot():
    # TRIG: atan2(0.50, 0.75) = 0.5880026035475675 (arc tangent of 0.5/0.75 in radians);
    # hypot(3, 4) is the 3-4-5 triangle's hypotenuse.
    assert ev("atan2(0.50, 0.75)") == pytest.approx(0.5880026035475675)
    assert ev("atan2(1, -1)") == pytest.approx(3 * math.pi / 4)  # quadrant kept
    assert ev("hypot(3, 4)") == 5


def test_sin_cos_tan_and_hyperbolic():
    # By hand: sin(pi/2) = 1, cos(pi) = -1, tan(pi/4) = 1; cosh(0) = 1, sinh(0) = 0,
    # tanh(0) = 0, cosh(1) = (e + 1/e)/2; asinh, acosh, atanh invert them.
    assert ev("sin(pi()/2)") == pytest.approx(1)
    assert ev("cos(pi())") == pytest.approx(-1)
    assert ev("tan(pi()/4)") == pytest.approx(1)
    assert ev("cosh(1)") == pytest.approx((math.e + 1 / math.e) / 2)
    assert ev("sinh(0)") == 0 and ev("tanh(0)") == 0
    assert ev("asinh(sinh(2))") == pytest.approx(2)
    assert ev("acosh(cosh(2))") == pytest.approx(2)
    assert ev("atanh(tanh(0.5))") == pytest.approx(0.5)


def test_outside_the_domain_or_not_a_number_is_null():
    # TRIG: acos/asin take -1..1, acosh x >= 1, atanh -1 < x < 1 (module docstring: null).
    for expr in ("acos(2)", "asin(-1.5)", "acosh(0.5)", "atanh(1)", "cos(\"abc\")",
                 "sin(x)", "hypot(3, null())"):
        assert ev(expr) is None, expr


def test_field_values_are_numbers():
    assert ev("cos(x)", x="0") == 1


def test_bitwise_and_or_xor_examples():
    # BIT, by hand: 12 = 1100, 10 = 1010: AND 1000 = 8, OR 1110 = 14, XOR 0110 = 6;
    # more than two arguments fold left: 12 & 10 & 8 = 8.
    assert ev("bit_and(12, 10)") == 8
    assert ev("bit_or(12, 10)") == 14
    assert ev("bit_xor(12, 10)") == 6
    assert ev("bit_and(12, 10, 8)") == 8
    assert ev("bit_or(x, 1)", x="4") == 5


def test_bit_not_within_a_mask():
    # BIT: the inverse within 53 bits by default: 2**53 - 1 - 9; with mask 15 (1111), 9 = 1001
    # inverts to 0110 = 6.
    assert ev("bit_not(9)") == 2 ** 53 - 1 - 9 == 9007199254740982
    assert ev("bit_not(9, 15)") == 6


def test_bit_shifts():
    # BIT, by hand: 9 << 2 = 36, 9 >> 2 = 2.
    assert ev("bit_shift_left(9, 2)") == 36
    assert ev("bit_shift_right(9, 2)") == 2
    assert ev("bit_shift_left(1, 53)") == 0  # beyond the 53 bits a double holds


def test_bitwise_takes_non_negative_integers_only():
    for expr in ("bit_and(-1, 3)", "bit_or(1.5, 2)", "bit_xor(\"a\", 1)", "bit_not(2**60)",
                 "bit_shift_left(1, -1)"):
        assert ev(expr.replace("2**60", str(2 ** 60))) is None, expr


def test_bit_and_needs_two_arguments():
    with pytest.raises(SearchError, match="at least 2"):
        ev("bit_and(1)")


def test_sigfig_multiplication_keeps_fewest_significant_figures():
    # MATH: "1.00*1111 = 1111, but sigfig(1.00*1111) returns 1110" (1.00 has 3 figures).
    assert ev("sigfig(1.00*1111)") == 1110
    # By hand: 10/3.0: "10" has 1 figure, so 3.333... rounds to 3.
    assert ev("sigfig(10/3.0)") == 3
    # Fields count as their text: 2.50 (3 figures) * 3.1415 (5) = 7.85375 -> 7.85.
    assert ev("sigfig(a*b)", a="2.50", b="3.1415") == pytest.approx(7.85)


def test_sigfig_addition_keeps_fewest_decimal_places():
    # MATH: + and - keep the decimal places of the least precise operand:
    # 1.5 + 2.25 = 3.75 -> one place, half up: 3.8; 10.123 - 0.1 = 10.023 -> 10.0.
    assert ev("sigfig(1.5+2.25)") == pytest.approx(3.8)
    assert ev("sigfig(10.123-0.1)") == pytest.approx(10.0)


def test_sigfig_of_a_plain_number_is_unchanged():
    assert ev("sigfig(x)", x="3.14159") == "3.14159"
    assert ev("sigfig(1.00*x)") is None  # a null operand: a null result


def test_exact_returns_the_value():
    # MATH: exact(3.14 * num) gives the product at full precision; nothing is shortened here.
    assert ev("exact(3.14 * num)", num="2") == pytest.approx(6.28)
