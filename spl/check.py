"""`spl check` and `spl explain`: will a search parse, and can the engine run all of it?

A search is "ok" when it parses and every command, eval function and stats function it uses is
one the engine implements; "unsupported" when it parses but uses something the engine lacks;
"syntax_error" / "macro_error" when it cannot be parsed at all. A search reading a data model
(tstats/from datamodel=X) that spl has no definition of is "unsupported" with "needs
datamodel X". "file_error" is a path with
no search to check: missing, unreadable, not UTF-8, not valid YAML, a YAML named on the command
line without ``search:``, or a directory holding no detection or ``.spl`` file; the message says
which. The JSON output is a list of {path, status, message}.

``--exec-coverage`` goes further and runs each search (over given events, or none): "runs",
"no_data" (it runs, but its first search asks for ``sourcetype=X`` and no loaded event is of
such a sourcetype: its 0 rows say nothing of the search), "needs_datamodel", "needs_baseline"
(a lookup filled by another search), "unsupported" (the command or function it stops at),
"error" (it fails at run time), and the statuses above for searches that do not parse and paths
that hold none.

Both exit 1 when a search does not parse or a path holds no search. An error that stops the
whole command (a bad macro directory, a search ``explain`` cannot parse) reaches the CLI, which
prints it on stderr (exit 2 for a syntax or macro error, as ``spl run``).
"""
from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from spl import content, yamlload
from spl.commands.from_ import datamodel_of
from spl.engine import lacking
from spl.errors import MacroError, SplError, line_col
from spl.frontend import ParsedSearch, parse_search
from spl.macros import MacroLibrary
from spl.search import literals as search_literals
from spl.syntax import ast
from spl.vocabulary import refusal

STATUSES = ("ok", "unsupported", "syntax_error", "macro_error", "file_error")
FAILED = ("syntax_error", "macro_error", "file_error")  # the statuses that make the exit status 1
_SUFFIXES = (".yml", ".yaml", ".spl")


@dataclass(frozen=True)
class CheckResult:
    path: str
    status: str
    message: str


def unsupported(parsed: ParsedSearch) -> list[str]:
    """What the search uses that the engine cannot run, each with its line:column."""
    problems: list[str] = []

    def where(span) -> str:
        line, col = line_col(parsed.original, parsed.to_original(span).start)
        return f"{line}:{col}"

    for node in ast.walk(parsed.pipeline):
        model = _datamodel(node)
        lacked = lacking(node)
        if model:
            problems.append(f"needs datamodel {model} ({where(node.span)})")
        elif lacked is not None:
            problems.append(f"{refusal(*lacked)[0]} ({where(node.span)})")
    return list(dict.fromkeys(problems))


def _datamodel(node: object) -> str | None:
    """The data model a tstats or from command reads when spl has no definition of it (the
    built-in ones of spl.datamodels), else None."""
    from spl import datamodels

    name = None
    if isinstance(node, ast.Tstats):
        name = node.datamodel
    elif isinstance(node, ast.From):
        name = datamodel_of(node.dataset)
    elif isinstance(node, ast.Generic) and node.name == "datamodel" and node.args:
        name = ".".join(str(a) for a in node.args[:2])
    if name and "=" not in name and datamodels.find(datamodels.split_name(name)[0]):
        return None
    return name


def check_search(text: str, library: MacroLibrary) -> tuple[str, str]:
    """(status, message) for one search."""
    try:
        parsed = parse_search(text, library=library)
    except MacroError as exc:
        return "macro_error", exc.render()
    except SplError as exc:
        return "syntax_error", exc.render()
    problems = unsupported(parsed)
    if problems:
        return "unsupported", "uses what spl cannot run yet: " + ", ".join(problems)
    return "ok", ""


def _searches(paths: Iterable[Path | str]) -> Iterator[tuple[str, str | CheckResult, object]]:
    """(file, its search text or the CheckResult of a path with no search, its YAML document
    or None) for each file: each read and parsed once."""
    for given in paths:
        given = Path(given)
        if not given.exists():
            yield str(given), CheckResult(str(given), "file_error", "no such file or directory"), None
            continue
        found = False
        for path in _files(given):
            search, doc = _search_of(path, explicit=path == given)
            if search is not None:
                found = True
                yield str(path), search, doc
        if not found:
            yield str(given), CheckResult(str(given), "file_error", "no detection (a YAML with "
                                          "'search:') and no .spl file in this directory"), None


def _files(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(p for p in path.rglob("*") if p.suffix in _SUFFIXES and p.is_file())
    return [path]


def _search_of(path: Path, explicit: bool) -> tuple[str | None | CheckResult, object]:
    """The search text of a file and its YAML document; None to skip a YAML without
    ``search:`` found in a directory."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return CheckResult(str(path), "file_error", f"cannot read file: {_reason(exc)}"), None
    if path.suffix == ".spl":
        return text, None
    try:
        data = yamlload.safe_load(text)
    except yaml.YAMLError as exc:
        return CheckResult(str(path), "file_error", f"invalid YAML: {exc}"), None
    search = data.get("search") if isinstance(data, dict) else None
    if not isinstance(search, str):
        if explicit:
            return CheckResult(str(path), "file_error", "the file has no 'search:' text"), None
        return None, None
    return search, data


def _reason(exc: OSError | UnicodeDecodeError) -> str:
    if isinstance(exc, UnicodeDecodeError):
        return f"not UTF-8 text (byte {exc.start})"
    return exc.strerror or str(exc)


class Trees:
    """The content tree of each checked file (spl.content) and the macros each tree gives,
    read once per tree; ``used`` lists the trees in the order first met."""

    def __init__(self, macro_dirs: Sequence[Path | str] = (), discover: bool = True):
        self.macro_dirs = [Path(d) for d in macro_dirs]
        self.discover = discover
        self.used: list[content.ContentTree] = []
        self._libraries: dict[tuple[Path, ...], MacroLibrary] = {}

    def of(self, path: str) -> content.ContentTree:
        tree = content.discover(path, self.discover)
        if tree not in self.used:
            self.used.append(tree)
        return tree

    def library(self, tree: content.ContentTree) -> MacroLibrary:
        key = tuple(tree.macros)
        if key not in self._libraries:
            self._libraries[key] = MacroLibrary.load([*tree.macros, *self.macro_dirs])
        return self._libraries[key]

    def lines(self) -> list[str]:
        """What ``spl check`` says about the trees it used."""
        if not self.discover:
            return ["content tree: not looked for (--no-discover)"]
        return [f"content tree: {t.describe()}" for t in self.used]

    def as_json(self) -> list[dict]:
        return [{kind: [str(d) for d in getattr(t, kind)] for kind in content.KINDS}
                for t in self.used]


def check_paths(paths: Iterable[Path | str], macro_dirs: Sequence[Path | str] = (),
                discover: bool = True, trees: Trees | None = None) -> list[CheckResult]:
    """Check each detection YAML (its ``search:``), ``.spl`` file, or directory of them, with
    the macros of each YAML's content tree (unless ``discover`` is False) and ``macro_dirs``."""
    trees = trees or Trees(macro_dirs, discover)
    trees.library(content.NONE)  # a bad --macros directory stops the command before any file
    results: list[CheckResult] = []
    for path, search, _ in _searches(paths):
        if isinstance(search, CheckResult):
            results.append(search)
            continue
        status, message = check_search(search, trees.library(trees.of(path)))
        results.append(CheckResult(path, status, message))
    return results


_STYLE = {"ok": "green", "unsupported": "yellow", "syntax_error": "red", "macro_error": "red",
          "file_error": "red"}


def main_check(paths: Sequence[Path | str], macro_dirs: Sequence[Path | str] = (),
               fmt: str = "text", discover: bool = True) -> int:
    """Print the content trees used, one line per search and a summary (or the JSON object of
    ``report_json``); 1 when any failed to parse or a path held no search."""
    trees = Trees(macro_dirs, discover)
    results = check_paths(paths, trees=trees)
    counts = {s: sum(r.status == s for r in results) for s in STATUSES}
    if fmt == "json":
        print(report_json(results, counts, trees))
    else:
        from rich.console import Console
        from rich.markup import escape

        console = Console(highlight=False)
        for line in trees.lines():
            console.print(escape(line), style="dim")
        for r in results:
            line = f"[{_STYLE[r.status]}]{r.status:<12}[/] {escape(r.path)}"
            console.print(line)
            if r.message:
                console.print("    " + escape(r.message).replace("\n", "\n    "))
        console.print(f"{len(results)} searches: " + ", ".join(f"{n} {s}" for s, n in counts.items()))
    return 1 if any(r.status in FAILED for r in results) else 0


def report_json(results, counts: dict[str, int], trees: Trees) -> str:
    """The one JSON shape of ``spl check`` (with or without ``--exec-coverage``): an object
    ``{"results": [{path, status, message[, rows]}], "summary": {status: count},
    "content_trees": [{macros, lookups, baselines}]}``."""
    return json.dumps({"results": [dataclasses.asdict(r) for r in results], "summary": counts,
                       "content_trees": trees.as_json()}, indent=2)


def is_detection_path(text: str) -> bool:
    """Whether ``spl explain``'s argument names a YAML file rather than being a search: one word
    ending in .yml or .yaml (no search is a single word ending so)."""
    return text.endswith((".yml", ".yaml")) and not any(c.isspace() or c in "|`[" for c in text)


def main_explain(search: str, macro_dirs: Sequence[Path | str] = (), discover: bool = True) -> int:
    """Print the expanded search, its parsed pipeline as a tree, and what reading it will take:
    the fields extracted and what the pre-filter looks for. ``search`` may be a detection YAML's
    path: its search is explained, with the macros of its content tree."""
    if is_detection_path(search):
        from spl import detections

        det = detections.load(search)  # a missing file is a ConfigError naming it
        tree = content.discover(search, discover)
        print(f"detection: {det.name} ({search})")
        print("content tree: " + (tree.describe() if discover else "not looked for (--no-discover)"))
        search, macro_dirs = det.search, [*tree.macros, *macro_dirs]
    parsed = parse_search(search, [Path(d) for d in macro_dirs])
    print("expanded search:")
    print("  " + parsed.expanded.strip())
    print("pipeline:" + (" (generating)" if parsed.pipeline.generating else ""))
    for i, command in enumerate(parsed.pipeline.commands, 1):
        lines = _tree(command)
        print(f"  {i}. {lines[0]}")
        for line in lines[1:]:
            print("     " + line)
    print("reading:")
    for line in _reading(parsed.pipeline):
        print("  " + line)
    from spl.datamodels import explain_lines
    models = explain_lines(parsed.pipeline, parsed.expanded)
    if models:
        print("data models (the search each dataset stands for):")
        for line in models:
            print("  " + line)
    print("execution (map-reduce):")
    for line in _execution(parsed.pipeline):
        print("  " + line)
    return 0


def _execution(pipeline: ast.Pipeline) -> list[str]:
    """Where spl.mapreduce splits the pipeline, each command's side, and why."""
    from spl import mapreduce

    plan = mapreduce.plan(pipeline)
    lines = [f"split: {plan.why}"]
    if plan.chunkable:
        lines.extend(plan.notes)
    return lines


def _tree(node) -> list[str]:
    """A syntax node as indented lines: its type and plain attributes, then its child nodes
    (attributes that are None, empty or False are left out, and so are positions and a
    command's name, which its type says). An explicit stack: a long ``a OR b OR ...`` is a tree
    as deep as it is long."""
    lines: list[str] = []
    stack: list[tuple[object, str]] = [(node, "")]
    while stack:
        item, indent = stack.pop()
        if isinstance(item, str):  # a line ready to print
            lines.append(indent + item)
            continue
        plain, nested = [], []
        if isinstance(item, ast.BinOp) and isinstance(item.left, ast.BinOp) \
                and item.left.op == item.op:  # a OR b OR c ...: one node, its operands in order
            operands = [item.right]
            while isinstance(item.left, ast.BinOp) and item.left.op == item.op:
                item = item.left
                operands.append(item.right)
            operands.append(item.left)
            lines.append(indent + f"BinOp op={item.op!r}")
            stack.extend([(x, indent + "    ") for x in operands] + [("  operands:", indent)])
            continue
        assert dataclasses.is_dataclass(item)  # a syntax node (a str was a line, handled above)
        for f in dataclasses.fields(item):
            value = getattr(item, f.name)
            hidden = f.name == "span" or (f.name == "name" and isinstance(item, ast.Command))
            if hidden or value is None or value is False or value == ():
                continue
            items = value if isinstance(value, tuple) else (value,)
            if any(dataclasses.is_dataclass(x) for x in items):
                nested.append((f.name, items))
            else:
                plain.append(f"{f.name}={value!r}")
        lines.append(indent + " ".join([type(item).__name__, *plain]))
        todo: list[tuple[object, str]] = []
        for name, items in nested:
            todo.append((f"  {name}:", indent))
            for x in items:
                todo.append((x, indent + "    ") if dataclasses.is_dataclass(x)
                            else (f"    {x!r}", indent))
        stack.extend(reversed(todo))
    return lines


def _reading(pipeline: ast.Pipeline) -> list[str]:
    """The fields the loader extracts and the text the pre-filter needs (spl.plan,
    spl.data.prefilter), for aws:cloudtrail."""
    from spl.data import _computed, load_sourcetype
    from spl.data.prefilter import compile_filter
    from spl.plan import required_fields, search_terms

    fields = required_fields(pipeline)
    terms = search_terms(pipeline)
    line_filter = None if terms is None else compile_filter(
        terms, _computed(load_sourcetype("aws:cloudtrail")))
    return [
        "fields: " + ("every field" if fields is None else ", ".join(sorted(fields))),
        "pre-filter: " + ("none, every record is parsed" if line_filter is None else
                          "a record is parsed only if its text holds "
                          + _needs(line_filter.formula, top=True)),
    ]


def _needs(node, top: bool = False) -> str:
    from spl.data.prefilter import Piece

    if isinstance(node, Piece):
        text = node.data.decode("ascii")
        return f'"{text}" (in any case)' if node.lower else f'"{text}"'
    joiner = " and " if isinstance(node, search_literals.AllOf) else " or "
    text = joiner.join(_needs(x) for x in node.items)
    return text if top else f"({text})"


# ---------------------------------------------------------------- spl check --exec-coverage

COVERAGE = ("runs", "no_data", "needs_datamodel", "needs_baseline", "unsupported", "error",
            "syntax_error", "macro_error", "file_error")


@dataclass(frozen=True)
class CoverageResult:
    """How far one search gets: it parses, then runs (``rows`` results) or stops (``message``)."""

    path: str
    status: str
    message: str
    rows: int | None = None


def _stop_status(exc: SplError) -> str:
    from spl.errors import UnsupportedError

    if isinstance(exc, UnsupportedError):
        if exc.message.startswith("needs datamodel"):
            return "needs_datamodel"
        if exc.message.startswith("needs baseline"):
            return "needs_baseline"
        return "unsupported"
    return "error"


def _read_tables(parsed: ParsedSearch, session) -> None:
    """Find every lookup table the search reads and does not write itself, so that a missing
    one (or a baseline nobody built) is reported even when no event reaches that command."""
    from spl.context import Context
    from spl.lookups import table_for

    written = {n.table for n in ast.walk(parsed.pipeline) if isinstance(n, ast.OutputLookup)}
    ctx = Context(text=parsed.expanded, session=session)
    for node in ast.walk(parsed.pipeline):
        if isinstance(node, (ast.Lookup, ast.InputLookup)) and node.table not in written:
            table_for(node, ctx)


def exec_coverage(paths: Iterable[Path | str], macro_dirs: Sequence[Path | str] = (),
                  data: Sequence[Path | str] = (), lookup_dirs: Sequence[Path | str] = (),
                  baseline_dirs: Sequence[Path | str] = (), discover: bool = True,
                  trees: Trees | None = None) -> list[CoverageResult]:
    """Parse and run each search over ``data`` (no events when empty): where does each stop?

    Each YAML gets the macros, lookups and baselines of its content tree (spl.content) unless
    ``discover`` is False, besides the directories given. ``outputlookup`` writes into a
    temporary directory, never the user's lookups. A lookup a baseline fills is filled first by
    the baseline found for it (spl.baselines: in ``baseline_dirs`` or the detection's content
    tree), over the same events.
    """
    import tempfile

    from spl.session import Session

    trees = trees or Trees(macro_dirs, discover)
    trees.library(content.NONE)  # a bad --macros directory stops the command before any file
    results: list[CoverageResult] = []
    with tempfile.TemporaryDirectory(prefix="spl-coverage-") as scratch:
        sessions: dict[tuple[Path, ...], Session] = {}  # one per content tree
        for path, search, doc in _searches(paths):
            if isinstance(search, CheckResult):
                results.append(CoverageResult(path, search.status, search.message))
                continue
            tree = trees.of(path)
            if tree.key not in sessions:
                sessions[tree.key] = Session(
                    data or None, macros=[*tree.macros, *macro_dirs],
                    lookups=[*tree.lookups, *lookup_dirs], lookup_output=scratch)
            session = sessions[tree.key]
            try:
                parsed = parse_search(search, library=trees.library(tree))
            except MacroError as exc:
                results.append(CoverageResult(path, "macro_error", exc.render()))
                continue
            except SplError as exc:
                results.append(CoverageResult(path, "syntax_error", exc.render()))
                continue
            try:
                _fill_baselines(path, doc, parsed, session, [*baseline_dirs, *tree.baselines],
                                scratch)
                _read_tables(parsed, session)
                table = session.run(parsed)
            except SplError as exc:
                exc = parsed.relocate(exc)
                results.append(CoverageResult(path, _stop_status(exc), exc.render()))
            except Exception as exc:  # a bug of ours: reported, not raised
                results.append(CoverageResult(path, "error", f"internal error: "
                                              f"{type(exc).__name__}: {exc}"))
            else:
                missing = _missing_sourcetypes(parsed.pipeline, session)
                if missing:
                    results.append(CoverageResult(path, "no_data", "no data of sourcetype "
                                                  + " or ".join(missing), len(table)))
                else:
                    results.append(CoverageResult(path, "runs", "", len(table)))
    return results


def _missing_sourcetypes(pipeline: ast.Pipeline, session) -> list[str]:
    """The sourcetypes the pipeline's first search asks for (``sourcetype=X``, ``sourcetype
    IN (...)``, wildcards allowed) when no loaded event is of any of them; [] when it names
    none or some event is of one."""
    first = pipeline.commands[0] if pipeline.commands else None
    if pipeline.generating or not isinstance(first, ast.Search) or first.expr is None:
        return []
    wanted: list[str] = []
    negated = {id(n) for x in ast.walk(first.expr) if isinstance(x, ast.SearchNot)
               for n in ast.walk(x.item)}  # NOT sourcetype=X asks for no sourcetype
    for node in ast.walk(first.expr):
        if id(node) in negated:
            continue
        if isinstance(node, ast.Compare) and node.field == "sourcetype" and node.op == "=":
            wanted.append(node.value)
        elif isinstance(node, ast.FieldIn) and node.field == "sourcetype":
            wanted.extend(node.values)
    if not wanted:
        return []
    loaded = session.sourcetypes()
    pattern = re.compile("|".join(
        "(?:" + ".*".join(re.escape(part) for part in w.split("*")) + r")\Z" for w in wanted),
        re.IGNORECASE)
    if any(pattern.match(str(name)) for name in loaded):
        return []
    return list(dict.fromkeys(wanted))


def _fill_baselines(path: str, doc: object, parsed: ParsedSearch, session, dirs,
                    scratch) -> None:
    """Run the baselines that fill the lookups the search lacks (spl.baselines); ``doc`` is the
    detection's YAML document (None for a .spl file)."""
    from spl import baselines

    name, listed = None, ()
    if isinstance(doc, dict):
        name, listed = str(doc.get("name", Path(path).stem)), doc.get("baselines") or ()
    catalog = baselines.catalog_of([Path(d) for d in dirs])
    baselines.fill(session, parsed.pipeline, catalog, Path(scratch), detection_name=name,
                   listed=[str(b) for b in listed] if isinstance(listed, list) else ())


_COVERAGE_STYLE = {"runs": "green", "no_data": "cyan", "needs_datamodel": "cyan", "needs_baseline": "cyan",
                   "unsupported": "yellow", "error": "red", "syntax_error": "red",
                   "macro_error": "red", "file_error": "red"}


def main_exec_coverage(paths: Sequence[Path | str], macro_dirs: Sequence[Path | str] = (),
                       fmt: str = "table", data: Sequence[Path | str] = (),
                       lookup_dirs: Sequence[Path | str] = (),
                       baseline_dirs: Sequence[Path | str] = (), discover: bool = True) -> int:
    """Print the content trees used, one line per search and a summary count (or the JSON
    object of ``report_json``); 1 when any failed to parse or a path held no search."""
    trees = Trees(macro_dirs, discover)
    results = exec_coverage(paths, macro_dirs, data, lookup_dirs, baseline_dirs, trees=trees)
    counts = {s: sum(r.status == s for r in results) for s in COVERAGE}
    if fmt == "json":
        print(report_json(results, counts, trees))
    else:
        from rich.console import Console
        from rich.markup import escape

        console = Console(highlight=False, soft_wrap=True)
        for line in trees.lines():
            console.print(escape(line), style="dim")
        for r in results:
            rows = f" ({r.rows} rows)" if r.rows is not None else ""
            console.print(f"[{_COVERAGE_STYLE[r.status]}]{r.status:<16}[/] {escape(r.path)}{rows}")
            if r.message:
                console.print("    " + escape(r.message).replace("\n", "\n    "))
        console.print(f"{len(results)} searches: " +
                      ", ".join(f"{n} {s}" for s, n in counts.items() if n))
    return 1 if any(r.status in FAILED for r in results) else 0
