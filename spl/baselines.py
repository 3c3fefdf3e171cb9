"""Baselines: the searches that fill the lookups detections read, found and run first.

In security_content a detection such as "Cloud Provisioning Activity From Previously Unseen IP
Address" reads a lookup (``previously_seen_cloud_provisioning_activity_sources``, a KV store
collection) that no file holds: a *baseline* search (``baselines/*.yml``, ending in
``| outputlookup <that lookup>``) fills it, on a schedule, over a history window. Here:

- **Finding** (``find``): for each lookup the search reads that does not exist yet (the lookup
  layer says "needs baseline <name>"), the baselines that fill it are, in this order of
  preference: those the detection names in ``baselines:`` and that write the lookup (in the
  order listed: "... - Initial" before "... - Update"); else every baseline whose search writes
  it (``outputlookup``; one that does not read the lookup itself first, then by name); else those
  whose ``tags: detections:`` names the detection. Baselines are read from the ``--baselines``
  directories and from a ``baselines/`` folder beside or above the detection (security_content's
  layout), sub-folders included.
- **Running** (``run``): each baseline runs over the given events (``--baseline-data``, else the
  detection's own data), with the same macros and lookups, and its ``outputlookup`` writes into
  a scratch directory -- never the user's lookups. The detection then reads the lookup there.
- When no baseline fills a missing lookup, the error says so plainly, naming the lookup and the
  directories looked in -- unless the search writes that lookup itself (``inputlookup x
  append=t ... | outputlookup x``): it is then its own baseline, and its first run starts from
  an empty collection with the columns of the collection's ``fields_list``, as a KV store
  collection nothing has written to yet is in Splunk.
"""
from __future__ import annotations

import re
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from spl import yamlload
from spl.errors import ConfigError, SplError, UnsupportedError
from spl.syntax import ast

_OUTPUTLOOKUP = re.compile(r"\|\s*outputlookup\b([^|\]]*)", re.IGNORECASE)
_INPUT = re.compile(r"\b(?:inputlookup|lookup)\s+(?:\w+=\S+\s+)*([\w.\-]+)", re.IGNORECASE)


@dataclass
class Baseline:
    name: str
    path: Path
    search: str
    writes: list[str]                      # lookups its outputlookup writes
    reads: list[str]                       # lookups it reads (an "Update" reads what it writes)
    detections: list[str] = field(default_factory=list)   # tags: detections:


def _written(search: str) -> list[str]:
    """Lookup names after ``| outputlookup`` (options ``k=v`` skipped)."""
    names = []
    for args in _OUTPUTLOOKUP.findall(search):
        words = [w for w in args.split() if "=" not in w]
        if words:
            names.append(words[0].strip("\"'"))
    return names


def read_baseline(path: Path) -> Baseline | None:
    """One baseline YAML (None for a file that is not a search with a name)."""
    try:
        doc = yamlload.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as e:
        mark = getattr(e, "problem_mark", None)
        raise ConfigError(f"cannot read baseline: {getattr(e, 'problem', e)}", file=str(path),
                          line=mark.line + 1 if mark else None) from None
    if not isinstance(doc, dict) or not isinstance(doc.get("search"), str):
        return None
    tags = doc.get("tags")
    if not isinstance(tags, dict):
        tags = {}
    detections = tags.get("detections") or []
    search = doc["search"]
    return Baseline(str(doc.get("name") or path.stem), path, search, _written(search),
                    _INPUT.findall(search),
                    [str(d) for d in detections] if isinstance(detections, list) else [])


def content_dirs(detection_path: Path | None) -> list[Path]:
    """The ``baselines/`` folder of the security_content tree a detection sits in (the first
    found beside it or above it)."""
    if detection_path is None:
        return []
    for folder in Path(detection_path).resolve().parents:
        if (folder / "baselines").is_dir():
            return [folder / "baselines"]
    return []


def catalog_of(dirs: Iterable[Path]) -> Catalog:
    """The catalog of ``dirs``, read once per process (many detections share one tree)."""
    key = tuple(dict.fromkeys(Path(d).resolve() for d in dirs))
    if key not in _CATALOGS:
        _CATALOGS[key] = Catalog(key)
    return _CATALOGS[key]


class Catalog:
    """Every baseline of some directories, read once."""

    def __init__(self, dirs: Iterable[Path]):
        self.dirs = list(dict.fromkeys(Path(d) for d in dirs))
        self.baselines: list[Baseline] = []
        for folder in self.dirs:
            for path in sorted(folder.rglob("*.y*ml")) if folder.is_dir() else []:
                found = read_baseline(path)
                if found is not None:
                    self.baselines.append(found)

    def where(self) -> str:
        return ", ".join(str(d) for d in self.dirs) or "no baselines directory (give --baselines DIR)"

    def find(self, lookup: str, detection_name: str | None = None,
             listed: Sequence[str] = ()) -> list[Baseline]:
        """The baselines to run, in order, so that ``lookup`` exists (see the module doc)."""
        writers = [b for b in self.baselines if lookup in b.writes]
        wanted = [n.strip().lower() for n in listed]
        named = sorted((b for b in writers if b.name.lower() in wanted),
                       key=lambda b: wanted.index(b.name.lower()))
        if named:
            return named
        if writers:
            return sorted(writers, key=lambda b: (lookup in b.reads, b.name))
        if detection_name:
            return [b for b in self.baselines
                    if detection_name.lower() in (d.lower() for d in b.detections)]
        return []


def written_lookups(pipeline: ast.Pipeline) -> set[str]:
    return {n.table for n in ast.walk(pipeline) if isinstance(n, ast.OutputLookup)}


_CATALOGS: dict[tuple, Catalog] = {}


def missing_lookups(pipeline: ast.Pipeline, lookups) -> list[str]:
    """The lookups ``pipeline`` reads that need a baseline first (none has filled them yet)."""
    missing = []
    for node in ast.walk(pipeline):
        if isinstance(node, (ast.Lookup, ast.InputLookup)):
            try:
                lookups.table(node.table)
            except UnsupportedError as e:
                if e.message.startswith("needs baseline"):
                    missing.append(node.table)
            except SplError:
                pass  # any other problem is the search's own, reported when it runs
    return list(dict.fromkeys(missing))


@dataclass
class Ran:
    """A baseline that ran: its name, file and how many rows it gave."""

    baseline: Baseline
    rows: int


def fill(session, pipeline: ast.Pipeline, catalog: Catalog, scratch: Path,
         load: Callable | None = None, *, detection_name: str | None = None,
         listed: Sequence[str] = (), done: dict | None = None) -> list[Ran]:
    """Run the baselines that fill the lookups ``pipeline`` lacks, writing into ``scratch``,
    which ``session`` then reads lookups from too.

    ``load(s)`` loads the events the baselines read into session ``s`` (None: ``session``'s own
    events, when they hold every field). ``done``: baselines already run into ``scratch`` (by
    file), so that a catalog shared by many searches runs each once."""
    ran: list[Ran] = []
    done = {} if done is None else done
    scratch = Path(scratch)
    scratch.mkdir(parents=True, exist_ok=True)
    if scratch not in session.lookups.searched:
        session.lookups.dirs.append(scratch)
    for lookup in missing_lookups(pipeline, session.lookups):
        chosen = catalog.find(lookup, detection_name, listed)
        if not chosen and lookup in written_lookups(pipeline):
            _start_empty(lookup, session.lookups, scratch)
            continue
        if not chosen:
            raise UnsupportedError(
                f"needs baseline {lookup}: no baseline search fills lookup {lookup!r} (looked "
                f"for an outputlookup of it, the detection's baselines: and tags: detections: "
                f"in {catalog.where()})")
        for baseline in chosen:
            if baseline.path not in done:
                done[baseline.path] = run(baseline, session, scratch, load)
                ran.append(done[baseline.path])
    return ran


def _start_empty(name: str, lookups, scratch: Path) -> None:
    """A search that updates its own collection (reads it, then ``outputlookup`` s it) is its own
    baseline: on its first run the collection is empty, with the columns of its definition."""
    import csv

    hit = lookups.definition(name)
    fields = str((hit[0] if hit else {}).get("fields_list") or "")
    columns = [f.strip() for f in fields.split(",") if f.strip() not in ("", "_key")]
    with open(Path(scratch) / f"{name}.csv", "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerow(columns)


def run(baseline: Baseline, session, scratch: Path, load: Callable | None = None) -> Ran:
    """Run one baseline with ``session``'s macros and lookups, its outputlookup writing into
    ``scratch``, over the events ``load`` gives (or ``session``'s). An error names the baseline
    and its file."""
    from spl.data import LoadResult
    from spl.session import Session

    runner = Session(macros=session.macro_dirs, tz=session.tz, ta=session.ta,
                     lookups=[d for d in session.lookups.dirs if d != Path(scratch)],
                     lookup_output=scratch, datamodels=getattr(session, "datamodel_dirs", ()))
    if load is None:
        runner.add(LoadResult(session.events))
    else:
        load(runner)
    try:
        table = runner.run(baseline.search)
    except SplError as e:
        prefix = f"baseline {baseline.name!r} ({baseline.path}): "
        if isinstance(e, UnsupportedError):
            raise UnsupportedError(prefix + e.message) from None
        raise ConfigError(prefix + e.render()) from None
    return Ran(baseline, len(table))


def scratch_dir() -> tempfile.TemporaryDirectory:
    """A directory of its own for what baselines write (deleted when closed)."""
    return tempfile.TemporaryDirectory(prefix="spl-baselines-")
