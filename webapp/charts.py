"""Charts drawn on the server as SVG: no chart library, no script, no inline styles.

Every chart is an ``<svg role="img">`` named by its ``<title>`` and described by its ``<desc>``
(through ``aria-labelledby``); the page puts a real table of the same figures beside it. Colours
are SVG presentation attributes, so a chart reads correctly even before any stylesheet loads;
classes (``app-chart__...``) let ``static/app/staff.css`` and ``print.css`` adjust them.

Pure Python: callers pass already-translated words and already-formatted date labels.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Sequence

from markupsafe import Markup, escape

# NHS identity colours.
BLUE = "#005eb8"
DARK_BLUE = "#003087"
GREY = "#768692"
PALE_GREY = "#d8dde0"
TEXT = "#212b32"
BAND_FILLS = ("#f0f4f5", "#e8edee")


@dataclass(frozen=True)
class LinePoint:
    """One result: when it was, its score, and how the date is shown under the axis."""

    when: datetime | date
    value: float
    label: str


@dataclass(frozen=True)
class ChartBand:
    """A shaded stretch of the score axis, such as one activation stage."""

    low: float
    high: float
    label: str


@dataclass(frozen=True)
class BarPair:
    """One row of a before-and-now bar chart; ``None`` where there is no answer."""

    label: str
    before: float | None
    now: float | None


@dataclass(frozen=True)
class LineFrame:
    """Where the plotting area of a line chart sits, and how values map onto it."""

    width: float = 640
    height: float = 300
    left: float = 56
    right: float = 24
    top: float = 16
    bottom: float = 48
    inset: float = 28  # keeps the first and last dots (and their labels) clear of the edges
    y_min: float = 0
    y_max: float = 100

    @property
    def plot_width(self) -> float:
        return self.width - self.left - self.right

    @property
    def plot_height(self) -> float:
        return self.height - self.top - self.bottom

    def y_for(self, value: float) -> float:
        value = min(self.y_max, max(self.y_min, value))
        share = (value - self.y_min) / (self.y_max - self.y_min)
        return round(self.top + (1 - share) * self.plot_height, 2)

    def x_positions(self, moments: Sequence[datetime | date]) -> list[float]:
        """Points spaced by time: the first ``inset`` from the left edge, the last ``inset`` from
        the right; a single point sits in the middle."""
        if not moments:
            return []
        start, span = self.left + self.inset, self.plot_width - 2 * self.inset
        stamps = [_timestamp(moment) for moment in moments]
        first, last = min(stamps), max(stamps)
        if last == first:
            if len(stamps) == 1:
                return [round(start + span / 2, 2)]
            # Same moment: spread evenly so the points stay distinguishable.
            step = span / (len(stamps) - 1)
            return [round(start + i * step, 2) for i in range(len(stamps))]
        return [round(start + (s - first) / (last - first) * span, 2) for s in stamps]


def _timestamp(moment: datetime | date) -> float:
    if isinstance(moment, datetime):
        return moment.timestamp()
    return datetime(moment.year, moment.month, moment.day).timestamp()


def _number(value: float) -> str:
    """75 rather than 75.0; 55.1 stays 55.1."""
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _text(x: float, y: float, words: str, *, anchor: str = "start", css: str = "app-chart__text",
          size: int = 13, weight: str | None = None) -> str:
    bold = f' font-weight="{weight}"' if weight else ""
    return (f'<text x="{x}" y="{y}" text-anchor="{anchor}" font-size="{size}" fill="{TEXT}"{bold} '
            f'class="{css}">{escape(words)}</text>')


def _open_svg(chart_id: str, width: float, height: float, title: str, description: str, css: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="app-chart {css}" viewBox="0 0 {width} {height}" '
        f'role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" focusable="false">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
    ]


def line_chart(
    chart_id: str,
    points: Sequence[LinePoint],
    *,
    title: str,
    description: str,
    bands: Sequence[ChartBand] = (),
    y_min: float = 0,
    y_max: float = 100,
    frame: LineFrame | None = None,
) -> Markup:
    """Scores over time as a line with a dot per result, over shaded bands (stages).

    ``points`` should be oldest first. Band labels sit at the left of each band; the y axis is
    marked at every band edge and at both ends.
    """
    frame = frame or LineFrame(y_min=y_min, y_max=y_max)
    parts = _open_svg(chart_id, frame.width, frame.height, title, description, "app-chart--line")
    plot_right = frame.left + frame.plot_width
    plot_bottom = frame.top + frame.plot_height

    for index, band in enumerate(bands):
        top, bottom = frame.y_for(band.high), frame.y_for(band.low)
        fill = BAND_FILLS[index % 2]
        parts.append(
            f'<rect class="app-chart__band app-chart__band--{index + 1}" x="{frame.left}" y="{top}" '
            f'width="{frame.plot_width}" height="{round(bottom - top, 2)}" fill="{fill}"/>'
        )
        parts.append(_text(frame.left + 8, round(top + 16, 2), band.label, css="app-chart__band-label", size=12))

    ticks = sorted({frame.y_min, frame.y_max, *(b.low for b in bands), *(b.high for b in bands)})
    for tick in ticks:
        if not frame.y_min <= tick <= frame.y_max:
            continue
        y = frame.y_for(tick)
        parts.append(f'<line class="app-chart__grid" x1="{frame.left}" y1="{y}" x2="{plot_right}" y2="{y}" '
                     f'stroke="{PALE_GREY}" stroke-width="1"/>')
        parts.append(_text(frame.left - 8, round(y + 4, 2), _number(tick), anchor="end", css="app-chart__tick"))

    parts.append(f'<line class="app-chart__axis" x1="{frame.left}" y1="{plot_bottom}" x2="{plot_right}" '
                 f'y2="{plot_bottom}" stroke="{GREY}" stroke-width="1"/>')

    xs = frame.x_positions([point.when for point in points])
    coordinates = [(x, frame.y_for(point.value)) for x, point in zip(xs, points)]
    if len(coordinates) > 1:
        path = " ".join(f"{x},{y}" for x, y in coordinates)
        parts.append(f'<polyline class="app-chart__line" points="{path}" fill="none" stroke="{BLUE}" '
                     f'stroke-width="3" stroke-linejoin="round"/>')
    labelled = _spaced_labels(xs, min_gap=72)
    for index, ((x, y), point) in enumerate(zip(coordinates, points)):
        parts.append(f'<circle class="app-chart__point" cx="{x}" cy="{y}" r="5" fill="{DARK_BLUE}" '
                     f'data-value="{_number(point.value)}"/>')
        parts.append(_text(x, round(y - 10, 2), _number(point.value), anchor="middle",
                           css="app-chart__value", weight="bold"))
        if index in labelled:
            anchor = "middle"
            parts.append(_text(x, plot_bottom + 20, point.label, anchor=anchor, css="app-chart__date", size=12))
    parts.append("</svg>")
    return Markup("".join(parts))


def _spaced_labels(xs: Sequence[float], min_gap: float) -> set[int]:
    """Which points get a date under the axis: the first, the last, and any between that leave
    room for their neighbours' labels (the table beside the chart lists every date)."""
    if not xs:
        return set()
    last = len(xs) - 1
    chosen = [0]
    for index in range(1, last):
        if xs[index] - xs[chosen[-1]] >= min_gap and xs[last] - xs[index] >= min_gap:
            chosen.append(index)
    if last > 0:
        if xs[last] - xs[chosen[-1]] < min_gap:
            chosen.pop()  # too close: the latest date matters more than the one before it
        chosen.append(last)
    return set(chosen)


@dataclass(frozen=True)
class BarFrame:
    """The layout of a before-and-now bar chart: a row per item, two bars in each."""

    width: float = 640
    label_width: float = 250
    right: float = 24
    top: float = 40
    row_height: float = 40
    bar_height: float = 12
    bottom: float = 28
    scale_min: float = 0
    scale_max: float = 4

    @property
    def plot_left(self) -> float:
        return self.label_width

    @property
    def plot_width(self) -> float:
        return self.width - self.label_width - self.right

    def height(self, rows: int) -> float:
        return self.top + rows * self.row_height + self.bottom

    def length_for(self, value: float) -> float:
        value = min(self.scale_max, max(self.scale_min, value))
        return round((value - self.scale_min) / (self.scale_max - self.scale_min) * self.plot_width, 2)

    def x_for(self, value: float) -> float:
        return round(self.plot_left + self.length_for(value), 2)


def bar_chart(
    chart_id: str,
    rows: Sequence[BarPair],
    *,
    title: str,
    description: str,
    before_label: str,
    now_label: str,
    scale_min: float = 0,
    scale_max: float = 4,
    frame: BarFrame | None = None,
) -> Markup:
    """Each row's value then (grey) and now (blue) as horizontal bars on one scale.

    With no ``before`` values at all only the "now" bars and legend entry are drawn.
    """
    frame = frame or BarFrame(scale_min=scale_min, scale_max=scale_max)
    height = frame.height(len(rows))
    parts = _open_svg(chart_id, frame.width, height, title, description, "app-chart--bars")
    has_before = any(row.before is not None for row in rows)
    plot_bottom = frame.top + len(rows) * frame.row_height

    # Legend.
    legend = [(now_label, BLUE, "now")]
    if has_before:
        legend.insert(0, (before_label, GREY, "before"))
    x = frame.plot_left
    for words, colour, kind in legend:
        parts.append(f'<rect class="app-chart__key app-chart__bar--{kind}" x="{x}" y="8" width="14" height="14" '
                     f'fill="{colour}"/>')
        parts.append(_text(x + 20, 20, words, css="app-chart__legend"))
        x += 40 + 8 * len(words)

    # Scale lines and numbers.
    step = 1 if frame.scale_max - frame.scale_min <= 10 else (frame.scale_max - frame.scale_min) / 4
    tick = frame.scale_min
    while tick <= frame.scale_max + 1e-9:
        x = frame.x_for(tick)
        parts.append(f'<line class="app-chart__grid" x1="{x}" y1="{frame.top}" x2="{x}" y2="{plot_bottom}" '
                     f'stroke="{PALE_GREY}" stroke-width="1"/>')
        parts.append(_text(x, plot_bottom + 18, _number(tick), anchor="middle", css="app-chart__tick", size=12))
        tick += step

    for index, row in enumerate(rows):
        row_top = frame.top + index * frame.row_height
        parts.append(_text(frame.plot_left - 10, round(row_top + frame.row_height / 2 + 4, 2), row.label,
                           anchor="end", css="app-chart__label", size=12))
        bars = [("now", row.now, BLUE)]
        if has_before:
            bars.insert(0, ("before", row.before, GREY))
        gap = (frame.row_height - len(bars) * frame.bar_height) / 2
        for position, (kind, value, colour) in enumerate(bars):
            if value is None:
                continue
            y = round(row_top + gap + position * frame.bar_height, 2)
            parts.append(
                f'<rect class="app-chart__bar app-chart__bar--{kind}" x="{frame.plot_left}" y="{y}" '
                f'width="{frame.length_for(value)}" height="{frame.bar_height}" fill="{colour}" '
                f'data-value="{_number(value)}"/>'
            )
    parts.append(f'<line class="app-chart__axis" x1="{frame.plot_left}" y1="{frame.top}" x2="{frame.plot_left}" '
                 f'y2="{plot_bottom}" stroke="{GREY}" stroke-width="1"/>')
    parts.append("</svg>")
    return Markup("".join(parts))
