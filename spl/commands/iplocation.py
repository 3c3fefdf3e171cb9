"""iplocation: where an IP address is, from a GeoIP database shipped with a Python package.

Splunk (https://help.splunk.com/splunk-enterprise/spl-search-reference/9.4/search-commands/iplocation):
adds ``City``, ``Country``, ``Region``, ``lat`` and ``lon``; ``allfields=true`` adds
``Continent``, ``MetroCode`` and ``Timezone``; ``prefix=`` goes before every name; internal
(private) or unknown addresses get no fields.

Splunk reads MaxMind's GeoLite2-City database. spl reads the country database that the
``geoip2fast`` package ships (built from MaxMind's GeoLite2 data, so country names are
MaxMind's), and nothing is downloaded at run time. That database has no cities, regions,
coordinates, continents, metro codes or time zones, so only ``Country`` is filled; the other
fields stay as they were. A multivalue field is located by its first value.
"""
from __future__ import annotations

import pandas as pd

from spl.commands import command
from spl.commands._args import check_known, flag
from spl.errors import ConfigError, UnsupportedError
from spl.syntax import ast
from spl.values import mv_values, to_str

_DATA_FILE = "geoip2fast-ipv6.dat.gz"  # IPv4 and IPv6, as shipped in the package
_database = None


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
    """The country name of a public address the database knows, else None."""
    found = database().lookup(ip)
    if found.is_private or not found.country_code or found.country_code == "--":
        return None
    return found.country_name or None


def reads(node: ast.IpLocation) -> set[str]:
    """The address field, and the Country field kept where no country is found."""
    return {node.field, (ast.option(node.options, "prefix") or "") + "Country"}


# Splunk's type (spl.mapreduce; https://help.splunk.com/splunk-enterprise/spl-search-reference/10.0/quick-reference/command-types)
COMMAND_TYPE = "distributable streaming"


@command("iplocation", reads=reads,
          doc='Adds location fields (City, Country, Region, lat, lon) for an IP address field.',
          syntax='iplocation [prefix=P] [allfields=bool] [lang=L] ip-field')
def run(node, table, ctx):
    check_known(node, {"prefix", "allfields", "lang"})
    lang = ast.option(node.options, "lang")
    if lang is not None and lang.lower() not in ("en", "english"):
        raise UnsupportedError(f"iplocation: lang={lang}: the bundled database has English "
                               "names only", span=node.span)
    flag(node, "allfields", False)  # accepted; its fields are not in the bundled database
    target = (ast.option(node.options, "prefix") or "") + "Country"
    if node.field not in table.columns or table.empty:
        return table
    cache: dict[str, str | None] = {}
    found = []
    for cell in table[node.field].tolist():
        values = mv_values(cell)
        ip = to_str(values[0]).strip() if values else None
        if ip and ip not in cache:
            cache[ip] = country(ip)
        found.append(cache.get(ip) if ip else None)
    old = table[target].tolist() if target in table.columns else [None] * len(table)
    table = table.copy()
    table[target] = pd.Series([f if f is not None else o for f, o in zip(found, old)],
                              index=table.index, dtype=object)
    return table
