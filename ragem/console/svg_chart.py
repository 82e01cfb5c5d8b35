"""A small horizontal bar chart of KPIs against their targets, laid out here and drawn as inline SVG.

KPIs have different units (complaints, percent, hours), so each row has its own scale: the bar is
the value, the tick is the target, and the row's longest of the two fills the track.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Mapping

LABEL_WIDTH = 260
LABEL_CHARS = 36  # what fits in LABEL_WIDTH at 12 px
TRACK_WIDTH = 380
VALUE_WIDTH = 130
ROW_HEIGHT = 30
BAR_HEIGHT = 16
TOP = 8
WIDTH = LABEL_WIDTH + TRACK_WIDTH + VALUE_WIDTH
COLOURS = {"on_track": "#17663a", "off_track": "#b3261e", "no_target": "#5b6573", "no_data": "#b7c1cc"}


@dataclass(frozen=True)
class Bar:
    """One row of the chart, in SVG user units."""

    label: str
    y: float
    width: float
    target_x: float | None
    colour: str
    caption: str
    status: str


@dataclass(frozen=True)
class Chart:
    """The whole chart: its size and its rows."""

    width: int
    height: int
    label_width: int
    track_width: int
    bar_height: int
    bars: tuple[Bar, ...]


def _number(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:,.0f}" if float(value).is_integer() or abs(value) >= 100 else f"{value:,.2f}"


def kpi_chart(items: Iterable[Mapping[str, Any]]) -> Chart:
    """The chart of evaluation ``items`` (``name``, ``value``, ``target``, ``status``, ``unit``), in order."""
    bars = []
    for row, item in enumerate(items):
        value, target = item.get("value"), item.get("target")
        scale = max(abs(value or 0), abs(target or 0)) or 1.0
        width = TRACK_WIDTH * abs(value) / scale if value is not None else 0.0
        target_x = LABEL_WIDTH + TRACK_WIDTH * abs(target) / scale if target is not None else None
        caption = f"{_number(value)} / {_number(target)} {item.get('unit') or ''}".strip()
        label = str(item.get("name") or item.get("key"))
        label = label if len(label) <= LABEL_CHARS else label[:LABEL_CHARS - 1] + "…"  # the full name is in the table
        bars.append(Bar(label=label, y=TOP + row * ROW_HEIGHT,
                        width=round(width, 1), target_x=round(target_x, 1) if target_x is not None else None,
                        colour=COLOURS.get(item.get("status"), COLOURS["no_data"]), caption=caption,
                        status=str(item.get("status"))))
    return Chart(width=WIDTH, height=TOP * 2 + max(1, len(bars)) * ROW_HEIGHT, label_width=LABEL_WIDTH,
                 track_width=TRACK_WIDTH, bar_height=BAR_HEIGHT, bars=tuple(bars))
