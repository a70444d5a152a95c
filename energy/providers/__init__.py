"""Supply providers behind one interface: each yields ``attribution.Supply`` records.

- ``static``: a documented synthetic 24-hour profile (the offline default and forecast);
- ``csv_meter``: a site meter's CSV, validated row by row;
- ``emaps``: an HTTP feed in the Electricity Maps power-breakdown shape.
"""

from typing import Protocol
from datetime import datetime

from energy.attribution import Supply


class SupplyProvider(Protocol):
    name: str

    def actuals(self, *, tz: str, start: datetime, end: datetime) -> list[Supply]: ...

    def forecast(self, *, tz: str, start: datetime, end: datetime) -> list[Supply]: ...
