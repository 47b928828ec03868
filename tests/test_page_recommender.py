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


def test_default_view_is_the_configured_default_film(at, demo_artifacts):
    model = demo_model(demo_artifacts)
    default = default_movie_id(model.movies, model.config.ranking.default_movie)
    assert title_of(model, default) == "Toy Story"
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
    assert table["score"].is_monotonic_decreasing  # the order: similarity plus the audience terms
    assert at.query_params["movie"] == str(batman)


def test_k_changes_the_number_of_results(at):
    at.slider(key="rec_k").set_value(4).run()
    assert len(more_buttons(at)) == 4
    assert len(results_table(at)) == 4
    at.slider(key="rec_k").set_value(25).run()
    assert len(at.dataframe[0].value) == 25
    assert at.query_params["k"] == "25"


def open_filters(at) -> None:
    """Open the Filters box (its widgets run only while it is open)."""
    at.session_state["rec_filters"] = True
    at.run()
    assert at.number_input(key="rec_min_votes")


def test_the_filters_run_only_while_their_box_is_open(at):
    assert not at.number_input and not at.multiselect  # a closed box sends none of its widgets
    open_filters(at)
    at.number_input(key="rec_min_votes").set_value(100).run()
    at.session_state["rec_filters"] = False
    at.run()
    assert not at.number_input  # closed again: the filter still applies, and stays in the URL
    assert at.query_params["votes"] == "100"
    assert any(caption.value.endswith("Filters are on.") for caption in at.caption)


def test_a_filter_changes_the_results(at):
    before = results_table(at)
    open_filters(at)
    at.multiselect(key="rec_genres").set_value(["Animation"]).run()
    after = at.dataframe[0].value
    assert not at.exception
    assert len(after) > 0
    assert all("Animation" in list(genres) for genres in after["genres"])
    assert after["id"].tolist() != before["id"].tolist()


def test_too_strict_filters_explain_instead_of_failing(at):
    open_filters(at)
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
    assert "Ranked by Count similarity" in " ".join(c.value for c in at.caption)
    ranked = next(c.value for c in at.caption if c.value.startswith("Ranked by"))
    assert "similar reception" in ranked  # the single film's list names every audience signal, as the mix's does
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
    assert heading(at) == f"Recommendations for {title_of(model, default_movie_id(model.movies, model.config.ranking.default_movie))}"
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


# --------------------------------------------------------------------------- search
def hits_table(at):
    return next(frame for frame in at.dataframe if "Found by" in frame.value.columns)


def test_search_ignores_accents_and_finds_people(at, demo_artifacts):
    model = demo_model(demo_artifacts)
    at.text_input(key="rec_query").input("amelie").run()
    assert not at.exception
    found = hits_table(at).value
    assert found["Film"].iloc[0] == title_of(model, model.resolve("Amélie"))
    at.text_input(key="rec_query").input("Nolan").run()
    found = hits_table(at).value
    assert len(found) == 11 and found["Found by"].str.contains(r"Christopher Nolan \(director\)").all()
    at.text_input(key="rec_query").input("zzzz qqq").run()
    assert "No film, person or keyword" in at.info[0].value
    assert at.query_params["q"] == "zzzz qqq"


def test_find_a_film_lists_accented_titles_with_their_plain_spelling(at, demo_artifacts):
    """The select box filters in the browser, letter by letter: "Amelie" typed there must
    match an option, so accented titles also carry their spelling without accents."""
    model = demo_model(demo_artifacts)
    box = at.selectbox(key="rec_movie")
    assert "Amélie · Amelie" in box.options
    box.set_value(model.resolve("Amélie")).run()
    assert not at.exception
    assert heading(at) == "Recommendations for Amélie"


def test_mix_of_films_excludes_them_and_names_the_closest(at, demo_artifacts):
    model = demo_model(demo_artifacts)
    first = at.selectbox(key="rec_movie").value
    amelie = model.resolve("Amélie")
    assert not [m for m in at.multiselect if m.key == "rec_mix"]  # drawn only when switched on
    at.toggle(key="rec_mixing").set_value(True).run()
    at.multiselect(key="rec_mix").set_value([amelie]).run()
    assert not at.exception
    assert heading(at).endswith("+ 1 more")
    table = results_table(at)
    assert len(table) == 10 and not {first, amelie} & set(table["id"])
    assert set(table["closest"]) <= {title_of(model, first), title_of(model, amelie)}
    assert at.query_params["with"] == str(amelie)


def test_a_link_with_films_to_mix_switches_the_mix_on_and_switching_off_clears_it(monkeypatch, demo_artifacts):
    model = demo_model(demo_artifacts)
    amelie = model.resolve("Amélie")
    at = start_app(monkeypatch, demo_artifacts, "pages/recommender.py", {"with": str(amelie)})
    assert at.toggle(key="rec_mixing").value is True
    assert at.multiselect(key="rec_mix").value == [amelie]
    assert heading(at).endswith("+ 1 more")
    at.toggle(key="rec_mixing").set_value(False).run()
    assert not at.exception
    assert not heading(at).endswith("more")
    assert not [m for m in at.multiselect if m.key == "rec_mix"]
    assert "with" not in at.query_params or at.query_params["with"] in ("", [])


def test_compare_two_films_shows_shared_terms_and_maps(at, demo_artifacts):
    model = demo_model(demo_artifacts)
    sequel = model.resolve("The Godfather Part II")
    at.selectbox(key="rec_movie").set_value(model.resolve("The Godfather")).run()
    at.toggle(key="rec_comparing").set_value(True).run()
    at.selectbox(key="rec_compare").set_value(sequel).run()
    assert not at.exception
    fields = next(f for f in at.dataframe if "Shared terms (heaviest first)" in f.value.columns).value
    assert "Director" in fields["Field"].tolist()
    assert any("Francis Ford Coppola" in terms for terms in fields["Shared terms (heaviest first)"])
    maps = next(f for f in at.dataframe if "Nearest dots rank" in f.value.columns).value
    assert len(maps) >= 1 and (maps["Nearest dots rank"] >= 1).all()
    assert at.query_params["compare"] == str(sequel)


# --------------------------------------------------------------------------- URL and history
def test_every_setting_is_in_the_url_and_a_link_reproduces_the_list(at, monkeypatch, demo_artifacts):
    model = demo_model(demo_artifacts)
    at.selectbox(key="rec_movie").set_value(model.resolve("Batman")).run()
    at.slider(key="rec_k").set_value(7).run()
    at.slider(key="rec_rating_weight").set_value(0.3).run()
    at.toggle(key="rec_mmr").set_value(True).run()
    open_filters(at)
    at.multiselect(key="rec_genres").set_value(["Action"]).run()
    at.number_input(key="rec_min_votes").set_value(100).run()
    table = results_table(at)
    link = {name: at.query_params[name] for name in at.query_params}
    assert {"movie", "k", "blend", "mmr", "lambda", "genre", "votes", "table", "vectorizer"} <= set(link)
    # A new session opened on that link shows the same list.
    other = new_app(monkeypatch, demo_artifacts)
    other.run()
    for name, value in link.items():
        other.query_params[name] = value
    other.switch_page(PAGE).run()
    assert not other.exception
    assert other.dataframe[0].value["id"].tolist() == table["id"].tolist()
    assert other.slider(key="rec_rating_weight").value == 0.3 and other.toggle(key="rec_mmr").value
    assert other.number_input(key="rec_min_votes").value == 100  # a link with filters opens their box


def test_back_to_an_older_url_returns_to_the_previous_film(at, demo_artifacts):
    first = at.selectbox(key="rec_movie").value
    before = {name: at.query_params[name] for name in at.query_params}
    more_buttons(at)[0].click().run()
    assert at.selectbox(key="rec_movie").value != first
    # The browser's Back reruns the page on the older URL.
    at.query_params.clear()
    for name, value in before.items():
        at.query_params[name] = value
    at.run()
    assert not at.exception
    assert at.selectbox(key="rec_movie").value == first
    assert at.query_params["movie"] == str(first)
