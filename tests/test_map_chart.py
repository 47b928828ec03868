"""The explorer's map component (``dashboard/map_chart.py``) and the plotly.js it loads
(``dashboard/assets.py``): what the browser is given, and the selection it reports back,
kept only for the figure it was made on and only with rows of films drawn. Clicks,
selections and redrawing in a browser: ``tests/test_browser.py``."""

from __future__ import annotations

import importlib.metadata
import json

import pytest
from starlette.applications import Starlette

from dashboard import assets, server
from tests.apptest_helpers import asgi_get, demo_model, start_app
from tests.test_page_explorer import chart_data, chart_spec

KEY = "exp_chart_2"  # the 2-D map's component


@pytest.fixture
def at(monkeypatch, demo_artifacts):
    return start_app(monkeypatch, demo_artifacts, "pages/explorer.py")


def test_plotly_is_the_installed_packages_copy_kept_by_the_browser_for_good():
    app = Starlette(routes=assets.ROUTES)
    status, headers, body = asgi_get(app, assets.PLOTLY_URL)
    assert status == 200 and body == assets.PLOTLY_JS.read_bytes()
    assert headers[b"content-type"].startswith(b"text/javascript")
    assert headers[b"x-content-type-options"] == b"nosniff"
    assert b"immutable" in headers[b"cache-control"]
    # The address names the version, so a new plotly is a new file for the browser.
    assert f"-{importlib.metadata.version('plotly')}." in assets.PLOTLY_URL
    assert asgi_get(app, "/assets/plotly-0.0.min.js")[0] == 404
    assert assets.PLOTLY_URL in {getattr(route, "path", None) for route in server.ROUTES}


def test_the_map_is_given_its_figure_and_where_plotly_is(at, demo_artifacts):
    data = chart_data(at)
    assert data["plotly_url"] == assets.PLOTLY_URL and data["selectable"] is True
    spec = chart_spec(at)
    rows = sorted(int(p[0]) for t in spec["data"] if "customdata" in t for p in t["customdata"])
    assert rows == list(range(demo_model(demo_artifacts).n_movies))
    # Another colouring is another figure (a selection made on this one is over), at the
    # same positions (plotly keeps the user's zoom).
    at.selectbox(key="exp_color").set_value("decade").run()
    other = chart_data(at)
    assert other["figure_id"] != data["figure_id"]
    assert json_layout(other)["uirevision"] == spec["layout"]["uirevision"]
    at.radio(key="exp_map").set_value("pca").run()
    assert json_layout(chart_data(at))["uirevision"] != spec["layout"]["uirevision"]


def json_layout(data: dict) -> dict:
    return json.loads(data["figure"])["layout"]


def selection_titles(at) -> list[str] | None:
    """Titles of the films the page lists as selected, None when it lists none."""
    if not any("films selected" in m.value for m in at.markdown):
        return None
    return list(at.dataframe[-1].value["display_title"])


def test_a_box_or_lasso_on_the_drawn_figure_lists_its_films(at, demo_artifacts):
    titles = demo_model(demo_artifacts).display_titles
    at.session_state[KEY] = {"selection": {"rows": [2, 0], "figure": chart_data(at)["figure_id"]}}
    at.run()
    assert selection_titles(at) == [str(titles[2]), str(titles[0])]
    assert not at.exception


def test_a_state_that_is_not_a_mapping_lists_nothing(at):
    at.session_state[KEY] = ["selection", {"rows": [1]}]
    at.run()
    assert not at.exception and selection_titles(at) is None


def test_a_selection_made_on_another_figure_is_over(at):
    at.session_state[KEY] = {"selection": {"rows": [1], "figure": "an-older-figure"}}
    at.run()
    assert selection_titles(at) is None
    assert any(c.value.startswith("Choose the box or lasso tool") for c in at.caption)


@pytest.mark.parametrize(
    "selection",
    [
        {"rows": [1, 1, -1, 10**12, True, "2", 2.5, [3], None, {"row": 1}]},
        {"rows": "1"},
        {"rows": {"1": 1}},
        "rows",
        None,
        [1, 2],
    ],
)
def test_rows_from_the_browser_are_only_those_of_films_drawn(at, demo_artifacts, selection):
    """A state that is not what the map sends lists nothing and breaks nothing."""
    figure_id = chart_data(at)["figure_id"]
    if isinstance(selection, dict):
        selection = dict(selection, figure=figure_id)
    at.session_state[KEY] = {"selection": selection}
    at.run()
    assert not at.exception
    kept = selection_titles(at)
    if isinstance(selection, dict) and isinstance(selection["rows"], list):
        assert kept == [str(demo_model(demo_artifacts).display_titles[1])]  # once, and nothing else
    else:
        assert kept is None
