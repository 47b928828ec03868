"""Which films a list may show: release years, genres, votes, original language.

One implementation for every list the app, the API and the CLI show: the
recommendations (:mod:`recommender.ranking`) and the weighted-rating top chart
(:mod:`recommender.popularity`). Plain columns, no pandas.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from recommender.columns import ColumnTable


@dataclass(frozen=True)
class Filters:
    """Constraints on recommended movies; empty means no constraint."""

    years: tuple[int, int] | None = None
    genres: tuple[str, ...] = ()
    min_votes: int = 0
    languages: tuple[str, ...] = ()

    @property
    def active(self) -> bool:
        return bool(self.years or self.genres or self.min_votes > 0 or self.languages)


def filter_mask(movies: ColumnTable, filters: Filters) -> np.ndarray | None:
    """Boolean mask of the movies passing ``filters``, or None when none is active."""
    if not filters.active:
        return None
    mask = np.ones(len(movies), dtype=bool)
    if filters.years is not None:
        year = movies.array("year")  # NaN where unknown: outside every range
        mask &= (year >= filters.years[0]) & (year <= filters.years[1])
    if filters.genres:
        wanted = set(filters.genres)
        mask &= np.fromiter((bool(wanted.intersection(g)) for g in movies["genres"]), bool, len(movies))
    if filters.min_votes > 0:
        mask &= movies.array("vote_count") >= filters.min_votes
    if filters.languages:
        wanted = set(filters.languages)
        mask &= np.fromiter((lang in wanted for lang in movies["original_language"]), bool, len(movies))
    return mask
