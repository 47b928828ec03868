"""The compiled inner loop of the pruned neighbour search (numba, build time only).

Kept apart from :mod:`recommender.neighbours` because importing numba costs about a
second and the serving path (which imports ``neighbours`` for on-demand queries) must
not pay it. Two kernels, each handling a block of rows:

- :func:`probed_rows` (catalogs with frequent columns): each film scored exactly
  against the films of its probed clusters and the most promising films its truncated
  postings reach (see the function);
- :func:`pruned_rows` (postings only): partial scores accumulated over the truncated
  postings of the film's terms (a dense accumulator of length N, reset after each
  film), the best ``candidates`` by that partial score scored exactly against the
  film's full row, the top k kept. A film with fewer than k candidates is scored
  exactly against every film that shares any term with it.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(nogil=True, cache=True)
def _accumulate(row, indptr_q, indices_q, data_q, t_indptr, t_indices, t_data, acc, touched):
    """Add row ``row``'s products with every posting of its terms (query rows given by
    ``indptr_q/indices_q/data_q``; postings by the transposed CSR ``t_*``). Returns the
    number of films touched; their indices are ``touched[:m]``."""
    m = 0
    for p in range(indptr_q[row], indptr_q[row + 1]):
        term = indices_q[p]
        weight = data_q[p]
        for q in range(t_indptr[term], t_indptr[term + 1]):
            film = t_indices[q]
            if acc[film] == 0.0:
                touched[m] = film
                m += 1
            acc[film] += weight * t_data[q]
    return m


@njit(nogil=True, cache=True)
def _collect(row, m, acc, touched):
    """The films of ``touched[:m]`` other than ``row`` whose accumulated score is
    positive, and those scores (int64, float64); resets ``acc`` of all ``m`` films."""
    found = np.empty(m, dtype=np.int64)
    values = np.empty(m, dtype=np.float64)
    c = 0
    for i in range(m):
        film = touched[i]
        if film != row and acc[film] > 0.0:
            found[c] = film
            values[c] = acc[film]
            c += 1
        acc[film] = 0.0
    return found[:c], values[:c]


@njit(nogil=True, cache=True)
def _write_top_k(out_index, out_score, r, found, exact, k):
    """Row ``r`` of the outputs: the best k of ``found`` by ``exact`` (positive only;
    ties keep the order of ``found``, which callers sort by index)."""
    order = np.argsort(-exact, kind="mergesort")
    kept = 0
    for i in order:
        if kept == k or exact[i] <= 0.0:
            break
        out_index[r, kept] = found[i]
        out_score[r, kept] = exact[i]
        kept += 1


@njit(nogil=True, cache=True)
def pruned_rows(
    start, stop, indptr, indices, data, p_indptr, p_indices, p_data, t_indptr, t_indices, t_data, n_terms, k,
    candidates,
):
    """Top-k (index int32, score float32, short bool) of rows ``start:stop``.

    ``indptr/indices/data``: the vectors (CSR, films x terms); ``p_*``: the truncated
    postings (CSR, terms x films: each term's heaviest films); ``t_*``: the full
    transpose, used only for films with fewer than k candidates (``short``), which are
    searched exactly. ``candidates == 0`` searches every row exactly.
    """
    n = len(indptr) - 1
    rows = stop - start
    out_index = np.full((rows, k), -1, dtype=np.int32)
    out_score = np.zeros((rows, k), dtype=np.float32)
    short = np.zeros(rows, dtype=np.bool_)
    acc = np.zeros(n, dtype=np.float64)
    touched = np.empty(n, dtype=np.int64)
    dense = np.zeros(n_terms, dtype=np.float64)
    for row in range(start, stop):
        m = _accumulate(row, indptr, indices, data, p_indptr, p_indices, p_data, acc, touched)
        found, partial = _collect(row, m, acc, touched)  # itself dropped, positive partial scores only
        c = len(found)
        exhaustive = c < k or candidates == 0
        if exhaustive:
            # Too few candidates: score every film sharing any term (exact).
            short[row - start] = True
            m = _accumulate(row, indptr, indices, data, t_indptr, t_indices, t_data, acc, touched)
            found, exact = _collect(row, m, acc, touched)
        else:
            if c > candidates:
                # The best `candidates` by partial score in O(c): everything above the
                # candidates-th largest value, then ties at it by the lower index.
                cut = -np.partition(-partial, candidates - 1)[candidates - 1]
                above = partial > cut
                need = candidates - int(above.sum())
                tied = np.sort(found[partial == cut])[:need]
                found = np.sort(np.concatenate((found[above], tied)))
            for p in range(indptr[row], indptr[row + 1]):
                dense[indices[p]] = data[p]
            exact = np.zeros(len(found), dtype=np.float64)
            for i in range(len(found)):
                film = found[i]
                total = 0.0
                for p in range(indptr[film], indptr[film + 1]):
                    total += data[p] * dense[indices[p]]
                exact[i] = total
            for p in range(indptr[row], indptr[row + 1]):
                dense[indices[p]] = 0.0
        by_index = np.argsort(found)
        _write_top_k(out_index, out_score, row - start, found[by_index], exact[by_index], k)
    return out_index, out_score, short


@njit(nogil=True, cache=True, fastmath=True)
def _dot(a, b):
    """Dot product of two float32 vectors (vectorised: ``fastmath``)."""
    total = np.float32(0.0)
    for j in range(len(a)):
        total += a[j] * b[j]
    return total


@njit(nogil=True, cache=True)
def _range_start(values, low, high, target):
    """The first position in ``values[low:high]`` (sorted) holding a value >= ``target``."""
    while low < high:
        middle = (low + high) >> 1
        if values[middle] < target:
            low = middle + 1
        else:
            high = middle
    return low


@njit(nogil=True, cache=True)
def probed_rows(
    positions, probes, centre_products, order, cluster_of, bounds, dense, indptr, indices, data,
    s_indptr, s_indices, s_data, m_indptr, m_indices, m_data, p_indptr, p_indices, p_data, n_terms, k, reached,
):
    """Top-k (film index int32, score float32, short bool) of the films at ``positions``.

    Films are numbered by *position*: ``order[position]`` is the film, the films of
    cluster c are at positions ``bounds[c]:bounds[c + 1]``, ``cluster_of[position]`` is
    its cluster and ``dense[position]`` its frequent columns. A row's candidates:

    - every film of its probed clusters ``probes[r]`` (sorted; those with the largest
      product between the film's dense part and the cluster's centre): dense product
      read from ``dense`` (contiguous per cluster) plus the sparse product accumulated
      from the full postings ``m_*`` (terms x positions, sorted) restricted to those
      clusters' position ranges: exact;
    - of the other films its truncated postings ``p_*`` (terms x positions) reach, the
      ``reached`` best by partial sparse score plus ``centre_products[r, cluster]`` (the
      film's product with the reached film's cluster centre, an estimate of their dense
      product), each scored exactly on the full rows ``indptr/indices/data`` (by film).

    ``s_*`` are the sparse (non-frequent) columns by film. The top k by exact score
    are kept (ties: the lower film index). ``short`` marks films with fewer than k
    positive candidates; the caller searches those exactly.
    """
    n = len(cluster_of)
    rows = len(positions)
    out_index = np.full((rows, k), -1, dtype=np.int32)
    out_score = np.zeros((rows, k), dtype=np.float32)
    short = np.zeros(rows, dtype=np.bool_)
    mark = np.full(n, -1, dtype=np.int32)  # = r: a probed film of row r
    seen = np.full(n, -1, dtype=np.int32)  # = r: reached by row r's postings
    slot = np.empty(n, dtype=np.int32)  # a probed film's place in the pool
    acc = np.zeros(n, dtype=np.float32)
    touched = np.empty(n, dtype=np.int32)
    query = np.zeros(n_terms, dtype=np.float32)
    n_probes = probes.shape[1]
    capacity = 0
    for r in range(rows):
        size = 0
        for j in range(n_probes):
            size += bounds[probes[r, j] + 1] - bounds[probes[r, j]]
        capacity = max(capacity, size)
    pool_pos = np.empty(capacity + reached + 1, dtype=np.int64)
    pool_val = np.empty(capacity + reached + 1, dtype=np.float32)
    for r in range(rows):
        pos = positions[r]
        film = order[pos]
        own = dense[pos]
        size = 0
        # Probed clusters: exact dense products.
        for j in range(n_probes):
            c = probes[r, j]
            for other in range(bounds[c], bounds[c + 1]):
                if other == pos:
                    continue
                pool_pos[size] = other
                pool_val[size] = _dot(own, dense[other])
                mark[other] = r
                slot[other] = size
                size += 1
        # ... plus their exact sparse products: each term's full postings in those ranges.
        for p in range(s_indptr[film], s_indptr[film + 1]):
            term = s_indices[p]
            weight = s_data[p]
            low, high = m_indptr[term], m_indptr[term + 1]
            if high - low <= 8 * n_probes:
                for q in range(low, high):
                    other = m_indices[q]
                    if mark[other] == r:
                        pool_val[slot[other]] += weight * m_data[q]
            else:
                for j in range(n_probes):
                    c = probes[r, j]
                    start = _range_start(m_indices, low, high, bounds[c])
                    for q in range(start, high):
                        other = m_indices[q]
                        if other >= bounds[c + 1]:
                            break
                        if other != pos:
                            pool_val[slot[other]] += weight * m_data[q]
                    low = start
        # Other films the truncated postings reach: partial sparse scores.
        m = 0
        for p in range(s_indptr[film], s_indptr[film + 1]):
            term = s_indices[p]
            weight = s_data[p]
            for q in range(p_indptr[term], p_indptr[term + 1]):
                other = p_indices[q]
                if other == pos or mark[other] == r:
                    continue
                if seen[other] != r:
                    seen[other] = r
                    acc[other] = 0.0
                    touched[m] = other
                    m += 1
                acc[other] += weight * p_data[q]
        if m > 0 and reached > 0:
            estimate = np.empty(m, dtype=np.float32)
            for i in range(m):
                other = touched[i]
                estimate[i] = acc[other] + centre_products[r, cluster_of[other]]
            if m > reached:
                cut = np.partition(estimate, m - reached)[m - reached]
            else:
                cut = -np.inf
            for p in range(indptr[film], indptr[film + 1]):
                query[indices[p]] = data[p]
            taken = 0
            for i in range(m):
                if estimate[i] < cut or taken == reached:
                    continue
                other = touched[i]
                total = np.float32(0.0)
                second = order[other]
                for p in range(indptr[second], indptr[second + 1]):
                    total += data[p] * query[indices[p]]
                pool_pos[size] = other
                pool_val[size] = total
                size += 1
                taken += 1
            for p in range(indptr[film], indptr[film + 1]):
                query[indices[p]] = 0.0
        # The top k by exact score, ties by the lower film index.
        positive = 0
        for i in range(size):
            if pool_val[i] > 0.0:
                positive += 1
        if positive < k:
            short[r] = True
            continue
        values = pool_val[:size]
        cut = np.partition(values, size - k)[size - k]
        chosen = 0
        for i in range(size):
            if pool_val[i] >= cut:
                chosen += 1
        films = np.empty(chosen, dtype=np.int64)
        scores = np.empty(chosen, dtype=np.float64)
        c = 0
        for i in range(size):
            if pool_val[i] >= cut:
                films[c] = order[pool_pos[i]]
                scores[c] = pool_val[i]
                c += 1
        by_film = np.argsort(films)
        _write_top_k(out_index, out_score, r, films[by_film], scores[by_film], k)
    return out_index, out_score, short


@njit(nogil=True, cache=True)
def truncate_postings(indptr, indices, data, per_term):
    """Each row (term) of a CSR matrix (terms x films, films sorted) cut to its
    ``per_term`` entries of largest weight (ties: the lower film), films kept sorted.
    Returns the new ``(indptr, indices, data)``."""
    n_terms = len(indptr) - 1
    new_indptr = np.zeros(n_terms + 1, dtype=np.int64)
    for t in range(n_terms):
        new_indptr[t + 1] = new_indptr[t] + min(indptr[t + 1] - indptr[t], per_term)
    new_indices = np.empty(new_indptr[-1], dtype=indices.dtype)
    new_data = np.empty(new_indptr[-1], dtype=data.dtype)
    for t in range(n_terms):
        low, high = indptr[t], indptr[t + 1]
        out = new_indptr[t]
        if high - low <= per_term:
            new_indices[out : out + high - low] = indices[low:high]
            new_data[out : out + high - low] = data[low:high]
            continue
        keep = np.sort(np.argsort(-data[low:high], kind="mergesort")[:per_term])
        for i in range(per_term):
            new_indices[out + i] = indices[low + keep[i]]
            new_data[out + i] = data[low + keep[i]]
    return new_indptr, new_indices, new_data


@njit(nogil=True, cache=True)
def nearest_clusters(centre_products, probes):
    """Each row's ``probes`` columns of largest value (ties: the lower column), sorted
    by column: one pass per row (``np.argpartition`` of rows x 4,000 clusters costs
    about 15 s per 100,000 films)."""
    rows, n_clusters = centre_products.shape
    out = np.empty((rows, probes), dtype=np.int64)
    values = np.empty(probes, dtype=centre_products.dtype)
    for r in range(rows):
        for j in range(probes):
            out[r, j] = j
            values[j] = centre_products[r, j]
        low = 0
        for j in range(1, probes):
            if values[j] < values[low] or (values[j] == values[low] and out[r, j] > out[r, low]):
                low = j
        for c in range(probes, n_clusters):
            value = centre_products[r, c]
            if value > values[low]:
                out[r, low] = c
                values[low] = value
                low = 0
                for j in range(1, probes):
                    if values[j] < values[low] or (values[j] == values[low] and out[r, j] > out[r, low]):
                        low = j
        out[r] = np.sort(out[r])
    return out
