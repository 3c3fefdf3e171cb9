"""YAML read with libyaml's C loader when PyYAML was built with it (about ten times faster than
the pure-Python loader on security_content's files; the same documents), else the Python one."""
from __future__ import annotations

import yaml

Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def safe_load(text: str):
    """``yaml.safe_load`` with the fastest safe loader available."""
    return yaml.load(text, Loader=Loader)  # a safe loader: plain data only
