"""AppTest of the embedding explorer: map type, dims, colour, movie search with its
neighbour lines, cluster labels and table, custom maps, URL state (deep and bad
links) and artifacts built without maps."""

from __future__ import annotations

import json

import pytest

from recommender.build import CatalogSource, build
from recommender.explorer import cluster_table, map_quality
from recommender.loading import MapKey, load_analysis
from recommender.projection import map_far_neighbours
from tests.apptest_helpers import demo_model, no_html, start_app
from tests.test_figures import label_notes, map_key

PAGE = "pages/explorer.py"


@pytest.fixture
def at(monkeypatch, demo_artifacts):
    return start_app(monkeypatch, demo_artifacts, PAGE)


@pytest.fixture(scope="module")
def analysis(demo_artifacts):
    return load_analysis(demo_artifacts)


@pytest.fixture(scope="module")
def no_maps_artifacts(tmp_path_factory):
    out = tmp_path_factory.mktemp("no_maps") / "artifacts"
    build(CatalogSource.demo(), out, skip_maps=True)
    return out


def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def chart_data(at) -> dict:
    """What the map component (dashboard.map_chart) was given."""
    charts = [c for c in at.get("bidi_component") if c.proto.component_name == "movie_map"]
    assert len(charts) == 1
    return json.loads(charts[0].proto.json)


def chart_spec(at) -> dict:
    return json.loads(chart_data(at)["figure"])


def movie_rows_drawn(spec: dict) -> list[int]:
    return sorted(int(point[0]) for trace in spec["data"] if "customdata" in trace for point in trace["customdata"])


def test_default_view_draws_every_film(at, demo_artifacts, analysis):
    model = demo_model(demo_artifacts)
    shown = metrics(at)
    assert shown["Films drawn"] == f"{model.n_movies:,}"
    kept = map_quality(analysis.maps[MapKey("tfidf", "tsne", 2)].preservation)
    assert shown["Neighbours kept nearby"] == f"{kept.mean:.0%}"
    assert shown["Well-placed films"] == f"{kept.share_trustworthy:.0%}"
    assert any(c.value.startswith("How far to trust this map") for c in at.caption)
    assert shown["Map"] == "t-SNE 2-D"
    assert movie_rows_drawn(chart_spec(at)) == list(range(model.n_movies))
    assert (at.query_params["map"], at.query_params["dims"], at.query_params["color"]) == ("tsne", "2", "genre")
    assert "movie" not in at.query_params
    assert not at.warning and not at.exception
    # the cluster table (its tab opened) lists the broad clusters; their labels are on the map
    broad = cluster_table(analysis.clusters["tfidf"], "broad")
    at.session_state["exp_tab"] = "Clusters"
    at.run()
    assert len(at.dataframe[-1].value) == len(broad)
    drawn = len(label_notes(chart_spec(at)["layout"]))
    assert 1 <= drawn <= len(broad)
    assert any(c.value.startswith(f"Showing {drawn} of {len(broad)} broad cluster labels") for c in at.caption)
    no_html(at)


def test_map_type_dims_and_colour_widgets(at, demo_artifacts, analysis):
    model = demo_model(demo_artifacts)
    at.radio(key="exp_map").set_value("pca").run()
    assert metrics(at)["Map"] == "PCA 2-D"
    assert metrics(at)["Neighbours kept nearby"] == f"{map_quality(analysis.maps[MapKey('tfidf', 'pca', 2)].preservation).mean:.0%}"
    at.radio(key="exp_dims").set_value(3).run()
    assert metrics(at)["Map"] == "PCA 3-D"
    spec = chart_spec(at)
    assert {trace["type"] for trace in spec["data"]} == {"scatter3d"}
    assert movie_rows_drawn(spec) == list(range(model.n_movies))
    at.selectbox(key="exp_color").set_value("cluster_fine").run()
    fine = cluster_table(analysis.clusters["tfidf"], "fine")
    # One trace of films; the key has one entry per fine cluster.
    assert len([t for t in chart_spec(at)["data"] if "customdata" in t]) == 1
    assert len(map_key(chart_spec(at)["layout"])) == len(fine)
    at.selectbox(key="exp_color").set_value("faithfulness").run()
    assert any(trace.get("marker", {}).get("showscale") for trace in chart_spec(at)["data"])
    assert (at.query_params["map"], at.query_params["dims"], at.query_params["color"]) == ("pca", "3", "faithfulness")
    assert not at.exception


def test_sidebar_vectorizer_switches_the_map(at, analysis):
    at.sidebar.radio(key="vectorizer").set_value("count").run()
    expected = map_quality(analysis.maps[MapKey("count", "tsne", 2)].preservation).mean
    assert metrics(at)["Neighbours kept nearby"] == f"{expected:.0%}"
    assert not at.exception


def test_movie_search_draws_lines_to_true_neighbours(at, demo_artifacts, analysis):
    model = demo_model(demo_artifacts)
    movie_id = int(model.ids[5])
    at.selectbox(key="exp_movie").set_value(movie_id).run()
    assert not at.exception
    title = str(model.display_titles[5])
    assert any(title in m.value and "lines to its 10 most similar films" in m.value for m in at.markdown)
    segments = at.dataframe[0].value
    space = model.space("tfidf")
    assert segments["display_title"].tolist() == [str(model.display_titles[r]) for r in space.neighbours[5][:10]]
    names = [trace.get("name") for trace in chart_spec(at)["data"]]
    assert f"★ {title}" in names
    expected_far = map_far_neighbours(space.neighbours[5][:10], analysis.maps[MapKey("tfidf", "tsne", 2)].coords, 5, 10)
    assert segments["far"].tolist() == expected_far[space.neighbours[5][:10] >= 0].tolist()
    assert at.query_params["movie"] == str(movie_id)
    at.slider(key="exp_k").set_value(4).run()
    assert len(at.dataframe[0].value) == 4
    at.selectbox(key="exp_movie").set_value(None).run()
    assert "movie" not in at.query_params
    assert not at.exception


def test_cluster_level_table(at, analysis):
    assert not at.dataframe  # the clusters tab runs only when opened
    at.session_state["exp_tab"] = "Clusters"
    at.run()
    assert at.query_params["tab"] == "Clusters"
    at.radio(key="exp_cluster_level").set_value("fine").run()
    assert len(at.dataframe[-1].value) == len(cluster_table(analysis.clusters["tfidf"], "fine"))
    at.radio(key="exp_labels").set_value("none").run()
    assert not label_notes(chart_spec(at)["layout"])
    assert not at.exception


def test_deep_link_restores_the_view(monkeypatch, demo_artifacts):
    model = demo_model(demo_artifacts)
    movie_id = int(model.ids[7])
    at = start_app(monkeypatch, demo_artifacts, PAGE, {"map": "pca", "dims": "3", "color": "decade", "movie": str(movie_id)})
    assert at.radio(key="exp_map").value == "pca"
    assert at.radio(key="exp_dims").value == 3
    assert at.selectbox(key="exp_color").value == "decade"
    assert at.selectbox(key="exp_movie").value == movie_id
    assert metrics(at)["Map"] == "PCA 3-D"
    assert not at.warning and not at.exception


def test_bad_link_warns_and_falls_back(monkeypatch, demo_artifacts):
    at = start_app(monkeypatch, demo_artifacts, PAGE, {"map": "mds", "dims": "7", "color": "purple", "movie": "abc"})
    assert not at.exception
    warnings = " ".join(w.value for w in at.warning)
    for name in ("map=", "dims=", "color=", "movie="):
        assert name in warnings
    assert metrics(at)["Map"] == "t-SNE 2-D"
    assert at.selectbox(key="exp_color").value == "genre"
    assert at.selectbox(key="exp_movie").value is None
    assert at.query_params["map"] == "tsne" and "movie" not in at.query_params


def test_unknown_movie_id_in_link_warns(monkeypatch, demo_artifacts):
    at = start_app(monkeypatch, demo_artifacts, PAGE, {"movie": "987654321"})
    assert any("movie=" in w.value for w in at.warning)
    assert at.selectbox(key="exp_movie").value is None and not at.exception


def test_custom_pca_needs_no_computation(at):
    at.radio(key="exp_map").set_value("pca").run()
    at.toggle(key="exp_custom").set_value(True).run()
    assert any("PCA has no settings" in i.value for i in at.info)
    assert metrics(at)["Map"] == "PCA 2-D"
    assert not at.exception


def test_custom_tsne_map_is_computed_on_request(at, demo_artifacts):
    at.toggle(key="exp_custom").set_value(True).run()
    assert metrics(at)["Map"] == "t-SNE 2-D"  # the stored map until Compute map is pressed
    at.slider(key="exp_perplexity").set_value(10.0)
    at.button[0].click().run(timeout=600)
    assert not at.exception and not at.error
    shown = metrics(at)
    assert shown["Custom map"] == "t-SNE 2-D"
    assert at.metric[3].delta == "perplexity 10"
    assert shown["Neighbours kept nearby"].endswith("%")
    assert shown["Films drawn"] == f"{demo_model(demo_artifacts).n_movies:,}"


@pytest.mark.slow
def test_custom_umap_map(monkeypatch, demo_artifacts_with_umap):
    at = start_app(monkeypatch, demo_artifacts_with_umap, PAGE)
    at.radio(key="exp_map").set_value("umap").run()
    at.toggle(key="exp_custom").set_value(True).run()
    at.slider(key="exp_n_neighbors").set_value(5)
    at.slider(key="exp_min_dist").set_value(0.5)
    at.button[0].click().run(timeout=900)
    assert not at.exception and not at.error
    assert metrics(at)["Custom map"] == "UMAP 2-D"
    assert at.metric[3].delta == "n_neighbors 5, min_dist 0.5"


def test_artifacts_without_maps_say_how_to_build_them(monkeypatch, no_maps_artifacts):
    at = start_app(monkeypatch, no_maps_artifacts, PAGE)
    assert not at.exception
    assert any("--skip-maps" in i.value and "python -m recommender build" in i.value for i in at.info)
    assert not at.get("bidi_component")


def test_custom_settings_apply_only_to_the_map_they_were_computed_for(at):
    at.toggle(key="exp_custom").set_value(True).run()
    at.button[0].click().run(timeout=600)
    assert metrics(at)["Custom map"] == "t-SNE 2-D"
    at.radio(key="exp_dims").set_value(3).run()  # no 3-D map computed: the stored one, no waiting
    assert metrics(at)["Map"] == "t-SNE 3-D"
    assert any("until you press Compute map" in c.value for c in at.caption)
    at.radio(key="exp_dims").set_value(2).run()  # back: the computed map, from the cache
    assert metrics(at)["Custom map"] == "t-SNE 2-D"
    assert not at.exception


def test_labels_follow_the_cluster_colouring(at, analysis):
    # Coloured by fine clusters, the map names fine clusters (not the broad ones).
    at.selectbox(key="exp_color").set_value("cluster_fine").run()
    # Each label starts with its cluster number, the number the key shows.
    notes = {n.replace("<br>", " · ") for n in label_notes(chart_spec(at)["layout"])}
    fine = cluster_table(analysis.clusters["tfidf"], "fine")
    assert notes and notes <= {f"{c}: {label}" for c, label in zip(fine["cluster"], fine["label"])}
    key = {text for _, _, text in map_key(chart_spec(at)["layout"])}
    assert {note.split(":")[0] for note in notes} <= {text.split(":")[0] for text in key}
    assert any("fine cluster labels" in c.value for c in at.caption)
    assert at.query_params["color"] == "cluster_fine"


def test_back_to_an_older_url_restores_the_map(at):
    before = {name: at.query_params[name] for name in at.query_params}
    at.radio(key="exp_map").set_value("pca").run()
    assert at.query_params["map"] == "pca"
    at.query_params.clear()
    for name, value in before.items():
        at.query_params[name] = value
    at.run()
    assert at.radio(key="exp_map").value == "tsne" and not at.exception


def test_zoom_to_a_region_redraws_with_finer_labels_for_the_films_in_view(monkeypatch, demo_artifacts, analysis):
    """A link's (or "Zoom to these films"'s) region: the map opens on it, every film still
    drawn, labels named after the fine clusters of the films in view, placed for that view
    without overlap; "Whole map" goes back."""
    from dashboard.label_layout import label_box
    from recommender.explorer import in_region, map_frame, stored_map

    model = demo_model(demo_artifacts)
    movie_map = stored_map(analysis, "tfidf", "tsne", 2)
    frame = map_frame(model.catalog, analysis, "tfidf", movie_map, "genre")
    x0, x1 = float(frame["x"].quantile(0.2)), float(frame["x"].quantile(0.7))
    y0, y1 = float(frame["y"].quantile(0.2)), float(frame["y"].quantile(0.7))
    at = start_app(monkeypatch, demo_artifacts, PAGE, params={"zoom": f"{x0:.6g},{x1:.6g},{y0:.6g},{y1:.6g}"})
    assert not at.exception
    spec = chart_spec(at)
    assert movie_rows_drawn(spec) == list(range(model.n_movies))  # nothing dropped
    assert spec["layout"]["xaxis"]["range"] == pytest.approx([x0, x1], rel=1e-5)
    assert spec["layout"]["yaxis"]["range"] == pytest.approx([y0, y1], rel=1e-5)
    zoomed = [c.value for c in at.caption if c.value.startswith("**Zoomed in**")]
    view = in_region(frame, (x0, x1, y0, y1))
    assert zoomed and f"on {int(view.sum()):,} films" in zoomed[0] and "fine clusters" in zoomed[0]
    notes = [n for n in spec["layout"]["annotations"] if n.get("name") != "key"]
    fine_in_view = set(frame.loc[view, "cluster_fine_label"])
    assert notes and {n["text"].replace("<br>", " · ").split(": ", 1)[1] for n in notes} <= {
        label.split(": ", 1)[1] for label in fine_in_view
    }
    units = ((x1 - x0) / 1000, (y1 - y0) / 690)
    boxes = [label_box(n["x"], n["y"], n["text"], units) for n in notes]
    assert not any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1 :])
    assert at.query_params["zoom"] == f"{x0:.6g},{x1:.6g},{y0:.6g},{y1:.6g}"

    at.button(key="exp_unzoom").click().run()
    assert "range" not in chart_spec(at)["layout"]["xaxis"]
    assert "zoom" not in at.query_params
    assert not any(c.value.startswith("**Zoomed in**") for c in at.caption)


def test_a_bad_zoom_in_a_link_warns_and_shows_the_whole_map(monkeypatch, demo_artifacts):
    at = start_app(monkeypatch, demo_artifacts, PAGE, params={"zoom": "1,0,2,nan"})
    assert not at.exception
    assert any("zoom" in w.value for w in at.warning)
    assert "range" not in chart_spec(at)["layout"]["xaxis"]
