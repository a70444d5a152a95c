"""One timed API call of a simulated person, shared by the Plateau and Label Studio models."""

from __future__ import annotations

import time


def timed_call(user, name: str, method: str, path: str, body=None, ok=(200,), raw: bool = False):
    """(status, parsed JSON or None); anything outside ``ok`` is a failure.

    ``user`` is a Locust user with ``client``, ``headers``, ``prefix`` and ``waited_ms``
    (the time spent waiting for the server, added to here).
    """
    kwargs = {"headers": user.headers, "name": f"{user.prefix} {name}", "catch_response": True}
    if body is not None:
        kwargs["json"] = body
    begun = time.perf_counter()
    with user.client.request(method, path, **kwargs) as response:
        user.waited_ms += (time.perf_counter() - begun) * 1000
        status = response.status_code
        if status not in ok:
            response.failure(f"{status}: {(response.text or '')[:200]}")
            return status, None
        if raw or status == 204 or not response.content:
            return status, None
        try:
            return status, response.json()
        except ValueError:
            response.failure("not JSON")
            return status, None
