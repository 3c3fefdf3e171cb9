"""extract/kv: https://help.splunk.com/splunk-enterprise/spl-search-reference/9.4/search-commands/extract
(pairdelim/kvdelim are lists of delimiter characters; limit 50, maxchars 10240, clean_keys,
mv_add). Expected values by hand; readings pinned from spl/commands/extract.py."""
import pytest

from spl.errors import UnsupportedError
from spltest import column, run


def test_the_pages_two_delimiter_sets():
    # the page: extract pairdelim="|;", kvdelim="=:", auto=f
    r = run('| extract pairdelim="|;", kvdelim="=:", auto=f', [{"_raw": "a=1|b:2;c=3"}])
    assert (column(r, "a"), column(r, "b"), column(r, "c")) == (["1"], ["2"], ["3"])


def test_escu_o365_submission_data():
    raw = "RescanVerdict:Phish;ms:Invoice: due;tsd:Bob <bob@x.org>;;junk"
    r = run('| rename _raw AS temp etps AS _raw | extract pairdelim=";" kvdelim=":" '
            '| rename _raw AS etps temp AS _raw', [{"_raw": "event", "etps": raw}])
    assert column(r, "RescanVerdict") == ["Phish"]
    assert "ms" not in r.columns  # the page: a value holding the key delimiter is not extracted
    assert column(r, "tsd") == ["Bob <bob@x.org>"]
    assert column(r, "_raw") == ["event"]


def test_the_pages_referer_url_is_not_extracted():
    r = run('| extract pairdelim="|" kvdelim=":"',
            [{"_raw": "Referer: https://buttercupgames.com|status:200"}])
    assert "Referer" not in r.columns and column(r, "status") == ["200"]


def test_keys_are_cleaned_and_trimmed_unless_clean_keys_is_false():
    r = run('| kv pairdelim="," kvdelim="="', [{"_raw": " my-key = v 1 , _x=2"}])
    assert column(r, "my_key") == ["v 1"] and column(r, "x") == ["2"]
    r = run('| kv pairdelim="," kvdelim="=" clean_keys=f', [{"_raw": "my-key=1"}])
    assert column(r, "my-key") == ["1"]


def test_repeated_keys_first_wins_or_multivalue_with_mv_add():
    raw = "a=1,a=2"
    assert column(run('| kv pairdelim="," kvdelim="="', [{"_raw": raw}]), "a") == ["1"]
    assert column(run('| kv pairdelim="," kvdelim="=" mv_add=t', [{"_raw": raw}]),
                  "a") == [["1", "2"]]


def test_existing_fields_keep_their_values():
    r = run('| kv pairdelim="," kvdelim="="', [{"_raw": "a=1,b=2", "a": "old"}])
    assert column(r, "a") == ["old"] and column(r, "b") == ["2"]


def test_limit_and_maxchars():  # maxchars=5 would leave "a=1,b": b has no value
    raw = "a=1,b=2,c=3"
    r = run('| kv pairdelim="," kvdelim="=" limit=2', [{"_raw": raw}])
    assert "c" not in r.columns and column(r, "b") == ["2"]
    r = run('| kv pairdelim="," kvdelim="=" maxchars=7', [{"_raw": raw}])  # "a=1,b=2"
    assert column(r, "a") == ["1"] and column(r, "b") == ["2"] and "c" not in r.columns


def test_only_kvdelim_splits_pairs_at_whitespace():
    r = run('| kv kvdelim=":"', [{"_raw": "a:1 b:2"}])
    assert column(r, "a") == ["1"] and column(r, "b") == ["2"]


def test_the_configured_extractions_form_is_refused():
    with pytest.raises(UnsupportedError, match="without pairdelim"):
        run("| extract", [{"_raw": "a=1"}])
    with pytest.raises(UnsupportedError, match="reload"):
        run("| extract reload=t", [{"_raw": "a=1"}])
