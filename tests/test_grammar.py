"""The grammar and transformer: search/eval precedence, every dedicated command, spans, errors.

Expected trees are worked out by hand from the Splunk documentation cited next to each test.
"""
from __future__ import annotations

import pytest
import yaml

from spl.errors import Span, SplSyntaxError
from spl.frontend import parse_search
from spl.syntax import ast, parse, parse_expression

# The seed detection's search, verbatim from
# ../shared/seed/aws_bedrock_high_number_list_foundation_model_failures.yml (YAML `>-` folding
# joins the lines with single spaces; here the newlines are kept, which changes nothing).
SEED = """`cloudtrail` eventSource=bedrock.amazonaws.com eventName=ListFoundationModels errorCode=AccessDenied  | rename user_name as user
| stats count min(_time) as firstTime max(_time) as lastTime values(errorCode) as errorCodes values(errorMessage) as errorMessages by src user user_agent vendor_account vendor_product dest signature vendor_region
| where count > 9
| `security_content_ctime(firstTime)`
| `security_content_ctime(lastTime)`
| `aws_bedrock_high_number_list_foundation_model_failures_filter`"""


def first(text: str) -> ast.Command:
    return parse(text).commands[0]


def search_expr(text: str):
    return first(text).expr


def cmd(text: str, index: int = 1) -> ast.Command:
    return parse(text).commands[index]


def strip(node):
    """``node`` with every span replaced by Span(0, 0), to compare structure only."""
    import dataclasses

    if isinstance(node, Span):
        return Span(0, 0)
    if dataclasses.is_dataclass(node):
        return dataclasses.replace(node, **{f.name: strip(getattr(node, f.name))
                                            for f in dataclasses.fields(node)})
    if isinstance(node, tuple):
        return tuple(strip(x) for x in node)
    return node


Z = Span(0, 0)


# ------------------------------------------------------------------ the seed detection


def check_seed(parsed) -> None:
    cmds = parsed.pipeline.commands
    text = parsed.expanded
    assert [c.name for c in cmds] == ["search", "rename", "stats", "where", "convert", "convert",
                                      "search"]
    assert parsed.pipeline.generating is False
    s = cmds[0]
    assert strip(s.expr) == ast.SearchAnd((
        ast.Compare("sourcetype", "=", "aws:cloudtrail", False, Z),
        ast.Compare("eventSource", "=", "bedrock.amazonaws.com", False, Z),
        ast.Compare("eventName", "=", "ListFoundationModels", False, Z),
        ast.Compare("errorCode", "=", "AccessDenied", False, Z),
    ), Z)
    assert text[s.expr.items[3].span.start:s.expr.items[3].span.end] == "errorCode=AccessDenied"
    assert cmds[1].pairs == (("user_name", "user"),)
    stats = cmds[2]
    assert isinstance(stats, ast.Stats) and not isinstance(stats, ast.EventStats)
    assert [(a.func, a.field, a.alias, a.text) for a in stats.aggregations] == [
        ("count", None, None, "count"),
        ("min", "_time", "firstTime", "min(_time)"),
        ("max", "_time", "lastTime", "max(_time)"),
        ("values", "errorCode", "errorCodes", "values(errorCode)"),
        ("values", "errorMessage", "errorMessages", "values(errorMessage)"),
    ]
    agg = stats.aggregations[3]
    assert text[agg.span.start:agg.span.end] == "values(errorCode) as errorCodes"
    assert stats.by == ("src", "user", "user_agent", "vendor_account", "vendor_product", "dest",
                        "signature", "vendor_region")
    assert strip(cmds[3].expr) == ast.BinOp(">", ast.Field("count", Z), ast.Literal(9, Z), Z)
    assert text[cmds[3].span.start:cmds[3].span.end] == "where count > 9"
    for conv, name in ((cmds[4], "firstTime"), (cmds[5], "lastTime")):
        assert conv.timeformat == "%Y-%m-%dT%H:%M:%S"
        assert strip(conv.conversions) == (ast.Conversion("ctime", name, None, Z),)
    # an undefined <name>_filter macro expands to `search *`
    assert strip(cmds[6].expr) == ast.Term("*", False, Z)


def test_seed_search_inline():
    check_seed(parse_search(SEED))


def test_seed_search_from_shared(shared):
    data = yaml.safe_load((shared / "seed" / "aws_bedrock_high_number_list_foundation_model_failures.yml")
                          .read_text())
    check_seed(parse_search(data["search"]))


# ------------------------------------------------------------------ search precedence
# https://help.splunk.com/en/splunk-enterprise/search/search-manual/9.3/expressions-and-predicates :
# search evaluates parentheses, then NOT, then OR, then AND; keywords must be uppercase.


def T(v, quoted=False):
    return ast.Term(v, quoted, Z)


def test_or_binds_tighter_than_implicit_and():
    assert strip(search_expr("a b OR c")) == ast.SearchAnd((T("a"), ast.SearchOr((T("b"), T("c")), Z)), Z)


def test_or_binds_tighter_than_explicit_and():
    assert strip(search_expr("a OR b AND c")) == ast.SearchAnd((ast.SearchOr((T("a"), T("b")), Z), T("c")), Z)


def test_not_applies_to_next_term_only():
    assert strip(search_expr("NOT a b")) == ast.SearchAnd((ast.SearchNot(T("a"), Z), T("b")), Z)
    assert strip(search_expr("NOT a OR b")) == ast.SearchOr((ast.SearchNot(T("a"), Z), T("b")), Z)


def test_parentheses_group():
    assert strip(search_expr("(a b) OR c")) == ast.SearchOr((ast.SearchAnd((T("a"), T("b")), Z), T("c")), Z)


def test_lowercase_boolean_words_are_terms():
    assert strip(search_expr("a or b")) == ast.SearchAnd((T("a"), T("or"), T("b")), Z)


def test_search_terms_and_comparisons():
    e = strip(search_expr('status!=404 bytes>=10 x<5 host=web* "two words" user="a b" fail*'))
    assert e.items == (
        ast.Compare("status", "!=", "404", False, Z), ast.Compare("bytes", ">=", "10", False, Z),
        ast.Compare("x", "<", "5", False, Z), ast.Compare("host", "=", "web*", False, Z),
        T("two words", True), ast.Compare("user", "=", "a b", True, Z), T("fail*"))


def test_spaces_around_search_operator():
    assert strip(search_expr('user = "x"')) == ast.Compare("user", "=", "x", True, Z)


def test_field_in_and_time_modifiers():
    e = strip(search_expr('status IN (4*, "500", 503) earliest=-1h@h latest=now'))
    assert e.items == (ast.FieldIn("status", ("4*", "500", "503"), Z),
                       ast.TimeModifier("earliest", "-1h@h", Z), ast.TimeModifier("latest", "now", Z))


def test_term_and_case():
    # https://help.splunk.com/splunk-enterprise/search/search-manual/10.0/search-primer/use-case-and-term-to-match-phrases
    e = strip(search_expr("TERM(10.0.0.1) host=CASE(LOCALHOST)"))
    assert e.items == (ast.Term("10.0.0.1", False, Z, term=True),
                       ast.Compare("host", "=", "LOCALHOST", False, Z, case=True))


def test_escapes_in_search_values():
    # SRCH: backslash escapes \" and \\ are resolved, inside quotes too
    e = strip(search_expr(r'a="x\"y" b=D:\\dir'))
    assert e.items == (ast.Compare("a", "=", 'x"y', True, Z), ast.Compare("b", "=", "D:\\dir", False, Z))


def test_subsearch_term():
    e = search_expr("a [search b | fields c]")
    sub = e.items[1]
    assert isinstance(sub, ast.SubsearchTerm)
    assert [c.name for c in sub.subsearch.pipeline.commands] == ["search", "fields"]


def test_explicit_search_and_mid_pipeline_search():
    p = parse("search a | search b=1")
    assert strip(p.commands[0].expr) == T("a")
    assert strip(p.commands[1].expr) == ast.Compare("b", "=", "1", False, Z)


def test_search_keyword_only_as_first_word():
    assert strip(search_expr("a search")) == ast.SearchAnd((T("a"), T("search")), Z)


# ------------------------------------------------------------------ eval precedence
# https://help.splunk.com/en/splunk-enterprise/search/spl-search-reference/10.0/search-commands/eval :
# boolean order parentheses, NOT, AND, OR, XOR; `.` concatenates; unquoted dotted names are
# two fields joined by `.` and need single quotes to be one name.


def F(n):
    return ast.Field(n, Z)


def L(v):
    return ast.Literal(v, Z)


def B(op, a, b):
    return ast.BinOp(op, a, b, Z)


def E(text):
    return strip(parse_expression(text))


def test_arithmetic_precedence():
    assert E("1 + 2 * 3") == B("+", L(1), B("*", L(2), L(3)))
    assert E("(1 + 2) * 3") == B("*", B("+", L(1), L(2)), L(3))
    assert E("10 - 4 - 3") == B("-", B("-", L(10), L(4)), L(3))


def test_boolean_precedence():
    assert E("a OR b AND c") == B("OR", F("a"), B("AND", F("b"), F("c")))
    assert E("a XOR b OR c") == B("XOR", F("a"), B("OR", F("b"), F("c")))
    assert E("NOT a AND b") == B("AND", ast.UnaryOp("NOT", F("a"), Z), F("b"))
    assert E("NOT a = 1") == ast.UnaryOp("NOT", B("=", F("a"), L(1)), Z)


def test_boolean_words_any_case_in_eval():
    assert E("a > 1 and b < 2 or c") == B("OR", B("AND", B(">", F("a"), L(1)), B("<", F("b"), L(2))), F("c"))


def test_comparisons_and_concatenation():
    assert E('a == "x"') == B("=", F("a"), L("x"))
    assert E("a != b") == B("!=", F("a"), F("b"))
    assert E('first_name." ".last_name') == B(".", B(".", F("first_name"), L(" ")), F("last_name"))
    assert E("x + 1 > y . z") == B(">", B("+", F("x"), L(1)), B(".", F("y"), F("z")))


def test_dotted_names():
    assert E("userIdentity.arn") == B(".", F("userIdentity"), F("arn"))
    assert E("größe_1") == F("größe_1")
    assert E("'userIdentity.arn'") == F("userIdentity.arn")


def test_like_in_calls_literals():
    assert E('x LIKE "a%"') == B("LIKE", F("x"), L("a%"))
    assert E('x IN ("a", "b")') == ast.In(F("x"), (L("a"), L("b")), Z)
    assert E('if(in(x, "a"), 1, null())') == ast.Call("if", (
        ast.Call("in", (F("x"), L("a")), Z), L(1), ast.Call("null", (), Z)), Z)
    assert E("-1.5e2") == L(-150.0)
    assert E("-x") == ast.UnaryOp("-", F("x"), Z)
    assert E(r'"a\"b\\c"') == L('a"b\\c')


def test_where_not_in():
    assert strip(first("| where NOT a IN (b)").expr) == ast.UnaryOp("NOT", ast.In(F("a"), (F("b"),), Z), Z)


# ------------------------------------------------------------------ commands


def test_eval_assignments():
    c = cmd("x | eval a=1, 'b c'=a.\"x\", cpu:mem = 2")
    assert [a.field for a in c.assignments] == ["a", "b c", "cpu:mem"]
    assert strip(c.assignments[1].expr) == B(".", F("a"), L("x"))


def test_rename_wildcards_quotes_trailing_comma():
    c = cmd('x | rename properties.* as *, a AS "Last Update Time",')
    assert c.pairs == (("properties.*", "*"), ("a", "Last Update Time"))


def test_rename_glues_quoted_piece_from_macro_argument():
    # `drop_dm_object_name("Authentication")` gives `rename "Authentication".* AS *`
    assert cmd('x | rename "Authentication".* AS *').pairs == (("Authentication.*", "*"),)


def test_stats_forms():
    c = cmd('x | stats dedup_splitvals=t count(eval(a="b")) AS n, dc(x) perc95(y) values(z) as "Z Z" '
            "BY a, b.c d{}")
    assert c.options == (("dedup_splitvals", "t"),)
    aggs = c.aggregations
    assert [(a.func, a.field, a.alias, a.text) for a in aggs] == [
        ("count", None, "n", 'count(eval(a="b"))'), ("dc", "x", None, "dc(x)"),
        ("perc95", "y", None, "perc95(y)"), ("values", "z", "Z Z", "values(z)")]
    assert strip(aggs[0].expr) == B("=", F("a"), L("b"))
    assert c.by == ("a", "b.c", "d{}")


def test_eventstats_streamstats():
    assert isinstance(cmd("x | eventstats avg(a) as m by b"), ast.EventStats)
    s = cmd("x | streamstats window=5 current=f count")
    assert isinstance(s, ast.StreamStats) and s.options == (("window", "5"), ("current", "f"))


def test_table_fields_sort_head_tail_dedup():
    assert cmd("x | table a, b c*").fields == ("a", "b", "c*")
    f = cmd("x | fields - _raw, b*")
    assert f.remove and f.fields == ("_raw", "b*")
    s = cmd("x | sort 0 - count, num(ip) +name limit=5 desc")
    assert s.limit == 5 and s.reverse
    assert strip(s.keys) == (ast.SortKey("count", True, None, Z), ast.SortKey("ip", False, "num", Z),
                             ast.SortKey("name", False, None, Z))
    assert cmd("x | sort -_time").keys[0].descending
    assert cmd("x | head 5").limit == 5
    h = cmd("x | head (a > 1) keeplast=true")
    assert strip(h.expr) == B(">", F("a"), L(1)) and h.options == (("keeplast", "true"),)
    assert cmd("x | tail 3").limit == 3
    d = cmd("x | dedup 2 a b keepempty=true sortby -_time")
    assert (d.count, d.fields, d.options) == (2, ("a", "b"), (("keepempty", "true"),))
    assert strip(d.sortby) == (ast.SortKey("_time", True, None, Z),)


def test_fillnull_spath_rex_bin():
    f = cmd("x | fillnull value=0 a, b")
    assert (f.value, f.fields) == ("0", ("a", "b"))
    assert cmd("x | fillnull").fields == ()
    s = cmd("x | spath input=j output=o path=a{}.b")
    assert (s.input, s.output, s.path) == ("j", "o", "a{}.b")
    assert cmd("x | spath output=user userIdentity.arn").path == "userIdentity.arn"
    r = cmd(r'x | rex field=a max_match=0 "(?<u>\w+)\\\\"')
    assert (r.regex, r.field, r.options) == (r"(?<u>\w+)\\", "a", (("max_match", "0"),))
    b = cmd("x | bucket _time span=1d as day")
    assert (b.name, b.field, b.alias, b.options) == ("bucket", "_time", "day", (("span", "1d"),))


def test_lookups():
    lk = cmd("x | lookup local=true users uid AS user_id, dept OUTPUTNEW name AS full_name, title")
    assert (lk.table, lk.inputs, lk.mode, lk.outputs, lk.options) == (
        "users", (("uid", "user_id"), ("dept", "dept")), "outputnew",
        (("name", "full_name"), ("title", "title")), (("local", "true"),))
    assert cmd("x | lookup t a").mode is None
    p = parse('| inputlookup append=t seen.csv where count > 1 | outputlookup create_empty=f seen.csv')
    assert p.generating
    il, ol = p.commands
    # WHERE <search-query> (help.splunk.com inputlookup): a search comparison, not eval's
    assert (il.table, il.options, strip(il.where)) == ("seen.csv", (("append", "t"),),
                                                       ast.Compare("count", ">", "1", False, Z))
    assert (ol.table, ol.options) == ("seen.csv", (("create_empty", "f"),))


def test_field_commands():
    assert cmd("x | iplocation prefix=src_ src").field == "src"
    assert cmd("x | mvexpand limit=5 a").options == (("limit", "5"),)
    m = cmd('x | makemv delim=" " Scope')
    assert (m.field, m.options) == ("Scope", (("delim", " "),))
    assert first("| makeresults count=3").options == (("count", "3"),)


def test_top_rare():
    t = cmd("x | top 5 a b by c showperc=f")
    assert (t.limit, t.fields, t.by, t.options) == (5, ("a", "b"), ("c",), (("showperc", "f"),))
    assert isinstance(cmd("x | rare a"), ast.Rare)


def test_join_append_subsearches():
    j = cmd("x | join type=left user [ search y | fields user ]")
    assert (j.fields, j.options) == (("user",), (("type", "left"),))
    assert [c.name for c in j.subsearch.pipeline.commands] == ["search", "fields"]
    a = cmd("x | append [| inputlookup t.csv]")
    assert a.subsearch.pipeline.generating
    assert isinstance(a.subsearch.pipeline.commands[0], ast.InputLookup)


def test_tstats_and_from():
    t = first('| tstats summariesonly=true count min(_time) as firstTime from datamodel=Authentication.Authentication '
              'where Authentication.action="failure" NOT x=1 by Authentication.src, _time span=1h')
    assert t.options == (("summariesonly", "true"), ("span", "1h"))
    assert t.datamodel == "Authentication.Authentication"
    assert strip(t.where) == ast.SearchAnd((ast.Compare("Authentication.action", "=", "failure", True, Z),
                                            ast.SearchNot(ast.Compare("x", "=", "1", False, Z), Z)), Z)
    assert t.by == ("Authentication.src", "_time")
    assert first("| from datamodel Risk.All_Risk").dataset == "datamodel Risk.All_Risk"


def test_unknown_command_parses_generically():
    g = cmd('x | foreach * [ eval <<FIELD>> = if(<<FIELD>>="null", null(), <<FIELD>>) ] | replace "a*" with b in c')
    assert isinstance(g, ast.Generic) and g.name == "foreach"
    assert g.args[0] == "*" and isinstance(g.args[1], ast.Subsearch)
    inner = g.args[1].pipeline.commands[0]
    assert inner.assignments[0].field == "<<FIELD>>"
    r = cmd('x | geostats span=5m count by host')
    assert r.options == (("span", "5m"),) and r.args == ("count", "by", "host")


def test_chart_and_timechart_parse_stats_terms_and_splits():
    r = cmd('x | timechart span=5m count(eval(a="b")) as c by host limit=3')
    assert isinstance(r, ast.Chart) and r.by == ("host",) and r.over is None
    assert r.aggregations[0].alias == "c"
    assert r.options == (("span", "5m"), ("limit", "3"))
    r = cmd('x | chart count over a span=10 by b useother=f')
    assert (r.over, r.by, r.options) == ("a", ("b",), (("span", "10"), ("useother", "f")))


def test_command_names_case_insensitive():
    assert cmd("x | STATS count BY a").by == ("a",)
    assert cmd("x | Rename a As b").pairs == (("a", "b"),)


def test_spans_cover_each_command():
    text = "a=1 | eval b = a + 1 | stats count by b"
    for c, written in zip(parse(text).commands, ["a=1", "eval b = a + 1", "stats count by b"]):
        assert text[c.span.start:c.span.end] == written


# ------------------------------------------------------------------ malformed searches


def syntax_error(text: str) -> SplSyntaxError:
    with pytest.raises(SplSyntaxError) as info:
        parse(text)
    return info.value


@pytest.mark.parametrize("text, line, col, words", [
    ('a | eval x="abc', 1, 12, "unbalanced quote"),
    ("a\n| search [ search b", 2, 10, "unbalanced bracket"),
    ("a | stats count ]", 1, 17, "unbalanced bracket"),
    ("a | stats count |", 1, 17, "trailing pipe"),
    ("a | stats count by", 1, 19, "after 'by': expected a field name"),
    ("a |\n| stats count", 2, 1, "empty pipe segment"),
    ("a | eval x = 1 +", 1, 17, "after '+': expected an expression"),
    ("a | where (x > 1", 1, 11, "this '(' is never closed"),
    ('a | stats count(eval(x="(")', 1, 16, "this '(' is never closed"),
    ("a | where x > 1)", 1, 16, "unbalanced parenthesis"),
    ("a | eval = 1", 1, 10, "unexpected '='"),
    ("a | stats by x", 1, 5, "at least one aggregation"),
    ("a | rex field=x", 1, 5, "regular expression"),
    # "table <wc-field-list>" (help.splunk.com table): the list is required, as for fields
    ("a | table", 1, 5, "table needs at least one field name"),
    ("a | fields", 1, 5, "fields needs at least one field name"),
])
def test_malformed(text, line, col, words):
    err = syntax_error(text)
    assert words in err.message
    assert err.position == (line, col), err.render()
    assert "^" in err.render()


def test_empty_search():
    assert "empty search" in syntax_error("   ").message


# ------------------------------------------------------------------ words that are keywords elsewhere


def test_in_operator_must_be_uppercase_in_search():
    # "Note: The IN operator must be in uppercase."
    # (https://splunk.com/en_us/blog/tips-and-tricks/smooth-operator-searching-for-multiple-field-values.html)
    assert strip(search_expr("a in b")) == ast.SearchAnd((T("a"), T("in"), T("b")), Z)


def test_keywords_of_other_commands_are_plain_words():
    assert cmd("x | table by output as from where").fields == ("by", "output", "as", "from", "where")
    s = cmd("x | spath input=j output=o")
    assert (s.input, s.output) == ("j", "o")
    assert cmd("x | lookup t a output b").mode == "output"
    assert strip(search_expr("by as output")) == ast.SearchAnd((T("by"), T("as"), T("output")), Z)


def test_expression_for_props_eval():
    assert E("coalesce('a.b', c)") == ast.Call("coalesce", (F("a.b"), F("c")), Z)
    with pytest.raises(SplSyntaxError) as info:
        parse_expression("1 +")
    assert info.value.position == (1, 4)
