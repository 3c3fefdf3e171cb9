"""The hunt row: every CloudTrail detection of the shared ESCU corpus over one file, as one
``spl hunt`` against the sum of one ``spl detect`` per detection (each its own process, as a
user would run them).

Usage: python -m benchmarks.run --cases hunt [--records 1000000] [--repeat 1]
       [--corpus ../shared/corpus/escu]
Writes benchmarks/results_hunt.md.
"""
from __future__ import annotations

import statistics
import sys
from pathlib import Path

from benchmarks.generate import default_path, generate

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus" / "escu"
RESULTS = Path(__file__).resolve().parent / "results_hunt.md"


def cloudtrail_detections(corpus: Path) -> list[Path]:
    """The corpus's detections whose search reads CloudTrail (those the hunt runs)."""
    from spl import detections
    from spl.hunt.runner import reads
    from spl.testing.runner import find_detections

    out = []
    for path in find_detections([corpus / "detections"]):
        try:
            if reads(detections.load(path).search, "aws:cloudtrail"):
                out.append(path)
        except Exception:  # a file the hunt lists as an error: not a detect run either
            continue
    return out


def main(args) -> int:
    import os
    import platform

    from benchmarks.run import measure

    corpus = Path(args.corpus) if getattr(args, "corpus", None) else CORPUS
    if not corpus.is_dir():
        print(f"no ESCU corpus at {corpus}", file=sys.stderr)
        return 2
    path = args.data or default_path(args.records, args.seed)
    if not path.exists():
        print(f"generating {path} ...", file=sys.stderr)
        generate(path, args.records, args.seed)
    py = sys.executable
    dets = cloudtrail_detections(corpus)
    content = ["--macros", str(corpus / "macros"), "--lookups", str(corpus / "lookups")]
    hunt_argv = [py, "-m", "spl.cli", "hunt", str(corpus / "detections"), "--data", str(path),
                 "--format", "json", *content]
    hunts, sums, peaks = [], [], [0, 0]
    for k in range(args.repeat):
        wall, peak, _ = measure(hunt_argv, ok=(0, 1))  # 1: findings
        hunts.append(wall)
        peaks[0] = max(peaks[0], peak)
        print(f"[{k + 1}/{args.repeat}] spl hunt: {wall:.2f} s, {peak / 2**20:.0f} MB",
              file=sys.stderr)
        total = 0.0
        for det in dets:
            # a detection spl detect cannot run (exit 1 or 2) costs its time too
            wall, peak, _ = measure([py, "-m", "spl.cli", "detect", str(det), "--data",
                                     str(path), "--format", "json", *content], ok=(0, 1, 2))
            total += wall
            peaks[1] = max(peaks[1], peak)
        sums.append(total)
        print(f"[{k + 1}/{args.repeat}] {len(dets)} x spl detect: {total:.2f} s",
              file=sys.stderr)
    hunt, each = statistics.median(hunts), statistics.median(sums)
    text = "\n".join([
        f"Hunt benchmark: the {len(dets)} CloudTrail detections of the ESCU corpus over "
        f"{path.stat().st_size / 1e9:.2f} GB NDJSON ({args.records:,} records, seed "
        f"{args.seed}); median of {args.repeat} run(s).",
        f"Machine: {os.cpu_count()} cores, Python {platform.python_version()}.", "",
        "| case | wall time | vs hunt | peak memory |", "|---|---:|---:|---:|",
        f"| spl hunt (all {len(dets)}, one process) | {hunt:.2f} s | 1.00x | "
        f"{peaks[0] / 2**20:.0f} MB |",
        f"| sum of {len(dets)} x spl detect | {each:.2f} s | {each / hunt:.2f}x | "
        f"{peaks[1] / 2**20:.0f} MB (largest) |", ""])
    RESULTS.write_text(text)
    print(text)
    return 0
