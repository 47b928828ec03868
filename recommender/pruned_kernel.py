"""The compiled inner loop of the pruned neighbour search (numba, build time only).

Kept apart from :mod:`recommender.neighbours` because importing numba costs about a
second and the serving path (which imports ``neighbours`` for on-demand queries) must
not pay it. One call handles a block of rows: for each film it accumulates partial
scores over the truncated postings of its terms (a dense accumulator of length N,
reset after each film), keeps the best ``candidates`` by that partial score, scores them
exactly against the film's full row, and keeps the top k. A film with fewer than k
candidates is scored exactly against every film that shares any term with it.
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


@njit(nogil=True, cache=True)
def hybrid_rows(
    rows, members, scores, dense, indptr, indices, data, s_indptr, s_indices, s_data, p_indptr, p_indices, p_data,
    t_indptr, t_indices, t_data, n_terms, k, candidates,
):
    """Top-k (index int32, score float32, short bool) of the films ``rows``, which share
    their probed films ``members`` (the films of the clusters nearest to theirs).

    ``scores[r, i]`` is the exact similarity of ``rows[r]`` and ``members[i]`` (a BLAS
    product of the frequent columns plus a sparse product of the rest); ``dense`` is
    the frequent columns as an (N, d) array, ``s_*`` the other columns (CSR, films x
    terms) and ``p_*`` their truncated postings. A film's candidates are its members
    (exact scores) and the films its postings reach (partial score plus their dense
    product; the best ``candidates`` by partial score only, since reading a dense row
    costs a cache miss). Of the best ``candidates`` of all, the postings' films are
    rescored exactly on the full vectors ``indptr/indices/data`` and the top k kept. A
    film with fewer than k
    positive candidates is searched exactly through the full transpose ``t_*``.
    """
    n = len(indptr) - 1
    out_index = np.full((len(rows), k), -1, dtype=np.int32)
    out_score = np.zeros((len(rows), k), dtype=np.float32)
    short = np.zeros(len(rows), dtype=np.bool_)
    acc = np.zeros(n, dtype=np.float64)
    stamp = np.full(n, -1, dtype=np.int64)
    touched = np.empty(n, dtype=np.int64)
    query = np.zeros(n_terms, dtype=np.float64)
    d = dense.shape[1]
    own = np.empty(d, dtype=np.int64)
    for r in range(len(rows)):
        row = rows[r]
        m = 0
        for p in range(s_indptr[row], s_indptr[row + 1]):
            term = s_indices[p]
            weight = s_data[p]
            for q in range(p_indptr[term], p_indptr[term + 1]):
                film = p_indices[q]
                if stamp[film] != row:
                    stamp[film] = row
                    acc[film] = 0.0
                    touched[m] = film
                    m += 1
                acc[film] += weight * p_data[q]
        n_own = 0
        for t in range(d):
            if dense[row, t] != 0.0:
                own[n_own] = t
                n_own += 1
        found = np.empty(len(members) + m, dtype=np.int64)
        approx = np.empty(len(members) + m, dtype=np.float64)
        known = np.zeros(len(members) + m, dtype=np.bool_)  # approx is the exact score
        c = 0
        for i in range(len(members)):
            film = members[i]
            if film == row:
                continue
            value = scores[r, i]
            if stamp[film] == row:
                stamp[film] = -2  # scored here, not again below
            if value > 0.0:
                found[c] = film
                approx[c] = value
                known[c] = True
                c += 1
        # The other films the postings reached: the best `candidates` by partial score
        # (ties: all) get their dense product added; reading every one's dense row
        # would cost a cache miss each.
        others = np.empty(m, dtype=np.int64)
        partial = np.empty(m, dtype=np.float64)
        o = 0
        for i in range(m):
            film = touched[i]
            if film != row and stamp[film] == row:
                others[o] = film
                partial[o] = acc[film]
                o += 1
        others, partial = others[:o], partial[:o]
        if o > candidates:
            cut = -np.partition(-partial, candidates - 1)[candidates - 1]
            others = others[partial >= cut]
        for i in range(len(others)):
            film = others[i]
            value = acc[film]
            for j in range(n_own):
                value += dense[row, own[j]] * dense[film, own[j]]
            if value > 0.0:
                found[c] = film
                approx[c] = value
                c += 1
        for i in range(m):  # reset this row's marks and partial scores
            stamp[touched[i]] = -1
            acc[touched[i]] = 0.0
        found, approx, known = found[:c], approx[:c], known[:c]
        if c < k:
            short[r] = True
            m = _accumulate(row, indptr, indices, data, t_indptr, t_indices, t_data, acc, touched)
            found, _ = _collect(row, m, acc, touched)
            c = len(found)
            approx = np.zeros(c, dtype=np.float64)
            known = np.zeros(c, dtype=np.bool_)
        elif c > candidates:
            # The best `candidates` by (lower-bound) score; ties at the cut by lower index.
            cut = -np.partition(-approx, candidates - 1)[candidates - 1]
            keep = approx > cut
            need = candidates - int(keep.sum())
            tied = np.sort(found[approx == cut])[:need]
            if len(tied):
                last = tied[-1]
                for i in range(c):
                    if approx[i] == cut and found[i] <= last:
                        keep[i] = True
            found, approx, known = found[keep], approx[keep], known[keep]
        by_index = np.argsort(found)
        found, approx, known = found[by_index], approx[by_index], known[by_index]
        # Members' scores are exact already; only the postings' films are rescored.
        for p in range(indptr[row], indptr[row + 1]):
            query[indices[p]] = data[p]
        exact = approx.copy()
        for i in range(len(found)):
            if known[i]:
                continue
            film = found[i]
            total = 0.0
            for p in range(indptr[film], indptr[film + 1]):
                total += data[p] * query[indices[p]]
            exact[i] = total
        for p in range(indptr[row], indptr[row + 1]):
            query[indices[p]] = 0.0
        _write_top_k(out_index, out_score, r, found, exact, k)
    return out_index, out_score, short
