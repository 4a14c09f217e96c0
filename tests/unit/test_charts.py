"""Server-drawn SVG charts: well-formed, accessible, and with the marks where the numbers say."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

import pytest

from webapp.charts import BarFrame, BarPair, ChartBand, LineFrame, LinePoint, bar_chart, line_chart

NS = "{http://www.w3.org/2000/svg}"
STAGES = [ChartBand(0, 45, "Stage 1"), ChartBand(45, 60, "Stage 2"), ChartBand(60, 75, "Stage 3"),
          ChartBand(75, 100, "Stage 4")]
START = datetime(2026, 1, 1, tzinfo=UTC)


def parse(markup) -> ET.Element:
    return ET.fromstring(str(markup))


def points(*values_and_days) -> list[LinePoint]:
    return [LinePoint(START + timedelta(days=days), value, f"day {days}") for value, days in values_and_days]


def circles(svg: ET.Element) -> list[tuple[float, float]]:
    return [(float(c.get("cx")), float(c.get("cy"))) for c in svg.iter(NS + "circle")]


def test_a_line_chart_is_an_image_named_by_its_title_and_description():
    svg = parse(line_chart("act", points((40, 0), (62, 30)), title="Scores <over> time", description="Two & more",
                           bands=STAGES))
    assert svg.tag == NS + "svg" and svg.get("role") == "img"
    assert svg.get("aria-labelledby") == "act-title act-desc"
    assert svg.find(NS + "title").get("id") == "act-title"
    assert svg.find(NS + "title").text == "Scores <over> time"  # escaped, so still well-formed
    assert svg.find(NS + "desc").text == "Two & more"
    assert "style" not in str(line_chart("a", points((50, 0)), title="t", description="d", bands=STAGES))


def test_points_sit_where_their_scores_and_dates_say():
    frame = LineFrame()
    svg = parse(line_chart("act", points((40, 0), (80, 10), (60, 40)), title="t", description="d", frame=frame))
    (x1, y1), (x2, y2), (x3, y3) = circles(svg)
    # Time runs left to right, spaced by days: day 10 is a quarter of the way from day 0 to day 40.
    assert x1 == frame.left + frame.inset and x3 == frame.left + frame.plot_width - frame.inset
    assert x2 == pytest.approx(x1 + (x3 - x1) / 4, abs=0.01)
    # Higher scores sit higher (smaller y), in proportion.
    assert y2 < y3 < y1
    assert y1 == frame.y_for(40) == pytest.approx(frame.top + 0.6 * frame.plot_height)
    assert frame.y_for(100) == frame.top and frame.y_for(0) == frame.top + frame.plot_height
    line = svg.find(NS + "polyline")
    assert line.get("points") == f"{x1},{y1} {x2},{y2} {x3},{y3}"
    values = [t.text for t in svg.iter(NS + "text") if t.get("class") == "app-chart__value"]
    assert values == ["40", "80", "60"]


def test_one_result_is_a_single_dot_in_the_middle_and_no_line():
    frame = LineFrame()
    svg = parse(line_chart("act", points((52.5, 0)), title="t", description="d", frame=frame))
    [(x, y)] = circles(svg)
    assert x == pytest.approx(frame.left + frame.plot_width / 2)
    assert svg.find(NS + "polyline") is None
    assert [t.text for t in svg.iter(NS + "text") if t.get("class") == "app-chart__value"] == ["52.5"]


def test_stage_bands_are_shaded_from_their_cut_points_with_their_names():
    frame = LineFrame()
    svg = parse(line_chart("act", points((50, 0)), title="t", description="d", bands=STAGES, frame=frame))
    bands = [r for r in svg.iter(NS + "rect") if "app-chart__band" in r.get("class")]
    assert len(bands) == 4
    stage_2 = bands[1]
    assert float(stage_2.get("y")) == frame.y_for(60)
    assert float(stage_2.get("y")) + float(stage_2.get("height")) == pytest.approx(frame.y_for(45))
    assert all(r.get("fill") for r in bands)
    labels = [t.text for t in svg.iter(NS + "text") if t.get("class") == "app-chart__band-label"]
    assert labels == ["Stage 1", "Stage 2", "Stage 3", "Stage 4"]
    ticks = [t.text for t in svg.iter(NS + "text") if t.get("class") == "app-chart__tick"]
    assert ticks == ["0", "45", "60", "75", "100"]


def test_dates_under_the_axis_never_crowd_but_the_latest_is_always_shown():
    many = points(*[(50, day) for day in range(0, 10)])  # ten results in ten days
    svg = parse(line_chart("act", many, title="t", description="d"))
    dates = [t.text for t in svg.iter(NS + "text") if t.get("class") == "app-chart__date"]
    assert dates[0] == "day 0" and dates[-1] == "day 9" and len(dates) < 10
    xs = [float(t.get("x")) for t in svg.iter(NS + "text") if t.get("class") == "app-chart__date"]
    assert all(b - a >= 72 for a, b in zip(xs, xs[1:]))


def test_a_bar_chart_draws_first_and_now_on_the_answer_scale():
    frame = BarFrame()
    rows = [BarPair("Getting around", 1, 3), BarPair("Home & family", 4, None), BarPair("Feeling safe", None, 2)]
    markup = bar_chart("cap", rows, title="Freedom", description="First and now", before_label="First",
                       now_label="Now", frame=frame)
    assert "style=" not in str(markup)
    svg = parse(markup)
    assert svg.get("role") == "img" and svg.get("aria-labelledby") == "cap-title cap-desc"
    bars = [r for r in svg.iter(NS + "rect") if r.get("class").startswith("app-chart__bar ")]
    assert [(b.get("class").split("--")[1], b.get("data-value")) for b in bars] == [
        ("before", "1"), ("now", "3"), ("before", "4"), ("now", "2")]
    # Bars grow from the scale's 0 in proportion: 4 fills the plot, 1 a quarter of it.
    assert float(bars[2].get("width")) == frame.plot_width
    assert float(bars[0].get("width")) == pytest.approx(frame.plot_width / 4)
    assert all(float(b.get("x")) == frame.plot_left for b in bars)
    labels = [t.text for t in svg.iter(NS + "text") if t.get("class") == "app-chart__label"]
    assert labels == ["Getting around", "Home & family", "Feeling safe"]
    legend = [t.text for t in svg.iter(NS + "text") if t.get("class") == "app-chart__legend"]
    assert legend == ["First", "Now"]
    assert float(svg.get("viewBox").split()[3]) == frame.height(3)


def test_a_bar_chart_with_one_assessment_shows_only_now():
    svg = parse(bar_chart("cap", [BarPair("Home", None, 2)], title="t", description="d",
                          before_label="First", now_label="Now"))
    bars = [r for r in svg.iter(NS + "rect") if r.get("class").startswith("app-chart__bar ")]
    assert [b.get("class") for b in bars] == ["app-chart__bar app-chart__bar--now"]
    assert [t.text for t in svg.iter(NS + "text") if t.get("class") == "app-chart__legend"] == ["Now"]
