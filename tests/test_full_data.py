"""Sense checks on the real TMDB 5000 data (movies complete, credits for 999 films)."""

from __future__ import annotations

from pathlib import Path

import pytest

from recommender.build import CatalogSource, build
from recommender.explain import explain
from recommender.loading import load_model
from recommender.ranking import RankingOptions, ranked_movies

pytestmark = [pytest.mark.slow, pytest.mark.full_data]


@pytest.fixture(scope="module")
def model(tmdb_dir: Path, tmp_path_factory):
    out = tmp_path_factory.mktemp("tmdb") / "artifacts"
    manifest = build(CatalogSource.tmdb_dir(tmdb_dir), out, skip_maps=True)
    assert manifest["catalog"]["movies"] == 4803
    return load_model(out)


def test_catalog_joined_on_id(model):
    catalog = model.catalog
    assert len(catalog) == 4803 and catalog["id"].is_unique
    assert catalog["has_credits"].sum() == 999  # the partial credits file
    batman = catalog[catalog["title"] == "Batman"]["display_title"].tolist()
    assert sorted(batman) == ["Batman (1966)", "Batman (1989)"]
    avatar = catalog.set_index("id").loc[19995]
    assert "Sam Worthington" in avatar["cast"] and avatar["directors"] == ["James Cameron"]


@pytest.mark.parametrize("vectorizer", ["tfidf", "count"])
def test_dark_knight_rises_finds_the_dark_knight(model, vectorizer):
    query = model.resolve("The Dark Knight Rises")
    top5 = ranked_movies(model, query, RankingOptions(k=5, vectorizer=vectorizer)).to_frame()["display_title"].tolist()
    assert "The Dark Knight" in top5


def test_avatar_explanation_names_james_cameron(model):
    # Of Avatar's fellow James Cameron films only Titanic has credits in the partial file.
    avatar, titanic = model.row_of(19995), model.row_of(597)
    why = explain(model.space("tfidf").vectors, avatar, titanic)
    assert why["directors"] == ["James Cameron"]


def test_movies_without_credits_still_get_recommendations(model):
    without = model.catalog.index[~model.catalog["has_credits"]]
    sample = model.ids[without[:200]]
    empty = [int(m) for m in sample if ranked_movies(model, int(m), RankingOptions(k=10)).to_frame().empty]
    assert empty == []


def test_every_movie_has_neighbours_and_never_itself(model):
    for name in ("tfidf", "count"):
        neighbours = model.space(name).neighbours
        assert neighbours.shape == (4803, 100)
        rows = range(len(neighbours))
        assert all(row not in neighbours[row] for row in rows)
        assert (neighbours[:, 0] >= 0).mean() > 0.99
