"""iplocation over the GeoIP database the geoip2fast package ships.

Splunk: https://help.splunk.com/splunk-enterprise/spl-search-reference/9.4/search-commands/iplocation
(adds City, Country, Region, lat, lon; allfields adds Continent, MetroCode, Timezone; prefix;
no fields for internal or unknown addresses). The expected countries come from the bundled
database (geoip2fast 1.2.2's data, built from MaxMind GeoLite2): 8.8.8.8 and 2001:4860:4860::8888
(Google Public DNS) are in the United States there.
"""
import sys

import pytest

from spl.commands import iplocation
from spl.errors import SplError
from spltest import column, run

pytest.importorskip("geoip2fast")


def test_public_address_gets_its_country():
    r = run("| iplocation src", [{"src": "8.8.8.8"}, {"src": "2001:4860:4860::8888"}])
    assert column(r, "Country") == ["United States", "United States"]


def test_private_loopback_and_unknown_addresses_get_no_fields():
    rows = [{"src": ip} for ip in ("10.0.0.1", "192.168.1.1", "127.0.0.1", "fe80::1", "nonsense")]
    r = run("| iplocation src", rows)
    assert "Country" not in r.columns
    assert len(r) == 5


def test_prefix_goes_before_the_field_names_and_rows_keep_order():
    r = run("| iplocation prefix=src_ allfields=true src",
            [{"src": "10.1.1.1"}, {"src": "8.8.8.8"}, {"k": 1}])
    assert column(r, "src_Country") == [None, "United States", None]


def test_missing_database_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(iplocation, "_database", None)
    monkeypatch.setitem(sys.modules, "geoip2fast", None)
    with pytest.raises(SplError, match="no GeoIP database is installed"):
        run("| iplocation src", [{"src": "8.8.8.8"}])
