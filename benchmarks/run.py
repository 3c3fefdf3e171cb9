"""Time spl against DuckDB (and grep) on the same CloudTrail NDJSON file, in one run.

Usage: python -m benchmarks.run [--records 1000000] [--seed 7] [--repeat 3] [--data FILE]
                                [--cases all|search|events|startup|session|hunt|gzip]
                                [--events-records 200000]
Needs the bench extra (pip install -e '.[bench]'): DuckDB. Writes benchmarks/results.md.

Cases, each run as its own process (so start-up counts, as it does for a user):
- spl, seed detection: ``spl detect`` of the bundled ESCU detection (its search verbatim);
- spl, full scan: ``spl run '`cloudtrail` | stats count by eventSource eventName'``;
- DuckDB: the same two written by hand in SQL over ``read_ndjson_objects`` (all cores);
- with the dask extra installed, spl's full scan on a 2-worker Dask LocalCluster
  (``--scheduler local:2``: the map side of each piece is a task), checked against in-process;
- ``grep -c -F ListFoundationModels``: the floor, one pass over the bytes;
- ``head 1``: its first read (every record's time read, and kept: spl.data.kept), and a run
  after one that kept the times (every other spl case reads as a first read, keeping nothing);
- events out (``--events-records``, 200k by default, a file of their own): ``spl run
  '`cloudtrail` | table *' --format json`` and ``csv`` to a file, against DuckDB's
  ``COPY (SELECT * FROM read_json_auto(F, sample_size=-1)) TO`` a file (every record read for
  the schema: some keys appear only far into the file; its JSON is one object a line and stays
  nested where spl flattens: the same events, not the same bytes).
- start-up (``--cases startup``, written to benchmarks/results_startup.md unless ``--out``):
  ``spl run '`cloudtrail` | stats count'`` over the bundled 24-record example, against the same
  count by DuckDB from Python; ``spl --version`` and ``spl --help``; ``import pandas`` alone
  (what the engine's library costs any search) and a bare interpreter (the floor): what a user
  waits for on a small file.
- REPL/Session (``--cases session``, or all): ``spl.Session`` of the file (the time to the
  prompt) and five analyst searches, against DuckDB's same five queries over the file and over
  a table loaded once (benchmarks/session.py; each search timed inside its process).
- gzip (``--cases gzip``, not part of ``all``): the seed detection and the full scan over the
  same file gzipped (``gzip -6`` into a temporary folder, removed after), side by side with the
  same two searches over the plain file and DuckDB's SQL over the ``.gz``; written to
  benchmarks/results_gzip.md unless ``--out``.

Each case runs ``--repeat`` times, cases interleaved (the machine may be shared); the table
quotes the median wall time, the median CPU time (user + system of the process and the children
it waited for: on a busy machine it moves less than the wall time) and the largest peak memory:
the resident set summed over the process and its children, sampled every 10 ms (spl reads with
worker processes), and at least the kernel's max RSS of the process (os.wait4). The results of
spl and DuckDB are compared.
"""
from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from benchmarks.generate import default_path, generate

ROOT = Path(__file__).resolve().parents[1]
RESULTS = Path(__file__).resolve().parent / "results.md"
RESULTS_STARTUP = RESULTS.with_name("results_startup.md")  # --cases startup alone
DETECTION = ROOT / "spl" / "examples" / "aws_bedrock_high_number_list_foundation_model_failures.yml"
FULL_SCAN = "`cloudtrail` | stats count by eventSource eventName"
# Byte code may be cached, as it is for an installed package (a development shell may forbid it).
# Every spl case reads its files as a first read does: nothing kept by an earlier run
# (spl.data.kept), except the cases of KEPT, each with its own directory of entries.
ENV = {**{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
       "SPL_CACHE_DIR": "off"}

# The seed detection by hand: the add-on's fields it groups by (user = the user_name EVAL's last
# branch, src = sourceIPAddress, dest = eventSource, ...), matching case-insensitively as search does.
DUCK_SEED = """
SET TimeZone = 'UTC';
WITH raw AS (
  SELECT json_extract_string(json, [
    '$.eventSource', '$.eventName', '$.errorCode', '$.errorMessage', '$.sourceIPAddress',
    '$.userIdentity.userName', '$.userIdentity.sessionContext.sessionIssuer.userName',
    '$.userIdentity.arn', '$.requestParameters.roleArn', '$.userAgent',
    '$.userIdentity.accountId', '$.recipientAccountId', '$.awsRegion', '$.eventTime']) AS v
  FROM read_ndjson_objects('{path}')),
ev AS (
  SELECT v[1] AS eventSource, v[2] AS eventName, v[3] AS errorCode, v[4] AS errorMessage,
         v[5] AS src,
         coalesce(v[6], v[7], regexp_extract(coalesce(v[8], v[9]), '([^:/]*)$', 1)) AS "user",
         v[10] AS user_agent, coalesce(v[11], v[12]) AS vendor_account, v[13] AS vendor_region,
         strptime(v[14], '%Y-%m-%dT%H:%M:%SZ') AS t
  FROM raw)
SELECT src, "user", user_agent, vendor_account, 'AWS CloudTrail' AS vendor_product,
       eventSource AS dest, eventName AS signature, vendor_region, count(*) AS count,
       strftime(min(t), '%Y-%m-%dT%H:%M:%S') AS firstTime,
       strftime(max(t), '%Y-%m-%dT%H:%M:%S') AS lastTime,
       list(DISTINCT errorCode ORDER BY errorCode) AS errorCodes,
       list(DISTINCT errorMessage ORDER BY errorMessage) AS errorMessages
FROM ev
WHERE lower(eventSource) = 'bedrock.amazonaws.com' AND lower(eventName) = 'listfoundationmodels'
  AND lower(errorCode) = 'accessdenied'
GROUP BY ALL HAVING count(*) > 9 ORDER BY ALL
"""

DUCK_FULL = """
WITH raw AS (
  SELECT json_extract_string(json, ['$.eventSource', '$.eventName']) AS v
  FROM read_ndjson_objects('{path}'))
SELECT v[1] AS eventSource, v[2] AS eventName, count(*) AS count FROM raw GROUP BY ALL ORDER BY ALL
"""

DUCK_SCRIPT = """
import json, sys, duckdb
con = duckdb.connect()
con.execute("SET enable_progress_bar = false")  # it would print on stdout
*setup, query = [s for s in sys.argv[1].split(";") if s.strip()]
for s in setup:
    con.execute(s)
cur = con.execute(query)
cols = [d[0] for d in cur.description]
print(json.dumps([dict(zip(cols, row)) for row in cur.fetchall()], default=str))
"""


DASK_FULL = "spl: full scan on a 2-worker Dask LocalCluster (--scheduler local:2)"
HEAD_ONE = "spl: head 1 (`cloudtrail` then head 1)"
HEAD_KEPT = "spl: head 1, the times kept by an earlier run"
DUCK_HEAD = "DuckDB: the newest record (SQL)"
KEPT = {HEAD_KEPT}  # run once, not measured, before they are: that run keeps the times
FRESH = {HEAD_ONE}  # a first read that keeps the times (each run in an emptied directory)
DUCK_NEWEST = """
SELECT json->>'eventID' AS eventID FROM read_ndjson_objects('{path}')
ORDER BY json->>'eventTime' DESC LIMIT 1
"""


def cases(path: Path) -> list[tuple[str, list[str]]]:
    py = sys.executable
    dask = []
    try:
        import distributed  # noqa: F401  (the dask extra: the same full scan on a cluster)

        dask = [(DASK_FULL, [py, "-m", "spl.cli", "run", FULL_SCAN, "--data", str(path),
                             "--format", "json", "--scheduler", "local:2"])]
    except ImportError:
        pass
    return [
        ("spl: seed detection", [py, "-m", "spl.cli", "detect", str(DETECTION), "--data",
                                 str(path), "--format", "json"]),
        ("DuckDB: seed detection (SQL)", [py, "-c", DUCK_SCRIPT, DUCK_SEED.format(path=path)]),
        ("spl: full scan (stats count by eventSource eventName)",
         [py, "-m", "spl.cli", "run", FULL_SCAN, "--data", str(path), "--format", "json"]),
        ("DuckDB: full scan (SQL)", [py, "-c", DUCK_SCRIPT, DUCK_FULL.format(path=path)]),
        *dask,
        (HEAD_ONE, [py, "-m", "spl.cli", "run", "`cloudtrail` | head 1", "--data", str(path),
                    "--format", "json"]),
        (HEAD_KEPT, [py, "-m", "spl.cli", "run", "`cloudtrail` | head 1", "--data", str(path),
                     "--format", "json"]),
        (DUCK_HEAD, [py, "-c", DUCK_SCRIPT, DUCK_NEWEST.format(path=path)]),
        ("grep -c -F ListFoundationModels (floor)", ["grep", "-c", "-F", "ListFoundationModels",
                                                     str(path)]),
    ]


GZ_SEED, GZ_FULL = "spl: seed detection, gzipped", "spl: full scan, gzipped"
PLAIN_SEED, PLAIN_FULL = "spl: seed detection, plain file", "spl: full scan, plain file"
DUCK_GZ_SEED, DUCK_GZ_FULL = "DuckDB: seed detection (SQL), gzipped", "DuckDB: full scan (SQL), gzipped"


def gzip_cases(path: Path, gz: Path) -> list[tuple[str, list[str], str]]:
    """(name, argv, the case it is set against) of the gzip group: spl over the gzipped file
    against spl over the plain one, and DuckDB over the gzipped file."""
    py = sys.executable
    spl = {"seed": [py, "-m", "spl.cli", "detect", str(DETECTION), "--data"],
           "full": [py, "-m", "spl.cli", "run", FULL_SCAN, "--data"]}
    out = ["--format", "json"]
    return [
        (PLAIN_SEED, [*spl["seed"], str(path), *out], PLAIN_SEED),
        (GZ_SEED, [*spl["seed"], str(gz), *out], PLAIN_SEED),
        (DUCK_GZ_SEED, [py, "-c", DUCK_SCRIPT, DUCK_SEED.format(path=gz)], PLAIN_SEED),
        (PLAIN_FULL, [*spl["full"], str(path), *out], PLAIN_FULL),
        (GZ_FULL, [*spl["full"], str(gz), *out], PLAIN_FULL),
        (DUCK_GZ_FULL, [py, "-c", DUCK_SCRIPT, DUCK_FULL.format(path=gz)], PLAIN_FULL),
    ]


def _gzip(path: Path, folder: Path) -> Path:
    """The file gzipped (level 6, gzip's default) into ``folder``."""
    gz = folder / (path.name + ".gz")
    if shutil.which("gzip"):
        with open(gz, "wb") as out:
            subprocess.run(["gzip", "-6", "-c", str(path)], stdout=out, check=True)
    else:
        with open(path, "rb") as src, gzip.open(gz, "wb", compresslevel=6) as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
    return gz


def _agree_gzip(outputs: dict[str, bytes]) -> list[str]:
    """Check that the gzipped file gives the plain file's results, and DuckDB's."""
    notes = []
    for plain, packed, duck, key in (
            (PLAIN_SEED, GZ_SEED, DUCK_GZ_SEED, lambda r: (r["src"], r["user"], r["user_agent"],
                                                          str(r["count"]), r["firstTime"],
                                                          r["lastTime"])),
            (PLAIN_FULL, GZ_FULL, DUCK_GZ_FULL, lambda r: (r["eventSource"], r["eventName"],
                                                          str(r["count"])))):
        a, b, c = (json.loads(outputs[n]) for n in (plain, packed, duck))
        notes.append(f"{packed}: {len(b)} rows, the plain file's rows: "
                     f"{'yes' if a == b else 'NO'}; DuckDB's groups and counts: "
                     f"{'yes' if sorted(map(key, b)) == sorted(map(key, c)) else 'NO'}")
    return notes


EXAMPLE = ROOT / "spl" / "examples" / "bedrock_cloudtrail.json"
DUCK_STARTUP = "DuckDB: start-up (count of the same file, from Python)"


def startup_cases() -> list[tuple[str, list[str]]]:
    """Start-up: a search over a 24-record file, the same count in DuckDB, spl's --version and
    --help, pandas's import alone, and Python alone."""
    py = sys.executable
    spl = [py, "-m", "spl.cli"]
    return [
        ("spl: start-up (spl run, stats count over 24 records)",
         [*spl, "run", "`cloudtrail` | stats count", "--data", str(EXAMPLE), "--format", "json"]),
        (DUCK_STARTUP, [py, "-c", DUCK_SCRIPT,
                        f"SELECT count(*) AS count FROM read_ndjson_objects('{EXAMPLE}')"]),
        ("spl --version", [*spl, "--version"]),
        ("spl --help", [*spl, "--help"]),
        ("python -c 'import pandas' (the engine's library alone)", [py, "-c", "import pandas"]),
        ("python -c pass (floor)", [py, "-c", "pass"]),
    ]


EVENTS_OUT = "`cloudtrail` | table *"
DUCK_COPY = """
import sys, duckdb
con = duckdb.connect()
con.execute("SET enable_progress_bar = false")
con.execute(sys.argv[1])
"""


def event_cases(path: Path, out: Path) -> list[tuple[str, list[str], str, Path]]:
    """(name, argv, the DuckDB case it is set against, the file it writes) of the events-out
    cases; spl's output goes to the file through its stdout."""
    py, n = sys.executable, f"{_records(path):,} records"
    runs = []
    for fmt, options in (("json", "FORMAT json"), ("csv", "FORMAT csv, HEADER")):
        spl, duck = f"spl: table * to {fmt} ({n})", f"DuckDB: COPY to {fmt} ({n})"
        copy = (f"COPY (SELECT * FROM read_json_auto('{path}', sample_size=-1)) "
                f"TO '{out / ('duckdb.' + fmt)}' ({options})")
        runs += [(spl, [py, "-m", "spl.cli", "run", EVENTS_OUT, "--data", str(path), "--format",
                        fmt], duck, out / f"spl.{fmt}"),
                 (duck, [py, "-c", DUCK_COPY, copy], duck, out / f"duckdb.{fmt}")]
    return runs


def _records(path: Path) -> int:
    with open(path, "rb") as f:
        return sum(1 for _ in f)


def _json_rows(path: Path, ndjson: bool) -> int:
    """Objects in spl's JSON array (each opens a line "  {") or DuckDB's NDJSON (a line each)."""
    mark = b"\n" if ndjson else b"\n  {"
    count, tail = 0, b""
    with open(path, "rb") as f:
        while chunk := f.read(1 << 24):
            block = tail + chunk
            count += block.count(mark)
            tail = block[len(block) - len(mark) + 1:]
    return count


def _tree_rss(pid: int) -> int:
    """Resident bytes of a process and all its descendants (from /proc)."""
    total, stack = 0, [pid]
    while stack:
        p = stack.pop()
        try:
            with open(f"/proc/{p}/statm") as f:
                total += int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as f:
                    stack.extend(int(c) for c in f.read().split())
        except (OSError, ValueError):
            continue
    return total


def measure(argv: list[str], stdout: Path | None = None, ok: tuple[int, ...] = (0,),
            cpu: list[float] | None = None, env: dict | None = None) -> tuple[float, int, bytes]:
    """(wall seconds, peak bytes, stdout) of one run; with ``stdout``, its output goes to that
    file instead (and b"" is returned). An exit status outside ``ok`` ends the benchmark. The
    run's CPU seconds (user + system, of the process and the children it waited for) are
    appended to ``cpu``: on a shared machine they move less than the wall time. ``env``: more
    environment variables for it."""
    peak = [0]
    sink = open(stdout, "wb") if stdout else subprocess.PIPE
    t0 = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=sink, stderr=subprocess.PIPE, cwd=ROOT,
                            env={**ENV, **(env or {})})
    done = threading.Event()

    def sample():
        while not done.is_set():
            peak[0] = max(peak[0], _tree_rss(proc.pid))
            done.wait(0.01)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out_chunks = [] if proc.stdout else [b""]
    reader = threading.Thread(target=lambda: out_chunks.append(proc.stdout.read()), daemon=True)
    if proc.stdout:
        reader.start()
    err = proc.stderr.read()
    if proc.stdout:
        reader.join()
    else:
        sink.close()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    if cpu is not None:
        cpu.append(usage.ru_utime + usage.ru_stime)
    proc.returncode = os.waitstatus_to_exitcode(status)
    done.set()
    sampler.join()
    if proc.returncode not in ok:
        raise SystemExit(f"{argv[:4]}... failed ({proc.returncode}): {err.decode()[-2000:]}")
    return wall, max(peak[0], usage.ru_maxrss * 1024), out_chunks[0]


def _agree(outputs: dict[str, bytes]) -> list[str]:
    """Check that spl and DuckDB found the same groups and counts."""
    notes = []
    spl_seed = json.loads(outputs["spl: seed detection"])
    duck_seed = json.loads(outputs["DuckDB: seed detection (SQL)"])
    key = lambda r: (r["src"], r["user"], r["user_agent"], str(r["count"]),  # noqa: E731
                     r["firstTime"], r["lastTime"])
    same = sorted(map(key, spl_seed)) == sorted(map(key, duck_seed))
    notes.append(f"seed detection: spl {len(spl_seed)} rows, DuckDB {len(duck_seed)} rows, "
                 f"same groups, counts and times: {'yes' if same else 'NO'}")
    spl_full = json.loads(outputs["spl: full scan (stats count by eventSource eventName)"])
    duck_full = json.loads(outputs["DuckDB: full scan (SQL)"])
    key = lambda r: (r["eventSource"], r["eventName"], str(r["count"]))  # noqa: E731
    same = sorted(map(key, spl_full)) == sorted(map(key, duck_full))
    notes.append(f"full scan: spl {len(spl_full)} rows, DuckDB {len(duck_full)} rows, "
                 f"same counts: {'yes' if same else 'NO'}")
    if HEAD_ONE in outputs and DUCK_HEAD in outputs:
        # equal times: spl takes the last read first, DuckDB any of them; the times must agree
        spl_time = json.loads(outputs[HEAD_ONE])[0]["eventTime"]
        duck_id = json.loads(outputs[DUCK_HEAD])[0]["eventID"]
        notes.append(f"head 1: spl's event {json.loads(outputs[HEAD_ONE])[0]['eventID']} at "
                     f"{spl_time}, DuckDB's {duck_id}")
    if HEAD_KEPT in outputs:
        same = json.loads(outputs[HEAD_KEPT]) == json.loads(outputs[HEAD_ONE])
        notes.append(f"head 1 with the times kept: the same event, every field: "
                     f"{'yes' if same else 'NO'}")
    if DASK_FULL in outputs:
        same = json.loads(outputs[DASK_FULL]) == spl_full
        notes.append(f"full scan on Dask: the same rows as in one process: {'yes' if same else 'NO'}")
    return notes


def _machine() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count()
    import duckdb
    return (f"{os.cpu_count()} cores ({usable} usable), {model}; Python {platform.python_version()},"
            f" DuckDB {duckdb.__version__}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--records", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--data", type=Path, default=None, help="an NDJSON file instead of generating")
    ap.add_argument("--out", type=Path, default=None,
                    help=f"default {RESULTS.name}; {RESULTS_STARTUP.name} for --cases "
                         "startup, results_gzip.md for gzip, results_session.md for session")
    ap.add_argument("--cases", choices=("all", "search", "events", "startup", "session", "hunt",
                                        "gzip"),
                    default="all",
                    help="the searches over --records, the events-out cases, start-up, the "
                         "REPL/Session rows, or all; hunt: spl hunt of the ESCU corpus's "
                         "CloudTrail detections against the sum of spl detect of each "
                         "(benchmarks/hunt.py); gzip: the searches over the --records file "
                         "gzipped, against the plain file")
    ap.add_argument("--corpus", type=Path, default=None,
                    help="with --cases hunt: the ESCU tree (default ../shared/corpus/escu)")
    ap.add_argument("--events-records", type=int, default=200_000,
                    help="records of the events-out cases (table * to json and csv)")
    args = ap.parse_args()
    if args.out is None and args.cases != "hunt":
        args.out = {"gzip": RESULTS.with_name("results_gzip.md"),
                    "session": RESULTS.with_name("results_session.md"),
                    "startup": RESULTS_STARTUP}.get(args.cases, RESULTS)
    if args.cases == "hunt":
        from benchmarks import hunt

        return hunt.main(args)
    try:
        import duckdb  # noqa: F401
    except ImportError:
        print("DuckDB is missing: pip install -e '.[bench]'", file=sys.stderr)
        return 2
    runs, refs, files = [], {}, {}
    lines = []
    path = args.data or default_path(args.records, args.seed)
    if args.cases == "session":
        return _session_table(path, args)
    if args.cases in ("all", "search"):
        if not path.exists():
            print(f"generating {path} ...", file=sys.stderr)
            generate(path, args.records, args.seed)
        runs += cases(path)
        lines.append(f"Benchmark: {_records(path):,} CloudTrail records, "
                     f"{path.stat().st_size / 1e9:.2f} GB NDJSON (benchmarks/generate.py, seed "
                     f"{args.seed}); median of {args.repeat} runs.")
    scratch = tempfile.TemporaryDirectory(prefix="spl-bench-")
    if args.cases == "gzip":
        path = args.data or default_path(args.records, args.seed)
        if not path.exists():
            print(f"generating {path} ...", file=sys.stderr)
            generate(path, args.records, args.seed)
        print(f"gzipping {path} into {scratch.name} ...", file=sys.stderr)
        gz = _gzip(path, Path(scratch.name))
        for name, argv, ref in gzip_cases(path, gz):
            runs.append((name, argv))
            refs[name] = ref
        lines.append(f"Gzipped: {_records(path):,} CloudTrail records, "
                     f"{path.stat().st_size / 1e9:.2f} GB NDJSON, gzipped (level 6) to "
                     f"{gz.stat().st_size / 1e6:.0f} MB; median of {args.repeat} runs. The ratio "
                     f"columns are against spl's same search over the plain file.")
    if args.cases in ("all", "startup"):
        for name, argv in startup_cases():
            runs.append((name, argv))
            refs[name] = DUCK_STARTUP
        lines.append("Start-up: a search over the bundled 24-record example; median of "
                     f"{args.repeat} runs.")
    if args.cases in ("all", "events"):
        events = default_path(args.events_records, args.seed)
        if not events.exists():
            print(f"generating {events} ...", file=sys.stderr)
            generate(events, args.events_records, args.seed)
        for name, argv, ref, target in event_cases(events, Path(scratch.name)):
            runs.append((name, argv))
            refs[name] = ref
            files[name] = target
        lines.append(f"Events out: {args.events_records:,} records, "
                     f"{events.stat().st_size / 1e9:.2f} GB NDJSON, written to a file; "
                     f"median of {args.repeat} runs.")
    walls: dict[str, list[float]] = {name: [] for name, _ in runs}
    cpus: dict[str, list[float]] = {name: [] for name, _ in runs}
    peaks: dict[str, int] = {name: 0 for name, _ in runs}
    outputs: dict[str, bytes] = {}
    envs = {name: {"SPL_CACHE_DIR": str(Path(scratch.name) / f"kept{k}")}
            for k, (name, _) in enumerate(runs) if name in KEPT | FRESH}
    for name, argv in runs:  # the run that keeps the times, not measured
        if name in KEPT:
            measure(argv, env=envs[name])
    for k in range(args.repeat):
        for name, argv in runs:
            if name in FRESH:
                shutil.rmtree(envs[name]["SPL_CACHE_DIR"], ignore_errors=True)
            wall, peak, out = measure(argv, files.get(name), cpu=cpus[name], env=envs.get(name))
            walls[name].append(wall)
            peaks[name] = max(peaks[name], peak)
            outputs[name] = out
            print(f"[{k + 1}/{args.repeat}] {name}: {wall:.2f} s, {peak / 2**20:.0f} MB",
                  file=sys.stderr)
    notes = _agree(outputs) if args.cases in ("all", "search") else []
    if args.cases == "gzip":
        notes += _agree_gzip(outputs)
    for name, target in files.items():
        size = f"{target.stat().st_size / 1e6:.0f} MB"
        if target.suffix == ".json":
            rows = _json_rows(target, ndjson=name.startswith("DuckDB"))
            notes.append(f"{name}: {rows:,} rows, {size}")
        else:
            notes.append(f"{name}: {size}")
    scratch.cleanup()
    med = {name: statistics.median(v) for name, v in walls.items()}
    ref = {"seed": "DuckDB: seed detection (SQL)", "full": "DuckDB: full scan (SQL)"}
    lines += [
        f"Machine: {_machine()}.",
        "",
        "| case | wall time (median) | vs DuckDB | CPU time (median) | peak memory | vs DuckDB |"
        if args.cases != "gzip" else
        "| case | wall time (median) | vs plain file | CPU time (median) | peak memory | vs plain "
        "file |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, _ in runs:
        other = refs.get(name) or (ref["seed"] if "seed" in name or "grep" in name
                                   else DUCK_HEAD if "head 1" in name or name == DUCK_HEAD
                                   else ref["full"])
        lines.append(f"| {name} | {med[name]:.2f} s | {med[name] / med[other]:.2f}x | "
                     f"{statistics.median(cpus[name]):.2f} s | "
                     f"{peaks[name] / 2**20:.0f} MB | {peaks[name] / peaks[other]:.2f}x |")
    lines += ["", *[f"- {n}" for n in notes],
              "- all runs (s): " + "; ".join(f"{n}: " + ", ".join(f"{w:.2f}" for w in v)
                                             for n, v in walls.items())]
    if args.cases == "all":
        lines += ["", *_session_lines(path, args.repeat)]
    text = "\n".join(lines) + "\n"
    args.out.write_text(text)
    print(text)
    return 0


def _session_table(path: Path, args) -> int:
    if not path.exists():
        print(f"generating {path} ...", file=sys.stderr)
        generate(path, args.records, args.seed)
    lines = [f"Machine: {_machine()}.", "", *_session_lines(path, args.repeat)]
    text = "\n".join(lines) + "\n"
    args.out.write_text(text)
    print(text)
    return 0


def _session_lines(path: Path, repeat: int) -> list[str]:
    """The REPL/Session table: open and five searches, spl against DuckDB (benchmarks/session.py)."""
    from benchmarks.session import SEARCHES

    kinds = {"spl": "spl.Session", "spl-kept": "spl.Session, times kept by an earlier run",
             "duckdb-file": "DuckDB over the file", "duckdb-table": "DuckDB over a loaded table"}
    runs: dict[str, list[dict]] = {k: [] for k in kinds}
    peaks = dict.fromkeys(kinds, 0)
    scratch = tempfile.TemporaryDirectory(prefix="spl-bench-")
    kept = {"SPL_CACHE_DIR": scratch.name}  # spl-kept's entries (spl.data.kept)

    def argv(kind: str) -> list[str]:
        return [sys.executable, "-m", "benchmarks.session", kind.removesuffix("-kept"),
                str(path), str(ROOT / "macros")]
    measure(argv("spl"), env=kept)  # the first read that keeps the times: not measured
    for k in range(repeat):
        for kind in kinds:
            wall, peak, out = measure(argv(kind), env=kept if kind == "spl-kept" else None)
            runs[kind].append(json.loads(out))
            peaks[kind] = max(peaks[kind], peak)
            print(f"[{k + 1}/{repeat}] session {kind}: {wall:.2f} s, {peak / 2**20:.0f} MB",
                  file=sys.stderr)

    def med(kind: str, name: str) -> float:
        return statistics.median(r["open"] if name == "open" else r["searches"][name]
                                 for r in runs[kind])

    lines = [f"REPL/Session: {_records(path):,} records; medians of {repeat} runs, each search "
             "timed inside its process.", "",
             "| step | spl.Session | spl.Session, times kept | DuckDB over the file | "
             "spl vs DuckDB (file) | DuckDB over a loaded table |",
             "|---|---:|---:|---:|---:|---:|"]
    for name in ("open", *SEARCHES):
        shown = ("open (time to the prompt)" if name == "open"
                 else "`` " + SEARCHES[name][0].replace("|", "\\|") + " ``")  # | splits a row
        mine, file_, table = med("spl", name), med("duckdb-file", name), med("duckdb-table", name)
        ratio = f"{mine / file_:.2f}x" if name != "open" else "-"  # the file: nothing to open
        lines.append(f"| {shown} | {mine:.2f} s | {med('spl-kept', name):.2f} s | "
                     f"{file_:.2f} s | {ratio} | {table:.2f} s |")
    lines.append("| peak memory | " + " | ".join(
        f"{peaks[k] / 2**20:.0f} MB" for k in ("spl", "spl-kept", "duckdb-file")) + " | | "
        f"{peaks['duckdb-table'] / 2**20:.0f} MB |")
    scratch.cleanup()
    rows = {k: runs[k][-1]["rows"] for k in kinds}
    lines.append("")
    lines.append("- rows returned (spl / spl, times kept / DuckDB file / DuckDB table): "
                 + "; ".join(f"{n}: {rows['spl'][n]} / {rows['spl-kept'][n]} / "
                             f"{rows['duckdb-file'][n]} / {rows['duckdb-table'][n]}"
                             for n in SEARCHES))
    return lines


if __name__ == "__main__":
    sys.exit(main())
