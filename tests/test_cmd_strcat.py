"""strcat: https://help.splunk.com/en/splunk-enterprise/search/spl-search-reference/9.4/search-commands/strcat
(fields and quoted strings concatenated into the last-named field; allrequired). Expected values
by hand; readings pinned from spl/commands/strcat.py."""
import pytest

from spl.errors import SearchError
from spltest import column, run


def test_the_pages_source_and_destination_ips():
    # the page: strcat sourceIP "/" destIP comboIP
    r = run('| strcat sourceIP "/" destIP comboIP', [{"sourceIP": "10.0.0.1", "destIP": "8.8.8.8"}])
    assert column(r, "comboIP") == ["10.0.0.1/8.8.8.8"]


def test_missing_fields_are_empty_unless_allrequired():
    rows = [{"email_user": "bob", "email_domain": "x.org"}, {"email_user": "ann"}]
    r = run('| strcat email_user "@" email_domain address', rows)
    assert column(r, "address") == ["bob@x.org", "ann@"]
    r = run('| strcat allrequired=t email_user "@" email_domain address', rows)
    assert column(r, "address") == ["bob@x.org", None]


def test_allrequired_leaves_an_existing_destination_as_it_was():
    r = run('| strcat allrequired=t a b d', [{"a": "1", "d": "old"}])
    assert column(r, "d") == ["old"]


def test_numbers_as_printed_and_multivalue_gives_its_first_value():
    r = run('| strcat n "-" m out', [{"n": 2.5, "m": ["x", "y"]}])
    assert column(r, "out") == ["2.5-x"]


def test_errors():
    with pytest.raises(SearchError, match="destination"):
        run('| strcat a "b"', [{"a": 1}])
    with pytest.raises(SearchError, match="strcat needs"):
        run('| strcat a', [{"a": 1}])
    with pytest.raises(SearchError, match="allrequired=maybe must be true or false"):
        run('| strcat allrequired=maybe a b', [{"a": 1}])
