"""Two films compared, on the five-movie catalog of ``conftest.py`` and hand-made maps."""

import numpy as np
import pytest

from recommender.build import build_model
from recommender.catalog import load_catalog_csv
from recommender.errors import ConfigError, UnknownMovieError
from recommender.pair import compare_pair, map_placement, similarity_rank
from tests.conftest import WORDS_ONLY


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    from tests.conftest import TINY_CSV

    path = tmp_path_factory.mktemp("tiny") / "tiny.csv"
    path.write_text(TINY_CSV, encoding="utf-8")
    catalog, _ = load_catalog_csv(path)
    return build_model(catalog, WORDS_ONLY)  # words only: unrelated films share nothing


def test_shared_fields_sum_to_the_similarity(model):
    pair = compare_pair(model, 1, 2, "count")
    assert pair.similarity == pytest.approx(sum(f.share for f in pair.shared), rel=1e-5)
    fields = {f.field: f for f in pair.shared}
    assert {"directors", "cast", "genres", "keywords"} <= set(fields)
    assert fields["directors"].terms == ("Ann Lee",) and fields["directors"].title == "Director"
    assert set(fields["cast"].terms) == {"Tom Hart", "Mia Sol"}
    shares = [f.share for f in pair.shared]
    assert shares == sorted(shares, reverse=True)
    assert pair.rank_of_second == 1


def test_unshared_terms_and_unrelated_films(model):
    # Terms in one film only are not in the vocabulary (min_df=2): Space Wars vs Ghost House.
    pair = compare_pair(model, 1, 3, "count")
    assert "Keywords: space" in pair.only_first and "Keywords: ghost" in pair.only_second
    assert not set(pair.only_first) & set(pair.only_second)
    apart = compare_pair(model, 1, 5, "tfidf")
    assert apart.similarity == 0 and apart.shared == () and apart.rank_of_second is None


def test_errors(model):
    with pytest.raises(ConfigError, match="two different"):
        compare_pair(model, 1, 1, "count")
    with pytest.raises(UnknownMovieError):
        compare_pair(model, 1, 999, "count")


def test_similarity_rank_counts_better_films(model):
    row = model.row_of(3)
    assert similarity_rank(model, row, model.row_of(4), "count") == 1


def test_map_placement_on_a_line():
    coords = np.array([[0.0, 0.0], [1.0, 0.0], [2.0, 0.0], [5.0, 0.0]])
    placed = map_placement(coords, 0, 2, true_rank=1)
    assert placed.distance == pytest.approx(2.0)
    assert placed.map_rank == 2 and placed.true_rank == 1
    assert placed.fraction_nearer == pytest.approx(1 / 3)
    assert map_placement(coords, 0, 1).map_rank == 1
    with pytest.raises(ConfigError):
        map_placement(coords, 0, 9)
