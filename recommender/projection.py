"""Maps of the catalog for the embedding explorer, and how faithful they are.

The term vectors (N movies x V terms, rows L2-normalised) are first reduced to a few
dozen dimensions with a truncated SVD (:func:`reduce_svd`), then drawn in 2-D or 3-D
with t-SNE, UMAP or PCA (:func:`project`). Because a map always distorts, the
explorer also shows how much it can be trusted: :func:`trustworthiness_score` (do
the map's close points come from close movies?) and :func:`neighbour_preservation`
(per movie, how many of its stored neighbours stay close on the map).
:func:`custom_projection` runs the whole chain for vectors built with user-chosen
settings. Every random step takes a seed, so equal inputs give an equal map.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable

import numpy as np
import scipy.sparse as sp
from sklearn.decomposition import PCA, TruncatedSVD
from sklearn.manifold import TSNE, trustworthiness
from sklearn.neighbors import NearestNeighbors
from threadpoolctl import threadpool_limits

from recommender.config import MAP_DIMENSIONS, MAP_METHODS, ProjectionSettings
from recommender.errors import ArtifactError, ConfigError

METHODS: tuple[str, ...] = MAP_METHODS
DIMENSIONS: tuple[int, ...] = MAP_DIMENSIONS

# t-SNE schedule per map dimension: (max_iter, Barnes-Hut angle), the first 250
# iterations being early exaggeration. Measured on 4,803 x 20,000 TF-IDF-like
# matrices (random, and drawn from 40 topics), one thread, CPU seconds /
# trustworthiness@10:
#                      sklearn default (1000, 0.5)     chosen
#   2-D (750, 0.8)     random 33.5 / 0.817             18.8 / 0.823
#                      topics 41.1 / 0.983             21.9 / 0.983
#   3-D (500, 0.8)     random 123 / 0.802              38.2 / 0.808
#                      topics 134 / 0.990              32.6 / 0.990
# Angle 0.8 (sklearn's documented upper end) barely moves the map; a 3-D map has
# converged by 500 iterations, a 2-D one by 750 (500 lost 0.015 on random data).
TSNE_SCHEDULE: dict[int, tuple[int, float]] = {2: (750, 0.8), 3: (500, 0.8)}
# One OpenMP thread: on a 2-core machine two threads burned ~3x the CPU for the same
# map and were slower whenever the machine was busy (10-30x for small maps); a single
# thread also makes the map bit-for-bit reproducible. UMAP with a seed is
# single-threaded too. Run several maps in separate processes to use more cores.
TSNE_THREADS = 1
# Above ProjectionSettings.large_map_films films: one kNN graph per vectorizer (exact,
# knn_graph, runnable on a Dask cluster; or approximate above exact_graph_max_films,
# approximate_knn_graph), shared by t-SNE and UMAP, and openTSNE, whose FFT-interpolated
# gradient costs O(N) per iteration in 2-D where Barnes-Hut costs O(N log N); 3-D stays
# Barnes-Hut. (total iterations, Barnes-Hut angle) per dimension, the first 250 being
# early exaggeration (learning rate N / 12, openTSNE's default). 2-D: 500 iterations;
# measured on 100,000 synthetic films (TF-IDF, one thread, CPU s / trustworthiness@10):
# 250 early 28 s; then to 400 iterations +23 s / 0.9688, to 500 +26 s / 0.9689, to 750
# +76 s / 0.9697 (the map spreads, and the FFT grid with it). BENCHMARKS.md section 5.3.
LARGE_TSNE: dict[int, tuple[int, float]] = {2: (500, 0.5), 3: (500, 0.8)}

Progress = Callable[[float, str], None]


def reduce_svd(vectors: sp.spmatrix | np.ndarray, n_components: int, seed: int) -> np.ndarray:
    """Reduce term vectors (N x V) to float32 (N x c) with a truncated SVD.

    ``c = min(n_components, V - 1, N - 1)``. Rows are L2-normalised afterwards, so
    that euclidean and cosine neighbours agree; an all-zero row stays all zero.
    Raises :class:`ConfigError` if ``n_components < 1`` and :class:`ArtifactError`
    if the matrix is too small (fewer than 2 movies or 2 terms) to reduce.
    """
    if n_components < 1:
        raise ConfigError(f"svd n_components must be >= 1, got {n_components}")
    n_rows, n_terms = vectors.shape
    components = min(n_components, n_terms - 1, n_rows - 1)
    if components < 1:
        raise ArtifactError(
            f"term vectors of shape {n_rows} x {n_terms} are too small for an SVD; "
            "need at least 2 movies and 2 terms"
        )
    svd = TruncatedSVD(n_components=components, algorithm="randomized", random_state=seed)
    reduced = svd.fit_transform(vectors).astype(np.float32)
    return _normalise_rows(reduced)


def knn_block(vectors: np.ndarray, k: int, start: int, stop: int) -> tuple[np.ndarray, np.ndarray]:
    """Exact k nearest other rows of rows ``start:stop`` of unit-row ``vectors`` (N x c):
    int32 indices and float32 cosine distances (1 - dot product), nearest first, ties
    by the lower index. One block of :func:`knn_graph`."""
    from recommender.neighbours import _top_k_of_block

    similarity = vectors[start:stop] @ vectors.T
    similarity[np.arange(stop - start), np.arange(start, stop)] = -np.inf  # never itself
    index, scores = _top_k_of_block(similarity, k)
    return index.astype(np.int32), np.maximum(1.0 - scores, 0.0).astype(np.float32)


def knn_graph(
    svd_vectors: np.ndarray,
    k: int,
    max_block_cells: int = 20_000_000,
    run_blocks: Callable | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Exact k-nearest-neighbour graph of the reduced vectors, shared by t-SNE and UMAP.

    Returns ``(indices, distances)`` of shape (N, min(k, N - 1)), self excluded, cosine
    distance. Dense blocks of at most ``max_block_cells`` cells (BLAS products), run by
    ``run_blocks`` (here by default, or on a Dask cluster). O(N^2 c) time: 100,000 films
    x 50 components is 5e11 multiply-adds, about a minute on one core.
    """
    from recommender.neighbours import _blocks, run_blocks_here

    data = np.ascontiguousarray(svd_vectors, dtype=np.float32)
    n = data.shape[0]
    k = min(k, n - 1)
    blocks = _blocks(n, max(1, max_block_cells // max(n, 1)))
    indices = np.empty((n, k), dtype=np.int32)
    distances = np.empty((n, k), dtype=np.float32)
    for (start, stop), (index, distance) in zip(blocks, (run_blocks or run_blocks_here)(knn_block, (data, k), blocks)):
        indices[start:stop], distances[start:stop] = index, distance
    return indices, distances


def approximate_knn_graph(svd_vectors: np.ndarray, k: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Approximate k-nearest-neighbour graph of the reduced vectors by NN-descent
    (pynndescent, the index UMAP itself builds), cosine distance, one thread.

    Same shapes and meaning as :func:`knn_graph` (self excluded, nearest first); the
    large-catalog maps use it above ``ProjectionSettings.exact_graph_max_films``, where
    the exact graph's O(N^2) time dominates. Its recall against the exact graph is
    measured by :func:`graph_recall`. Equal inputs and seed give an equal graph.
    """
    import pynndescent  # lazy: a dependency of UMAP, compiled with numba on first use

    data = np.ascontiguousarray(svd_vectors, dtype=np.float32)
    n = data.shape[0]
    k = min(k, n - 1)
    with warnings.catch_warnings():
        # Rows it could not fill (-1) are searched exactly below.
        warnings.filterwarnings("ignore", message=".*Failed to correctly find n_neighbors.*")
        index = pynndescent.NNDescent(
            data, metric="cosine", n_neighbors=k + 1, random_state=seed, n_jobs=1, low_memory=True, compressed=True
        )
        found, distances = index.neighbor_graph
    found, distances = found.astype(np.int64), distances.astype(np.float32)
    unfilled = np.flatnonzero((found < 0).any(axis=1))
    for start in range(0, len(unfilled), 100):
        rows = unfilled[start : start + 100]
        exact, similarity = _exact_rows(data, rows, k + 1)
        found[rows], distances[rows] = exact, 1.0 - similarity  # self comes last at -inf, dropped below
    # Drop each row itself (normally first at distance 0; with duplicates anywhere, or
    # not found at all: then the farthest of the k + 1 goes).
    is_self = found == np.arange(n)[:, None]
    drop = np.where(is_self.any(axis=1), is_self.argmax(axis=1), k)
    keep = np.ones(found.shape, dtype=bool)
    keep[np.arange(n), drop] = False
    indices = found[keep].reshape(n, k)
    # Distances recomputed from the vectors, nearest first (ties by the lower index): on
    # rows NN-descent could not fill properly (tiny catalogs) it reports a placeholder 1.0.
    similarity = np.empty(indices.shape, dtype=np.float32)
    for start in range(0, n, 10_000):  # (rows, k, c) gathered 10,000 rows at a time: ~180 MB at k 90
        stop = min(n, start + 10_000)
        similarity[start:stop] = np.einsum("ij,ikj->ik", data[start:stop], data[indices[start:stop]])
    order = np.lexsort((indices, -similarity), axis=1)
    indices = np.take_along_axis(indices, order, axis=1).astype(np.int32)
    distances = np.maximum(1.0 - np.take_along_axis(similarity, order, axis=1), 0.0).astype(np.float32)
    return indices, distances


def graph_recall(svd_vectors: np.ndarray, indices: np.ndarray, k: int, sample: int, seed: int) -> float:
    """Share of the exact ``k`` nearest neighbours (cosine, self excluded) of ``sample``
    seeded random rows that ``indices`` (an (N, >= k) kNN graph) lists in its first
    ``k``: 1.0 for :func:`knn_graph` (up to ties at the k-th distance). Exact rows are
    computed in blocks of 100 (100 x N similarities at a time)."""
    data = np.ascontiguousarray(svd_vectors, dtype=np.float32)
    n = data.shape[0]
    k = min(k, n - 1, indices.shape[1])
    rows = np.sort(np.random.default_rng(seed).choice(n, size=min(sample, n), replace=False))
    hits = 0
    for start in range(0, len(rows), 100):
        block = rows[start : start + 100]
        exact, _ = _exact_rows(data, block, k)
        hits += sum(len(np.intersect1d(exact[i], indices[row, :k])) for i, row in enumerate(block))
    return float(hits / (len(rows) * k))


def project(
    svd_vectors: np.ndarray,
    method: str,
    dims: int,
    settings: ProjectionSettings,
    seed: int,
    progress: Progress | None = None,
    knn: tuple[np.ndarray, np.ndarray] | None = None,
) -> np.ndarray:
    """Draw the reduced vectors (N x c) as float32 map coordinates (N x dims).

    ``method`` is "tsne" (cosine metric, PCA init, perplexity capped for small N),
    "umap" (cosine metric, n_neighbors capped at N - 1) or "pca"; ``dims`` is 2 or 3.
    With ``knn`` (:func:`knn_graph` of the same vectors, at least ``3 x perplexity``
    and ``umap_n_neighbors - 1`` neighbours) t-SNE runs on openTSNE (FFT-accelerated
    in 2-D) and UMAP on that graph: the large-catalog path (see :data:`LARGE_TSNE`).
    Raises :class:`ConfigError` for another method or dims, and
    :class:`ArtifactError` for fewer than ``dims + 2`` movies.
    """
    if method not in METHODS:
        raise ConfigError(f"unknown projection method {method!r}; accepted: {', '.join(METHODS)}")
    if dims not in DIMENSIONS:
        raise ConfigError(f"map dimensions must be one of {DIMENSIONS}, got {dims!r}")
    data = np.asarray(svd_vectors, dtype=np.float32)
    if data.ndim != 2 or data.shape[0] < dims + 2:
        raise ArtifactError(
            f"cannot draw a {dims}-D map of vectors of shape {data.shape}; "
            f"need a 2-D array with at least {dims + 2} rows"
        )
    if data.shape[1] < dims:
        # Fewer SVD components than map axes (a tiny vocabulary): the extra axes are flat.
        data = np.hstack([data, np.zeros((data.shape[0], dims - data.shape[1]), np.float32)])
    name = {"tsne": "t-SNE", "umap": "UMAP", "pca": "PCA"}[method]
    _report(progress, 0.0, f"{name} {dims}-D map of {data.shape[0]} movies")
    if method == "tsne":
        coords = _tsne(data, dims, settings, seed) if knn is None else _open_tsne(data, dims, settings, seed, knn)
    elif method == "umap":
        coords = _umap(data, dims, settings, seed, knn)
    else:
        coords = PCA(n_components=dims, random_state=seed).fit_transform(data)
    _report(progress, 1.0, f"{name} {dims}-D map done")
    return np.ascontiguousarray(coords, dtype=np.float32)


def trustworthiness_score(
    svd_vectors: np.ndarray,
    coords: np.ndarray,
    k: int,
    max_points: int = 5000,
    seed: int = 0,
) -> tuple[float, int]:
    """Trustworthiness of a map at ``k`` neighbours, and the number of movies used.

    1.0 means every movie's ``k`` nearest points on the map are among its nearest
    movies by cosine similarity; random maps score about 0.5. The exact measure
    needs N x N distances, so above ``max_points`` movies it is computed on a seeded
    random sample of ``max_points`` rows: the returned count says so. ``k`` is
    capped below half the number of points (an sklearn requirement); with fewer than
    3 points the score is NaN. Raises :class:`ArtifactError` if the row counts differ.
    """
    high = np.asarray(svd_vectors, dtype=np.float64)
    low = np.asarray(coords, dtype=np.float64)
    _check_same_rows(high, "svd_vectors", low, "coords")
    if k < 1:
        raise ConfigError(f"trustworthiness k must be >= 1, got {k}")
    if max_points < 3:
        raise ConfigError(f"trustworthiness max_points must be >= 3, got {max_points}")
    n_rows = high.shape[0]
    if n_rows > max_points:
        sample = np.sort(np.random.default_rng(seed).choice(n_rows, size=max_points, replace=False))
        high, low = high[sample], low[sample]
    used = high.shape[0]
    k_used = min(k, (used - 1) // 2)
    if k_used < 1:
        return float("nan"), used
    # Cosine on the high-dimensional side: it is the similarity the recommender ranks
    # by, and it treats an all-zero row as unrelated to every movie.
    score = trustworthiness(high, low, n_neighbors=k_used, metric="cosine")
    return float(score), used


def neighbour_preservation(neighbours: np.ndarray, coords: np.ndarray, k: int) -> np.ndarray:
    """Per movie, the share of its first ``k`` stored neighbours that stay close on the map.

    ``neighbours`` is the (N, >=1) int array of row indices (-1 pads the tail);
    "close" means among the movie's ``k`` nearest other points on the map (euclidean
    on ``coords``). The denominator is the number of valid stored neighbours within
    the first ``k``; a movie with none gets NaN. Returns float32 (N,), memory O(N k).
    """
    neighbours = np.asarray(neighbours)
    coords = np.asarray(coords, dtype=np.float64)
    if neighbours.ndim != 2:
        raise ArtifactError(f"neighbours must be a 2-D (N, k) array, got shape {neighbours.shape}")
    _check_same_rows(neighbours, "neighbours", coords, "coords")
    if k < 1:
        raise ConfigError(f"neighbour preservation k must be >= 1, got {k}")
    true = neighbours[:, :k]
    valid = true >= 0
    map_near = _map_neighbours(coords, np.arange(coords.shape[0]), k)
    kept = (true[:, :, None] == map_near[:, None, :]).any(axis=2) & valid
    n_valid = valid.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(n_valid > 0, kept.sum(axis=1) / n_valid, np.nan)
    return share.astype(np.float32)


def map_far_neighbours(
    neighbours_row: np.ndarray, coords: np.ndarray, movie_row: int, k: int
) -> np.ndarray:
    """Which stored neighbours of one movie are NOT among its ``k`` nearest map points.

    Returns a bool array parallel to ``neighbours_row``; -1 padding is never marked
    far. Uses the same notion of "near" as :func:`neighbour_preservation`.
    Raises :class:`ArtifactError` if ``movie_row`` is not a row of ``coords`` (the
    map does not match the catalog) and :class:`ConfigError` if ``k < 1``.
    """
    neighbours_row = np.asarray(neighbours_row).ravel()
    coords = np.asarray(coords, dtype=np.float64)
    if not 0 <= movie_row < coords.shape[0]:
        raise ArtifactError(f"movie row {movie_row} is not in the map; accepted rows 0..{coords.shape[0] - 1}")
    if k < 1:
        raise ConfigError(f"map neighbour k must be >= 1, got {k}")
    near = _map_neighbours(coords, np.array([movie_row]), k)[0]
    return (neighbours_row >= 0) & ~np.isin(neighbours_row, near)


def custom_projection(
    vectors: sp.spmatrix | np.ndarray,
    method: str,
    dims: int,
    settings: ProjectionSettings,
    seed: int,
    progress: Progress | None = None,
) -> dict[str, object]:
    """SVD, map and trustworthiness of term vectors built with custom settings.

    Returns ``{"coords": float32 (N, dims), "trustworthiness": float,
    "trust_points": int}``; equal inputs give equal outputs, so callers may cache it.
    Raises what :func:`reduce_svd`, :func:`project` and
    :func:`trustworthiness_score` raise.
    """
    _report(progress, 0.0, "reducing term vectors (SVD)")
    reduced = reduce_svd(vectors, settings.svd_components, seed)
    coords = project(reduced, method, dims, settings, seed, progress=_scaled(progress, 0.1, 0.85))
    _report(progress, 0.85, "measuring trustworthiness")
    score, used = trustworthiness_score(reduced, coords, settings.faithfulness_k, seed=seed)
    _report(progress, 1.0, "map ready")
    return {"coords": coords, "trustworthiness": score, "trust_points": used}


def _tsne(data: np.ndarray, dims: int, settings: ProjectionSettings, seed: int) -> np.ndarray:
    # Barnes-Hut looks at 3 * perplexity neighbours per point; keep that below N so a
    # small catalog gets a meaningful (not saturated) perplexity. sklearn itself only
    # requires perplexity < N.
    perplexity = min(settings.tsne_perplexity, max((data.shape[0] - 1) / 3.0, 1.0))
    max_iter, angle = TSNE_SCHEDULE[dims]
    tsne = TSNE(
        n_components=dims,
        perplexity=perplexity,
        metric="cosine",
        init="pca",
        learning_rate="auto",
        method="barnes_hut",
        angle=angle,
        max_iter=max_iter,
        random_state=seed,
    )
    with threadpool_limits(limits=TSNE_THREADS, user_api="openmp"):
        return tsne.fit_transform(data)


def _open_tsne(
    data: np.ndarray, dims: int, settings: ProjectionSettings, seed: int, knn: tuple[np.ndarray, np.ndarray]
) -> np.ndarray:
    """t-SNE with openTSNE on a precomputed kNN graph: FFT-interpolated gradients in 2-D
    (O(N) per iteration), Barnes-Hut in 3-D (openTSNE's FFT is 2-D only)."""
    from openTSNE import TSNEEmbedding, affinity, initialization
    from openTSNE.nearest_neighbors import PrecomputedNeighbors

    indices, distances = knn
    perplexity = min(settings.tsne_perplexity, max((data.shape[0] - 1) / 3.0, 1.0), indices.shape[1] / 3.0)
    affinities = affinity.PerplexityBasedNN(
        perplexity=perplexity, knn_index=PrecomputedNeighbors(indices, distances), n_jobs=1, random_state=seed
    )
    start = initialization.pca(data, n_components=dims, random_state=seed)
    iterations, angle = LARGE_TSNE[dims]
    embedding = TSNEEmbedding(
        start, affinities, negative_gradient_method="fft" if dims == 2 else "bh", theta=angle, n_jobs=1,
        random_state=seed,
    )
    embedding = embedding.optimize(n_iter=250, exaggeration=12, momentum=0.5)  # early exaggeration
    embedding = embedding.optimize(n_iter=iterations - 250, momentum=0.8)
    return np.asarray(embedding)


def _umap(
    data: np.ndarray, dims: int, settings: ProjectionSettings, seed: int, knn: tuple[np.ndarray, np.ndarray] | None
) -> np.ndarray:
    import umap  # lazy: importing umap-learn compiles numba code and costs seconds

    n_neighbors = min(settings.umap_n_neighbors, data.shape[0] - 1)
    precomputed = None
    if knn is not None:
        # UMAP's own graph lists each point first, at distance 0.
        indices, distances = knn[0][:, : n_neighbors - 1], knn[1][:, : n_neighbors - 1]
        own = np.arange(len(indices), dtype=indices.dtype)[:, None]
        precomputed = (np.hstack([own, indices]), np.hstack([np.zeros_like(own, dtype=np.float32), distances]))
    reducer = umap.UMAP(
        n_components=dims,
        n_neighbors=n_neighbors,
        min_dist=settings.umap_min_dist,
        metric="cosine",
        random_state=seed,
        precomputed_knn=precomputed or (None, None, None),
    )
    with warnings.catch_warnings():
        # A fixed random_state makes UMAP single-threaded and it warns about it; the
        # reproducible map is what we want.
        warnings.filterwarnings("ignore", message=".*n_jobs value .* overridden.*")
        # A precomputed graph cannot place new points later; the build never asks it to.
        warnings.filterwarnings("ignore", message=".*knn_search_index.*")
        return reducer.fit_transform(data)


def _map_neighbours(coords: np.ndarray, rows: np.ndarray, k: int) -> np.ndarray:
    """Indices (len(rows), k) of the k nearest other points of ``rows`` on the map.

    Padded with -1 when the map has fewer than k other points. A point is dropped
    from its own list even when duplicates of it come first.
    """
    n_points = coords.shape[0]
    n_query = min(k + 1, n_points)
    finder = NearestNeighbors(n_neighbors=n_query).fit(coords)
    found = finder.kneighbors(coords[rows], return_distance=False)
    is_self = found == rows[:, None]
    # Drop self where it was found, else the farthest of the k + 1.
    drop = np.where(is_self.any(axis=1), is_self.argmax(axis=1), n_query - 1)
    keep = np.ones_like(found, dtype=bool)
    keep[np.arange(found.shape[0]), drop] = False
    near = found[keep].reshape(found.shape[0], n_query - 1)
    if near.shape[1] < k:
        near = np.hstack([near, np.full((near.shape[0], k - near.shape[1]), -1, near.dtype)])
    return near


def _normalise_rows(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.where(norms > 0, norms, 1.0).astype(matrix.dtype)


def _check_same_rows(first: np.ndarray, first_name: str, second: np.ndarray, second_name: str) -> None:
    if first.shape[0] != second.shape[0]:
        raise ArtifactError(
            f"{first_name} has {first.shape[0]} rows but {second_name} has {second.shape[0]}; "
            "both must describe the same catalog rows"
        )


def _report(progress: Progress | None, fraction: float, message: str) -> None:
    if progress is not None:
        progress(min(max(fraction, 0.0), 1.0), message)


def _scaled(progress: Progress | None, start: float, end: float) -> Progress | None:
    """A progress callback mapping [0, 1] onto [start, end] of ``progress``."""
    if progress is None:
        return None
    return lambda fraction, message: progress(start + (end - start) * fraction, message)


def _exact_rows(data: np.ndarray, rows: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The exact k nearest other rows of ``rows`` (indices, similarities), as :func:`knn_block`."""
    from recommender.neighbours import _top_k_of_block

    similarity = data[rows] @ data.T
    similarity[np.arange(len(rows)), rows] = -np.inf
    return _top_k_of_block(similarity, k)
