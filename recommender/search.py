"""Finding films by title: the lookup behind the JSON API's ``/api/movies``.

:func:`find_movies` matches a case-insensitive piece of the title or display title
("batman" finds "Batman (1989)" and "Batman Returns"), best matches first: the exact
title, then titles that start with the text, then the others, each group by votes.
Plain columns, no pandas (serving path).
"""

from __future__ import annotations

import numpy as np

from recommender.columns import ColumnTable
from recommender.errors import ConfigError
from recommender.model import RecommenderModel

FOUND_COLUMNS = ["id", "display_title", "year"]


def find_movies(model: RecommenderModel, text: str, limit: int = 10) -> ColumnTable:
    """Up to ``limit`` films whose title or display title contains ``text`` (case-insensitive).

    Columns :data:`FOUND_COLUMNS`. Empty ``text`` matches every film (most voted
    first). Raises :class:`ConfigError` for ``limit < 1``.
    """
    if limit < 1:
        raise ConfigError(f"limit must be >= 1, got {limit}")
    key = text.strip().casefold()
    titles = [str(t).casefold() for t in model.movies["title"]]
    displays = [str(t).casefold() for t in model.display_titles]
    group = np.full(len(titles), 3, dtype=np.int64)  # 3: no match
    for row, (title, display) in enumerate(zip(titles, displays)):
        if key in (title, display):
            group[row] = 0
        elif title.startswith(key) or display.startswith(key):
            group[row] = 1
        elif key in title or key in display:
            group[row] = 2
    votes = model.movies.array("vote_count")
    order = np.lexsort((model.ids, -np.nan_to_num(votes), group))
    rows = order[group[order] < 3][:limit]
    return model.movies.take(rows, FOUND_COLUMNS)
