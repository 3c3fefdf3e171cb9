"""makemv: split a single-value field into a multivalue field.

Splunk (https://help.splunk.com/splunk-cloud-platform/spl-search-reference/10.0.2503/search-commands/makemv):
``delim`` (default a single space, multicharacter allowed) splits on every occurrence;
``tokenizer`` is a regex repeat-matched against the value, each match's first capturing group a
value; ``allowempty`` (default false) keeps the empty strings that repeated delimiters or
zero-length matches give; ``setsv=true`` combines the values into a single value set on the same
field (spl joins them with a newline, nomv's separator: the page does not say which); internal
fields are not touched.
"""
import pandas as pd

from spl.commands import command
from spl.commands._args import check_known, flag
from spl.errors import SearchError
from spl.eval.regex import bounded
from spl.syntax import ast
from spl.values import mv_values, to_str


def reads(node) -> set[str]:
    return {node.field}


# Splunk's type (spl.mapreduce; https://help.splunk.com/splunk-enterprise/spl-search-reference/10.0/quick-reference/command-types)
COMMAND_TYPE = "distributable streaming"


@command("makemv", reads=reads,
          doc='Makes a field multivalue by splitting its value on a delimiter or with a regular expression.',
          syntax='makemv [delim=STR | tokenizer=REGEX] [allowempty=bool] [setsv=bool] field')
def run(node, table, ctx):
    check_known(node, {"delim", "tokenizer", "allowempty", "setsv"})
    delim = ast.option(node.options, "delim")
    tokenizer = ast.option(node.options, "tokenizer")
    if delim is not None and tokenizer is not None:
        raise SearchError("makemv: use delim= or tokenizer=, not both", span=node.span)
    allow_empty = flag(node, "allowempty", False)
    setsv = flag(node, "setsv", False)
    if tokenizer is not None:
        rx = bounded(tokenizer, "makemv tokenizer", node.span)
        if rx.groups < 1:
            raise SearchError("makemv: tokenizer needs a capturing group", span=node.span)
        split = lambda s: [m.group(1) or "" for m in rx.finditer(s)]  # noqa: E731
    else:
        sep = " " if delim is None else delim
        if sep == "":
            raise SearchError("makemv: delim must not be empty", span=node.span)
        split = lambda s: s.split(sep)  # noqa: E731
    if node.field.startswith("_") or node.field not in table.columns:
        return table
    out = []
    for cell in table[node.field].tolist():
        parts = [p for v in mv_values(cell) for p in split(to_str(v))]
        if not allow_empty:
            parts = [p for p in parts if p != ""]
        out.append(("\n".join(parts) if parts else None) if setsv else _cell(parts))
    table = table.copy()
    table[node.field] = pd.Series(out, index=table.index, dtype=object)
    return table


def _cell(parts: list[str]):
    """make_mv, except that an empty string kept by allowempty is a value, not a null."""
    return parts[0] if len(parts) == 1 else (parts or None)
