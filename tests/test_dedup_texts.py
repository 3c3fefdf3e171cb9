"""dedup over text columns takes a column-wise path (spl.commands.dedup._first_of_texts); its
rows must be the row-by-row loop's. Expected rows worked out by hand from the dedup page's rule
(https://help.splunk.com/en/splunk-enterprise/search/spl-search-reference/10.0/search-commands/dedup):
the first N of each combination in search order; results lacking a field dropped unless
keepempty=true."""
from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from spl.commands import dedup

TABLE = pd.DataFrame({"n": ["A", "B", "A", None, "B", "A", "A"],
                      "s": ["x", "x", "y", "x", "x", "x", None]}, dtype=object)


def kept(search: str) -> list[int]:
    table = TABLE.assign(i=range(len(TABLE)))
    return [int(v) for v in _run(search, table)["i"]]


def _run(search: str, table: pd.DataFrame) -> pd.DataFrame:
    from spl.context import Context
    from spl.engine import execute
    from spl.frontend import parse_search

    return execute(parse_search(f"search * | {search}").pipeline, table, Context(now=0))


@pytest.mark.parametrize("search, want", [
    ("dedup n", [0, 1]),                       # A at 0, B at 1; None (3) dropped
    ("dedup 2 n", [0, 1, 2, 4]),               # two A's, two B's
    ("dedup 2 n keepempty=true", [0, 1, 2, 3, 4]),
    ("dedup n s", [0, 1, 2]),                  # (A,x) (B,x) (A,y); (A,None) at 6 dropped
    ("dedup n s keepempty=true", [0, 1, 2, 3, 6]),
])
def test_dedup_rows_worked_by_hand(search, want):
    assert kept(search) == want


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["a", "b", "c", None]),
                          st.sampled_from(["x", "y", None])), max_size=30),
       st.integers(1, 3), st.booleans())
def test_columns_agree_with_the_loop(rows, count, keepempty):
    table = pd.DataFrame(rows or [(None, None)], columns=["n", "s"], dtype=object)
    fast = dedup._first_of_texts(table, ["n", "s"], count, keepempty)
    assert fast is not None
    # the loop: a number in a column sends dedup there; compare on the same texts
    seen: dict = {}
    want = []
    for i, (n, s) in enumerate(table.itertuples(index=False)):
        if n is None or s is None:
            if keepempty:
                want.append(i)
            continue
        seen[(n, s)] = seen.get((n, s), 0) + 1
        if seen[(n, s)] <= count:
            want.append(i)
    assert fast.tolist() == want
