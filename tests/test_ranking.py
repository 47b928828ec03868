"""Ranking: filters applied, rating blend, MMR, id look-ups and invariants on the tiny catalog."""

import dataclasses

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recommender.audience import AudienceTerms
from recommender.build import build_model
from recommender.catalog import load_catalog_csv
from recommender.config import AudienceSettings, RecommenderConfig
from recommender.errors import ConfigError, UnknownMovieError
from recommender.ranking import (
    Filters,
    RankingOptions,
    genres_of,
    languages_of,
    mmr_order,
    neighbour_ids,
    rank,
    ranked_movies,
)
from tests.conftest import WORDS_ONLY


@pytest.fixture
def model(tiny_catalog_csv):
    catalog, _ = load_catalog_csv(tiny_catalog_csv)
    return build_model(catalog, WORDS_ONLY)


def test_sequel_is_first(model):
    table = ranked_movies(model, 1, RankingOptions(k=3)).to_frame()
    assert table["id"].iloc[0] == 2
    assert 1 not in table["id"].tolist()
    assert table["rank"].tolist() == list(range(1, len(table) + 1))
    assert (np.diff(table["similarity"]) <= 1e-9).all()


def test_only_positive_similarity_is_recommended(model):
    # "Quiet Garden" shares no term with the others.
    assert ranked_movies(model, 5, RankingOptions(k=4)).to_frame().empty


def test_filters(model):
    assert neighbour_ids(model, 3, RankingOptions(k=4, filters=Filters(languages=("ko",)))) == [4]
    assert neighbour_ids(model, 3, RankingOptions(k=4, filters=Filters(years=(1990, 2010)))) == [4]
    assert neighbour_ids(model, 4, RankingOptions(k=4, filters=Filters(min_votes=250))) == [3]
    assert neighbour_ids(model, 1, RankingOptions(k=4, filters=Filters(genres=("Horror",)))) == []


def test_genres_and_languages_most_frequent_first(model):
    # Science Fiction, Adventure and Horror have two films each (in catalog order), then one each.
    assert genres_of(model.movies) == ["Science Fiction", "Adventure", "Horror", "Mystery", "Drama"]
    assert languages_of(model.movies) == ["en", "ko", "fr"]


def test_rating_blend_can_reorder():
    catalog = pd.DataFrame(
        {
            "id": [1, 2, 3],
            "title": ["Q", "Close", "Loved"],
            "display_title": ["Q", "Close", "Loved"],
            "year": pd.array([2000, 2000, 2000], dtype="Int64"),
            "overview": ["", "", ""],
            "tagline": ["", "", ""],
            "genres": [["Drama", "War"], ["Drama", "War"], ["Drama"]],
            "keywords": [[], [], []],
            "cast": [[], [], []],
            "directors": [[], [], []],
            "companies": [[], [], []],
            "original_language": ["en"] * 3,
            "runtime": [90.0] * 3,
            "vote_average": [5.0, 3.0, 9.0],
            "vote_count": [100, 100, 5000],
            "popularity": [1.0] * 3,
            "has_credits": [False] * 3,
        }
    )
    model = build_model(catalog, RecommenderConfig())
    assert neighbour_ids(model, 1, RankingOptions(k=2)) == [2, 3]
    assert neighbour_ids(model, 1, RankingOptions(k=2, rating_weight=0.9)) == [3, 2]


def test_mmr_prefers_a_different_item():
    # Items 0 and 1 are identical; MMR with low lambda picks 2 second instead of 1.
    vectors = np.array([[1, 0], [1, 0], [0.6, 0.8]], dtype=np.float32)
    import scipy.sparse as sp

    order = mmr_order(sp.csr_matrix(vectors), np.arange(3), np.array([0.9, 0.89, 0.5]), 2, lam=0.5)
    assert order.tolist() == [0, 2]
    assert mmr_order(sp.csr_matrix(vectors), np.arange(3), np.array([0.9, 0.89, 0.5]), 2, lam=1.0).tolist() == [0, 1]


def test_unknown_ids_and_titles(model):
    with pytest.raises(UnknownMovieError, match="no movie with id 42"):
        ranked_movies(model, 42, RankingOptions()).to_frame()
    with pytest.raises(UnknownMovieError, match="matches 2 movies"):
        model.resolve("ghost house")
    assert model.resolve("Ghost House (2005)") == 4
    assert model.resolve("3") == 3
    with pytest.raises(UnknownMovieError, match="did you mean 'Space Wars'"):
        model.resolve("Space")


def test_bad_options(model):
    with pytest.raises(ConfigError):
        rank(model, 1, RankingOptions(k=0))
    with pytest.raises(ConfigError, match="unknown vectorizer 'bm25'"):
        rank(model, 1, RankingOptions(vectorizer="bm25"))


@settings(max_examples=30, deadline=None)
@given(
    movie=st.sampled_from([1, 2, 3, 4, 5]),
    k=st.integers(1, 6),
    weight=st.floats(0, 1),
    mmr=st.booleans(),
    vectorizer=st.sampled_from(["tfidf", "count"]),
)
def test_ranking_invariants(tiny_catalog_csv_session, movie, k, weight, mmr, vectorizer):
    model = tiny_catalog_csv_session
    rows, sims, scores = rank(model, movie, RankingOptions(k=k, rating_weight=weight, mmr=mmr, vectorizer=vectorizer))
    assert model.row_of(movie) not in rows
    assert len(set(rows.tolist())) == len(rows)
    available = int((model.space(vectorizer).neighbours[model.row_of(movie)] >= 0).sum())
    assert len(rows) == min(k, available)
    assert ((sims > 0) & (sims <= 1 + 1e-6)).all()
    if not mmr:
        assert (np.diff(scores) <= 1e-9).all()


@pytest.fixture(scope="module")
def tiny_catalog_csv_session(tmp_path_factory):
    from tests.conftest import TINY_CSV

    path = tmp_path_factory.mktemp("tiny") / "tiny.csv"
    path.write_text(TINY_CSV)
    catalog, _ = load_catalog_csv(path)
    return build_model(catalog, WORDS_ONLY)


def _audience_catalog(vote_average):
    """Query 1 and three candidates with identical words: only the audience can order them."""
    n = len(vote_average)
    return pd.DataFrame(
        {
            "id": list(range(1, n + 1)),
            "title": [f"Film {i}" for i in range(1, n + 1)],
            "display_title": [f"Film {i}" for i in range(1, n + 1)],
            "year": pd.array([2000] * n, dtype="Int64"),
            "overview": [""] * n,
            "tagline": [""] * n,
            "genres": [["Drama"]] * n,
            "keywords": [[]] * n,
            "cast": [[]] * n,
            "directors": [[]] * n,
            "companies": [[]] * n,
            "original_language": ["en"] * n,
            "runtime": [90.0] * n,
            "vote_average": vote_average,
            "vote_count": [500] * n,
            "popularity": [1.0] * n,
            "has_credits": [False] * n,
        }
    )


def test_audience_agreement_puts_acclaimed_with_acclaimed_and_panned_with_panned():
    catalog = _audience_catalog([8.5, 4.0, 8.0, 6.0, 3.5])
    config = dataclasses.replace(WORDS_ONLY, audience=AudienceSettings(rating_agreement=0.1, popularity=0.0, popularity_agreement=0.0))
    model = build_model(catalog, config)
    assert neighbour_ids(model, 1, RankingOptions(k=4)) == [3, 4, 2, 5]  # acclaimed first, panned last
    assert neighbour_ids(model, 2, RankingOptions(k=4))[0] == 5  # a panned film: the other panned one
    # Without the audience terms the four are tied and keep the id order.
    assert neighbour_ids(build_model(catalog, WORDS_ONLY), 1, RankingOptions(k=4)) == [2, 3, 4, 5]


def test_audience_ignores_averages_of_few_votes():
    catalog = _audience_catalog([8.5, 10.0, 8.0, 6.0]).assign(vote_count=[500, 1, 500, 500])
    config = dataclasses.replace(WORDS_ONLY, audience=AudienceSettings(rating_agreement=0.1, popularity=0.0, popularity_agreement=0.0))
    model = build_model(catalog, config)
    assert neighbour_ids(model, 1, RankingOptions(k=3))[0] == 3  # not the 10.0 from one vote


def test_similar_reception_is_a_triangular_kernel_on_standardised_averages():
    # Averages 4, 6, 8, 6: mean 6, standard deviation sqrt(2), so z = -sqrt(2), 0, sqrt(2), 0.
    # With a span of 2 sqrt(2) standard deviations the kernel is 1 - |gap| / span:
    # 1 for the same reception, 0.5 one step (sqrt(2)) apart, 0 two steps apart.
    settings = AudienceSettings(rating_agreement=0.0, popularity=0.0, popularity_agreement=0.0,
                                reception=0.1, reception_span=2 * np.sqrt(2))
    terms = AudienceTerms.from_votes(np.array([4.0, 6.0, 8.0, 6.0]), np.array([50.0] * 4), settings)
    assert terms.active
    np.testing.assert_allclose(terms.of(0, np.arange(4)), [0.1, 0.05, 0.0, 0.05], atol=1e-12)
    np.testing.assert_allclose(terms.of(1, np.arange(4)), [0.05, 0.1, 0.05, 0.1], atol=1e-12)
    assert terms.reason(1, 3) == "similarly received"  # both average: the agreement has nothing to say
    assert terms.reason(0, 1) is None  # kernel 0.5, below 0.75
    assert terms.reason(0, 2) is None
    # Too few votes: counted as average (z = 0), so film 0 now matches film 1 exactly.
    few = AudienceTerms.from_votes(np.array([9.5, 6.0, 8.0, 4.0]), np.array([1.0, 50.0, 50.0, 50.0]), settings)
    assert few.rating_z[0] == few.rating_z[1] == 0.0
    assert few.of(0, np.array([1]))[0] == pytest.approx(0.1)


def test_similarly_received_not_repeated_when_both_acclaimed_says_it():
    settings = AudienceSettings(rating_agreement=0.1, popularity=0.0, popularity_agreement=0.0, reception=0.1)
    terms = AudienceTerms.from_votes(np.array([4.0, 6.0, 8.0, 8.0]), np.array([50.0] * 4), settings)
    assert terms.reason(2, 3) == "both acclaimed"


@pytest.mark.parametrize(
    "settings",
    [
        AudienceSettings(),
        AudienceSettings(reception=0.12, reception_span=1.75),
        AudienceSettings(rating_agreement=0.0, popularity=0.0, popularity_agreement=0.0, reception=0.3, reception_span=0.5),
        AudienceSettings(rating_agreement=0.2, popularity=0.05, popularity_agreement=0.1, reception=0.0),
    ],
)
def test_audience_of_is_the_matching_row_of_block(settings):
    # The neighbour search adds ``block`` to dense blocks of rows; the page and the
    # command add ``of`` for one query: they must agree exactly.
    rng = np.random.default_rng(3)
    average = rng.uniform(2, 9, 40)
    average[5] = np.nan
    count = rng.integers(0, 400, 40).astype(float)
    terms = AudienceTerms.from_votes(average, count, settings)
    for start, stop in ((0, 7), (7, 40), (39, 40)):
        block = terms.block(start, stop)
        assert block.shape == (stop - start, 40)
        for row in range(start, stop):
            np.testing.assert_allclose(terms.of(row, np.arange(40)), block[row - start], rtol=0, atol=1e-12)


def test_similar_reception_ranks_average_films_with_average_ones():
    # Query 1 is average; the agreement z(q) * z(c) is then ~0 for every candidate, but
    # "similarly received" puts the other average film (3) before the acclaimed and the panned.
    catalog = _audience_catalog([6.0, 8.5, 6.1, 3.5])
    reception = AudienceSettings(rating_agreement=0.0, popularity=0.0, popularity_agreement=0.0, reception=0.1)
    model = build_model(catalog, dataclasses.replace(WORDS_ONLY, audience=reception))
    assert neighbour_ids(model, 1, RankingOptions(k=3)) == [3, 2, 4]  # 2 is nearer 6.0 than 4 is
    assert neighbour_ids(build_model(catalog, WORDS_ONLY), 1, RankingOptions(k=3)) == [2, 3, 4]


def test_calibrated_blend_a_small_weight_only_breaks_near_ties():
    # Candidates 2 and 3 share everything with 1 but 3 is acclaimed; 4 shares only a
    # genre and is the best rated of all. A blend of 0.1 lets 3 pass 2 (a near tie)
    # but does not lift the unrelated 4 over either; 1.0 ranks by rating alone.
    catalog = _audience_catalog([6.0, 5.0, 5.4, 9.0]).assign(
        genres=[["Drama", "War"], ["Drama", "War"], ["Drama", "War"], ["Drama"]],
        keywords=[["trench"], ["trench"], ["trench"], []],
    )
    model = build_model(catalog, WORDS_ONLY)
    assert neighbour_ids(model, 1, RankingOptions(k=3)) == [2, 3, 4]
    assert neighbour_ids(model, 1, RankingOptions(k=3, rating_weight=0.1)) == [3, 2, 4]
    assert neighbour_ids(model, 1, RankingOptions(k=3, rating_weight=1.0)) == [4, 3, 2]


@pytest.mark.parametrize("vectorizer", ["tfidf", "count"])
def test_the_page_and_the_neighbours_command_rank_alike(demo_model_small_store, vectorizer):
    # With 5 stored neighbours, k = 3 reads the stored list and k = 40 computes every
    # film's score exactly: the first three must agree for every film.
    model = demo_model_small_store
    for movie_id in model.ids[::7]:
        short = neighbour_ids(model, int(movie_id), RankingOptions(k=3, vectorizer=vectorizer))
        long = neighbour_ids(model, int(movie_id), RankingOptions(k=40, vectorizer=vectorizer))
        assert long[: len(short)] == short


@pytest.fixture(scope="module")
def demo_model_small_store():
    from recommender.artifacts import DEMO_CATALOG

    catalog, _ = load_catalog_csv(DEMO_CATALOG)
    return build_model(catalog, dataclasses.replace(RecommenderConfig(), neighbours_k=5))


def test_mmr_with_a_rating_blend_reorders_the_candidate_pool_only(demo_model_small_store):
    # A blend scores every film of positive similarity; MMR then re-orders only the best
    # ``candidate_pool`` of them (its pairwise matrix is pool x pool, not N x N).
    model = demo_model_small_store
    movie_id = int(model.ids[0])
    blended = RankingOptions(k=model.n_movies, rating_weight=0.3)
    pool_ids = neighbour_ids(model, movie_id, blended)[:12]
    diverse = neighbour_ids(model, movie_id, dataclasses.replace(blended, k=5, mmr=True, mmr_lambda=0.3, candidate_pool=12))
    assert len(diverse) == 5 and set(diverse) <= set(pool_ids)
    assert diverse != pool_ids[:5]  # MMR did re-order the pool
