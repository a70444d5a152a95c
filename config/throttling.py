"""DRF's scoped throttle, keyed by the client address that config.client_ip trusts."""

from rest_framework import throttling

from config.client_ip import client_address


class ScopedRateThrottle(throttling.ScopedRateThrottle):
    def get_ident(self, request):
        # DRF's own get_ident believes X-Forwarded-For from anyone when
        # NUM_PROXIES is unset: a new header per guess escaped the throttle.
        return client_address(request)
