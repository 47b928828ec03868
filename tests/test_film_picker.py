"""AppTest of the films' select boxes on a large catalog (dashboard.film_picker): the
boxes send the chosen films and the server-side search's matches, never the catalog.

The demo build has 442 films, below the threshold of a full list; these tests lower the
threshold to 0 so the demo build is a "large" catalog. Typing into a box and pressing
Enter sends the typed text as the box's value (the browser sends it as a new option);
:func:`type_into` sends the same from AppTest.
"""

from __future__ import annotations

import pytest

from dashboard import film_picker
from tests.apptest_helpers import demo_model, start_app


@pytest.fixture
def large(monkeypatch):
    monkeypatch.setattr(film_picker, "FULL_LIST_FILMS", 0)


def type_into(at, key: str, text: str) -> None:
    """Type ``text`` into the select box ``key`` and press Enter, then run."""
    box = at.selectbox(key=key)
    box.options.append(text)  # what the browser sends for typed text: a new option
    box.set_value(text)
    at.run()


def title_of(model, movie_id) -> str:
    return str(model.display_titles[model.row_of(movie_id)])


def test_recommender_box_lists_the_chosen_film_not_the_catalog(large, monkeypatch, demo_artifacts):
    model = demo_model(demo_artifacts)
    at = start_app(monkeypatch, demo_artifacts, "pages/recommender.py")
    box = at.selectbox(key="rec_movie")
    assert box.options == [film_picker.cache.option_labels(model)[box.value]]
    assert box.proto.accept_new_options


def test_typed_title_without_accents_opens_the_film_and_lists_the_matches(large, monkeypatch, demo_artifacts):
    model = demo_model(demo_artifacts)
    amelie = model.resolve("Amélie")
    at = start_app(monkeypatch, demo_artifacts, "pages/recommender.py")
    type_into(at, "rec_movie", "amelie")
    assert not at.exception
    assert at.header[0].value == "Recommendations for Amélie"
    assert at.query_params["movie"] == str(amelie)
    box = at.selectbox(key="rec_movie")
    assert box.value == amelie and len(box.options) <= film_picker.SEARCH_LIMIT
    assert any("found for “amelie”" in c.value for c in at.caption)


def test_typed_person_lists_their_films_with_the_reason(large, monkeypatch, demo_artifacts):
    model = demo_model(demo_artifacts)
    at = start_app(monkeypatch, demo_artifacts, "pages/recommender.py")
    type_into(at, "rec_movie", "Nolan")
    assert not at.exception
    box = at.selectbox(key="rec_movie")
    nolan = [o for o in box.options if "Christopher Nolan (director)" in o]
    assert len(nolan) == 11  # every Nolan film of the demo catalog (as the search box finds)
    assert title_of(model, box.value) in box.options[0]


def test_nothing_found_keeps_the_film_and_says_so(large, monkeypatch, demo_artifacts):
    at = start_app(monkeypatch, demo_artifacts, "pages/recommender.py")
    before = at.selectbox(key="rec_movie").value
    heading = at.header[0].value
    type_into(at, "rec_movie", "zzzz qqq")
    assert not at.exception
    assert at.selectbox(key="rec_movie").value == before and at.header[0].value == heading
    assert any("No film, person or keyword matches" in c.value for c in at.caption)


def test_a_deep_link_to_any_film_works_with_the_short_box(large, monkeypatch, demo_artifacts):
    model = demo_model(demo_artifacts)
    amelie = model.resolve("Amélie")
    at = start_app(monkeypatch, demo_artifacts, "pages/recommender.py", {"movie": str(amelie)})
    assert at.header[0].value == "Recommendations for Amélie"
    assert at.selectbox(key="rec_movie").value == amelie


def test_films_to_mix_in_are_typed_and_searched(large, monkeypatch, demo_artifacts):
    model = demo_model(demo_artifacts)
    amelie = model.resolve("Amélie")
    at = start_app(monkeypatch, demo_artifacts, "pages/recommender.py")
    at.toggle(key="rec_mixing").set_value(True).run()
    assert at.multiselect(key="rec_mix").options == []
    at.multiselect(key="rec_mix").set_value(["amelie"]).run()  # typed, then Enter
    assert not at.exception
    assert at.multiselect(key="rec_mix").value == [amelie]
    assert at.header[0].value.endswith("+ 1 more")
    assert at.query_params["with"] == str(amelie)


def test_explorer_find_a_film_searches_on_the_server(large, monkeypatch, demo_artifacts):
    model = demo_model(demo_artifacts)
    amelie = model.resolve("Amélie")
    at = start_app(monkeypatch, demo_artifacts, "pages/explorer.py")
    assert at.selectbox(key="exp_movie").options == []
    type_into(at, "exp_movie", "AMELIE")
    assert not at.exception
    assert at.selectbox(key="exp_movie").value == amelie
    assert at.query_params["movie"] == str(amelie)
    assert any("Amélie" in m.value and "lines to its" in m.value for m in at.markdown)


def test_compare_page_box_searches_on_the_server(large, monkeypatch, demo_artifacts):
    model = demo_model(demo_artifacts)
    amelie = model.resolve("Amélie")
    at = start_app(monkeypatch, demo_artifacts, "pages/compare.py")
    assert len(at.selectbox(key="cmp_movie").options) == 1
    type_into(at, "cmp_movie", "amelie")
    assert not at.exception
    assert at.selectbox(key="cmp_movie").value == amelie
    assert at.query_params["movie"] == str(amelie)


def test_the_second_film_is_never_the_first(large, monkeypatch, demo_artifacts):
    """Typed text whose best match is the film shown picks the next match as the second film."""
    model = demo_model(demo_artifacts)
    amelie = model.resolve("Amélie")
    at = start_app(monkeypatch, demo_artifacts, "pages/recommender.py", {"movie": str(amelie)})
    at.toggle(key="rec_comparing").set_value(True).run()
    type_into(at, "rec_compare", "amelie")
    assert not at.exception
    second = at.selectbox(key="rec_compare").value
    assert second is None or second != amelie


@pytest.mark.parametrize(("raw", "expected"), [("", 1_000), ("0", 0), ("5000", 5_000), ("lots", 1_000), ("-3", 0)])
def test_the_full_list_threshold_comes_from_the_environment(monkeypatch, raw, expected):
    monkeypatch.setenv("MOVIE_SELECT_FULL_LIST", raw)
    assert film_picker._full_list_films() == expected
