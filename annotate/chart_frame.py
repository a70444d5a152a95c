"""What every server-drawn SVG chart shares: a frame with a visible title, axis
titles in the reader's units, tick labels that fit, a legend of exactly what is
drawn, and a viewBox that scales to the width of its card.

The charts themselves (annotate/charts.py, annotate/energy_charts.py) place
their marks inside ``Frame.plot``; the frame sizes its margins from the text it
has to hold, so a long tick label widens the margin instead of being clipped.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from django.utils.formats import number_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

FONT_PX = 12
CHAR_PX = 6.8  # average advance of a 12 px system-ui digit or letter
TITLE_PX = 15
LEGEND_ROW = 18


def text_width(text: str, px: float = FONT_PX) -> float:
    return len(text) * CHAR_PX * px / FONT_PX


def nice_ticks(top: float, count: int = 4) -> list[float]:
    """0 … a round number >= top, in 1/2/2.5/5 × 10^k steps."""
    if not top or top <= 0 or not math.isfinite(top):
        top = 1.0
    raw = top / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw - 1e-12)
    n = math.ceil(top / step - 1e-9)
    return [round(step * i, 12) for i in range(n + 1)]


def decimals_for(step: float) -> int:
    """Decimals that show every multiple of ``step`` exactly (0.25 -> 2, 5 -> 0)."""
    d = 0
    while d < 6 and abs(step * 10**d - round(step * 10**d)) > 1e-9:
        d += 1
    return d


def number_text(value: float, decimals: int) -> str:
    """A number in the page's format (its decimal and thousands separators)."""
    return number_format(round(value, decimals), decimal_pos=decimals, use_l10n=True, force_grouping=True)


def rate_text(value: float | None) -> str | None:
    """A rate with the precision its size deserves: 1,152 / 42.5 / 3.25 (None stays None)."""
    if value is None:
        return None
    decimals = 0 if abs(value) >= 100 else 1 if abs(value) >= 10 else 2
    return number_text(value, decimals)


def energy_unit(top_kwh: float) -> tuple[str, float]:
    """The unit that keeps an energy axis's numbers readable: (name, factor from kWh)."""
    if top_kwh >= 1:
        return "kWh", 1.0
    if top_kwh >= 0.001:
        return "Wh", 1000.0
    return "mWh", 1_000_000.0


@dataclass
class LegendItem:
    name: str
    colour: str
    mark: str = "line"  # "line", "box" or "dash"


@dataclass
class Frame:
    """A chart of ``width`` × ``plot_height`` drawing units for the plot, plus its margins."""

    title: str
    width: int = 640
    plot_height: int = 180
    y_title: str = ""
    y_labels: list[str] = field(default_factory=list)
    x_title: str = ""
    right_title: str = ""
    right_labels: list[str] = field(default_factory=list)
    legend: list[LegendItem] = field(default_factory=list)

    def __post_init__(self) -> None:
        widest = max((text_width(t) for t in self.y_labels), default=0)
        self.left = 10 + (FONT_PX + 6 if self.y_title else 0) + widest + 8
        right_widest = max((text_width(t) for t in self.right_labels), default=0)
        self.right = 12 + (right_widest + 8 if self.right_labels else 0) + (FONT_PX + 6 if self.right_title else 0)
        self._legend_rows = self._layout_legend()
        self.title_room = TITLE_PX + 8 if self.title else 0
        self.top = 10 + self.title_room + len(self._legend_rows) * LEGEND_ROW + 6
        self.bottom = FONT_PX + 10 + (FONT_PX + 8 if self.x_title else 0)
        self.plot_width = self.width - self.left - self.right
        self.height = self.top + self.plot_height + self.bottom

    def _layout_legend(self) -> list[list[tuple[float, LegendItem]]]:
        rows: list[list[tuple[float, LegendItem]]] = []
        x, row = 10.0, []
        for item in self.legend:
            w = 26 + text_width(item.name) + 16
            if row and x + w > self.width - 10:
                rows.append(row)
                x, row = 10.0, []
            row.append((x, item))
            x += w
        if row:
            rows.append(row)
        return rows

    # Plot coordinates: fractions of the plot area, 0..1 from left and from bottom.
    def x(self, frac: float) -> float:
        return self.left + self.plot_width * frac

    def y(self, frac: float) -> float:
        return self.top + self.plot_height * (1 - frac)

    def render(self, marks: list[str], *, y_ticks: list[tuple[float, str]] = (), x_ticks: list[tuple[float, str]] = (),
               right_ticks: list[tuple[float, str]] = (), right_colour: str = "#444", label: str = "",
               testid: str = "") -> SafeString:
        out = [
            f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {self.width} {self.height:.0f}" '
            f'width="100%" preserveAspectRatio="xMidYMid meet" role="img" aria-label="{escape(label or self.title)}" '
            f'data-chart="{escape(self.title or label)}"' + (f' data-testid="{escape(testid)}"' if testid else "") + ">",
            f"<title>{escape(label or self.title)}</title>",
        ]
        if self.title:
            out.append(f'<text class="chart-title" x="10" y="{10 + TITLE_PX}" font-size="{TITLE_PX}" font-weight="600" '
                       f'fill="#1d2630">{escape(self.title)}</text>')
        for r, row in enumerate(self._legend_rows):
            cy = 10 + self.title_room + r * LEGEND_ROW + LEGEND_ROW / 2
            for x, item in row:
                colour = escape(item.colour)
                if item.mark == "box":
                    out.append(f'<rect x="{x:.1f}" y="{cy - 5:.1f}" width="18" height="10" fill="{colour}"/>')
                else:
                    dash = ' stroke-dasharray="4 3"' if item.mark == "dash" else ""
                    out.append(f'<line x1="{x:.1f}" x2="{x + 18:.1f}" y1="{cy:.1f}" y2="{cy:.1f}" stroke="{colour}" '
                               f'stroke-width="2"{dash}/>')
                    if item.mark == "line":  # the dot of a data point (a rect: circles are the data's)
                        out.append(f'<rect x="{x + 6:.1f}" y="{cy - 3:.1f}" width="6" height="6" rx="3" fill="{colour}"/>')
                out.append(f'<text class="legend-item" x="{x + 24:.1f}" y="{cy + 4:.1f}" font-size="{FONT_PX}" '
                           f'fill="#1d2630">{escape(item.name)}</text>')
        for frac, text in y_ticks:
            y = self.y(frac)
            out.append(f'<line class="grid" x1="{self.left}" x2="{self.left + self.plot_width}" y1="{y:.1f}" '
                       f'y2="{y:.1f}" stroke="#e3e7eb"/>')
            out.append(f'<text class="tick" x="{self.left - 6:.1f}" y="{y + 4:.1f}" font-size="{FONT_PX}" '
                       f'text-anchor="end" fill="#4a5560">{escape(text)}</text>')
        for frac, text in right_ticks:
            y = self.y(frac)
            out.append(f'<text class="tick" x="{self.left + self.plot_width + 6:.1f}" y="{y + 4:.1f}" '
                       f'font-size="{FONT_PX}" fill="{escape(right_colour)}">{escape(text)}</text>')
        base = self.top + self.plot_height
        out.append(f'<line x1="{self.left}" x2="{self.left + self.plot_width}" y1="{base}" y2="{base}" stroke="#888"/>')
        for frac, text in x_ticks:
            # Centred under its mark, but never past the chart's edges.
            half = text_width(text) / 2
            x = min(max(self.x(frac), half + 2), self.width - half - 2)
            out.append(f'<text class="tick" x="{x:.1f}" y="{base + FONT_PX + 6:.1f}" font-size="{FONT_PX}" '
                       f'text-anchor="middle" fill="#4a5560">{escape(text)}</text>')
        if self.y_title:
            cy = self.top + self.plot_height / 2
            out.append(f'<text class="axis-title" transform="translate({10 + FONT_PX:.1f} {cy:.1f}) rotate(-90)" '
                       f'font-size="{FONT_PX}" text-anchor="middle" fill="#4a5560">{escape(self.y_title)}</text>')
        if self.right_title:
            cx = self.width - 10 - FONT_PX / 2
            cy = self.top + self.plot_height / 2
            out.append(f'<text class="axis-title" transform="translate({cx:.1f} {cy:.1f}) rotate(90)" '
                       f'font-size="{FONT_PX}" text-anchor="middle" fill="{escape(right_colour)}">'
                       f'{escape(self.right_title)}</text>')
        if self.x_title:
            out.append(f'<text class="axis-title" x="{self.left + self.plot_width / 2:.1f}" y="{self.height - 6:.1f}" '
                       f'font-size="{FONT_PX}" text-anchor="middle" fill="#4a5560">{escape(self.x_title)}</text>')
        out.extend(marks)
        out.append("</svg>")
        return mark_safe("".join(out))


def spread_ticks(n: int, most: int = 7) -> list[int]:
    """Indices of at most ``most`` evenly spread labels over ``n`` positions, first and last included."""
    if n <= most:
        return list(range(n))
    step = math.ceil((n - 1) / (most - 1))
    picks = list(range(0, n, step))
    if picks[-1] != n - 1:
        if n - 1 - picks[-1] < step / 2:
            picks[-1] = n - 1
        else:
            picks.append(n - 1)
    return picks
