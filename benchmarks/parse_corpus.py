"""Time parsing the whole ESCU corpus (comments, macros and grammar), and print searches/second.

Usage: python benchmarks/parse_corpus.py [--repeat N] [SHARED_DIR]
The goal is under 2 ms per search on average (the grammar is compiled once, outside the timing).
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import yaml

from spl.errors import SplError
from spl.frontend import parse_search
from spl.macros import MacroLibrary

DEFAULT_SHARED = Path(__file__).resolve().parents[1].parent / "shared"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("shared", nargs="?", type=Path, default=DEFAULT_SHARED)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    escu = args.shared / "corpus" / "escu"
    if not escu.is_dir():
        print(f"{escu} is absent: nothing to time", file=sys.stderr)
        return 2
    searches = []
    for path in sorted((escu / "detections").rglob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if isinstance(data, dict) and isinstance(data.get("search"), str):
            searches.append(data["search"])
    library = MacroLibrary.load([escu / "macros"])
    parse_search(searches[0], library=library)  # compile the grammar outside the timing

    best = float("inf")
    failed = 0
    for _ in range(args.repeat):
        failed = 0
        start = time.perf_counter()
        for text in searches:
            try:
                parse_search(text, library=library)
            except SplError:
                failed += 1
        best = min(best, time.perf_counter() - start)
    chars = sum(len(s) for s in searches)
    print(f"{len(searches)} searches ({chars / len(searches):.0f} characters on average), "
          f"{failed} failed to parse")
    print(f"best of {args.repeat}: {best:.3f} s = {len(searches) / best:.0f} searches/second, "
          f"{best / len(searches) * 1000:.2f} ms per search")
    return 0


if __name__ == "__main__":
    sys.exit(main())
