"""iplocation at city level from a City database in MMDB format (``SPL_GEOIP_DB``, spl's form of
limits.conf ``[iplocation] db_path``).

Splunk: https://help.splunk.com/splunk-enterprise/spl-search-reference/9.4/search-commands/iplocation
(City, Country, Region, lat, lon; allfields adds Continent, MetroCode, Timezone; prefix; lang;
no fields for internal or unknown addresses). The database is written here, in MaxMind's City
record layout, with the values each test expects: the expectations are those records.
"""
from __future__ import annotations

import pytest

from spl.commands import iplocation
from spl.errors import ConfigError
from spltest import column, run

mmdb_writer = pytest.importorskip("mmdb_writer")
netaddr = pytest.importorskip("netaddr")

LONDON = {
    "city": {"names": {"en": "London", "de": "London"}},
    "country": {"names": {"en": "United Kingdom", "de": "Vereinigtes Königreich"}},
    "subdivisions": [{"names": {"en": "England", "de": "England"}}],
    "continent": {"names": {"en": "Europe", "de": "Europa"}},
    "location": {"latitude": 51.5142, "longitude": -0.0931, "time_zone": "Europe/London"},
}
SAN_JOSE = {
    "city": {"names": {"en": "San Jose"}},
    "country": {"names": {"en": "United States"}},
    "subdivisions": [{"names": {"en": "California"}}],
    "continent": {"names": {"en": "North America"}},
    "location": {"latitude": 37.3388, "longitude": -121.8914, "metro_code": 807,
                 "time_zone": "America/Los_Angeles"},
}
COUNTRY_ONLY = {"country": {"names": {"en": "Australia"}}}


@pytest.fixture
def city_db(tmp_path, monkeypatch):
    writer = mmdb_writer.MMDBWriter(ip_version=6, database_type="GeoIP2-City",
                                    languages=["en", "de"], ipv4_compatible=True)
    writer.insert_network(netaddr.IPSet(["81.2.69.0/24"]), LONDON)
    writer.insert_network(netaddr.IPSet(["216.160.83.0/24"]), SAN_JOSE)
    writer.insert_network(netaddr.IPSet(["1.0.0.0/24"]), COUNTRY_ONLY)
    path = tmp_path / "city.mmdb"
    writer.to_db_file(str(path))
    monkeypatch.setenv(iplocation.ENV, str(path))
    return path


def test_city_region_country_lat_lon(city_db):
    r = run("| iplocation src", [{"src": "81.2.69.160"}, {"src": "216.160.83.56"}])
    assert column(r, "City") == ["London", "San Jose"]
    assert column(r, "Region") == ["England", "California"]
    assert column(r, "Country") == ["United Kingdom", "United States"]
    assert column(r, "lat") == [51.5142, 37.3388]
    assert column(r, "lon") == [-0.0931, -121.8914]
    assert "Timezone" not in r.columns  # only with allfields=true


def test_allfields_prefix_and_lang(city_db):
    r = run("| iplocation prefix=src_ allfields=true lang=de src",
            [{"src": "81.2.69.1"}, {"src": "10.0.0.1"}])
    assert column(r, "src_Country") == ["Vereinigtes Königreich", None]
    assert column(r, "src_Continent") == ["Europa", None]
    assert column(r, "src_Timezone") == ["Europe/London", None]
    r = run("| iplocation allfields=true src", [{"src": "216.160.83.1"}])
    assert column(r, "MetroCode") == [807]


def test_a_record_with_only_a_country_leaves_the_other_fields_as_they_were(city_db):
    r = run("| iplocation src", [{"src": "1.0.0.7", "City": "kept"}, {"src": "nonsense"}])
    assert column(r, "Country") == ["Australia", None]
    assert column(r, "City") == ["kept", None]
    assert "lat" not in r.columns


def test_a_file_that_is_no_database_names_itself(tmp_path, monkeypatch):
    bad = tmp_path / "bad.mmdb"
    bad.write_bytes(b"not a database")
    monkeypatch.setenv(iplocation.ENV, str(bad))
    with pytest.raises(ConfigError) as err:
        run("| iplocation src", [{"src": "81.2.69.1"}])
    assert err.value.file == str(bad)
