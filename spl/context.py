"""What a running search can see besides its table: the clock, the time zone, the session."""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Context:
    """Per-search state. ``now`` is fixed when the search starts, as Splunk's ``now()`` is.

    ``tz`` is an IANA zone name used to render and parse times (``UTC`` unless the user sets one).
    ``text`` is the expanded search text, so that a command can raise an error with a caret.
    """

    now: float = field(default_factory=time.time)
    tz: str = "UTC"
    text: str = ""
    session: Any = None
