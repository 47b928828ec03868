"""AppTest of the data page: the catalog and manifest, uploads (rejected with a clear
message, or built in the background into the visitor's own space and shown to that
session only), and the way back to the served catalog, which is never written."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from dashboard.text import md
from tests.apptest_helpers import demo_model, new_app, no_html, start_app
from tests.conftest import TINY_CSV

PAGE = "pages/data.py"
BAD = Path(__file__).resolve().parent / "bad_inputs"


@pytest.fixture
def at(monkeypatch, demo_artifacts, tmp_path):
    monkeypatch.setenv("MOVIE_UPLOADS_DIR", str(tmp_path / "uploads"))
    return start_app(monkeypatch, demo_artifacts, PAGE)


def open_tab(at, tab: str):
    """Open one of the page's tabs (only the open one runs)."""
    at.session_state["data_tab"] = tab
    at.run()
    assert not at.exception, at.exception
    return at


def upload_catalog(at, name: str, content: bytes, skip_maps: bool = True):
    open_tab(at, "Build your own")
    at.radio(key="upload_kind").set_value("catalog").run()
    at.file_uploader(key="upload_catalog").set_value((name, content, "text/csv"))
    at.checkbox(key="upload_skip_maps").set_value(skip_maps)
    at.run()
    at.button(key="upload_build").click().run()
    assert not at.exception, at.exception
    return wait_for_build(at)


def wait_for_build(at, timeout: float = 120):
    """Rerun the page (as its polling fragment does) until no build is in progress."""
    deadline = time.time() + timeout
    while at.get("progress") and time.time() < deadline:
        time.sleep(0.25)
        at.run()
        assert not at.exception, at.exception
    assert not at.get("progress"), "the build did not finish"
    return at


def test_catalog_table_search_and_manifest(at, demo_artifacts):
    model = demo_model(demo_artifacts)
    assert len(at.dataframe[0].value) == model.n_movies
    at.text_input(key="data_search").input("batman").run()
    found = at.dataframe[0].value
    assert len(found) > 0 and found["display_title"].str.contains("Batman", case=False).all()
    # Only the open tab runs: the catalog alone, no manifest, no upload form.
    assert len(at.dataframe) == 1 and not at.json and not at.code and not at.get("file_uploader")
    open_tab(at, "Build manifest")
    assert at.query_params["data_tab"] == "Build manifest"
    assert len(at.dataframe) == 2 and not at.text_input
    packages = at.dataframe[0].value
    assert {"python", "numpy", "pandas"} <= set(packages["package"])
    timings = at.dataframe[1].value  # build time per step, as a table with bars: no plotly on this page
    assert timings["step"].tolist() == list(model.manifest["timings_s"])
    assert len(at.get("plotly_chart")) == 0
    assert len(at.json) == 1
    assert "python -m recommender build" in at.code[-1].value or any("recommender build" in c.value for c in at.code)
    tiles = {m.label: m.value for m in at.metric}
    assert tiles["Films"] == f"{model.n_movies:,}"
    # The build's provenance, not the server's folders: file names only.
    folder = str(Path(demo_artifacts).parent)
    shown = [c.value for c in at.caption] + [c.value for c in at.code] + [str(j.value) for j in at.json]
    assert not [text for text in shown if folder in text], shown
    assert f"--out {Path(demo_artifacts).name}" in at.code[-1].value
    no_html(at)


def test_catalog_columns_fit_by_default_and_the_view_lives_in_the_url(at, monkeypatch, demo_artifacts):
    # The columns shown first fit a 1280 px window (tests/test_browser.py measures it); the
    # others are a choice away. The choice and the search are in the URL: a link shows the same table.
    default = ["display_title", "year", "genres", "directors", "vote_count", "weighted_rating"]
    assert list(at.dataframe[0].proto.column_order) == default
    assert at.multiselect(key="data_columns").value == default
    at.multiselect(key="data_columns").set_value(["display_title", "cast", "original_language"]).run()
    at.text_input(key="data_search").input("batman").run()
    assert list(at.dataframe[0].proto.column_order) == ["display_title", "cast", "original_language"]
    assert at.query_params["q"] == "batman"
    assert at.query_params["cols"] == ["display_title", "cast", "original_language"]
    link = new_app(monkeypatch, demo_artifacts, {"q": "batman", "cols": ["display_title", "cast"]})
    link.run()
    link.switch_page(PAGE).run()
    assert not link.exception, link.exception
    assert link.text_input(key="data_search").value == "batman"
    assert list(link.dataframe[0].proto.column_order) == ["display_title", "cast"]
    assert link.dataframe[0].value["display_title"].str.contains("Batman", case=False).all()
    # A column the catalog does not know is a warning and the default, never an error.
    bad = new_app(monkeypatch, demo_artifacts, {"cols": ["display_title", "<b>budget</b>"]})
    bad.run()
    bad.switch_page(PAGE).run()
    assert not bad.exception, bad.exception
    assert list(bad.dataframe[0].proto.column_order) == default
    assert any("cols" in w.value for w in bad.warning), [w.value for w in bad.warning]
    no_html(bad)


def test_a_column_the_build_lacks_is_left_out_not_an_error(monkeypatch, demo_artifacts):
    from recommender import summary

    full = summary.catalog_table
    monkeypatch.setattr(summary, "catalog_table", lambda catalog, query="": full(catalog, query).drop(columns=["cast"]))
    link = new_app(monkeypatch, demo_artifacts, {"cols": ["display_title", "cast", "year"]})
    link.run()
    link.switch_page(PAGE).run()
    assert not link.exception, link.exception
    assert list(link.dataframe[0].proto.column_order) == ["display_title", "year"]
    assert "cast" not in link.multiselect(key="data_columns").options


def test_upload_button_waits_for_a_file(at):
    open_tab(at, "Build your own")
    assert at.query_params["data_tab"] == "Build your own" and not at.dataframe  # the catalog tab did not run
    assert at.button(key="upload_build").disabled
    at.radio(key="upload_kind").set_value("catalog").run()
    assert at.button(key="upload_build").disabled


@pytest.mark.parametrize(
    ("file", "expected"),
    [
        ("missing_title_column.csv", "missing column(s) ['title']"),
        ("not_utf8.csv", "UTF-8"),
        ("duplicate_ids.csv", "duplicate id"),
        ("empty.csv", "empty"),
    ],
)
def test_bad_upload_is_rejected_with_a_clear_message(at, demo_artifacts, file, expected):
    upload_catalog(at, file, (BAD / file).read_bytes())
    assert len(at.error) == 1
    message = at.error[0].value
    assert message.startswith("This upload cannot be used:")
    assert md(file) in message  # names the uploaded file, not a temporary copy
    assert md(expected) in message
    assert "movie-upload-" not in message
    assert "artifacts_dir" not in at.session_state  # nothing was built or switched


def test_bad_tmdb_credits_are_rejected(at):
    open_tab(at, "Build your own")
    at.radio(key="upload_kind").set_value("tmdb").run()
    at.file_uploader(key="upload_movies").set_value(
        ("tmdb_movies_ok.csv", (BAD / "tmdb_movies_ok.csv").read_bytes(), "text/csv")
    )
    at.file_uploader(key="upload_credits").set_value(
        ("tmdb_credits_bad_json.csv", (BAD / "tmdb_credits_bad_json.csv").read_bytes(), "text/csv")
    )
    at.run()
    at.button(key="upload_build").click().run()
    assert not at.exception
    message = at.error[0].value
    assert md("tmdb_credits_bad_json.csv") in message and "JSON" in message


def test_good_upload_is_built_loaded_and_can_be_left(at, demo_artifacts, tmp_path):
    model = demo_model(demo_artifacts)
    upload_catalog(at, "tiny catalog.csv", TINY_CSV.encode("utf-8"))
    assert not at.error
    assert at.success[0].value == md("Built tiny catalog.csv in your own space and switched to it.")
    folder = Path(at.session_state["artifacts_dir"])
    space = f"session-{at.session_state['session_space']}"
    assert folder.parent == tmp_path / "uploads" / space and folder.name.startswith("tiny-catalog-")
    assert (folder / "manifest.json").exists()
    assert not list(Path(demo_artifacts).parent.glob("*-uploads"))  # nothing written next to the served build
    assert "only you see it" in " ".join(i.value for i in at.sidebar.info)
    table = open_tab(at, "Catalog").dataframe[0].value
    assert table["display_title"].tolist() == [
        "Space Wars", "Space Wars II", "Ghost House (1985)", "Ghost House (2005)", "Quiet Garden"
    ]
    assert {m.label: m.value for m in open_tab(at, "Build manifest").metric}["Maps"] == "skipped"

    # The other pages use the uploaded catalog too.
    at.switch_page("pages/recommender.py").run()
    assert not at.exception
    assert at.header[0].value == "Recommendations for Space Wars"
    at.switch_page(PAGE).run()

    at.button(key="data_back_to_served").click().run()
    assert not at.exception
    assert "artifacts_dir" not in at.session_state
    assert at.success[0].value == md("Back to the served catalog.")
    assert len(open_tab(at, "Catalog").dataframe[0].value) == model.n_movies
    assert not at.sidebar.info  # no "your own build" banner any more


def test_user_titles_render_as_text(at):
    upload_catalog(at, "html_titles.csv", (BAD / "html_titles.csv").read_bytes())
    assert not at.error
    titles = open_tab(at, "Catalog").dataframe[0].value["display_title"].tolist()
    assert "<script>alert(1)</script>" in titles  # shown verbatim in the table
    no_html(at)
    for page in ("pages/overview.py", "pages/recommender.py"):
        at.switch_page(page).run()
        assert not at.exception
        no_html(at)
    at.selectbox(key="rec_movie").set_value(1).run()
    assert at.header[0].value == "Recommendations for " + md("<script>alert(1)</script>")
    assert "\\<b\\>Bold\\</b\\>" in " ".join(m.value for m in at.markdown)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # sklearn's SVD on three films
def test_failed_build_keeps_the_current_catalog(at, demo_artifacts):
    # Three films are too few to draw a map: the core refuses, the page says so and
    # keeps the demo catalog loaded.
    upload_catalog(at, "html_titles.csv", (BAD / "html_titles.csv").read_bytes(), skip_maps=False)
    assert len(at.error) == 1 and at.error[0].value.startswith(md("Build of html_titles.csv failed; nothing was changed"))
    assert "artifacts_dir" not in at.session_state
    assert len(open_tab(at, "Catalog").dataframe[0].value) == demo_model(demo_artifacts).n_movies


def test_the_served_build_is_never_written(at, demo_artifacts, monkeypatch):
    from recommender.artifacts import sha256_file

    before = {p.name: sha256_file(p) for p in Path(demo_artifacts).iterdir() if p.is_file()}
    open_tab(at, "Build your own")
    at.checkbox(key="demo_skip_maps").set_value(True).run()
    at.button(key="demo_build").click().run()
    wait_for_build(at)
    assert not at.exception and not at.error
    assert Path(at.session_state["artifacts_dir"]) != Path(demo_artifacts)
    after = {p.name: sha256_file(p) for p in Path(demo_artifacts).iterdir() if p.is_file()}
    assert after == before
    # Another visitor (another session) still sees the served catalog, without the banner.
    other = start_app(monkeypatch, demo_artifacts, PAGE)
    assert "artifacts_dir" not in other.session_state and not other.sidebar.info
    assert len(other.dataframe[0].value) == demo_model(demo_artifacts).n_movies


def test_uploads_can_be_turned_off(monkeypatch, demo_artifacts, tmp_path):
    monkeypatch.setenv("MOVIE_UPLOADS_DIR", str(tmp_path / "uploads"))
    monkeypatch.setenv("MOVIE_UPLOADS", "off")
    at = open_tab(start_app(monkeypatch, demo_artifacts, PAGE), "Build your own")
    assert "Uploads and builds are turned off on this server" in " ".join(i.value for i in at.info)
    assert not at.get("file_uploader")
    assert not [b for b in at.button if b.key in ("upload_build", "demo_build")]


@pytest.mark.slow
def test_an_upload_that_inflates_to_1_gb_is_refused(at, tmp_path):
    from tests.hostile.corpus import _write_gzip_bomb

    bomb = _write_gzip_bomb(tmp_path / "films.csv.gz")  # about 1 MB, 1 GB once inflated
    upload_catalog(at, "films.csv.gz", bomb.read_bytes())
    assert len(at.error) == 1
    message = at.error[0].value
    assert message.startswith("This upload cannot be used:") and md("films.csv.gz") in message
    assert "more than 200 MB of CSV once decompressed" in message and "max\\_input\\_mb" in message
    assert "artifacts_dir" not in at.session_state


@pytest.mark.slow
def test_a_broken_served_build_is_never_rebuilt_by_the_app(monkeypatch, tmp_path):
    # The served build is missing: the page says how to build it with the CLI and offers
    # the visitor a demo build of their own, which never goes into the served folder.
    served = tmp_path / "served"
    monkeypatch.setenv("MOVIE_UPLOADS_DIR", str(tmp_path / "uploads"))
    at = new_app(monkeypatch, served)
    at.run()
    assert not at.exception
    assert "cannot be used" in at.error[0].value
    assert str(tmp_path) not in at.error[0].value  # named, not where the server keeps it
    assert "python -m recommender build" in " ".join(i.value for i in at.info)
    at.button(key="offer_build").click().run()
    wait_for_build(at, timeout=600)
    assert not at.exception and not at.error
    assert not served.exists()
    assert Path(at.session_state["artifacts_dir"]).parent.parent == tmp_path / "uploads"
    assert "only you see it" in " ".join(i.value for i in at.sidebar.info)
