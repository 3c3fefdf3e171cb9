"""chart: https://help.splunk.com/splunk-enterprise/spl-search-reference/9.4/search-commands/chart
(``BY <row-split> <column-split>`` = ``OVER <row-split> BY <column-split>``; limit, useother/
otherstr, usenull/nullstr, sep/format). Expected tables are worked out by hand; the readings the
page leaves open are listed in spl/commands/chart.py and pinned here."""
import pytest

from spl.errors import SplError
from spltest import column, run

ROWS = [{"a": "x", "b": "p", "n": "1"}, {"a": "x", "b": "q", "n": "2"},
        {"a": "y", "b": "p", "n": "3"}, {"a": "y", "n": "4"}, {"b": "p", "n": "5"}]


def test_one_split_is_stats_by_the_row_split():
    r = run("| chart count by a", ROWS)
    assert list(r.columns) == ["a", "count"]
    assert column(r, "a") == ["x", "y"] and column(r, "count") == [2, 2]


def test_over_by_and_by_two_fields_are_the_same_table():
    for search in ("| chart count over a by b", "| chart count by a b", "| chart count by a, b"):
        r = run(search, ROWS)
        assert list(r.columns) == ["a", "p", "q", "NULL"]
        assert column(r, "p") == [1, 1]
        assert column(r, "q") == [1, 0]       # no event: count of nothing is 0
        assert column(r, "NULL") == [0, 1]    # usenull: the event without b


def test_usenull_false_and_nullstr():
    assert list(run("| chart count by a b usenull=f", ROWS).columns) == ["a", "p", "q"]
    r = run('| chart nullstr="none" count by a b', ROWS)
    assert list(r.columns) == ["a", "p", "q", "none"]


def test_several_terms_name_columns_term_sep_value_and_missing_avg_is_null():
    r = run("| chart count avg(n) over a by b usenull=f", ROWS)
    assert list(r.columns) == ["a", "count: p", "count: q", "avg(n): p", "avg(n): q"]
    assert column(r, "avg(n): p") == [1, 3]
    assert column(r, "avg(n): q") == [2, None]
    r = run('| chart sep="|" count avg(n) over a by b usenull=f', ROWS)
    assert list(r.columns)[1] == "count|p"
    r = run('| chart format="$VAL$-$AGG$" count avg(n) over a by b usenull=f', ROWS)
    assert list(r.columns)[1:3] == ["p-count", "q-count"]


MANY = ([{"r": "1", "c": "big"}] * 5 + [{"r": "1", "c": "mid"}] * 3 + [{"r": "2", "c": "mid"}]
        + [{"r": "2", "c": "low"}] * 2 + [{"r": "2", "c": "tiny"}])


def test_limit_keeps_the_largest_series_and_the_rest_is_other():
    # series sums: big 5, mid 4, low 2, tiny 1: limit=2 keeps big and mid
    r = run("| chart count over r by c limit=2", MANY)
    assert list(r.columns) == ["r", "big", "mid", "OTHER"]
    assert column(r, "OTHER") == [0, 3]  # low 2 + tiny 1, in row 2
    r = run("| chart limit=bottom2 count over r by c", MANY)
    assert list(r.columns) == ["r", "low", "tiny", "OTHER"]
    assert column(r, "OTHER") == [8, 1]


def test_useother_false_drops_and_otherstr_renames():
    r = run("| chart count over r by c limit=top1 useother=f", MANY)
    assert list(r.columns) == ["r", "big"]
    r = run('| chart count over r by c limit=1 otherstr="rest"', MANY)
    assert list(r.columns) == ["r", "big", "rest"]
    assert column(r, "rest") == [3, 4]


def test_other_of_dc_is_over_its_events():
    rows = [{"r": "1", "c": "a", "u": "k"}] * 3 + [{"r": "1", "c": "b", "u": "k"},
                                                    {"r": "1", "c": "d", "u": "k"}]
    r = run("| chart dc(u) over r by c limit=1", rows)
    assert column(r, "OTHER") == [1]  # b and d share their one value of u: not 1 + 1


def test_default_limit_is_ten_and_zero_keeps_all():
    rows = [{"r": "1", "c": f"s{i:02d}"} for i in range(12)]
    assert len(run("| chart count over r by c", rows).columns) == 1 + 10 + 1
    assert len(run("| chart count over r by c limit=0", rows).columns) == 1 + 12


def test_row_split_takes_bin_options():
    rows = [{"v": "3"}, {"v": "14"}, {"v": "17"}]
    r = run("| chart count over v span=10", rows)
    assert column(r, "v") == ["0-10", "10-20"] and column(r, "count") == [1, 2]


def test_errors():
    with pytest.raises(SplError, match="at most 2 fields"):
        run("| chart count by a b c", ROWS)
    with pytest.raises(SplError, match="limit=many"):
        run("| chart limit=many count by a b", ROWS)
    with pytest.raises(SplError, match="unknown option"):
        run("| chart bogus=1 count by a", ROWS)
    with pytest.raises(SplError, match="needs an aggregation"):
        run("| chart by a", ROWS)
