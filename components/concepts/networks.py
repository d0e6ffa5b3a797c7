"""Address space: how much of the internet a set of CIDRs admits, whatever its spelling.

`0.0.0.0/0`, `0.0.0.0/1` + `128.0.0.0/1`, or 256 `/8`s are the same internet. The CIDRs are
merged with Python's `ipaddress` (IPv4 and IPv6 apart), the private and reserved ranges that are
not reachable from the internet are removed, and what is left is measured as a share of the
public address space of its family.
Security Hub EC2.13/EC2.14/EC2.18/EC2.19/EC2.53/EC2.54 judge `0.0.0.0/0` and `::/0`; this is
the same test on the address space those spellings cover
(https://docs.aws.amazon.com/securityhub/latest/userguide/ec2-controls.html).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from functools import lru_cache

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

# Not routed on the internet (RFC 6890 special-purpose registries: private, shared, loopback,
# link-local, documentation, multicast, reserved); IPv6 public unicast is 2000::/3.
_V4_NOT_PUBLIC = ("0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16",
                  "172.16.0.0/12", "192.0.0.0/24", "192.0.2.0/24", "192.168.0.0/16",
                  "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/3")  # fmt: skip
_V6_PUBLIC = ipaddress.ip_network("2000::/3")


def parse(cidrs: Iterable[str]) -> list[Network]:
    """The networks of CIDR strings (host bits ignored; a bare address is a /32 or /128)."""
    return [ipaddress.ip_network(str(c).strip(), strict=False) for c in cidrs if str(c).strip()]


def _subtract(networks: list[Network], holes: Iterable[Network]) -> list[Network]:
    out = list(networks)
    for hole in holes:
        nxt: list[Network] = []
        for net in out:
            if net.version != hole.version or not net.overlaps(hole):
                nxt.append(net)
            elif hole.supernet_of(net):  # type: ignore[arg-type]
                continue
            else:
                nxt += list(net.address_exclude(hole))  # type: ignore[arg-type]
        out = nxt
    return out


@lru_cache(maxsize=1)
def _public_v4() -> tuple[list[ipaddress.IPv4Network], int]:
    nets = _subtract([ipaddress.ip_network("0.0.0.0/0")], parse(_V4_NOT_PUBLIC))
    return nets, sum(n.num_addresses for n in nets)  # type: ignore[misc]


def public_share(cidrs: Iterable[str]) -> float:
    """Share (0..1) of the public address space of the larger family that `cidrs` admit."""
    nets = parse(cidrs)
    v4 = list(ipaddress.collapse_addresses(n for n in nets if n.version == 4))
    v6 = list(ipaddress.collapse_addresses(n for n in nets if n.version == 6))
    public_v4, total_v4 = _public_v4()
    covered_v4 = sum(
        (n.num_addresses if p.supernet_of(n) else p.num_addresses if n.supernet_of(p) else 0)
        for n in v4
        for p in public_v4
        if n.overlaps(p)
    )
    covered_v6 = sum(
        min(n.num_addresses, _V6_PUBLIC.num_addresses) for n in v6 if n.overlaps(_V6_PUBLIC)
    )
    return max(covered_v4 / total_v4, covered_v6 / _V6_PUBLIC.num_addresses)


def is_public(cidr: str) -> bool:
    """Whether a CIDR admits any internet address."""
    return public_share([cidr]) > 0


# "The internet, or a large part of it": a thousandth of the public address space is about
# 3.7 million IPv4 addresses (a /10); an office, a partner or a VPN is a few hundred at most.
INTERNET_SHARE = 0.001


def amounts_to_internet(cidrs: Iterable[str], threshold: float = INTERNET_SHARE) -> bool:
    """Whether `cidrs` together admit at least `threshold` of the public address space."""
    return public_share(cidrs) >= threshold
