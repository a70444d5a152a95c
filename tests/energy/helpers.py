from datetime import datetime, timedelta, timezone
from fractions import Fraction

from energy.attribution import Supply, SupplySeries

CST = timezone(timedelta(hours=8))
CLEAN = frozenset({"hydro", "solar", "wind", "storage_clean"})
FACTORS = {"coal": 995, "unknown": 995}


def at(h: int, m: int = 0, s: int = 0, day: int = 1) -> datetime:
    return datetime(2025, 7, day, h, m, s, tzinfo=CST)


def supply(start: datetime, end: datetime, share: Fraction, *, quality="estimated", source="test", pue=None) -> Supply:
    """Per-unit supply whose non-clean part is coal."""
    return Supply(start, end, Fraction(1), share, {"hydro": share, "coal": 1 - share}, pue, quality, source)


def series(*items: Supply) -> SupplySeries:
    return SupplySeries(items)
