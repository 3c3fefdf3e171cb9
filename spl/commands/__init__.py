"""The command registry: one module per command, each registering a function by name.

A command function takes its AST node, the table of results so far and the run context, and
returns the new table. Adding a command touches one file: write ``spl/commands/<name>.py`` with
``@command("name", reads=reads)``. A command's module is imported when the command is first
looked up (the index of which module declares which name is read from the modules' source), so
a search imports only the commands it runs; ``supported()`` imports them all.

Beside its implementation, every command declares what it is, as keyword arguments of
``@command`` (``reads`` is required, so a new command cannot forget it):

- ``reads``: a function ``node -> set[str] | None``, the event fields the command can read
  (None: it may read any field, e.g. ``outputlookup`` writes them all). spl.plan asks the
  loader for exactly these fields, so under-declaring loses data.
- ``narrows``: True (or a function ``node -> bool``) when only the fields the command names or
  produces exist after it (``stats``, ``table``): what comes later reads no event field.
- ``doc`` and ``syntax``: one line each, from the Search Reference, for ``spl help commands``,
  ``docs/reference.md`` and the REPL's ``.help <command>`` (spl.reference).

More properties (a command's kind for splitting a search into map and reduce, say) go beside
these. spl.plan reads the declarations before pandas is imported, so it cannot import the
command modules (they need pandas): ``declarations()`` reads them from each module's source
instead. A declaration therefore uses only ``ast`` (spl.syntax.ast) and Python's builtins, and
a test checks that the copy read from the source is the function the module registered.
"""
from __future__ import annotations

import ast as pyast
import builtins
import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import pkgutil
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the registry itself needs no pandas (spl.plan and macros import it early)
    import pandas as pd

    from spl.context import Context
    from spl.syntax import ast

CommandFn = Callable[["ast.Command", "pd.DataFrame", "Context"], "pd.DataFrame"]


@dataclass(frozen=True)
class Spec:
    """What a command declares about itself (see the module doc)."""

    reads: Callable[[Any], set[str] | None]
    narrows: Callable[[Any], bool]
    doc: str = ""     # one line: what the command does (from the Search Reference)
    syntax: str = ""  # its syntax, the Search Reference's shortened (spl.reference, the REPL)


_REGISTRY: dict[str, CommandFn] = {}
_SPECS: dict[str, Spec] = {}
_PROPERTIES = ("reads", "narrows", "doc", "syntax")
_loaded = False


def _never(node) -> bool:
    return False


def _always(node) -> bool:
    return True


def _spec(reads, narrows=False, doc: str = "", syntax: str = "") -> Spec:
    if not callable(reads):
        raise TypeError("@command needs reads=<function node -> set of field names or None>")
    if isinstance(narrows, bool):
        narrows = _always if narrows else _never
    return Spec(reads, narrows, doc, syntax)


def command(*names: str, reads: Callable[[Any], set[str] | None],
            narrows: bool | Callable[[Any], bool] = False, doc: str = "", syntax: str = ""):
    """Register the decorated function as the implementation of the named commands, with what
    they read, whether they narrow the fields (module doc), and their one-line ``doc`` and
    ``syntax`` for help."""
    spec = _spec(reads, narrows, doc, syntax)

    def wrap(fn: CommandFn) -> CommandFn:
        for name in names:
            _REGISTRY[name] = fn
            _SPECS[name] = spec
        return fn

    return wrap


def _load() -> None:
    """Import every command module once (a module imported directly may have registered first)."""
    global _loaded
    if not _loaded:
        for module in _modules():
            importlib.import_module(module)
        _loaded = True


def _imported(name: str) -> None:
    """Import the module that declares command ``name`` (spl.commands.<module>), if any."""
    if name not in _REGISTRY and not _loaded:
        module = _index().get(name)
        if module is not None:
            importlib.import_module(module)


def lookup(name: str) -> CommandFn | None:
    """The implementation of command ``name`` (lower case), or None when the engine lacks it."""
    _imported(name)
    return _REGISTRY.get(name)


def spec(name: str) -> Spec | None:
    """What command ``name`` declares, from its imported module (the engine's view)."""
    _imported(name)
    return _SPECS.get(name)


def supported() -> list[str]:
    """Names of every command the engine can run."""
    _load()
    return sorted(_REGISTRY)


# ---------------------------------------------------------------- declarations without imports

_DECORATOR = re.compile(r"^@command\(", re.M)
_NEXT = re.compile(r"^(?:@|def |async def )", re.M)  # what follows a decorator's text
_names: dict[str, str] | None = None  # command name -> the module declaring it
_by_module: dict[str, dict[str, Spec]] = {}  # a module's declarations, read when first asked


def _modules() -> list[str]:
    """The command modules of this package (helpers such as _args declare no command)."""
    return [f"{__name__}.{m.name}" for m in pkgutil.iter_modules(__path__)]


def _index() -> dict[str, str]:
    """Which module declares each command name, from the decorators' names alone (no
    function is compiled: only the modules a search uses are read further)."""
    global _names
    if _names is None:
        found: dict[str, str] = {}
        for module in _modules():
            for call in _decorators(_source(module)):
                for name in _call_names(call):
                    if found.setdefault(name, module) != module:
                        raise TypeError(f"command {name!r} is declared by {found[name]} "
                                        f"and {module}")
        _names = found
    return _names


def declaration(name: str) -> Spec | None:
    """What command ``name`` declares, read from its module's source without running it (so
    without pandas); None for a name no module declares."""
    module = _index().get(name)
    if module is None:
        return None
    if module not in _by_module:
        _by_module[module] = _module_declarations(module, _source(module))
    return _by_module[module].get(name)


class _Declarations(Mapping[str, Spec]):
    """Every command's declarations by name; a module's are read when one of them is asked."""

    def __getitem__(self, name: str) -> Spec:
        found = declaration(name)
        if found is None:
            raise KeyError(name)
        return found

    def __contains__(self, name: object) -> bool:
        return name in _index()

    def __iter__(self) -> Iterator[str]:
        return iter(_index())

    def __len__(self) -> int:
        return len(_index())


def declarations() -> Mapping[str, Spec]:
    """Every command's declarations, read from the modules' source without running them (so
    without pandas): the ``@command(...)`` call of each module and the functions it names."""
    return _Declarations()


def _source(module: str) -> str:
    """The source text of one of this package's modules (always found: it is listed). Read from
    its file when the loader cannot say (pytest's assertion rewriter loads spl when spl's pytest
    plugin is in use from a regular install)."""
    spec = _spec_of(module)
    loader = spec.loader
    if isinstance(loader, importlib.abc.InspectLoader):
        source = loader.get_source(module)
        if source is not None:
            return source
    assert spec.origin is not None
    with open(spec.origin, "rb") as f:
        return importlib.util.decode_source(f.read())


@cache
def _spec_of(module: str) -> importlib.machinery.ModuleSpec:
    """The import spec of one of this package's modules (always found: it is listed)."""
    found = importlib.util.find_spec(module)
    assert found is not None
    return found


def _decorators(source: str) -> list[pyast.Call]:
    """The ``@command(...)`` calls of one module's source, each parsed on its own.

    Only the decorator's own text is parsed (it runs from ``@command(`` to the line that
    starts the next decorator or the ``def``): parsing whole modules would slow every start."""
    calls = []
    for m in _DECORATOR.finditer(source):
        end = _NEXT.search(source, m.end())
        text = source[m.start() + 1:end.start() if end else len(source)]
        call = pyast.parse(text.strip(), mode="eval").body
        assert isinstance(call, pyast.Call)  # the text is "command(...)"
        calls.append(call)
    return calls


def _call_names(call: pyast.Call) -> list[str]:
    return [pyast.literal_eval(arg) for arg in call.args]


def _module_declarations(module: str, source: str) -> dict[str, Spec]:
    """The declarations of each ``@command(...)`` in one module's source, by command name."""
    found: dict[str, Spec] = {}
    for call in _decorators(source):
        names = _call_names(call)
        props: dict[str, Any] = {}
        for kw in call.keywords:
            if kw.arg not in _PROPERTIES:
                raise TypeError(f"{module}: @command has no property {kw.arg!r}")
            if isinstance(kw.value, pyast.Name):
                props[kw.arg] = _function(module, source, kw.value.id)
            else:
                props[kw.arg] = pyast.literal_eval(kw.value)
        if "reads" not in props:
            raise TypeError(f"{module}: @command{tuple(names)} declares no reads=")
        spec_ = _spec(**props)
        found.update((n, spec_) for n in names)
    return found


def _function(module: str, source: str, name: str) -> Callable:
    """Compile the top-level ``def name`` of a module's source on its own, with ``ast`` as its
    only global (line numbers kept, so a traceback points at the module)."""
    from spl.syntax import ast

    m = re.search(rf"^def {re.escape(name)}\(", source, re.M)
    if m is None:
        raise TypeError(f"{module}: no top-level def {name}(...) for @command")
    end = re.compile(r"^(?=[^\s#)])", re.M).search(source, source.index("\n", m.start()) + 1)
    text = source[m.start():end.start() if end else len(source)]
    line = source.count("\n", 0, m.start())  # >= 1: every module starts with its docstring
    prelude = "from __future__ import annotations" + "\n" * line  # as in the modules
    origin = _spec_of(module).origin
    assert origin is not None  # a source file
    code = compile(prelude + text, origin, "exec")
    scope: dict[str, Any] = {"ast": ast, "__builtins__": builtins, "__name__": module}
    exec(code, scope)
    return scope[name]
