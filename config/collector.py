"""Python's cyclic garbage collector held off while a bulk job allocates.

A dataset export builds hundreds of thousands of short-lived objects (rows,
energy attributions, JSON fragments) that reference counting frees on its own:
none of them form cycles. Each 700 allocations start a collection, and every
so often one walks every object the process holds (Django, the models, the
URL patterns: ~100,000 of them); in a 2,000-image export those passes took
0.1–0.3 s of a ~0.5 s run. Cycles made meanwhile wait for the next collection
after the block.
"""

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Run the block without automatic cyclic collections.

    The collector is process-wide: in a threaded web worker (eager jobs) the
    other threads go without it for as long as the block lasts. It is switched
    back on only if it was on before, so nested or overlapping blocks leave it
    on once the outermost has finished.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
