"""JSON eval functions: build, read, change and convert JSON documents held as JSON text.
Registered into the one registry of ``spl.eval.functions`` (json_extract and spath live there).

JSON = https://help.splunk.com/splunk-enterprise/spl-search-reference/9.4/evaluation-functions/json-functions
MV   = https://help.splunk.com/splunk-enterprise/spl-search-reference/9.4/evaluation-functions/multivalue-eval-functions

A JSON value is JSON text, printed compactly ({"name":"maria"}), as a field value. Paths are
json_extract's: keys separated by dots, {N} for an array element, {} for every element; the
``_exact`` variants take each key whole, dots and all (JSON's json_extract_exact example:
"system.splunk.path"). Readings where the page is silent, pinned in tests/test_eval_json.py:
- An argument that is itself a call of a function returning JSON (json_object(...), json_array,
  json_extract ...) is embedded as JSON, so json_object("a", json_array(1, 2)) nests, as JSON's
  examples show; any other argument is embedded by type: null as null, a number as a number, a
  Boolean as true/false, text as a string, a multivalue field as an array of strings.
- A document argument that is not valid JSON gives null, as json_extract does.
- json_set creates missing object keys along the path; a missing array element is left alone.
- json_append adds to an array at the path; json_extend adds each element of an array value.
  A path that is missing or not an array leaves the document unchanged.
- mv_to_json_array(mv, true) ("infer types") turns each value that parses as JSON into that
  JSON (numbers, true/false, null, objects); the rest stay strings.
"""
from __future__ import annotations

import json
from typing import Any

from spl.errors import SearchError
from spl.eval.functions import _json_path, _json_text, _load_json, function, special
from spl.syntax import ast
from spl.values import make_mv, to_str

_JSON_RESULTS = {"json", "json_object", "json_array", "json_set", "json_set_exact", "json_append",
                 "json_extend", "json_delete", "json_keys", "json_entries", "json_extract",
                 "json_extract_exact", "mv_to_json_array", "lookup"}
_MISSING = object()


def dump(doc) -> str:
    """A JSON document as compact JSON text."""
    return json.dumps(doc, separators=(",", ":"), ensure_ascii=False)


def _as_json(v) -> Any:
    """An eval value embedded by its type (see the module docstring)."""
    if isinstance(v, list):
        return [to_str(x) for x in v]
    if v is None or isinstance(v, (bool, int, float)):
        return v
    return to_str(v)


def _from_json_text(v) -> Any:
    """The result of a JSON-returning call embedded as the JSON it is; bare text stays text."""
    if isinstance(v, str):
        try:
            return json.loads(v)
        except ValueError:
            return v
    return _as_json(v)


def _value_arg(c, node):
    """A closure giving an argument's JSON value for embedding."""
    fn = c.compile(node)
    if isinstance(node, ast.Call) and node.name.lower() in _JSON_RESULTS:
        return lambda i: _from_json_text(fn(i))
    return lambda i: _as_json(fn(i))


def _pairs(call, what: str):
    if len(call.args) % 2:
        raise SearchError(f"{call.name.lower()}() takes {what} in pairs", span=call.span)


# ---------------------------------------------------------------- building


@special("json_object", 0, None,
         "json_object(key, value, ...): a JSON object of the key-value pairs")
def _json_object(call, c):
    _pairs(call, "keys and values")
    keys = [c.compile(a) for a in call.args[0::2]]
    values = [_value_arg(c, a) for a in call.args[1::2]]

    def f(i):
        doc = {}
        for key, value in zip(keys, values):
            k = key(i)
            if k is None or isinstance(k, list):
                raise SearchError("json_object(): a key must be a single string, got "
                                  f"{'null' if k is None else 'a multivalue field'}")
            doc[to_str(k)] = value(i)
        return dump(doc)
    return f


@special("json_array", 0, None, "json_array(value, ...): a JSON array of the values")
def _json_array(call, c):
    values = [_value_arg(c, a) for a in call.args]
    return lambda i: dump([v(i) for v in values])


@function("json", 1, 1, "json(x): x as JSON when it is valid JSON text, else null")
def _json(x):
    doc, ok = _load_json(x)
    return dump(doc) if ok else None


@function("json_valid", 1, 1, "json_valid(x): true if x is valid JSON text", result="bool")
def _json_valid(x):
    return _load_json(x)[1]


@function("json_keys", 1, 1, "json_keys(json): the keys of a JSON object, as a JSON array")
def _json_keys(x):
    doc, ok = _load_json(x)
    return dump(list(doc)) if ok and isinstance(doc, dict) else None


@function("json_entries", 1, 1,
          "json_entries(json): a JSON object's members as an array of {\"key\":..., \"value\":...}")
def _json_entries(x):
    """JSON: "Converts a value to an array of JSON objects with key and value fields"; a value
    that is not a JSON object gives null (our reading)."""
    doc, ok = _load_json(x)
    if not ok or not isinstance(doc, dict):
        return None
    return dump([{"key": k, "value": v} for k, v in doc.items()])


# ---------------------------------------------------------------- reading


@function("json_has_key_exact", 2, 2,
          "json_has_key_exact(json, key): true if the JSON object has the whole key",
          result="bool")
def _json_has_key_exact(x, key):
    doc, ok = _load_json(x)
    if not ok or not isinstance(doc, dict) or key is None or isinstance(key, list):
        return False
    return to_str(key) in doc


@function("json_extract_exact", 1, None,
          "json_extract_exact(json[, key, ...]): value of each whole key (dots are part of it)")
def _json_extract_exact(x, *keys):
    doc, ok = _load_json(x)
    if not ok:
        return None
    if not keys:
        return _json_text(doc)
    found = []
    for key in keys:
        k = None if key is None or isinstance(key, list) else to_str(key)
        found.append(doc.get(k) if isinstance(doc, dict) and k is not None else None)
    return _json_text(found[0]) if len(keys) == 1 else dump(found)


@function("json_array_to_mv", 1, 2,
          "json_array_to_mv(array[, keep_quotes]): a JSON array's elements as a multivalue field")
def _json_array_to_mv(x, keep_quotes=False):
    doc, ok = _load_json(x)
    if not ok or not isinstance(doc, list):
        return None
    quoted = keep_quotes is True or to_str(keep_quotes).lower() in ("true", "1", "t")
    return make_mv([dump(el) if quoted and isinstance(el, str) else (_json_text(el) or "null")
                    for el in doc])


@function("mv_to_json_array", 1, 2,
          "mv_to_json_array(mv[, infer_types]): a multivalue field as a JSON array")
def _mv_to_json_array(x, infer=False):
    if x is None:
        return None
    infer = infer is True or to_str(infer).lower() in ("true", "1", "t")
    values = [to_str(v) for v in (x if isinstance(x, list) else [x])]
    return dump([_from_json_text(v) if infer else v for v in values])


# ---------------------------------------------------------------- changing


def _change(node, steps: list, edit) -> None:
    """Apply ``edit(container, key)`` at the end of ``steps`` within ``node``, in place.
    Missing object keys on the way are created (json_set); missing array elements stop."""
    if not steps:
        return
    step, rest = steps[0], steps[1:]
    if isinstance(step, str):
        if isinstance(node, list):  # a key applied to an array applies to each element
            for el in node:
                _change(el, steps, edit)
            return
        if not isinstance(node, dict):
            return
        if not rest:
            edit(node, step)
        else:
            if step not in node and edit.creates:
                node[step] = {}
            if step in node:
                _change(node[step], rest, edit)
        return
    if not isinstance(node, list):
        return
    if step is None:
        indexes = list(range(len(node)))
    elif -len(node) <= step < len(node):
        indexes = [step % len(node)]
    else:
        indexes = []
    for k in reversed(indexes):  # backwards: a deletion keeps the earlier indexes
        if not rest:
            edit(node, k)
        else:
            _change(node[k], rest, edit)


class _Edit:
    """One change at a path's end: ``container[key]`` set, appended to, extended or deleted."""

    def __init__(self, how: str, value=None):
        self.how, self.value, self.creates = how, value, how == "set"

    def __call__(self, container, key):
        if self.how == "set":
            if isinstance(container, dict) or 0 <= key < len(container):
                container[key] = self.value
            return
        if self.how == "delete":
            if isinstance(container, dict):
                container.pop(key, None)
            else:
                del container[key]
            return
        target = container.get(key, _MISSING) if isinstance(container, dict) else container[key]
        if not isinstance(target, list):
            return
        if self.how == "append":
            target.append(self.value)
        elif isinstance(self.value, list):
            target.extend(self.value)


def _path_value_function(name: str, how: str, exact: bool, doc: str):
    @special(name, 3, None, doc)
    def compile_(call, c):
        _pairs_after_first(call)
        source = c.compile(call.args[0])
        paths = [c.compile(a) for a in call.args[1::2]]
        values = [_value_arg(c, a) for a in call.args[2::2]]

        def f(i):
            doc, ok = _load_json(source(i))
            if not ok:
                return None
            for path, value in zip(paths, values):
                p = path(i)
                if p is None or isinstance(p, list):
                    continue
                steps = [to_str(p)] if exact else _json_path(to_str(p))
                if not steps and how == "set":
                    doc = value(i)
                    continue
                _change(doc, steps, _Edit(how, value(i)))
            return dump(doc)
        return f
    return compile_


def _pairs_after_first(call):
    if len(call.args) % 2 == 0:
        raise SearchError(f"{call.name.lower()}() takes a JSON document, then paths and values "
                          "in pairs", span=call.span)


_path_value_function("json_set", "set", False,
                     "json_set(json, path, value, ...): the document with each path set to value")
_path_value_function("json_set_exact", "set", True,
                     "json_set_exact(json, key, value, ...): json_set with whole keys")
_path_value_function("json_append", "append", False,
                     "json_append(json, path, value, ...): value added to the array at path")
_path_value_function("json_extend", "extend", False,
                     "json_extend(json, path, array, ...): the array's elements added to the "
                     "array at path")


@function("json_delete", 2, None, "json_delete(json, path, ...): the document without the paths")
def _json_delete(x, *paths):
    doc, ok = _load_json(x)
    if not ok:
        return None
    for p in paths:
        if p is None or isinstance(p, list):
            continue
        steps = _json_path(to_str(p))
        if steps:
            _change(doc, steps, _Edit("delete"))
    return dump(doc)
