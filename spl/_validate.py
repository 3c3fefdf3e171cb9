"""Checks of what a caller hands spl (the CLI's options, the Python API's arguments).

Light on purpose (no pandas, no parser): the CLI runs them before it reads any data. Each bad
argument is a UsageError that names the option and says what it takes.
"""
from __future__ import annotations

import os
from pathlib import Path

from spl.errors import UsageError

PathLike = str | os.PathLike


def known_zone(name: str) -> bool:
    """Whether ``name`` is an IANA time zone name this machine knows."""
    from zoneinfo import ZoneInfo

    try:
        ZoneInfo(name)
    except (ValueError, KeyError, OSError):
        return False
    return True


def time_zone(name, option: str = "tz") -> str:
    if not isinstance(name, str) or not known_zone(name):
        raise UsageError(f"{option}={name!r} is not a time zone name (e.g. UTC, Europe/Paris)")
    return name


def _one(option: str, value) -> PathLike:
    if isinstance(value, bytes):
        return os.fsdecode(value)
    if not isinstance(value, (str, os.PathLike)):
        raise UsageError(f"{option}: a path is a str or os.PathLike, not {type(value).__name__} "
                         f"({value!r})")
    return value


def paths(option: str, value) -> list[PathLike]:
    """A list of paths: one str/PathLike is ONE path (never its characters), None is none."""
    if value is None:
        return []
    if isinstance(value, (str, bytes, os.PathLike)):
        return [_one(option, value)]
    try:
        items = list(value)
    except TypeError:
        raise UsageError(f"{option}: give a path or a list of paths, not "
                         f"{type(value).__name__} ({value!r})") from None
    return [_one(option, item) for item in items]


def path(option: str, value) -> PathLike | None:
    """One path or None."""
    return None if value is None else _one(option, value)


def search_text(search) -> str:
    if not isinstance(search, str):
        raise UsageError(f"the search is a str of SPL, not {type(search).__name__} ({search!r})")
    return search


def of_type(option: str, value, kind: type | tuple, what: str):
    if not isinstance(value, kind):
        raise UsageError(f"{option} is {what}, not {type(value).__name__} ({value!r})")
    return value


def known_options(given, allowed, where: str) -> None:
    """Refuse keyword options ``where`` does not take, naming those it does."""
    unknown = sorted(set(given) - set(allowed))
    if unknown:
        raise UsageError(f"{where}: unknown option{'s' if len(unknown) > 1 else ''} "
                         f"{', '.join(unknown)} (it takes {', '.join(sorted(allowed))})")


def output_apart(lookup_dirs, output_dir) -> None:
    """Refuse a lookup output directory that is a lookups directory or inside one (after
    following symbolic links): outputlookup would overwrite the tables searches read, or files
    their definitions name. A lookups directory inside the output directory is fine: the output
    directory's own files are the only ones written."""
    out = Path(os.path.realpath(output_dir))
    for d in lookup_dirs:
        real = Path(os.path.realpath(d))
        if out == real or real in out.parents:
            same = "is" if out == real else "is inside"
            raise UsageError(f"the lookup output directory {str(output_dir)!r} {same} the lookups "
                             f"directory {str(d)!r}: outputlookup never writes where lookups "
                             "are read (choose another output directory)")
