"""The security_content tree a detection sits in: its ``macros/``, ``lookups/`` and ``baselines/``.

contentctl builds an app from one repository laid out as ``detections/``, ``macros/``,
``lookups/``, ``baselines/`` side by side, so a detection's macros are those of the tree it is
in. ``discover`` finds them the same way for a YAML file anywhere inside the tree: for each of
the three folders, the nearest directory above the file (its own folder first) holding one.
Every command that takes a detection (``spl detect``, ``check``, ``explain``, ``test``) uses
it, ``--macros``/``--lookups`` add to it, and ``--no-discover`` turns it off.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

KINDS = ("macros", "lookups", "baselines")


@dataclass(frozen=True)
class ContentTree:
    """The folders found for one detection (empty lists when none was found)."""

    macros: list[Path] = field(default_factory=list)
    lookups: list[Path] = field(default_factory=list)
    baselines: list[Path] = field(default_factory=list)

    def describe(self) -> str:
        """One line for ``spl explain``/``check``: the folders used, or that none was found."""
        found = [str(d) for kind in KINDS for d in getattr(self, kind)]
        return ", ".join(found) if found else "none found (no macros/ beside or above the file)"

    @property
    def key(self) -> tuple[Path, ...]:
        return (*self.macros, *self.lookups)


NONE = ContentTree()


def discover(path: str | Path | None, enabled: bool = True) -> ContentTree:
    """The content tree of the YAML file at ``path`` (NONE when ``enabled`` is False, or for no
    path or a path that is not a YAML file)."""
    if not enabled or path is None or Path(path).suffix not in (".yml", ".yaml"):
        return NONE
    return _discover(Path(os.path.abspath(path)).parent)


@lru_cache(maxsize=256)
def _discover(folder: Path) -> ContentTree:
    """A directory of many detections shares one tree: looked up once per folder."""
    found: dict[str, list[Path]] = {kind: [] for kind in KINDS}
    for parent in (folder, *folder.parents):
        for kind in KINDS:
            if not found[kind] and (parent / kind).is_dir():
                found[kind] = [parent / kind]
        if all(found.values()):
            break
    return ContentTree(**found)


