"""The address of the client behind the proxy (issue 15, point 6).

Behind the README's proxy every request comes from the proxy's address (REMOTE_ADDR), so
anything keyed on it (django-axes' lockout of a username + address pair) treats all the
users of the portal as one client. The proxy appends the address it received the request
from to X-Forwarded-For; a client can write anything it likes on the left of that header.

So the client is found from the right: start at REMOTE_ADDR and, while the address at hand
is one of PORTAL_TRUSTED_PROXIES, step one hop left in X-Forwarded-For. The first address
that is not a trusted proxy is the client (the rightmost untrusted hop). A request that does
not come from a trusted proxy is taken at its REMOTE_ADDR and its header is ignored: anybody
could send one.
"""

from __future__ import annotations

import functools
import ipaddress

from django.conf import settings
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@functools.lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(p.strip(), strict=False) for p in proxies if p.strip())


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    text = text.strip()
    if text.startswith("[") and "]" in text:  # [v6]:port
        text = text[1:text.index("]")]
    elif text.count(":") == 1:  # v4:port
        text = text.partition(":")[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def is_trusted_proxy(address, networks: tuple[Network, ...]) -> bool:
    return address is not None and any(address in network for network in networks)


def client_ip(request: HttpRequest) -> str:
    """The client's address: see the module's docstring. django-axes calls it
    (AXES_CLIENT_IP_CALLABLE) for every sign-in attempt."""
    remote = request.META.get("REMOTE_ADDR", "")
    networks = _networks(tuple(getattr(settings, "PORTAL_TRUSTED_PROXIES", ()) or ()))
    current = _address(remote)
    if not networks or not is_trusted_proxy(current, networks):
        return remote
    hops = [h for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:
            # Garbage where an address should be: the last proxy we trust sent it, so the
            # request is that proxy's as far as we can tell.
            break
        current = address
        if not is_trusted_proxy(address, networks):
            return str(address)
    # Every hop was a trusted proxy (or the header was missing or broken): the leftmost
    # address we could read.
    return str(current) if current is not None else remote
