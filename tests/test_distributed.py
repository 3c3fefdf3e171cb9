"""A search on a Dask cluster (spl.distributed) gives the rows spl gives in one process.

A LocalCluster of 2 workers (threads, processes=False: quick to start on a small machine) maps
pieces of generated CloudTrail (benchmarks.generate) as tasks: NDJSON in pieces of 64 kB, a
gzipped copy as one task; the merge runs here. Skipped without the dask extra.
"""
from __future__ import annotations

import gzip
import shutil
import sys
from pathlib import Path

import pytest

from spl.context import Context
from spl.errors import SplError

ROOT = Path(__file__).resolve().parents[1]
MACROS = ROOT / "macros"
NOW = 1_772_900_000.0

SEARCHES = [
    "`cloudtrail` | stats count by eventSource eventName",
    "`cloudtrail` errorCode=* | stats count dc(sourceIPAddress) values(errorCode) "
    "earliest(eventName) latest(eventName) first(awsRegion) last(awsRegion) by eventSource",
    "`cloudtrail` | head 7 | table _time eventName",
    "`cloudtrail` | dedup eventSource | table eventSource eventName _time",
    "`cloudtrail` eventName=ListFoundationModels | table _time eventName sourceIPAddress",
    "`cloudtrail` | top 5 eventName",
]


def _rows(table):
    return list(table.columns), [tuple(repr(v) for v in row)
                                 for row in table.itertuples(index=False, name=None)]


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    sys.path.insert(0, str(ROOT))
    from benchmarks.generate import generate

    folder = tmp_path_factory.mktemp("ct")
    plain = generate(folder / "a.ndjson", 1500, seed=3)
    other = generate(folder / "b.ndjson", 500, seed=4)
    with open(other, "rb") as src, gzip.open(folder / "b.ndjson.gz", "wb") as dst:
        shutil.copyfileobj(src, dst)
    other.unlink()
    return [plain, folder / "b.ndjson.gz"]


@pytest.fixture(scope="module")
def client():
    pytest.importorskip("distributed", reason="dask is not installed: pip install "
                                              "'spl-cloudtrail[dask]' to run these tests")
    from spl.distributed import connect

    c = connect("local:2", processes=False)
    yield c
    cluster = c.cluster
    c.close()
    cluster.close()


@pytest.mark.parametrize("search", SEARCHES)
def test_cluster_equals_one_process(search, files, client):
    from spl import mapreduce, session
    from spl.distributed import map_on_cluster
    from spl.frontend import parse_search
    from spl.mapjob import MapJob
    from spl.plan import required_fields, search_terms

    parsed = parse_search(search, [MACROS])
    job = MapJob(parsed.pipeline, "UTC", NOW, parsed.expanded)
    partials, _ = map_on_cluster(client, files, mapper=job, piece_bytes=64 << 10,
                                 fields=required_fields(parsed.pipeline),
                                 terms=search_terms(parsed.pipeline))
    assert len(partials) > 10  # many pieces, merged here
    got = mapreduce.reduce_partials(mapreduce.plan(parsed.pipeline), partials,
                                    Context(now=NOW, text=parsed.expanded))
    want = session.Session(files, macros=[MACROS]).run(parsed, now=NOW)
    assert _rows(got) == _rows(want)


def test_without_dask_the_option_says_what_to_install(monkeypatch):
    from spl import distributed

    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed fails
    with pytest.raises(SplError) as err:
        distributed.connect("local:2")
    assert "spl-cloudtrail[dask]" in err.value.message


def test_a_bad_scheduler_address_is_refused():
    pytest.importorskip("distributed")
    from spl import distributed

    for bad in ("local:0", "local:x", "host:8786"):
        with pytest.raises(SplError):
            distributed.connect(bad)
