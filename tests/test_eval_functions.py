"""Eval functions, with expected values from the examples on Splunk's evaluation-function pages
(or worked out by hand where the page has no example). Page keys:

COND = https://help.splunk.com/en/splunk-enterprise/search/spl-search-reference/10.0/evaluation-functions/comparison-and-conditional-functions
CONV = https://help.splunk.com/en/splunk-enterprise/search/spl-search-reference/10.0/evaluation-functions/conversion-functions
TEXT = https://help.splunk.com/en/splunk-enterprise/search/spl-search-reference/10.0/evaluation-functions/text-functions
MV   = https://help.splunk.com/en/splunk-enterprise/search/spl-search-reference/10.0/evaluation-functions/multivalue-eval-functions
MATH = https://help.splunk.com/en/splunk-enterprise/search/spl-search-reference/10.0/evaluation-functions/mathematical-functions
STAT = https://help.splunk.com/en/splunk-enterprise/search/spl-search-reference/10.0/evaluation-functions/statistical-eval-functions
TIME = https://help.splunk.com/en/splunk-enterprise/search/spl-search-reference/10.0/evaluation-functions/date-and-time-functions
INFO = https://help.splunk.com/en/splunk-enterprise/search/spl-search-reference/10.0/evaluation-functions/informational-functions
HASH = https://help.splunk.com/en/splunk-enterprise/search/spl-search-reference/10.0/evaluation-functions/cryptographic-functions
"""
import time

import pytest

from spl.context import Context
from spl.errors import SearchError, UnsupportedError
from spl.eval import functions
from spl.values import to_str
from test_eval import NULL, TRUE, call, ev, fld, not_, op

# ------------------------------------------------------------------ registry


def test_registry_lists_every_required_function_with_arity_and_doc():
    required = """if case coalesce isnull isnotnull isnum isstr isint typeof like match lower upper
    len substr replace trim ltrim rtrim split mvindex mvcount mvjoin mvappend mvdedup mvfilter
    mvfind mvsort mvzip mvrange round abs ceil ceiling floor sqrt pow exp ln log min max tonumber
    tostring strftime strptime now time relative_time cidrmatch null true false urldecode md5
    sha1 sha256 json_extract spath printf validate in searchmatch random""".split()
    names = functions.names()
    assert names == sorted(names)
    for name in required:
        spec = functions.lookup(name)
        assert spec is not None, name
        assert spec.name == name and spec.doc and spec.min_args >= 0
        assert spec.max_args is None or spec.max_args >= spec.min_args


def test_lookup_ignores_case_and_unknown_is_none():
    assert functions.lookup("IF") is functions.lookup("if")
    assert functions.lookup("nosuch") is None
    spec = functions.lookup("substr")
    assert (spec.min_args, spec.max_args) == (2, 3)


# ------------------------------------------------------------------ conditional (COND)


def test_case_returns_first_true_value_else_null():
    # COND example: status 408 gets no description; true() gives a default.
    expr = call("case", op("==", fld("status"), 200), "OK", op("==", fld("status"), 404),
                "Not found", op("==", fld("status"), 500), "Internal Server Error")
    assert ev(expr, status="200") == "OK"
    assert ev(expr, status="404") == "Not found"
    assert ev(expr, status="408") is None
    default = call("case", op("==", fld("status"), 200), "OK", TRUE, "Other")
    assert ev(default, status="406") == "Other"


def test_case_needs_pairs():
    with pytest.raises(SearchError):
        ev(call("case", TRUE, "a", TRUE))


def test_if():
    # COND: eval err=if(error == 200, "OK", "Error")
    expr = call("if", op("==", fld("error"), 200), "OK", "Error")
    assert ev(expr, error="200") == "OK"
    assert ev(expr, error="500") == "Error"
    assert ev(expr) == "Error"  # a null comparison is not true


def test_coalesce_takes_first_non_null():
    # COND: ip=coalesce(clientip, ipaddress)
    expr = call("coalesce", fld("clientip"), fld("ipaddress"))
    assert ev(expr, ipaddress="10.0.0.1") == "10.0.0.1"
    assert ev(expr, clientip="1.1.1.1", ipaddress="10.0.0.1") == "1.1.1.1"
    assert ev(expr) is None


def test_coalesce_keeps_empty_string():
    # An empty string is a value, not null.
    assert ev(call("coalesce", fld("a"), "x"), a="") == ""


def test_nullif():
    # COND example: nullif(names, ponies) is null where equal, else names.
    assert ev(call("nullif", fld("n"), fld("p")), n="rarity", p="rarity") is None
    assert ev(call("nullif", fld("n"), fld("p")), n="buttercup", p="mistmane") == "buttercup"


def test_validate_returns_message_of_first_false_condition():
    # COND example: validate(isint(port), "ERROR: Port is not an integer",
    #                        port >= 1 AND port <= 65535, "ERROR: Port is out of range")
    expr = call("validate", call("isint", fld("port")), "ERROR: Port is not an integer",
                op("AND", op(">=", fld("port"), 1), op("<=", fld("port"), 65535)),
                "ERROR: Port is out of range")
    assert ev(expr, port="80") is None
    assert ev(expr, port="abc") == "ERROR: Port is not an integer"
    assert ev(expr, port="70000") == "ERROR: Port is out of range"


def test_in_function():
    # COND: if(in(status, "404","500","503"),"true","false"), and a literal searched in fields.
    expr = call("in", fld("status"), "404", "500", "503")
    assert ev(expr, status="500") is True
    assert ev(expr, status="200") is False
    either = call("in", "203.0.113.255", fld("ipaddress"), fld("clientip"))
    assert ev(either, clientip="203.0.113.255") is True
    # Quoted values are strings, as for the IN operator: "0404" is not "404".
    assert ev(expr, status="0404") is False
    assert ev(call("in", fld("n"), 1, 2), n="2.0") is True


def test_like_function():
    # COND: if(like(field, "foo%"), "yes a foo", "not a foo")
    expr = call("if", call("like", fld("field"), "foo%"), "yes a foo", "not a foo")
    assert ev(expr, field="foobar") == "yes a foo"
    assert ev(expr, field="barfoo") == "not a foo"


def test_match_is_unanchored_pcre():
    # COND: match() is TRUE if the regex matches any substring; ^ and $ anchor.
    ip = r"^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$"
    assert ev(call("match", fld("f"), ip), f="192.168.1.1") is True
    assert ev(call("match", fld("f"), ip), f="x192.168.1.1") is False
    assert ev(call("match", fld("test"), "yes"), test="oh yes please") is True
    assert ev(call("match", fld("test"), '"yes"'), test='"yes"') is True


def test_match_translates_pcre_named_groups_and_anchors():
    assert ev(call("match", "abc", r"(?<first>a)b")) is True
    assert ev(call("match", "abc\n", r"abc\z")) is False
    assert ev(call("match", "abc\n", r"abc\Z")) is True


def test_match_with_null_is_false_and_any_value_of_a_multivalue_may_match():
    assert ev(call("match", fld("missing"), ".")) is False
    assert ev(call("match", fld("m"), "^b"), m=["abc", "bcd"]) is True


def test_invalid_regex_is_a_search_error():
    with pytest.raises(SearchError):
        ev(call("match", "x", "[unclosed"))


def test_cidrmatch_ipv4_and_ipv6():
    # COND examples.
    assert ev(call("cidrmatch", "192.0.2.0/24", "192.0.3.0")) is False
    assert ev(call("cidrmatch", "192.0.2.0/24", "192.0.2.56")) is True
    assert ev(call("cidrmatch", "2001:0db8:ffff:ffff:ffff:ffff:ffff:ff00/120",
                   "2001:0db8:ffff:ffff:ffff:ffff:ffff:ff99")) is True


def test_cidrmatch_bad_input_is_false():
    assert ev(call("cidrmatch", "192.0.2.0/24", "not-an-ip")) is False
    assert ev(call("cidrmatch", "192.0.2.0/24", fld("missing"))) is False
    assert ev(call("cidrmatch", "192.0.2.0/24", "2001:db8::1")) is False


def test_true_false_null():
    # COND: true(), false(), null().
    assert ev(TRUE) is True and ev(call("false")) is False and ev(NULL) is None


def test_searchmatch_is_unsupported():
    with pytest.raises(UnsupportedError):
        ev(call("searchmatch", "x=hi y=*"))


# ------------------------------------------------------------------ informational (INFO)


def test_typeof():
    # INFO example: typeof(12) + typeof("string") + typeof(1==2) + typeof(badfield)
    #   = "NumberStringBoolInvalid" (issue 14: a Boolean is "Bool" on the page).
    expr = op("+", op("+", op("+", call("typeof", 12), call("typeof", "string")),
                      call("typeof", op("==", 1, 2))), call("typeof", fld("badfield")))
    assert ev(expr) == "NumberStringBoolInvalid"


def test_type_tests_treat_numeric_field_values_as_numbers():
    # STAT: "When an argument is a field, the eval command retrieves the value and attempts to
    # treat it as a number, even if it is a string." COND's validate example uses isint(port).
    assert ev(call("isnum", fld("x")), x="3.5") is True
    assert ev(call("isint", fld("x")), x="80") is True
    assert ev(call("isint", fld("x")), x="3.5") is False
    assert ev(call("isstr", fld("x")), x="abc") is True
    assert ev(call("isstr", fld("x")), x="12") is False
    assert ev(call("isnum", fld("x")), x="abc") is False


def test_isnull_isnotnull():
    assert ev(call("isnull", fld("x"))) is True
    assert ev(call("isnotnull", fld("x")), x="") is True


# ------------------------------------------------------------------ text (TEXT)


def test_len_lower_upper():
    # TEXT: len("buttercup") = 9; len counts code points.
    assert ev(call("len", fld("n")), n="buttercup") == 9
    assert ev(call("len", "héllo")) == 5
    assert ev(call("lower", "AbC")) == "abc"
    assert ev(call("upper", "AbC")) == "ABC"


def test_lower_upper_work_on_multivalue_fields():
    # TEXT: "You can use this function on multivalue fields" (lower, upper).
    assert ev(call("lower", fld("m")), m=["A", "B"]) == ["a", "b"]
    assert ev(call("upper", fld("m")), m=["a", "b"]) == ["A", "B"]


def test_functions_not_supported_on_multivalue_give_null():
    # TEXT: len, trim, ltrim, rtrim, replace, substr, urldecode "not supported on multivalue
    # fields". Decision: they return null for a multivalue argument.
    mv = ["a ", "b "]
    assert ev(call("len", fld("m")), m=mv) is None
    assert ev(call("trim", fld("m")), m=mv) is None
    assert ev(call("replace", fld("m"), "a", "b"), m=mv) is None
    assert ev(call("substr", fld("m"), 1, 1), m=mv) is None


def test_trim_family():
    # TEXT examples: ltrim(" ZZZZabcZZ ", " Z") = "abcZZ ", trim(...) = "abc"; rtrim keeps the
    # leading space (the page prints "ZZZZabc", its leading space lost in rendering).
    assert ev(call("ltrim", " ZZZZabcZZ ", " Z")) == "abcZZ "
    assert ev(call("rtrim", " ZZZZabcZZ ", " Z")) == " ZZZZabc"
    assert ev(call("trim", " ZZZZabcZZ ", " Z")) == "abc"
    assert ev(call("ltrim", fld("cost"), "$"), cost="$12") == "12"


def test_trim_default_is_spaces_and_tabs_only():
    # TEXT: "If not specified, spaces and tabs are removed".
    assert ev(call("trim", " \tx\t ")) == "x"
    assert ev(call("trim", "\nx\n")) == "\nx\n"


def test_substr():
    # TEXT: substr("string", 1, 3) + substr("string", -3) = "string"; SQLite semantics.
    assert ev(op("+", call("substr", "string", 1, 3), call("substr", "string", -3))) == "string"
    assert ev(call("substr", "string", 3)) == "ring"
    assert ev(call("substr", "string", 10)) == ""


def test_substr_follows_sqlite_for_zero_and_negative_length():
    # SQLite substr(): position 0 is before the first character; a negative length takes the
    # characters before the start. (TEXT: "The indexes follow SQLite semantics".)
    assert ev(call("substr", "string", 0, 3)) == "st"
    assert ev(call("substr", "string", 4, -2)) == "tr"
    # -10 lies 4 places before "s"; of the 6 places taken, only the last two hold characters.
    assert ev(call("substr", "string", -10, 6)) == "st"


def test_replace_with_backreferences():
    # TEXT: replace(date, "^(\d{1,2})/(\d{1,2})/", "\2/\1/"): 1/14/2023 -> 14/1/2023.
    assert ev(call("replace", fld("date"), r"^(\d{1,2})/(\d{1,2})/", r"\2/\1/"),
              date="1/14/2023") == "14/1/2023"


def test_replace_replaces_every_match_and_keeps_other_text_literal():
    assert ev(call("replace", "a.b.c", r"\.", "-")) == "a-b-c"
    assert ev(call("replace", "abc", "b", r"$1\g<0>")) == r"a$1\g<0>c"


def test_split():
    # MV: split(To, "@") for counting; empty pieces are kept.
    assert ev(call("split", "a,b,c", ",")) == ["a", "b", "c"]
    assert ev(call("split", "a,,b", ",")) == ["a", "", "b"]
    assert ev(call("split", "abc", ",")) == "abc"
    assert ev(call("split", fld("missing"), ",")) is None


def test_urldecode():
    # TEXT example.
    assert ev(call("urldecode", "http%3A%2F%2Fwww.splunk.com%2Fdownload%3Fr%3Dheader")) == \
        "http://www.splunk.com/download?r=header"


def test_printf_examples():
    # CONV: the examples of the printf page.
    pi = call("pi")
    assert ev(call("printf", "%.3A", pi)) == "0X1.922P+1"
    assert ev(call("printf", "%c,%c", 65, "Foo")) == "A,F"
    assert ev(call("printf", "%d,%i,%d", -2, 4, 30)) == "-2,4,30"
    assert ev(call("printf", "%.2e", 5139)) == "5.14e+03"
    assert ev(call("printf", "%.2f", pi)) == "3.14"
    assert ev(call("printf", "%.2g,%.2g", pi, 123)) == "3.1,1.2e+02"
    assert ev(call("printf", "%o", 255)) == "377"
    assert ev(call("printf", "%s%z", "foo", "bar")) == "foobar"
    assert ev(call("printf", "%u", 99)) == "99"
    assert ev(call("printf", "%x,%X,%p", 10, 10, 10)) == "a,A,A"
    assert ev(call("printf", "100%%")) == "100%"


def test_printf_value_out_of_range_is_a_search_error():
    with pytest.raises(SearchError):
        ev(call("printf", "%c", 99999999999))


def test_printf_flags_width_precision():
    # CONV: flag and width examples (the page's rendering drops padding spaces; C semantics).
    assert ev(call("printf", "%'d", 12345)) == "12,345"
    assert ev(call("printf", "%-4d", 1)) == "1   "
    assert ev(call("printf", "%04d", 1)) == "0001"
    assert ev(call("printf", "%+4d", 1)) == "  +1"
    assert ev(call("printf", "%#x", 1)) == "0x1"
    assert ev(call("printf", "%*d", 5, 123)) == "  123"
    assert ev(call("printf", "%.*f", 1, 1.23)) == "1.2"
    assert ev(call("printf", "%*.*e", 9, 2, call("pi"))) == " 3.14e+00"


# ------------------------------------------------------------------ conversion (CONV)


def test_tonumber():
    # CONV: tonumber("0A4", 16) = 164; tonumber("0101", 2) = 5; leading/trailing spaces -> null.
    assert ev(call("tonumber", "0A4", 16)) == 164
    assert ev(call("tonumber", "0101", 2)) == 5
    assert ev(call("tonumber", fld("x")), x="3.5") == 3.5
    assert ev(call("tonumber", fld("x")), x="42") == 42
    assert ev(call("tonumber", fld("x")), x=" 42") is None
    assert ev(call("tonumber", fld("x")), x="seven") is None


def test_tonumber_base_out_of_range_is_an_error():
    with pytest.raises(SearchError):
        ev(call("tonumber", "1", 40))


def test_tostring_examples():
    # CONV: tostring(1==1) + " " + tostring(15, "hex") + " " + tostring(12345.6789, "commas")
    #   = "True 0xF 12,345.68"; tostring(615, "duration") = "00:10:15"; tostring(9,"binary")=1001.
    expr = op("+", op("+", op("+", op("+", call("tostring", op("==", 1, 1)), " "),
                                  call("tostring", 15, "hex")), " "),
              call("tostring", 12345.6789, "commas"))
    assert ev(expr) == "True 0xF 12,345.68"
    assert ev(call("tostring", fld("foo"), "duration"), foo="615") == "00:10:15"
    assert ev(call("tostring", 9, "binary")) == "1001"
    assert ev(call("tostring", op("==", 1, 2))) == "False"


def test_tostring_plain_and_commas_on_integers():
    assert ev(call("tostring", op("/", 6, 3))) == "2"
    assert ev(call("tostring", 1234567, "commas")) == "1,234,567"


def test_tostring_duration_with_days():
    # Worked out: 90061 s = 1 day + 01:01:01, shown as D+HH:MM:SS (convert dur2sec's format).
    assert ev(call("tostring", 90061, "duration")) == "1+01:01:01"


# ------------------------------------------------------------------ math (MATH)


def test_round():
    # MATH: round(3.5) = 4; round(2.555, 2) = 2.56 (half away from zero on the written digits).
    assert ev(call("round", 3.5)) == 4
    assert ev(call("round", 2.555, 2)) == 2.56
    assert ev(call("round", -2.5)) == -3
    assert ev(call("round", fld("x"), 1), x="1.25") == 1.3


def test_math_functions():
    # MATH: abs, ceil/ceiling, floor, sqrt, pow, exp, ln, log (base 10 default).
    assert ev(call("abs", -5)) == 5
    assert ev(call("ceil", 1.2)) == 2 and ev(call("ceiling", 1.2)) == 2
    assert ev(call("floor", 1.9)) == 1
    assert ev(call("sqrt", 9)) == 3
    assert ev(call("pow", 2, 10)) == 1024
    assert ev(call("exp", 3)) == pytest.approx(20.085536923187668)
    assert ev(call("ln", call("exp", 2))) == pytest.approx(2)
    assert ev(call("log", 100)) == pytest.approx(2)
    assert ev(call("log", 8, 2)) == pytest.approx(3)


def test_math_outside_the_domain_is_null():
    assert ev(call("sqrt", -1)) is None
    assert ev(call("ln", 0)) is None
    assert ev(call("abs", fld("x")), x="abc") is None


# ------------------------------------------------------------------ statistical (STAT)


def test_max_strings_are_greater_than_numbers():
    # STAT: max(1, 3, 6, 7, "foo", name): "foo" if name="baz", "zaz" if name="zaz".
    expr = call("max", 1, 3, 6, 7, "foo", fld("name"))
    assert ev(expr, name="baz") == "foo"
    assert ev(expr, name="zaz") == "zaz"


def test_min_numbers_below_strings():
    # STAT: min(3, 6, 7, "maria", size): 3 if size=9, 1 if size=1.
    expr = call("min", 3, 6, 7, "maria", fld("size"))
    assert ev(expr, size="9") == 3
    assert to_str(ev(expr, size="1")) == "1"


def test_max_min_of_a_multivalue_field():
    # STAT: max of "1 3 5 6 4 2" (makemv) = 6; min of "3 5 6 4 7 2" = 2.
    assert to_str(ev(call("max", fld("n")), n=["1", "3", "5", "6", "4", "2"])) == "6"
    assert to_str(ev(call("min", fld("n")), n=["3", "5", "6", "4", "7", "2"])) == "2"
    assert to_str(ev(call("max", fld("n")), n=["10", "9"])) == "10"


def test_avg_and_sum():
    # STAT: avg(1, 2, 3) = 2; a=5.0, b="9": avg(a, b, c) = 7; a="somedata": avg(a, 2, 3) = 2.5.
    assert ev(call("avg", 1, 2, 3)) == 2
    assert ev(call("avg", fld("a"), fld("b"), fld("c")), a=5.0, b="9") == 7
    assert ev(call("avg", fld("a"), 2, 3), a="somedata") == 2.5
    assert ev(call("sum", fld("m"), 1), m=["2", "3"]) == 6


def test_random_range():
    # STAT: an integer from 0 to 2^31 - 1.
    v = ev(call("random"))
    assert isinstance(v, int) and 0 <= v <= 2 ** 31 - 1


# ------------------------------------------------------------------ multivalue (MV)

NAMES = ["alex", "celestino", "claudia", "david", "ikraam", "nyah", "rutherford", "wei"]
PONIES = ["buttercup", "dash", "flutter", "honey", "ivory", "minty", "pinky", "rarity"]


def test_mvcount():
    # MV: number of values; 1 for a single value; NULL when the field has no values.
    assert ev(call("mvcount", fld("m")), m=NAMES) == 8
    assert ev(call("mvcount", fld("m")), m="one") == 1
    assert ev(call("mvcount", fld("Cc"))) is None
    assert ev(op("-", call("mvcount", call("split", fld("To"), "@")), 1), To="a@x.com") == 1


def test_mvindex():
    # MV examples: mvindex(names, 2) = claudia; (names, 0, 3) = first four; (ponies, -1) =
    # rarity; (ponies, -3) = minty; (ponies, -3, -1) = minty, pinky, rarity; out of range null.
    assert ev(call("mvindex", fld("names"), 2), names=NAMES) == "claudia"
    assert ev(call("mvindex", fld("names"), 0, 3), names=NAMES) == NAMES[:4]
    assert ev(call("mvindex", fld("p"), -1), p=PONIES) == "rarity"
    assert ev(call("mvindex", fld("p"), -3), p=PONIES) == "minty"
    assert ev(call("mvindex", fld("p"), -3, -1), p=PONIES) == ["minty", "pinky", "rarity"]
    assert ev(call("mvindex", fld("p"), 8), p=PONIES) is None
    assert ev(call("mvindex", fld("p"), 6, 8), p=PONIES) is None
    assert ev(call("mvindex", fld("p"), 3, 1), p=PONIES) is None
    assert ev(call("mvindex", fld("p"), 0), p="single") == "single"


def test_mvjoin_and_mvrange():
    # MV: base=mvrange(1,6), mvjoin(base, " OR ") = "1 OR 2 OR 3 OR 4 OR 5";
    # mvrange(1, 11, 2) = 1, 3, 5, 7, 9.
    assert ev(call("mvjoin", call("mvrange", 1, 6), " OR ")) == "1 OR 2 OR 3 OR 4 OR 5"
    assert ev(call("mvrange", 1, 11, 2)) == [1, 3, 5, 7, 9]


def test_mvrange_with_a_timespan_step():
    # MV example: mvrange(1514834731, 1524134919, "7d") lists 16 timestamps; its values step by
    # 601200 s across 2018-03-11, so the page ran in a US time zone (DST). Reproduced here in
    # America/Los_Angeles.
    ctx = Context(now=0, tz="America/Los_Angeles")
    got = ev(call("mvrange", 1514834731, 1524134919, "7d"), ctx=ctx)
    assert got == [1514834731, 1515439531, 1516044331, 1516649131, 1517253931, 1517858731,
                   1518463531, 1519068331, 1519673131, 1520277931, 1520879131, 1521483931,
                   1522088731, 1522693531, 1523298331, 1523903131]


def test_mvappend_flattens_and_skips_nulls():
    # MV: mvappend("localhost", srcip, destip, "192.168.1.1").
    expr = call("mvappend", "localhost", fld("srcip"), fld("destip"), "192.168.1.1")
    assert ev(expr, srcip=["203.0.113.0", "203.0.113.1"], destip="203.0.113.255") == \
        ["localhost", "203.0.113.0", "203.0.113.1", "203.0.113.255", "192.168.1.1"]
    assert ev(expr) == ["localhost", "192.168.1.1"]


def test_mvdedup_keeps_first_occurrences_in_order():
    assert ev(call("mvdedup", fld("m")), m=["b", "a", "b", "c", "a"]) == ["b", "a", "c"]


def test_mvfilter_evaluates_the_predicate_per_value():
    # MV: mvfilter(match(email, "\.net$") OR match(email, "\.org$")).
    expr = call("mvfilter", op("OR", call("match", fld("email"), r"\.net$"),
                               call("match", fld("email"), r"\.org$")))
    emails = ["a@x.com", "b@y.net", "c@z.org"]
    assert ev(expr, email=emails) == ["b@y.net", "c@z.org"]
    assert ev(expr, email="a@x.com") is None
    assert ev(expr) is None


def test_mvfilter_with_not_and_like():
    # Shapes used by ESCU: mvfilter(NOT match(f, "false")), mvfilter(targets LIKE "AppInstance%").
    assert ev(call("mvfilter", not_(call("match", fld("f"), "false"))), f=["false", "x", "y"]) \
        == ["x", "y"]
    assert ev(call("mvfilter", op("LIKE", fld("t"), "AppInstance%")),
              t=["AppInstance1", "Other"]) == "AppInstance1"


def test_mvfilter_must_name_exactly_one_field():
    with pytest.raises(SearchError):
        ev(call("mvfilter", op("=", fld("a"), fld("b"))))


def test_mvfind():
    # MV: index of the first value matching the regex, else NULL.
    assert ev(call("mvfind", fld("m"), r"err\d+"), m=["ok", "err1", "err2"]) == 1
    assert ev(call("mvfind", fld("m"), r"err\d+"), m=["ok", "fine"]) is None


def test_mvsort_is_lexicographic():
    # MV: 10, 9, 70, 100 sort as 10, 100, 70, 9; uppercase before lowercase.
    assert ev(call("mvsort", fld("m")), m=["10", "9", "70", "100"]) == ["10", "100", "70", "9"]
    assert ev(call("mvsort", fld("m")), m=["b", "B", "a"]) == ["B", "a", "b"]


def test_mvzip():
    # MV: first with first, second with second; default delimiter ",".
    assert ev(call("mvzip", fld("h"), fld("p")), h=["a", "b"], p=["1", "2"]) == ["a,1", "b,2"]
    assert ev(call("mvzip", fld("h"), fld("p"), "|"), h=["a", "b"], p=["1", "2"]) == ["a|1", "b|2"]


def test_mvmap_and_mvreverse():
    # MV: mvmap(results, results*10); mvreverse(mvappend("1","2","3")) = 3, 2, 1.
    assert ev(call("mvmap", fld("results"), op("*", fld("results"), 10)),
              results=["1", "2", "3"]) == [10, 20, 30]
    assert ev(call("mvreverse", call("mvappend", "1", "2", "3"))) == ["3", "2", "1"]


# ------------------------------------------------------------------ date and time (TIME)


def test_now_is_the_search_start():
    assert ev(call("now")) == 1700000000


def test_time_is_the_wall_clock():
    # TIME: time() is the wall-clock time with microsecond resolution, not the search's start
    # (ev runs with now=1700000000), so it lies between two readings of the clock around it.
    before = round(time.time(), 6)
    value = ev(call("time"))
    after = round(time.time(), 6)
    assert before <= value <= after


def test_strftime_and_strptime():
    assert ev(call("strftime", fld("_time"), "%Y-%m-%d %H:%M:%S"), _time=1700000000.0) == \
        "2023-11-14 22:13:20"
    assert ev(call("strptime", "2023-11-14 22:13:20", "%Y-%m-%d %H:%M:%S")) == 1700000000
    assert ev(call("strptime", "garbage", "%Y-%m-%d")) is None
    assert ev(call("strftime", fld("missing"), "%Y")) is None


def test_strftime_uses_the_search_time_zone():
    ctx = Context(now=0, tz="America/New_York")
    assert ev(call("strftime", 1700000000, "%H:%M %Z"), ctx=ctx) == "17:13 EST"


def test_relative_time():
    # TIME: relative_time(now(), "-1d@d") is midnight yesterday: 2023-11-13 00:00:00 UTC.
    assert ev(call("relative_time", call("now"), "-1d@d")) == 1699833600
    assert ev(call("relative_time", call("now"), "bogus")) is None


# ------------------------------------------------------------------ hashes and JSON


def test_hashes():
    # HASH: hex digests of the UTF-8 text (standard test vectors).
    assert ev(call("md5", "")) == "d41d8cd98f00b204e9800998ecf8427e"
    assert ev(call("sha1", "abc")) == "a9993e364706816aba3e25717850c26c9cd0d89d"
    assert ev(call("sha256", "abc")) == \
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"


def test_spath_function():
    # TEXT: spath(<value>, <path>) extracts from JSON; {} gives every array element.
    doc = '{"a": {"b": [1, 2], "c": "x", "d": {"e": true}}}'
    assert ev(call("spath", fld("j"), "a.c"), j=doc) == "x"
    assert ev(call("spath", fld("j"), "a.b{}"), j=doc) == ["1", "2"]
    assert ev(call("spath", fld("j"), "a.b{1}"), j=doc) == "2"
    assert ev(call("spath", fld("j"), "a.d"), j=doc) == '{"e":true}'
    assert ev(call("spath", fld("j"), "a.nope"), j=doc) is None
    assert ev(call("spath", fld("j"), "a"), j="not json") is None


def test_json_extract():
    doc = '{"a": {"b": [1, 2], "c": "x"}}'
    assert ev(call("json_extract", fld("j"), "a.c"), j=doc) == "x"
    assert ev(call("json_extract", fld("j"), "a.b"), j=doc) == "[1,2]"
    assert ev(call("json_extract", fld("j"), "a.b{0}"), j=doc) == "1"
    assert ev(call("json_extract", fld("j")), j=doc) == '{"a":{"b":[1,2],"c":"x"}}'


def test_function_names_resolve_in_any_case():
    # ESCU's production pingid_new_mfa_method_registered_for_user runs `eval object=CASE(ISNOTNULL(...` in
    # Splunk, so upper-case function names must resolve to the same functions.
    from spl.context import Context
    from spl.eval import evaluate_row
    from spl.eval.functions import lookup
    from spl.syntax import parse_expression
    assert lookup("CASE") is lookup("case") is not None
    expr = parse_expression('CASE(ISNOTNULL(a), "yes", true(), "no")')
    assert evaluate_row(expr, {"a": "1"}, Context()) == "yes"
    assert evaluate_row(expr, {}, Context()) == "no"


def test_printf_refuses_absurd_widths():
    # The printf page sets no limit; a width or precision above 10,000 (PRINTF_MAX_WIDTH) would
    # build strings of gigabytes, so it is a SearchError instead.
    for fmt, args in (("%999999999d", (1,)), ("%.999999999f", (1,)), ("%*d", (-10**11, 1))):
        with pytest.raises(SearchError, match="at most 10,000"):
            ev(call("printf", fmt, *args))
    assert len(ev(call("printf", "%10000d", 7))) == 10000
