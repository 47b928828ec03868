"""Comparison core: side-by-side lists with in_both flags, per-movie agreement, top
terms, catalog-wide tables and score distributions, on a hand-made 5-movie model.

Every movie's vector is ``s * t + sqrt(1 - s^2) * own term``, so its cosine with the
query Q (= the shared term t alone) is exactly ``s``:

=======  =========  ==========
movie    TF-IDF s   Count s
=======  =========  ==========
A        0.9        0.2
B        0.6        0.8
C        0.3        0.0
D        0.0        0.5
=======  =========  ==========

So Q's TF-IDF list is A, B, C and its Count list is B, D, A.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from recommender import comparison
from recommender.agreement import rank_biased_overlap, weighted_kendall_tau
from recommender.errors import ArtifactError, ConfigError, UnknownMovieError
from recommender.model import RecommenderModel, VectorSpace
from recommender.neighbours import top_neighbours
from recommender.popularity import RatingStats
from recommender.vectors import TermVectors
from tests.conftest import WORDS_ONLY

SHARES = {"tfidf": [1.0, 0.9, 0.6, 0.3, 0.0], "count": [1.0, 0.2, 0.8, 0.0, 0.5]}
Q, A, B, C, D = range(5)


def hand_space(name: str, shares: list[float], k: int = 4) -> VectorSpace:
    dense = np.zeros((5, 5), dtype=np.float32)  # column 0: shared term t; column i: movie i's own term
    for row, share in enumerate(shares):
        dense[row, 0] = share
        if row:
            dense[row, row] = math.sqrt(1 - share**2)
    matrix = sp.csr_matrix(dense)
    matrix.eliminate_zeros()
    terms = np.array(["keywords:t", "keywords:a", "keywords:b", "keywords:c", "cast:d"])
    vectors = TermVectors(
        name=name, matrix=matrix, terms=terms, labels=np.array(["t", "a", "b", "c", "Dee"]),
        fields=np.array([t.split(":")[0] for t in terms]),
    )
    neighbours, _ = top_neighbours(matrix, k)
    return VectorSpace(vectors=vectors, neighbours=neighbours)


def hand_model() -> RecommenderModel:
    """The five movies of the module docstring, with both vectorizers' spaces."""
    catalog = pd.DataFrame(
        {
            "id": [100, 101, 102, 103, 104],
            "title": ["Q", "A", "B", "C", "D"],
            "display_title": ["Q", "A", "B", "C", "D (1990)"],
            "year": pd.array([2000, 2001, None, 2003, 1990], dtype="Int64"),
            "genres": [["Drama"], ["Drama", "Crime"], [], ["Comedy"], ["Drama"]],
            "directors": [["Ann"], [], [], [], []],
            "vote_count": [10, 20, 30, 40, 50],
            "rating_norm": [0.5] * 5,
            "weighted_rating": [6.0] * 5,
        }
    )
    spaces = {name: hand_space(name, shares) for name, shares in SHARES.items()}
    return RecommenderModel(
        stats=RatingStats(mean_vote=6.0, min_votes=10.0, quantile=0.9), spaces=spaces, config=WORDS_ONLY,
        catalog=catalog,
    )


@pytest.fixture(scope="module")
def model() -> RecommenderModel:
    return hand_model()


# --------------------------------------------------------------------------- one movie
def test_side_by_side_by_hand(model):
    lists = comparison.side_by_side(model, 100, 3)
    tfidf, count = lists["tfidf"], lists["count"]
    assert tfidf["display_title"].tolist() == ["A", "B", "C"]
    assert count["display_title"].tolist() == ["B", "D (1990)", "A"]
    np.testing.assert_allclose(tfidf["similarity"], [0.9, 0.6, 0.3], atol=1e-6)
    np.testing.assert_allclose(count["similarity"], [0.8, 0.5, 0.2], atol=1e-6)
    assert tfidf["in_both"].tolist() == [True, True, False]
    assert count["in_both"].tolist() == [True, False, True]
    assert tfidf["other_rank"].tolist() == [3, 1, pd.NA]
    assert count["other_rank"].tolist() == [2, pd.NA, 1]
    assert tfidf["rank"].tolist() == [1, 2, 3]
    assert tfidf.columns.tolist() == comparison.SIDE_COLUMNS
    assert tfidf["genres"].tolist() == ["Drama, Crime", "", "Comedy"]
    assert pd.isna(tfidf["year"].iloc[1])


def test_side_by_side_list_shorter_than_k(model):
    # D shares the term t with Q, A, B only under Count; under TF-IDF it has no neighbour.
    lists = comparison.side_by_side(model, 104, 4)
    assert lists["tfidf"].empty
    assert lists["count"]["display_title"].tolist() == ["Q", "B", "A"]
    assert not lists["count"]["in_both"].any()


def test_side_by_side_errors(model):
    with pytest.raises(ConfigError):
        comparison.side_by_side(model, 100, 0)
    with pytest.raises(UnknownMovieError):
        comparison.side_by_side(model, 999, 3)
    with pytest.raises(ConfigError):
        comparison.side_by_side(model, 100, 3, vectorizers=("tfidf",))


@settings(max_examples=25, deadline=None)
@given(movie=st.sampled_from([100, 101, 102, 103, 104]), k=st.integers(min_value=1, max_value=6))
def test_property_side_by_side_invariants(model, movie, k):
    lists = comparison.side_by_side(model, movie, k)
    rows = {name: table["row"].tolist() for name, table in lists.items()}
    for name, table in lists.items():
        other = "count" if name == "tfidf" else "tfidf"
        assert len(table) <= k
        assert model.row_of(movie) not in rows[name]  # never the movie itself
        assert (np.diff(table["similarity"]) <= 1e-6).all()  # best first
        assert table["in_both"].tolist() == [row in rows[other] for row in rows[name]]
        for row, rank in zip(rows[name], table["other_rank"]):
            assert (pd.isna(rank) and row not in rows[other]) or rows[other][int(rank) - 1] == row
    metrics = comparison.movie_agreement(lists, k)
    for value in (metrics["jaccard"], metrics["rbo"]):
        assert math.isnan(value) or 0.0 <= value <= 1.0
    assert math.isnan(metrics["weighted_tau"]) or -1.0 <= metrics["weighted_tau"] <= 1.0


def test_movie_agreement_by_hand(model):
    lists = comparison.side_by_side(model, 100, 3)
    metrics = comparison.movie_agreement(lists, 3)
    assert metrics["jaccard"] == pytest.approx(2 / 4)  # {A, B} of {A, B, C, D}
    assert metrics["rbo"] == pytest.approx(rank_biased_overlap([A, B, C], [B, D, A]))
    assert metrics["weighted_tau"] == pytest.approx(weighted_kendall_tau([A, B, C], [B, D, A], 3))
    two = comparison.movie_agreement(comparison.side_by_side(model, 100, 2), 2)
    assert two["jaccard"] == pytest.approx(1 / 3)  # {B} of {A, B, D}


def test_movie_agreement_identical_and_empty_lists():
    same = {"x": pd.DataFrame({"row": [1, 2]}), "y": pd.DataFrame({"row": [1, 2]})}
    assert comparison.movie_agreement(same, 2) == {"jaccard": 1.0, "rbo": pytest.approx(1.0), "weighted_tau": 1.0}
    empty = {"x": pd.DataFrame({"row": []}), "y": pd.DataFrame({"row": []})}
    assert all(math.isnan(v) for v in comparison.movie_agreement(empty, 2).values())
    with pytest.raises(ConfigError):
        comparison.movie_agreement({"x": pd.DataFrame({"row": [1]})}, 1)


def test_movie_top_terms(model):
    terms = comparison.movie_top_terms(model, 102, 5)  # B: t (0.6 / 0.8) and its own term b
    assert terms["tfidf"]["label"].tolist() == ["b", "t"]  # sqrt(1 - 0.36) = 0.8 > 0.6
    assert terms["count"]["label"].tolist() == ["t", "b"]  # 0.8 > 0.6
    assert terms["tfidf"]["display"].tolist() == ["Keywords: b", "Keywords: t"]
    assert comparison.movie_top_terms(model, 104, 1)["count"]["display"].tolist() == ["Cast: Dee"]


# --------------------------------------------------------------------------- catalog-wide
def test_disagreement_table(model):
    agreement = pd.DataFrame(
        {"row": [0, 1, 2, 3, 4], "jaccard": [1.0, 0.2, 0.5, np.nan, 0.0],
         "rbo": [1.0, 0.3, 0.1, np.nan, 0.1], "weighted_tau": [1.0, 0.0, -0.4, np.nan, -1.0]}
    )
    table = comparison.disagreement_table(model.catalog, agreement, 3)
    assert table["display_title"].tolist() == ["B", "D (1990)", "A"]  # lowest RBO first, ties by row
    assert table["id"].tolist() == [102, 104, 101]
    assert table["rbo"].tolist() == [0.1, 0.1, 0.3]
    assert table.columns.tolist() == ["id", "display_title", "year", "genres", "jaccard", "rbo", "weighted_tau"]
    with pytest.raises(ArtifactError, match="catalog has 5 movies"):
        comparison.disagreement_table(model.catalog, agreement.assign(row=[0, 1, 2, 3, 9]), 3)
    # With rbo_deep, the ties at RBO 0.1 are ordered by it (lower first), and it is shown.
    deep = comparison.disagreement_table(model.catalog, agreement.assign(rbo_deep=[1.0, 0.4, 0.3, np.nan, 0.2]), 3)
    assert deep["id"].tolist() == [104, 102, 101]
    assert deep["rbo_deep"].tolist() == [0.2, 0.3, 0.4]


def test_evaluation_table_directions_and_leader():
    evaluation = pd.DataFrame(
        {"metric": ["genre_overlap", "coverage", "novelty", "something_new"], "tfidf": [0.8, 0.5, 3.0, 1.0],
         "count": [0.9, 0.5, 2.0, 2.0]}
    )
    table = comparison.evaluation_table(evaluation)
    assert table["metric"].tolist() == ["genre_overlap", "coverage", "novelty", "something_new"]
    assert table["better"].tolist() == ["higher", "higher", "trade-off", "trade-off"]
    assert table["leader"].tolist() == ["count", "", "", ""]  # a tie and the trade-offs name no one
    from_index = comparison.evaluation_table(evaluation.set_index("metric"))
    pd.testing.assert_frame_equal(table, from_index)
    with pytest.raises(ArtifactError, match="count"):
        comparison.evaluation_table(evaluation.drop(columns="count"))
    assert set(comparison.METRIC_DIRECTIONS) >= {"genre_overlap", "director_overlap", "cast_overlap", "keyword_jaccard",
                                             "intra_list_diversity", "coverage", "novelty"}


def test_score_distribution_by_hand(model):
    scores = comparison.score_distribution(model, positions=(1, 2))
    top1 = scores[scores["position"] == 1]
    tfidf = top1[top1["vectorizer"] == "tfidf"]["score"].tolist()
    count = top1[top1["vectorizer"] == "count"]["score"].tolist()
    np.testing.assert_allclose(tfidf, [0.9, 0.9, 0.6, 0.3], atol=1e-6)  # D has no TF-IDF neighbour
    np.testing.assert_allclose(count, [0.8, 0.2, 0.8, 0.5], atol=1e-6)  # C has no Count neighbour
    assert set(scores["neighbour"]) == {"top-1", "top-2"}
    summary = comparison.score_summary(scores)
    first = summary[summary["neighbour"] == "top-1"].set_index("vectorizer")
    assert first.loc["tfidf", "median"] == pytest.approx(0.75)
    assert first.loc["count", "median"] == pytest.approx(0.65)
    assert first.loc["tfidf", "count"] == 4
    with pytest.raises(ConfigError, match="1..4"):
        comparison.score_distribution(model, positions=(5,))
