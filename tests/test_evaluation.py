"""Proxy quality metrics, attainable bounds, franchise pairs, pair ranks and credit mix
against hand-computed values."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recommender.errors import ArtifactError, CatalogError, ConfigError, UnknownMovieError
from recommender.evaluation import (
    METRICS,
    attainable_bounds,
    compare_vectorizers,
    credit_mix,
    franchise_pairs,
    pair_ranks,
    proxy_metrics,
)


@pytest.fixture
def catalog():
    return pd.DataFrame(
        {
            "genres": [["Drama"], ["Drama", "War"], ["Comedy"], ["War"]],
            "directors": [["Ann"], ["Ann"], [], ["Bob"]],
            "cast": [["X"], ["Y"], ["X"], []],
            "keywords": [["a", "b"], ["b"], ["a", "b"], []],
            "vote_count": [0, 1, 3, 7],
        }
    )


def test_metrics_by_hand(catalog):
    # Lists: 0 -> [1, 2]; 1 -> [0, -1]; 2 -> [3, 0]; 3 -> [-1, -1] (nothing).
    lists = np.array([[1, 2], [0, -1], [3, 0], [-1, -1]])
    m = proxy_metrics(catalog, lists, 2)
    # genre: 0-1 yes, 0-2 no, 1-0 yes, 2-3 no, 2-0 no -> 2/5
    assert m["genre_overlap"] == pytest.approx(2 / 5)
    # directors: queries with directors are 0 ([1,2]: yes, no), 1 ([0]: yes) -> 2/3
    assert m["director_overlap"] == pytest.approx(2 / 3)
    # cast: 0 ([1,2]: no, yes), 1 ([0]: no), 2 ([3,0]: no, yes) -> 2/5
    assert m["cast_overlap"] == pytest.approx(2 / 5)
    # keywords Jaccard: 0-1 1/2, 0-2 1, 1-0 1/2, 2-3 0, 2-0 1 -> 3/5
    assert m["keyword_jaccard"] == pytest.approx(3 / 5)
    # diversity: list 0 {D,W} vs {C}: 1; list 2 {W} vs {D}: 1 -> 1
    assert m["intra_list_diversity"] == pytest.approx(1.0)
    # coverage: movies 0,1,2,3 all recommended once -> 1
    assert m["coverage"] == pytest.approx(1.0)
    # novelty: -log2((v+1)/8) averaged over recommended [1,2,0,3,0]
    info = [-math.log2((v + 1) / 8) for v in (1, 3, 0, 7, 0)]
    assert m["novelty"] == pytest.approx(sum(info) / 5)


def test_compare_vectorizers_shape(catalog):
    lists = np.array([[1, 2], [0, -1], [3, 0], [-1, -1]])
    table = compare_vectorizers(catalog, {"tfidf": lists, "count": lists[:, :1]}, 2)
    assert list(table.index) == list(METRICS)
    assert list(table.columns) == ["tfidf", "count"]
    for metric in METRICS:
        if metric != "novelty":
            assert 0 <= table.loc[metric, "tfidf"] <= 1


# --- franchise_pairs ----------------------------------------------------------------


def _titles(*titles: str) -> pd.DataFrame:
    return pd.DataFrame({"title": list(titles)})


def test_franchise_pairs_link_sequels_to_the_original_both_ways():
    catalog = _titles(
        "Toy Story", "Toy Story 2", "Toy Story 3", "X-Men", "X-Men: First Class",
        "The Godfather", "The Godfather: Part II", "Alien", "Aliens",
    )
    # Rows 1 and 2 pair with 0 but not with each other; 4 with 3; 6 with 5 (base title
    # "The Godfather"); "Aliens" is "Alien" with no separated suffix, so no pair.
    assert franchise_pairs(catalog).tolist() == [[0, 1], [0, 2], [1, 0], [2, 0], [3, 4], [4, 3], [5, 6], [6, 5]]


@pytest.mark.parametrize(
    "sequel", ["Rocky 2", "Rocky II", "Rocky V", "Rocky Part Two", "Rocky: Balboa", "Rocky - Balboa", "ROCKY 2"]
)
def test_franchise_pairs_recognised_suffixes(sequel: str):
    assert franchise_pairs(_titles("Rocky", sequel)).tolist() == [[0, 1], [1, 0]]


@pytest.mark.parametrize("other", ["Rocky VI", "Rocky Balboa", "Rocky2", "Rocky Part", "Rocky's 2"])
def test_franchise_pairs_other_titles_are_not_sequels(other: str):
    assert franchise_pairs(_titles("Rocky", other)).shape == (0, 2)


def test_franchise_pairs_title_shared_by_two_films():
    # Two films called "Batman": the subtitled one pairs with both; the namesakes are not a franchise.
    catalog = _titles("Batman", "Batman", "Batman: Mask of the Phantasm", "Batman Returns")
    assert franchise_pairs(catalog).tolist() == [[0, 2], [1, 2], [2, 0], [2, 1]]


def test_franchise_pairs_skip_listed_false_matches():
    catalog = _titles("Hamlet", "Hamlet 2", "Super 8")  # "Super 8" has no "Super" to pair with
    assert franchise_pairs(catalog).tolist() == [[0, 1], [1, 0]]
    assert franchise_pairs(catalog, not_sequels={"Hamlet 2"}).shape == (0, 2)


def test_franchise_pairs_empty_catalog_and_missing_column():
    pairs = franchise_pairs(_titles())
    assert pairs.shape == (0, 2) and pairs.dtype == np.int64
    with pytest.raises(CatalogError, match="title"):
        franchise_pairs(pd.DataFrame({"name": ["Toy Story"]}))


# --- pair_ranks ---------------------------------------------------------------------


def test_pair_ranks_by_hand():
    lists = np.array([[1, 2, -1], [0, -1, -1], [-1, -1, -1]])
    pairs = np.array([[0, 2], [0, 1], [1, 0], [1, 2], [2, 0]])
    # 0's list is [1, 2]: 2 second, 1 first; 1's list is [0]: 0 first, 2 absent; 2's list is empty.
    ranks = pair_ranks(lists, pairs)
    assert ranks.tolist() == [2, 1, 1, 0, 0]
    assert ranks.dtype == np.int64


def test_pair_ranks_edge_cases():
    lists = np.array([[1, -1], [0, -1]])
    assert pair_ranks(lists, np.empty((0, 2), dtype=np.int64)).tolist() == []
    assert pair_ranks(lists, []).tolist() == []
    assert pair_ranks(np.empty((2, 0), dtype=np.int64), [[0, 1]]).tolist() == [0]  # k = 0: nothing found
    with pytest.raises(UnknownMovieError, match="row -1"):
        pair_ranks(lists, [[0, -1]])  # -1 is padding, never a movie
    with pytest.raises(UnknownMovieError, match="row 2"):
        pair_ranks(lists, [[2, 0]])
    with pytest.raises(ConfigError, match=r"\(P, 2\)"):
        pair_ranks(lists, [[0, 1, 1]])
    with pytest.raises(ArtifactError, match=r"\(N, k\)"):
        pair_ranks(np.array([1, 0]), [[0, 1]])


# --- credit_mix ---------------------------------------------------------------------


def test_credit_mix_by_hand():
    catalog = pd.DataFrame({"has_credits": [True, False, False, False]})
    lists = np.array([[1, 2], [0, 2], [3, -1], [-1, -1]])
    # Queries without credits: 1 -> [0, 2], 2 -> [3], 3 -> nothing: 1 credited of 3 recommendations.
    # The credited share of the catalog is 1/4, so (1/3) / (1/4) = 4/3. Query 0's list does not count.
    assert credit_mix(catalog, lists) == pytest.approx(4 / 3)
    lists[0] = [-1, -1]
    assert credit_mix(catalog, lists) == pytest.approx(4 / 3)
    # Never recommending the credited movie to the others: 0.
    assert credit_mix(catalog, np.array([[1, 2], [2, 3], [1, -1], [1, 2]])) == 0.0


def test_credit_mix_nan_when_nothing_to_compare():
    lists = np.array([[1], [0]])
    assert math.isnan(credit_mix(pd.DataFrame({"has_credits": [True, True]}), lists))  # everyone has credits
    assert math.isnan(credit_mix(pd.DataFrame({"has_credits": [False, False]}), lists))  # nobody has
    # The only query without credits has no recommendations.
    assert math.isnan(credit_mix(pd.DataFrame({"has_credits": [True, False]}), np.array([[1], [-1]])))


def test_credit_mix_errors():
    with pytest.raises(CatalogError, match="has_credits"):
        credit_mix(pd.DataFrame({"title": ["A", "B"]}), np.array([[1], [0]]))
    with pytest.raises(ArtifactError, match="one row per movie"):
        credit_mix(pd.DataFrame({"has_credits": [True, False, False]}), np.array([[1], [0]]))


# --- attainable_bounds --------------------------------------------------------------


@pytest.fixture
def bounds_catalog() -> pd.DataFrame:
    # Movie 3 has nothing at all; movie 0 lists the keyword "b" twice (it counts once).
    return pd.DataFrame(
        {
            "genres": [["Drama"], ["Drama", "War"], ["Comedy"], []],
            "directors": [["Ann"], ["Ann"], [], []],
            "cast": [["X"], ["Y"], ["X", "Z"], []],
            "keywords": [["a", "b", "b"], ["b"], ["a", "b", "c"], []],
        }
    )


def test_attainable_bounds_by_hand(bounds_catalog):
    bounds = attainable_bounds(bounds_catalog, 2)
    assert list(bounds) == ["genre_overlap", "director_overlap", "cast_overlap", "keyword_jaccard"]
    # 4 movies, so 3 others per query; only movies with a value count as queries.
    # genres: 0 and 1 share Drama, 2 shares nothing -> other movies sharing: 1, 1, 0.
    #   random = mean(1, 1, 0) / 3 = 2/9; best = mean(min(1, 2), 1, 0) / 2 = 1/3
    assert bounds["genre_overlap"] == pytest.approx((2 / 9, 1 / 3))
    # directors: queries 0 and 1, each sharing Ann with the other -> random 1/3, best 1/2
    assert bounds["director_overlap"] == pytest.approx((1 / 3, 1 / 2))
    # cast: 0 and 2 share X, 1 shares nothing -> 1, 0, 1 -> as genres
    assert bounds["cast_overlap"] == pytest.approx((2 / 9, 1 / 3))
    # keywords {a,b}, {b}, {a,b,c}: J(0,1) = 1/2, J(0,2) = 2/3, J(1,2) = 1/3, 0 with movie 3.
    #   random per query: 0 (1/2 + 2/3) / 3 = 7/18, 1 (1/2 + 1/3) / 3 = 5/18, 2 (2/3 + 1/3) / 3 = 6/18 -> 1/3
    #   best of 2 per query: 0 7/12, 1 5/12, 2 6/12 -> 1/2
    assert bounds["keyword_jaccard"] == pytest.approx((1 / 3, 1 / 2))


def test_attainable_bounds_best_takes_the_largest(bounds_catalog):
    bounds = attainable_bounds(bounds_catalog, 1)
    # One recommendation: the best other movie of each query.
    assert bounds["genre_overlap"] == pytest.approx((2 / 9, 2 / 3))  # 1, 1, 0
    assert bounds["director_overlap"] == pytest.approx((1 / 3, 1.0))
    # keywords: 0 -> max(1/2, 2/3), 1 -> max(1/2, 1/3), 2 -> max(2/3, 1/3) -> (2/3 + 1/2 + 2/3) / 3 = 11/18
    assert bounds["keyword_jaccard"] == pytest.approx((1 / 3, 11 / 18))


def test_attainable_bounds_k_beyond_the_catalog(bounds_catalog):
    # With k >= 3 every list holds all 3 other movies, so the oracle is no better than chance.
    for k in (3, 10):
        bounds = attainable_bounds(bounds_catalog, k)
        for random, best in bounds.values():
            assert best == pytest.approx(random)


def test_attainable_bounds_nan_without_values(bounds_catalog):
    no_credits = bounds_catalog.assign(directors=[[], [], [], []], cast=[[], [], [], []])
    bounds = attainable_bounds(no_credits, 2)
    assert all(math.isnan(v) for v in bounds["director_overlap"] + bounds["cast_overlap"])
    assert bounds["genre_overlap"] == pytest.approx((2 / 9, 1 / 3))  # the other fields are unaffected
    for catalog in (bounds_catalog.iloc[:1], bounds_catalog.iloc[:0]):  # one movie has no others; no movies
        assert all(math.isnan(v) for pair in attainable_bounds(catalog, 2).values() for v in pair)


def test_attainable_bounds_errors(bounds_catalog):
    with pytest.raises(ConfigError, match="k must be"):
        attainable_bounds(bounds_catalog, 0)
    with pytest.raises(CatalogError, match="keywords"):
        attainable_bounds(bounds_catalog.drop(columns="keywords"), 2)


def _bounds_by_definition(sets: list[set[str]], k: int, jaccard: bool) -> tuple[float, float]:
    """Every (query, other) score listed, then averaged over all others and over the best k."""
    n = len(sets)
    randoms, bests = [], []
    for query, values in enumerate(sets):
        if not values:
            continue
        scores = []
        for other, theirs in enumerate(sets):
            if other != query:
                scores.append(len(values & theirs) / len(values | theirs) if jaccard else float(bool(values & theirs)))
        scores.sort(reverse=True)
        randoms.append(sum(scores) / (n - 1))
        bests.append(sum(scores[:k]) / min(k, n - 1))
    return (sum(randoms) / len(randoms), sum(bests) / len(bests)) if randoms else (math.nan, math.nan)


@settings(max_examples=60, deadline=None)
@given(
    lists=st.lists(st.lists(st.sampled_from("abcde"), max_size=4), min_size=2, max_size=9),
    k=st.integers(min_value=1, max_value=6),
)
def test_attainable_bounds_match_their_definition(lists: list[list[str]], k: int):
    catalog = pd.DataFrame({"genres": lists, "directors": lists, "cast": lists, "keywords": lists})
    bounds = attainable_bounds(catalog, k)
    sets = [set(values) for values in lists]
    for metric, jaccard in (("genre_overlap", False), ("cast_overlap", False), ("keyword_jaccard", True)):
        expected = _bounds_by_definition(sets, k, jaccard)
        if math.isnan(expected[0]):
            assert all(math.isnan(v) for v in bounds[metric])
            continue
        random, best = bounds[metric]
        assert random == pytest.approx(expected[0]) and best == pytest.approx(expected[1])
        assert 0.0 <= random <= best + 1e-12 <= 1.0 + 1e-12
