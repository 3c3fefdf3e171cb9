"""Start-up stays light: each path imports only what it uses (issue 18: start-up time).

Not a timed test (the machine may be shared): each case runs ``spl`` in a fresh interpreter
and looks at ``sys.modules`` when it is done. The time itself is a benchmark row
(``python -m benchmarks.run --cases startup``).
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from spl import commands

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "spl" / "examples" / "bedrock_cloudtrail.json"

# Libraries that only some paths need: the REPL's, the HTML report's, Dask, and rich (a table
# on a terminal).
OPTIONAL = ("rich", "prompt_toolkit", "jinja2", "matplotlib", "dask", "distributed")
# What a search needs and --help or --version do not.
ENGINE = ("pandas", "numpy", "lark", "yaml", "msgspec", "spl.errors", "spl.syntax", "spl.data",
          "spl.commands", "spl.render")

# spl as a command (main() reads sys.argv), then a report: what was imported, whether the
# cyclic garbage collector was on when the reader started and after the run (spl.cli._StartGC)
RUN = """
import gc, json, sys
began = []
if sys.argv[1] == "run" and "--help" not in sys.argv:  # (spl.data imports numpy)
    from spl import data
    begin = data.begin
    def spy(*args, **kwargs):
        began.append(gc.isenabled())
        return begin(*args, **kwargs)
    data.begin = spy
from spl.cli import main
try:
    code = main()
except SystemExit as stop:
    code = stop.code
sys.stdout.flush()
report = {"code": code, "modules": sorted(sys.modules), "gc_at_begin": began,
          "gc_after": gc.isenabled()}
print(json.dumps(report), file=sys.stderr)
"""


def command(*argv: str) -> tuple[dict, str]:
    """Run ``spl argv`` in a fresh interpreter: the report above, and its output."""
    done = subprocess.run([sys.executable, "-c", RUN, *argv], capture_output=True, text=True,
                          cwd=REPO, timeout=120)
    return json.loads(done.stderr.strip().splitlines()[-1]), done.stdout


def imported(*argv: str) -> tuple[int, set[str], str]:
    """Run ``spl argv`` in a fresh interpreter: its exit code, the modules it imported, its
    output."""
    report, out = command(*argv)
    return report["code"], set(report["modules"]), out


def loaded(modules: set[str], packages) -> set[str]:
    """The modules of ``packages`` (a package or its submodules) among ``modules``."""
    return {m for m in modules if any(m == p or m.startswith(p + ".") for p in packages)}


@pytest.mark.parametrize("argv", [["--version"], ["--help"], ["run", "--help"]])
def test_help_and_version_import_no_engine(argv):
    code, modules, out = imported(*argv)
    assert code == 0 and out.startswith(("spl ", "usage:"))
    assert loaded(modules, OPTIONAL + ENGINE) == set()


def test_a_search_printed_as_json_imports_no_display_library():
    code, modules, out = imported("run", "`cloudtrail` | stats count", "--data", str(EXAMPLE),
                                  "--format", "json")
    assert code == 0
    assert json.loads(out) == [{"count": "24"}]  # the example file holds 24 records
    assert "pandas" in modules  # the engine ran
    assert loaded(modules, OPTIONAL) == set()
    assert "spl.repl" not in modules and "spl.check" not in modules


def test_a_search_imports_only_the_commands_it_runs():
    code, modules, _ = imported("run", "`cloudtrail` | stats count", "--data", str(EXAMPLE),
                                "--format", "json")
    assert code == 0
    used = {commands._index()[name] for name in ("search", "stats")}
    assert used <= modules
    # commands the search does not name, and what only they import
    for module in ("spl.commands.xmlkv", "spl.commands.iplocation", "spl.commands.transaction",
                   "spl.commands.map_", "xml.sax.saxutils", "urllib.request", "geoip2fast"):
        assert module not in modules


@pytest.mark.parametrize("search, code", [("`cloudtrail` | stats count", 0),
                                          ("`cloudtrail` | stats count(", 2)])
def test_the_collector_is_on_when_data_is_read_and_after(search, code):
    # spl pauses the cyclic collector only while modules load (spl.cli._StartGC): it is on
    # when the reader's workers fork, and again after a syntax error stopped the start
    report, _ = command("run", search, "--data", str(EXAMPLE), "--format", "json")
    assert report["code"] == code
    assert report["gc_at_begin"] == ([True] if code == 0 else [])
    assert report["gc_after"] is True


def test_a_table_on_a_terminal_imports_rich():
    # the lazy console still draws: rich is imported when a table is printed
    code, modules, out = imported("run", "`cloudtrail` | stats count", "--data", str(EXAMPLE),
                                  "--format", "table")
    assert code == 0 and "24" in out and "1 result" in out
    assert "rich.console" in modules


def test_each_command_is_found_without_importing_every_module():
    # in a fresh process, lookup(name) imports the module the index names for it: a wrong
    # entry would give None (the module imported does not register the name)
    code = ("import sys\n"
            "from spl import commands\n"
            "names = sorted(commands._index())\n"
            "assert commands.lookup('stats') is not None\n"
            "assert 'spl.commands.xmlkv' not in sys.modules\n"
            "assert commands.lookup('nosuchcommand') is None\n"
            "assert 'spl.commands.xmlkv' not in sys.modules\n"
            "missing = [n for n in names if commands.lookup(n) is None]\n"
            "assert not missing, missing\n"
            "assert not commands._loaded\n"
            "assert commands.supported() == names\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=REPO, timeout=120)
    assert done.returncode == 0, done.stderr


def test_a_command_declared_by_two_modules_is_refused(monkeypatch):
    sources = {"spl.commands.a": '"""a."""\n@command("twice", reads=reads)\ndef run(): pass\n',
               "spl.commands.b": '"""b."""\n@command("once", "twice", reads=reads)\n'
                                 'def run(): pass\n'}
    monkeypatch.setattr(commands, "_modules", lambda: list(sources))
    monkeypatch.setattr(commands, "_source", sources.__getitem__)
    monkeypatch.setattr(commands, "_names", None)
    with pytest.raises(TypeError, match="'twice' is declared by spl.commands.a and spl.commands.b"):
        commands._index()


def test_a_module_loaded_by_a_loader_without_source_is_read_from_its_file(monkeypatch):
    # pytest's assertion rewriter is such a loader: it loads spl's modules when spl's pytest
    # plugin comes from a regular install
    import importlib.machinery

    path = REPO / "spl" / "commands" / "stats.py"
    spec = importlib.machinery.ModuleSpec("spl.commands.stats", loader=object(), origin=str(path))
    monkeypatch.setattr(commands, "_spec_of", lambda module: spec)
    assert commands._source("spl.commands.stats") == path.read_text(encoding="utf-8")
