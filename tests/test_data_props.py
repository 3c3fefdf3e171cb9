"""props.conf / transforms.conf: parsing, FIELDALIAS, EVAL, LOOKUP semantics, ta= layout.

Semantics from props.conf.spec / transforms.conf.spec
(https://docs.splunk.com/Documentation/Splunk/latest/Admin/Propsconf,
https://docs.splunk.com/Documentation/Splunk/latest/Admin/Transformsconf) and the field alias
change note (https://docs.splunk.com/Documentation/Splunk/9.0.7/ReleaseNotes/Fieldaliasbehaviorchange).
"""
import json

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from spl.data import load
from spl.data.props import Calc, load_sourcetype, parse_conf
from spl.errors import ConfigError, Span
from spl.syntax import ast

S = Span(0, 0)


def table(**cols):
    n = len(next(iter(cols.values())))
    return pd.DataFrame({k: pd.Series(v, dtype=object) for k, v in cols.items()},
                        index=range(n))


def write_def(root, props, transforms="", lookups=None, layout="flat"):
    base = root if layout == "flat" else root / "default"
    base.mkdir(parents=True, exist_ok=True)
    (base / "props.conf").write_text(props)
    (base / "transforms.conf").write_text(transforms)
    (root / "lookups").mkdir(exist_ok=True)
    for name, text in (lookups or {}).items():
        (root / "lookups" / name).write_text(text)
    return root


# ---------------------------------------------------------------- .conf syntax

def test_parse_conf_stanzas_comments_continuation():
    conf = parse_conf("# c\n[a:b]\nX = 1\nEVAL-y = if(a,\\\n  b, c)\n\n[d]\nX=2\n", "f")
    assert conf["a:b"] == {"X": "1", "EVAL-y": "if(a,\n  b, c)"}
    assert conf["d"] == {"X": "2"}


def test_parse_conf_error_has_file_and_line():
    with pytest.raises(ConfigError) as e:
        parse_conf("[a]\nno equals here\n", "p.conf")
    assert (e.value.file, e.value.line) == ("p.conf", 2)


# ---------------------------------------------------------------- aliases

def test_alias_copies_and_missing_source_removes_target(tmp_path):
    st = load_sourcetype("t", write_def(tmp_path, "[t]\nFIELDALIAS-a = src AS dst other AS keep\n"))
    out = st.apply(table(src=["1", None], dst=["old", "old"], other=[None, None],
                         keep=["k", "k"]))
    assert list(out["dst"]) == ["1", None]      # source missing -> target removed
    assert list(out["keep"]) == [None, None]


def test_asnew_keeps_existing_target(tmp_path):
    st = load_sourcetype("t", write_def(tmp_path, "[t]\nFIELDALIAS-a = src ASNEW dst\n"))
    out = st.apply(table(src=["1", "2"], dst=["old", None]))
    assert list(out["dst"]) == ["old", "2"]


def test_quoted_alias_names(tmp_path):
    st = load_sourcetype("t", write_def(tmp_path, '[t]\nFIELDALIAS-a = "a.b{}.c" AS x\n'))
    out = st.apply(table(**{"a.b{}.c": [["p", "q"]]}))
    assert out["x"][0] == ["p", "q"]


# ---------------------------------------------------------------- EVAL

def test_evals_read_pre_eval_fields(tmp_path):
    # props.conf.spec: EVAL-x = y*2 with EVAL-y = 100 -> x uses the original y
    st = load_sourcetype("t", write_def(tmp_path, "[t]\nEVAL-x = y*2\nEVAL-y = 100\n"))
    st.evals = [Calc("x", "y*2", ast.BinOp("*", ast.Field("y", S), ast.Literal(2, S), S)),
                Calc("y", "100", ast.Literal(100, S))]
    out = st.apply(table(y=["3"]))
    assert out["x"][0] == 6 and out["y"][0] == 100


def test_eval_sees_aliases_and_may_overwrite_extracted(tmp_path):
    st = load_sourcetype("t", write_def(tmp_path, "[t]\nFIELDALIAS-a = e AS alias\n"
                                                  "EVAL-e = alias\n"))
    st.evals = [Calc("e", "coalesce(alias, \"none\")",
                     ast.Call("coalesce", (ast.Field("alias", S), ast.Literal("none", S)), S))]
    out = st.apply(table(e=["orig", None]))
    assert list(out["e"]) == ["orig", "none"]


# ---------------------------------------------------------------- lookups

ACTION_CSV = "name,code,action,status\nA,success,made,success\nA,*,made,failure\nB,Err*,b,failure\n"
ACTION_TR = "[act]\nfilename = act.csv\nmatch_type = WILDCARD(code)\nmax_matches = 1\n"


def test_lookup_wildcard_first_match_wins(tmp_path):
    root = write_def(tmp_path, "[t]\nLOOKUP-x = act name code OUTPUT action status\n",
                     ACTION_TR, {"act.csv": ACTION_CSV})
    out = load_sourcetype("t", root).apply(
        table(name=["A", "A", "B", "B", "C"], code=["success", "Denied", "ErrX", "ok", "success"]))
    assert list(out["action"]) == ["made", "made", "b", None, None]
    assert list(out["status"]) == ["success", "failure", "failure", None, None]


def test_lookup_output_clears_and_outputnew_keeps(tmp_path):
    root = write_def(tmp_path, "[t]\nLOOKUP-x = act name code OUTPUT action\n"
                               "LOOKUP-y = act name code OUTPUTNEW status\n",
                     ACTION_TR, {"act.csv": ACTION_CSV})
    out = load_sourcetype("t", root).apply(
        table(name=["C", "A", None], code=["x", "success", "x"], action=["pre", "pre", "pre"],
              status=["pre", None, None]))
    # no match -> OUTPUT cleared; missing input -> event untouched
    assert list(out["action"]) == [None, "made", "pre"]
    assert list(out["status"]) == ["pre", "success", None]


def test_lookup_as_names_and_case_insensitive(tmp_path):
    tr = "[m]\nfilename = m.csv\ncase_sensitive_match = false\n"
    root = write_def(tmp_path, "[t]\nLOOKUP-m = m key AS ev_key OUTPUT val AS ev_val\n", tr,
                     {"m.csv": "key,val\nAbc,1\n"})
    out = load_sourcetype("t", root).apply(table(ev_key=["aBC", "zzz"]))
    assert list(out["ev_val"]) == ["1", None]


def test_lookup_case_sensitive_by_default(tmp_path):
    root = write_def(tmp_path, "[t]\nLOOKUP-m = m key OUTPUT val\n", "[m]\nfilename = m.csv\n",
                     {"m.csv": "key,val\nAbc,1\n"})
    out = load_sourcetype("t", root).apply(table(key=["abc"]))
    assert list(out["val"]) == [None]


def test_lookup_max_matches_gives_multivalue_in_file_order(tmp_path):
    root = write_def(tmp_path, "[t]\nLOOKUP-m = m key OUTPUT val\n",
                     "[m]\nfilename = m.csv\nmax_matches = 2\n",
                     {"m.csv": "key,val\nk,1\nk,2\nk,3\n"})
    out = load_sourcetype("t", root).apply(table(key=["k"]))
    assert out["val"][0] == ["1", "2"]


def test_lookup_default_match(tmp_path):
    root = write_def(tmp_path, "[t]\nLOOKUP-m = m key OUTPUT val\n",
                     "[m]\nfilename = m.csv\nmin_matches = 1\ndefault_match = unknown\n",
                     {"m.csv": "key,val\nk,1\n"})
    out = load_sourcetype("t", root).apply(table(key=["k", "other"]))
    assert list(out["val"]) == ["1", "unknown"]


def test_lookup_without_output_gives_all_other_columns(tmp_path):
    root = write_def(tmp_path, "[t]\nLOOKUP-m = m key\n", "[m]\nfilename = m.csv\n",
                     {"m.csv": "key,a,b\nk,1,2\n"})
    out = load_sourcetype("t", root).apply(table(key=["k"]))
    assert (out["a"][0], out["b"][0]) == ("1", "2")


def test_lookup_errors_are_config_errors(tmp_path):
    root = write_def(tmp_path, "[t]\nLOOKUP-m = nosuch key OUTPUT v\n")
    with pytest.raises(ConfigError):
        load_sourcetype("t", root)
    root2 = write_def(tmp_path / "b", "[t]\nLOOKUP-m = m key OUTPUT v\n",
                      "[m]\nfilename = missing.csv\n")
    with pytest.raises(ConfigError) as e:
        load_sourcetype("t", root2)
    assert e.value.file.endswith("missing.csv")


def test_missing_stanza(tmp_path):
    with pytest.raises(ConfigError) as e:
        load_sourcetype("aws:cloudtrail", write_def(tmp_path, "[other]\nX = 1\n"))
    assert "[aws:cloudtrail]" in e.value.message


# ---------------------------------------------------------------- dependencies

def test_needed_walks_lookups_evals_aliases(tmp_path):
    root = write_def(tmp_path, "[t]\nFIELDALIAS-a = raw.src AS src\n"
                               "LOOKUP-x = act name code OUTPUT action\n",
                     ACTION_TR, {"act.csv": ACTION_CSV})
    st = load_sourcetype("t", root)
    st.evals = [Calc("code", "coalesce(src, raw.code)",
                     ast.Call("coalesce", (ast.Field("src", S), ast.Field("raw.code", S)), S))]
    need = st.needed({"action"})
    assert {"action", "name", "code", "src", "raw.src", "raw.code"} <= need
    assert "status" not in need


# ---------------------------------------------------------------- ta= (an add-on directory)

def test_ta_default_local_layout_and_lookups(tmp_path):
    ta = tmp_path / "Splunk_TA_aws"
    write_def(ta, "[aws:cloudtrail]\nFIELDALIAS-a = eventName AS signature\n"
                  "EVAL-origin = \"add-on \" . eventName\n"
                  "LOOKUP-v = vend sourcetype OUTPUT vendor\n",
              "[vend]\nfilename = vend.csv\n", {"vend.csv": "sourcetype,vendor\naws:cloudtrail,V\n"},
              layout="addon")
    (ta / "local").mkdir()
    (ta / "local" / "props.conf").write_text(
        "[aws:cloudtrail]\nFIELDALIAS-a = eventName AS command\n")
    data = tmp_path / "d.json"
    data.write_text(json.dumps({"eventTime": "2024-05-01T10:00:00Z", "eventName": "X"}) + "\n")
    t = load([data], ta=ta, host="h").table
    assert t["command"][0] == "X"          # local/ overrides default/ key by key
    assert "signature" not in t.columns
    assert t["vendor"][0] == "V"
    assert t["origin"][0] == "add-on X"
    assert "vendor_product" not in t.columns  # the project's own definition is not used


def test_a_definition_reading_time_sees_it_as_a_number(tmp_path):
    """An alias of _time copies the event's time: 2024-01-01T00:00:09.5Z is 1704067200 + 9.5
    seconds, shown as 1704067209.5 (the loader keeps times as arrays: a definition still reads
    Python numbers), for every field asked and for the time alone."""
    ta = tmp_path / "Splunk_TA_aws"
    write_def(ta, "[aws:cloudtrail]\nFIELDALIAS-t = _time AS t2\n", layout="addon")
    data = tmp_path / "d.json"
    data.write_text(json.dumps({"eventTime": "2024-01-01T00:00:09.5Z", "eventName": "X"}) + "\n")
    for fields in (None, {"t2"}):
        t = load([data], ta=ta, fields=fields).table
        assert type(t["t2"][0]) is float and t["t2"][0] == 1704067209.5
    from spl.session import run
    got = run("search * | stats values(t2) as v", data=[data], ta=ta)
    assert got["v"].tolist() == ["1704067209.5"]


def test_fields_with_a_wildcard_means_all(tmp_path):
    data = tmp_path / "d.json"
    data.write_text(json.dumps({"eventTime": "2024-05-01T10:00:00Z", "eventName": "X",
                                "a": {"b": "c"}}) + "\n")
    t = load([data], host="h", fields={"event*"}).table
    assert t["a.b"][0] == "c" and t["signature"][0] == "X"


# Each distinct combination of an EVAL's inputs is evaluated once and its result shared: the
# oracle is every event evaluated on its own.
_VALUES = st.one_of(st.none(), st.sampled_from(["IAMUser", "AssumedRole", "AWSService", "x", ""]),
                    st.lists(st.sampled_from(["a", "b"]), min_size=2, max_size=2))
_INPUTS = ["userIdentity.type", "userIdentity.userName", "userIdentity.arn", "eventName",
           "errorCode", "userAgent", "userAgent{}", "recipientAccountId"]


@settings(max_examples=60, deadline=None)
@given(rows=st.lists(st.fixed_dictionaries({f: _VALUES for f in _INPUTS}), max_size=25))
def test_evals_of_distinct_inputs_equal_evals_of_each_event(rows):
    definition = load_sourcetype("aws:cloudtrail")
    cols = {f: [r[f] for r in rows] for f in _INPUTS}
    together = definition.apply_columns(cols, len(rows))
    for i, row in enumerate(rows):
        alone = definition.apply_columns({f: [row[f]] for f in _INPUTS}, 1)
        for calc in definition.evals:
            assert together[calc.field][i] == alone[calc.field][0], (calc.field, row)


# An EVAL's case()/if()/coalesce() branches are evaluated over only the rows that reach them
# (spl.data.props._Split): the oracle is the evaluator over the whole table, row by row.
_CELLS = st.one_of(st.none(), st.sampled_from(["1", "2", "a", "", "AssumeRole", "x:y/z"]),
                   st.lists(st.sampled_from(["a", "1"]), min_size=2, max_size=2))
_LEAVES = st.sampled_from(["f", "g", "h", "missing", '"lit"', "null()", "1", "1==1", 'f=="a"',
                           'like(g, "Assume%")', "isnull(h)", 'mvindex(split(h, "/"), -1)',
                           "f.g", "tonumber(f)", 'f=="1" OR g=="2"', "len(h)"])


def _expressions():
    def grow(inner):
        pairs = st.lists(st.tuples(inner, inner), min_size=1, max_size=3)
        return st.one_of(
            st.builds(lambda p: "case(" + ", ".join(f"{c}, {v}" for c, v in p) + ")", pairs),
            st.builds(lambda c, a, b: f"if({c}, {a}, {b})", inner, inner, inner),
            st.builds(lambda a: "coalesce(" + ", ".join(a) + ")",
                      st.lists(inner, min_size=1, max_size=3)))
    return st.recursive(_LEAVES, grow, max_leaves=8)


@settings(max_examples=200, deadline=None)
@given(rows=st.lists(st.fixed_dictionaries({f: _CELLS for f in "fgh"}), max_size=12),
       text=_expressions())
def test_branches_over_the_rows_that_reach_them_equal_the_evaluator(rows, text):
    import numpy as np

    from spl.context import Context
    from spl.data.props import _plan, _Split
    from spl.errors import SplError
    from spl.eval import evaluate
    from spl.syntax import parse_expression

    expr = parse_expression(text)
    cols = {f: [r[f] for r in rows] for f in "fgh"}
    frame = table(**cols) if rows else pd.DataFrame(index=range(0))
    try:
        want = ("value", evaluate(expr, frame, Context()).tolist())
    except SplError as e:
        want = ("error", e.message)
    try:
        got = ("value", _Split(cols, {}, Context()).values(_plan(expr), np.arange(len(rows)))
                 .tolist())
    except SplError as e:
        got = ("error", e.message)
    assert got == want
