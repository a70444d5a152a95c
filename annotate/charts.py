"""Small line charts as inline SVG, drawn on the server (no script, no CDN)."""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

WIDTH, HEIGHT = 560, 200
PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 44, 12, 12, 28


def month_day(day: str) -> str:
    """An ISO date's month and day in the page's language ("07-01", "7月1日")."""
    mm, dd = day[5:7], day[8:10]
    return pgettext("chart axis: month and day; m, d without leading zero", "%(mm)s-%(dd)s") % {
        "mm": mm, "dd": dd, "m": mm.lstrip("0"), "d": dd.lstrip("0"),
    }


def line_chart(
    *, title: str, days: list[str], series: list[dict], y_max: float | None = None, percent: bool = False,
    tick=month_day,
) -> SafeString:
    """``series``: ``[{"name", "colour", "values": [float | None per day]}]``; gaps stay gaps.

    ``days`` are the x positions; ``tick`` makes each one's axis text (default: MM-DD of an ISO date).
    """
    values = [v for s in series for v in s["values"] if v is not None]
    top = y_max if y_max is not None else (max(values) if values else 1.0) or 1.0
    inner_w = WIDTH - PAD_LEFT - PAD_RIGHT
    inner_h = HEIGHT - PAD_TOP - PAD_BOTTOM
    n = len(days)

    def px(i: int) -> float:
        return PAD_LEFT + (inner_w * i / (n - 1) if n > 1 else inner_w / 2)

    def py(v: float) -> float:
        return PAD_TOP + inner_h * (1 - min(v, top) / top)

    def fmt(v: float) -> str:
        return f"{v * 100:.0f}%" if percent else (f"{v:.0f}" if top >= 10 else f"{v:.2g}")

    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" '
        f'aria-label="{escape(title)}" data-chart="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]
    for k in range(5):
        v = top * k / 4
        y = py(v)
        parts.append(f'<line x1="{PAD_LEFT}" x2="{WIDTH - PAD_RIGHT}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>')
        parts.append(f'<text x="{PAD_LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" class="tick">{fmt(v)}</text>')
    step = max(1, n // 6)
    for i in range(0, n, step):
        parts.append(f'<text x="{px(i):.1f}" y="{HEIGHT - 8}" text-anchor="middle" class="tick">{escape(tick(days[i]))}</text>')
    if not values:
        empty = escape(_("no data yet"))  # outside the f-string: extractors do not look inside one
        parts.append(f'<text x="{WIDTH / 2}" y="{HEIGHT / 2}" text-anchor="middle" class="tick">{empty}</text>')
    for s in series:
        colour = escape(s["colour"])
        points: list[str] = []
        segments: list[list[str]] = []
        for i, v in enumerate(s["values"]):
            if v is None:
                if points:
                    segments.append(points)
                points = []
                continue
            points.append(f"{px(i):.1f},{py(v):.1f}")
        if points:
            segments.append(points)
        for seg in segments:
            parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{" ".join(seg)}"/>')
            for p in seg:
                x, y = p.split(",")
                parts.append(f'<circle cx="{x}" cy="{y}" r="3" fill="{colour}"><title>{escape(s["name"])}</title></circle>')
    parts.append("</svg>")
    return mark_safe("".join(parts))
