"""Top-k neighbours by dot-product similarity on sparse vectors, in bounded memory.

Two searches give the same kind of result, ``(index, scores)`` of shape (N, k):

- :func:`top_neighbours`, exact: rows are multiplied against the whole catalog in
  blocks (at most ``max_block_cells`` dense cells at a time) and only each row's top k
  are kept. It compares every pair, so its time grows as N^2 (100,000 films: 270 s).
- :func:`pruned_top_neighbours`, for large catalogs. The columns in more than 5 % of
  the films (era, language and rating terms, common genres: about 80-95 columns, half
  of a film's terms and most of its similarity) form a dense part; the films are
  clustered on it with k-means (about ``cluster_size`` films per cluster, stored
  cluster by cluster). Each film is scored **exactly** against every film of the
  ``probes`` clusters whose centres have the largest product with *its own* dense
  part: their dense products (contiguous rows) plus their sparse products, read from
  the full postings of its other terms restricted to those clusters. Its other terms'
  postings, truncated by impact (each term keeps its P films of largest weight, P
  chosen so that this costs about ``work_per_row`` multiply-adds per film), reach
  further films; the ``reached`` best of those by partial sparse score plus the film's
  product with their cluster's centre (an estimate of their dense product that costs
  no memory access) are scored exactly too, and the top k of all kept. Its time grows
  about as N x (``probes`` x ``cluster_size`` + ``work_per_row``) plus the clustering.
  Without frequent columns only the postings generate candidates (the search before
  the era, language and rating terms existed: with them, its truncated postings of
  those terms reach the same heaviest films for every query, recall@10 0.06 on
  100,000 films).

:func:`search_neighbours` picks one by catalog size; :func:`recall_at_k` measures the
pruned search against the exact one on a seeded sample of films (the build stores it in
the manifest). The pruned search runs block by block through a pure function
(:func:`probed_block`, :func:`pruned_block`), so a distributed engine can run the blocks (see
:mod:`recommender.distributed`). Zero-similarity movies are not neighbours; a row with
fewer than k neighbours is padded with index -1 and score 0. A movie is never its own
neighbour. Ties are broken by the lower index.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from recommender.errors import ConfigError

Progress = Callable[[float, str], None]
# Columns in more than this share of the rows are multiplied as dense arrays.
DENSE_SHARE = 0.05
# Rows start:stop -> a (stop - start, N) array added to their similarities to order them.
ExtraTerm = Callable[[int, int], np.ndarray]
# The same term for given pairs only: rows (r,) and their listed films (r, k) -> (r, k).
PairTerm = Callable[[np.ndarray, np.ndarray], np.ndarray]
# Runs ``function(*shared, start, stop)`` for each block and yields the results in
# order; the default runs them here, recommender.distributed on a Dask cluster.
BlockRunner = Callable[[Callable, tuple, list[tuple[int, int]]], Iterator]


def _top_k_of_block(block: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Indices and scores of the k largest entries of each row, best first.

    Ties are broken by the lower column index so results are deterministic.
    """
    n_rows, n_cols = block.shape
    k_eff = min(k, n_cols)
    if k_eff < n_cols:
        part = np.argpartition(-block, k_eff - 1, axis=1)[:, :k_eff]
    else:
        part = np.tile(np.arange(n_cols), (n_rows, 1))
    part_scores = np.take_along_axis(block, part, axis=1)
    order = np.lexsort((part, -part_scores), axis=1)
    index = np.take_along_axis(part, order, axis=1)
    scores = np.take_along_axis(part_scores, order, axis=1)
    return index, scores


def run_blocks_here(function: Callable, shared: tuple, blocks: list[tuple[int, int]]) -> Iterator:
    """The default :data:`BlockRunner`: every block in this process, in order."""
    for start, stop in blocks:
        yield function(*shared, start, stop)


def block_threads(workers: int) -> BlockRunner:
    """A :data:`BlockRunner` running up to ``workers`` blocks at once in threads of this
    process (the pruned search's compiled kernels release the GIL), yielding the
    results in the blocks' order: the same results as :func:`run_blocks_here`."""

    def run(function: Callable, shared: tuple, blocks: list[tuple[int, int]]) -> Iterator:
        if workers <= 1:
            yield from run_blocks_here(function, shared, blocks)
            return
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="neighbour-blocks") as pool:
            yield from pool.map(lambda block: function(*shared, *block), blocks)

    return run


def _blocks(n: int, step: int) -> list[tuple[int, int]]:
    return [(start, min(n, start + step)) for start in range(0, n, step)]


def exact_rows(
    vectors: sp.csr_matrix, transposed: sp.spmatrix, rows: np.ndarray, k: int
) -> tuple[np.ndarray, np.ndarray]:
    """Exact top-k neighbours of the films ``rows`` (int array) against every film.

    ``transposed`` is ``vectors.T``, best as CSR (terms x films): any other format is
    turned into CSR by scipy's product on every call, a copy of all the vectors (0.5 GB
    and about a second at 1,000,000 films). Memory is len(rows) x N dense cells: the
    caller bounds len(rows). Returns int32/float32 (len(rows), k), padded with -1/0.
    """
    rows = np.asarray(rows, dtype=np.int64)
    index = np.full((len(rows), k), -1, dtype=np.int32)
    scores = np.zeros((len(rows), k), dtype=np.float32)
    if len(rows) == 0:
        return index, scores
    block = (vectors[rows] @ transposed).toarray()
    block[np.arange(len(rows)), rows] = -np.inf  # never itself
    block_index, block_scores = _top_k_of_block(block, k)
    keep = block_scores > 0
    width = block_index.shape[1]
    index[:, :width] = np.where(keep, block_index, -1)
    scores[:, :width] = np.where(keep, block_scores, 0.0)
    return index, scores


def _empty_lists(vectors: sp.csr_matrix, k: int) -> tuple[sp.csr_matrix, np.ndarray, np.ndarray]:
    """``vectors`` as float32 CSR and the (N, k) neighbour lists to fill: index -1 and
    score 0 everywhere. Raises :class:`ConfigError` for k < 1."""
    if k < 1:
        raise ConfigError(f"k must be >= 1, got {k}")
    vectors = sp.csr_matrix(vectors, dtype=np.float32)
    n = vectors.shape[0]
    return vectors, np.full((n, k), -1, dtype=np.int32), np.zeros((n, k), dtype=np.float32)


def top_neighbours(
    vectors: sp.csr_matrix,
    k: int,
    *,
    chunk_rows: int = 2048,
    max_block_cells: int = 20_000_000,
    progress: Progress | None = None,
    extra: ExtraTerm | None = None,
    dense_share: float = DENSE_SHARE,
) -> tuple[np.ndarray, np.ndarray]:
    """Top-k neighbours of every row of ``vectors`` (N x V; a dot product of two rows is
    their similarity).

    Returns ``(index, scores)``: int32 and float32 arrays of shape (N, k), best first
    by similarity, or by similarity + ``extra`` when given (``scores`` are always the
    similarities); index -1 / score 0 where fewer than k movies have a positive
    similarity. Memory is O(N k + block), never O(N^2). Columns in more than
    ``dense_share`` of the rows are multiplied densely (:func:`split_dense_columns`).
    """
    vectors, index, scores = _empty_lists(vectors, k)
    n = vectors.shape[0]
    if n == 0:
        return index, scores
    from threadpoolctl import threadpool_limits  # build time only, like this function

    sparse_part, dense_part = split_dense_columns(vectors, dense_share)
    transposed = sparse_part.T.tocsc()
    dense_transposed = np.ascontiguousarray(dense_part.T) if dense_part is not None else None
    step = max(1, min(chunk_rows, max_block_cells // max(n, 1)))
    # The dense products are small (a block of rows by a few columns): BLAS threads
    # only spin, and with the build's searches running in parallel threads they
    # oversubscribe the cores (3.7 s instead of 1.3 s on the full TMDB data).
    with threadpool_limits(limits=1, user_api="blas"):
        _search_blocks(sparse_part, transposed, dense_part, dense_transposed, k, step, extra, progress, index, scores)
    return index, scores


def _search_blocks(
    sparse_part: sp.csr_matrix,
    transposed: sp.csc_matrix,
    dense_part: np.ndarray | None,
    dense_transposed: np.ndarray | None,
    k: int,
    step: int,
    extra: ExtraTerm | None,
    progress: Progress | None,
    index: np.ndarray,
    scores: np.ndarray,
) -> None:
    """Fill ``index`` and ``scores`` block by block (see :func:`top_neighbours`)."""
    n = sparse_part.shape[0]
    for start in range(0, n, step):
        stop = min(n, start + step)
        block = (sparse_part[start:stop] @ transposed).toarray()
        if dense_part is not None:
            block += dense_part[start:stop] @ dense_transposed
        block[np.arange(stop - start), np.arange(start, stop)] = -np.inf  # never itself
        if extra is None:
            block_index, block_scores = _top_k_of_block(block, k)
        else:
            ranked = np.where(block > 0, block + extra(start, stop), -np.inf)
            block_index, _ = _top_k_of_block(ranked, k)
            block_scores = np.take_along_axis(block, block_index, axis=1)
        keep = block_scores > 0
        width = block_index.shape[1]
        index[start:stop, :width] = np.where(keep, block_index, -1)
        scores[start:stop, :width] = np.where(keep, block_scores, 0.0)
        if progress is not None:
            progress(stop / n, f"neighbours {stop:,}/{n:,}")


def split_dense_columns(vectors: sp.csr_matrix, share: float = DENSE_SHARE) -> tuple[sp.csr_matrix, np.ndarray | None]:
    """``vectors`` as a sparse part and a dense (N, d) part of its columns present in
    more than ``share`` of the rows (era, language and rating terms, genres): their
    products are dense anyway, and a dense product of a few columns is far cheaper
    than a sparse one producing nearly N^2 entries. The two parts' products sum to the
    whole product. ``None`` for the dense part when no column is that frequent."""
    vectors = sp.csr_matrix(vectors)
    n = vectors.shape[0]
    df = np.bincount(vectors.indices, minlength=vectors.shape[1])
    frequent = df > share * n
    if n < 2 or not frequent.any():
        return vectors, None
    # Columns picked straight from the rows (no CSC copy of the whole matrix, which
    # with both vectorizers' searches in parallel held two extra copies at once); each
    # row's columns sorted as the CSC route left them, so every product is unchanged.
    dense = vectors[:, np.where(frequent)[0]].toarray()
    rest = vectors[:, np.where(~frequent)[0]]
    rest.sort_indices()
    return rest, dense


def postings_per_term(vectors: sp.csr_matrix, work_per_row: int) -> int:
    """How many films each term's truncated postings keep: the largest P for which
    generating candidates (each film's terms times their kept postings, the sum of
    df x min(df, P) over the terms) costs at most ``work_per_row`` x N multiply-adds;
    at least 1."""
    n, n_terms = vectors.shape
    df = np.bincount(vectors.indices, minlength=n_terms).astype(np.float64)
    if n == 0 or not df.any():
        return 1
    df_sorted = np.sort(df)
    # cost(P) = sum_{df <= P} df^2 + P * sum_{df > P} df, increasing in P; bisect it.
    squares, totals = np.cumsum(df_sorted**2), np.cumsum(df_sorted)

    def cost(limit: int) -> float:
        below = int(np.searchsorted(df_sorted, limit, side="right"))
        small = squares[below - 1] if below else 0.0
        return float(small + limit * (totals[-1] - (totals[below - 1] if below else 0.0)))

    low, high = 1, int(df_sorted[-1])
    budget = float(work_per_row) * n
    while low < high:
        middle = (low + high + 1) // 2
        low, high = (middle, high) if cost(middle) <= budget else (low, middle - 1)
    return low


def impact_postings(vectors: sp.csr_matrix, per_term: int) -> sp.csr_matrix:
    """Each term's postings (terms x films CSR) truncated to its ``per_term`` films of
    largest weight (ties: the lower film index), the films sorted by index."""
    from recommender.pruned_kernel import truncate_postings  # numba: build time only

    transposed = sp.csr_matrix(vectors.T, dtype=np.float32)
    transposed.sort_indices()
    indptr, indices, data = truncate_postings(transposed.indptr, transposed.indices, transposed.data, per_term)
    return sp.csr_matrix((data, indices, indptr), shape=transposed.shape)


def pruned_block(
    vectors: sp.csr_matrix,
    postings: sp.csr_matrix,
    transposed: sp.csr_matrix,
    k: int,
    candidates: int,
    start: int,
    stop: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Top-k neighbours of rows ``start:stop`` among their candidates.

    ``postings`` is :func:`impact_postings` of ``vectors`` and ``transposed`` the full
    transpose (CSR). Returns ``(index, scores, short)``: the (rows, k) arrays as
    :func:`top_neighbours` and a bool per row, True where the film had fewer than k
    candidates and was searched exactly.
    """
    from recommender.pruned_kernel import pruned_rows  # numba: build time only

    return pruned_rows(
        start, stop, vectors.indptr, vectors.indices, vectors.data,
        postings.indptr, postings.indices, postings.data,
        transposed.indptr, transposed.indices, transposed.data,
        vectors.shape[1], k, candidates,
    )


def pruned_top_neighbours(
    vectors: sp.csr_matrix,
    k: int,
    *,
    candidates: int = 300,
    work_per_row: int = 3_000,
    chunk_rows: int = 256,
    progress: Progress | None = None,
    run_blocks: BlockRunner = run_blocks_here,
    probes: int = 32,
    cluster_size: int = 256,
    dense_share: float = DENSE_SHARE,
    seed: int = 0,
    reached: int = 30,
) -> tuple[np.ndarray, np.ndarray]:
    """Approximate top-k neighbours of every row (see the module docstring).

    Same output as :func:`top_neighbours`; every returned score is exact, but a true
    neighbour outside the film's candidates is missed (measure it with
    :func:`recall_at_k`). Films with fewer than k candidates are searched exactly.

    Columns in more than ``dense_share`` of the films (era, language, rating, common
    genres) make a dense part: the films are clustered on it (:func:`dense_clusters`)
    and each is scored against every film of its ``probes`` nearest clusters by its
    own product with their centres, and against the ``reached`` most promising other
    films its truncated postings reach (:func:`probed_block`). Without frequent
    columns, only the postings generate candidates and the best ``candidates`` (>= k)
    by partial score are rescored (:func:`pruned_block`). Memory: the vectors plus
    their sparse part twice (by film, and as postings by position), the dense part
    (N x about 80 float32) and O(N) per running block.
    """
    vectors, index, scores = _empty_lists(vectors, k)
    if candidates < k:
        raise ConfigError(f"candidates must be >= k ({k}), got {candidates}")
    n = vectors.shape[0]
    if n == 0:
        return index, scores
    sparse_part, dense_part = split_dense_columns(vectors, dense_share)
    if dense_part is None:
        postings = impact_postings(vectors, postings_per_term(vectors, work_per_row))
        blocks = _blocks(n, max(1, chunk_rows))
        shared: tuple = (vectors, postings, sp.csr_matrix(vectors.T), k, candidates)
        for (start, stop), (block_index, block_scores, _) in zip(blocks, run_blocks(pruned_block, shared, blocks)):
            index[start:stop], scores[start:stop] = block_index, block_scores
            if progress is not None:
                progress(stop / n, f"neighbours {stop:,}/{n:,}")
        return index, scores
    sparse_part = sp.csr_matrix(sparse_part, dtype=np.float32)
    dense = np.ascontiguousarray(dense_part, dtype=np.float32)
    del dense_part
    order, bounds, centres = dense_clusters(dense, cluster_size, seed)
    dense = dense[order]  # position order: each cluster's films contiguous
    position_of = np.empty(n, dtype=np.int64)
    position_of[order] = np.arange(n)
    cluster_of = np.repeat(np.arange(len(bounds) - 1, dtype=np.int32), np.diff(bounds))
    member_postings = _postings_by_position(sparse_part, position_of)
    postings = impact_postings(sparse_part, postings_per_term(sparse_part, work_per_row))
    postings.indices = position_of[postings.indices].astype(np.int32)
    blocks = _cluster_blocks(bounds, max(1, chunk_rows) * 8)
    shared = (vectors, sparse_part, dense, order, cluster_of, bounds, centres, member_postings, postings,
              min(max(1, probes), len(bounds) - 1), k, reached)
    done = 0
    short_rows = []
    for (start, stop), (rows, block_index, block_scores, short) in zip(blocks, run_blocks(probed_block, shared, blocks)):
        index[rows], scores[rows] = block_index, block_scores
        short_rows.append(rows[short])
        done += len(rows)
        if progress is not None:
            progress(done / n, f"neighbours {done:,}/{n:,}")
    _search_exactly(vectors, np.concatenate(short_rows), k, index, scores)
    return index, scores


def _postings_by_position(sparse_part: sp.csr_matrix, position_of: np.ndarray) -> sp.csr_matrix:
    """Full postings (terms x positions CSR, each term's positions sorted) of ``sparse_part``."""
    columns = sp.csc_matrix(sparse_part)
    by_position = sp.csr_matrix(
        (columns.data, position_of[columns.indices].astype(np.int32), columns.indptr), shape=sparse_part.shape[::-1]
    )
    by_position.sort_indices()
    return by_position


def _search_exactly(vectors: sp.csr_matrix, rows: np.ndarray, k: int, index: np.ndarray, scores: np.ndarray) -> None:
    """The exact top k of the films ``rows`` (few: those with fewer than k candidates)."""
    for start in range(0, len(rows), 64):
        chunk = rows[start : start + 64]
        block = (vectors @ vectors[chunk].T).T.toarray()
        block[np.arange(len(chunk)), chunk] = -np.inf
        block_index, block_scores = _top_k_of_block(block, k)
        keep = block_scores > 0
        width = block_index.shape[1]
        index[chunk] = -1
        scores[chunk] = 0.0
        index[chunk, :width] = np.where(keep, block_index, -1)
        scores[chunk, :width] = np.where(keep, block_scores, 0.0)


def dense_clusters(dense: np.ndarray, cluster_size: int, seed: int, max_clusters: int = 4096) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The films grouped by k-means on their dense part: ``order`` (the films, cluster
    by cluster), ``bounds`` (cluster c's films are ``order[bounds[c]:bounds[c + 1]]``, no
    cluster empty) and ``centres`` (each cluster's mean dense row, float32). About N /
    ``cluster_size`` clusters (at most ``max_clusters``), trained on a seeded sample of
    32 films per cluster."""
    n = dense.shape[0]
    n_clusters = int(np.clip(n // max(1, cluster_size), 1, max_clusters))
    if n_clusters == 1:
        assign = np.zeros(n, dtype=np.int64)
    else:
        from sklearn.cluster import KMeans  # build time only
        from threadpoolctl import threadpool_limits

        rng = np.random.default_rng(seed)
        sample = np.sort(rng.choice(n, min(n, 32 * n_clusters), replace=False))
        # One thread: the build runs the vectorizers' searches in parallel threads.
        with threadpool_limits(limits=1):
            model = KMeans(n_clusters, init="random", n_init=1, max_iter=10, random_state=seed).fit(dense[sample])
        trained = model.cluster_centers_.astype(np.float32)
        squares = (trained * trained).sum(axis=1)
        assign = np.concatenate(
            [np.argmin(squares[None, :] - 2 * dense[s : s + 8192] @ trained.T, axis=1) for s in range(0, n, 8192)]
        )
    _, assign = np.unique(assign, return_inverse=True)  # no empty cluster
    order = np.argsort(assign, kind="stable")
    bounds = np.searchsorted(assign[order], np.arange(assign.max() + 2))
    sizes = np.diff(bounds)
    centres = np.add.reduceat(dense[order], bounds[:-1], axis=0, dtype=np.float64) / sizes[:, None]
    return order.astype(np.int64), bounds.astype(np.int64), centres.astype(np.float32)


def _cluster_blocks(bounds: np.ndarray, rows_per_block: int) -> list[tuple[int, int]]:
    """Consecutive clusters grouped into blocks of at least ``rows_per_block`` films."""
    blocks, start = [], 0
    for cluster in range(len(bounds) - 1):
        if bounds[cluster + 1] - bounds[start] >= rows_per_block:
            blocks.append((start, cluster + 1))
            start = cluster + 1
    if start < len(bounds) - 1:
        blocks.append((start, len(bounds) - 1))
    return blocks


def probed_block(
    vectors: sp.csr_matrix,
    sparse_part: sp.csr_matrix,
    dense: np.ndarray,
    order: np.ndarray,
    cluster_of: np.ndarray,
    bounds: np.ndarray,
    centres: np.ndarray,
    member_postings: sp.csr_matrix,
    postings: sp.csr_matrix,
    probes: int,
    k: int,
    reached: int,
    start: int,
    stop: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Top-k neighbours of the films of clusters ``start:stop`` (see
    :func:`dense_clusters`): returns ``(films, index, scores, short)``, the other arrays
    in the order of ``films``; ``short`` marks films with fewer than k candidates, whose
    lists the caller computes exactly."""
    from recommender.pruned_kernel import nearest_clusters, probed_rows  # numba: build time only

    positions = np.arange(bounds[start], bounds[stop])
    centre_products = dense[positions] @ centres.T
    probed = nearest_clusters(centre_products, min(probes, len(centres)))
    block_index, block_scores, short = probed_rows(
        positions, probed, centre_products, order, cluster_of, bounds, dense,
        vectors.indptr, vectors.indices, vectors.data, sparse_part.indptr, sparse_part.indices, sparse_part.data,
        member_postings.indptr, member_postings.indices, member_postings.data,
        postings.indptr, postings.indices, postings.data, vectors.shape[1], k, reached,
    )
    return order[positions], block_index, block_scores, short


@dataclass(frozen=True)
class SearchReport:
    """How a build found its neighbours: ``method`` ("exact" or "pruned"), and for the
    pruned search its recall@k against the exact search on ``recall_sample`` films."""

    method: str
    recall_k: int | None = None
    recall: float | None = None
    recall_sample: int | None = None

    def to_dict(self) -> dict[str, object]:
        return {key: value for key, value in self.__dict__.items() if value is not None}


def recall_at_k(
    vectors: sp.csr_matrix,
    index: np.ndarray,
    k: int,
    sample: int,
    seed: int,
    max_block_cells: int = 20_000_000,
    workers: int = 1,
) -> tuple[float, int]:
    """Recall@k of neighbour lists ``index`` (N, >=k) against the exact search.

    On a seeded sample of ``sample`` films (all if fewer), each film's exact top k is
    computed; a listed neighbour counts as found when its exact similarity is at least
    the k-th exact similarity (so ties at the boundary count either way). Returns
    ``(recall, films used)``; recall is 1.0 when no sampled film has any neighbour.
    ``workers`` threads compute chunks of the sample at once (scipy's sparse product
    releases the GIL), holding at most ``max_block_cells`` dense cells together; the
    result does not depend on it.
    """
    vectors = sp.csr_matrix(vectors, dtype=np.float32)
    n = vectors.shape[0]
    rows = np.arange(n) if sample >= n else np.sort(np.random.default_rng(seed).choice(n, sample, replace=False))
    # Terms x films as CSR, once: what scipy made of ``vectors.T`` on every chunk before
    # (the same products, summed in the same order).
    transposed = sp.csr_matrix(vectors.T)
    workers = max(1, workers)
    step = max(1, max_block_cells // max(n * workers, 1))

    def counts(begin: int) -> tuple[int, int]:
        chunk = rows[begin : begin + step]
        _, truth = exact_rows(vectors, transposed, chunk, k)
        listed = np.asarray(index[chunk, :k], dtype=np.int64)
        listed_scores = np.asarray(
            [similarities_of(vectors, row, listed_row) for row, listed_row in zip(chunk, listed)]
        )
        threshold = truth[:, k - 1 : k]  # the k-th exact score (0 when fewer than k exist)
        valid = listed >= 0
        found = int((valid & (listed_scores >= threshold - 1e-6) & (listed_scores > 0)).sum())
        return found, int((truth > 0).sum())

    starts = range(0, len(rows), step)
    if workers > 1 and len(starts) > 1:
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="recall") as pool:
            results = list(pool.map(counts, starts))
    else:
        results = [counts(begin) for begin in starts]
    found, wanted = sum(f for f, _ in results), sum(w for _, w in results)
    return (found / wanted if wanted else 1.0), len(rows)


def similarities_of(vectors: sp.csr_matrix, row: int, others: Iterable[int]) -> np.ndarray:
    """Exact cosine similarity of film ``row`` to each of ``others`` (-1 gives 0)."""
    others = np.asarray(list(others), dtype=np.int64)
    result = np.zeros(len(others), dtype=np.float32)
    valid = others >= 0
    if valid.any():
        result[valid] = np.asarray((vectors[others[valid]] @ vectors[row].T).toarray()).ravel()
    return result


def search_neighbours(
    vectors: sp.csr_matrix,
    k: int,
    *,
    exact_max_films: int,
    candidates: int,
    work_per_row: int,
    recall_k: int,
    recall_sample: int,
    seed: int,
    chunk_rows: int,
    max_block_cells: int,
    progress: Progress | None = None,
    run_blocks: BlockRunner = run_blocks_here,
    extra: ExtraTerm | None = None,
    probes: int = 32,
    cluster_size: int = 256,
    reached: int = 30,
    extra_pairs: PairTerm | None = None,
    recall_workers: int = 1,
) -> tuple[np.ndarray, np.ndarray, SearchReport]:
    """The exact search up to ``exact_max_films`` films, else the pruned one with its
    recall@``recall_k`` measured on ``recall_sample`` films. Returns (index, scores, report).

    ``extra`` orders the lists as in :func:`top_neighbours`. The pruned search finds
    each film's top k by similarity and then orders those k by similarity + ``extra``
    (the exact search orders every film by it); its recall is that of the top k by
    similarity. The exact search runs here; the pruned one's blocks through ``run_blocks``,
    its recall check in ``recall_workers`` threads.
    """
    n = vectors.shape[0]
    if n <= exact_max_films:
        index, scores = top_neighbours(
            vectors, k, chunk_rows=chunk_rows, max_block_cells=max_block_cells, progress=progress, extra=extra
        )
        return index, scores, SearchReport("exact")
    index, scores = pruned_top_neighbours(
        vectors, k, candidates=max(candidates, k), work_per_row=work_per_row, chunk_rows=chunk_rows,
        progress=progress, run_blocks=run_blocks, probes=probes, cluster_size=cluster_size, seed=seed,
        reached=reached,
    )
    recall, used = recall_at_k(vectors, index, min(recall_k, k), recall_sample, seed, max_block_cells, recall_workers)
    if extra is not None:
        index, scores = _reorder(index, scores, extra, chunk_rows, extra_pairs, copy=False)  # ours: no copy
    return index, scores, SearchReport("pruned", min(recall_k, k), round(recall, 4), used)


def _reorder(
    index: np.ndarray,
    scores: np.ndarray,
    extra: ExtraTerm,
    chunk_rows: int,
    extra_pairs: PairTerm | None = None,
    *,
    copy: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """Each row's listed neighbours ordered by score + ``extra`` (ties: lower index);
    padding stays last. ``extra_pairs``, when given, computes the same values for the
    listed pairs only (``extra`` computes rows x N: quadratic, about 90 s of CPU per
    vectorizer at 100,000 films and hours at 1,000,000). ``copy=False`` reorders the
    given arrays in place (two N x k arrays fewer: 0.8 GB per vectorizer at 1,000,000
    films with k = 100)."""
    if copy:
        index, scores = index.copy(), scores.copy()
    step = max(1, chunk_rows) if extra_pairs is None else 65_536
    for start in range(0, len(index), step):
        stop = min(len(index), start + step)
        rows = index[start:stop]
        valid = rows >= 0
        if extra_pairs is None:
            added = np.take_along_axis(extra(start, stop), np.where(valid, rows, 0), axis=1)
        else:
            added = extra_pairs(np.arange(start, stop), rows)
        ranked = np.where(valid, scores[start:stop] + added, -np.inf)
        order = np.lexsort((np.where(valid, rows, np.iinfo(np.int32).max), -ranked), axis=1)
        index[start:stop] = np.take_along_axis(rows, order, axis=1)
        scores[start:stop] = np.take_along_axis(scores[start:stop], order, axis=1)
    return index, scores


def similarities(vectors: sp.csr_matrix, row: int) -> np.ndarray:
    """Exact cosine similarity of movie ``row`` to every movie (float32, length N)."""
    return np.asarray((vectors @ vectors[row].T).toarray()).ravel().astype(np.float32)


def exact_neighbours(
    vectors: sp.csr_matrix, row: int, k: int, mask: np.ndarray | None = None, extra: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """The top-k neighbours of one movie, computed exactly on demand for any k.

    ``mask`` (bool, length N) restricts the candidates; ``extra`` (length N), when
    given, is added to the similarities to order them. Returns (index, similarities)
    of the movies with positive similarity, best first, at most k of them.
    """
    sims = similarities(vectors, row)
    sims[row] = -np.inf
    if mask is not None:
        sims = np.where(mask, sims, -np.inf)
    if extra is None:
        index, scores = _top_k_of_block(sims[None, :], k)
    else:
        ranked = np.where(sims > 0, sims + extra, -np.inf)
        index, _ = _top_k_of_block(ranked[None, :], k)
        scores = sims[index]
    keep = scores[0] > 0
    return index[0][keep].astype(np.int32), scores[0][keep]
