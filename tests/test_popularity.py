"""Weighted rating against hand-computed values; top charts."""

import numpy as np
import pandas as pd
import pytest

from recommender.columns import ColumnTable
from recommender.popularity import TOP_CHART_COLUMNS, RatingStats, normalised, rating_stats, top_chart, weighted_rating


@pytest.fixture
def catalog():
    frame = pd.DataFrame(
        {
            "id": [1, 2, 3, 4],
            "display_title": ["A", "B", "C", "D"],
            "year": pd.array([1990, 2000, 2010, 2020], dtype="Int64"),
            "genres": [["Drama"], ["Comedy"], ["Drama", "Comedy"], ["Horror"]],
            "vote_average": [8.0, 6.0, 9.0, 7.0],
            "vote_count": [1000, 100, 10, 0],
        }
    )
    return frame


def test_stats_by_hand(catalog):
    stats = rating_stats(catalog, 0.5)
    # C: mean of the averages of movies with votes = (8 + 6 + 9) / 3; m: median of [0, 10, 100, 1000] = 55.
    assert stats.mean_vote == pytest.approx(23 / 3)
    assert stats.min_votes == pytest.approx(55.0)


def test_weighted_rating_by_hand(catalog):
    stats = RatingStats(mean_vote=23 / 3, min_votes=55.0, quantile=0.5)
    wr = weighted_rating(catalog["vote_average"], catalog["vote_count"], stats)
    assert wr[0] == pytest.approx(1000 / 1055 * 8 + 55 / 1055 * 23 / 3)  # 7.98262...
    assert wr[0] == pytest.approx(7.982622, abs=1e-6)
    assert wr[2] == pytest.approx(10 / 65 * 9 + 55 / 65 * 23 / 3)
    assert wr[3] == pytest.approx(23 / 3)  # no votes: the catalog mean


def test_top_chart_needs_m_votes_and_filters(catalog):
    stats = RatingStats(mean_vote=23 / 3, min_votes=55.0, quantile=0.5)
    catalog["weighted_rating"] = weighted_rating(catalog["vote_average"], catalog["vote_count"], stats)
    movies = ColumnTable.from_frame(catalog)
    chart = top_chart(movies, stats)
    assert chart["id"] == [1, 2]  # C has a 9.0 but only 10 votes: not qualified
    assert chart["rank"] == [1, 2]
    assert chart.columns == TOP_CHART_COLUMNS
    assert top_chart(movies, stats, genres=("Comedy",))["id"] == [2]
    assert top_chart(movies, stats, years=(1995, 2030))["id"] == [2]
    assert top_chart(movies, stats, n=1)["id"] == [1]


def test_normalised_range():
    np.testing.assert_allclose(normalised(np.array([2.0, 4.0, 3.0])), [0, 1, 0.5])
    assert (normalised(np.array([5.0, 5.0])) == 0).all()
