"""The app's figures and Stylers (``dashboard/figures.py``), on the hand-made maps and
models of ``test_explorer.py`` and ``test_comparison.py``: every movie drawn exactly
once, categories ordered, unknown values grey, catalog text escaped."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dashboard import figures
from recommender import comparison, explorer, summary
from recommender.explorer import CONTINUOUS
from recommender.loading import Analysis, ClusterIds, MapKey, StoredMap
from recommender.model import RecommenderModel
from tests.test_comparison import hand_model
from tests.test_explorer import tiny_analysis, tiny_catalog


@pytest.fixture(scope="module")
def model() -> RecommenderModel:
    return hand_model()


@pytest.fixture
def analysis() -> Analysis:
    return tiny_analysis()


@pytest.fixture
def frame(analysis) -> pd.DataFrame:
    return explorer.map_frame(tiny_catalog(), analysis, "tfidf", explorer.stored_map(analysis, "tfidf", "tsne", 2), "genre")


def test_overview_and_data_figures():
    catalog = tiny_catalog().assign(original_language=["en", "fr", "en", "", "en"])
    decades = figures.decades_figure(summary.decade_counts(catalog))
    assert list(decades.data[0].x) == ["1990s", "2000s", "2010s"] and list(decades.data[0].y) == [2, 1, 1]
    languages = figures.languages_figure(summary.language_counts(catalog))
    assert list(languages.data[0].y) == ["English", "French"] and languages.layout.yaxis.autorange == "reversed"
    genres = figures.genres_figure(summary.genre_counts(catalog))
    assert list(genres.data[0].x) == ["Crime", "Drama", "Comedy"]


# --------------------------------------------------------------------------- TF-IDF vs Count
def test_figures(model):
    agreement = pd.DataFrame({"row": [0, 1], "jaccard": [0.5, np.nan], "rbo": [0.4, 0.1], "weighted_tau": [-0.2, 0.3]})
    histograms = figures.agreement_figure(agreement)
    assert [len(trace.x) for trace in histograms.data] == [1, 2, 2]
    scores = figures.scores_figure(comparison.score_distribution(model, positions=(1, 2)))
    assert len(scores.data) == 4  # two positions x two vectorizers
    assert sum(trace.showlegend for trace in scores.data) == 2


def test_highlight_in_both_shades_shared_rows(model):
    table = comparison.side_by_side(model, 100, 3)["tfidf"]
    html = figures.highlight_in_both(table).to_html()
    assert html.count(figures.IN_BOTH_STYLE.split(":")[1].strip()) >= 1
    styles = figures.highlight_in_both(table)._compute().ctx
    shaded_rows = sorted({row for (row, _), style in styles.items() if style})
    assert shaded_rows == [0, 1]



# --------------------------------------------------------------------------- embedding map
def drawn_rows(figure: go.Figure) -> list[int]:
    rows = []
    for trace in figure.data:
        if trace.customdata is not None:
            rows.extend(int(c[0]) for c in trace.customdata)
    return rows


KEY_LINE = re.compile(r'<span style="color:([^;"]+);[^"]*">([^<]*)</span> (.*)')


def map_key(layout) -> list[tuple[str, str, str]]:
    """The map's key (the annotation named "key") as (colour, symbol, text) lines, after its title."""
    layout = layout if isinstance(layout, dict) else layout.to_plotly_json()
    keys = [note for note in layout.get("annotations") or [] if note.get("name") == "key"]
    assert len(keys) <= 1
    lines = keys[0]["text"].split("<br>") if keys else []
    return [m.groups() for m in map(KEY_LINE.fullmatch, lines) if m]


def label_notes(layout) -> list[str]:
    """The texts of the map's annotations but its key: cluster labels and the searched film's title."""
    layout = layout if isinstance(layout, dict) else layout.to_plotly_json()
    return [note["text"] for note in layout.get("annotations") or [] if note.get("name") != "key"]


@pytest.mark.parametrize("color_by", list(explorer.COLORINGS))
def test_figure_draws_every_movie_once(analysis, color_by):
    movie_map = explorer.stored_map(analysis, "tfidf", "tsne", 2)
    frame = explorer.map_frame(tiny_catalog(), analysis, "tfidf", movie_map, color_by)
    figure = figures.map_figure(frame, color_by)
    assert sorted(drawn_rows(figure)) == [0, 1, 2, 3, 4]
    # Every film is in one WebGL trace (plus one of the grey films without a value), and
    # nothing else is drawn: the key is a text, not a legend of empty traces.
    films = [trace for trace in figure.data if trace.customdata is not None]
    assert len(films) == len(figure.data) <= 2 and all(isinstance(trace, go.Scattergl) for trace in films)
    assert figure.layout.showlegend is False
    assert map_key(figure.layout) or color_by in CONTINUOUS


def test_map_is_one_webgl_trace_of_binary_arrays(analysis):
    movie_map = explorer.stored_map(analysis, "tfidf", "tsne", 2)
    frame = explorer.map_frame(tiny_catalog(), analysis, "tfidf", movie_map, "genre")
    segments = explorer.neighbour_segments(frame, np.array([3, 1]), np.array([0.9, 0.8]), 0, k=2)
    figure = figures.map_figure(frame, "genre", focus_row=0, segments=segments)
    films = [trace for trace in figure.data if trace.customdata is not None]
    assert len(films) == 1 and isinstance(films[0], go.Scattergl)
    # Binary arrays (plotly sends numpy arrays as base64 typed arrays): float32 coordinates.
    assert films[0].x.dtype == np.float32 and films[0].marker.color.dtype == np.float32
    assert all(isinstance(trace, go.Scattergl) for trace in figure.data if trace.x is not None and len(trace.x) > 1)


def test_figure_categories_order_and_grey_unknown(frame):
    figure = figures.map_figure(frame, "genre")
    (films,) = figure.data
    # The key names the categories in a stable order, unknown last and grey, under the colouring's name.
    key = map_key(figure.layout)
    assert [text for _, _, text in key] == ["Drama", "Comedy", "Crime", "unknown"]
    assert {symbol for _, symbol, _ in key} == {"●"} and key[-1][0] == figures.GREY
    assert next(n for n in figure.layout.annotations if n.name == "key").text.startswith("<b>Genre (first)</b>")
    # Each film's colour code falls in its category's step of the colour scale, the key's colour.
    scale = films.marker.colorscale
    by_row = {int(c[0]): float(code) for c, code in zip(films.customdata, films.marker.color)}
    for position, (colour, _, _) in enumerate(key):
        assert scale[2 * position][1] == colour
    genres = dict(zip(frame["row"], frame["color"].astype(str)))
    names = [text for _, _, text in key]
    assert all(names[int(by_row[row])] == genres[row] for row in by_row)


def test_figure_continuous_with_missing_values(analysis):
    movie_map = explorer.stored_map(analysis, "tfidf", "tsne", 2)
    frame = explorer.map_frame(tiny_catalog(), analysis, "tfidf", movie_map, "faithfulness")
    figure = figures.map_figure(frame, "faithfulness")
    grey, scale = figure.data
    assert [int(c[0]) for c in grey.customdata] == [2]
    assert scale.marker.showscale and (scale.marker.cmin, scale.marker.cmax) == (0.0, 1.0)
    # The colour bar explains the scale; the key, below it, the grey films.
    assert map_key(figure.layout) == [(figures.GREY, "●", "Map faithfulness: no value")]


def test_figure_focus_lines_and_labels(frame):
    segments = explorer.neighbour_segments(frame, np.array([3, 1]), np.array([0.9, 0.8]), 0, k=2)
    centroids = explorer.cluster_centroids(frame, "broad")
    figure = figures.map_figure(frame, "genre", focus_row=0, segments=segments, centroids=centroids)
    names = [trace.name for trace in figure.data]
    assert "true neighbour, far on the map" in names and "true neighbour, close on the map" in names
    far_line = next(t for t in figure.data if t.name == "true neighbour, far on the map" and t.mode == "lines")
    assert far_line.line.dash == "dash" and list(far_line.x) == [0, 10, None]
    assert names[-1] == "★ Alpha"
    assert label_notes(figure.layout) == ["0: crime · Drama", "1: comedy", "Alpha"]
    # The key: the genres, then the two kinds of line and the searched film.
    assert map_key(figure.layout)[-3:] == [
        (figures.NEAR_COLOUR, "—", "true neighbour, close on the map"),
        (figures.FAR_COLOUR, "- -", "true neighbour, far on the map"),
        (figures.FOCUS_COLOUR, "★", "Alpha"),
    ]
    assert sorted(drawn_rows(figure)) == [0, 1, 2, 3, 4]  # the extra traces carry no rows


def test_figure_escapes_catalog_text(frame):
    figure = figures.map_figure(frame, "genre", focus_row=3)
    hover = [c for trace in figure.data if trace.customdata is not None for c in trace.customdata]
    assert any(c[1] == "&lt;b&gt;Delta&lt;/b&gt;" for c in hover)
    assert label_notes(figure.layout)[-1] == "&lt;b&gt;Delta&lt;/b&gt;"
    assert map_key(figure.layout)[-1][2] == "&lt;b&gt;Delta&lt;/b&gt;"


def test_figure_3d(analysis):
    movie_map = explorer.stored_map(analysis, "tfidf", "pca", 3)
    frame = explorer.map_frame(tiny_catalog(), analysis, "tfidf", movie_map, "cluster_broad")
    segments = explorer.neighbour_segments(frame, np.array([4]), np.array([0.5]), 0, k=1)
    figure = figures.map_figure(
        frame, "cluster_broad", focus_row=0, segments=segments, centroids=explorer.cluster_centroids(frame, "broad")
    )
    assert all(isinstance(trace, go.Scatter3d) for trace in figure.data)
    assert [text for _, _, text in map_key(figure.layout)[:2]] == ["0: crime · Drama", "1: comedy"]
    assert len(figure.layout.scene.annotations) == 3
    assert sorted(drawn_rows(figure)) == [0, 1, 2, 3, 4]


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(min_value=1, max_value=30),
    seed=st.integers(min_value=0, max_value=10_000),
    color_by=st.sampled_from(list(explorer.COLORINGS)),
)
def test_property_every_movie_drawn_exactly_once(n, seed, color_by):
    rng = np.random.default_rng(seed)
    genres = ["Drama", "Crime", "Comedy"]
    catalog = pd.DataFrame(
        {
            "id": np.arange(100, 100 + n),
            "display_title": [f"Film {i}" for i in range(n)],
            "year": pd.array([None if rng.random() < 0.2 else int(rng.integers(1920, 2024)) for _ in range(n)], dtype="Int64"),
            "genres": [list(rng.choice(genres, size=int(rng.integers(0, 3)), replace=False)) for _ in range(n)],
            "directors": [["Someone"] if rng.random() < 0.7 else [] for _ in range(n)],
            "weighted_rating": rng.uniform(4, 9, n),
        }
    )
    preservation = np.where(rng.random(n) < 0.2, np.nan, rng.random(n))
    analysis = Analysis(
        maps={MapKey("tfidf", "tsne", 2): StoredMap(rng.normal(size=(n, 2)).astype(np.float32), preservation)},
        cluster_ids={"tfidf": ClusterIds(rng.integers(0, 3, n).astype(np.int32), rng.integers(0, 6, n).astype(np.int32))},
        agreement=pd.DataFrame({"row": np.arange(n), "jaccard": rng.random(n), "rbo": rng.random(n), "weighted_tau": rng.random(n)}),
    )
    frame = explorer.map_frame(catalog, analysis, "tfidf", explorer.stored_map(analysis, "tfidf", "tsne", 2), color_by)
    assert sorted(drawn_rows(figures.map_figure(frame, color_by))) == list(range(n))
    assert explorer.map_metrics(frame, explorer.stored_map(analysis, "tfidf", "tsne", 2))["points"] == n




def test_large_maps_hover_title_and_year_only(frame, monkeypatch):
    """Above LIGHT_HOVER_FILMS the dots carry their row, title and year only (the bulk of a
    100,000-film figure is the full hover); every film is still drawn and clickable."""
    full = figures.map_figure(frame, "genre")
    assert all(len(point) == 6 for trace in full.data if trace.customdata is not None for point in trace.customdata)
    monkeypatch.setattr(figures, "LIGHT_HOVER_FILMS", len(frame) - 1)
    light = figures.map_figure(frame, "genre")
    rows = sorted(int(point[0]) for trace in light.data if trace.customdata is not None for point in trace.customdata)
    assert rows == sorted(frame["row"].tolist())
    assert all(len(point) == 3 for trace in light.data if trace.customdata is not None for point in trace.customdata)
    assert all("customdata[3]" not in trace.hovertemplate for trace in light.data if trace.customdata is not None)
