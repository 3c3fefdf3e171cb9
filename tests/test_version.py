"""``spl --version`` prints the version written once, in pyproject.toml."""
import tomllib
from pathlib import Path

import pytest

from spl.cli import DISTRIBUTION, main

PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"


def test_version_is_pyprojects(capsys):
    project = tomllib.loads(PYPROJECT.read_text())["project"]
    assert project["name"] == DISTRIBUTION
    with pytest.raises(SystemExit) as stop:
        main(["--version"])
    assert stop.value.code == 0
    assert capsys.readouterr().out == f"spl {project['version']}\n"


def test_version_is_listed_in_help(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    assert "--version" in capsys.readouterr().out
