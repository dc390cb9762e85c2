"""The royalties chart (WEB.md, "Money"): each work's royalties month by month, drawn on the
server as inline SVG (no script, no chart library), with a title, a description and the same
figures as a table for people who do not see it. One chart per currency: amounts in two
currencies are never added."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from markupsafe import Markup, escape

# The latest months a chart shows; earlier statements stay in the statements pages.
MAX_MONTHS = 24
# Drawn narrow, so its text stays readable on a phone (the SVG scales to the column's width).
WIDTH, HEIGHT = 400, 260
LEFT, RIGHT, TOP, BOTTOM = 84, 12, 14, 36
# Okabe and Ito's colours (told apart with any colour vision), each series also with its own
# marker and dash pattern: a line is never told only by its colour.
COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
DASHES = ("", "6 3", "2 3", "8 3 2 3", "12 4", "4 4", "1 2")
MARKERS = ("circle", "square", "triangle", "diamond", "cross", "triangle-down", "circle")


@dataclass(frozen=True)
class Series:
    work_id: str
    title: str
    values: tuple[Decimal, ...]  # one per month of the chart


@dataclass(frozen=True)
class RoyaltyChart:
    currency: str
    months: tuple[date, ...]
    series: tuple[Series, ...]

    @property
    def top(self) -> Decimal:
        """The value axis's end: a round number at or above the largest value."""
        largest = max((v for s in self.series for v in s.values), default=Decimal(0))
        return nice_ceiling(largest)


def month_of(day: str) -> date:
    return date.fromisoformat(day).replace(day=1)


def _months(first: date, last: date) -> list[date]:
    found, current = [], first
    while current <= last:
        found.append(current)
        current = date(current.year + current.month // 12, current.month % 12 + 1, 1)
    return found


def nice_ceiling(value: Decimal) -> Decimal:
    """1, 2, 2.5 or 5 times a power of ten, at or above `value` (1 for nothing)."""
    if value <= 0:
        return Decimal(1)
    power = Decimal(10) ** (value.adjusted())
    for step in (1, 2, Decimal("2.5"), 5, 10):
        if value <= power * step:
            return power * step
    return power * 10  # pragma: no cover - the loop ends at 10, which is always enough


def royalty_charts(licences: Iterable[dict[str, Any]]) -> list[RoyaltyChart]:
    """The licences' statements (`work { id title }`, `statements { periodEnd royalty
    currency }`) as one chart per currency: each work's royalties summed by the month its
    statement's period ends in, over the latest MAX_MONTHS months that have any."""
    sums: dict[str, dict[str, dict[date, Decimal]]] = {}
    titles: dict[str, str] = {}
    for licence in licences:
        work = licence["work"]
        titles[work["id"]] = work["title"]
        for statement in licence["statements"]:
            by_work = sums.setdefault(statement["currency"], {})
            by_month = by_work.setdefault(work["id"], {})
            month = month_of(statement["periodEnd"])
            by_month[month] = by_month.get(month, Decimal(0)) + Decimal(statement["royalty"])
    charts = []
    for currency in sorted(sums):
        by_work = sums[currency]
        seen = sorted({m for months in by_work.values() for m in months})
        months = _months(seen[0], seen[-1])[-MAX_MONTHS:]
        series = tuple(
            Series(work_id, titles[work_id],
                   tuple(by_month.get(m, Decimal(0)) for m in months))
            for work_id, by_month in sorted(by_work.items(), key=lambda i: titles[i[0]])
        )
        charts.append(RoyaltyChart(currency, tuple(months), series))
    return charts


def _marker(shape: str, x: float, y: float, colour: str) -> str:
    r = 4.5
    if shape == "square":
        return (f'<rect x="{x - r:.1f}" y="{y - r:.1f}" width="{2 * r}" height="{2 * r}" '
                f'fill="{colour}"/>')
    if shape in ("triangle", "triangle-down"):
        s = 1 if shape == "triangle" else -1
        points = f"{x:.1f},{y - s * r:.1f} {x - r:.1f},{y + s * r:.1f} {x + r:.1f},{y + s * r:.1f}"
        return f'<polygon points="{points}" fill="{colour}"/>'
    if shape == "diamond":
        points = f"{x:.1f},{y - r:.1f} {x + r:.1f},{y:.1f} {x:.1f},{y + r:.1f} {x - r:.1f},{y:.1f}"
        return f'<polygon points="{points}" fill="{colour}"/>'
    if shape == "cross":
        return (f'<path d="M{x - r:.1f},{y - r:.1f}L{x + r:.1f},{y + r:.1f}M{x - r:.1f},'
                f'{y + r:.1f}L{x + r:.1f},{y - r:.1f}" stroke="{colour}" stroke-width="2"/>')
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r}" fill="{colour}"/>'


def style_of(index: int) -> tuple[str, str, str]:
    """A series' colour, dash pattern and marker."""
    return (COLOURS[index % len(COLOURS)], DASHES[index % len(DASHES)],
            MARKERS[index % len(MARKERS)])


def swatch(index: int) -> Markup:
    """The series' line and marker, for the legend (decorative: the legend's text names it)."""
    colour, dash, marker = style_of(index)
    dashed = f' stroke-dasharray="{dash}"' if dash else ""
    # Only numbers and this module's constants: nothing typed by anybody.
    return Markup(  # noqa: S704
        f'<svg class="swatch" width="36" height="12" viewBox="0 0 36 12" aria-hidden="true" '
        f'focusable="false"><line x1="0" y1="6" x2="36" y2="6" stroke="{colour}" '
        f'stroke-width="2"{dashed}/>{_marker(marker, 18, 6, colour)}</svg>'
    )


def svg(chart: RoyaltyChart, *, chart_id: str, title: str, description: str,
        money: Callable[[Decimal], str], month: Callable[[date], str],
        point_label: Callable[[str, date, Decimal], str]) -> Markup:
    """The chart as inline SVG: `role="img"` named by its <title> and <desc>; each point has
    its own <title> (the work, the month, the amount) for a pointer's tooltip."""
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    top = chart.top
    count = len(chart.months)

    def x_of(i: int) -> float:
        return LEFT + (plot_w * (i + 0.5) / count)

    def y_of(value: Decimal) -> float:
        return TOP + plot_h - float(value / top) * plot_h

    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
        '<g class="axis" font-size="13" fill="#1b1b1b">',
    ]
    for step in range(5):
        value = top * step / 4
        y = y_of(value)
        parts.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" '
                     f'stroke="#c8c8c8"/>')
        parts.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">'
                     f'{escape(money(value))}</text>')
    every = max(1, -(-count // 4))  # at most four month labels, evenly apart, the last one
    for i, first_day in enumerate(chart.months):
        if (count - 1 - i) % every == 0:
            parts.append(f'<text x="{x_of(i):.1f}" y="{HEIGHT - BOTTOM + 18}" '
                         f'text-anchor="middle">{escape(month(first_day))}</text>')
    parts.append("</g>")
    for index, series in enumerate(chart.series):
        colour, dash, marker = style_of(index)
        points = " ".join(f"{x_of(i):.1f},{y_of(v):.1f}" for i, v in enumerate(series.values))
        dashed = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(f'<g class="series"><polyline points="{points}" fill="none" '
                     f'stroke="{colour}" stroke-width="2"{dashed}/>')
        for i, value in enumerate(series.values):
            label = point_label(series.title, chart.months[i], value)
            parts.append(f"<g>{_marker(marker, x_of(i), y_of(value), colour)}"
                         f"<title>{escape(label)}</title></g>")
        parts.append("</g>")
    parts.append("</svg>")
    # Every text in it (titles, labels, amounts) went through `escape` above.
    return Markup("".join(parts))  # noqa: S704
