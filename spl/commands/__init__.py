"""The command registry: one module per command, each registering a function by name.

A command function takes its AST node, the table of results so far and the run context, and
returns the new table. Adding a command touches one file: write ``spl/commands/<name>.py`` with
``@command("name", reads=reads)``; every module of this package is imported on first use.

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
from collections.abc import Callable
from dataclasses import dataclass
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
        for module in pkgutil.iter_modules(__path__):
            importlib.import_module(f"{__name__}.{module.name}")
        _loaded = True


def lookup(name: str) -> CommandFn | None:
    """The implementation of command ``name`` (lower case), or None when the engine lacks it."""
    _load()
    return _REGISTRY.get(name)


def spec(name: str) -> Spec | None:
    """What command ``name`` declares, from the imported modules (the engine's view)."""
    _load()
    return _SPECS.get(name)


def supported() -> list[str]:
    """Names of every command the engine can run."""
    _load()
    return sorted(_REGISTRY)


# ---------------------------------------------------------------- declarations without imports

_DECORATOR = re.compile(r"^@command\(", re.M)
_NEXT = re.compile(r"^(?:@|def |async def )", re.M)  # what follows a decorator's text
_declared: dict[str, Spec] | None = None


def declarations() -> dict[str, Spec]:
    """Every command's declarations, read from the modules' source without running them (so
    without pandas): the ``@command(...)`` call of each module and the functions it names."""
    global _declared
    if _declared is None:
        found: dict[str, Spec] = {}
        for module in pkgutil.iter_modules(__path__):
            name = f"{__name__}.{module.name}"
            source = _source(name)
            found.update(_module_declarations(name, source))
        _declared = found
    return _declared


def _source(module: str) -> str:
    """The source text of one of this package's modules (always found: it is listed)."""
    loader = _spec_of(module).loader
    assert isinstance(loader, importlib.abc.InspectLoader)
    source = loader.get_source(module)
    assert source is not None
    return source


def _spec_of(module: str) -> importlib.machinery.ModuleSpec:
    """The import spec of one of this package's modules (always found: it is listed)."""
    found = importlib.util.find_spec(module)
    assert found is not None
    return found


def _module_declarations(module: str, source: str) -> dict[str, Spec]:
    """The declarations of each ``@command(...)`` in one module's source, by command name.

    Only the decorator's own text is parsed (it runs from ``@command(`` to the line that
    starts the next decorator or the ``def``): parsing whole modules would slow every start."""
    found: dict[str, Spec] = {}
    for m in _DECORATOR.finditer(source):
        end = _NEXT.search(source, m.end())
        text = source[m.start() + 1:end.start() if end else len(source)]
        call = pyast.parse(text.strip(), mode="eval").body
        assert isinstance(call, pyast.Call)  # the text is "command(...)"
        names = [pyast.literal_eval(arg) for arg in call.args]
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
