"""AppTest of the overview page: summary tiles, charts, formula and the top chart."""

from __future__ import annotations

import pytest

from dashboard.labels import weighted_rating_formula
from recommender.summary import catalog_summary
from tests.apptest_helpers import demo_model, no_html, start_app


@pytest.fixture
def at(monkeypatch, demo_artifacts):
    return start_app(monkeypatch, demo_artifacts)  # the overview is the default page


def top_chart(at):
    return at.dataframe[0].value


def test_summary_tiles_charts_and_formula(at, demo_artifacts):
    model = demo_model(demo_artifacts)
    facts = catalog_summary(model.catalog)
    tiles = {m.label: m.value for m in at.metric}
    assert tiles["Films"] == f"{facts['films']:,}"
    assert tiles["Years"] == f"{facts['first_year']}–{facts['last_year']}"
    assert tiles["Genres"] == str(facts["genres"]) and tiles["Languages"] == str(facts["languages"])
    assert weighted_rating_formula(model.stats) in at.latex[0].value
    assert f"m = {model.stats.min_votes:,.0f} votes" in " ".join(c.value for c in at.caption)
    # Only the open tab runs: the charts (plotly) are drawn when their tab is opened.
    assert len(at.get("plotly_chart")) == 0
    no_html(at)
    at.session_state["overview_tab"] = "The catalog in charts"
    at.run()
    assert not at.exception
    assert len(at.get("plotly_chart")) == 3  # decades, languages, genres
    assert at.query_params["overview_tab"] == "The catalog in charts"
    assert not at.dataframe and not at.latex
    no_html(at)


def test_the_top_chart_filters_stay_in_the_url_while_the_charts_are_open(at):
    at.slider(key="top_n").set_value(5).run()
    at.session_state["overview_tab"] = "The catalog in charts"
    at.run()
    assert at.query_params["top_n"] == "5"
    at.session_state["overview_tab"] = "Top rated films"
    at.run()
    assert len(at.dataframe[0].value) == 5


def test_top_chart_default_is_sorted_and_qualified(at, demo_artifacts):
    model = demo_model(demo_artifacts)
    chart = top_chart(at)
    assert len(chart) == 20
    assert chart["rank"].tolist() == list(range(1, 21))
    assert chart["weighted_rating"].is_monotonic_decreasing
    assert (chart["vote_count"] >= model.stats.min_votes).all()


def test_top_chart_responds_to_genre_filter(at):
    before = top_chart(at)
    at.multiselect(key="top_genres").set_value(["Animation"]).run()
    after = top_chart(at)
    assert not at.exception
    assert len(after) > 0
    assert all("Animation" in list(genres) for genres in after["genres"])
    assert after["id"].tolist() != before["id"].tolist()


def test_top_chart_year_range_and_size(at):
    at.slider(key="top_years").set_value((1990, 1999)).run()
    at.slider(key="top_n").set_value(5).run()
    chart = top_chart(at)
    assert 0 < len(chart) <= 5
    assert chart["year"].between(1990, 1999).all()


def test_empty_top_chart_explains(at, demo_artifacts):
    first = catalog_summary(demo_model(demo_artifacts).catalog)["first_year"]
    at.slider(key="top_years").set_value((first, first)).run()
    at.multiselect(key="top_genres").set_value(["Animation"]).run()
    assert not at.exception
    assert len(at.dataframe) == 0
    assert "No film with at least" in at.info[0].value


def test_each_page_names_its_open_tab_in_the_url_without_clashing(at):
    # A page keeps the URL parameters it does not own: a tab of one page must not be read
    # as another page's (the explorer's tab=, the comparison's section=).
    at.session_state["overview_tab"] = "The catalog in charts"
    at.run()
    at.switch_page("pages/data.py").run()
    at.session_state["data_tab"] = "Build manifest"
    at.run()
    for page in ("pages/explorer.py", "pages/compare.py", "pages/recommender.py"):
        at.switch_page(page).run()
        assert not at.exception and not at.warning, (page, [w.value for w in at.warning])
