"""Informational eval functions added in Splunk 9.3/9.4: ismv, isarray, isobject, isdouble.
Registered into the one registry of ``spl.eval.functions``.

INFO = https://help.splunk.com/splunk-enterprise/spl-search-reference/9.4/evaluation-functions/informational-functions

INFO's examples: isarray("[1, 2, 3]") is true, isarray(1) false (the 9.1 page starts at isbool;
9.3 added the JSON-type tests). Our readings, pinned in
tests/test_eval_info.py: an array or object is JSON text that parses to one (field values are
text here, as JSON function results are); a multivalue field is not a JSON array; isdouble is
true for a number written with a decimal point or an exponent (a field's "3.0" counts, "3" not).
"""
from __future__ import annotations

import json
import re

from spl.eval.functions import function
from spl.values import to_number


def _json(v):
    """The parsed JSON of a text value, or a sentinel when it is not JSON text."""
    if not isinstance(v, str):
        return _NOT_JSON
    try:
        return json.loads(v)
    except ValueError:
        return _NOT_JSON


_NOT_JSON = object()


@function("ismv", 1, 1, "ismv(x): true if x is a multivalue field", result="bool")
def _ismv(x):
    return isinstance(x, list)


@function("isarray", 1, 1, "isarray(x): true if x is a JSON array", result="bool")
def _isarray(x):
    return isinstance(_json(x), list)


@function("isobject", 1, 1, "isobject(x): true if x is a JSON object", result="bool")
def _isobject(x):
    return isinstance(_json(x), dict)


_DOUBLE_TEXT = re.compile(r"[.eE]")


@function("isdouble", 1, 1, "isdouble(x): true if x is a number written as a double "
          "(decimal point or exponent)", result="bool")
def _isdouble(x):
    if isinstance(x, bool) or x is None or isinstance(x, list):
        return False
    if isinstance(x, float):
        return True
    if isinstance(x, str):
        return to_number(x) is not None and _DOUBLE_TEXT.search(x) is not None
    return False
