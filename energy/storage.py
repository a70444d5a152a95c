"""Clean-stock accounting for storage charged from the grid (energy.md §4.5).

Discharged energy carries the clean share of what is in the store, not a
blanket 100 %: charge adds C·η with its clean share, discharge removes both
stocks pro rata.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Union

Number = Union[float, Fraction, int]

QINGHAI_ROUND_TRIP = Fraction(8134, 9903)  # 81.34 GWh out / 99.03 GWh in (2022)


@dataclass
class StoragePool:
    efficiency: Number = Fraction(82, 100)
    stock_kwh: Number = 0
    clean_kwh: Number = 0

    def charge(self, *, kwh: Number, clean_share: Number) -> None:
        if kwh < 0 or not 0 <= clean_share <= 1:
            raise ValueError("charge needs kwh ≥ 0 and a clean share in [0, 1]")
        stored = kwh * self.efficiency
        self.stock_kwh += stored
        self.clean_kwh += stored * clean_share

    @property
    def clean_share(self) -> Number | None:
        return self.clean_kwh / self.stock_kwh if self.stock_kwh else None

    def discharge(self, *, kwh: Number) -> tuple[Number, Number | None]:
        """Take ``kwh`` out; return (clean kWh in it, its clean share)."""
        if kwh < 0 or kwh > self.stock_kwh:
            raise ValueError("cannot discharge more than the stock")
        share = self.clean_share
        clean = kwh * share if share is not None else 0
        self.stock_kwh -= kwh
        self.clean_kwh -= clean
        return clean, share

    def split(self, *, discharge_kw: Number) -> dict[str, Number]:
        """The storage_clean / storage_other split written into by_source_kw."""
        share = self.clean_share if self.clean_share is not None else 0
        return {"storage_clean": discharge_kw * share, "storage_other": discharge_kw * (1 - share)}
