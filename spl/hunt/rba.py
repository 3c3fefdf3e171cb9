"""Risk-based alerting as Enterprise Security does it: a detection's risk settings, and the
findings and risk events its result rows become.

A detection says what to score in one of security_content's layouts:

- ``rba:`` (2024 on): ``message``, ``risk_objects`` (field, type, score), ``threat_objects``
  (field, type);
- ``finding:`` (2026): ``title`` and one ``entity`` (field, type, score), ``threat_objects`` at
  the top level; ``intermediate_findings: entities:`` (2026) the same with a ``message`` each;
- ``tags:`` (before 2024): ``risk_score`` and ``observable`` entries (name, type, role): a
  ``Victim`` is a risk object scored ``risk_score``, an ``Attacker`` a threat object, and the
  message is ``tags: message``.

ES's risk action writes one risk event per risk object per result row, with the fields of the
CIM Risk data model's All_Risk object (spl/datamodels/Risk.json: risk_object, risk_object_type,
risk_score, risk_message, threat_object, threat_object_type, search_name, annotations...), which
ES's risk incident rules read (https://docs.splunk.com/Documentation/ES/7.3.0/RBA/Usedefaultriskincidentrules).
``search_name`` and ``source`` are the correlation search's name, which ESCU makes "<detection
name> - Rule". spl's choices where the documentation is silent: a multivalue risk object field
gives one risk event per value, a null one none; with no asset and identity framework here,
``calculated_risk_score`` is ``risk_score`` (no modifiers) and ``normalized_risk_object`` is the
risk object as written.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from spl.detections import fill_message
from spl.errors import ConfigError
from spl.hunt import attack
from spl.values import is_null, mv_values, to_str

# contentctl's reading of the older observables: these types are risk objects of type
# "system" or "user"; any other Victim is "other".
_SYSTEM = {"hostname", "ip address", "endpoint"}
_USER = {"user", "username", "email address"}


@dataclass(frozen=True)
class RiskObject:
    field: str
    type: str
    score: int | float
    message: str | None = None  # intermediate_findings give each entity its own


@dataclass(frozen=True)
class ThreatObject:
    field: str
    type: str


@dataclass
class RiskConfig:
    """What a detection's results are scored with, and what annotates them."""

    message: str | None = None
    risk_objects: list[RiskObject] = field(default_factory=list)
    threat_objects: list[ThreatObject] = field(default_factory=list)
    mitre: list[str] = field(default_factory=list)
    stories: list[str] = field(default_factory=list)
    drilldowns: list[dict] = field(default_factory=list)

    @property
    def tactics(self) -> list[tuple[str, str]]:
        return attack.tactics(self.mitre)


def risk_config(doc: dict, file: str) -> RiskConfig:
    """The risk settings of a detection document (any layout); a malformed one is a
    ConfigError naming the file and key."""
    found = doc.get("tags")
    tags: dict = found if isinstance(found, dict) else {}
    cfg = RiskConfig(mitre=_texts(doc.get("mitre_attack_id") or tags.get("mitre_attack_id")),
                     stories=_texts(doc.get("analytic_story") or tags.get("analytic_story")),
                     drilldowns=[d for d in doc.get("drilldown_searches") or []
                                 if isinstance(d, dict) and isinstance(d.get("search"), str)])
    rba, finding = doc.get("rba"), doc.get("finding")
    inter = doc.get("intermediate_findings")
    if isinstance(rba, dict):
        cfg.message = _text(rba.get("message"), "rba.message", file)
        cfg.risk_objects = _risk(rba.get("risk_objects"), "rba.risk_objects", file)
        cfg.threat_objects = _threat(rba.get("threat_objects"), "rba.threat_objects", file)
    elif isinstance(finding, dict) or isinstance(inter, dict):
        if isinstance(finding, dict):
            cfg.message = _text(finding.get("title"), "finding.title", file)
            cfg.risk_objects = _risk(finding.get("entity"), "finding.entity", file)
        elif isinstance(inter, dict):
            cfg.risk_objects = _risk(inter.get("entities"), "intermediate_findings.entities",
                                     file)
        cfg.threat_objects = _threat(doc.get("threat_objects"), "threat_objects", file)
    elif "risk_score" in tags or "observable" in tags:
        _older(cfg, tags, file)
    return cfg


def _score(value, key: str, file: str) -> int | float:
    """A risk score: a number (a whole one as an int: 25.0 scores 25)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ConfigError(f"'{key}' must be a number, not {value!r}", file=file)
    return int(value) if float(value).is_integer() else value


def _older(cfg: RiskConfig, tags: dict, file: str) -> None:
    score = _score(tags.get("risk_score"), "tags.risk_score", file)
    cfg.message = _text(tags.get("message"), "tags.message", file)
    for obs in tags.get("observable") or []:
        if not isinstance(obs, dict) or not isinstance(obs.get("name"), str):
            raise ConfigError("'tags.observable' has an entry without a 'name:'", file=file)
        kind = str(obs.get("type") or "Other")
        roles = obs.get("role") or []
        if "Victim" in roles:
            low = kind.lower()
            rtype = "system" if low in _SYSTEM else "user" if low in _USER else "other"
            cfg.risk_objects.append(RiskObject(obs["name"], rtype, score))
        if "Attacker" in roles:
            ttype = "url" if kind == "URL String" else re.sub(r"\W+", "_", kind.lower())
            cfg.threat_objects.append(ThreatObject(obs["name"], ttype))


def _texts(value) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else []


def _text(value, key: str, file: str) -> str | None:
    if value is not None and not isinstance(value, str):
        raise ConfigError(f"'{key}' must be text", file=file)
    return value


def _entries(value, key: str, file: str) -> list[dict]:
    if value is None:
        return []
    if isinstance(value, dict):
        value = [value]
    if not isinstance(value, list) or not all(
            isinstance(e, dict) and isinstance(e.get("field"), str) and e["field"]
            for e in value):
        raise ConfigError(f"'{key}' must be a list of mappings with a 'field:'", file=file)
    return value


def _risk(value, key: str, file: str) -> list[RiskObject]:
    out = []
    for e in _entries(value, key, file):
        score = _score(e.get("score"), f"{key} entry {e['field']!r}: score", file)
        out.append(RiskObject(e["field"], str(e.get("type") or "other"), score,
                              _text(e.get("message"), f"{key}.message", file)))
    return out


def _threat(value, key: str, file: str) -> list[ThreatObject]:
    return [ThreatObject(e["field"], str(e.get("type") or "other"))
            for e in _entries(value, key, file)]


# ---------------------------------------------------------------- rows -> findings, risk events

def printed(value):
    """A result cell as Splunk prints it: text, a list of texts (multivalue), or None."""
    values = [to_str(v) for v in mv_values(value)]
    if not values:
        return None
    return values[0] if len(values) == 1 else values


def row_time(row: dict, default: float) -> float:
    """The time of a finding: its row's ``_time``, else a numeric ``firstTime``/``lastTime``
    (before security_content_ctime made them text), else ``default`` (when the search ran)."""
    for name in ("_time", "firstTime", "lastTime"):
        value = row.get(name)
        if isinstance(value, (int, float)) and not isinstance(value, bool) and not is_null(value):
            return float(value)
        if isinstance(value, str):
            try:
                return float(value)
            except ValueError:
                continue
    return default


def finding(name: str, det_id: str, file: str, k: int, row: dict, cfg: RiskConfig,
            when: float) -> dict:
    """One result row as a finding of the hunt document (docs: HUNT_JSON)."""
    msg = fill_message(cfg.message, row) if cfg.message else None
    risk = [{"field": ro.field, "value": v, "type": ro.type, "score": ro.score,
             "message": fill_message(ro.message, row) if ro.message else msg}
            for ro in cfg.risk_objects for v in _values(row.get(ro.field))]
    threat = [{"field": to.field, "value": v, "type": to.type}
              for to in cfg.threat_objects for v in _values(row.get(to.field))]
    tactics = cfg.tactics
    return {"detection": name, "detection_id": det_id, "file": file, "row_index": k,
            "_time": row_time(row, when),
            "fields": {c: printed(v) for c, v in row.items() if printed(v) is not None},
            "risk_message": msg if msg is not None else (risk[0]["message"] if risk else None),
            "risk_objects": risk, "threat_objects": threat, "mitre_attack": list(cfg.mitre),
            "tactics": [t for _, t in tactics], "tactic_ids": [i for i, _ in tactics],
            "analytic_story": list(cfg.stories), "drilldowns": []}


def _values(cell) -> list[str]:
    return [s for s in (to_str(v) for v in mv_values(cell)) if s not in (None, "")]


def risk_events(f: dict, search_name: str, description: str = "") -> list[dict]:
    """The risk events of a finding: one per risk object value (ES's risk index rows)."""
    out = []
    for ro in f["risk_objects"]:
        message = ro["message"] if ro["message"] is not None else search_name
        out.append({
            "_time": f["_time"], "search_name": search_name, "source": search_name,
            "risk_object": ro["value"], "risk_object_type": ro["type"],
            "normalized_risk_object": ro["value"], "risk_object_field": ro["field"],
            "risk_score": ro["score"], "calculated_risk_score": ro["score"],
            "risk_message": message,
            "threat_object": [t["value"] for t in f["threat_objects"]],
            "threat_object_type": [t["type"] for t in f["threat_objects"]],
            "threat_object_field": [t["field"] for t in f["threat_objects"]],
            "annotations.mitre_attack": list(f["mitre_attack"]),
            "annotations.mitre_attack.mitre_technique_id": list(f["mitre_attack"]),
            "annotations.mitre_attack.mitre_tactic": list(f["tactics"]),
            "annotations.mitre_attack.mitre_tactic_id": list(f["tactic_ids"]),
            "annotations._all": [*f["mitre_attack"], *f["tactics"], *f["tactic_ids"]],
            "analyticstories": list(f["analytic_story"]),
            "savedsearch_description": description,
        })
    return out
