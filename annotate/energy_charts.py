"""Small inline SVG charts rendered on the server (no JavaScript, no CDN)."""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from annotate.charts import month_day
from energy.services import energy_display as energy_text, grams_display as grams_text

CLEAN = "#2e8b57"
OTHER = "#b0b7bf"
UNKNOWN = "#e0a030"
LINE = "#1f6fb2"


def _share_text(vals: dict) -> str:
    share = vals.get("clean_share")
    if share is not None:
        return _("%(pct).1f %% clean") % {"pct": share * 100}
    if vals.get("coverage") is not None:
        return _("share unknown (supply data for %(pct).0f %% of the energy)") % {"pct": vals["coverage"] * 100}
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


def _period(t: str) -> str:
    """A series key ("2026-07-01" or "2026-07-01T06") as the page's language writes it."""
    day = month_day(t[:10])
    return f"{day} {t[11:13]}:00" if "T" in t else day


def _svg(width: int, height: int, body: list[str], label: str) -> SafeString:
    return mark_safe(
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
        f'role="img" aria-label="{escape(label)}" class="chart">{"".join(body)}</svg>'
    )


def stacked_energy(rows: list[dict], *, label: str, width: int = 720, height: int = 220) -> SafeString:
    """Bars of clean, other and unknown-supply kWh per period, clean share as a line broken at gaps."""
    pad_l, pad_b, pad_t, pad_r = 52, 36, 22, 44
    plot_w, plot_h = width - pad_l - pad_r, height - pad_b - pad_t
    body = [f'<line x1="{pad_l}" y1="{pad_t + plot_h}" x2="{pad_l + plot_w}" y2="{pad_t + plot_h}" stroke="#888"/>']
    if not rows:
        empty = escape(_("No energy recorded yet"))
        body.append(f'<text x="{width / 2}" y="{height / 2}" text-anchor="middle" fill="#66737f">{empty}</text>')
        return _svg(width, height, body, label)
    top = max(r["kwh"] for r in rows) or 1.0
    step = plot_w / len(rows)
    bar = max(step * 0.7, 1)
    points: list[str | None] = []
    for i, r in enumerate(rows):
        x = pad_l + i * step + (step - bar) / 2
        y = pad_t + plot_h
        stack = []
        for value, colour, series in ((r["clean_kwh"], CLEAN, "clean"), (r.get("other_kwh", 0.0), OTHER, "other"),
                                       (r.get("unknown_kwh", 0.0), UNKNOWN, "unknown")):
            h = plot_h * (value or 0) / top
            y -= h
            stack.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" fill="{colour}" '
                         f'data-series="{series}"/>')
        tip = f'{_period(r["t"])}: {energy_text(r["kwh"])}, {_share_text(r)}'
        body.append(f'<g><title>{escape(tip)}</title>{"".join(stack)}</g>')
        share = r["clean_share"]
        points.append(None if share is None else f'{pad_l + i * step + step / 2:.1f},{pad_t + plot_h * (1 - share):.1f}')
    for run in _segments(points):
        if len(run) == 1:
            cx, cy = run[0].split(",")
            body.append(f'<circle cx="{cx}" cy="{cy}" r="2.5" fill="{LINE}" data-series="share"/>')
        else:
            body.append(f'<polyline points="{" ".join(run)}" fill="none" stroke="{LINE}" stroke-width="2" '
                        f'data-series="share"/>')
    for frac in (0, 0.5, 1):
        y = pad_t + plot_h * (1 - frac)
        body.append(f'<text x="{pad_l + plot_w + 4}" y="{y + 4:.1f}" font-size="11" fill="{LINE}">{int(frac * 100)} %</text>')
        body.append(f'<text x="{pad_l - 4}" y="{y + 4:.1f}" font-size="11" text-anchor="end" fill="#444">'
                    f'{escape(energy_text(top * frac))}</text>')
    for i in sorted({0, len(rows) // 2, len(rows) - 1}):
        body.append(f'<text x="{pad_l + i * step + step / 2:.1f}" y="{height - 12}" font-size="11" text-anchor="middle" fill="#444">{escape(_period(rows[i]["t"]))}</text>')
    return _svg(width, height, body, label)


def share_bars(rows: list[tuple[str, dict]], *, label: str, width: int = 720) -> SafeString:
    """One horizontal bar per row: clean share, with kWh and gCO2e as text."""
    row_h, pad_l = 28, 150
    height = max(row_h * len(rows) + 10, 40)
    body = []
    if not rows:
        empty = escape(_("Nothing recorded yet"))
        body.append(f'<text x="10" y="24" fill="#66737f">{empty}</text>')
    plot_w = width - pad_l - 300
    for i, (name, vals) in enumerate(rows):
        y = 5 + i * row_h
        share = vals.get("clean_share")
        w = plot_w * (share or 0)
        text = f'{energy_text(vals["energy_kwh"])} · {_share_text(vals)}'
        if vals.get("co2e_g") is not None:
            text += f' · {grams_text(vals["co2e_g"])} CO₂e'
        body.append(f'<text x="{pad_l - 6}" y="{y + 17}" font-size="12" text-anchor="end">{escape(name)}</text>'
                    f'<rect x="{pad_l}" y="{y + 4}" width="{plot_w}" height="18" fill="{OTHER}"/>'
                    f'<rect x="{pad_l}" y="{y + 4}" width="{w:.1f}" height="18" fill="{CLEAN}"/>'
                    f'<text x="{pad_l + plot_w + 6}" y="{y + 17}" font-size="12">{escape(text)}</text>')
    return _svg(width, height, body, label)


def forecast_line(points: list[dict], marks: list[tuple[object, str]], *, label: str, tz, width: int = 720, height: int = 160) -> SafeString:
    """Clean share of the coming hours as steps, with planned starts of deferred jobs marked."""
    pad_l, pad_b, pad_t, pad_r = 48, 28, 10, 10
    plot_w, plot_h = width - pad_l - pad_r, height - pad_b - pad_t
    body = []
    if not points:
        empty = escape(_("No forecast for this site"))
        body.append(f'<text x="10" y="24" fill="#66737f">{empty}</text>')
        return _svg(width, height, body, label)
    t0, t1 = points[0]["start"], points[-1]["end"]
    span = (t1 - t0).total_seconds() or 1

    def x(t):
        return pad_l + plot_w * (t - t0).total_seconds() / span

    path = []
    for p in points:
        y = pad_t + plot_h * (1 - p["share"])
        path.append(f'{x(p["start"]):.1f},{y:.1f} {x(p["end"]):.1f},{y:.1f}')
    body.append(f'<polyline points="{" ".join(path)}" fill="none" stroke="{CLEAN}" stroke-width="2"/>')
    for frac in (0, 0.5, 1):
        y = pad_t + plot_h * (1 - frac)
        body.append(f'<text x="{pad_l - 4}" y="{y + 4:.1f}" font-size="11" text-anchor="end">{int(frac * 100)} %</text>')
    for p in points[:: max(len(points) // 6, 1)]:
        body.append(f'<text x="{x(p["start"]):.1f}" y="{height - 8}" font-size="11" text-anchor="middle">{p["start"].astimezone(tz):%H:%M}</text>')
    for when, name in marks:
        if t0 <= when <= t1:
            body.append(f'<g><title>{escape(name)}</title><line x1="{x(when):.1f}" y1="{pad_t}" x2="{x(when):.1f}" '
                        f'y2="{pad_t + plot_h}" stroke="{LINE}" stroke-dasharray="4 3"/></g>')
    return _svg(width, height, body, label)
