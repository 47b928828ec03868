"""Top-k cosine neighbours on sparse, L2-normalised vectors, in bounded memory.

The similarity matrix is never built whole: rows are multiplied against the
catalog in blocks (at most ``max_block_cells`` dense cells at a time) and only each
row's top k neighbours are kept. Zero-similarity movies are not neighbours; a row
with fewer than k neighbours is padded with index -1 and score 0. A movie is never
its own neighbour.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import scipy.sparse as sp

from recommender.errors import ConfigError

Progress = Callable[[float, str], None]
# Columns in more than this share of the rows are multiplied as dense arrays.
DENSE_SHARE = 0.05
# Rows start:stop -> a (stop - start, N) array added to their similarities to order them.
ExtraTerm = Callable[[int, int], np.ndarray]


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
    if k < 1:
        raise ConfigError(f"k must be >= 1, got {k}")
    vectors = sp.csr_matrix(vectors, dtype=np.float32)
    n = vectors.shape[0]
    index = np.full((n, k), -1, dtype=np.int32)
    scores = np.zeros((n, k), dtype=np.float32)
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
    columns = sp.csc_matrix(vectors)
    dense = columns[:, np.where(frequent)[0]].toarray()
    rest = sp.csr_matrix(columns[:, np.where(~frequent)[0]])
    return rest, dense


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
