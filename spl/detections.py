"""ESCU detection files: their search, risk message and objects, in both of security_content's layouts.

The older layout has ``rba:`` with ``message``, ``risk_objects`` and ``threat_objects``; the 2026
layout has ``finding:`` (``title``, ``entity:``) and a top-level ``threat_objects:``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from spl.errors import ConfigError
from spl.values import is_null, mv_values, to_str

_TOKEN = re.compile(r"\$([^$\s]+)\$")


@dataclass
class Detection:
    path: Path
    name: str
    search: str
    status: str = ""
    type: str = ""
    message: str | None = None
    risk_objects: list[str] = field(default_factory=list)
    threat_objects: list[str] = field(default_factory=list)
    tests: list[dict] = field(default_factory=list)
    raw: dict = field(default_factory=dict)


def _fields(entries) -> list[str]:
    """Field names of risk/threat entries: a list of mappings, or one mapping (2026's entity)."""
    if isinstance(entries, dict):
        entries = [entries]
    return [e["field"] for e in entries or [] if isinstance(e, dict) and e.get("field")]


def load(path: str | Path) -> Detection:
    """Read a detection YAML; a file without a ``search:`` is a ConfigError naming the file."""
    path = Path(path)
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read detection: {exc.strerror}", file=str(path)) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise ConfigError(f"not valid YAML: {getattr(exc, 'problem', exc)}", file=str(path),
                          line=mark.line + 1 if mark else None) from None
    if not isinstance(doc, dict) or not isinstance(doc.get("search"), str):
        raise ConfigError("not a detection: it has no 'search:' text", file=str(path))
    rba = doc.get("rba") or {}
    finding = doc.get("finding") or {}
    message = rba.get("message") or finding.get("title")
    intermediate = doc.get("intermediate_findings") or {}
    risk = (_fields(rba.get("risk_objects")) or _fields(finding.get("entity"))
            or _fields(intermediate.get("entities")))
    threat = _fields(rba.get("threat_objects")) or _fields(doc.get("threat_objects"))
    return Detection(path=path, name=str(doc.get("name", path.stem)), search=doc["search"],
                     status=str(doc.get("status", "")), type=str(doc.get("type", "")),
                     message=message, risk_objects=risk, threat_objects=threat,
                     tests=list(doc.get("tests") or []), raw=doc)


def fill_message(template: str, row: dict) -> str:
    """``template`` with each ``$field$`` replaced by the row's value (values joined by ", ").

    A token whose field the row lacks is left as written, so the gap shows.
    """

    def sub(m: re.Match) -> str:
        values = [to_str(v) for v in mv_values(row.get(m.group(1)))]
        return ", ".join(values) if values else m.group(0)

    return _TOKEN.sub(sub, template)


def row_dicts(table) -> list[dict]:
    """Result rows as dicts of their non-null cells."""
    return [{k: v for k, v in zip(table.columns, row) if not is_null(v)}
            for row in table.itertuples(index=False, name=None)]
