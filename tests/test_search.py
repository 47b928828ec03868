"""Search by title, person and keyword (MovieIndex) on hand-made catalogs, and the
API's title lookup (find_movies) on the five-movie catalog of ``conftest.py``."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from recommender.build import build_model
from recommender.catalog import load_catalog_csv
from recommender.columns import ColumnTable
from recommender.config import RecommenderConfig
from recommender.errors import ConfigError
from recommender.search import FOUND_COLUMNS, MovieIndex, find_movies, fold, fold_title


def catalog(rows: list[dict]) -> ColumnTable:
    columns = ["id", "title", "display_title", "cast", "directors", "keywords", "vote_count"]
    kinds = {"id": "int", "title": "str", "display_title": "str", "cast": "list", "directors": "list",
             "keywords": "list", "vote_count": "float"}
    return ColumnTable({c: [r[c] for r in rows] for c in columns}, kinds)


def film(movie_id, title, cast=(), directors=(), keywords=(), votes=0.0, display=None):
    return {"id": movie_id, "title": title, "display_title": display or title, "cast": list(cast),
            "directors": list(directors), "keywords": list(keywords), "vote_count": float(votes)}


MOVIES = catalog(
    [
        film(1, "Amélie", cast=["Audrey Tautou"], directors=["Jean-Pierre Jeunet"], keywords=["paris"], votes=3000),
        film(2, "The Dark Knight", cast=["Christian Bale"], directors=["Christopher Nolan"], keywords=["joker"], votes=12000),
        film(3, "Inception", cast=["Leonardo DiCaprio"], directors=["Christopher Nolan"], keywords=["dream"], votes=13000),
        film(4, "Cast Away", cast=["Tom Hanks"], directors=["Robert Zemeckis"], keywords=["island"], votes=3500),
        film(5, "Big", cast=["Tom Hanks"], directors=["Penny Marshall"], keywords=["new york city"], votes=1500),
        film(6, "Knight and Day", cast=["Tom Cruise"], directors=["James Mangold"], keywords=["spy"], votes=1800),
        film(7, "Batman", cast=["Michael Keaton"], directors=["Tim Burton"], display="Batman (1989)", votes=2000),
        film(8, "Batman", cast=["Adam West"], directors=["Leslie H. Martinson"], display="Batman (1966)", votes=200),
        film(9, "Hanks in Paris", cast=["Ann Other"], directors=["Sam Doe"], votes=5),
    ]
)


@pytest.fixture(scope="module")
def index():
    return MovieIndex(MOVIES)


def ids(hits):
    return [hit.movie_id for hit in hits]


def test_fold_removes_accents_case_and_punctuation():
    assert fold("Amélie") == "amelie"
    assert fold("  WALL·E ") == "wall e"
    assert fold("Léon: The Professional") == "leon the professional"
    assert fold_title("The Dark Knight") == "dark knight"
    assert fold_title("A Beautiful Mind") == "beautiful mind"
    assert fold_title("The") == "the"  # an article alone is the title


def test_title_without_accent_finds_the_accented_film(index):
    hits = index.search("Amelie")
    assert ids(hits)[0] == 1
    assert hits[0].field == "title" and hits[0].matched == "Amélie"
    assert ids(index.search("AMÉLIE")) == [1]


def test_the_is_optional_both_ways(index):
    assert ids(index.search("dark knight"))[0] == 2
    assert ids(index.search("The Dark Knight"))[0] == 2
    assert ids(index.search("the dark"))[0] == 2


def test_exact_title_before_title_start_before_words_inside(index):
    # "knight": Knight and Day starts with it; The Dark Knight has it inside.
    assert ids(index.search("knight"))[:2] == [6, 2]


def test_repeated_titles_ranked_by_votes_with_display_titles(index):
    hits = index.search("batman")
    assert ids(hits) == [7, 8]
    assert [h.display_title for h in hits] == ["Batman (1989)", "Batman (1966)"]


def test_person_in_cast_and_director(index):
    hits = index.search("Tom Hanks")
    assert ids(hits) == [4, 5]  # more votes first
    assert {h.field for h in hits} == {"cast"} and hits[0].label == "Cast Away · Tom Hanks (cast)"
    nolan = index.search("Nolan")
    assert ids(nolan) == [3, 2]
    assert all(h.field == "director" and h.matched == "Christopher Nolan" for h in nolan)


def test_title_match_ranks_above_a_person_match(index):
    # "hanks" is in a title (9) and a cast name (4, 5): the title wins.
    assert ids(index.search("hanks"))[0] == 9


def test_keyword_search(index):
    hits = index.search("new york")
    assert ids(hits) == [5]
    assert hits[0].field == "keyword" and hits[0].matched == "new york city"
    assert ids(index.search("paris"))[0] == 9  # title first, then the keyword
    assert ids(index.search("paris")) == [9, 1]


def test_short_queries_match_titles_only(index):
    assert ids(index.search("bi")) == [5]  # "Big"; no cast or keyword matches for 2 letters


def test_nothing_found_and_limits(index):
    assert index.search("zzzz") == []
    assert index.search("   ") == []
    assert index.search("!!") == []
    assert len(index.search("a", limit=2)) <= 2
    with pytest.raises(ConfigError, match="limit"):
        index.search("x", limit=0)


def test_one_hit_per_film_keeping_the_best_reason(index):
    # Inception matches "Christopher Nolan" (director) and nothing else: one hit.
    hits = index.search("christopher")
    assert len(ids(hits)) == len(set(ids(hits)))


@given(st.text(max_size=30))
def test_any_text_gives_known_films_without_repeats(query):
    hits = MovieIndex(MOVIES).search(query, limit=5)
    assert len(hits) <= 5
    assert len(set(ids(hits))) == len(hits)
    assert set(ids(hits)) <= {r for r in MOVIES["id"]}
    scores = [h.score for h in hits]
    assert scores == sorted(scores, reverse=True)


@pytest.fixture
def tiny_model(tiny_catalog_csv):
    catalog, _ = load_catalog_csv(tiny_catalog_csv)
    return build_model(catalog, RecommenderConfig())


def test_exact_then_prefix_then_inside_then_votes(tiny_model):
    assert find_movies(tiny_model, "space wars")["id"] == [1, 2]
    assert find_movies(tiny_model, "WARS II")["id"] == [2]
    assert find_movies(tiny_model, "house")["id"] == [3, 4]  # inside the title; more votes first
    assert find_movies(tiny_model, "ghost house (2005)")["id"] == [4]  # the display title
    assert find_movies(tiny_model, "e", limit=2)["id"] == [1, 2]
    assert find_movies(tiny_model, "")["id"] == [1, 2, 3, 4, 5]
    assert find_movies(tiny_model, "zzz").empty


def test_columns_and_limit(tiny_model):
    found = find_movies(tiny_model, "ghost", limit=1)
    assert found.columns == FOUND_COLUMNS
    assert list(found.records()) == [{"id": 3, "display_title": "Ghost House (1985)", "year": 1985, "matched": "title"}]
    with pytest.raises(ConfigError, match="limit"):
        find_movies(tiny_model, "ghost", limit=0)
