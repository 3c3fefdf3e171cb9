"""ESCU detection files: their search, risk message and objects, in both of security_content's layouts.

The older layout has ``rba:`` with ``message``, ``risk_objects`` and ``threat_objects``; the 2026
layout has ``finding:`` (``title``, ``entity:``) and a top-level ``threat_objects:``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from spl import yamlload
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


def load(path: str | Path) -> Detection:
    """Read a detection YAML; anything that is not a usable detection is a ConfigError naming
    the file (and the key and line, for a key of the wrong type)."""
    path = Path(path)
    text, doc = read(path)
    return from_doc(path, text, doc)


def read(path: Path) -> tuple[str, object]:
    """A YAML file's text and document, read once (libyaml's loader when present); a file that
    cannot be read or parsed is a ConfigError naming it (and the line)."""
    try:
        text = path.read_text(encoding="utf-8")
        doc = yamlload.safe_load(text)
    except OSError as exc:
        raise ConfigError(f"cannot read detection: {exc.strerror}", file=str(path)) from None
    except UnicodeDecodeError:
        raise ConfigError("not a detection: the file is not UTF-8 text", file=str(path)) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise ConfigError(f"not valid YAML: {getattr(exc, 'problem', exc)}", file=str(path),
                          line=mark.line + 1 if mark else None) from None
    return text, doc


def from_doc(path: Path, text: str, doc: object) -> Detection:
    """The Detection of a YAML document already read (``read``)."""
    if not isinstance(doc, dict) or not isinstance(doc.get("search"), str):
        raise ConfigError("not a detection: it has no 'search:' text", file=str(path))
    keys = _Keys(path, text, doc)
    for key in ("rba", "finding", "intermediate_findings"):
        keys.mapping(key)  # the keys read below sit in these
    message = keys.text("rba", "message") or keys.text("finding", "title")
    risk = (keys.fields("rba", "risk_objects") or keys.fields("finding", "entity")
            or keys.fields("intermediate_findings", "entities"))
    threat = keys.fields("rba", "threat_objects") or keys.fields("threat_objects")
    tests = keys.get("tests")
    if tests is not None and not isinstance(tests, list):
        keys.fail(("tests",), "must be a list of test mappings")
    return Detection(path=path, name=str(doc.get("name", path.stem)), search=doc["search"],
                     status=str(doc.get("status", "")), type=str(doc.get("type", "")),
                     message=message, risk_objects=risk, threat_objects=threat,
                     tests=list(tests or []), raw=doc)


class _Keys:
    """Typed reads of a detection's keys; a wrong type is a ConfigError with the key's line."""

    def __init__(self, path: Path, text: str, doc: dict):
        self.path, self.source, self.doc = path, text, doc

    def get(self, *keys):
        value: object = self.doc
        for key in keys:
            value = value.get(key) if isinstance(value, dict) else None
        return value

    def fail(self, keys: tuple, problem: str):
        raise ConfigError(f"'{'.'.join(keys)}' {problem}", file=str(self.path),
                          line=_line(self.source, keys))

    def mapping(self, *keys) -> dict:
        value = self.get(*keys)
        if value is not None and not isinstance(value, dict):
            self.fail(keys, f"must be a mapping, not {_kind(value)}")
        return value or {}

    def text(self, *keys) -> str | None:
        value = self.get(*keys)
        if value is not None and not isinstance(value, str):
            self.fail(keys, f"must be text, not {_kind(value)}")
        return value

    def fields(self, *keys) -> list[str]:
        """Field names of risk/threat entries: a list of mappings, or one mapping (2026's
        entity), each with a ``field:`` name."""
        entries = self.get(*keys)
        if entries is None:
            return []
        if isinstance(entries, dict):
            entries = [entries]
        if not isinstance(entries, list):
            self.fail(keys, f"must be a list of mappings with a 'field:', not {_kind(entries)}")
        for e in entries:
            if not isinstance(e, dict) or not isinstance(e.get("field"), str) or not e["field"]:
                self.fail(keys, "has an entry without a 'field:' name")
        return [e["field"] for e in entries]


def _kind(value) -> str:
    return {dict: "a mapping", list: "a list", str: "text", bool: "true/false",
            int: "a number", float: "a number"}.get(type(value), type(value).__name__)


def _line(text: str, keys: tuple) -> int | None:
    """1-based line of the value at ``keys`` in the YAML ``text`` (None if it cannot be told)."""
    node = yaml.compose(text, Loader=yaml.SafeLoader)
    for key in keys:
        if not isinstance(node, yaml.MappingNode):
            return None
        found = next((v for k, v in node.value if k.value == key), None)
        if found is None:
            return None
        node = found
    return node.start_mark.line + 1 if node is not None else None


def fill_message(template: str, row: dict) -> str:
    """``template`` with each ``$field$`` replaced by the row's value (values joined by ", ").

    A token whose field the row lacks is left as written, so the gap shows. ``load`` makes
    sure a detection's message is text.
    """

    def sub(m: re.Match) -> str:
        values = [to_str(v) for v in mv_values(row.get(m.group(1)))]
        return ", ".join(values) if values else m.group(0)

    return _TOKEN.sub(sub, template)


def row_dicts(table) -> list[dict]:
    """Result rows as dicts of their non-null cells."""
    return [{k: v for k, v in zip(table.columns, row) if not is_null(v)}
            for row in table.itertuples(index=False, name=None)]
