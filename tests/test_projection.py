"""Tests of recommender.projection: SVD, maps and their faithfulness measures."""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.preprocessing import normalize

from recommender.config import ProjectionSettings
from recommender.errors import ArtifactError, ConfigError
from recommender.projection import (
    approximate_knn_graph,
    custom_projection,
    graph_recall,
    knn_graph,
    map_far_neighbours,
    neighbour_preservation,
    project,
    reduce_svd,
    trustworthiness_score,
)

SETTINGS = ProjectionSettings()


def separated_clusters(seed: int = 0, per_cluster: int = 40) -> tuple[np.ndarray, np.ndarray]:
    """Unit vectors in 20-D whose cosine neighbours are those of a 2-D picture.

    Four well-separated blobs are drawn in the plane, lifted to (u, v, c) with a large
    c, normalised onto the sphere (a nearly distance-preserving patch) and rotated
    into 20-D. Returns (unit vectors (N, 20), the 2-D picture (N, 2)).
    """
    rng = np.random.default_rng(seed)
    centres = np.array([[-10.0, -10.0], [-10.0, 10.0], [10.0, -10.0], [10.0, 10.0]])
    picture = np.vstack([centre + rng.normal(size=(per_cluster, 2)) for centre in centres])
    lifted = np.hstack([picture, np.full((len(picture), 1), 200.0)])
    rotation, _ = np.linalg.qr(rng.normal(size=(20, 3)))
    vectors = normalize(lifted) @ rotation.T
    return normalize(vectors).astype(np.float32), picture


def cosine_neighbours(vectors: np.ndarray, k: int) -> np.ndarray:
    similarity = vectors @ vectors.T
    np.fill_diagonal(similarity, -np.inf)
    return np.argsort(-similarity, axis=1, kind="stable")[:, :k].astype(np.int32)


# --- SVD --------------------------------------------------------------------------


def test_reduce_svd_shape_and_unit_rows() -> None:
    rng = np.random.default_rng(1)
    dense = rng.random((12, 30)) * (rng.random((12, 30)) < 0.3)
    dense[5] = 0.0  # a movie with no tokens
    vectors = sp.csr_matrix(normalize(dense))
    reduced = reduce_svd(vectors, n_components=4, seed=0)
    assert reduced.shape == (12, 4) and reduced.dtype == np.float32
    norms = np.linalg.norm(reduced, axis=1)
    assert np.allclose(np.delete(norms, 5), 1.0, atol=1e-5)
    assert np.all(reduced[5] == 0) and not np.isnan(reduced).any()
    assert np.array_equal(reduced, reduce_svd(vectors, n_components=4, seed=0))


def test_reduce_svd_caps_components() -> None:
    vectors = sp.csr_matrix(normalize(np.random.default_rng(2).random((6, 4))))
    assert reduce_svd(vectors, n_components=50, seed=0).shape == (6, 3)  # V - 1
    assert reduce_svd(vectors[:3], n_components=50, seed=0).shape == (3, 2)  # N - 1
    with pytest.raises(ArtifactError, match="at least 2 movies and 2 terms"):
        reduce_svd(vectors[:1], n_components=5, seed=0)


# --- project ----------------------------------------------------------------------


def test_project_rejects_unknown_method_and_dims() -> None:
    vectors, _ = separated_clusters()
    with pytest.raises(ConfigError, match="tsne, umap, pca"):
        project(vectors, "mds", 2, SETTINGS, seed=0)
    with pytest.raises(ConfigError, match=r"\(2, 3\)"):
        project(vectors, "pca", 4, SETTINGS, seed=0)
    with pytest.raises(ArtifactError, match="at least 4 rows"):
        project(vectors[:3], "pca", 2, SETTINGS, seed=0)


@pytest.mark.parametrize("dims", [2, 3])
def test_pca_map_shape_and_progress(dims: int) -> None:
    vectors, _ = separated_clusters()
    calls: list[tuple[float, str]] = []
    coords = project(vectors, "pca", dims, SETTINGS, seed=0, progress=lambda f, m: calls.append((f, m)))
    assert coords.shape == (len(vectors), dims) and coords.dtype == np.float32
    assert calls[0][0] == 0.0 and calls[-1][0] == 1.0 and "PCA" in calls[0][1]


def test_project_pads_tiny_vocabulary() -> None:
    vectors = normalize(np.random.default_rng(3).random((8, 2))).astype(np.float32)
    coords = project(vectors, "pca", 3, SETTINGS, seed=0)
    assert coords.shape == (8, 3) and not np.isnan(coords).any()


def test_tsne_map_of_separated_clusters_is_trustworthy() -> None:
    vectors, _ = separated_clusters(per_cluster=30)
    coords = project(vectors, "tsne", 2, SETTINGS, seed=0)
    assert coords.shape == (120, 2) and coords.dtype == np.float32
    score, used = trustworthiness_score(vectors, coords, k=10)
    assert score > 0.95 and used == 120


def test_tsne_handles_tiny_catalog_reproducibly() -> None:
    # perplexity 30 would exceed what 6 movies allow; it must be capped, not fail.
    vectors = normalize(np.random.default_rng(4).random((6, 5))).astype(np.float32)
    coords = project(vectors, "tsne", 3, SETTINGS, seed=0)
    assert coords.shape == (6, 3)
    assert np.array_equal(coords, project(vectors, "tsne", 3, SETTINGS, seed=0))  # reproducible


@pytest.mark.slow
def test_umap_map_of_separated_clusters() -> None:
    vectors, _ = separated_clusters(per_cluster=25)
    coords = project(vectors, "umap", 2, SETTINGS, seed=0)
    assert coords.shape == (100, 2) and coords.dtype == np.float32
    assert np.array_equal(coords, project(vectors, "umap", 2, SETTINGS, seed=0))
    score, _ = trustworthiness_score(vectors, coords, k=10)
    assert score > 0.9
    tiny = project(vectors[:8], "umap", 3, SETTINGS, seed=0)  # n_neighbors capped at 7
    assert tiny.shape == (8, 3) and not np.isnan(tiny).any()


# --- trustworthiness --------------------------------------------------------------


def test_trustworthiness_near_one_for_faithful_map_and_low_for_random() -> None:
    vectors, picture = separated_clusters()
    score, used = trustworthiness_score(vectors, picture, k=10)
    assert score > 0.95 and used == len(vectors)
    pca_score, _ = trustworthiness_score(vectors, project(vectors, "pca", 2, SETTINGS, seed=0), k=10)
    assert pca_score > 0.95
    noise = np.random.default_rng(5).normal(size=picture.shape)
    noise_score, _ = trustworthiness_score(vectors, noise, k=10)
    assert noise_score < 0.75


def test_trustworthiness_samples_large_maps_and_says_so() -> None:
    vectors, picture = separated_clusters()
    score, used = trustworthiness_score(vectors, picture, k=5, max_points=60, seed=3)
    assert used == 60 and 0.9 < score <= 1.0
    assert (score, used) == trustworthiness_score(vectors, picture, k=5, max_points=60, seed=3)


def test_trustworthiness_small_and_mismatched_inputs() -> None:
    vectors, picture = separated_clusters()
    score, used = trustworthiness_score(vectors[:2], picture[:2], k=5)
    assert math.isnan(score) and used == 2
    # k is capped below half the points instead of failing.
    capped, _ = trustworthiness_score(vectors[:9], picture[:9], k=10)
    assert 0.0 <= capped <= 1.0
    with pytest.raises(ArtifactError, match="same catalog rows"):
        trustworthiness_score(vectors, picture[:-1], k=5)


# --- neighbour preservation and far neighbours -------------------------------------

# A 1-D "map" with points at 0, 1, 3 and 10; nearest on the map:
# row 0 -> 1, 2; row 1 -> 0, 2; row 2 -> 1, 0; row 3 -> 2, 1.
LINE = np.array([[0.0], [1.0], [3.0], [10.0]])
STORED = np.array([[1, -1], [2, 0], [-1, -1], [0, 1]], dtype=np.int32)


def test_neighbour_preservation_hand_values() -> None:
    at_1 = neighbour_preservation(STORED, LINE, k=1)
    assert at_1.dtype == np.float32
    assert at_1[[0, 1, 3]].tolist() == [1.0, 0.0, 0.0] and math.isnan(at_1[2])
    at_2 = neighbour_preservation(STORED, LINE, k=2)
    assert at_2[[0, 1, 3]].tolist() == [1.0, 1.0, 0.5] and math.isnan(at_2[2])


def test_neighbour_preservation_near_one_for_faithful_map() -> None:
    vectors, picture = separated_clusters()
    stored = cosine_neighbours(vectors, 10)
    assert np.nanmean(neighbour_preservation(stored, picture, k=10)) > 0.9
    noise = np.random.default_rng(6).normal(size=picture.shape)
    assert np.nanmean(neighbour_preservation(stored, noise, k=10)) < 0.3


def test_neighbour_preservation_handles_duplicate_points_and_large_catalogs() -> None:
    # Every point sits on another: self must still be left out of its own list.
    doubled = np.repeat(LINE, 2, axis=0)
    stored = np.array([[1], [0], [3], [2], [5], [4], [7], [6]], dtype=np.int32)
    assert neighbour_preservation(stored, doubled, k=1).tolist() == [1.0] * 8
    # 20,000 movies: an N x N intermediate would need gigabytes.
    rng = np.random.default_rng(7)
    big = neighbour_preservation(rng.integers(0, 20_000, (20_000, 10)), rng.random((20_000, 2)), k=10)
    assert big.shape == (20_000,) and np.all((big >= 0) & (big <= 1))


def test_map_far_neighbours() -> None:
    far = map_far_neighbours(np.array([0, 1, -1]), LINE, movie_row=3, k=2)
    assert far.dtype == bool and far.tolist() == [True, False, False]
    assert map_far_neighbours(STORED[1], LINE, movie_row=1, k=2).tolist() == [False, False]
    with pytest.raises(ArtifactError, match="accepted rows 0..3"):
        map_far_neighbours(STORED[0], LINE, movie_row=4, k=2)


# --- custom projection ------------------------------------------------------------


def test_custom_projection_reports_progress_and_is_deterministic() -> None:
    vectors, _ = separated_clusters()
    calls: list[float] = []
    first = custom_projection(
        sp.csr_matrix(vectors), "pca", 2, SETTINGS, seed=0, progress=lambda f, m: calls.append(f)
    )
    assert set(first) == {"coords", "trustworthiness", "trust_points"}
    assert first["coords"].shape == (len(vectors), 2)
    assert first["trustworthiness"] > 0.9 and first["trust_points"] == len(vectors)
    assert calls == sorted(calls) and calls[0] == 0.0 and calls[-1] == 1.0
    second = custom_projection(sp.csr_matrix(vectors), "pca", 2, SETTINGS, seed=0)
    assert np.array_equal(first["coords"], second["coords"])
    assert first["trustworthiness"] == second["trustworthiness"]


# --- the large-catalog path: one kNN graph, openTSNE, UMAP on the graph --------------


def test_knn_graph_is_the_exact_cosine_graph_in_any_block_size() -> None:
    vectors, _ = separated_clusters(per_cluster=10)
    indices, distances = knn_graph(vectors, 5)
    np.testing.assert_array_equal(indices, cosine_neighbours(vectors, 5))
    expected = 1.0 - np.take_along_axis(vectors @ vectors.T, indices.astype(np.int64), axis=1)
    np.testing.assert_allclose(distances, expected, atol=1e-5)
    assert np.all(np.diff(distances, axis=1) >= -1e-6)  # nearest first
    small_blocks = knn_graph(vectors, 5, max_block_cells=40 * 3)  # 3 rows per block
    np.testing.assert_array_equal(small_blocks[0], indices)
    assert knn_graph(vectors[:4], 10)[0].shape == (4, 3)  # at most N - 1 neighbours


@pytest.mark.parametrize("dims", [2, 3])
def test_open_tsne_on_the_knn_graph_is_trustworthy_and_reproducible(dims: int) -> None:
    vectors, _ = separated_clusters(per_cluster=30)
    knn = knn_graph(vectors, 90)
    coords = project(vectors, "tsne", dims, SETTINGS, seed=0, knn=knn)
    assert coords.shape == (120, dims) and coords.dtype == np.float32
    assert np.array_equal(coords, project(vectors, "tsne", dims, SETTINGS, seed=0, knn=knn))
    score, _ = trustworthiness_score(vectors, coords, k=10)
    assert score > 0.95


@pytest.mark.slow
def test_umap_on_the_knn_graph() -> None:
    vectors, _ = separated_clusters(per_cluster=25)
    coords = project(vectors, "umap", 2, SETTINGS, seed=0, knn=knn_graph(vectors, 20))
    assert coords.shape == (100, 2)
    score, _ = trustworthiness_score(vectors, coords, k=10)
    assert score > 0.9


def test_graph_recall_is_one_for_the_exact_graph_and_counts_what_a_graph_misses() -> None:
    vectors, _ = separated_clusters(per_cluster=10)
    exact, _ = knn_graph(vectors, 6)
    assert graph_recall(vectors, exact, 6, sample=40, seed=0) == 1.0
    # Keep each film's 3 nearest and replace the other 3 by films of the farthest blob:
    # exactly half of every exact top 6 is still listed.
    far = np.argsort(vectors @ vectors.T, axis=1, kind="stable")[:, :3].astype(np.int32)
    half = np.hstack([exact[:, :3], far])
    assert graph_recall(vectors, half, 6, sample=40, seed=0) == pytest.approx(0.5)
    assert graph_recall(vectors, half, 3, sample=40, seed=0) == 1.0  # the first 3 are right
    assert graph_recall(vectors, half, 6, sample=10, seed=0) == pytest.approx(0.5)  # a sample of 10


@pytest.mark.slow  # pynndescent compiles its numba code on first use (~30 s)
def test_approximate_knn_graph_recalls_the_exact_graph_and_is_reproducible() -> None:
    rng = np.random.default_rng(0)
    vectors = normalize(rng.normal(size=(3000, 20))).astype(np.float32)  # no clusters: the hard case
    indices, distances = approximate_knn_graph(vectors, 30, seed=0)
    assert indices.shape == distances.shape == (3000, 30) and indices.dtype == np.int32
    assert not (indices == np.arange(3000)[:, None]).any()  # never itself
    assert np.all(np.diff(distances, axis=1) >= -1e-6)  # nearest first
    listed = 1.0 - np.sum(vectors[:, None, :] * vectors[indices], axis=2)
    np.testing.assert_allclose(distances, listed, atol=1e-5)  # cosine distances of the listed films
    exact = cosine_neighbours(vectors, 30)
    recall = np.mean([len(np.intersect1d(a, e)) / 30 for a, e in zip(indices, exact)])
    assert recall > 0.95
    assert graph_recall(vectors, indices, 30, sample=3000, seed=0) == pytest.approx(recall)
    again = approximate_knn_graph(vectors, 30, seed=0)
    assert np.array_equal(again[0], indices) and np.array_equal(again[1], distances)
    # At most N - 1 neighbours; on a tiny catalog (where NN-descent itself reports
    # placeholder distances) every other film, in the exact graph's order.
    tiny = approximate_knn_graph(vectors[:5], 10, seed=0)
    np.testing.assert_array_equal(tiny[0], knn_graph(vectors[:5], 10)[0])
    np.testing.assert_allclose(tiny[1], knn_graph(vectors[:5], 10)[1], atol=1e-5)
