"""Data models as data: Splunk's data model JSON, and the rows of a dataset over loaded events.

A data model is a tree of datasets ("objects" in the JSON). Each dataset has a parent
(``BaseEvent`` for a root, or another dataset of the model), constraints (search text an event
must match, on top of its parent's), fields, and calculated fields (``Eval`` calculations,
computed in order after the constraints). The JSON is the one Splunk stores for a data model
(``modelName``, ``objects[].objectName/parentName/constraints[].search/fields[].fieldName/
calculations[].expression/outputFields``), so a user's own data model file loads as ours do.

spl ships its own definitions of the CIM models CloudTrail feeds, written from the field and
tag tables of the CIM reference manual:
- Change: https://help.splunk.com/data-management/common-information-model/6.0/data-models/change
- Authentication: https://help.splunk.com/data-management/common-information-model/6.0/data-models/authentication
- Risk: https://help.splunk.com/data-management/common-information-model/6.0/data-models/risk

Names. A field is addressed by the lineage of the dataset that defines it and its name:
``All_Changes.user``, ``All_Changes.Instance_Changes.image_id`` (how tstats names them, so that
``drop_dm_object_name(All_Changes)`` leaves ``user`` and ``Instance_Changes.image_id``). The
fields every dataset inherits from ``BaseEvent`` (``_time``, ``host``, ``source``,
``sourcetype``) keep their plain names. ``nodename`` holds the lineages of the datasets an event
belongs to (tstats: ``where nodename=All_Changes.Account_Management``).

Acceleration is emulated: the model is computed over the loaded events when a search asks for it,
so a summary is never stale or partial (see the README on ``summariesonly``).
"""
from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from spl.errors import ConfigError, SearchError, SplError, UnsupportedError

if TYPE_CHECKING:
    import pandas as pd

BUILTIN = Path(__file__).resolve().parent
BASE_FIELDS = ("_time", "host", "source", "sourcetype")
_ROOT_PARENTS = ("BaseEvent", "BaseSearch")


@dataclass
class Calculation:
    """An ``Eval`` calculation: ``expression`` gives the value of ``output``."""

    output: str
    expression: str


@dataclass(eq=False)  # a node of a tree: equal only to itself
class Dataset:
    name: str
    lineage: str
    parent: Dataset | None
    constraint: str | None
    fields: list[str]
    calculations: list[Calculation]
    children: list[Dataset] = field(default_factory=list)

    def chain(self) -> list[Dataset]:
        """The root first, this dataset last."""
        out: list[Dataset] = []
        node: Dataset | None = self
        while node is not None:
            out.append(node)
            node = node.parent
        return out[::-1]

    def subtree(self) -> list[Dataset]:
        """This dataset and every descendant, parents before children."""
        out = [self]
        for child in self.children:
            out.extend(child.subtree())
        return out

    def own_names(self) -> list[str]:
        """The fields this dataset defines (its own and its calculations' outputs)."""
        return list(dict.fromkeys(self.fields + [c.output for c in self.calculations]))


@dataclass
class DataModel:
    name: str
    file: str
    datasets: dict[str, Dataset]

    @property
    def roots(self) -> list[Dataset]:
        return [d for d in self.datasets.values() if d.parent is None]

    def dataset(self, name: str | None, span=None) -> Dataset:
        """``name`` (a dataset name or lineage), or the model's only root when None."""
        if name is None:
            roots = self.roots
            if len(roots) != 1:
                raise UnsupportedError(
                    f"data model {self.name} has {len(roots)} root datasets: name one "
                    f"({', '.join(r.name for r in roots)})", span=span)
            return roots[0]
        found = self.datasets.get(name) or next(
            (d for d in self.datasets.values() if d.lineage == name), None)
        if found is None:
            raise SearchError(f"data model {self.name} has no dataset {name!r} (it has "
                           f"{', '.join(self.datasets)})", span=span)
        return found


# ---------------------------------------------------------------- loading

def find(name: str, dirs: Sequence[Path] = ()) -> Path | None:
    """The JSON file of model ``name`` (a plain name: no path): the user's directories first,
    then spl's own; an exact file name before one that differs only in case."""
    if not re.fullmatch(r"[\w-]+", name):
        return None
    for folder in [*map(Path, dirs), BUILTIN]:
        if (folder / f"{name}.json").is_file():
            return folder / f"{name}.json"
        if folder.is_dir():
            for candidate in sorted(folder.glob("*.json")):
                if candidate.stem.lower() == name.lower():
                    return candidate
    return None


_CACHE: dict[tuple[str, float], DataModel] = {}


def load_model(name: str, dirs: Sequence[Path] = (), span=None,
               written: str | None = None) -> DataModel:
    """Data model ``name``; a clear error when no file defines it ("needs datamodel <written>",
    ``written`` being the dataset as the search names it)."""
    path = find(name, dirs)
    if path is None:
        where = ", ".join(str(d) for d in dirs) or "none given"
        raise UnsupportedError(f"needs datamodel {written or name}: no definition of data "
                               f"model {name!r} "
                               f"(spl has {', '.join(builtin_names())}; data model "
                               f"directories: {where})", span=span)
    key = (str(path), path.stat().st_mtime)
    if key not in _CACHE:
        _CACHE[key] = read_model(path)
    return _CACHE[key]


def builtin_names() -> list[str]:
    return sorted(p.stem for p in BUILTIN.glob("*.json"))


def read_model(path: Path) -> DataModel:
    """Parse one data model JSON file; errors name the file and the object at fault."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as e:
        raise ConfigError(f"not valid JSON: {e.msg}", file=str(path), line=e.lineno) from None
    except (OSError, UnicodeDecodeError) as e:
        raise ConfigError(f"cannot read data model ({e})", file=str(path)) from None
    if not isinstance(doc, dict) or not isinstance(doc.get("objects"), list):
        raise ConfigError("a data model is a JSON object with an 'objects' list",
                          file=str(path))
    name = doc.get("modelName") or path.stem
    raw = {}
    for i, item in enumerate(doc["objects"]):
        if not isinstance(item, dict) or not isinstance(item.get("objectName"), str):
            raise ConfigError(f"objects[{i}] has no objectName", file=str(path))
        raw[item["objectName"]] = item
    datasets: dict[str, Dataset] = {}

    def build(obj_name: str, seen: tuple[str, ...]) -> Dataset:
        if obj_name in datasets:
            return datasets[obj_name]
        if obj_name in seen:
            raise ConfigError(f"object {obj_name}: its parents form a loop", file=str(path))
        item = raw[obj_name]
        parent_name = item.get("parentName") or "BaseEvent"
        parent = None
        if parent_name not in _ROOT_PARENTS:
            if parent_name not in raw:
                raise ConfigError(f"object {obj_name}: parent {parent_name!r} is not an "
                                  f"object of the model", file=str(path))
            parent = build(parent_name, seen + (obj_name,))
        searches = [c.get("search") for c in item.get("constraints") or []
                    if isinstance(c, dict) and c.get("search")]
        if item.get("baseSearch"):
            searches.insert(0, item["baseSearch"])
        constraint = " ".join(f"({s})" for s in searches) if len(searches) > 1 else (
            searches[0] if searches else None)
        own = [f["fieldName"] for f in item.get("fields") or []
               if isinstance(f, dict) and f.get("fieldName")
               and f.get("owner", obj_name) not in _ROOT_PARENTS
               and f["fieldName"] not in BASE_FIELDS]
        calcs = []
        for calc in item.get("calculations") or []:
            kind = str(calc.get("calculationType", "")).lower()
            outputs = [o["fieldName"] for o in calc.get("outputFields") or []
                       if isinstance(o, dict) and o.get("fieldName")]
            if kind != "eval":
                raise ConfigError(f"object {obj_name}: only Eval calculations are supported, "
                                  f"not {calc.get('calculationType')!r}", file=str(path))
            if len(outputs) != 1 or not calc.get("expression"):
                raise ConfigError(f"object {obj_name}: an Eval calculation needs an expression "
                                  f"and one output field", file=str(path))
            calcs.append(Calculation(outputs[0], calc["expression"]))
        lineage = f"{parent.lineage}.{obj_name}" if parent else obj_name
        ds = Dataset(obj_name, lineage, parent, constraint, own, calcs)
        datasets[obj_name] = ds
        if parent:
            parent.children.append(ds)
        return ds

    for obj_name in raw:
        build(obj_name, ())
    return DataModel(name, str(path), {n: datasets[n] for n in raw})


def split_name(text: str) -> tuple[str, str | None]:
    """``Change.All_Changes`` -> ("Change", "All_Changes"); ``Change`` -> ("Change", None)."""
    text = text.strip().strip("\"'")
    model, _, rest = text.partition(".")
    return model, rest or None


# ---------------------------------------------------------------- constraint search

def constraint_search(model: DataModel, ds: Dataset) -> str:
    """The search a dataset stands for: its constraints and its parents', ANDed (shown by
    ``spl explain``)."""
    parts = [d.constraint for d in ds.chain() if d.constraint]
    if not parts:
        return "*"
    return " ".join(f"({p})" if len(parts) > 1 else p for p in parts)


def _parse_search(text: str, model: DataModel, what: str):
    from spl.syntax import parse_once

    try:
        pipeline = parse_once(text)
    except SplError as e:
        raise ConfigError(f"{what} of data model {model.name} is not a valid search: "
                          f"{e.message}", file=model.file) from None
    cmd = pipeline.commands[0] if pipeline.commands else None
    from spl.syntax import ast
    if len(pipeline.commands) != 1 or not isinstance(cmd, ast.Search):
        raise ConfigError(f"{what} of data model {model.name} must be a plain search",
                          file=model.file)
    return cmd.expr


def _parse_eval(calc: Calculation, model: DataModel, ds: Dataset):
    from spl.syntax import parse_expression_once

    try:
        return parse_expression_once(calc.expression)
    except SplError as e:
        raise ConfigError(f"calculation of {calc.output} in {ds.name} of data model "
                          f"{model.name} is not a valid eval expression: {e.message}",
                          file=model.file) from None


# ---------------------------------------------------------------- rows of a dataset

def members(model: DataModel, ds: Dataset, events: pd.DataFrame, ctx):
    """(the events in ``ds`` with every calculation of the chain applied, and for each dataset
    of its subtree a bool mask of those rows)."""
    import pandas as pd

    from spl.eval import evaluate
    from spl.search.evaluate import match

    table = events
    for node in ds.chain():
        if node.constraint:
            expr = _parse_search(node.constraint, model, f"the constraint of {node.name}")
            table = table[match(expr, table, ctx).to_numpy()]
        table = _calculate(node, model, table, ctx, evaluate)
    masks = {ds.name: pd.Series(True, index=table.index)}
    for node in ds.subtree()[1:]:
        assert node.parent is not None  # below the root
        inside = masks[node.parent.name].copy()
        if node.constraint:
            expr = _parse_search(node.constraint, model, f"the constraint of {node.name}")
            part = table[inside.to_numpy()]
            hit = match(expr, part, ctx)
            inside[:] = False
            inside[hit.index[hit.to_numpy()]] = True
        masks[node.name] = inside
        table = _calculate(node, model, table, ctx, evaluate, rows=inside)
    return table, masks


def _calculate(node: Dataset, model, table, ctx, evaluate, rows=None):
    """``node``'s Eval calculations on ``table`` (only on ``rows`` when given)."""
    import pandas as pd

    if not node.calculations or table.empty:
        return table
    table = table.copy()
    for calc in node.calculations:
        expr = _parse_eval(calc, model, node)
        part = table if rows is None else table[rows.to_numpy()]
        values = evaluate(expr, part, ctx)
        column = (table[calc.output].astype(object) if calc.output in table.columns
                  else pd.Series(None, index=table.index, dtype=object))
        column.loc[part.index] = list(values)
        table[calc.output] = column
    return table


def fields_read(model: DataModel, ds: Dataset) -> set[str]:
    """The event fields ``dataset_rows`` of ``ds`` reads (without ``keep_event_fields``): the
    base fields, those its chain's and subtree's constraints and calculations read, and their
    own fields."""
    from spl.data.props import field_refs, search_refs

    names = {*BASE_FIELDS, "index"}
    for node in ds.chain() + ds.subtree()[1:]:
        if node.constraint:
            names |= search_refs(_parse_search(node.constraint, model,
                                               f"the constraint of {node.name}"))
        for calc in node.calculations:
            names |= field_refs(_parse_eval(calc, model, node))
        names.update(node.own_names())
    return names


def dataset_rows(model: DataModel, ds: Dataset, events: pd.DataFrame, ctx,
                 keep_event_fields: bool = False) -> pd.DataFrame:
    """The rows of dataset ``ds``: ``_time``, ``host``, ``source``, ``sourcetype``, every field
    of its chain and subtree under its ``lineage.field`` name (null outside the dataset defining
    it), and ``nodename``. ``keep_event_fields``: keep the events' own fields too (``from``,
    ``datamodel ... search`` return events)."""
    import pandas as pd

    table, masks = members(model, ds, events, ctx)
    out = {}
    if keep_event_fields:
        out.update({c: table[c] for c in table.columns})
    else:
        out.update({c: table[c] for c in (*BASE_FIELDS, "index") if c in table.columns})
    descendants = ds.subtree()[1:]
    for node in ds.chain() + descendants:
        for name in node.own_names():
            column = table[name] if name in table.columns else pd.Series(
                None, index=table.index, dtype=object)
            if node in descendants:  # a child's field: null outside the child
                column = column.where(masks[node.name], None)
            out[f"{node.lineage}.{name}"] = column.astype(object)
    lineages = [(masks[n.name].to_numpy(), n.lineage) for n in ds.subtree()]
    out["nodename"] = pd.Series(
        [[lin for m, lin in lineages if m[i]] for i in range(len(table))],
        index=table.index, dtype=object).map(lambda v: v[0] if len(v) == 1 else v)
    return pd.DataFrame(out, index=table.index).reset_index(drop=True)


# ---------------------------------------------------------------- spl explain

def explain_lines(pipeline, text: str, dirs: Sequence[Path] = (),
                  sourcetype: str = "aws:cloudtrail") -> list[str]:
    """For ``spl explain``: the search each data model command of ``pipeline`` (parsed from
    ``text``) stands for -- the dataset's constraints, then the tstats WHERE clause -- and the
    event types of ``sourcetype`` that give the tags the constraints name."""
    from spl.syntax import ast

    lines = []
    name_text: str | None  # None: a from dataset that names no data model
    for node in ast.walk(pipeline):
        if isinstance(node, ast.Tstats) and node.datamodel and "=" not in node.datamodel:
            name_text, where = node.datamodel, node.where
        elif isinstance(node, ast.From):
            from spl.commands.from_ import datamodel_of
            name_text, where = datamodel_of(node.dataset), None
        elif isinstance(node, ast.Generic) and node.name == "datamodel" and len(node.args) >= 2:
            name_text, where = f"{node.args[0]}.{node.args[1]}", None
        else:
            continue
        if not name_text:
            continue
        name, dataset = split_name(name_text)
        try:
            model = load_model(name, dirs)
            ds = model.dataset(dataset)
        except SplError as e:
            lines.append(f"{name_text}: {e.message}")
            continue
        search = constraint_search(model, ds)
        if where is not None:
            search += " | search " + text[where.span.start:where.span.end]
        lines.append(f"{model.name}.{ds.lineage} ({model.file}):")
        lines.append(f"  search {search}")
        lines.extend("  " + line for line in _tag_sources(search, sourcetype))
    return lines


def _tag_sources(search: str, sourcetype: str) -> list[str]:
    """For each ``tag=x`` of a constraint search: the event types of ``sourcetype``'s definition
    that give the tag, with their searches."""
    from spl.data.props import load_sourcetype

    try:
        st = load_sourcetype(sourcetype)
    except SplError:
        return []
    lines = []
    for tag in dict.fromkeys(re.findall(r"\btag=([\w:-]+)", search)):
        types = [et for et in st.eventtypes if tag in et.tags]
        if not types:
            lines.append(f"tag={tag}: no event type of {sourcetype} gives it")
        for et in types:
            lines.append(f"tag={tag} <- eventtype={et.name}: {et.search}")
    return lines

