"""AppTest of the recommender page: query, k, filters, reasons, one-click requery,
table view, CSV download, and URL state (deep links, bad links)."""

from __future__ import annotations

import pytest

from recommender.results import default_movie_id
from tests.apptest_helpers import demo_model, new_app, no_html, start_app

PAGE = "pages/recommender.py"


@pytest.fixture
def at(monkeypatch, demo_artifacts):
    return start_app(monkeypatch, demo_artifacts, PAGE)


def heading(at) -> str:
    return at.header[0].value


def more_buttons(at):
    return [b for b in at.button if b.label == "More like this"]


def why_captions(at):
    return [c.value for c in at.caption if c.value.startswith("**Why:**")]


def results_table(at):
    at.toggle(key="rec_table_view").set_value(True).run()
    assert not at.exception
    return at.dataframe[0].value


def title_of(model, movie_id) -> str:
    return str(model.display_titles[model.row_of(movie_id)])


def test_default_view_is_the_most_voted_film(at, demo_artifacts):
    model = demo_model(demo_artifacts)
    default = default_movie_id(model.movies)
    assert heading(at) == f"Recommendations for {title_of(model, default)}"
    assert len(more_buttons(at)) == 10
    assert len(at.get("progress")) == 10  # one similarity bar per card
    assert at.query_params["movie"] == str(default)
    assert not at.warning
    no_html(at)


def test_why_text_is_present_for_every_result(at):
    whys = why_captions(at)
    assert len(whys) == 10
    assert all(len(w) > len("**Why:** ") and "no shared terms" not in w for w in whys)
    assert any(part in " ".join(whys) for part in ("Genres:", "Keywords:", "Cast:", "Director:", "Story:"))
    table = results_table(at)
    assert table["why"].str.len().gt(0).all()


def test_selecting_a_movie_changes_heading_and_results(at, demo_artifacts):
    model = demo_model(demo_artifacts)
    before = why_captions(at)
    batman = model.resolve("Batman")
    at.selectbox(key="rec_movie").set_value(batman).run()
    assert not at.exception
    assert heading(at) == f"Recommendations for {title_of(model, batman)}"
    assert why_captions(at) != before
    table = results_table(at)
    assert batman not in table["id"].tolist()
    assert table["similarity"].is_monotonic_decreasing
    assert at.query_params["movie"] == str(batman)


def test_k_changes_the_number_of_results(at):
    at.slider(key="rec_k").set_value(4).run()
    assert len(more_buttons(at)) == 4
    assert len(results_table(at)) == 4
    at.slider(key="rec_k").set_value(25).run()
    assert len(at.dataframe[0].value) == 25
    assert at.query_params["k"] == "25"


def test_a_filter_changes_the_results(at):
    before = results_table(at)
    at.multiselect(key="rec_genres").set_value(["Animation"]).run()
    after = at.dataframe[0].value
    assert not at.exception
    assert len(after) > 0
    assert all("Animation" in list(genres) for genres in after["genres"])
    assert after["id"].tolist() != before["id"].tolist()


def test_too_strict_filters_explain_instead_of_failing(at):
    at.number_input(key="rec_min_votes").set_value(10**9).run()
    assert not at.exception
    assert "passes these filters" in at.info[0].value
    assert not more_buttons(at)


def test_one_click_on_a_result_makes_it_the_query(at, demo_artifacts):
    model = demo_model(demo_artifacts)
    first = results_table(at).iloc[0]
    at.toggle(key="rec_table_view").set_value(False).run()
    more_buttons(at)[0].click().run()
    assert not at.exception
    assert heading(at) == f"Recommendations for {title_of(model, int(first['id']))}"
    assert at.selectbox(key="rec_movie").value == int(first["id"])
    assert at.query_params["movie"] == str(int(first["id"]))


def test_rating_blend_and_diversity_keep_k_results(at):
    at.slider(key="rec_rating_weight").set_value(0.5).run()
    at.toggle(key="rec_mmr").set_value(True).run()
    assert not at.exception
    table = results_table(at)
    assert len(table) == 10
    assert "score" in table.columns


def test_csv_download_is_offered(at):
    assert at.download_button[0].label == "Download these results (CSV)"


def test_deep_link_restores_the_view(monkeypatch, demo_artifacts):
    model = demo_model(demo_artifacts)
    batman = model.resolve("Batman")
    at = start_app(monkeypatch, demo_artifacts, PAGE, {"movie": str(batman), "k": "5", "vectorizer": "count"})
    assert heading(at) == f"Recommendations for {title_of(model, batman)}"
    assert len(more_buttons(at)) == 5
    assert at.sidebar.radio(key="vectorizer").value == "count"
    assert "Ranked by Count cosine similarity" in " ".join(c.value for c in at.caption)
    assert not at.warning


@pytest.mark.parametrize(
    "params",
    [{"movie": "abc"}, {"movie": "999999999"}, {"k": "0"}, {"k": "many"}, {"vectorizer": "xyz"}],
    ids=lambda p: "&".join(f"{k}={v}" for k, v in p.items()),
)
def test_bad_link_warns_and_uses_defaults(monkeypatch, demo_artifacts, params):
    model = demo_model(demo_artifacts)
    at = new_app(monkeypatch, demo_artifacts, params)
    at.run()
    warnings = [w.value for w in at.warning]
    at.switch_page(PAGE).run()
    warnings += [w.value for w in at.warning]
    assert not at.exception
    name, value = next(iter(params.items()))
    assert any(f"{name}={value!r}" in w for w in warnings), warnings
    assert heading(at) == f"Recommendations for {title_of(model, default_movie_id(model.movies))}"
    assert len(more_buttons(at)) == 10
    assert at.sidebar.radio(key="vectorizer").value == "tfidf"
    # The URL is rewritten with the values in use.
    assert at.query_params[name] != value


def test_choices_survive_a_visit_to_the_data_page(at, demo_artifacts):
    model = demo_model(demo_artifacts)
    batman = model.resolve("Batman")
    at.selectbox(key="rec_movie").set_value(batman).run()
    at.sidebar.radio(key="vectorizer").set_value("count").run()
    at.switch_page("pages/data.py").run()  # draws no sidebar and no recommender widgets
    at.query_params.clear()  # a browser drops the query string on a page switch
    at.switch_page(PAGE).run()
    assert not at.exception
    assert heading(at) == f"Recommendations for {title_of(model, batman)}"
    assert at.sidebar.radio(key="vectorizer").value == "count"
    assert at.query_params["vectorizer"] == "count"
