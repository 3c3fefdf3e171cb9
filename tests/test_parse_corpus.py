"""Every ESCU detection in ../shared parses (with ESCU's macros plus ours): never a syntax or
macro error. Commands the engine lacks are fine here ("unsupported")."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from spl.check import check_search
from spl.macros import MacroLibrary


def detections(shared: Path) -> list[tuple[Path, str]]:
    root = shared / "corpus" / "escu" / "detections"
    found = []
    for path in sorted(root.rglob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if isinstance(data, dict) and isinstance(data.get("search"), str):
            found.append((path, data["search"]))
    return found


def test_every_escu_detection_parses(shared):
    library = MacroLibrary.load([shared / "corpus" / "escu" / "macros"])
    searches = detections(shared)
    assert len(searches) >= 399  # cloud, application, web and removed/
    assert any("removed" in p.parts for p, _ in searches)
    failures = []
    for path, search in searches:
        status, message = check_search(search, library)
        if status in ("syntax_error", "macro_error"):
            failures.append(f"{path.relative_to(shared)}: {message}")
    assert not failures, "\n\n".join(failures[:10])


@pytest.mark.parametrize("name", ["aws_bedrock_high_number_list_foundation_model_failures.yml"])
def test_seed_is_fully_supported_by_the_parser(shared, name):
    library = MacroLibrary.load([shared / "corpus" / "escu" / "macros"])
    search = yaml.safe_load((shared / "seed" / name).read_text())["search"]
    status, message = check_search(search, library)
    assert status in ("ok", "unsupported"), message
