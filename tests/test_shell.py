"""The app shell (dashboard/shell.py): a deep link as a fresh server's first request
(Streamlit runs the page file alone, as an old-style multipage app) still gets the
whole app: page config, the sidebar and the linked page, through st.navigation."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = Path(__file__).resolve().parent.parent / "streamlit_app.py"


def first_request(monkeypatch, artifacts: Path, page: str, params: dict[str, str]) -> AppTest:
    monkeypatch.setenv("MOVIE_ARTIFACTS", str(artifacts))
    at = AppTest.from_file(str(APP), default_timeout=120)
    for name, value in params.items():
        at.query_params[name] = value
    at.switch_page(page)  # before any run: Streamlit picks the page by its file, as for a deep link
    return at.run()


def test_a_deep_link_first_runs_the_page_inside_the_shell(monkeypatch, demo_artifacts):
    at = first_request(monkeypatch, demo_artifacts, "pages/recommender.py", {"k": "3"})
    assert not at.exception, at.exception
    assert [t.value for t in at.main.title] == ["Recommender"]  # the page once, not twice
    assert at.sidebar.title[0].value == "🎬 Movie Explorer"  # the shell's sidebar
    assert at.sidebar.radio(key="vectorizer").value == "tfidf"
    assert at.slider(key="rec_k").value == 3  # the link's settings reach the page


def test_the_data_page_first_has_no_catalog_sidebar(monkeypatch, demo_artifacts):
    at = first_request(monkeypatch, demo_artifacts, "pages/data.py", {})
    assert not at.exception, at.exception
    assert [t.value for t in at.main.title] == ["Data"]
    assert at.sidebar.title[0].value == "🎬 Movie Explorer"
    assert not at.sidebar.radio


def test_the_vectorizer_selector_is_on_the_pages_it_changes_and_kept_across_the_others(monkeypatch, demo_artifacts):
    at = first_request(monkeypatch, demo_artifacts, "pages/recommender.py", {})
    at.sidebar.radio(key="vectorizer").set_value("count").run()
    assert at.query_params["vectorizer"] == "count"
    # The overview ranks by rating and the comparison shows both vectorizers: no selector there.
    for page in ("pages/overview.py", "pages/compare.py"):
        at.switch_page(page).run()
        assert not at.exception, at.exception
        assert not at.sidebar.radio, page
        assert at.sidebar.title[0].value == "🎬 Movie Explorer"
    at.switch_page("pages/explorer.py").run()
    assert not at.exception, at.exception
    assert at.sidebar.radio(key="vectorizer").value == "count"  # the session kept the choice
    assert at.query_params["vectorizer"] == "count"
