"""The explorer's map component (``dashboard/map_chart.py``) and the plotly.js it loads
(``dashboard/assets.py``): what the browser is given, and the selection it reports back,
kept only for the figure it was made on and only with rows of films drawn. Clicks,
selections and redrawing in a browser: ``tests/test_browser.py``."""

from __future__ import annotations

import hashlib
import importlib.resources
import json
from pathlib import Path

import pytest
from starlette.applications import Starlette

from dashboard import assets, server
from tests.apptest_helpers import asgi_get, demo_model, start_app
from tests.test_page_explorer import chart_data, chart_spec

KEY = "exp_chart_2"  # the 2-D map's component
REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def at(monkeypatch, demo_artifacts):
    return start_app(monkeypatch, demo_artifacts, "pages/explorer.py")


def test_plotly_is_the_vendored_map_bundle_kept_by_the_browser_for_good():
    app = Starlette(routes=assets.ROUTES)
    status, headers, body = asgi_get(app, assets.PLOTLY_URL)
    assert status == 200 and body == assets.PLOTLY_JS.read_bytes()
    assert headers[b"content-type"].startswith(b"text/javascript")
    assert headers[b"x-content-type-options"] == b"nosniff"
    assert b"immutable" in headers[b"cache-control"]
    # The address names the version and the bytes, so a rebuilt bundle is a new file for the browser.
    digest = hashlib.sha256(body).hexdigest()[:12]
    assert assets.PLOTLY_URL == f"/assets/plotly-map-{assets.PLOTLY_VERSION}-{digest}.min.js"
    assert asgi_get(app, "/assets/plotly-map-0.0.0-000000000000.min.js")[0] == 404
    assert assets.PLOTLY_URL in {getattr(route, "path", None) for route in server.ROUTES}


def test_the_map_bundle_is_the_plotly_js_the_plotly_package_makes_figures_for():
    """plotly (Python) writes figures for the plotly.js it ships; the map's bundle must be that
    version (after upgrading plotly, rebuild it: scripts/build_plotly_bundle.sh)."""
    shipped = importlib.resources.files("plotly") / "package_data" / "plotly.min.js"
    with shipped.open("rb") as file:
        assert assets.PLOTLY_VERSION == assets.bundle_version(file.read(400))
    pinned = json.loads((REPO / "scripts" / "plotly_bundle" / "package.json").read_text(encoding="utf-8"))
    assert pinned["dependencies"]["plotly.js"] == assets.PLOTLY_VERSION
    assert b"(traces: scatter, scattergl, scatter3d)" in assets.PLOTLY_JS.read_bytes()[:400]
    with pytest.raises(ValueError, match="no plotly.js version"):
        assets.bundle_version(b"/* some other script */")


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
