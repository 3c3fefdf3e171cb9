"""xmlkv: https://help.splunk.com/splunk-cloud-platform/spl-search-reference/9.3.2408/search-commands/xmlkv
(<name>Settlers of Catan</name> gives name="Settlers of Catan"; field defaults to _raw;
maxinputs batches the work). Expected values by hand; readings pinned from spl/commands/xmlkv.py."""
import pytest

from spl.errors import SearchError
from spltest import column, run

GAMES = ("<game>\n   <name>Settlers of Catan</name>\n   <category>competitive</category>\n"
         "</game>\n<game>\n   <name>Ticket to Ride</name>\n   <category>competitive</category>\n"
         "</game>")


def test_the_pages_games_repeated_tags_are_multivalue():
    r = run("| xmlkv", [{"_raw": GAMES}])
    assert column(r, "name") == [["Settlers of Catan", "Ticket to Ride"]]
    assert column(r, "category") == [["competitive", "competitive"]]
    assert "game" not in r.columns  # it holds elements, not text


def test_a_named_field_attributes_and_entities():
    r = run("| xmlkv doc maxinputs=10000",
            [{"doc": '<a id="1">x &lt;&amp;&gt; &quot;y&quot;</a><b></b><c>3</c >'}])
    assert column(r, "a") == ['x <&> "y"'] and column(r, "c") == ["3"]
    assert "b" not in r.columns and "id" not in r.columns


def test_mismatched_tags_give_nothing_and_fields_are_replaced():
    r = run("| xmlkv", [{"_raw": "<a>1</b><k>new</k>", "k": "old"}, {"_raw": "plain", "k": "kept"}])
    assert "a" not in r.columns and column(r, "k") == ["new", "kept"]


def test_arguments_checked():
    with pytest.raises(SearchError, match="maxinputs=0"):
        run("| xmlkv maxinputs=0", [{"_raw": "<a>1</a>"}])
    with pytest.raises(SearchError, match="at most one field"):
        run("| xmlkv a b", [{"_raw": "<a>1</a>"}])
