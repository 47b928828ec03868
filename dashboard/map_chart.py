"""The explorer's map: a plotly plot that the browser keeps across script runs.

``st.plotly_chart`` draws a changed figure as a new chart element: new WebGL contexts
and plotly's whole first drawing every time, then a second full pass (the element
updates its state once after mounting). On the full TMDB map (4,803 films, software
WebGL on the project's 2-core test machine) that kept the explorer over its 1 s target
(docs/BROWSER_BENCHMARK.md). This component (``st.components.v2``, public API) keeps one
plot per key: a new figure is drawn into it with ``Plotly.react``, an unchanged one
(another part of the page changed) is not drawn again (``dashboard/map_chart.js``).

What it costs against ``st.plotly_chart``:

- plotly.js is a bundle of only the map's traces, vendored and served by the app
  (:mod:`dashboard.assets`), not the full library in Streamlit's frontend: a visitor who also
  opens a page with ``st.plotly_chart`` charts loads both (2.0 and 4.8 MB, cached by the browser);
- the events are the component's own: a click on one film (trigger ``click``) and a box
  or lasso selection (state ``selection``, with the figure it was made on);
- the theme comes from the CSS custom properties Streamlit gives components (text
  colour, font, primary colour); full screen is a button of plotly's mode bar (the
  browser's Fullscreen API), not Streamlit's element toolbar.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import plotly.graph_objects as go
import plotly.io as pio
import streamlit as st

from dashboard.assets import PLOTLY_URL

_CSS = """
.movie-map:fullscreen { background: var(--st-background-color); padding: 1rem; }
.movie-map-error { color: var(--st-red-color, #ff4b4b); }
"""
# Not style-isolated: plotly puts its own styles (mode bar, hover labels) in the page's head.
_COMPONENT = st.components.v2.component(
    "movie_map", html="", css=_CSS, js=Path(__file__).with_name("map_chart.js").read_text(encoding="utf-8"),
    isolate_styles=False,
)


@dataclasses.dataclass(frozen=True)
class MapFigure:
    """A figure as the component gets it: plotly JSON and a digest that names it, and
    how many cluster labels it shows (for the page's caption)."""

    json: str
    figure_id: str
    labels_shown: int = 0

    @classmethod
    def of(cls, figure: go.Figure, labels_shown: int = 0) -> MapFigure:
        text = pio.to_json(figure, validate=False, engine="json")
        return cls(text, hashlib.sha256(text.encode("utf-8")).hexdigest()[:16], labels_shown)


def draw(
    figure: MapFigure, *, key: str, config: dict, selectable: bool, films: int,
    on_click: Callable[[int], None], on_select: Callable[[list[int]], None],
) -> list[int]:
    """Draw ``figure``; return the catalog rows of the box or lasso selection made on it
    (a selection made on another figure is over). With ``selectable``, a click on one
    film calls ``on_click(row)`` and a new selection ``on_select(rows)``, as callbacks
    before the next run. Rows come from the browser: only those of the ``films`` drawn
    are kept."""

    def rows_of(value: Any) -> list[int]:
        if not isinstance(value, list):
            return []
        rows = [r for r in value if isinstance(r, int) and not isinstance(r, bool) and 0 <= r < films]
        return list(dict.fromkeys(rows))

    def state() -> Mapping[str, Any]:
        value = st.session_state.get(key)
        return value if isinstance(value, Mapping) else {}

    def clicked() -> None:
        for row in rows_of([state().get("click")]):
            on_click(row)

    def selected() -> None:
        on_select(current())

    def current() -> list[int]:
        value = state().get("selection")
        if not isinstance(value, dict) or value.get("figure") != figure.figure_id:
            return []
        return rows_of(value.get("rows"))

    _COMPONENT(
        key=key,
        data={
            "figure": figure.json, "figure_id": figure.figure_id, "config": config, "selectable": selectable,
            "plotly_url": PLOTLY_URL,
        },
        default={"selection": None},
        on_click_change=clicked,
        on_selection_change=selected,
    )
    return current()
