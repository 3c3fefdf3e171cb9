"""The planner is proven, not trusted: a planned load gives what a load of every field gives.

spl.plan asks the loader for the fields each command declares it reads (``reads=`` beside the
command's implementation, spl.commands) and pre-filters records on the first search's literal
terms. Here every search runs twice over the same file: the way ``spl.run`` does (planned fields,
pre-filter) and over a Session that loads every field of every record (fields=None, terms=None).
The two must be equal, for random pipelines drawn from a menu of snippets of every registered
command, and for every ESCU search of the shared corpus.

tests/test_prefilter.py checks the pre-filter alone (both runs there load the planned fields).
"""
from __future__ import annotations

import json
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from spl import commands
from spl import data as datalayer
from spl.commands import declarations
from spl.errors import SplError
from spl.frontend import parse_search
from spl.plan import required_fields, search_terms
from spl.session import Session

REPO = Path(__file__).resolve().parents[1]
MACROS = [REPO / "macros"]
NOW = 1_900_000_000.0
SHARED = REPO.parent / "shared"
ESCU = SHARED / "corpus" / "escu"


def planned(search: str, data, **options) -> pd.DataFrame:
    """What ``spl.run(search, data)`` gives (the same steps, with a fixed ``now``)."""
    parsed = parse_search(search, [Path(m) for m in options.get("macros", ())])
    session = Session(data, fields=required_fields(parsed.pipeline),
                      terms=search_terms(parsed.pipeline), **options)
    return session.run(parsed, now=NOW)


def outcome(fn):
    """A run's table, or its error message (both ways must fail alike)."""
    try:
        return fn()
    except SplError as e:
        return f"{type(e).__name__}: {e.message}"


def assert_same(got, want):
    if isinstance(want, str) or isinstance(got, str):
        assert got == want
    else:
        # a null is a null: map-reduce gives NaN for a field some chunk lacked, one table
        # None; and an empty result's column types mean nothing
        pd.testing.assert_frame_equal(_nulls(got), _nulls(want), check_dtype=False,
                                      check_column_type=False, check_index_type=False)


def _nulls(table: pd.DataFrame) -> pd.DataFrame:
    return table.astype(object).where(table.notna(), None)


# ------------------------------------------------------------------ the registry


def test_every_command_declares_what_it_reads():
    # the decorator requires reads=, so a module without it fails to import; and the planner's
    # copy of each declaration (read from the source, without pandas) is the registered function
    static = declarations()
    assert set(static) == set(commands.supported())
    for name in commands.supported():
        live = commands.spec(name)
        for prop in ("reads", "narrows"):
            mine, theirs = getattr(static[name], prop), getattr(live, prop)
            assert shape(mine.__code__) == shape(theirs.__code__), (name, prop)


def test_the_imported_reads_run_as_the_planners_copy():
    # eval, where, head and search named ast in reads() without importing it: the planner's copy
    # (compiled with ast given to it) ran, the module's own function was a NameError
    pipeline = parse_search("search x=1 | eval y=a+b | where c>1 | head (d<2)", MACROS).pipeline
    static = declarations()
    for cmd in pipeline.commands:
        assert commands.spec(cmd.name).reads(cmd) == static[cmd.name].reads(cmd), cmd.name
    reads = [commands.spec(c.name).reads(c) for c in pipeline.commands]
    assert reads[0] == {"x"} and reads[2] == {"c"} and reads[3] == {"d"}
    assert {"a", "b"} <= reads[1]


def shape(code) -> tuple:
    """Where a function is defined and what it names and holds (not its bytecode: Python
    compiles ``ast.x(...)`` differently where ``ast`` is an import of the module)."""
    consts = tuple(shape(c) if hasattr(c, "co_code") else c for c in code.co_consts)
    return code.co_filename, code.co_firstlineno, code.co_name, code.co_names, consts


def test_a_command_without_reads_is_refused():
    with pytest.raises(TypeError):
        commands.command("nothing")
    source = '"""doc."""\n@command("nothing")\ndef run(node, table, ctx):\n    return table\n'
    with pytest.raises(TypeError, match="declares no reads"):
        commands._module_declarations("spl.commands.nothing", source)


def test_declarations_are_read_without_pandas():
    code = ("import sys\n"
            "from spl.commands import declarations\n"
            "from spl.frontend import parse_search\n"
            "from spl.plan import required_fields\n"
            "assert len(declarations()) > 20\n"
            "p = parse_search('x | iplocation src | stats count by Country').pipeline\n"
            "assert required_fields(p) == {'_raw', 'src', 'City', 'Country', 'Region', 'lat', "
            "'lon', 'Continent', 'MetroCode', 'Timezone'}, required_fields(p)\n"
            "assert 'pandas' not in sys.modules\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO)
    assert done.returncode == 0, done.stderr


def plan(text: str):
    return required_fields(parse_search(text, MACROS).pipeline)


@pytest.mark.parametrize("text, want", [
    # iplocation reads its address field (and the fields it sets, kept where nothing is found)
    ("`cloudtrail` | iplocation sourceIPAddress | stats count by Country",
     {"sourcetype", "sourceIPAddress", "City", "Country", "Region", "lat", "lon", "Continent",
      "MetroCode", "Timezone"}),
    # rex reads its field and the fields its groups set (kept by an event that does not match)
    ('a=1 | rex field=b "(?<c>x+)(?P<d>y)(?<=z)" | stats count by c',
     {"a", "b", "c", "d"}),
    ('a=1 | rex field=b mode=sed "s/(?<c>x)/y/" | stats count by b', {"a", "b"}),
    # eventstats keeps the old value of what it sets in an event of no group
    ("a=1 | eventstats count as n by b | stats count by n", {"a", "b", "n"}),
    # spath with a path reads its input and the output it may keep
    ("a=1 | spath input=j output=o path=p.q | table o", {"a", "j", "o"}),
    ("a=1 | spath input=j | table o", None),
    ("a=1 | lookup t.csv k OUTPUTNEW v as w | table w", {"a", "k", "w"}),
    ("a=1 | lookup t.csv k | table w", None),
    ('a=1 | where searchmatch("b=2 c") | table a', {"a", "b", "_raw"}),
    ("a=1 | where searchmatch(b) | table a", None),
    ("a=1 | fields - b | table c", {"a", "c"}),
    ("a=1 | anomalydetection action=summary b", {"a", "b"}),
    ("a=1 | anomalydetection b | stats count", {"a", "b"}),
    ("a=1 | anomalydetection | stats count", None),
])
def test_what_a_pipeline_reads(text, want):
    assert plan(text) == want


def test_iplocation_after_a_planned_load_finds_countries(tmp_path):
    # the bug this file was written for: the loader did not extract iplocation's input field
    pytest.importorskip("geoip2fast")
    data = tmp_path / "a.ndjson"
    data.write_text("".join(json.dumps({"eventTime": f"2026-03-09T14:00:0{i}Z",
                                        "eventSource": "s3.amazonaws.com",
                                        "sourceIPAddress": ip}) + "\n"
                            for i, ip in enumerate(["8.8.8.8", "10.0.0.1", "8.8.4.4"])))
    got = planned("`cloudtrail` | iplocation sourceIPAddress | stats count by Country", data,
                  macros=MACROS)
    # by hand: two Google Public DNS addresses (United States, tests/test_cmd_iplocation.py);
    # 10.0.0.1 is private and gets no Country, so no group
    assert got.to_dict("records") == [{"Country": "United States", "count": 2}]


# ------------------------------------------------------------------ random pipelines

# Few names, so that a command often reads what another wrote (user_name and src are the
# sourcetype's calculated fields, made from others: the loader must know which).
FIELDS = ["eventName", "sourceIPAddress", "errorCode", "user_name", "src", "Country", "k",
          "requestParameters.doc", "resources{}.ARN"]
WORDS = ["GetObject", "getobject", "AccessDenied", "8.8.8.8", "10.0.0.1", "bob", "1", "7", "2.5",
         "x y"]


@st.composite
def records(draw):
    rec = {"eventTime": f"2026-03-09T14:{draw(st.integers(0, 59)):02d}:00Z",
           "eventVersion": "1.08"}
    for key in ["eventName", "errorCode", "Country", "k"]:
        if draw(st.integers(0, 3)):
            rec[key] = draw(st.sampled_from(WORDS))
    if draw(st.integers(0, 3)):
        rec["sourceIPAddress"] = draw(st.sampled_from(["8.8.8.8", "10.0.0.1", "8.8.4.4", "bob"]))
    if draw(st.booleans()):
        rec["userIdentity"] = {"type": "IAMUser", "userName": draw(st.sampled_from(WORDS))}
    if draw(st.booleans()):
        doc = {"p": {"q": draw(st.sampled_from(WORDS))}} if draw(st.booleans()) else "plain"
        rec["requestParameters"] = {"doc": json.dumps(doc)}
    if draw(st.booleans()):
        rec["resources"] = [{"ARN": draw(st.sampled_from(WORDS))}
                            for _ in range(draw(st.integers(1, 3)))]
    return json.dumps(rec)


def snippet(template: str):
    """A strategy filling ``{f}``/``{g}`` with field names and ``{v}`` with a value."""
    return st.builds(lambda f, g, v: template.format(f=f, g=g, v=v), st.sampled_from(FIELDS),
                     st.sampled_from(FIELDS), st.sampled_from(WORDS))


# Snippets of every registered command; each takes the results of the commands before it.
MENU = {
    "search": ['search {f}="{v}"', 'search NOT {f}="{v}"', 'search "{v}"', "search {f}=*"],
    "where": ['where {f}="{v}"', "where isnotnull({f})", 'where like({f}, "%e%") OR {g}>1'],
    "eval": ['eval {g}=coalesce({f}, "-")', 'eval {g}={f}."x"', "eval k=len({f}), {g}=k+1"],
    "fieldformat": ['fieldformat {f}=upper({f})', 'fieldformat {g}={f}."x"'],
    "rename": ["rename {f} as {g}", "rename {f} as k"],
    "stats": ["stats count by {f}", "stats dc({f}) as d values({g}) as v by {f}",
              'stats count(eval({f}="{v}")) as c by {g}', "stats earliest({f}) as e latest({g})"],
    "eventstats": ["eventstats count by {f}", "eventstats dc({f}) as {g} by {f}"],
    "streamstats": ["streamstats count by {f}", "streamstats window=2 values({f}) as {g}"],
    "table": ["table {f} {g}", "table {f}"],
    "fields": ["fields {f} {g}", "fields - {f}"],
    "sort": ["sort {f}", "sort - {f} {g}", "sort 0 num({f})"],
    "head": ["head 3", 'head ({f}!="{v}")'],
    "tail": ["tail 2"],
    "dedup": ["dedup {f}", "dedup {f} sortby -{g}", "dedup 2 {f} {g} keepempty=true"],
    "fillnull": ["fillnull value=- {f}", "fillnull"],
    "convert": ["convert num({f})", "convert num({f}) as {g}", "convert ctime(_time) as {g}"],
    "bin": ["bin {f} span=2", "bin _time span=1h as {g}"],
    "bucket": ["bucket _time span=10m"],
    "rex": ['rex field={f} "(?<{g}>[a-z]+)"', 'rex field={f} mode=sed "s/e/E/g"',
            'rex "(?<k>Get\\w+)"', 'rex field={f} max_match=0 offset_field=o "(?<k>[0-9])"'],
    "spath": ["spath input=requestParameters.doc output={g} path=p.q",
              "spath input=requestParameters.doc", "spath input={f} path=p"],
    "makemv": ['makemv delim="e" {f}'],
    "mvexpand": ["mvexpand {f}"],
    "iplocation": ["iplocation sourceIPAddress", "iplocation prefix=p_ sourceIPAddress",
                   "iplocation {f}"],
    "top": ["top {f}", "top limit=2 {f} by {g} countfield=c"],
    "rare": ["rare {f} by {g}"],
    "anomalydetection": ["anomalydetection {f} {g}", "anomalydetection action=summary {f}",
                         "anomalydetection action=annotate {f}"],
    "lookup": ["lookup ip.csv ip as {f} OUTPUT place as {g}", "lookup ip.csv ip as {f}",
               "lookup ip.csv ip as {f} OUTPUTNEW place as {g}"],
    "inputlookup": ["inputlookup append=t ip.csv"],
    "outputlookup": ["outputlookup out.csv"],
    "append": ['append [search {f}="{v}" | stats count by {g}]'],
    "join": ['join type=left {f} [search {g}="{v}" | table {f} {g}]'],
    "makeresults": ["makeresults count=2"],  # it starts a pipeline: see FIRST below
    # helper cmdsb's commands (foreach ... extract)
    "foreach": ["foreach {f} [eval {g}={f}]", "foreach *e* [eval k=<<MATCHSTR>>]",
                'foreach mode=multivalue {f} [eval k=k."<<ITEM>>"]'],
    "regex": ['regex {f}="^[A-Z]"', 'regex {f}!="e"', 'regex "Get"'],
    "fromjson": ["fromjson requestParameters.doc", "fromjson requestParameters.doc prefix=p_"],
    "reverse": ["reverse"],
    "filldown": ["filldown {f}", "filldown", "filldown *e*"],
    "mvcombine": ["mvcombine {f}"],
    "nomv": ["nomv {f}"],
    "strcat": ['strcat {f} "-" {g} k', "strcat allrequired=t {f} {g} k"],
    "accum": ["accum {f}", "accum {f} AS {g}"],
    "delta": ["delta {f}", "delta {f} AS {g} p=2"],
    "rangemap": ["rangemap field={f} low=0-2 high=2-10 default=none"],
    "extract": ['extract pairdelim="," kvdelim=":"'],
    "kv": ['kv pairdelim="{{," kvdelim=":"'],
    "tojson": ["tojson", "tojson auto({f}) output_field={g}", "tojson str(*) include_internal=t"],
    "xmlkv": ["xmlkv", "xmlkv {f}"],
    "fieldsummary": ["fieldsummary", "fieldsummary maxvals=2 {f} {g}"],
}
# Reporting commands (chart, timechart, transaction, ...: their own block, kept together).
MENU.update({
    "chart": ["chart count by {f}", "chart count over {f} by {g}",
              'chart limit=1 dc({g}) as d count(eval({f}="{v}")) as c by {f} {g}'],
    "timechart": ["timechart span=1h count", "timechart span=10m count by {f} limit=2",
                  "timechart span=1d cont=f values({g}) as v by {f}"],
    "addtotals": ["addtotals", "addtotals fieldname={g} {f}, k", "addtotals col=t labelfield={f}"],
    "transpose": ["transpose", "transpose 2 header_field={f} include_empty=f"],
    "xyseries": ["xyseries {f} {g} k", "xyseries {f} {g} k, eventName"],
    "untable": ["untable {f} {g} k"],
    "appendpipe": ['appendpipe [stats count by {f} | eval {g}="{v}"]'],
    "appendcols": ['appendcols [search {f}="{v}" | stats count by {g}]'],
    "transaction": ["transaction {f} maxspan=10m", 'transaction {f} endswith=({g}="{v}")'],
    "map": ['map maxsearches=3 search="search {f}=$k$ | eval from=$_serial_id$"'],
    "union": ['union [search {f}="{v}" | stats count by {g}]'],
    "multisearch": ['multisearch [search {f}="{v}"] [search {g}=* | eval k=1]'],
    "format": ["format", 'format maxresults=2 "[" "[" "&&" "]" "||" "]"'],
    "return": ["return {f}", "return 3 x={f} ${g}"],
    "outputcsv": ["outputcsv out"],
    "inputcsv": ["inputcsv append=t out"],
})
# Commands over a data model: they declare that they read every field (a model's fields come
# from any field of the events), so their planned load is the full load; test_tstats and
# test_datamodel check their rows.
NOT_RUN = {"from", "tstats", "datamodel"}
FIRST = ['`cloudtrail`', '`cloudtrail` {f}="{v}"', 'eventName=Get* OR {f}!="{v}"', '"{v}"',
         '| makeresults count=2 | eval {f}="{v}"', "| inputlookup ip.csv"]
# Fields the snippets write besides {g}.
MADE = ["p_Country", "o", "c", "d", "v", "e", "place", "count", "percent", "log_event_prob"]
MADE += ["p_p", "range"]  # cmdsb's commands
NOT_RUN |= {"gentimes", "eventcount"}  # generating, reading no event field: tests/test_cmd_*
NAMES = FIELDS + MADE
CALCULATED = {"src", "user_name"}  # extracting one extracts what it is made of


def test_the_menu_has_every_registered_command():
    assert set(MENU) | NOT_RUN == set(commands.supported())


def table_of(names) -> str:
    return "table " + " ".join(names) if names else ""


@st.composite
def pipelines(draw, command: str):
    """(a pipeline holding ``command``, the commands to end it with). A field read by only one command is where a
    wrong declaration shows, so one ending names every field the pipeline's text does not name
    (what the commands set without naming it: iplocation's Country, rex's groups...) but the
    calculated fields, which would bring their sources along; another a random few."""
    parts = [draw(snippet(draw(st.sampled_from(FIRST))))]
    names = draw(st.lists(st.sampled_from(sorted(set(MENU) - {"makeresults"})), max_size=2))
    names.insert(draw(st.integers(0, len(names))), command)
    for name in names:
        parts.append(draw(snippet(draw(st.sampled_from(MENU[name])))))
    text = " | ".join(parts)
    unnamed = [n for n in NAMES if n not in text and n not in CALCULATED]
    few = draw(st.lists(st.sampled_from(NAMES), min_size=1, max_size=4, unique=True))
    other = [table_of(few), draw(snippet("stats count by {f}")), ""]
    return text, [table_of(unnamed), draw(st.sampled_from(other))]


@pytest.fixture(scope="module")
def lookups(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("lookups")
    (folder / "ip.csv").write_text("ip,place\n8.8.8.8,dns\n10.0.0.1,lan\nbob,person\n")
    return folder


@pytest.mark.parametrize("command", sorted(set(MENU) - {"makeresults"}))  # makeresults: FIRST
def test_a_planned_load_gives_what_every_field_gives(tmp_path, lookups, command):
    check_planned_loads(tmp_path, lookups, command)


@settings(max_examples=6, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(case=st.data(), lines=st.lists(records(), min_size=1, max_size=10))
def check_planned_loads(tmp_path, lookups, command, case, lines):
    text, ends = case.draw(pipelines(command))
    path = tmp_path / f"d{random.getrandbits(40)}.ndjson"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    options = dict(macros=MACROS, lookups=[lookups], lookup_output=tmp_path / "out")
    whole = _loaded_whole([path], options)
    for end in ends:
        search = f"{text} | {end}" if end else text
        try:
            parse_search(search, MACROS)
        except SplError:
            assume(False)
        # outputcsv/outputlookup write files inputcsv reads: both sides start from one state
        out, before = tmp_path / "out", tmp_path / "out-before"
        shutil.rmtree(before, ignore_errors=True)
        if out.is_dir():
            shutil.copytree(out, before)
        got = outcome(lambda s=search: planned(s, path, **options))
        shutil.rmtree(out, ignore_errors=True)
        if before.is_dir():
            shutil.copytree(before, out)
        want = outcome(lambda s=search: whole.run(s, now=NOW))
        assert_same(got, want)
    path.unlink()


# ------------------------------------------------------------------ the ESCU corpus


def _escu_searches() -> list[str]:
    if not (ESCU / "detections").is_dir():
        return []
    return sorted(str(p.relative_to(ESCU / "detections"))
                  for p in (ESCU / "detections").rglob("*.yml"))


@pytest.fixture(scope="module")
def everything(tmp_path_factory):
    """A session of every field of every corpus record (loaded once), and its options."""
    if not (ESCU.is_dir() and (SHARED / "corpus" / "cloudtrail").is_dir()):
        pytest.skip(f"{SHARED} is absent: the ESCU corpus is only on the maintainers' machines")
    files = sorted((SHARED / "corpus" / "cloudtrail").glob("*.ndjson"))
    options = dict(macros=[ESCU / "macros"], lookups=[ESCU / "lookups"],
                   lookup_output=tmp_path_factory.mktemp("out"))
    return files, options, _loaded_whole(files, options)


def _loaded_whole(files, options) -> Session:
    """A Session holding one table of every field of every record, loaded once (each search
    runs over it: nothing is read again)."""
    session = Session(**options)
    session.add(datalayer.load(files))
    return session


@pytest.mark.parametrize("name", _escu_searches() or ["(no corpus)"])
def test_every_escu_search_gives_the_same_planned(name, everything):
    files, options, whole = everything
    search = yaml.safe_load((ESCU / "detections" / name).read_text()).get("search")
    if not search:
        pytest.skip("no search")
    try:
        parsed = whole.parse(search)
    except SplError:
        pytest.skip("does not parse here (tests/test_parse_corpus.py)")
    fields, terms = required_fields(parsed.pipeline), search_terms(parsed.pipeline)
    want = outcome(lambda: whole.run(parsed, now=NOW))
    if fields is None and terms is None:
        return  # the planned load is the whole load
    got = outcome(lambda: Session(files, fields=fields, terms=terms, **options).run(parsed, now=NOW))
    assert_same(got, want)
