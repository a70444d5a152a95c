"""The green report's charts as inline SVG rendered on the server (no JavaScript,
no CDN): energy in a unit that suits its size, shares in percent, times in the
site's local time, and a legend of exactly the series drawn."""

from __future__ import annotations

from datetime import datetime, tzinfo

from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from annotate.chart_frame import (
    Frame,
    LegendItem,
    decimals_for,
    energy_unit,
    nice_ticks,
    number_text,
    spread_ticks,
    text_width,
)
from energy.services import energy_display as energy_text, grams_display as grams_text

CLEAN = "#2e8b57"
OTHER = "#b0b7bf"
UNKNOWN = "#e0a030"
LINE = "#1f6fb2"
# The report's cards span the page: a wide drawing keeps its text near 12 px on a laptop screen.
WIDE = 1200
SHARE_TICKS = [(0.0, "0 %"), (0.5, "50 %"), (1.0, "100 %")]


def _share_text(vals: dict) -> str:
    share = vals.get("clean_share")
    if share is not None:
        return _("%(pct)s %% clean") % {"pct": number_text(share * 100, 1)}
    if vals.get("coverage") is not None:
        return _("share unknown (supply data for %(pct)s %% of the energy)") % {"pct": number_text(vals["coverage"] * 100, 0)}
    return _("share unknown")


def _segments(points: list[str | None]) -> list[list[str]]:
    """Runs of consecutive known points: a line is broken wherever a period's share is unknown."""
    runs, run = [], []
    for p in points:
        if p is None:
            if run:
                runs.append(run)
            run = []
        else:
            run.append(p)
    if run:
        runs.append(run)
    return runs


def _local(iso: str, tz: tzinfo | None) -> datetime:
    moment = datetime.fromisoformat(iso)
    return moment.astimezone(tz) if tz is not None and moment.tzinfo is not None else moment


def _time_tick(moment: datetime, hourly: bool, previous: datetime | None) -> str:
    """Hours as HH:MM, with the day in front where a new day starts; days as the local month and day."""
    if not hourly:
        return date_format(moment, "MONTH_DAY_FORMAT")
    if previous is None or previous.date() != moment.date():
        return f'{date_format(moment, "MONTH_DAY_FORMAT")} {moment:%H:%M}'
    return f"{moment:%H:%M}"


def _axis_energy(top_kwh: float) -> tuple[str, float, list[float], list[str]]:
    unit, factor = energy_unit(top_kwh)
    ticks = nice_ticks(top_kwh * factor)
    decimals = decimals_for(ticks[1] - ticks[0]) if len(ticks) > 1 else 0
    return unit, factor, ticks, [number_text(t, decimals) for t in ticks]


def stacked_energy(rows: list[dict], *, label: str, tz: tzinfo | None = None, hourly: bool | None = None,
                   title: str = "") -> SafeString:
    """Bars of clean, other and unknown-supply energy per period; the clean share as a line broken at gaps.

    The card's heading is the visible title unless ``title`` is given.
    """
    if not rows:
        frame = Frame(title=title, width=WIDE, plot_height=120)
        note = (f'<text x="{frame.x(0.5):.1f}" y="{frame.y(0.5):.1f}" text-anchor="middle" font-size="13" '
                f'fill="#66737f">{escape(_("No energy recorded yet"))}</text>')
        return frame.render([note], label=label, testid="energy-chart")
    if hourly is None:
        hourly = len(rows) > 1 and (_local(rows[1]["t"], tz) - _local(rows[0]["t"], tz)).total_seconds() < 86400
    unit, factor, ticks, labels = _axis_energy(max(r["kwh"] for r in rows))
    top = ticks[-1] or 1.0
    parts = (("clean_kwh", CLEAN, "clean", _("clean energy")), ("other_kwh", OTHER, "other", _("other energy")),
             ("unknown_kwh", UNKNOWN, "unknown", _("no supply data")))
    present = [p for p in parts if any((r.get(p[0]) or 0) > 0 for r in rows)]
    shares = [r.get("clean_share") for r in rows]
    legend = [LegendItem(name, colour, "box") for _key, colour, _s, name in present]
    if any(s is not None for s in shares):
        legend.append(LegendItem(_("clean share (broken where unknown)"), LINE))
    frame = Frame(
        title=title, width=WIDE, plot_height=240, legend=legend,
        y_title=_("Energy (%(unit)s)") % {"unit": unit}, y_labels=labels,
        right_title=_("Clean share (%)"), right_labels=[t for _f, t in SHARE_TICKS],
        x_title=_("Local time (%(tz)s)") % {"tz": str(tz)} if tz else _("Local time"),
    )
    step = frame.plot_width / len(rows)
    bar = max(step * 0.7, 1)
    marks, points = [], []
    for i, r in enumerate(rows):
        x = frame.left + i * step + (step - bar) / 2
        y = frame.y(0)
        stack = []
        for key, colour, series, _name in parts:
            h = frame.plot_height * (r.get(key) or 0) * factor / top
            y -= h
            stack.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" fill="{colour}" '
                         f'data-series="{series}"/>')
        when = _local(r["t"], tz)
        tip = f'{date_format(when, "DATETIME_FORMAT" if hourly else "DATE_FORMAT")}: {energy_text(r["kwh"])}, {_share_text(r)}'
        marks.append(f'<g><title>{escape(tip)}</title>{"".join(stack)}</g>')
        share = r.get("clean_share")
        points.append(None if share is None else f"{frame.left + i * step + step / 2:.1f},{frame.y(share):.1f}")
    for run in _segments(points):
        if len(run) == 1:
            cx, cy = run[0].split(",")
            marks.append(f'<circle cx="{cx}" cy="{cy}" r="3" fill="{LINE}" data-series="share"/>')
        else:
            marks.append(f'<polyline points="{" ".join(run)}" fill="none" stroke="{LINE}" stroke-width="2" '
                         f'data-series="share"/>')
    moments = [_local(r["t"], tz) for r in rows]
    picks = spread_ticks(len(rows), most=6)
    x_ticks = []
    for k, i in enumerate(picks):
        previous = moments[picks[k - 1]] if k else None
        x_ticks.append(((i + 0.5) / len(rows), _time_tick(moments[i], hourly, previous)))
    return frame.render(
        marks, y_ticks=[(t / top, text) for t, text in zip(ticks, labels)], x_ticks=x_ticks,
        right_ticks=SHARE_TICKS, right_colour=LINE, label=label, testid="energy-chart",
    )


def share_bars(rows: list[tuple[str, dict]], *, label: str, title: str = "") -> SafeString:
    """One horizontal bar per row: its clean share, with energy and gCO2e written beside it."""
    texts = []
    for _name, vals in rows:
        text = f'{energy_text(vals["energy_kwh"])} · {_share_text(vals)}'
        if vals.get("co2e_g") is not None:
            text += f' · {grams_text(vals["co2e_g"])} CO₂e'
        texts.append(text)
    row_h = 26
    frame = Frame(
        title=title, width=WIDE, plot_height=max(row_h * len(rows), 30),
        legend=[LegendItem(_("clean share"), CLEAN, "box"), LegendItem(_("rest"), OTHER, "box")] if rows else [],
        y_labels=[name for name, _vals in rows],
        x_title=_("Clean share of the energy (%)") if rows else "",
    )
    # The figures go at the right end of each row: reserve the widest one's room.
    text_room = max((text_width(t) for t in texts), default=0) + 12
    plot_w = min(max(frame.plot_width - text_room, 120), 640)
    marks = []
    if not rows:
        marks.append(f'<text x="{frame.x(0.5):.1f}" y="{frame.y(0.5):.1f}" text-anchor="middle" font-size="13" '
                     f'fill="#66737f">{escape(_("Nothing recorded yet"))}</text>')
    for i, ((name, vals), text) in enumerate(zip(rows, texts)):
        y = frame.top + i * row_h
        share = vals.get("clean_share")
        w = plot_w * (share or 0)
        marks.append(
            f'<g data-row="{escape(name)}"><title>{escape(name)}: {escape(text)}</title>'
            f'<text x="{frame.left - 6:.1f}" y="{y + 17}" font-size="12" text-anchor="end" fill="#1d2630">{escape(name)}</text>'
            f'<rect x="{frame.left:.1f}" y="{y + 4}" width="{plot_w:.1f}" height="18" fill="{OTHER}"/>'
            f'<rect x="{frame.left:.1f}" y="{y + 4}" width="{w:.1f}" height="18" fill="{CLEAN}"/>'
            f'<text x="{frame.left + plot_w + 8:.1f}" y="{y + 17}" font-size="12" fill="#1d2630">{escape(text)}</text></g>'
        )
    x_ticks = [(plot_w * f / frame.plot_width, f"{int(f * 100)} %") for f in (0, 0.5, 1)] if rows else []
    return frame.render(marks, x_ticks=x_ticks, label=label)


def forecast_line(points: list[dict], marks: list[tuple[object, str]], *, label: str, tz, title: str = "") -> SafeString:
    """Clean share of the coming hours as steps, with planned starts of deferred jobs marked."""
    if not points:
        frame = Frame(title=title or label, width=WIDE, plot_height=60)
        note = (f'<text x="{frame.x(0.5):.1f}" y="{frame.y(0.5):.1f}" text-anchor="middle" font-size="13" '
                f'fill="#66737f">{escape(_("No forecast for this site"))}</text>')
        return frame.render([note], label=label)
    t0, t1 = points[0]["start"], points[-1]["end"]
    shown_marks = [(when, name) for when, name in marks if t0 <= when <= t1]
    legend = [LegendItem(_("forecast clean share"), CLEAN, "line")]
    if shown_marks:
        legend.append(LegendItem(_("planned start of a deferred job"), LINE, "dash"))
    frame = Frame(
        title=title or label, width=WIDE, plot_height=140, legend=legend,
        y_title=_("Clean share (%)"), y_labels=[t for _f, t in SHARE_TICKS],
        x_title=_("Local time (%(tz)s)") % {"tz": str(tz)},
    )
    span = (t1 - t0).total_seconds() or 1

    def frac(t) -> float:
        return (t - t0).total_seconds() / span

    path = [f'{frame.x(frac(p["start"])):.1f},{frame.y(p["share"]):.1f} {frame.x(frac(p["end"])):.1f},{frame.y(p["share"]):.1f}'
            for p in points]
    body = [f'<polyline points="{" ".join(path)}" fill="none" stroke="{CLEAN}" stroke-width="2" data-series="forecast"/>']
    for when, name in shown_marks:
        x = frame.x(frac(when))
        body.append(f'<g data-series="planned"><title>{escape(name)}</title><line x1="{x:.1f}" y1="{frame.top}" '
                    f'x2="{x:.1f}" y2="{frame.top + frame.plot_height}" stroke="{LINE}" stroke-width="2" '
                    f'stroke-dasharray="4 3"/></g>')
    picks = spread_ticks(len(points), most=7)
    x_ticks = []
    for k, i in enumerate(picks):
        moment = points[i]["start"].astimezone(tz)
        previous = points[picks[k - 1]]["start"].astimezone(tz) if k else None
        x_ticks.append((frac(points[i]["start"]), _time_tick(moment, True, previous)))
    return frame.render(body, y_ticks=[(f, t) for f, t in SHARE_TICKS], x_ticks=x_ticks, label=label)
