"""Charts of report.html as inline SVG text: horizontal bars and a heat map with its legend.
Used only by transforms/report.py at the end of the run; plain string building, so the same
input always gives byte-identical markup and nothing is fetched or rasterized.

Text widths come from a per-character table (no font metrics are available when the page is
written), the wider of DejaVu Sans and Arial per character, so labels are not clipped.
"""
from __future__ import annotations

import html
import math
import unicodedata
from typing import NamedTuple, Optional, Sequence

LABEL_SIZE = 13  # px; matplotlib's 10 pt tick labels as the browser showed them
TITLE_SIZE = 16  # px; matplotlib's 12 pt axes title
CELL_TEXT_SIZE = 11
PAD = 8
BAR_AREA = 320  # px from zero to the largest value
BAR_ROW = 28
BAR_THICKNESS = 20
BAR_COLOUR = "#3b6ea8"
CELL_WIDTH = 44
CELL_HEIGHT = 26
COLUMN_LABEL_ANGLE = 60  # degrees, as the matplotlib heat map's skill labels
LEGEND_WIDTH = 14

# matplotlib's viridis at 0, 1/8, ..., 1: perceptually uniform, readable in grey and by most
# colour-blind readers; interpolating these stops in sRGB stays within a shade of the original.
VIRIDIS_STOPS = ("#440154", "#472d7b", "#3b528b", "#2c728e", "#21918c",
                 "#28ae80", "#5ec962", "#addc30", "#fde725")

# Advance widths of " " to "~" in hundredths of an em: the larger of DejaVu Sans and Liberation
# Sans (what "sans-serif" resolves to on most Linux, and metric-compatible with Arial).
_ASCII_WIDTHS = (
    32, 40, 46, 84, 64, 95, 78, 27, 39, 39, 50, 84, 32, 36, 32, 34, 64, 64, 64, 64, 64, 64, 64, 64,
    64, 64, 34, 34, 84, 84, 84, 56, 102, 68, 69, 72, 77, 67, 61, 78, 75, 29, 50, 67, 56, 86, 75, 79,
    67, 79, 72, 67, 61, 73, 68, 99, 69, 67, 69, 39, 34, 39, 84, 56, 50, 61, 63, 55, 63, 62, 35, 63,
    63, 28, 28, 58, 28, 97, 63, 61, 63, 63, 41, 52, 39, 63, 59, 82, 59, 59, 52, 64, 34, 64, 84)
_OTHER_WIDTH = 70  # letters outside ASCII without an ASCII base letter (Greek, Cyrillic, ...)
_WIDE_WIDTH = 100  # CJK and other full-width characters


class Bar(NamedTuple):
    label: str
    value: float  # bar length; negative values draw as empty bars
    value_text: str  # written after the bar's end


def text_width(text: str, font_size: float) -> float:
    """Estimated rendered width in px of `text` in a sans-serif font."""
    hundredths = 0
    for char in unicodedata.normalize("NFD", text):
        if " " <= char <= "~":
            hundredths += _ASCII_WIDTHS[ord(char) - 32]
        elif unicodedata.combining(char):
            continue  # the accent of "é" sits on its letter
        elif unicodedata.east_asian_width(char) in "WF":
            hundredths += _WIDE_WIDTH
        else:
            hundredths += _OTHER_WIDTH
    return hundredths * font_size / 100


def ramp_colour(fraction: float) -> str:
    """Viridis colour of `fraction` in [0, 1] (clamped), as #rrggbb."""
    position = min(max(fraction, 0.0), 1.0) * (len(VIRIDIS_STOPS) - 1)
    index = min(int(position), len(VIRIDIS_STOPS) - 2)
    weight = position - index
    low, high = VIRIDIS_STOPS[index], VIRIDIS_STOPS[index + 1]
    channels = (round(int(low[i:i + 2], 16) * (1 - weight) + int(high[i:i + 2], 16) * weight)
                for i in (1, 3, 5))
    return "#" + "".join(f"{channel:02x}" for channel in channels)


def _on_colour(fill: str) -> str:
    """Text colour readable on `fill`: dark on the light (yellow-green) end of the ramp."""
    red, green, blue = (int(fill[i:i + 2], 16) for i in (1, 3, 5))
    return "#222" if 0.2126 * red + 0.7152 * green + 0.0722 * blue >= 115 else "#fff"


def nice_ticks(top: float, most: int = 6) -> list[float]:
    """0 and round steps (1, 2, 2.5 or 5 x 10^k) up to `top`, at most `most` ticks."""
    if top <= 0:
        return [0.0]
    magnitude = 10 ** math.floor(math.log10(top / most))
    step = next(magnitude * factor for factor in (1, 2, 2.5, 5, 10)
                if top / (magnitude * factor) < most)
    count = int(top / step + 1e-9)
    return [round(step * i, 10) for i in range(count + 1)]


def _number(value: float) -> str:
    """Coordinates with one decimal at most: short, and stable across platforms."""
    text = f"{value:.1f}"
    text = text[:-2] if text.endswith(".0") else text
    return "0" if text == "-0" else text


def _tick_text(value: float) -> str:
    return f"{value:g}"


def _svg_open(chart_id: str, width: float, height: float, title: str, description: str) -> str:
    """Root element with the title and description screen readers announce for the chart."""
    chart_id = html.escape(chart_id)
    return (f'<svg class="chart-image" xmlns="http://www.w3.org/2000/svg" role="img" '
            f'width="{_number(width)}" height="{_number(height)}" '
            f'viewBox="0 0 {_number(width)} {_number(height)}" font-family="sans-serif" '
            f'aria-labelledby="{chart_id}-title {chart_id}-desc">'
            f'<title id="{chart_id}-title">{html.escape(title)}</title>'
            f'<desc id="{chart_id}-desc">{html.escape(description)}</desc>')


def bar_chart(chart_id: str, title: str, bars: Sequence[Bar], axis_label: str,
              description: str, reference: Optional[float] = None) -> str:
    """One horizontal bar per entry, top to bottom in the given order, the largest value
    (or `reference`, drawn as a dashed line, if larger) spanning BAR_AREA."""
    label_width = max((text_width(bar.label, LABEL_SIZE) for bar in bars), default=0.0)
    value_width = max((text_width(bar.value_text, LABEL_SIZE) for bar in bars), default=0.0)
    zero_x = PAD + label_width + 6
    plot_right = zero_x + BAR_AREA
    width = max(plot_right + 6 + value_width + PAD, text_width(title, TITLE_SIZE) + 2 * PAD)
    top = PAD + TITLE_SIZE + 10
    bottom = top + BAR_ROW * len(bars)
    height = bottom + 6 + LABEL_SIZE + PAD
    scale_top = max([bar.value for bar in bars] + ([reference] if reference is not None else []),
                    default=0.0)
    scale = BAR_AREA / scale_top if scale_top > 0 else 0.0

    parts = [_svg_open(chart_id, width, height, title, description),
             f'<text x="{_number(width / 2)}" y="{_number(PAD + TITLE_SIZE)}" '
             f'font-size="{TITLE_SIZE}" text-anchor="middle" fill="#222">'
             f"{html.escape(title)}</text>",
             f'<g class="bars" fill="{BAR_COLOUR}">']
    for index, bar in enumerate(bars):
        bar_top = top + BAR_ROW * index + (BAR_ROW - BAR_THICKNESS) / 2
        parts.append(f'<rect x="{_number(zero_x)}" y="{_number(bar_top)}" '
                     f'width="{_number(max(bar.value, 0.0) * scale)}" '
                     f'height="{BAR_THICKNESS}"/>')
    parts.append(f'</g><g font-size="{LABEL_SIZE}" fill="#222" dominant-baseline="central">')
    for index, bar in enumerate(bars):
        middle = _number(top + BAR_ROW * index + BAR_ROW / 2)
        bar_end = zero_x + max(bar.value, 0.0) * scale
        parts.append(f'<text x="{_number(zero_x - 6)}" y="{middle}" text-anchor="end">'
                     f"{html.escape(bar.label)}</text>"
                     f'<text x="{_number(bar_end + 4)}" y="{middle}">'
                     f"{html.escape(bar.value_text)}</text>")
    parts.append("</g>")
    parts.append(f'<line x1="{_number(zero_x)}" y1="{_number(top)}" x2="{_number(zero_x)}" '
                 f'y2="{_number(bottom)}" stroke="#222"/>')
    if reference is not None and scale:
        reference_x = _number(zero_x + reference * scale)
        parts.append(f'<line x1="{reference_x}" y1="{_number(top)}" x2="{reference_x}" '
                     f'y2="{_number(bottom)}" stroke="#999" stroke-dasharray="4 3"/>')
    parts.append(f'<text x="{_number(zero_x + BAR_AREA / 2)}" y="{_number(height - PAD)}" '
                 f'font-size="{LABEL_SIZE}" text-anchor="middle" fill="#222">'
                 f"{html.escape(axis_label)}</text></svg>")
    return "".join(parts)


def heat_map(chart_id: str, title: str, row_labels: Sequence[str],
             column_labels: Sequence[str], values: Sequence[Sequence[float]],
             legend_label: str, description: str, unit: str = "") -> str:
    """One cell per (row, column) coloured from 0 to the largest value, the value written in
    it (one decimal), column labels slanted below the grid, a colour legend on the right."""
    largest = max((value for row in values for value in row), default=0.0)
    angle = math.radians(COLUMN_LABEL_ANGLE)
    column_widths = [text_width(label, LABEL_SIZE) for label in column_labels]
    # A slanted label reaches left of its column by cos(angle) of its length.
    left_reach = max((w * math.cos(angle) - CELL_WIDTH * (i + 0.5)
                      for i, w in enumerate(column_widths)), default=0.0)
    row_label_width = max((text_width(label, LABEL_SIZE) for label in row_labels), default=0.0)
    grid_left = PAD + max(row_label_width + 6, left_reach)
    grid_top = PAD + TITLE_SIZE + 10
    grid_right = grid_left + CELL_WIDTH * len(column_labels)
    grid_bottom = grid_top + CELL_HEIGHT * len(row_labels)
    ticks = nice_ticks(largest)
    legend_left = grid_right + 20
    tick_width = max(text_width(_tick_text(tick), LABEL_SIZE) for tick in ticks)
    legend_label_x = legend_left + LEGEND_WIDTH + 6 + tick_width + 8 + LABEL_SIZE / 2
    width = max(legend_label_x + LABEL_SIZE / 2 + PAD, text_width(title, TITLE_SIZE) + 2 * PAD)
    height = grid_bottom + 6 + max(column_widths, default=0.0) * math.sin(angle) \
        + LABEL_SIZE + PAD

    parts = [_svg_open(chart_id, width, height, title, description),
             f'<text x="{_number((grid_left + grid_right) / 2)}" y="{_number(PAD + TITLE_SIZE)}" '
             f'font-size="{TITLE_SIZE}" text-anchor="middle" fill="#222">'
             f"{html.escape(title)}</text>",
             f'<g class="cells" font-size="{CELL_TEXT_SIZE}" text-anchor="middle" '
             f'dominant-baseline="central">']
    for row_index, (row_label, row) in enumerate(zip(row_labels, values)):
        cell_top = grid_top + CELL_HEIGHT * row_index
        for column_index, (column_label, value) in enumerate(zip(column_labels, row)):
            cell_left = grid_left + CELL_WIDTH * column_index
            fill = ramp_colour(value / largest if largest > 0 else 0.0)
            parts.append(
                f'<rect x="{_number(cell_left)}" y="{_number(cell_top)}" width="{CELL_WIDTH}" '
                f'height="{CELL_HEIGHT}" fill="{fill}"><title>'
                f"{html.escape(f'{row_label}, {column_label}: {value:.1f}{unit}')}</title></rect>"
                f'<text x="{_number(cell_left + CELL_WIDTH / 2)}" '
                f'y="{_number(cell_top + CELL_HEIGHT / 2)}" fill="{_on_colour(fill)}">'
                f"{value:.1f}</text>")
    parts.append(f'</g><g font-size="{LABEL_SIZE}" fill="#222">')
    for row_index, row_label in enumerate(row_labels):
        parts.append(f'<text x="{_number(grid_left - 6)}" '
                     f'y="{_number(grid_top + CELL_HEIGHT * (row_index + 0.5))}" '
                     f'text-anchor="end" dominant-baseline="central">'
                     f"{html.escape(row_label)}</text>")
    label_top = _number(grid_bottom + 6)
    for column_index, column_label in enumerate(column_labels):
        x = _number(grid_left + CELL_WIDTH * (column_index + 0.5))
        parts.append(f'<text x="{x}" y="{label_top}" text-anchor="end" '
                     f'dominant-baseline="hanging" '
                     f'transform="rotate(-{COLUMN_LABEL_ANGLE} {x} {label_top})">'
                     f"{html.escape(column_label)}</text>")

    legend_height = grid_bottom - grid_top
    gradient_id = html.escape(f"{chart_id}-ramp")
    stops = "".join(f'<stop offset="{_number(100 * i / (len(VIRIDIS_STOPS) - 1))}%" '
                    f'stop-color="{colour}"/>' for i, colour in enumerate(VIRIDIS_STOPS))
    parts.append(f'</g><g class="legend" font-size="{LABEL_SIZE}" fill="#222">'
                 f'<defs><linearGradient id="{gradient_id}" x1="0" y1="1" x2="0" y2="0">'
                 f"{stops}</linearGradient></defs>"
                 f'<rect x="{_number(legend_left)}" y="{_number(grid_top)}" '
                 f'width="{LEGEND_WIDTH}" height="{_number(legend_height)}" '
                 f'fill="url(#{gradient_id})"/>')
    for tick in ticks:
        tick_y = _number(grid_bottom - (tick / largest if largest > 0 else 0.0) * legend_height)
        parts.append(f'<line x1="{_number(legend_left + LEGEND_WIDTH)}" y1="{tick_y}" '
                     f'x2="{_number(legend_left + LEGEND_WIDTH + 4)}" y2="{tick_y}" '
                     f'stroke="#222"/>'
                     f'<text x="{_number(legend_left + LEGEND_WIDTH + 6)}" y="{tick_y}" '
                     f'dominant-baseline="central">{_tick_text(tick)}</text>')
    legend_middle = _number(grid_top + legend_height / 2)
    parts.append(f'<text x="{_number(legend_label_x)}" y="{legend_middle}" '
                 f'text-anchor="middle" dominant-baseline="central" '
                 f'transform="rotate(-90 {_number(legend_label_x)} {legend_middle})">'
                 f"{html.escape(legend_label)}</text></g></svg>")
    return "".join(parts)
