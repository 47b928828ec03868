"""Filters (recommender/filters.py), the one filter of the recommendations and the top
chart, on the five films of ``conftest.py``."""

import pytest

from recommender.build import build_model
from recommender.catalog import load_catalog_csv
from recommender.columns import ColumnTable
from recommender.config import RecommenderConfig
from recommender.filters import Filters, filter_mask


@pytest.fixture
def model(tiny_catalog_csv):
    catalog, _ = load_catalog_csv(tiny_catalog_csv)
    return build_model(catalog, RecommenderConfig())


def test_each_filter_by_hand(model):
    movies = model.movies  # 1977, 1980, 1985, 2005, 1999; en, en, en, ko, fr; votes 1000, 900, 300, 50, 20
    assert filter_mask(movies, Filters(years=(1980, 1999))).tolist() == [False, True, True, False, True]
    assert filter_mask(movies, Filters(genres=("Horror", "Drama"))).tolist() == [False, False, True, True, True]
    assert filter_mask(movies, Filters(min_votes=300)).tolist() == [True, True, True, False, False]
    assert filter_mask(movies, Filters(languages=("ko", "fr"))).tolist() == [False, False, False, True, True]
    assert Filters(genres=("Drama",)).active and not Filters().active


def test_a_film_without_a_year_is_outside_every_range():
    movies = ColumnTable({"year": [None, 1990]}, {"year": "nullable_int"})
    assert filter_mask(movies, Filters(years=(1900, 2100))).tolist() == [False, True]


def test_filter_mask_inactive_is_none(model):
    assert filter_mask(model.movies, Filters()) is None


def test_filter_mask_on_a_loaded_build(tiny_catalog_csv, tmp_path):
    """The mask on the catalog read back from disk (JSON columns): 1980-2000 and English
    keep Space Wars II (1980) and Ghost House (1985), not Quiet Garden (1999, French)."""
    from recommender.build import CatalogSource, build
    from recommender.loading import load_model

    folder = tmp_path / "artifacts"
    build(CatalogSource(catalog=tiny_catalog_csv), folder, skip_maps=True)
    loaded = load_model(folder)
    mask = filter_mask(loaded.movies, Filters(years=(1980, 2000), languages=("en",)))
    assert mask.tolist() == [False, True, True, False, False]


