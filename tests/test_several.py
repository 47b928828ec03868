"""Recommendations from several films at once, on the five-movie catalog of ``conftest.py``."""

import numpy as np
import pytest

from recommender.build import build_model
from recommender.catalog import load_catalog_csv
from recommender.errors import ConfigError, UnknownMovieError
from recommender.ranking import Filters, RankingOptions, rank
from recommender.several import MAX_SEEDS, mix_vector, recommend_several, several_table
from tests.conftest import WORDS_ONLY


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    from tests.conftest import TINY_CSV

    path = tmp_path_factory.mktemp("tiny") / "tiny.csv"
    path.write_text(TINY_CSV, encoding="utf-8")
    catalog, _ = load_catalog_csv(path)
    return build_model(catalog, WORDS_ONLY)  # words only: Quiet Garden then shares nothing


def test_one_seed_gives_the_single_film_list(model):
    options = RankingOptions(k=4, vectorizer="count")
    rows, sims, _ = rank(model, 1, options)
    several = recommend_several(model, [1], options)
    assert [r.movie_id for r in several] == [int(model.ids[r]) for r in rows]
    np.testing.assert_allclose([r.similarity for r in several], sims, rtol=1e-5)
    assert all(r.closest_seed == 1 for r in several)


def test_mix_of_two_films_excludes_both_and_names_the_closest_seed(model):
    # Space Wars (1) + Ghost House 1985 (3): the sequel is closest to 1, the remake to 3.
    results = recommend_several(model, [1, 3], RankingOptions(k=5, vectorizer="count"))
    found = {r.movie_id: r for r in results}
    assert 1 not in found and 3 not in found
    assert set(found) == {2, 4}  # Quiet Garden shares nothing with either
    assert found[2].closest_seed == 1 and found[4].closest_seed == 3
    assert [r.rank for r in results] == [1, 2]
    assert "Cast: Zoe Park" in found[4].why and "Director: Ann Lee" in found[2].why


def test_mix_vector_is_the_normalised_mean(model):
    matrix = model.space("count").vectors.matrix
    mix = mix_vector(matrix, [0, 2]).toarray().ravel()
    expected = (matrix[0].toarray() + matrix[2].toarray()).ravel()
    length = (np.linalg.norm(matrix[0].toarray()) + np.linalg.norm(matrix[2].toarray())) / 2
    np.testing.assert_allclose(mix, expected / np.linalg.norm(expected) * length, rtol=1e-5)
    one = mix_vector(matrix, [2]).toarray().ravel()
    np.testing.assert_allclose(one, matrix[2].toarray().ravel(), rtol=1e-5)


def test_filters_and_duplicates(model):
    results = recommend_several(model, [1, 1, 3], RankingOptions(k=5, filters=Filters(genres=("Horror",))))
    assert [r.movie_id for r in results] == [4]


def test_errors(model):
    with pytest.raises(ConfigError, match="at least one"):
        recommend_several(model, [], RankingOptions())
    with pytest.raises(ConfigError, match="at most"):
        recommend_several(model, list(range(MAX_SEEDS + 1)), RankingOptions())
    with pytest.raises(UnknownMovieError):
        recommend_several(model, [1, 999], RankingOptions())
    with pytest.raises(ConfigError):
        recommend_several(model, [1], RankingOptions(k=0))


def test_rating_blend_and_mmr_keep_k_and_order(model):
    results = recommend_several(model, [1, 3], RankingOptions(k=2, rating_weight=0.5, mmr=True))
    assert len(results) == 2
    assert len({r.movie_id for r in results}) == 2


def test_several_table_has_the_page_columns(model):
    from recommender.results import REASON_COLUMNS

    results = recommend_several(model, [1, 3], RankingOptions(k=5, vectorizer="count"))
    table = several_table(model, results)
    assert table.columns == [*REASON_COLUMNS, "closest"]
    assert table["id"] == [r.movie_id for r in results]
    assert table["heading"][0] == "Space Wars II (1980)"
    assert table["closest"] == ["Space Wars", "Ghost House (1985)"]


@pytest.mark.parametrize("options", [RankingOptions(k=8), RankingOptions(k=8, rating_weight=0.3, vectorizer="count"),
                                     RankingOptions(k=6, mmr=True, candidate_pool=20)])
def test_a_mix_of_one_film_is_that_films_list_with_audience_and_blend(options):
    # The default config has audience terms; the mix must add them and blend the rating
    # exactly as the single-film ranking does.
    from recommender.artifacts import DEMO_CATALOG
    from recommender.config import RecommenderConfig

    catalog, _ = load_catalog_csv(DEMO_CATALOG)
    model = build_model(catalog, RecommenderConfig())
    assert model.audience.active
    for movie_id in model.ids[::40]:
        rows, _, scores = rank(model, int(movie_id), options)
        several = recommend_several(model, [int(movie_id)], options)
        assert [r.movie_id for r in several] == [int(model.ids[r]) for r in rows]
        np.testing.assert_allclose([r.score for r in several], scores, rtol=1e-5, atol=1e-7)
