"""nomv: https://help.splunk.com/en/splunk-enterprise/search/spl-search-reference/9.4/search-commands/nomv
(a multivalue field's values become one value, separated by new lines)."""
import pytest

from spl.errors import SearchError
from spltest import column, run


def test_values_joined_by_newlines_single_values_untouched():
    r = run("| nomv senders", [{"senders": ["a@x", "b@x", 3]}, {"senders": "c@x"}, {"o": 1}])
    assert column(r, "senders") == ["a@x\nb@x\n3", "c@x", None]


def test_after_makemv_the_original_comes_back_with_newlines():
    r = run('| makemv delim="," v | nomv v', [{"v": "a,b"}])
    assert column(r, "v") == ["a\nb"]


def test_one_field():
    with pytest.raises(SearchError, match="nomv takes one field"):
        run("| nomv", [{"v": 1}])
