"""A plain drawn map of where images were taken: projected points and axis ticks.

No map tiles (the plateau machines have no network): an equirectangular
projection, scaled by cos(latitude) so that east-west and north-south
distances look alike, with longitude and latitude ticks on the axes.
"""

import math
from dataclasses import dataclass, field


@dataclass
class MapPoint:
    x: float
    y: float
    row: dict


@dataclass
class Tick:
    position: float
    label: str


@dataclass
class MapDrawing:
    width: int
    height: int
    left: float
    top: float
    right: float
    bottom: float
    points: list[MapPoint] = field(default_factory=list)
    x_ticks: list[Tick] = field(default_factory=list)
    y_ticks: list[Tick] = field(default_factory=list)


def nice_step(span: float, wanted: int = 6) -> float:
    """A round tick step (1, 2 or 5 × 10^k) giving about ``wanted`` ticks."""
    raw = span / max(wanted, 1)
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if factor * power >= raw:
            return factor * power
    return 10 * power


def _ticks(low: float, high: float, step: float) -> list[float]:
    first = math.ceil(low / step) * step
    count = int(math.floor((high - first) / step + 1e-9)) + 1
    return [round(first + i * step, 10) for i in range(max(count, 0))]


def _label(value: float, step: float, positive: str, negative: str) -> str:
    decimals = max(0, -math.floor(math.log10(step))) if step < 1 else 0
    hemisphere = positive if value >= 0 else negative
    return f"{abs(value):.{decimals}f}°{hemisphere}"


def draw_map(rows: list[dict], *, width: int = 900, height: int = 560, margin: int = 56) -> MapDrawing:
    """Place rows (with ``gps_latitude``/``gps_longitude``) on a drawing."""
    drawing = MapDrawing(width=width, height=height, left=margin, top=16, right=width - 16, bottom=height - margin)
    if not rows:
        return drawing
    lats = [r["gps_latitude"] for r in rows]
    lons = [r["gps_longitude"] for r in rows]
    mid_lat = (min(lats) + max(lats)) / 2
    squash = max(math.cos(math.radians(mid_lat)), 0.05)
    lat_span = max(max(lats) - min(lats), 0.002)
    lon_span = max(max(lons) - min(lons), 0.002)
    # Room around the outermost points.
    lat_low, lat_high = min(lats) - lat_span * 0.08, max(lats) + lat_span * 0.08
    lon_low, lon_high = min(lons) - lon_span * 0.08, max(lons) + lon_span * 0.08
    plot_w, plot_h = drawing.right - drawing.left, drawing.bottom - drawing.top
    scale = min(plot_w / ((lon_high - lon_low) * squash), plot_h / (lat_high - lat_low))
    # Centre the data in the plot; widen the shown range to fill it.
    extra_lon = (plot_w / scale / squash - (lon_high - lon_low)) / 2
    extra_lat = (plot_h / scale - (lat_high - lat_low)) / 2
    lon_low, lon_high = lon_low - extra_lon, lon_high + extra_lon
    lat_low, lat_high = lat_low - extra_lat, lat_high + extra_lat

    def x_of(lon: float) -> float:
        return round(drawing.left + (lon - lon_low) * squash * scale, 2)

    def y_of(lat: float) -> float:
        return round(drawing.bottom - (lat - lat_low) * scale, 2)

    drawing.points = [MapPoint(x=x_of(r["gps_longitude"]), y=y_of(r["gps_latitude"]), row=r) for r in rows]
    lon_step = nice_step(lon_high - lon_low)
    lat_step = nice_step(lat_high - lat_low)
    drawing.x_ticks = [Tick(x_of(v), _label(v, lon_step, "E", "W")) for v in _ticks(lon_low, lon_high, lon_step)]
    drawing.y_ticks = [Tick(y_of(v), _label(v, lat_step, "N", "S")) for v in _ticks(lat_low, lat_high, lat_step)]
    return drawing
