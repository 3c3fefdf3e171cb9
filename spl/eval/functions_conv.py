"""Conversion eval functions beyond tonumber/tostring/printf: ipmask. Registered into the one
registry of ``spl.eval.functions``.

CONV = https://help.splunk.com/splunk-enterprise/spl-search-reference/9.4/evaluation-functions/conversion-functions

ipmask(mask, ip) (CONV): "Generates a new masked IP address by applying a mask to an IP address
using a bitwise AND operation"; example ipmask("255.255.255.0", "10.20.30.120") is
"10.20.30.0". The page shows IPv4 only; our reading: a mask or address that is not a dotted IPv4
address gives null, and each value of a multivalue address is masked.
"""
from __future__ import annotations

import ipaddress

from spl.eval.functions import function
from spl.values import make_mv, to_str


def _ipv4(v) -> int | None:
    try:
        return int(ipaddress.IPv4Address(to_str(v).strip()))
    except ValueError:
        return None


@function("ipmask", 2, 2, "ipmask(mask, ip): the IPv4 address with the mask ANDed in")
def _ipmask(mask, ip):
    if mask is None or ip is None or isinstance(mask, list):
        return None
    m = _ipv4(mask)
    if m is None:
        return None

    def one(v):
        a = _ipv4(v)
        return None if a is None else str(ipaddress.IPv4Address(a & m))

    if isinstance(ip, list):
        return make_mv([x for x in map(one, ip) if x is not None])
    return one(ip)
