"""AppTest of the TF-IDF vs Count page: the two top-k lists with shared films
flagged, per-film agreement metrics, top terms, catalog-wide agreement, disagreements,
evaluation and score distributions, URL state (deep and bad links) and artifacts
built without the analysis."""

from __future__ import annotations

import json

import pytest

from dashboard import labels
from recommender import comparison
from recommender.build import CatalogSource, build
from recommender.results import default_movie_id
from tests.apptest_helpers import demo_model, no_html, start_app

PAGE = "pages/compare.py"
# Room inside a grid's border in a 1400 px wide window, measured in Chromium: half the
# main column for each top-k list, the whole of it for the disagreement table.
# tests/test_browser.py checks the real layout; this checks the widths the page asks for.
LIST_WIDTH_PX = 460
FULL_WIDTH_PX = 938


@pytest.fixture
def at(monkeypatch, demo_artifacts):
    return start_app(monkeypatch, demo_artifacts, PAGE)


@pytest.fixture(scope="module")
def no_maps_artifacts(tmp_path_factory):
    out = tmp_path_factory.mktemp("no_maps_compare") / "artifacts"
    build(CatalogSource.demo(), out, skip_maps=True)
    return out


def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def expected_metrics(model, movie_id: int, k: int) -> dict[str, str]:
    lists = comparison.side_by_side(model, movie_id, k)
    agreement = comparison.movie_agreement(lists, k)
    shown = {"Films in both lists": f"{int(lists['tfidf']['in_both'].sum())} of {k}"}
    for metric, label in labels.AGREEMENT_LABELS.items():
        value = agreement[metric]
        shown[label] = "n/a" if value != value else f"{value:.2f}"
    return shown


def assert_view(at, model, movie_id: int, k: int) -> None:
    assert not at.exception
    shown = metrics(at)
    for label, value in expected_metrics(model, movie_id, k).items():
        assert shown[label] == value, label
    lists = comparison.side_by_side(model, movie_id, k)
    tfidf, count = at.dataframe[0].value, at.dataframe[1].value
    assert tfidf["display_title"].tolist() == lists["tfidf"]["display_title"].tolist()
    assert count["display_title"].tolist() == lists["count"]["display_title"].tolist()
    assert tfidf["in_both"].tolist() == lists["tfidf"]["in_both"].tolist()
    assert at.query_params["movie"] == str(movie_id) and at.query_params["k"] == str(k)


def test_default_view(at, demo_artifacts):
    model = demo_model(demo_artifacts)
    movie_id = default_movie_id(model.movies, model.config.ranking.default_movie)
    assert at.selectbox(key="cmp_movie").value == movie_id
    assert_view(at, model, movie_id, 10)
    assert len(at.dataframe[0].value) == 10 and len(at.dataframe[1].value) == 10
    # The lists' order is the recommender's: the caption says what it adds to the similarity.
    assert labels.side_by_side_caption(model.audience.settings) in [caption.value for caption in at.caption]
    # The film's section only (the others run when opened): the two lists and each vectorizer's top
    # terms as tables (no plotly in this section).
    assert len(at.get("plotly_chart")) == 0 and len(at.dataframe) == 4
    terms = comparison.movie_top_terms(model, movie_id, 12)
    assert at.dataframe[2].value["display"].tolist() == terms["tfidf"]["display"].tolist()
    assert at.dataframe[3].value["weight"].is_monotonic_decreasing
    # One row per label: the era's band of terms is one "Era: released close together (n terms)".
    for table in (at.dataframe[2].value, at.dataframe[3].value):
        assert table["display"].is_unique
    assert any(display.startswith("Era: released close together (") for display in at.dataframe[2].value["display"])
    assert not at.warning
    no_html(at)
    # Across the catalog: the agreement histograms and the disagreements (15).
    open_section(at, "Across the catalog")
    assert len(at.get("plotly_chart")) == 1 and len(at.dataframe) == 1
    assert len(at.dataframe[0].value) == 15
    assert {"Median Jaccard@k", "Median RBO", "Median Weighted Kendall τ"} <= set(metrics(at))
    assert at.query_params["section"] == "Across the catalog"
    # Quality and scores: evaluation (one row per metric), score histograms and summary.
    open_section(at, "Quality and scores")
    assert at.dataframe[0].value["metric"].tolist()[0] == "Genre overlap"
    assert len(at.dataframe[0].value) == 7
    assert set(at.dataframe[1].value["vectorizer"]) == {"TF-IDF", "Count"}
    assert len(at.get("plotly_chart")) == 1
    no_html(at)


def open_section(at, section: str) -> None:
    """Open one of the page's tabs (only the open one runs)."""
    at.session_state["cmp_section"] = section
    at.run()
    assert not at.exception


def column_widths(frame) -> dict[str, object]:
    """Visible column -> configured width of an ``st.dataframe`` in the AppTest."""
    config = json.loads(frame.proto.columns)
    shown = list(frame.proto.column_order) or [name for name in config if not config[name].get("hidden")]
    return {name: config.get(name, {}).get("width") for name in shown}


def test_tables_fit_at_1400_px_and_show_missing_ranks_as_a_dash(at):
    frames = list(at.dataframe)  # the two lists, then the two top-term tables
    for table, frame in zip(("TF-IDF terms", "Count terms"), frames[2:]):
        widths = column_widths(frame)
        assert all(isinstance(width, int) for width in widths.values()) and sum(widths.values()) <= LIST_WIDTH_PX, table
    open_section(at, "Across the catalog")
    frames = [*frames[:2], at.dataframe[0]]
    tables = {"TF-IDF list": LIST_WIDTH_PX, "Count list": LIST_WIDTH_PX, "disagreements": FULL_WIDTH_PX}
    for (table, room), frame in zip(tables.items(), frames):
        widths = column_widths(frame)
        assert all(isinstance(width, int) for width in widths.values()), (table, widths)
        assert sum(widths.values()) <= room, (table, widths)
        assert frame.proto.placeholder == "–", table  # not Streamlit's default "None"
    other_rank = json.loads(frames[0].proto.columns)["other_rank"]["type_config"]
    assert other_rank == {"type": "number", "format": "%d"}
    assert frames[0].value["other_rank"].isna().any()  # the default film has a film in one list only


def test_changing_movie_and_k(at, demo_artifacts):
    model = demo_model(demo_artifacts)
    movie_id = int(model.ids[3])
    at.selectbox(key="cmp_movie").set_value(movie_id).run()
    assert_view(at, model, movie_id, 10)
    at.slider(key="cmp_k").set_value(5).run()
    assert_view(at, model, movie_id, 5)
    assert len(at.dataframe[0].value) <= 5
    open_section(at, "Across the catalog")
    at.slider(key="cmp_worst_n").set_value(5).run()
    assert len(at.dataframe[0].value) == 5


def test_deep_link(monkeypatch, demo_artifacts):
    model = demo_model(demo_artifacts)
    movie_id = int(model.ids[11])
    at = start_app(monkeypatch, demo_artifacts, PAGE, {"movie": str(movie_id), "k": "20"})
    assert not at.warning
    assert_view(at, model, movie_id, 20)


def test_bad_link_warns_and_falls_back(monkeypatch, demo_artifacts):
    model = demo_model(demo_artifacts)
    at = start_app(monkeypatch, demo_artifacts, PAGE, {"movie": "not-a-film", "k": "999"})
    assert not at.exception
    warnings = " ".join(w.value for w in at.warning)
    assert "movie=" in warnings and "k=" in warnings
    assert_view(at, model, default_movie_id(model.movies, model.config.ranking.default_movie), 10)


def test_artifacts_without_analysis_still_compare_one_film(monkeypatch, no_maps_artifacts):
    at = start_app(monkeypatch, no_maps_artifacts, PAGE)
    assert not at.exception
    model = demo_model(no_maps_artifacts)
    assert_view(at, model, default_movie_id(model.movies, model.config.ranking.default_movie), 10)
    infos = []
    for section in ("Across the catalog", "Quality and scores"):
        open_section(at, section)
        infos += [i.value for i in at.info]
    assert "agreement" in " ".join(infos) and "evaluation" in " ".join(infos)
