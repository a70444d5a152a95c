"""Which model server URLs the platform may call (server-side request forgery guard).

A backend URL is fetched by the platform's workers, inside its network: a URL
naming a loopback, private, link-local or otherwise reserved address could
read services that are not meant to be reachable (databases' HTTP ports, cloud
metadata at 169.254.169.254). Such addresses are refused unless the admin
lists their network in ``ML_BACKEND_ALLOWED_NETWORKS``; schemes other than
http and https are always refused. The host is resolved again before every
call, so a name that later resolves somewhere private is refused then.
"""

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

from config.errors import DomainError


class UrlRefused(DomainError):
    default_code = "url_refused"


def _allowed_networks() -> list:
    return [ipaddress.ip_network(net, strict=False) for net in settings.ML_BACKEND_ALLOWED_NETWORKS]


def _is_public(address) -> bool:
    return address.is_global and not address.is_multicast


def url_check(url: str) -> str:
    """Return the URL (no trailing slash) if the platform may call it, else raise UrlRefused."""
    if not isinstance(url, str):
        raise UrlRefused(_("The URL must be text."), field="url")
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https"):
        raise UrlRefused(_("Only http and https URLs are allowed."), field="url")
    if not parts.hostname or parts.username or parts.password:
        raise UrlRefused(_("The URL needs a host and no user or password in it."), field="url")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        infos = socket.getaddrinfo(parts.hostname, port, proto=socket.IPPROTO_TCP)
    except (OSError, ValueError, UnicodeError):
        raise UrlRefused(_("The host %(host)s cannot be resolved.") % {"host": parts.hostname},
                         code="url_unresolved", field="url") from None
    allowed = _allowed_networks()
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%", 1)[0])
        if not _is_public(address) and not any(address in net for net in allowed):
            raise UrlRefused(
                _("%(host)s resolves to a private or reserved address (%(address)s); an admin can allow "
                  "its network in ML_BACKEND_ALLOWED_NETWORKS.") % {"host": parts.hostname, "address": address},
                field="url")
    return url.strip().rstrip("/")
