"""Threads started together and joined, for tests that race real database connections."""

import threading


def run_threads(threads: list[threading.Thread], timeout: float = 120) -> None:
    """Start every thread, wait for all of them, and fail the test if one hangs."""
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    assert not any(thread.is_alive() for thread in threads), "a thread hung"
