"""The shipped demo catalog: schema, unique ids, complete fields, plausible values."""

from pathlib import Path

import pandas as pd
import pytest

from recommender.catalog import load_catalog_csv

DEMO = Path(__file__).resolve().parent.parent / "data" / "demo_catalog.csv"
REQUIRED = ["id", "title", "year", "genres", "directors", "cast", "keywords", "overview", "original_language", "runtime", "vote_average", "vote_count"]
TMDB_GENRES = {
    "Action", "Adventure", "Animation", "Comedy", "Crime", "Documentary", "Drama", "Family", "Fantasy",
    "History", "Horror", "Music", "Mystery", "Romance", "Science Fiction", "Thriller", "War", "Western",
}


@pytest.fixture(scope="module")
def raw() -> pd.DataFrame:
    return pd.read_csv(DEMO, dtype=str, keep_default_na=False)


def test_schema_and_every_field_filled(raw):
    assert list(raw.columns) == REQUIRED
    empty = [(row, col) for col in REQUIRED for row in raw.index[raw[col].str.strip() == ""]]
    assert empty == []


def test_size_and_unique_ids(raw):
    assert len(raw) >= 400
    assert raw["id"].is_unique
    assert raw["id"].str.isdigit().all()


def test_no_duplicate_films(raw):
    key = raw["title"].str.casefold() + "|" + raw["year"]
    assert not key.duplicated().any(), raw.loc[key.duplicated(keep=False), ["id", "title", "year"]]


def test_values_in_range():
    catalog, report = load_catalog_csv(DEMO)
    assert catalog["year"].between(1930, 2025).all()
    assert catalog["year"].min() < 1940 and catalog["year"].max() >= 2020
    assert catalog["runtime"].between(40, 300).all()
    assert catalog["vote_average"].between(0, 10).all()
    assert (catalog["vote_count"] > 0).all()
    assert catalog["cast"].map(len).between(3, 5).all()
    assert catalog["keywords"].map(len).between(5, 10).all()
    assert catalog["genres"].map(lambda g: set(g) <= TMDB_GENRES and len(g) >= 1).all()
    assert report.without_overview == 0 and report.without_credits == 0


def test_breadth(raw):
    catalog, _ = load_catalog_csv(DEMO)
    genres = set(catalog["genres"].explode())
    assert genres == TMDB_GENRES  # all major genres, documentaries and westerns included
    assert catalog["original_language"].nunique() >= 8
    decades = set((catalog["year"] // 10 * 10).astype(int))
    assert set(range(1930, 2030, 10)) <= decades


@pytest.mark.parametrize(
    ("director", "at_least"),
    [("Christopher Nolan", 8), ("Steven Spielberg", 8), ("Stanley Kubrick", 6), ("Hayao Miyazaki", 8),
     ("Quentin Tarantino", 6), ("Martin Scorsese", 8), ("Akira Kurosawa", 8)],
)
def test_director_groups(director, at_least):
    catalog, _ = load_catalog_csv(DEMO)
    assert catalog["directors"].map(lambda d: director in d).sum() >= at_least


@pytest.mark.parametrize("keyword", ["james bond", "jedi", "hogwarts", "middle-earth", "computer animation", "batman", "marvel cinematic universe"])
def test_franchise_groups(keyword):
    catalog, _ = load_catalog_csv(DEMO)
    assert catalog["keywords"].map(lambda k: keyword in k).sum() >= 3
