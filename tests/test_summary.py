"""Catalog and build summaries on tiny hand-checkable frames."""

import pandas as pd
import pytest

from recommender.catalog import load_catalog_csv
from recommender.summary import (
    catalog_summary,
    catalog_table,
    decade_counts,
    genre_counts,
    language_counts,
    language_name,
    manifest_packages,
    manifest_timings,
)


def frame(**overrides):
    """Four films: 1977, 1980, 1985 and one without a year; two share a title."""
    data = {
        "id": [1, 2, 3, 4],
        "title": ["Space Wars", "Ghost House", "Ghost House", "Quiet Garden"],
        "display_title": ["Space Wars", "Ghost House (1980)", "Ghost House (1985)", "Quiet Garden"],
        "year": pd.array([1977, 1980, 1985, None], dtype="Int64"),
        "genres": [["Science Fiction", "Adventure"], ["Horror"], ["Horror", "Mystery"], []],
        "directors": [["Ann Lee"], ["Bo Chan"], ["Bo Chan"], []],
        "cast": [["Tom Hart", "Mia Sol"], [], ["Zoe Park"], []],
        "original_language": ["en", "en", "ko", ""],
        "vote_average": [8.0, 6.5, 5.9, float("nan")],
        "vote_count": [1000, 300, 50, 0],
    }
    data.update(overrides)
    return pd.DataFrame(data)


def test_catalog_summary_counts():
    assert catalog_summary(frame()) == {
        "films": 4,
        "first_year": 1977,
        "last_year": 1985,
        "undated": 1,
        "genres": 4,  # Science Fiction, Adventure, Horror, Mystery
        "languages": 2,  # en, ko; the empty code is not a language
        "directors": 2,
        "rated": 3,
    }


def test_catalog_summary_without_years():
    facts = catalog_summary(frame(year=pd.array([None] * 4, dtype="Int64")))
    assert facts["first_year"] is None and facts["last_year"] is None and facts["undated"] == 4


def test_decade_counts_fill_empty_decades():
    catalog = frame(year=pd.array([1951, 1977, 1979, None], dtype="Int64"))
    decades = decade_counts(catalog)
    assert decades["decade"].tolist() == [1950, 1960, 1970]
    assert decades["label"].tolist() == ["1950s", "1960s", "1970s"]
    assert decades["films"].tolist() == [1, 0, 2]


def test_decade_counts_empty_when_no_year():
    decades = decade_counts(frame(year=pd.array([None] * 4, dtype="Int64")))
    assert decades.empty and list(decades.columns) == ["decade", "label", "films"]


def test_genre_counts_most_first_then_by_name():
    genres = genre_counts(frame())
    assert genres.to_dict("records") == [
        {"genre": "Horror", "films": 2},
        {"genre": "Adventure", "films": 1},
        {"genre": "Mystery", "films": 1},
        {"genre": "Science Fiction", "films": 1},
    ]


def test_language_counts_top_names_and_share():
    languages = language_counts(frame(), top=1)
    assert languages.to_dict("records") == [{"language": "en", "name": "English", "films": 2, "share": 0.5}]
    assert language_counts(frame())["language"].tolist() == ["en", "ko"]


def test_language_name_falls_back_to_code():
    assert language_name("fr") == "French"
    assert language_name("qq") == "qq"


def test_catalog_table_search_is_case_insensitive_and_literal():
    table = catalog_table(frame(), "ghost")
    assert table["id"].tolist() == [2, 3]
    assert table.loc[1, "genres"] == "Horror, Mystery"
    assert table.loc[0, "cast"] == ""
    assert catalog_table(frame(), "(1985)")["id"].tolist() == [3]  # display title, no regex
    assert catalog_table(frame(), ".*").empty
    assert len(catalog_table(frame(), "  ")) == 4


def test_catalog_table_on_a_loaded_catalog(tiny_catalog_csv):
    catalog, _ = load_catalog_csv(tiny_catalog_csv)
    table = catalog_table(catalog, "space wars")
    assert table["display_title"].tolist() == ["Space Wars", "Space Wars II"]
    assert table.loc[0, "directors"] == "Ann Lee"
    assert "weighted_rating" not in table.columns  # only built catalogs have it


@pytest.mark.parametrize("manifest", [{}, {"packages": None, "timings_s": None}])
def test_manifest_tables_tolerate_missing_keys(manifest):
    assert manifest_packages(manifest).empty
    assert manifest_timings(manifest).empty


def test_manifest_tables():
    manifest = {"packages": {"python": "3.11.7", "numpy": "2.4.6"}, "timings_s": {"load catalog": 0.04, "save": 1}}
    assert manifest_packages(manifest).to_dict("records") == [
        {"package": "python", "version": "3.11.7"},
        {"package": "numpy", "version": "2.4.6"},
    ]
    assert manifest_timings(manifest).to_dict("records") == [
        {"step": "load catalog", "seconds": 0.04},
        {"step": "save", "seconds": 1.0},
    ]
