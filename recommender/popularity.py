"""IMDB-style weighted rating and top charts.

WR = v/(v+m)·R + m/(v+m)·C, where R is a movie's vote average, v its vote count,
C the mean vote over the catalog and m the ``quantile`` of the vote counts (0.90 by
default): a movie needs many votes before its own average outweighs the catalog's.
Only movies with at least m votes qualify for a top chart, as on IMDB.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from recommender.columns import ColumnTable
from recommender.errors import ConfigError
from recommender.filters import Filters, filter_mask

if TYPE_CHECKING:  # pandas only in annotations: RatingStats is part of the serving model
    import pandas as pd


@dataclass(frozen=True)
class RatingStats:
    """The catalog's mean vote ``C`` and minimum vote count ``m``."""

    mean_vote: float
    min_votes: float
    quantile: float


def rating_stats(catalog: pd.DataFrame, quantile: float = 0.90) -> RatingStats:
    """C (mean of the vote averages of movies with votes) and m (vote-count quantile)."""
    if not 0 < quantile < 1:
        raise ConfigError(f"quantile must be in (0, 1), got {quantile}")
    rated = catalog[(catalog["vote_count"] > 0) & catalog["vote_average"].notna()]
    if rated.empty:
        return RatingStats(mean_vote=0.0, min_votes=0.0, quantile=quantile)
    return RatingStats(
        mean_vote=float(rated["vote_average"].mean()),
        min_votes=float(catalog["vote_count"].quantile(quantile)),
        quantile=quantile,
    )


def weighted_rating(vote_average: np.ndarray | pd.Series, vote_count: np.ndarray | pd.Series, stats: RatingStats) -> np.ndarray:
    """WR for each movie; a movie without votes gets C."""
    r = np.nan_to_num(np.asarray(vote_average, dtype=np.float64), nan=stats.mean_vote)
    v = np.asarray(vote_count, dtype=np.float64)
    m, c = stats.min_votes, stats.mean_vote
    denominator = v + m
    with np.errstate(invalid="ignore", divide="ignore"):
        wr = np.where(denominator > 0, v / denominator * r + m / denominator * c, c)
    return wr


def normalised(values: np.ndarray) -> np.ndarray:
    """Min-max scaling to [0, 1]; a constant array gives zeros."""
    values = np.asarray(values, dtype=np.float64)
    low, high = np.nanmin(values), np.nanmax(values)
    if not np.isfinite(high - low) or high - low == 0:
        return np.zeros_like(values)
    return (values - low) / (high - low)


TOP_CHART_COLUMNS = ["rank", "id", "display_title", "year", "genres", "vote_average", "vote_count", "weighted_rating"]


def top_chart(
    movies: ColumnTable,
    stats: RatingStats,
    *,
    genres: Sequence[str] = (),
    years: tuple[int, int] | None = None,
    n: int = 20,
) -> ColumnTable:
    """The n best movies by weighted rating among those with at least m votes.

    ``genres`` keeps movies having any of them; ``years`` is an inclusive range (the
    same filters as the recommendations, :func:`recommender.filters.filter_mask`).
    ``movies`` must have a ``weighted_rating`` column. Columns :data:`TOP_CHART_COLUMNS`;
    ties by more votes, then the lower id.
    """
    votes = movies.array("vote_count")
    qualified = votes >= stats.min_votes
    mask = filter_mask(movies, Filters(years=years, genres=tuple(genres)))
    if mask is not None:
        qualified &= mask
    rows = np.flatnonzero(qualified)
    order = np.lexsort((movies.array("id")[rows], -votes[rows], -movies.array("weighted_rating")[rows]))
    chart = movies.take(rows[order][:n], TOP_CHART_COLUMNS[1:])
    return chart.with_column("rank", "int", range(1, len(chart) + 1), position=0)
