"""Recommendations with reasons, the CSV download and the page's small decisions,
on the five-movie catalog of ``conftest.py``."""

import csv
import io

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recommender.build import build_model
from recommender.catalog import load_catalog_csv
from recommender.columns import ColumnTable
from recommender.errors import ConfigError, UnknownMovieError
from recommender.ranking import Filters, RankingOptions, ranked_movies
from recommender.results import (
    REASON_COLUMNS,
    build_filters,
    default_movie_id,
    is_weak,
    reasoned_results,
    results_csv,
    title_with_year,
    year_bounds,
)
from tests.conftest import WORDS_ONLY


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    from tests.conftest import TINY_CSV

    path = tmp_path_factory.mktemp("tiny") / "tiny.csv"
    path.write_text(TINY_CSV, encoding="utf-8")
    catalog, _ = load_catalog_csv(path)
    return build_model(catalog, WORDS_ONLY)


def test_sequel_first_with_its_reasons(model):
    table = reasoned_results(model, 1, RankingOptions(k=4, vectorizer="count")).to_frame()
    assert list(table.columns) == REASON_COLUMNS
    first = table.iloc[0]
    assert first["id"] == 2 and first["rank"] == 1
    assert first["heading"] == "Space Wars II (1980)"
    # Both films share director, cast, genres, keywords and story words.
    why = reasoned_results(model, 1, RankingOptions(k=1, vectorizer="count"), max_fields=10).to_frame().iloc[0]["why"]
    for part in ("Director: Ann Lee", "Genres:", "Keywords:", "Cast:", "Story:"):
        assert part in why
    assert "Mia Sol" in why and "Tom Hart" in why


def test_same_rows_and_scores_as_the_ranking(model):
    options = RankingOptions(k=4, rating_weight=0.3)
    plain = ranked_movies(model, 3, options).to_frame()
    with_reasons = reasoned_results(model, 3, options).to_frame()
    pd.testing.assert_frame_equal(with_reasons.drop(columns=["heading", "why"]), plain)


def test_duplicate_title_heading_keeps_the_disambiguated_display_title(model):
    table = reasoned_results(model, 3, RankingOptions(k=4)).to_frame()
    assert table["id"].tolist() == [4]
    assert table.iloc[0]["heading"] == "Ghost House (2005)"
    assert "Cast: Zoe Park" in table.iloc[0]["why"]


def test_filters_can_empty_the_results_but_keep_the_columns(model):
    table = reasoned_results(model, 1, RankingOptions(k=4, filters=Filters(genres=("Horror",)))).to_frame()
    assert table.empty and list(table.columns) == REASON_COLUMNS


def test_no_shared_terms_gives_no_results(model):
    assert reasoned_results(model, 5, RankingOptions(k=4)).to_frame().empty


def test_errors_come_from_the_core(model):
    with pytest.raises(UnknownMovieError):
        reasoned_results(model, 999, RankingOptions()).to_frame()
    with pytest.raises(ConfigError):
        reasoned_results(model, 1, RankingOptions(k=0)).to_frame()
    with pytest.raises(ConfigError):
        reasoned_results(model, 1, RankingOptions(vectorizer="bm25")).to_frame()


@settings(max_examples=30, deadline=None)
@given(movie=st.sampled_from([1, 2, 3, 4, 5]), k=st.integers(1, 6), weight=st.floats(0, 1), mmr=st.booleans())
def test_invariants(model, movie, k, weight, mmr):
    table = reasoned_results(model, movie, RankingOptions(k=k, rating_weight=weight, mmr=mmr)).to_frame()
    assert len(table) <= k
    assert movie not in table["id"].tolist()
    assert table["rank"].tolist() == list(range(1, len(table) + 1))
    assert ((table["similarity"] > 0) & (table["similarity"] <= 1 + 1e-6)).all()
    assert all(isinstance(w, str) and w and w != "no shared terms" for w in table["why"])


def test_title_with_year():
    assert title_with_year("Alien", "Alien", 1979) == "Alien (1979)"
    assert title_with_year("Alien", "Alien", pd.NA) == "Alien"
    assert title_with_year("Alien", "Alien", None) == "Alien"
    assert title_with_year("Batman (1989)", "Batman", 1989) == "Batman (1989)"
    assert title_with_year("Solaris (1972, id 7)", "Solaris", 1972) == "Solaris (1972, id 7)"


def test_results_csv_joins_lists_and_defuses_formulas():
    table = pd.DataFrame(
        {
            "rank": [1, 2],
            "display_title": ["=HYPERLINK(\"http://x\")", "Plain, with comma"],
            "genres": [["Drama", "War"], []],
            "similarity": [0.5, -0.25],
        }
    )
    text = results_csv(table).decode("utf-8")
    back = pd.read_csv(io.StringIO(text), keep_default_na=False)
    assert back["display_title"].tolist() == ["'=HYPERLINK(\"http://x\")", "Plain, with comma"]
    assert back["genres"].tolist() == ["Drama|War", ""]
    assert back["similarity"].tolist() == [0.5, -0.25]  # numbers are never prefixed
    assert table.loc[0, "genres"] == ["Drama", "War"]  # the input is not modified


def test_results_csv_of_real_results(model):
    table = reasoned_results(model, 1, RankingOptions(k=2)).to_frame()
    back = pd.read_csv(io.BytesIO(results_csv(table)))
    assert back["id"].tolist() == table["id"].tolist()
    assert back.loc[0, "genres"] == "Science Fiction|Adventure"


def test_default_movie_is_the_most_voted(model):
    assert default_movie_id(model.movies) == 1
    tie = ColumnTable({"id": [9, 4, 7], "vote_count": [10, 30, 30]}, {"id": "int", "vote_count": "int"})
    assert default_movie_id(tie) == 4


def test_default_movie_prefers_the_configured_film_when_the_catalog_has_it(model):
    assert default_movie_id(model.movies, "quiet garden") == 5
    assert default_movie_id(model.movies, "Ghost House (2005)") == 4
    assert default_movie_id(model.movies, "3") == 3
    # Absent or ambiguous ("Ghost House" is two films): the most voted film.
    assert default_movie_id(model.movies, "Toy Story") == 1
    assert default_movie_id(model.movies, "Ghost House") == 1


def test_is_weak_below_the_bound_or_empty():
    def table(similarities):
        return ColumnTable({"similarity": similarities}, {"similarity": "float"})

    assert is_weak(table([0.2, 0.1]), 0.3) and not is_weak(table([0.35, 0.1]), 0.3)
    assert is_weak(table([]), 0.3)


def test_build_filters_full_year_range_is_no_filter():
    assert build_filters((1977, 2005), (1977, 2005)) == Filters()
    assert not build_filters((1977, 2005), (1977, 2005)).active
    assert build_filters((1980, 2005), (1977, 2005)).years == (1980, 2005)
    expected = Filters(genres=("Horror",), min_votes=50, languages=("ko",))
    assert build_filters(None, None, ["Horror"], 50, ["ko"]) == expected
    assert build_filters(None, None, min_votes=-5).min_votes == 0
    assert isinstance(build_filters((np.int64(1980), np.int64(1990)), (1977, 2005)).years[0], int)


def test_build_filters_year_range_keeps_undated_movies_until_narrowed(model):
    full = (1977, 2005)
    ids = reasoned_results(model, 3, RankingOptions(k=4, filters=build_filters(full, full))).to_frame()["id"]
    assert ids.tolist() == [4]
    narrowed = build_filters((1977, 2000), full)
    assert reasoned_results(model, 3, RankingOptions(k=4, filters=narrowed)).to_frame().empty


def test_columns_and_their_frame_give_the_same_csv(model):
    """The pandas-free results the page draws, and the same table as a DataFrame."""
    columns = reasoned_results(model, 3, RankingOptions(k=4, vectorizer="count"))
    frame = columns.to_frame()
    assert results_csv(columns) == results_csv(frame)
    assert [card.heading for card in columns.tuples()] == frame["heading"].tolist()


def test_csv_of_columns_defuses_formulas_in_text_and_lists():
    table = ColumnTable(
        {"display_title": ["@SUM(A1)", "Heat"], "genres": [["=1+1", "War"], []], "year": [None, 1995]},
        {"display_title": "str", "genres": "list", "year": "nullable_int"},
    )
    lines = results_csv(table).decode("utf-8").splitlines()
    assert lines == ["display_title,genres,year", "'@SUM(A1),'=1+1|War,", "Heat,,1995"]


def test_year_bounds(model):
    assert year_bounds(model.movies) == (1977, 2005)
    undated = ColumnTable({"year": [None, None]}, {"year": "nullable_int"})
    assert year_bounds(undated) is None


def test_results_csv_rounds_numbers_and_records_the_settings():
    table = ColumnTable({"rank": [1], "similarity": [0.10000000149011612], "why": ["x"]},
                        {"rank": "int", "similarity": "float", "why": "str"})
    text = results_csv(table, settings={"film": "Amélie (2001)", "vectorizer": "tfidf", "note": "two\nlines"}).decode()
    lines = text.splitlines()
    assert lines[:3] == ["# film: Amélie (2001)", "# vectorizer: tfidf", "# note: two lines"]
    assert lines[3:] == ["rank,similarity,why", "1,0.1,x"]
    back = pd.read_csv(io.StringIO(text), comment="#")
    assert back["similarity"].tolist() == [0.1]


def test_export_name_names_the_film():
    from recommender.results import export_name

    assert export_name("recommendations", "Amélie: The Film!", 194) == "recommendations-amelie-the-film-194.csv"
    assert export_name("selection", "???", 7, "csv") == "selection-film-7.csv"


def test_settings_lines_defuse_formulas_after_commas():
    # A spreadsheet splits the "# ..." line at its commas; no piece may start a formula.
    table = ColumnTable({"id": [1]}, {"id": "int"})
    data = results_csv(table, settings={"film": 'Heist, =HYPERLINK("http://x","y"),"@SUM(1)",-2'}).decode()
    first = data.splitlines()[0]
    assert first == "# film: Heist,' =HYPERLINK(\"http://x\",\"y\"),'\"@SUM(1)\",'-2"
    for cell in next(csv.reader(io.StringIO(first))):
        assert not cell.lstrip().startswith(("=", "+", "-", "@")), cell
