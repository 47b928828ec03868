"""Finding films by a piece of their title (recommender/search.py), on the five-movie
catalog of ``conftest.py``: exact titles first, then prefixes, then the rest, by votes."""

from __future__ import annotations

import pytest

from recommender.build import build_model
from recommender.catalog import load_catalog_csv
from recommender.config import RecommenderConfig
from recommender.errors import ConfigError
from recommender.search import FOUND_COLUMNS, find_movies


@pytest.fixture
def model(tiny_catalog_csv):
    catalog, _ = load_catalog_csv(tiny_catalog_csv)
    return build_model(catalog, RecommenderConfig())


def test_exact_then_prefix_then_inside_then_votes(model):
    assert find_movies(model, "space wars")["id"] == [1, 2]
    assert find_movies(model, "WARS II")["id"] == [2]
    assert find_movies(model, "house")["id"] == [3, 4]  # inside the title; more votes first
    assert find_movies(model, "ghost house (2005)")["id"] == [4]  # the display title
    assert find_movies(model, "e", limit=2)["id"] == [1, 2]
    assert find_movies(model, "")["id"] == [1, 2, 3, 4, 5]
    assert find_movies(model, "zzz").empty


def test_columns_and_limit(model):
    found = find_movies(model, "ghost", limit=1)
    assert found.columns == FOUND_COLUMNS
    assert list(found.records()) == [{"id": 3, "display_title": "Ghost House (1985)", "year": 1985}]
    with pytest.raises(ConfigError, match="limit"):
        find_movies(model, "ghost", limit=0)
