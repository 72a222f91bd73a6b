"""The inline SVG charts of report.html: text widths, the viridis ramp, legend ticks, and the
exact geometry and escaping of a bar chart and a heat map, parsed back as XML."""
from __future__ import annotations

import xml.etree.ElementTree as ElementTree

import pytest

from transforms.svg_charts import (
    BAR_AREA, Bar, bar_chart, heat_map, nice_ticks, ramp_colour, text_width,
)

SVG = "{http://www.w3.org/2000/svg}"


@pytest.mark.parametrize("text, font_size, width", [
    ("Python", 10, 35.2),  # P 67 + y 59 + t 39 + h 63 + o 61 + n 63 hundredths of an em
    ("C++", 13, 0.72 * 13 + 2 * 0.84 * 13),
    ("Café", 10, text_width("Cafe", 10)),  # the accent adds no width
    ("東京", 10, 20.0),
    ("", 13, 0.0),
])
def test_text_width(text, font_size, width):
    assert text_width(text, font_size) == pytest.approx(width)


@pytest.mark.parametrize("fraction, colour", [
    (0.0, "#440154"), (0.5, "#21918c"), (1.0, "#fde725"),
    (1 / 16, "#461768"),  # halfway between the first two stops
    (-0.5, "#440154"), (1.5, "#fde725"),
])
def test_ramp_colour(fraction, colour):
    assert ramp_colour(fraction) == colour


@pytest.mark.parametrize("top, ticks", [
    (44.9, [0, 10, 20, 30, 40]),
    (100.0, [0, 20, 40, 60, 80, 100]),
    (0.5, [0, 0.1, 0.2, 0.3, 0.4, 0.5]),
    (9.47, [0, 2, 4, 6, 8]),
    (0.0, [0]),
])
def test_nice_ticks(top, ticks):
    assert nice_ticks(top) == ticks


SENIORITY_BARS = [Bar("mid", 1740, "1,740 (34.4%)"), Bar("senior", 1238, "1,238 (24.5%)"),
                  Bar("intern", 36, "36 (0.7%)")]


def test_bar_chart_geometry_and_text():
    chart = bar_chart("chart-seniority-mix", "Seniority mix", SENIORITY_BARS, "unique postings",
                      "Unique postings per seniority level.")
    root = ElementTree.fromstring(chart)
    assert root.tag == SVG + "svg"
    assert (root.get("class"), root.get("role"), root.get("font-family")) == (
        "chart-image", "img", "sans-serif")
    assert root.get("aria-labelledby") == "chart-seniority-mix-title chart-seniority-mix-desc"
    assert root.find(SVG + "title").get("id") == "chart-seniority-mix-title"
    assert root.find(SVG + "title").text == "Seniority mix"
    assert root.find(SVG + "desc").text == "Unique postings per seniority level."
    bars = root.findall(f"{SVG}g[@class='bars']/{SVG}rect")
    # The largest value spans the bar area; the others in proportion, one decimal.
    assert [bar.get("width") for bar in bars] == ["320", "227.7", "6.6"]
    assert len({bar.get("x") for bar in bars}) == 1
    assert [text.text for text in root.iter(SVG + "text")] == [
        "Seniority mix", "mid", "1,740 (34.4%)", "senior", "1,238 (24.5%)", "intern",
        "36 (0.7%)", "unique postings"]
    title = root.find(SVG + "text")
    assert title.get("font-size") == "16"


def test_bar_chart_reference_line_and_escaping():
    bars = [Bar("United States: C++", 0.8, "0.80"), Bar("Europe: P&L management", 1.6, "1.60")]
    chart = bar_chart("chart-location-quotient", "Skills <most> over-represented", bars,
                      "location quotient (1 = as in World)", "R&D and C++.", reference=1.0)
    assert ">Europe: P&amp;L management</text>" in chart
    assert ">Skills &lt;most&gt; over-represented</title>" in chart
    assert "<desc id=\"chart-location-quotient-desc\">R&amp;D and C++.</desc>" in chart
    root = ElementTree.fromstring(chart)
    bar_rects = root.findall(f"{SVG}g[@class='bars']/{SVG}rect")
    zero_x = float(bar_rects[0].get("x"))
    widths = [float(bar.get("width")) for bar in bar_rects]
    assert widths == [160.0, 320.0]
    axis, reference = root.findall(SVG + "line")
    assert float(axis.get("x1")) == pytest.approx(zero_x, abs=0.05)
    assert float(reference.get("x1")) == pytest.approx(zero_x + BAR_AREA / 1.6, abs=0.05)
    assert reference.get("stroke-dasharray") == "4 3"


def test_reference_beyond_every_bar_sets_the_scale():
    chart = bar_chart("chart-lq", "LQ", [Bar("GB: Python", 0.96, "0.96")], "quotient", "LQ.",
                      reference=1.0)
    (bar,) = ElementTree.fromstring(chart).findall(f"{SVG}g[@class='bars']/{SVG}rect")
    assert bar.get("width") == "307.2"


def test_bar_chart_is_byte_identical_for_identical_input():
    assert bar_chart("c", "t", SENIORITY_BARS, "a", "d") == bar_chart(
        "c", "t", list(SENIORITY_BARS), "a", "d")


def test_heat_map_cells_colours_and_legend():
    chart = heat_map("chart-heatmap", "Share of postings asking for each skill",
                     ["Côte d'Ivoire", "United Kingdom"], ["C++", "P&L management", "Python"],
                     [[50.0, 0.0, 25.0], [10.0, 20.0, 40.0]],
                     "% of the region's postings", "Shares.", unit="%")
    root = ElementTree.fromstring(chart)
    cells = root.findall(f"{SVG}g[@class='cells']/{SVG}rect")
    assert len(cells) == 6
    assert [cell.get("fill") for cell in cells] == [
        "#fde725", "#440154", "#21918c", ramp_colour(0.2), ramp_colour(0.4), ramp_colour(0.8)]
    assert [cell.find(SVG + "title").text for cell in cells[:3]] == [
        "Côte d'Ivoire, C++: 50.0%", "Côte d'Ivoire, P&L management: 0.0%",
        "Côte d'Ivoire, Python: 25.0%"]
    assert "Côte d&#x27;Ivoire, P&amp;L management: 0.0%</title>" in chart
    texts = [text.text for text in root.iter(SVG + "text")]
    assert texts[1:7] == ["50.0", "0.0", "25.0", "10.0", "20.0", "40.0"]
    assert texts[7:12] == ["Côte d'Ivoire", "United Kingdom", "C++", "P&L management", "Python"]
    # Legend: the viridis stops as a gradient, ticks 0..50 by 10, then its label.
    stops = root.findall(f"{SVG}g[@class='legend']/{SVG}defs/{SVG}linearGradient/{SVG}stop")
    assert [stop.get("stop-color") for stop in stops[::4]] == ["#440154", "#21918c", "#fde725"]
    assert texts[12:] == ["0", "10", "20", "30", "40", "50", "% of the region's postings"]
    # Dark text from the middle of the ramp up (#21918c), white on the dark end.
    cell_texts = list(root.iter(SVG + "text"))[1:7]
    assert [text.get("fill") for text in cell_texts[:3]] == ["#222", "#fff", "#222"]


def test_heat_map_of_zeros_draws_the_darkest_colour():
    chart = heat_map("h", "t", ["Africa"], ["Python"], [[0.0]], "%", "d")
    (cell,) = ElementTree.fromstring(chart).findall(f"{SVG}g[@class='cells']/{SVG}rect")
    assert cell.get("fill") == "#440154"
