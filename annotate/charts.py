"""Line charts per day (or per model version) as inline SVG, drawn on the
server: no script, no CDN. Title, axis titles, legend and tick labels come
from annotate/chart_frame.py."""

from __future__ import annotations

from datetime import date

from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from annotate.chart_frame import Frame, LegendItem, decimals_for, nice_ticks, number_text, spread_ticks


def day_tick(day: str) -> str:
    """An ISO date as the page's language writes a month and day ("December 2", "12月2日")."""
    return date_format(date.fromisoformat(day), "MONTH_DAY_FORMAT")


def line_chart(
    *, title: str, days: list[str], series: list[dict], y_max: float | None = None, percent: bool = False,
    tick=day_tick, y_title: str = "", x_title: str = "",
) -> SafeString:
    """``series``: ``[{"name", "colour", "values": [float | None per day]}]``; gaps stay gaps.

    ``days`` are the x positions; ``tick`` makes each one's axis text (default: the local month and day).
    Percent charts take shares (0..1) and label them in percent.
    """
    values = [v for s in series for v in s["values"] if v is not None]
    if percent:
        ticks = [0.0, 0.25, 0.5, 0.75, 1.0]
        labels = [f"{number_text(t * 100, 0)} %" for t in ticks]
    else:
        ticks = nice_ticks(y_max if y_max is not None else max(values, default=0.0))
        decimals = decimals_for(ticks[1] - ticks[0]) if len(ticks) > 1 else 0
        labels = [number_text(t, decimals) for t in ticks]
    top = ticks[-1] or 1.0
    drawn = [s for s in series if any(v is not None for v in s["values"])]
    frame = Frame(
        title=title, y_title=y_title or ("%" if percent else ""), y_labels=labels,
        x_title=x_title or _("Day (local)"),
        legend=[LegendItem(s["name"], s["colour"]) for s in drawn],
    )
    n = len(days)

    def fx(i: int) -> float:
        return frame.x(i / (n - 1) if n > 1 else 0.5)

    def fy(v: float) -> float:
        return frame.y(min(max(v, 0.0), top) / top)

    marks: list[str] = []
    if not values:
        marks.append(f'<text x="{frame.x(0.5):.1f}" y="{frame.y(0.5):.1f}" text-anchor="middle" font-size="13" '
                     f'fill="#66737f">{escape(_("no data yet"))}</text>')
    for s in drawn:
        colour = escape(s["colour"])
        name = escape(s["name"])
        run: list[tuple[float, float, float]] = []
        runs: list[list[tuple[float, float, float]]] = []
        for i, v in enumerate(s["values"]):
            if v is None:
                if run:
                    runs.append(run)
                run = []
            else:
                run.append((fx(i), fy(v), v))
        if run:
            runs.append(run)
        for points in runs:
            if len(points) > 1:
                marks.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" '
                             f'points="{" ".join(f"{x:.1f},{y:.1f}" for x, y, _v in points)}"/>')
            for x, y, v in points:
                shown = f"{number_text(v * 100, 0)} %" if percent else number_text(v, 1)
                marks.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}"><title>{name}: '
                             f'{escape(shown)}</title></circle>')
    return frame.render(
        marks,
        y_ticks=[(t / top, label) for t, label in zip(ticks, labels)],
        x_ticks=[((i / (n - 1) if n > 1 else 0.5), tick(days[i])) for i in spread_ticks(n)],
        label=title,
    )
