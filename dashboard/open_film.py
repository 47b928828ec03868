"""One click on a film anywhere opens it in the recommender.

Pages call :func:`open_selected_row` when a table row is selected (top charts,
disagreements, search hits, films selected on a map) and :func:`open_in_recommender`
for a click on one dot of the explorer's map (``dashboard/map_chart.py``): Streamlit
switches to the recommender page with ``?movie=<id>`` in the URL, which the page reads
like any link (and the browser's Back returns to where the click was made).
"""

from __future__ import annotations

from collections.abc import Sequence
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
