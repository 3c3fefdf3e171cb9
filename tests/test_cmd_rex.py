"""rex: named groups to fields, max_match, mode=sed, offset_field.

Splunk: https://help.splunk.com/splunk-enterprise/spl-search-reference/9.1/search-commands/rex
(unanchored PCRE; named groups become fields; field defaults to _raw; max_match defaults to 1,
0 is unlimited, more than one match is a multivalue field; mode=sed supports only s/// with g
or N and y///; back-references \\1). Expected values are worked out by hand.
"""
import pytest

from spl.errors import SplError
from spltest import column, run


def test_named_groups_from_raw_by_default_unanchored():
    r = run('| rex "user=(?<user>\\w+) ip=(?<ip>[\\d.]+)"',
            [{"_raw": "login user=alice ip=10.0.0.1 ok"}])
    assert column(r, "user") == ["alice"] and column(r, "ip") == ["10.0.0.1"]


def test_field_option_and_unnamed_groups_make_no_field():
    r = run('| rex field=arn "arn:aws:iam::(\\d+):(?<kind>\\w+)/"', [{"arn": "arn:aws:iam::123:user/bob"}])
    assert column(r, "kind") == ["user"]
    assert list(r.columns) == ["arn", "kind"]


def test_max_match_default_is_one():
    assert column(run('| rex "(?<n>\\d+)"', [{"_raw": "a1 b22 c333"}]), "n") == ["1"]


def test_max_match_zero_is_unlimited_and_gives_a_multivalue_field():
    r = run('| rex max_match=0 "(?<n>\\d+)"', [{"_raw": "a1 b22 c333"}])
    assert column(r, "n") == [["1", "22", "333"]]


def test_max_match_n_stops_after_n_matches():
    r = run('| rex max_match=2 "(?<n>\\d+)"', [{"_raw": "a1 b22 c333"}])
    assert column(r, "n") == [["1", "22"]]


def test_escu_json_field_pattern():
    """detect_new_open_s3_buckets: rex field=_raw "(?<json_field>{.+})" ('{' is a literal)."""
    raw = 'prefix {"a": {"b": 1}} suffix'
    assert column(run('| rex field=_raw "(?<json_field>{.+})"', [{"_raw": raw}]), "json_field") == [
        '{"a": {"b": 1}}']


def test_no_match_keeps_the_old_value_and_row_order():
    rows = [{"_raw": "x=1", "x": "old"}, {"_raw": "nothing", "x": "kept"}, {"_raw": "x=3"}]
    assert column(run('| rex "x=(?<x>\\d)"', rows), "x") == ["1", "kept", "3"]


def test_pcre_named_group_syntax_variants():
    r = run("| rex \"(?'a'\\d)(?P<b>\\d)\"", [{"_raw": "12"}])
    assert column(r, "a") == ["1"] and column(r, "b") == ["2"]


def test_sed_replaces_first_match_without_flags():
    r = run('| rex field=s mode=sed "s/o/0/"', [{"s": "foo boo"}])
    assert column(r, "s") == ["f0o boo"]


def test_sed_g_replaces_every_match_with_backreferences():
    """The docs' masking example shape: keep the last group, mask the rest."""
    r = run('| rex field=cc mode=sed "s/(\\d{4}-){3}(\\d{4})/XXXX-XXXX-XXXX-\\2/g"',
            [{"cc": "1234-5678-9012-3456 and 1111-2222-3333-4444"}])
    assert column(r, "cc") == ["XXXX-XXXX-XXXX-3456 and XXXX-XXXX-XXXX-4444"]


def test_sed_nth_replaces_only_that_match():
    assert column(run('| rex field=s mode=sed "s/a/X/2"', [{"s": "aaa"}]), "s") == ["aXa"]


def test_sed_y_substitutes_characters():
    assert column(run('| rex field=s mode=sed "y/abc/xyz/"', [{"s": "aabbcd"}]), "s") == ["xxyyzd"]


def test_sed_defaults_to_raw():
    assert column(run('| rex mode=sed "s/secret/*****/g"', [{"_raw": "a secret b secret"}]),
                  "_raw") == ["a ***** b *****"]


def test_sed_escaped_slash_is_a_literal_slash():
    assert column(run('| rex field=p mode=sed "s/\\\\//_/g"', [{"p": "a/b/c"}]), "p") == ["a_b_c"]


def test_offset_field_holds_group_positions():
    r = run('| rex offset_field=off "(?<k>\\w+)=(?<v>\\d+)"', [{"_raw": "xx key=42"}])
    assert column(r, "off") == ["k=3-5&v=7-8"]


def test_bad_sed_expression_is_a_clear_error():
    with pytest.raises(SplError, match="sed expression"):
        run('| rex mode=sed "q/a/b/"', [{"_raw": "a"}])


def test_invalid_regex_is_a_clear_error():
    with pytest.raises(SplError, match="rex: invalid regular expression"):
        run('| rex "(?<a>"', [{"_raw": "a"}])


def test_a_repetition_count_too_large_is_an_invalid_regex():
    # PCRE limits {n} to 65535; a larger count is a bad regex (a SearchError), not a crash.
    from spl.errors import SearchError
    with pytest.raises(SearchError, match="invalid regular expression"):
        run('| rex field=x "(?<y>a{99999999999})"', [{"x": "a"}])
