"""eventcount: https://help.splunk.com/en/splunk-enterprise/search/spl-search-reference/9.4/search-commands/eventcount
(events per index; index= repeatable with wildcards; summarize=true sums into one count,
summarize=false gives count, index, server per index). Readings pinned from
spl/commands/eventcount.py; counts by hand from the files written here."""
import json
import socket

import pytest

from spl.errors import SearchError, UnsupportedError
from spl.session import Session


def _file(tmp_path, name: str, n: int):
    path = tmp_path / name
    path.write_text("".join(json.dumps({"eventTime": f"2026-03-09T14:0{i}:00Z",
                                        "eventVersion": "1.08", "eventName": "X"}) + "\n"
                            for i in range(n)), encoding="utf-8")
    return path


@pytest.fixture
def sessions(tmp_path):
    return Session(_file(tmp_path, "a.json", 3)), Session(_file(tmp_path, "b.json", 2),
                                                          index="aws")


def test_default_index_is_main(sessions):
    main, aws = sessions
    assert main.run("| eventcount")["count"].tolist() == [3]
    assert aws.run("| eventcount")["count"].tolist() == [0]
    assert aws.run("| eventcount index=aws")["count"].tolist() == [2]


def test_per_index_rows_with_the_server(sessions):
    main, _ = sessions
    r = main.run("| eventcount summarize=false index=*")
    assert r.to_dict("records") == [{"count": 3, "index": "main", "server": socket.gethostname()}]


def test_wildcards_and_unknown_indexes(sessions):
    _, aws = sessions
    assert aws.run("| eventcount index=a* index=zz")["count"].tolist() == [2]
    assert aws.run("| eventcount index=_*")["count"].tolist() == [0]
    assert aws.run("| eventcount summarize=f index=zz").empty


def test_report_size_is_refused_and_arguments_checked(sessions):
    main, _ = sessions
    with pytest.raises(UnsupportedError, match="report_size"):
        main.run("| eventcount report_size=true")
    with pytest.raises(SearchError, match="unknown option 'foo'"):
        main.run("| eventcount foo=1")
