"""Explorer core: map table, stored/custom maps, neighbour lines, clusters and selection,
on a 5-movie map checkable by hand (the figure is tested in ``test_figures.py``)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from recommender import explorer
from recommender.build import build_model
from recommender.catalog import load_catalog_csv
from recommender.config import ProjectionSettings
from recommender.errors import ArtifactError, ConfigError
from recommender.loading import Analysis, ClusterIds, MapKey, StoredMap
from tests.conftest import WORDS_ONLY

# Five films on a line: 0, 1, 2 close together, 3 and 4 far to the right.
COORDS_2 = np.array([[0, 0], [1, 0], [2, 0], [10, 0], [11, 0]], dtype=np.float32)
COORDS_3 = np.array([[0, 0, 0], [1, 0, 1], [2, 0, 2], [10, 0, 3], [11, 0, 4]], dtype=np.float32)


def tiny_catalog() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": [10, 11, 12, 13, 14],
            "display_title": ["Alpha", "Beta", "Gamma", "<b>Delta</b>", "Epsilon"],
            "year": pd.array([1994, 1999, None, 2003, 2010], dtype="Int64"),
            "genres": [["Drama", "Crime"], ["Crime"], [], ["Comedy"], ["Drama"]],
            "directors": [["Ann"], ["Bo"], [], ["Cy", "Di"], ["Ann"]],
            "weighted_rating": [7.0, 6.0, 5.0, 8.0, 6.5],
        }
    )


def tiny_analysis() -> Analysis:
    clusters = pd.DataFrame(
        {
            "level": ["broad", "broad", "fine", "fine", "fine"],
            "cluster": [0, 1, 0, 1, 2],  # fine cluster 3 is not described
            "size": [3, 2, 1, 2, 1],
            "label": ["crime · Drama", "comedy", "heist", "cops", "jokes"],
            "top_terms": [["crime", "heist"], ["comedy"], ["heist"], ["cops"], ["jokes"]],
            "top_genres": [["Crime", "Drama"], ["Comedy"], ["Crime"], ["Crime"], ["Comedy"]],
            "top_directors": [["Ann"], [], [], [], []],
        }
    )
    maps = {
        MapKey("tfidf", "tsne", 2): StoredMap(COORDS_2, np.array([0.5, 1.0, np.nan, 0.0, 1.0], dtype=np.float32), 0.9, 5),
        MapKey("tfidf", "pca", 3): StoredMap(COORDS_3, np.array([1.0, 1.0, np.nan, 1.0, 1.0], dtype=np.float32), 0.7, 5),
    }
    cluster_ids = {"tfidf": ClusterIds(np.array([0, 0, 0, 1, 1], dtype=np.int32), np.array([0, 1, 1, 2, 3], dtype=np.int32))}
    agreement = pd.DataFrame(  # rows deliberately not in catalog order
        {"row": [4, 3, 2, 1, 0], "jaccard": [0.5, 0.4, np.nan, 0.2, 0.0], "rbo": [0.4, 0.3, np.nan, 0.1, 0.0],
         "weighted_tau": [0.1, 0.0, np.nan, -0.2, -0.5]}
    )
    return Analysis(
        maps=maps, svd={"tfidf": np.eye(5, dtype=np.float32)}, cluster_ids=cluster_ids, clusters={"tfidf": clusters},
        agreement=agreement,
    )


@pytest.fixture
def analysis() -> Analysis:
    return tiny_analysis()


@pytest.fixture
def frame(analysis) -> pd.DataFrame:
    return explorer.map_frame(tiny_catalog(), analysis, "tfidf", explorer.stored_map(analysis, "tfidf", "tsne", 2), "genre")


# --------------------------------------------------------------------------- maps
def test_available_maps_and_options(analysis):
    assert explorer.available_maps(analysis, "tfidf") == [("tsne", 2), ("pca", 3)]
    assert explorer.map_options(analysis, "tfidf") == (["tsne", "pca"], [2, 3])
    assert explorer.available_maps(analysis, "count") == []
    assert explorer.map_options(Analysis(), "tfidf") == ([], [])


def test_stored_map_reads_coords_preservation_and_quality(analysis):
    movie_map = explorer.stored_map(analysis, "tfidf", "tsne", 2)
    assert movie_map.coords.shape == (5, 2) and movie_map.n_points == 5
    assert movie_map.trustworthiness == pytest.approx(0.9)
    assert movie_map.trust_points == 5
    assert movie_map.preservation[0] == pytest.approx(0.5) and np.isnan(movie_map.preservation[2])
    assert not movie_map.custom


@pytest.mark.parametrize(
    ("vectorizer", "method", "dims", "error", "words"),
    [
        ("tfidf", "umap", 2, ArtifactError, "available: tsne/2-D, pca/3-D"),
        ("count", "tsne", 2, ArtifactError, "--skip-maps"),
        ("tfidf", "mds", 2, ConfigError, "accepted: tsne, umap, pca"),
        ("tfidf", "tsne", 4, ConfigError, "(2, 3)"),
    ],
)
def test_stored_map_errors_name_the_problem(analysis, vectorizer, method, dims, error, words):
    with pytest.raises(error, match=None) as caught:
        explorer.stored_map(analysis, vectorizer, method, dims)
    assert words in str(caught.value)


def test_stored_map_without_quality_is_nan(analysis):
    key = MapKey("tfidf", "tsne", 2)
    analysis.maps[key] = StoredMap(analysis.maps[key].coords, analysis.maps[key].preservation)
    movie_map = explorer.stored_map(analysis, "tfidf", "tsne", 2)
    assert np.isnan(movie_map.trustworthiness) and movie_map.trust_points == 0


# --------------------------------------------------------------------------- map_frame
def test_map_frame_columns_by_hand(frame):
    assert frame["row"].tolist() == [0, 1, 2, 3, 4]
    assert frame["decade"].tolist() == ["1990s", "1990s", "unknown", "2000s", "2010s"]
    assert frame["genre"].tolist() == ["Drama", "Crime", "unknown", "Comedy", "Drama"]
    assert frame["genres"].tolist() == ["Drama, Crime", "Crime", "", "Comedy", "Drama"]
    assert frame["director"].tolist() == ["Ann", "Bo", "", "Cy, Di", "Ann"]
    assert frame["cluster_broad_label"].tolist() == ["0: crime · Drama"] * 3 + ["1: comedy"] * 2
    assert frame["cluster_fine_label"].tolist() == ["0: heist", "1: cops", "1: cops", "2: jokes", "3"]
    # agreement rows are matched by row number, not by position
    np.testing.assert_allclose(frame["rbo"], [0.0, 0.1, np.nan, 0.3, 0.4])
    np.testing.assert_allclose(frame["faithfulness"], [0.5, 1.0, np.nan, 0.0, 1.0])
    assert frame["x"].tolist() == [0, 1, 2, 10, 11] and "z" not in frame.columns
    assert frame["color"].tolist() == frame["genre"].tolist()


@pytest.mark.parametrize(
    ("color_by", "expected"),
    [
        ("decade", ["1990s", "1990s", "unknown", "2000s", "2010s"]),
        ("cluster_broad", ["0: crime · Drama"] * 3 + ["1: comedy"] * 2),
        ("cluster_fine", ["0: heist", "1: cops", "1: cops", "2: jokes", "3"]),
        ("weighted_rating", [7.0, 6.0, 5.0, 8.0, 6.5]),
    ],
)
def test_map_frame_colour_column(analysis, color_by, expected):
    frame = explorer.map_frame(tiny_catalog(), analysis, "tfidf", explorer.stored_map(analysis, "tfidf", "tsne", 2), color_by)
    assert frame["color"].tolist() == expected


def test_map_frame_3d_and_missing_extras(analysis):
    analysis.agreement = None
    analysis.clusters = {}
    broad = analysis.cluster_ids["tfidf"].broad
    analysis.cluster_ids["tfidf"] = ClusterIds(broad, np.full(5, -1, dtype=np.int32))
    movie_map = explorer.stored_map(analysis, "tfidf", "pca", 3)
    frame = explorer.map_frame(tiny_catalog(), analysis, "tfidf", movie_map, "rbo")
    assert frame["z"].tolist() == [0, 1, 2, 3, 4]
    assert frame["rbo"].isna().all() and frame["color"].isna().all()
    assert frame["cluster_broad_label"].tolist() == ["0", "0", "0", "1", "1"]  # ids without a table
    assert frame["cluster_fine"].tolist() == [-1] * 5 and set(frame["cluster_fine_label"]) == {"unknown"}


def test_map_frame_rejects_bad_inputs(analysis):
    movie_map = explorer.stored_map(analysis, "tfidf", "tsne", 2)
    with pytest.raises(ConfigError, match="accepted: genre"):
        explorer.map_frame(tiny_catalog(), analysis, "tfidf", movie_map, "colour")
    with pytest.raises(ArtifactError, match="catalog has 4 movies"):
        explorer.map_frame(tiny_catalog().iloc[:4], analysis, "tfidf", movie_map, "genre")
    analysis.agreement = pd.DataFrame({"row": [0, 9], "jaccard": [1, 1], "rbo": [1, 1], "weighted_tau": [1, 1]})
    with pytest.raises(ArtifactError, match="rebuild"):
        explorer.map_frame(tiny_catalog(), analysis, "tfidf", movie_map, "genre")


def test_map_metrics(analysis, frame):
    numbers = explorer.map_metrics(frame, explorer.stored_map(analysis, "tfidf", "tsne", 2))
    assert numbers["points"] == 5
    assert numbers["trustworthiness"] == pytest.approx(0.9)
    assert numbers["mean_faithfulness"] == pytest.approx((0.5 + 1.0 + 0.0 + 1.0) / 4)
    assert numbers["without_colour"] == 1  # Gamma has no genre


# --------------------------------------------------------------------------- lines, clusters, selection
def test_neighbour_segments_mark_far_neighbours(frame):
    # Alpha's true neighbours: Delta (far right on the map) then Beta (next to it).
    segments = explorer.neighbour_segments(frame, np.array([3, 1, -1, 4]), np.array([0.9, 0.8, 0.0, 0.1]), 0, k=2)
    assert segments["row"].tolist() == [3, 1]
    assert segments["rank"].tolist() == [1, 2]
    assert segments["far"].tolist() == [True, False]  # Alpha's 2 nearest dots are Beta and Gamma
    assert segments["display_title"].tolist() == ["<b>Delta</b>", "Beta"]
    assert segments["similarity"].tolist() == [0.9, 0.8]
    assert segments[["x0", "y0", "x1", "y1"]].values.tolist() == [[0, 0, 10, 0], [0, 0, 1, 0]]


def test_neighbour_segments_skip_padding_and_widen_near_with_k(frame):
    segments = explorer.neighbour_segments(frame, np.array([3, 1, -1, 4]), np.array([0.9, 0.8, 0.0, 0.1]), 0, k=3)
    assert segments["row"].tolist() == [3, 1]
    assert segments["rank"].tolist() == [1, 2]
    assert not segments["far"].any()  # with k = 3, Delta is among Alpha's 3 nearest dots


def test_neighbour_segments_errors(frame):
    with pytest.raises(ConfigError):
        explorer.neighbour_segments(frame, np.array([1]), np.array([0.5]), 0, k=0)
    with pytest.raises(ArtifactError):
        explorer.neighbour_segments(frame, np.array([1]), np.array([0.5]), 7, k=1)


def test_cluster_centroids_are_medians(frame):
    centroids = explorer.cluster_centroids(frame, "broad")
    assert centroids["cluster"].tolist() == [0, 1]
    assert centroids["x"].tolist() == [1.0, 10.5]
    assert centroids["size"].tolist() == [3, 2]
    assert centroids["label"].tolist() == ["0: crime · Drama", "1: comedy"]
    with pytest.raises(ConfigError):
        explorer.cluster_centroids(frame, "medium")


def test_cluster_table(analysis):
    table = explorer.cluster_table(analysis.clusters["tfidf"], "broad")
    assert table["cluster"].tolist() == [0, 1]
    assert table.loc[0, "top_terms"] == "crime, heist"
    assert table.loc[0, "top_directors"] == "Ann" and table.loc[1, "top_directors"] == ""
    assert len(explorer.cluster_table(analysis.clusters["tfidf"], "fine")) == 3
    assert explorer.cluster_table(None, "broad").empty


def test_selection_table(frame):
    table = explorer.selection_table(frame, [3, 0, 99])
    assert table["display_title"].tolist() == ["<b>Delta</b>", "Alpha"]
    assert table.columns.tolist() == explorer.SELECTION_COLUMNS
    assert explorer.selection_table(frame, []).empty


# --------------------------------------------------------------------------- custom maps
@pytest.fixture
def tiny_model(tiny_catalog_csv):
    catalog, _ = load_catalog_csv(tiny_catalog_csv)
    return build_model(catalog, WORDS_ONLY)  # words only: "Quiet Garden" then shares nothing


@pytest.mark.parametrize("method", ["pca", pytest.param("tsne", marks=pytest.mark.slow)])
def test_custom_map_is_complete_and_deterministic(tiny_model, method):
    settings_ = ProjectionSettings(tsne_perplexity=2.0)
    first = explorer.custom_map(tiny_model, "tfidf", method, 2, settings_, seed=0)
    second = explorer.custom_map(tiny_model, "tfidf", method, 2, settings_, seed=0)
    assert first.coords.shape == (5, 2) and first.custom and first.method == method
    np.testing.assert_array_equal(first.coords, second.coords)
    assert first.preservation.shape == (5,)
    assert np.isnan(first.preservation[4])  # "Quiet Garden" has no neighbour to keep
    assert 0.0 <= np.nanmin(first.preservation) and np.nanmax(first.preservation) <= 1.0
    assert first.trust_points == 5
    assert first.description == ("perplexity 2" if method == "tsne" else "no settings")


def test_custom_map_rejects_bad_settings(tiny_model):
    with pytest.raises(ConfigError):
        explorer.custom_map(tiny_model, "tfidf", "tsne", 2, ProjectionSettings(tsne_perplexity=0.0), seed=0)
    with pytest.raises(ConfigError):
        explorer.custom_map(tiny_model, "tfidf", "isomap", 2, ProjectionSettings(), seed=0)


def test_describe_settings():
    settings_ = ProjectionSettings(umap_n_neighbors=7, umap_min_dist=0.25)
    assert explorer.describe_settings("umap", settings_) == "n_neighbors 7, min_dist 0.25"


def test_selection_bounds_pad_the_selected_films_and_in_region_finds_them() -> None:
    import pandas as pd

    from recommender.explorer import in_region, selection_bounds

    frame = pd.DataFrame({"x": [0.0, 10.0, 2.0, 4.0], "y": [0.0, 10.0, 2.0, 6.0]})
    region = selection_bounds(frame, [2, 3], pad=0.0)
    assert region == (2.0, 4.0, 2.0, 6.0)
    assert in_region(frame, region).tolist() == [False, False, True, True]
    padded = selection_bounds(frame, [2, 3], pad=0.25)
    assert padded == (1.5, 4.5, 1.0, 7.0)
    # One film: a region 5% of the map wide around it, never a zero-size view.
    single = selection_bounds(frame, [1], pad=0.0)
    assert single == (9.75, 10.25, 9.75, 10.25)
    assert selection_bounds(frame, [99, -1]) is None
