"""What a running search can see besides its table: the clock, the time zone, the session, and
the warnings it has for the user."""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Context:
    """Per-search state. ``now`` is fixed when the search starts, as Splunk's ``now()`` is.

    ``tz`` is an IANA zone name used to render and parse times (``UTC`` unless the user sets one).
    ``text`` is the expanded search text, so that a command can raise an error with a caret.
    ``warnings`` are what Splunk shows as job messages: a limit that cut a result short (each
    text once, in the order first met). ``Session.last_warnings`` and the CLI's stderr show them.
    """

    now: float = field(default_factory=time.time)
    tz: str = "UTC"
    text: str = ""
    session: Any = None
    warnings: list[str] = field(default_factory=list)

    def warn(self, text: str) -> None:
        """Tell the user about a limit that changed the answer (once per search per text)."""
        if text not in self.warnings:
            self.warnings.append(text)
