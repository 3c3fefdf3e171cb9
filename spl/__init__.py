"""spl: run Splunk's SPL over local AWS CloudTrail logs, with no Splunk.

``spl.run(search, data=...)`` runs one search and returns a pandas DataFrame (multivalue cells as
lists); ``spl.Session(data)`` loads files once and runs many searches; ``spl.parse(search)``
expands macros and returns the typed pipeline. Every error is an ``spl.SplError``; arguments
spl cannot use (a search that is not a str, an unknown time zone or option) are ``spl.UsageError``.
"""
from typing import TYPE_CHECKING

__all__ = ["run", "parse", "Session", "SplError", "SplSyntaxError", "MacroError",
           "UnsupportedError", "SearchError", "DataError", "ConfigError", "UsageError"]


if TYPE_CHECKING:  # type checkers see the real signatures, not __getattr__'s
    from spl.errors import (
        ConfigError,
        DataError,
        MacroError,
        SearchError,
        SplError,
        SplSyntaxError,
        UnsupportedError,
        UsageError,
    )
    from spl.session import Session, parse, run


def __getattr__(name: str) -> object:
    # Imported on first use so that `import spl` (and so `spl --help`, which imports spl.cli)
    # stays light: spl.session imports pandas, spl.errors dataclasses.
    if name in ("run", "parse", "Session"):
        from spl import session

        return getattr(session, name)
    if name in __all__:
        from spl import errors

        return getattr(errors, name)
    raise AttributeError(f"module 'spl' has no attribute {name!r}")
