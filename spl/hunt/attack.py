"""MITRE ATT&CK: the tactics a technique serves, for a risk event's annotations.

``attack_tactics.csv`` holds the technique -> tactic facts of the techniques the ESCU CloudTrail
detections name, taken from the technique pages of MITRE ATT&CK Enterprise
(https://attack.mitre.org/techniques/<id>/, "Tactics:"), with the tactic's ID and short name as
ATT&CK writes them (``TA0007``, ``discovery``). A technique not in the file has no tactic here
(ES's enrichment would leave it out too when its ATT&CK data lacks it); ``unmapped`` lists them.
"""
from __future__ import annotations

import csv
from functools import cache
from importlib import resources


@cache
def _table() -> dict[str, list[tuple[str, str]]]:
    text = (resources.files("spl.hunt") / "attack_tactics.csv").read_text(encoding="utf-8")
    out: dict[str, list[tuple[str, str]]] = {}
    for row in csv.DictReader(text.splitlines()):
        out.setdefault(row["technique_id"], []).append((row["tactic_id"], row["tactic"]))
    return out


def tactics(techniques) -> list[tuple[str, str]]:
    """(tactic id, tactic short name) of every tactic the techniques serve, each once, in order
    of the techniques."""
    seen: dict[tuple[str, str], None] = {}
    for t in techniques:
        for pair in _table().get(str(t), ()):
            seen.setdefault(pair)
    return list(seen)


def unmapped(techniques) -> list[str]:
    """The techniques this module knows no tactic of."""
    return [str(t) for t in techniques if str(t) not in _table()]
