"""One click on a film anywhere opens it in the recommender.

Pages call :func:`open_selected_row` when a table row is selected (top charts,
disagreements, search hits, films selected on a map) and :func:`clicked_row` for a
click on one dot of the explorer's map (a plotly selection of one point, as opposed
to a box or lasso): Streamlit switches to the recommender page with ``?movie=<id>``
in the URL, which the page reads like any link (and the browser's Back returns to
where the click was made).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import streamlit as st

RECOMMENDER_PAGE = "pages/recommender.py"


def open_in_recommender(movie_id: int) -> None:
    """Switch to the recommender page showing ``movie_id`` with its other settings at
    their defaults (does not return). The URL is the one the page itself would write,
    so arriving adds no second history entry."""
    from dashboard import cache, sidebar, state

    settings = cache.recommender_settings(cache.get_model())
    st.switch_page(RECOMMENDER_PAGE, query_params=state.recommender_url(settings, movie_id, sidebar.vectorizer()))


def open_selected_row(event: Any, movie_ids: Sequence[int]) -> None:
    """Open the film of a single-row ``st.dataframe`` selection, if a row is selected."""
    rows = event.selection.rows if event is not None else []
    if rows and 0 <= rows[0] < len(movie_ids):
        open_in_recommender(int(movie_ids[rows[0]]))


def clicked_row(selection: Mapping[str, Any] | None) -> int | None:
    """The catalog row of the one film a click selected on a map, else None.

    ``selection`` is an ``st.plotly_chart`` selection (``points``, ``box``, ``lasso``).
    A click selects one point and draws no box or lasso; a box or lasso holding a
    single film is a selection to list, not a click. Points of other traces (the
    searched film's star, the neighbour lines) carry no catalog row and do not count.
    """
    if not selection or selection.get("box") or selection.get("lasso"):
        return None
    # Movie markers carry their catalog row as customdata[0] (dashboard.figures.map_figure).
    rows = {
        int(point["customdata"][0])
        for point in selection.get("points") or []
        if isinstance(point.get("customdata"), (list, tuple))
        and point["customdata"]
        and isinstance(point["customdata"][0], (int, float))
        and not isinstance(point["customdata"][0], bool)
    }
    return rows.pop() if len(rows) == 1 else None
