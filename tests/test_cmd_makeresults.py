"""makeresults.

Splunk: https://help.splunk.com/splunk-enterprise/spl-search-reference/9.4/search-commands/makeresults
("generates one result with only the _time field"; count default 1; annotate=true adds _raw,
host, source, sourcetype, splunk_server_group with no value and splunk_server, the server's name).
"""
import socket

import pytest

from spl.context import Context
from spl.engine import execute
from spl.errors import SearchError, SplError
from spl.syntax import parse

NOW = 1_773_064_800.75


def generate(search):
    return execute(parse(search), None, Context(now=NOW, tz="UTC", text=search))


def test_one_result_with_only_time_by_default():
    r = generate("| makeresults")
    assert list(r.columns) == ["_time"]
    assert r["_time"].tolist() == [1_773_064_800.0]


def test_count():
    r = generate("| makeresults count=3")
    assert len(r) == 3 and set(r["_time"]) == {1_773_064_800.0}


def test_annotate_adds_splunk_server_and_empty_fields():
    r = generate("| makeresults annotate=true | eval n=if(isnull(host) AND isnull(_raw), 1, 0)")
    assert r["splunk_server"].tolist() == [socket.gethostname()]
    assert r["n"].tolist() == [1]


def test_then_eval_and_stats_work_on_the_results():
    r = generate("| makeresults count=4 | streamstats count as i | stats sum(i) as s")
    assert r["s"].tolist() == [10]


def test_bad_count_is_an_error():
    with pytest.raises(SplError, match="count"):
        generate("| makeresults count=-2")


def test_inline_data_is_unsupported_with_a_clear_error():
    with pytest.raises(SplError, match="not supported"):
        generate('| makeresults format=csv data="a\n1"')


@pytest.mark.parametrize("count", ["99999999999999", "10000001", "9" * 5000])
def test_a_count_beyond_ten_million_is_refused_at_the_command(count):
    # The makeresults page documents no maximum count; spl refuses more than 10,000,000 results
    # (spl.commands.makeresults.MAX_COUNT) instead of exhausting memory.
    search = f"| makeresults count={count}"
    with pytest.raises(SearchError, match="at most 10,000,000") as err:
        generate(search)
    assert err.value.span is not None and err.value.span.start == 2


def test_annotate_typo_is_an_error():
    # annotate=<bool>: a word that is not a boolean must not read as false.
    with pytest.raises(SearchError, match="annotate"):
        generate("| makeresults annotate=ture")
