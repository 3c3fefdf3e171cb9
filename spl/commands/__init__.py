"""The command registry: one module per command, each registering a function by name.

A command function takes its AST node, the table of results so far and the run context, and
returns the new table. Adding a command touches one file: write ``spl/commands/<name>.py`` with
``@command("name")``; every module of this package is imported on first use.
"""
from __future__ import annotations

import importlib
import pkgutil
from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:  # the registry itself needs no pandas (spl.plan and macros import it early)
    import pandas as pd

    from spl.context import Context
    from spl.syntax import ast

CommandFn = Callable[["ast.Command", "pd.DataFrame", "Context"], "pd.DataFrame"]

_REGISTRY: dict[str, CommandFn] = {}
_loaded = False


def command(*names: str):
    """Register the decorated function as the implementation of the named commands."""

    def wrap(fn: CommandFn) -> CommandFn:
        for name in names:
            _REGISTRY[name] = fn
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


def supported() -> list[str]:
    """Names of every command the engine can run."""
    _load()
    return sorted(_REGISTRY)
