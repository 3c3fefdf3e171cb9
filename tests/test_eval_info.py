"""Informational, conversion and search-aware eval functions: typeof/isnum fixes, ismv, isarray,
isobject, isdouble (functions_info.py), ipmask (functions_conv.py), commands and lookup
(functions_search.py). Expected values are the pages' examples or worked out by hand:

INFO = https://help.splunk.com/splunk-enterprise/spl-search-reference/9.4/evaluation-functions/informational-functions
CONV = https://help.splunk.com/splunk-enterprise/spl-search-reference/9.4/evaluation-functions/conversion-functions
MV   = https://help.splunk.com/splunk-enterprise/spl-search-reference/9.4/evaluation-functions/multivalue-eval-functions
COND = https://help.splunk.com/splunk-enterprise/spl-search-reference/9.4/evaluation-functions/comparison-and-conditional-functions
"""
from dataclasses import replace

import pytest

from spl.context import Context
from spl.engine import execute
from spl.errors import ConfigError, SearchError
from spl.eval import functions
from spl.lookups import Lookups
from spl.syntax import parse
from spltest import NOW, column, run, table


def ev(expr: str, **fields):
    out = run(f"| eval r={expr}", [fields or {"z": "1"}])
    return column(out, "r")[0] if "r" in out.columns else None


def test_typeof_names_a_boolean_bool():
    # INFO example: typeof(12) + typeof("string") + typeof(1==2) + typeof(badfield)
    # is "NumberStringBoolInvalid".
    assert ev('typeof(12) + typeof("string") + typeof(1==2) + typeof(badfield)') == \
        "NumberStringBoolInvalid"


def test_isnum_of_nan_is_true():
    # INFO: NaN is a (double) number, so isnum("NaN") is true; other text is not a number.
    assert ev('if(isnum("NaN"), "yes", "no")') == "yes"
    assert ev('if(isnum(x), "yes", "no")', x="nan") == "yes"
    assert ev('if(isnum("NaNa"), "yes", "no")') == "no"
    assert ev('typeof("NaN")') == "Number"
    assert ev('if(isstr("NaN"), "yes", "no")') == "no"


def test_isarray_examples():
    # INFO: isarray("[1, 2, 3]") is true; isarray(1) is false.
    assert ev('if(isarray("[1, 2, 3]"), "True", "False")') == "True"
    assert ev('if(isarray(1), "True", "False")') == "False"
    assert ev('if(isarray(json_array(1, 2)), "True", "False")') == "True"
    assert ev('if(isarray(split("a,b", ",")), "True", "False")') == "False"  # multivalue


def test_isobject():
    assert ev('if(isobject(json_object("a", 1)), "y", "n")') == "y"
    assert ev('if(isobject("[1]"), "y", "n")') == "n"
    assert ev('if(isobject("{oops"), "y", "n")') == "n"


def test_ismv():
    assert ev('if(ismv(split("a,b", ",")), "y", "n")') == "y"
    assert ev('if(ismv("a"), "y", "n")') == "n"
    assert ev('if(ismv(nosuch), "y", "n")') == "n"


def test_isdouble():
    # Module docstring's reading: a number written with a decimal point or an exponent.
    assert ev('if(isdouble(3.14), "y", "n")') == "y"
    assert ev('if(isdouble(x), "y", "n")', x="2.0") == "y"
    assert ev('if(isdouble(x), "y", "n")', x="1e3") == "y"
    assert ev('if(isdouble(3), "y", "n")') == "n"
    assert ev('if(isdouble("abc.d"), "y", "n")') == "n"


def test_ipmask_example():
    # CONV: ipmask("255.255.255.0", "10.20.30.120") returns 10.20.30.0.
    assert ev('ipmask("255.255.255.0", "10.20.30.120")') == "10.20.30.0"
    assert ev('ipmask("255.255.0.0", ip)', ip="192.168.7.9") == "192.168.0.0"
    assert ev('ipmask("255.255.255.0", ip)', ip=["10.0.0.9", "10.0.1.9"]) == \
        ["10.0.0.0", "10.0.1.0"]


def test_ipmask_of_a_non_ipv4_value_is_null():
    assert ev('ipmask("255.255.255.0", "not an ip")') is None
    assert ev('ipmask("bad", "10.0.0.1")') is None


def test_commands_example():
    # MV: commands("search foo | stats count | sort count") returns search, stats, sort.
    assert ev('commands("search foo | stats count | sort count")') == ["search", "stats", "sort"]


def test_commands_skips_quoted_pipes_and_subsearches_and_implies_search():
    s = 'foo [search x | head 1] | eval a=\\"|b\\" | table a'
    assert ev(f'commands("{s}")') == ["search", "eval", "table"]
    assert ev('commands("| makeresults | eval x=1")') == ["makeresults", "eval"]
    assert ev('commands("| tstats count | where count > 1")') == ["tstats", "where"]
    assert ev('commands("stats count")') == "search"  # no pipe: search terms; one value


def _lookup_session(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "dnslookup.csv").write_text(
        "clienthost,clientip,owner\ndns.google,8.8.8.8,google\none.one,1.1.1.1,cloudflare\n")

    class Session:
        lookups = Lookups([tmp_path / "in"], output_dir=tmp_path / "out")
    return Session()


def _run_with(session, search: str):
    pipeline = replace(parse(search), generating=False)
    return execute(pipeline, table([{"z": "1"}]), Context(now=NOW, text=search, session=session))


def test_lookup_example(tmp_path):
    # COND: lookup("dnslookup", json_object("clienthost","dns.google"), json_array("clientip"))
    # gives {"clientip":"8.8.8.8"}.
    s = _lookup_session(tmp_path)
    out = _run_with(s, '| eval r=lookup("dnslookup", json_object("clienthost","dns.google"), '
                       'json_array("clientip"))')
    assert column(out, "r") == ['{"clientip":"8.8.8.8"}']


def test_lookup_without_outputs_gives_every_other_field(tmp_path):
    s = _lookup_session(tmp_path)
    out = _run_with(s, '| eval r=lookup("dnslookup", json_object("clientip", "1.1.1.1"))')
    assert column(out, "r") == ['{"clienthost":"one.one","owner":"cloudflare"}']


def test_lookup_no_match_is_null(tmp_path):
    s = _lookup_session(tmp_path)
    out = _run_with(s, '| eval r=lookup("dnslookup", json_object("clienthost", "nope"))')
    assert "r" not in out.columns or column(out, "r") == [None]


def test_lookup_errors_name_the_problem(tmp_path):
    s = _lookup_session(tmp_path)
    with pytest.raises(SearchError, match="no field 'nosuch'"):
        _run_with(s, '| eval r=lookup("dnslookup", json_object("nosuch", "x"))')
    with pytest.raises(SearchError, match="JSON object"):
        _run_with(s, '| eval r=lookup("dnslookup", "clienthost")')
    with pytest.raises(ConfigError, match="not found"):
        _run_with(s, '| eval r=lookup("missing", json_object("a", "b"))')


def test_every_family_is_in_the_one_registry():
    for name in ("acos", "bit_and", "sigfig", "exact", "json_object", "json_set_exact",
                 "mv_to_json_array", "ismv", "isarray", "ipmask", "commands", "lookup"):
        spec = functions.lookup(name)
        assert spec is not None and spec.name == name and name in functions.names()
