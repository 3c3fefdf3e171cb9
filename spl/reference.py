"""The reference of what spl runs, generated from the registries: commands (spl.commands, each
with its ``doc`` and ``syntax``), eval functions (spl.eval.functions) and stats functions
(spl.aggregates). ``spl help commands|functions`` prints it; ``docs/reference.md`` is the two
joined (``python -m spl.reference > docs/reference.md``), and a test keeps the file up to date.
"""
from __future__ import annotations

import sys

HEADER = ("# Supported commands and functions\n\n"
          "Generated from spl's registries by `python -m spl.reference > docs/reference.md` "
          "(`spl help commands` and `spl help functions` print the same); a test fails when it "
          "is out of date. A command or function not listed here is reported as unsupported, "
          "with its position, by `spl check` and at run time. A command's syntax is the Search "
          "Reference's, shortened; an option spl does not take is a clear error naming it.\n\n")


def _escape(text: str) -> str:
    """Markdown-safe inline text (a ``|`` would split a table cell)."""
    return text.replace("|", "\\|")


def commands() -> str:
    """Every command the engine runs: its syntax and one-line description, by name."""
    from spl import commands as registry

    lines = ["## Commands\n", "| command | syntax | what it does |", "|---|---|---|"]
    for name in registry.supported():
        spec = registry.spec(name)
        assert spec is not None  # listed by supported()
        lines.append(f"| {name} | `{_escape(spec.syntax)}` | {_escape(spec.doc)} |")
    return "\n".join(lines) + "\n"


def functions() -> str:
    """Every eval function and stats function: its call and one-line description."""
    from spl import aggregates
    from spl.eval import functions as registry

    lines = ["## Eval functions\n", "| function | what it does |", "|---|---|"]
    for name in registry.names():
        spec = registry.lookup(name)
        assert spec is not None  # listed by names()
        call, _, what = spec.doc.partition(": ")
        lines.append(f"| `{_escape(call)}` | {_escape(what)} |")
    lines += ["", "## Stats functions\n",
              "For stats, eventstats, streamstats and tstats; `<N>` is a percentile "
              "from 0 to 100.\n", "| function | what it does |", "|---|---|"]
    for name in aggregates.names():
        agg = aggregates.lookup(name.replace("<N>", "50"))
        assert agg is not None  # listed by names()
        lines.append(f"| `{name}(field)` | {_escape(agg.doc)} |")
    return "\n".join(lines) + "\n"


def document() -> str:
    """docs/reference.md."""
    return HEADER + commands() + "\n" + functions()


if __name__ == "__main__":
    sys.stdout.write(document())
