"""The REPL/Session rows of the benchmark (issue 13): open a file and run five analyst searches.

Run by benchmarks/run.py as separate processes (so that each one's peak memory is its own):

- ``spl``: ``spl.Session(FILE)`` (the time to the prompt: loading reads each record's _time),
  then the five SEARCHES, each timed;
- ``duckdb-file``: the same five questions in SQL, each over the file (``read_ndjson_objects``);
- ``duckdb-table``: for reference, the file loaded once into a table, then the five queries.

Imports happen before the clock starts on both sides. Each prints one JSON object: {"open": seconds, "searches": {name: seconds}, "rows": {name: n}}.
Results are DataFrames on both sides (DuckDB's ``.df()``), as a Python user gets them.
"""
from __future__ import annotations

import json
import sys
import time

# name -> (SPL, SQL over {src}: a relation with the record's JSON text as ``json``)
SEARCHES = {
    "rare term": ("`cloudtrail` ListFoundationModels | table _time sourceIPAddress errorCode",
                  "SELECT json->>'eventTime' AS t, json->>'sourceIPAddress' AS src, "
                  "json->>'errorCode' AS errorCode FROM {src} "
                  "WHERE contains(lower(json::VARCHAR), 'listfoundationmodels') ORDER BY t DESC"),
    "stats count by": ("`cloudtrail` | stats count by eventSource eventName",
                       "SELECT json->>'eventSource' AS s, json->>'eventName' AS n, count(*) "
                       "FROM {src} GROUP BY ALL ORDER BY ALL"),
    "head 10": ("`cloudtrail` | head 10",
                "SELECT json FROM {src} ORDER BY json->>'eventTime' DESC LIMIT 10"),
    "dedup": ("`cloudtrail` | dedup eventName | table _time eventName eventSource",
              "SELECT json->>'eventName' AS n, arg_max(json->>'eventSource', json->>'eventTime'),"
              " max(json->>'eventTime') FROM {src} GROUP BY ALL"),
    "table of 5 fields": ("`cloudtrail` | table _time eventName eventSource sourceIPAddress "
                          "awsRegion",
                          "SELECT json->>'eventTime', json->>'eventName', json->>'eventSource', "
                          "json->>'sourceIPAddress', json->>'awsRegion' FROM {src} "
                          "ORDER BY json->>'eventTime' DESC"),
}


def run_spl(path: str, macros: str) -> dict:
    from spl.session import Session  # imports pandas (DuckDB's side imports it too)

    t0 = time.perf_counter()
    session = Session(path, macros=[macros])
    out: dict = {"open": time.perf_counter() - t0, "searches": {}, "rows": {}}
    print(f"open: {out['open']:.2f} s", file=sys.stderr)
    for name, (search, _) in SEARCHES.items():
        t0 = time.perf_counter()
        table = session.run(search)
        out["searches"][name] = time.perf_counter() - t0
        out["rows"][name] = len(table)
        print(f"{name}: {out['searches'][name]:.2f} s", file=sys.stderr)
    return out


def run_duckdb(path: str, loaded: bool) -> dict:
    import duckdb
    import pandas  # noqa: F401  (.df() needs it: imported before the clock, as spl's is)

    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    src = f"read_ndjson_objects('{path}')"
    t0 = time.perf_counter()
    if loaded:
        con.execute(f"CREATE TABLE events AS SELECT json FROM {src}")
        src = "events"
    out: dict = {"open": time.perf_counter() - t0, "searches": {}, "rows": {}}
    for name, (_, sql) in SEARCHES.items():
        t0 = time.perf_counter()
        frame = con.execute(sql.format(src=src)).df()
        out["searches"][name] = time.perf_counter() - t0
        out["rows"][name] = len(frame)
    return out


if __name__ == "__main__":
    kind, path = sys.argv[1], sys.argv[2]
    if kind == "spl":
        result = run_spl(path, sys.argv[3])
    else:
        result = run_duckdb(path, loaded=kind == "duckdb-table")
    print(json.dumps(result))
