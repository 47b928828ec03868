"""How much two vectorizers agree on each movie's neighbours, and why they differ.

The comparison page puts the ranked neighbour lists of two vectorizers (e.g. TF-IDF
and raw counts) side by side. Three measures summarise, per movie, how alike the two
top-k lists are: Jaccard overlap of the sets (:func:`jaccard_at_k`), rank-biased
overlap, which weighs the top of the lists most (:func:`rank_biased_overlap`), and a
weighted Kendall tau that also scores the order (:func:`weighted_kendall_tau`).
:func:`agreement_table` computes all three for every movie, :func:`agreement_summary`
and :func:`most_disagreeing` condense them, and :func:`top_terms` shows a movie's
heaviest terms, the usual explanation of a disagreement.

Lists hold catalog row indices, best first, without repeats; -1 entries (any
negative value) are padding and are ignored everywhere. Two empty lists have no agreement to measure: every
measure is NaN for them. Nor has the order of lists sharing fewer than two films: their
weighted tau is NaN (it used to be a constant, about -0.7 at k=10, that looked like a
measurement). Many films' top-k lists share nothing, so the table also measures RBO
over every stored neighbour (``rbo_deep``): lists disjoint at the top still differ in how
far down they meet, and that orders :func:`most_disagreeing` without ties.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.stats import weightedtau

from recommender.errors import ArtifactError, ConfigError, UnknownMovieError

METRICS: tuple[str, ...] = ("jaccard", "rbo", "weighted_tau")
QUANTILES: tuple[float, ...] = (0.1, 0.25, 0.5, 0.75, 0.9)
DEFAULT_RBO_P = 0.9


def jaccard_at_k(a: Sequence[int], b: Sequence[int], k: int) -> float:
    """Jaccard overlap |A & B| / |A | B| of the first ``k`` valid items of two lists.

    In [0, 1]; -1 padding is dropped before taking the first ``k``. Both lists empty
    gives NaN (nothing to compare), one empty gives 0. Raises :class:`ConfigError`
    if ``k < 1``.
    """
    _check_k(k)
    first, second = set(_valid(a)[:k]), set(_valid(b)[:k])
    union = first | second
    if not union:
        return float("nan")
    return len(first & second) / len(union)


def rank_biased_overlap(a: Sequence[int], b: Sequence[int], p: float = DEFAULT_RBO_P) -> float:
    """Extrapolated rank-biased overlap RBO_ext of two ranked lists, in [0, 1].

    Webber, Moffat & Zobel (2010), "A similarity measure for indefinite rankings",
    eq. 32 (lists of lengths s <= l; for s == l it is eq. 30):

        RBO_ext = (1-p)/p * (sum_{d=1..l} X_d/d p^d + sum_{d=s+1..l} X_s (d-s)/(s d) p^d)
                  + ((X_l - X_s)/l + X_s/s) p^l

    where X_d is the overlap of the two depth-d prefixes (the whole shorter list once
    d > s). ``p`` in (0, 1) is the persistence: smaller values weigh the top more.
    Identical lists give 1, disjoint lists 0; both empty gives NaN, one empty 0.
    Raises :class:`ConfigError` for ``p`` outside (0, 1).
    """
    _check_p(p)
    first, second = _valid(a), _valid(b)
    short, long_ = sorted((first, second), key=len)
    s, l = len(short), len(long_)
    if l == 0:
        return float("nan")
    if s == 0:
        return 0.0
    seen_short: set[int] = set()
    seen_long: set[int] = set()
    overlap = 0
    overlaps = np.zeros(l + 1)  # overlaps[d] = X_d
    for depth in range(1, l + 1):
        item_long = long_[depth - 1]
        if depth <= s:
            item_short = short[depth - 1]
            if item_short == item_long:
                overlap += 1
            else:
                overlap += (item_short in seen_long) + (item_long in seen_short)
            seen_short.add(item_short)
        else:
            overlap += item_long in seen_short
        seen_long.add(item_long)
        overlaps[depth] = overlap
    depths = np.arange(1, l + 1)
    weights = p**depths
    agreement = np.sum(overlaps[1:] / depths * weights)
    tail = depths > s
    extension = np.sum(overlaps[s] * (depths[tail] - s) / (s * depths[tail]) * weights[tail])
    rest = ((overlaps[l] - overlaps[s]) / l + overlaps[s] / s) * p**l
    return float(min(max((1 - p) / p * (agreement + extension) + rest, 0.0), 1.0))


def weighted_kendall_tau(a: Sequence[int], b: Sequence[int], k: int) -> float:
    """Hyperbolically weighted Kendall tau of two top-``k`` lists, in [-1, 1].

    Convention: the items are the union of both lists' first ``k`` valid items; an
    item's rank in a list is its position (0 = best), or ``k`` if it is missing from
    that list, so all missing items tie at the bottom. The ranks are compared with
    :func:`scipy.stats.weightedtau` (additive hyperbolic weights 1/(r+1), averaged
    over both lists' orders), so swaps near the top count most. Identical lists
    give 1 (also for a single shared item), reversed ones -1; lists sharing few
    items score near or below 0, since each list's own items sit at the other's
    bottom. NaN when either list is empty (an all-tied ranking has no order) and when
    the lists share fewer than two items: there is no order of shared films to
    compare, and the value would be a constant of ``k`` alone.
    """
    _check_k(k)
    first, second = _valid(a)[:k], _valid(b)[:k]
    if not first or not second:
        return float("nan")
    if first == second:
        return 1.0
    if len(set(first) & set(second)) < 2:
        return float("nan")
    items = list(dict.fromkeys(first + second))
    rank_a = {item: position for position, item in enumerate(first)}
    rank_b = {item: position for position, item in enumerate(second)}
    # weightedtau treats larger values as more important, so pass negated ranks.
    score_a = np.array([-rank_a.get(item, k) for item in items], dtype=np.float64)
    score_b = np.array([-rank_b.get(item, k) for item in items], dtype=np.float64)
    return float(weightedtau(score_a, score_b).statistic)


def agreement_table(neigh_a: np.ndarray, neigh_b: np.ndarray, k: int, p: float = DEFAULT_RBO_P) -> pd.DataFrame:
    """Agreement of two neighbour tables on every movie's top ``k``.

    ``neigh_a`` and ``neigh_b`` are (N, >=k) int arrays of row indices, best first,
    -1 padding at the tail. Returns a DataFrame with columns row, jaccard, rbo (at
    persistence ``p``, over the top ``k``), weighted_tau and rbo_deep (RBO over every
    column of the tables, e.g. all 100 stored neighbours), one row per movie.
    Jaccard and RBO are vectorised; weighted tau loops over movies (1-2 s for
    5,000 movies at k=10). Raises :class:`ArtifactError` if the tables have different row counts.
    """
    _check_k(k)
    _check_p(p)
    first, second = np.asarray(neigh_a), np.asarray(neigh_b)
    if first.ndim != 2 or second.ndim != 2 or first.shape[0] != second.shape[0]:
        raise ArtifactError(
            f"neighbour tables of shapes {first.shape} and {second.shape} cannot be compared; "
            "both must be (N, k) arrays over the same catalog rows"
        )
    deep = _deep_rbo(_compact(first), _compact(second), p)
    first, second = _compact(first[:, :k]), _compact(second[:, :k])
    overlaps, len_a, len_b = _prefix_overlaps(first, second)
    table = pd.DataFrame(
        {
            "row": np.arange(first.shape[0]),
            "jaccard": _jaccard_rows(overlaps, len_a, len_b),
            "rbo": _rbo_rows(overlaps, len_a, len_b, p),
            "weighted_tau": [
                weighted_kendall_tau(row_a, row_b, k) for row_a, row_b in zip(first.tolist(), second.tolist())
            ],
            "rbo_deep": deep,
        }
    )
    return table


def agreement_summary(table: pd.DataFrame) -> dict[str, dict[str, float]]:
    """Mean, quantiles (10/25/50/75/90 %) and count of each metric of an agreement table.

    Returns ``{metric: {"mean", "median", "q10", "q25", "q50", "q75", "q90", "count"}}``
    for jaccard, rbo and weighted_tau, ignoring NaN rows (``count`` is the number of
    movies that had a value). Raises :class:`ArtifactError` if a column is missing.
    """
    _check_columns(table)
    summary: dict[str, dict[str, float]] = {}
    for metric in METRICS:
        values = table[metric].to_numpy(dtype=np.float64)
        values = values[~np.isnan(values)]
        stats: dict[str, float] = {"count": float(values.size)}
        if values.size:
            stats["mean"] = float(values.mean())
            stats["median"] = float(np.median(values))
            for q, value in zip(QUANTILES, np.quantile(values, QUANTILES)):
                stats[f"q{round(q * 100)}"] = float(value)
        else:
            stats["mean"] = stats["median"] = float("nan")
            stats.update({f"q{round(q * 100)}": float("nan") for q in QUANTILES})
        summary[metric] = stats
    return summary


def most_disagreeing(table: pd.DataFrame, n: int) -> pd.DataFrame:
    """The ``n`` rows of an agreement table with the lowest RBO, NaN rows last.

    Ties (typically every film whose top-k lists share nothing, RBO 0) are ordered by
    ``rbo_deep`` when the table has it (lists meeting further down disagree less), then
    by row.
    """
    _check_columns(table)
    if n < 0:
        raise ConfigError(f"number of movies to show must be >= 0, got {n}")
    keys = ["rbo", "rbo_deep", "row"] if "rbo_deep" in table.columns else ["rbo", "row"]
    ordered = table.sort_values(keys, na_position="last", kind="stable")
    return ordered.head(n).reset_index(drop=True)


def top_terms(
    vectors: sp.spmatrix | np.ndarray,
    row: int,
    terms: np.ndarray,
    term_labels: np.ndarray,
    n: int = 10,
) -> pd.DataFrame:
    """A movie's ``n`` highest-weighted terms in one vectorizer.

    Returns columns term ("field:token"), label (human-readable), field and weight
    (float), heaviest first, ties by term; fewer rows if the movie has fewer terms.
    Raises :class:`UnknownMovieError` if ``row`` is not a row of ``vectors`` and
    :class:`ArtifactError` if ``terms``/``term_labels`` do not match its columns.
    """
    n_rows, n_terms = vectors.shape
    if not 0 <= row < n_rows:
        raise UnknownMovieError(f"row {row} is not in the catalog; accepted rows 0..{n_rows - 1}")
    if len(terms) != n_terms or len(term_labels) != n_terms:
        raise ArtifactError(
            f"vocabulary has {len(terms)} terms and {len(term_labels)} labels but the vectors have "
            f"{n_terms} columns; they must come from the same vectorizer"
        )
    if n < 0:
        raise ConfigError(f"number of terms must be >= 0, got {n}")
    if sp.issparse(vectors):
        line = sp.csr_matrix(vectors[row])
        columns, weights = line.indices, line.data.astype(np.float64)
    else:
        dense = np.asarray(vectors[row], dtype=np.float64).ravel()
        columns = np.flatnonzero(dense)
        weights = dense[columns]
    keep = weights != 0
    columns, weights = columns[keep], weights[keep]
    names = np.asarray(terms, dtype=object)[columns]
    order = np.lexsort((names, -weights))[:n]
    chosen = names[order]
    return pd.DataFrame(
        {
            "term": chosen.astype(str),
            "label": np.asarray(term_labels, dtype=object)[columns[order]].astype(str),
            "field": [str(term).split(":", 1)[0] for term in chosen],
            "weight": weights[order],
        }
    )


def _valid(items: Sequence[int]) -> list[int]:
    return [int(item) for item in np.asarray(items).ravel() if item >= 0]


def _compact(table: np.ndarray) -> np.ndarray:
    """Move -1 padding to the end of each row, keeping the order of the rest."""
    padding = table < 0
    if not padding.any():
        return table
    order = np.argsort(padding, axis=1, kind="stable")
    return np.take_along_axis(table, order, axis=1)


def _prefix_overlaps(first: np.ndarray, second: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """X[:, d-1] = overlap of the depth-d prefixes, for d = 1..k; and the valid lengths."""
    n_rows, k = first.shape
    valid_a, valid_b = first >= 0, second >= 0
    # One (N, k, k) bool cube (48 MB at N=4,800, k=100); no wider integer copies of it.
    matches = (first[:, :, None] == second[:, None, :]) & valid_a[:, :, None] & valid_b[:, None, :]
    found = matches.any(axis=2)
    position_in_b = matches.argmax(axis=2)
    # An item of A shared with B enters the overlap at the depth where both lists
    # have shown it: max(its position in A, its position in B); k means never.
    entry = np.where(found, np.maximum(np.arange(k)[None, :], position_in_b), k)
    counts = np.bincount((entry + (k + 1) * np.arange(n_rows)[:, None]).ravel(), minlength=n_rows * (k + 1))
    overlaps = counts.reshape(n_rows, k + 1)[:, :k].cumsum(axis=1)
    return overlaps.astype(np.float64), valid_a.sum(axis=1), valid_b.sum(axis=1)


def _deep_rbo(first: np.ndarray, second: np.ndarray, p: float, block: int = 1024) -> np.ndarray:
    """Row-wise RBO over every column, in row blocks (the overlap cube is block x w x w)."""
    result = np.empty(first.shape[0], dtype=np.float64)
    for start in range(0, first.shape[0], block):
        part_a, part_b = first[start : start + block], second[start : start + block]
        overlaps, len_a, len_b = _prefix_overlaps(part_a, part_b)
        result[start : start + block] = _rbo_rows(overlaps, len_a, len_b, p)
    return result


def _jaccard_rows(overlaps: np.ndarray, len_a: np.ndarray, len_b: np.ndarray) -> np.ndarray:
    shared = overlaps[:, -1] if overlaps.shape[1] else np.zeros(len(len_a))
    union = len_a + len_b - shared
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(union > 0, shared / union, np.nan)


def _rbo_rows(overlaps: np.ndarray, len_a: np.ndarray, len_b: np.ndarray, p: float) -> np.ndarray:
    """Row-wise RBO_ext, the same formula as :func:`rank_biased_overlap`."""
    n_rows, k = overlaps.shape
    s, l = np.minimum(len_a, len_b), np.maximum(len_a, len_b)
    depths = np.arange(1, k + 1, dtype=np.float64)
    weights = p**depths
    within = depths[None, :] <= l[:, None]
    agreement = np.sum(np.where(within, overlaps / depths * weights, 0.0), axis=1)
    rows = np.arange(n_rows)
    safe_s = np.maximum(s, 1)
    x_s = np.where(s > 0, overlaps[rows, safe_s - 1], 0.0)
    x_l = overlaps[rows, np.maximum(l, 1) - 1]
    tail = within & (depths[None, :] > s[:, None])
    extension = np.sum(
        np.where(tail, x_s[:, None] * (depths - s[:, None]) / (safe_s[:, None] * depths) * weights, 0.0), axis=1
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        rest = ((x_l - x_s) / np.maximum(l, 1) + x_s / safe_s) * p ** l.astype(np.float64)
    rbo = np.clip((1 - p) / p * (agreement + extension) + rest, 0.0, 1.0)
    return np.where(l == 0, np.nan, np.where(s == 0, 0.0, rbo))


def _check_k(k: int) -> None:
    if not isinstance(k, (int, np.integer)) or k < 1:
        raise ConfigError(f"k must be an int >= 1, got {k!r}")


def _check_p(p: float) -> None:
    if not 0 < p < 1:
        raise ConfigError(f"RBO persistence p must be in (0, 1), got {p!r}")


def _check_columns(table: pd.DataFrame) -> None:
    missing = [column for column in ("row", *METRICS) if column not in table.columns]
    if missing:
        raise ArtifactError(f"agreement table lacks column(s) {missing}; expected row, {', '.join(METRICS)}")
