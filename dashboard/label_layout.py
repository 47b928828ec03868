"""Which cluster labels the map shows, so that none hides another.

A label is a box of text at its cluster's centre. :func:`place_labels` estimates each
box's size on screen (characters and lines at the map's font size, converted to map
units from the data's extent and the figure's size in pixels) and keeps labels
largest cluster first, dropping any whose box would overlap one already kept. So the
broad level (few, large clusters) shows all its labels, the fine level as many as fit
without piling up; the clusters table lists every label. Plain Python on a small
frame, no Streamlit (tested without it).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

CHAR_WIDTH_PX = 6.6  # 11 px sans-serif, average character
LINE_HEIGHT_PX = 15.0
PADDING_PX = 6.0


@dataclass(frozen=True)
class Box:
    left: float
    right: float
    bottom: float
    top: float

    def overlaps(self, other: Box) -> bool:
        return not (
            self.right <= other.left or other.right <= self.left or self.top <= other.bottom or other.top <= self.bottom
        )


def label_box(x: float, y: float, text: str, units_per_px: tuple[float, float]) -> Box:
    """The box (map units) of ``text`` (lines split on "<br>") centred at (x, y)."""
    lines = text.split("<br>")
    width = (max(len(line) for line in lines) * CHAR_WIDTH_PX + 2 * PADDING_PX) * units_per_px[0]
    height = (len(lines) * LINE_HEIGHT_PX + 2 * PADDING_PX) * units_per_px[1]
    return Box(x - width / 2, x + width / 2, y - height / 2, y + height / 2)


def place_labels(
    centroids: pd.DataFrame,
    texts: list[str],
    extent: tuple[float, float, float, float],
    size_px: tuple[int, int],
    reserved: list[tuple[float, float, str, float]] | None = None,
    inside: bool = False,
    same_scale: bool = False,
) -> list[bool]:
    """Which of ``centroids``' labels to show: one bool per row, in row order.

    ``centroids`` has columns x, y and size (films); ``texts`` the wrapped label of each
    row; ``extent`` the map's (x_min, x_max, y_min, y_max) and ``size_px`` its plot
    area (width, height) in pixels; ``reserved`` other labels already on the map (x, y,
    text, offset above the point in pixels), which no cluster label may cover; with
    ``inside``, a label whose box leaves the extent is not shown (a zoomed view's edge
    would cut it); with ``same_scale``, a unit is as many pixels across as up (plotly's
    ``scaleanchor``): the axis that needs more units per pixel sets the scale of both,
    and the other shows more than its extent. Larger clusters win; ties keep row order.
    """
    x_min, x_max, y_min, y_max = extent
    width_px, height_px = max(size_px[0], 1), max(size_px[1], 1)
    across, up = (x_max - x_min) / width_px, (y_max - y_min) / height_px
    # A flat extent (every film on one line) takes its scale from the other axis.
    units_per_px = (max(across, up) or 1.0,) * 2 if same_scale else (across or 1.0, up or 1.0)
    order = sorted(range(len(centroids)), key=lambda i: (-float(centroids["size"].iloc[i]), i))
    kept: list[Box] = [
        label_box(x, y + offset_px * units_per_px[1], text, units_per_px) for x, y, text, offset_px in reserved or []
    ]
    shown = [False] * len(centroids)
    for position in order:
        box = label_box(float(centroids["x"].iloc[position]), float(centroids["y"].iloc[position]), texts[position], units_per_px)
        if inside and (box.left < x_min or box.right > x_max or box.bottom < y_min or box.top > y_max):
            continue
        if not any(box.overlaps(other) for other in kept):
            kept.append(box)
            shown[position] = True
    return shown
