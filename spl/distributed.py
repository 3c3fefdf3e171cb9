"""A search on a Dask cluster: the map side of every piece of data is a task, the merge runs here.

``--scheduler tcp://host:8786`` (or SPL_SCHEDULER) uses a running dask.distributed scheduler;
``--scheduler local:N`` starts a LocalCluster of N workers. The tasks are the same plain
functions the local reader runs (spl.data.map_piece / map_whole over spl.mapjob.MapJob, which
runs spl.mapreduce's map side), so the answer is the one spl gives in one process. The data's
paths must be readable by the workers (a LocalCluster's are this machine's).

Dask is an optional extra: ``pip install 'spl-cloudtrail[dask]'``.
"""
from __future__ import annotations

import os

from spl.errors import SplError

ENV = "SPL_SCHEDULER"
INSTALL = "install spl-cloudtrail[dask] (pip install 'spl-cloudtrail[dask]') to use --scheduler"


class SchedulerError(SplError):
    """The scheduler option cannot be used (no dask, a bad address)."""


def scheduler_option(value: str | None) -> str | None:
    """The scheduler to use: the option, else the environment variable, else None."""
    return value or os.environ.get(ENV) or None


def connect(scheduler: str, *, processes: bool = True):
    """A dask.distributed Client for ``tcp://host:port`` or ``local:N`` (N workers here)."""
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise SchedulerError(INSTALL) from None
    if scheduler.startswith("local"):
        text = scheduler.partition(":")[2] or str(os.cpu_count() or 1)
        if not text.isdigit() or int(text) < 1:
            raise SchedulerError(f"--scheduler {scheduler}: write local:N with N workers, N >= 1")
        cluster = LocalCluster(n_workers=int(text), threads_per_worker=1, processes=processes,
                               dashboard_address=None)
        return Client(cluster)
    if "://" not in scheduler:
        raise SchedulerError(f"--scheduler {scheduler}: give tcp://host:port or local:N")
    try:
        return Client(scheduler, timeout="10s")
    except (OSError, TimeoutError) as e:
        raise SchedulerError(f"cannot reach the Dask scheduler at {scheduler}: {e}") from None


def map_on_cluster(client, paths, *, mapper, piece_bytes: int | None = None, **reading):
    """The map side's partials of every piece of the files, in reading order, and the problems
    met: one task per piece (``piece_bytes`` of a plain NDJSON file, spl.data.MAP_BYTES by
    default) or per file the record reader reads. ``reading``: spl.data.plan_reading's options."""
    from spl import data
    from spl.data import fast

    files, early, build = data.plan_reading(paths, mapper=mapper, **reading)
    size_of = piece_bytes or data.MAP_BYTES
    futures = []
    for k, path in enumerate(files):
        if fast.is_plain_ndjson(path):
            size = os.path.getsize(path)
            for a, b in _pieces(path, size, size_of):
                futures.append(client.submit(data.map_piece, str(path), a, b, k, build,
                                             pure=False))
        else:
            futures.append(client.submit(data.map_whole, str(path), k, build, pure=False))
    partials, problems = [], list(early)
    for partial, found in client.gather(futures):
        partials.append(partial)
        problems.extend(found)
    return partials, problems


def _pieces(path, size: int, piece: int) -> list[tuple[int, int]]:
    """Byte ranges of about ``piece`` bytes, each starting at a line start."""
    cuts = [0]
    with open(path, "rb") as f:
        while cuts[-1] + piece < size:
            f.seek(cuts[-1] + piece)
            f.readline()
            if f.tell() >= size:
                break
            cuts.append(f.tell())
    cuts.append(size)
    return list(zip(cuts[:-1], cuts[1:]))
