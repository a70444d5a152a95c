"""The client's address, for throttles and the login guard alike.

Behind a proxy every request arrives from the proxy's address, and the client's
own address is in ``X-Forwarded-For``; but any client can send that header, so it
is believed only as far as the deployment says proxies sit in front of the app:
``TRUSTED_PROXY_COUNT`` (how many proxies append to the header) or
``TRUSTED_PROXIES`` (their addresses or networks). With neither, the header is
ignored and the socket address is the client.
"""

import ipaddress

from django.conf import settings


def _parsed(address: str):
    try:
        return ipaddress.ip_address(address.strip())
    except ValueError:
        return None


def _trusted(address, networks) -> bool:
    return address is not None and any(address in network for network in networks)


def trusted_networks(values: list[str]) -> list:
    """``TRUSTED_PROXIES`` entries (addresses or CIDR networks) as networks."""
    return [ipaddress.ip_network(value, strict=False) for value in values]


def client_address(request) -> str:
    remote = request.META.get("REMOTE_ADDR", "")
    count = settings.TRUSTED_PROXY_COUNT
    networks = trusted_networks(settings.TRUSTED_PROXIES)
    if not count and not networks:
        return remote
    forwarded = [hop for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    # Nearest hop last: what each proxy saw, then the socket peer.
    chain = [_parsed(hop) for hop in forwarded] + [_parsed(remote)]
    if networks:
        # Walk back from the socket peer through the trusted proxies; the first
        # address no trusted proxy vouches for is the client.
        for address in reversed(chain):
            if not _trusted(address, networks):
                return str(address) if address is not None else remote
        return str(chain[0])
    # ``count`` proxies: the socket peer is the last, each appended what it saw.
    client = chain[max(len(chain) - 1 - count, 0)]
    return str(client) if client is not None else remote
