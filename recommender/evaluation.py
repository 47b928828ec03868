"""Proxy measures of recommendation quality, without any user data.

For top-k neighbour lists (rows of movie indices, -1 padding): the share of
recommendations sharing a genre with the query, sharing a director, sharing a cast
member; the mean keyword Jaccard overlap; intra-list diversity (mean pairwise genre
Jaccard distance inside a list, comparable across vectorizers); catalog coverage
(share of movies recommended at least once); novelty (mean self-information
-log2((votes + 1) / (max votes + 1)) of the recommended movies). All are in [0, 1]
except novelty (bits). Around them, for the evaluation of settings: the random and
best attainable value of each overlap (:func:`attainable_bounds`), franchise pairs
found from titles (:func:`franchise_pairs`) and where known pairs land in the lists
(:func:`pair_ranks`), and how often movies with credits are recommended to movies
without (:func:`credit_mix`).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence

import numpy as np
import pandas as pd
import scipy.sparse as sp

from recommender.errors import ArtifactError, CatalogError, ConfigError, UnknownMovieError

METRICS: tuple[str, ...] = (
    "genre_overlap",
    "director_overlap",
    "cast_overlap",
    "keyword_jaccard",
    "intra_list_diversity",
    "coverage",
    "novelty",
)
# The overlaps of proxy_metrics that count shared values, and the catalog column holding those values.
OVERLAP_FIELDS: dict[str, str] = {"genre_overlap": "genres", "director_overlap": "directors", "cast_overlap": "cast"}

# A title, then a number, a Roman numeral up to V, "Part <word>", ": <subtitle>" or " - <subtitle>".
_SEQUEL_TITLE = re.compile(r"^(.+?)(?:\s+(?:\d+|II|III|IV|V|Part \w+)|:\s.+| - .+)$")


def _sets(values: Sequence[Sequence[str]]) -> list[frozenset[str]]:
    return [frozenset(v) for v in values]


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    union = len(a | b)
    return len(a & b) / union if union else 0.0


def proxy_metrics(catalog: pd.DataFrame, neighbours: np.ndarray, k: int) -> dict[str, float]:
    """The :data:`METRICS` of the first k neighbours of every movie.

    Overlaps with directors/cast are averaged over queries that have directors/cast
    (a query without credits cannot share them). NaN where nothing can be measured.
    """
    lists = np.asarray(neighbours)[:, :k]
    genres = _sets(catalog["genres"])
    directors = _sets(catalog["directors"])
    cast = _sets(catalog["cast"])
    keywords = _sets(catalog["keywords"])
    votes = catalog["vote_count"].to_numpy(dtype=np.float64)
    info = -np.log2((votes + 1) / (votes.max(initial=0) + 1))

    genre_hits, director_hits, cast_hits, keyword_scores, diversities = [], [], [], [], []
    for query, recs in enumerate(lists):
        recs = recs[recs >= 0]
        if len(recs) == 0:
            continue
        genre_hits.extend(bool(genres[query] & genres[r]) for r in recs)
        if directors[query]:
            director_hits.extend(bool(directors[query] & directors[r]) for r in recs)
        if cast[query]:
            cast_hits.extend(bool(cast[query] & cast[r]) for r in recs)
        if keywords[query]:
            keyword_scores.extend(_jaccard(keywords[query], keywords[r]) for r in recs)
        if len(recs) > 1:
            distances = [1 - _jaccard(genres[a], genres[b]) for i, a in enumerate(recs) for b in recs[i + 1 :]]
            diversities.append(float(np.mean(distances)))
    valid = lists[lists >= 0]

    def mean(values: list) -> float:
        return float(np.mean(values)) if values else float("nan")

    return {
        "genre_overlap": mean(genre_hits),
        "director_overlap": mean(director_hits),
        "cast_overlap": mean(cast_hits),
        "keyword_jaccard": mean(keyword_scores),
        "intra_list_diversity": mean(diversities),
        "coverage": float(len(np.unique(valid)) / len(catalog)) if len(catalog) else float("nan"),
        "novelty": float(info[valid].mean()) if len(valid) else float("nan"),
    }


def compare_vectorizers(catalog: pd.DataFrame, neighbour_lists: dict[str, np.ndarray], k: int) -> pd.DataFrame:
    """One row per metric, one column per vectorizer."""
    table = {name: proxy_metrics(catalog, lists, k) for name, lists in neighbour_lists.items()}
    frame = pd.DataFrame(table).reindex(list(METRICS))
    frame.index.name = "metric"
    return frame


def franchise_pairs(catalog: pd.DataFrame, not_sequels: Collection[str] = ()) -> np.ndarray:
    """Directed (query row, expected row) pairs of films of one franchise, found from titles.

    A title made of another film's whole title (ignoring case) followed by a number
    ("Toy Story 2"), a Roman numeral up to V, "Part <word>", ": <subtitle>" or
    " - <subtitle>" is paired with that film, in both directions: "Toy Story" <->
    "Toy Story 2". Two sequels of one film are not paired with each other; a title
    shared by two films pairs the sequel with both. Titles in ``not_sequels`` (exact
    spelling) match the pattern without being sequels ("Super 8") and are skipped.
    Returns a (P, 2) int64 array of catalog rows sorted by query, then expected row;
    (0, 2) when there is none. Raises :class:`CatalogError` without a ``title`` column.
    """
    _require_columns(catalog, ["title"], "franchise_pairs")
    titles = catalog["title"].tolist()
    rows_of: dict[str, list[int]] = {}
    for row, title in enumerate(titles):
        rows_of.setdefault(title.casefold(), []).append(row)
    pairs = set()
    for row, title in enumerate(titles):
        match = _SEQUEL_TITLE.match(title)
        if match is None or title in not_sequels:
            continue
        for original in rows_of.get(match.group(1).strip().casefold(), []):
            if original != row:
                pairs.add((original, row))
                pairs.add((row, original))
    return np.asarray(sorted(pairs), dtype=np.int64).reshape(-1, 2)


def pair_ranks(neighbours: np.ndarray, pairs: np.ndarray) -> np.ndarray:
    """1-based rank of each pair's expected movie in its query's neighbour list; 0 where absent.

    ``neighbours`` is an (N, k) int array of catalog rows, best first, -1 padding;
    ``pairs`` a (P, 2) int array of (query row, expected row), such as
    :func:`franchise_pairs` returns. Returns a (P,) int64 array; the share of non-zero
    ranks is the recall at k of the pairs. Raises :class:`ArtifactError` if
    ``neighbours`` is not 2-D, :class:`ConfigError` if ``pairs`` is not (P, 2) and
    :class:`UnknownMovieError` if a pair names a row outside 0..N-1.
    """
    lists = np.asarray(neighbours)
    if lists.ndim != 2:
        raise ArtifactError(f"neighbour table of shape {lists.shape}; expected an (N, k) array of catalog rows")
    pairs = np.asarray(pairs, dtype=np.int64)
    if pairs.size == 0:
        return np.zeros(0, dtype=np.int64)
    if pairs.ndim != 2 or pairs.shape[1] != 2:
        raise ConfigError(f"pairs of shape {pairs.shape}; expected (P, 2) rows of (query row, expected row)")
    outside = pairs[(pairs < 0) | (pairs >= len(lists))]
    if len(outside):
        raise UnknownMovieError(f"row {outside[0]} is not in the catalog; accepted rows 0..{len(lists) - 1}")
    hits = lists[pairs[:, 0]] == pairs[:, 1:]
    if hits.shape[1] == 0:  # k = 0: nothing can be found
        return np.zeros(len(pairs), dtype=np.int64)
    first = hits.argmax(axis=1)  # column of the first hit; 0 when there is none
    return np.where(hits.any(axis=1), first + 1, 0).astype(np.int64)


def credit_mix(catalog: pd.DataFrame, neighbours: np.ndarray) -> float:
    """How often movies with credits are recommended to movies without, relative to chance.

    The share of credited movies (column ``has_credits``) among the recommendations of
    the queries without credits, divided by the credited share of the catalog: 1 = as
    often as chance, lower = the credited movies drift away from the rest (they alone
    have cast and director terms). ``neighbours`` is an (N, k) int array of catalog
    rows, -1 padding ignored. NaN when every movie or none has credits, or when the
    queries without credits have no recommendations. Raises :class:`CatalogError`
    without a ``has_credits`` column and :class:`ArtifactError` if ``neighbours`` does
    not have one row per movie.
    """
    _require_columns(catalog, ["has_credits"], "credit_mix")
    lists = np.asarray(neighbours)
    if lists.ndim != 2 or len(lists) != len(catalog):
        raise ArtifactError(
            f"neighbour table of shape {lists.shape} for a catalog of {len(catalog)} movies; "
            "expected one row per movie"
        )
    credited = catalog["has_credits"].to_numpy(dtype=bool)
    if credited.all() or not credited.any():
        return float("nan")
    recs = lists[~credited]
    recs = recs[recs >= 0]
    return float(credited[recs].mean() / credited.mean()) if len(recs) else float("nan")


def attainable_bounds(catalog: pd.DataFrame, k: int) -> dict[str, tuple[float, float]]:
    """(random, best attainable) value of each overlap metric of :func:`proxy_metrics` for top-k lists.

    Keys: the :data:`OVERLAP_FIELDS` (share of recommendations sharing a genre,
    director or cast member) and ``keyword_jaccard``. Random: the expected value when
    the k recommendations are drawn uniformly from the other movies. Best: an oracle
    that ranks by the metric itself (the k other movies sharing the most; all of them
    when the catalog has no more than k others). Both are averaged over the movies
    with at least one value in the field and lie in [0, 1]; (NaN, NaN) when no movie
    has a value or the catalog has fewer than two movies. Raises :class:`ConfigError`
    if k < 1 and :class:`CatalogError` if a column is missing.
    """
    if not isinstance(k, (int, np.integer)) or k < 1:
        raise ConfigError(f"k must be an int >= 1, got {k!r}")
    _require_columns(catalog, [*OVERLAP_FIELDS.values(), "keywords"], "attainable_bounds")
    n = len(catalog)
    list_length = min(k, n - 1)
    bounds: dict[str, tuple[float, float]] = {}
    for metric, column in OVERLAP_FIELDS.items():
        incidence = _incidence(catalog[column].tolist())
        has = np.diff(incidence.indptr) > 0
        # Other movies sharing at least one value: the stored entries of the movie's row of
        # the co-occurrence matrix, less the diagonal one (a movie shares its values with itself).
        sharing = np.diff((incidence @ incidence.T).tocsr().indptr) - has
        bounds[metric] = _mean_bounds(sharing[has], np.minimum(sharing[has], list_length), n, list_length)
    incidence = _incidence(catalog["keywords"].tolist())
    sizes = np.diff(incidence.indptr)  # distinct keywords per movie
    common = _off_diagonal(incidence @ incidence.T)
    shared_count = common.data.astype(np.float64)
    jaccard = shared_count / (sizes[common.row] + sizes[common.col] - shared_count)
    total = np.bincount(common.row, weights=jaccard, minlength=n)
    best = _top_k_row_sums(common.row, jaccard, list_length, n)
    has = sizes > 0
    bounds["keyword_jaccard"] = _mean_bounds(total[has], best[has], n, list_length)
    return bounds


def _require_columns(catalog: pd.DataFrame, columns: Sequence[str], purpose: str) -> None:
    missing = [column for column in columns if column not in catalog.columns]
    if missing:
        raise CatalogError(f"catalog lacks column(s) {missing}, which {purpose} needs; it has {list(catalog.columns)}")


def _incidence(values: Sequence[Sequence[str]]) -> sp.csr_matrix:
    """Movies x distinct values, 1 where the movie's list holds the value (repeats count once)."""
    vocabulary: dict[str, int] = {}
    rows, cols = [], []
    for row, items in enumerate(values):
        for item in set(items):
            rows.append(row)
            cols.append(vocabulary.setdefault(item, len(vocabulary)))
    return sp.csr_matrix((np.ones(len(rows), np.float32), (rows, cols)), shape=(len(values), len(vocabulary)))


def _off_diagonal(matrix: sp.spmatrix) -> sp.coo_matrix:
    """The stored entries of a square sparse matrix that are not on its diagonal."""
    entries = matrix.tocoo()
    keep = entries.row != entries.col
    return sp.coo_matrix((entries.data[keep], (entries.row[keep], entries.col[keep])), shape=entries.shape)


def _top_k_row_sums(rows: np.ndarray, values: np.ndarray, k: int, n_rows: int) -> np.ndarray:
    """Per row, the sum of its k largest values, for a sparse matrix given as (row, value) entries."""
    order = np.lexsort((-values, rows))  # by row, largest value first
    rows, values = rows[order], values[order]
    position = np.arange(len(rows)) - np.searchsorted(rows, rows)  # 0 = the row's largest value
    top = position < k
    return np.bincount(rows[top], weights=values[top], minlength=n_rows)


def _mean_bounds(totals: np.ndarray, top_totals: np.ndarray, n: int, list_length: int) -> tuple[float, float]:
    """(random, best) from per-query sums over all other movies and over the best ``list_length`` of them."""
    if n < 2 or len(totals) == 0:
        return float("nan"), float("nan")
    return float(totals.mean() / (n - 1)), float(top_totals.mean() / list_length)
