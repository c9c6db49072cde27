"""Bar charts drawn on the server as inline SVG (no JavaScript, no external service), sized to be
read on a 360 px phone, plus the same chart data for the PDF (app/pdf/report.py)."""
from __future__ import annotations

import dataclasses
import math
from html import escape

from flask_babel import gettext as _
from markupsafe import Markup

COLOURS = ("#0b6e4f", "#7fb7a4", "#c98b2b", "#5b6f9e")
TARGET_COLOUR = "#a4401a"
WIDTH, HEIGHT = 340, 230
LEFT, RIGHT, TOP, BOTTOM = 40, 6, 32, 28


@dataclasses.dataclass
class Chart:
    title: str
    labels: list[str]
    series: list[tuple[str, list[float | None]]]
    # One marker per label (the plan's target), or None.
    targets: list[float | None] | None = None
    target_label: str = ""
    percent: bool = False


def number(value: float | None, *, percent: bool = False, decimals: int = 1) -> str:
    """A figure as Vietnamese write it: 1.234 for thousands, 12,5% for shares; "—" for none."""
    if value is None:
        return "—"
    if percent:
        text = f"{value * 100:.{decimals}f}".replace(".", ",")
        return f"{text}%"
    if float(value).is_integer():
        return f"{int(value):,}".replace(",", ".")
    return f"{value:,.1f}".replace(",", " ").replace(".", ",").replace(" ", ".")


def nice_ceiling(value: float) -> float:
    """The round number (1, 2, 4, 5, 8 x 10^n) at or above value, for the top of the axis."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 4, 5, 8, 10):
        if value <= step * power:
            return step * power
    return 10 * power


def chart_top(chart: Chart) -> float:
    values = [v for _name, series in chart.series for v in series if v is not None]
    values += [v for v in chart.targets or [] if v is not None]
    top = max(values, default=0)
    return min(nice_ceiling(top), 1.0) if chart.percent and top <= 1 else nice_ceiling(top)


def svg(chart: Chart) -> Markup:
    """The chart as an inline <svg> with a title, gridlines, labelled bars and target markers."""
    top = chart_top(chart)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    groups = max(len(chart.labels), 1)
    group_w = plot_w / groups
    bar_w = min(group_w * 0.8 / max(len(chart.series), 1), 48)
    y = lambda v: TOP + plot_h - (v / top) * plot_h  # noqa: E731
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="{_id(chart)}" '
        f'xmlns="http://www.w3.org/2000/svg" font-family="system-ui, sans-serif" font-size="12">',
        f'<title id="{_id(chart)}">{escape(chart.title)}</title>',
    ]
    for step in range(5):
        value = top * step / 4
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(value):.1f}" y2="{y(value):.1f}" stroke="#d7dde1"/>')
        parts.append(f'<text x="{LEFT - 4}" y="{y(value) + 4:.1f}" text-anchor="end" fill="#5f6b73">'
                     f'{escape(number(value, percent=chart.percent, decimals=0))}</text>')
    for index, label in enumerate(chart.labels):
        left = LEFT + index * group_w + (group_w - bar_w * len(chart.series)) / 2
        for position, (_name, values) in enumerate(chart.series):
            value = values[index]
            if value is None:
                continue
            x = left + position * bar_w
            parts.append(f'<rect x="{x:.1f}" y="{y(value):.1f}" width="{bar_w - 1:.1f}" '
                         f'height="{max(y(0) - y(value), 0):.1f}" fill="{COLOURS[position % len(COLOURS)]}">'
                         f'<title>{escape(label)}: {escape(number(value, percent=chart.percent))}</title></rect>')
            if len(chart.series) == 1 and groups <= 12:
                parts.append(f'<text x="{x + bar_w / 2:.1f}" y="{y(value) - 3:.1f}" text-anchor="middle" '
                             f'font-size="10">{escape(number(value, percent=chart.percent, decimals=0))}</text>')
        target = (chart.targets or [None] * groups)[index]
        if target is not None:
            parts.append(f'<line x1="{LEFT + index * group_w + 2:.1f}" x2="{LEFT + (index + 1) * group_w - 2:.1f}" '
                         f'y1="{y(target):.1f}" y2="{y(target):.1f}" stroke="{TARGET_COLOUR}" stroke-width="2.5" '
                         f'stroke-dasharray="5 3"><title>{escape(chart.target_label)}: '
                         f'{escape(number(target, percent=chart.percent))}</title></line>')
        parts.append(f'<text x="{LEFT + (index + 0.5) * group_w:.1f}" y="{HEIGHT - BOTTOM + 14}" '
                     f'text-anchor="middle">{escape(label)}</text>')
    parts.append(_legend(chart))
    parts.append("</svg>")
    return Markup("".join(parts))


def _legend(chart: Chart) -> str:
    items = [(name, COLOURS[i % len(COLOURS)], False) for i, (name, _v) in enumerate(chart.series)]
    if chart.targets and any(t is not None for t in chart.targets):
        items.append((chart.target_label, TARGET_COLOUR, True))
    parts, x = [], LEFT
    for name, colour, dashed in items:
        if dashed:
            parts.append(f'<line x1="{x}" x2="{x + 14}" y1="14" y2="14" stroke="{colour}" stroke-width="2.5" '
                         f'stroke-dasharray="5 3"/>')
        else:
            parts.append(f'<rect x="{x}" y="8" width="12" height="12" fill="{colour}"/>')
        parts.append(f'<text x="{x + 17}" y="18">{escape(name)}</text>')
        x += 26 + 6.6 * len(name)
    return "".join(parts)


def _id(chart: Chart) -> str:
    return "chart-" + "".join(c for c in chart.title.lower() if c.isalnum())[:24] + str(abs(hash(chart.title)) % 997)


def month_chart(report) -> Chart:
    """Visits in person and loans per month of a YearReport."""
    return Chart(title=_("Visits in person and loans by month, %(year)s", year=report.year),
                 labels=[str(m.month) for m in report.months],
                 series=[(_("Visits in person"), [m.visits for m in report.months]),
                         (_("Loans"), [m.loans for m in report.months])])


def plan_charts(plan) -> tuple[Chart, Chart, Chart]:
    """Library use against its target, and the share of points with activities, per year."""
    use = Chart(title=_("Library use per year against the plan"), labels=[str(r.year) for r in plan.use],
                series=[(_("Library use"), [r.library_use for r in plan.use])],
                targets=[r.previous * (1 + r.target_low) if r.previous and r.target_low is not None else None
                         for r in plan.use],
                target_label=_("Target"))
    activity = Chart(title=_("Share of libraries and points with activities"),
                     labels=[str(r.year) for r in plan.activity],
                     series=[(_("Share with activities"), [r.share for r in plan.activity])],
                     targets=[r.target for r in plan.activity], target_label=_("Target"), percent=True)
    ages = Chart(title=_("Share of age groups the cultural centre ran activities for"),
                 labels=[str(r.year) for r in plan.age_groups],
                 series=[(_("Age groups served"), [r.share for r in plan.age_groups])],
                 targets=[r.target for r in plan.age_groups], target_label=_("Target"), percent=True)
    return use, activity, ages
