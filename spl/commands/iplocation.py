"""iplocation: where an IP address is, from a GeoIP database.

Splunk (https://help.splunk.com/splunk-enterprise/spl-search-reference/9.4/search-commands/iplocation):
adds ``City``, ``Country``, ``Region``, ``lat`` and ``lon``; ``allfields=true`` adds
``Continent``, ``MetroCode`` and ``Timezone``; ``prefix=`` goes before every name; ``lang=``
picks the language of the names (English by default); internal (private) or unknown addresses
get no fields.

Splunk reads a MaxMind GeoIP2/GeoLite2 City database in MMDB format, set in limits.conf
``[iplocation] db_path``. spl reads one the same way when ``SPL_GEOIP_DB`` names its path (a
MaxMind GeoLite2-City or DB-IP "IP to City Lite" ``.mmdb``, same record layout; read with the
``maxminddb`` package): then every field above is filled. Without it spl falls back to the
country database the ``geoip2fast`` package ships (MaxMind's GeoLite2 country data, with no
cities, regions, coordinates, continents, metro codes or time zones), so only ``Country`` is
filled and ``lang`` must be English. Nothing is downloaded at run time.

spl's reading where the page is silent: a part of the record the database lacks (a city for an
address known only to its country) leaves that field as it was, like an unknown address; a
multivalue field is located by its first value; ``lat``/``lon`` are numbers.
"""
from __future__ import annotations

import os

import pandas as pd

from spl.commands import command
from spl.commands._args import check_known, flag
from spl.errors import ConfigError, UnsupportedError
from spl.syntax import ast
from spl.values import mv_values, to_str

_DATA_FILE = "geoip2fast-ipv6.dat.gz"  # IPv4 and IPv6, as shipped in the package
FIELDS = ("City", "Country", "Region", "lat", "lon")
ALL_FIELDS = FIELDS + ("Continent", "MetroCode", "Timezone")
ENV = "SPL_GEOIP_DB"
_database = None
_readers: dict[str, object] = {}


def database():
    """The bundled GeoIP database, loaded once (0.2 s); a ConfigError when it is not installed."""
    global _database
    if _database is None:
        try:
            from geoip2fast import GeoIP2Fast
            _database = GeoIP2Fast(geoip2fast_data_file=_DATA_FILE, verbose=False)
        except Exception as e:  # ImportError, or a package without its data file
            raise ConfigError("iplocation: no GeoIP database is installed (the geoip2fast "
                              f"package provides one): {e}") from None
    return _database


def country(ip: str) -> str | None:
    """The country name of a public address the bundled database knows, else None."""
    found = database().lookup(ip)
    if found.is_private or not found.country_code or found.country_code == "--":
        return None
    return found.country_name or None


def city_reader(path: str):
    """The MMDB reader of ``path``, opened once; a ConfigError naming the file when it is not one."""
    reader = _readers.get(path)
    if reader is None:
        import maxminddb

        try:
            reader = maxminddb.open_database(path)
        except (OSError, ValueError, maxminddb.InvalidDatabaseError) as e:
            raise ConfigError(f"iplocation: cannot read the GeoIP database set by {ENV}: {e}",
                              file=path) from None
        _readers[path] = reader
    return reader


def _name(part, lang: str):
    names = part.get("names") if isinstance(part, dict) else None
    return names.get(lang) if isinstance(names, dict) else None


def city_fields(reader, ip: str, lang: str) -> dict[str, object]:
    """The iplocation fields of ``ip`` in an MMDB City record (those it has), else {}."""
    try:
        rec = reader.get(ip)
    except ValueError:  # not an IP address
        return {}
    if not isinstance(rec, dict):
        return {}
    location = rec.get("location")
    if not isinstance(location, dict):
        location = {}
    subdivisions = rec.get("subdivisions") or [{}]
    found = {"City": _name(rec.get("city"), lang), "Country": _name(rec.get("country"), lang),
             "Region": _name(subdivisions[0], lang), "lat": location.get("latitude"),
             "lon": location.get("longitude"), "Continent": _name(rec.get("continent"), lang),
             "MetroCode": location.get("metro_code"), "Timezone": location.get("time_zone")}
    return {k: v for k, v in found.items() if v is not None and v != ""}


def reads(node: ast.IpLocation) -> set[str]:
    """The address field, and the fields iplocation sets (kept where nothing is found)."""
    prefix = ast.option(node.options, "prefix") or ""
    return {node.field} | {prefix + name for name in ("City", "Country", "Region", "lat", "lon",
                                                        "Continent", "MetroCode", "Timezone")}


# Splunk's type (spl.mapreduce; https://help.splunk.com/splunk-enterprise/spl-search-reference/10.0/quick-reference/command-types)
COMMAND_TYPE = "distributable streaming"


@command("iplocation", reads=reads,
          doc='Adds location fields (City, Country, Region, lat, lon) for an IP address field.',
          syntax='iplocation [prefix=P] [allfields=bool] [lang=L] ip-field')
def run(node, table, ctx):
    check_known(node, {"prefix", "allfields", "lang"})
    lang = (ast.option(node.options, "lang") or "en").lower()
    lang = "en" if lang == "english" else lang
    path = os.environ.get(ENV)
    if path is None and lang != "en":
        raise UnsupportedError(f"iplocation: lang={lang}: the bundled database has English "
                               f"names only (set {ENV} to a City .mmdb for others)",
                               span=node.span)
    names = ALL_FIELDS if flag(node, "allfields", False) else FIELDS
    if node.field not in table.columns or table.empty:
        return table
    reader = city_reader(path) if path is not None else None
    cache: dict[str, dict[str, object]] = {}
    found = []
    for cell in table[node.field].tolist():
        values = mv_values(cell)
        ip = to_str(values[0]).strip() if values else None
        if ip and ip not in cache:
            if reader is not None:
                cache[ip] = city_fields(reader, ip, lang)
            else:
                name = country(ip)
                cache[ip] = {"Country": name} if name is not None else {}
        found.append(cache.get(ip, {}) if ip else {})
    table = table.copy()
    prefix = ast.option(node.options, "prefix") or ""
    for name in names:
        if not any(name in f for f in found):
            continue
        target = prefix + name
        old = table[target].tolist() if target in table.columns else [None] * len(table)
        table[target] = pd.Series([f.get(name, o) for f, o in zip(found, old)],
                                  index=table.index, dtype=object)
    return table
