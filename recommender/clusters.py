"""Groups of similar movies on the map, and words that say what each group is about.

K-means on the SVD vectors (:func:`cluster_rows`) splits the catalog into clusters at
two levels of detail, broad and fine (:func:`cluster_levels`). Each cluster is then
described by :func:`label_clusters`: its most distinctive terms (mean weight in the
cluster minus mean weight over the catalog, so words every movie uses do not win),
its over-represented genres, its recurring directors and a short label built from
them, e.g. "heist · bank robbery · Crime". Cluster numbers are ordered by size,
largest first, so they are stable for equal inputs and readable in a legend.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.cluster import KMeans
from threadpoolctl import threadpool_limits

from recommender.config import ClusterSettings
from recommender.errors import ArtifactError, ConfigError

# Term fields left out of top_terms: genres and directors have their own columns.
LABEL_SKIPPED_FIELDS: frozenset[str] = frozenset({"genres", "directors"})
# TMDB keywords about how a film was made or released, not what it is about; they are
# distinctive of big groups (every Marvel film has "duringcreditsstinger") and would
# crowd the labels. Still used for similarity. Collapsed as in the terms ("keywords:3d").
LABEL_SKIPPED_KEYWORDS: frozenset[str] = frozenset(
    {"duringcreditsstinger", "aftercreditsstinger", "womandirector", "independentfilm", "3d", "imax"}
)
TOP_GENRES = 3
TOP_DIRECTORS = 3
MIN_DIRECTOR_FILMS = 2
LABEL_PARTS = 3
LABEL_SEPARATOR = " · "
KMEANS_RESTARTS = 4
# A share or weight "above the catalog's" must beat float rounding, not just 0.
_NOISE_FLOOR = 1e-9


def cluster_rows(svd_vectors: np.ndarray, n_clusters: int, seed: int) -> np.ndarray:
    """K-means cluster of every movie: int32 labels (N,) numbered by size, largest 0.

    ``svd_vectors`` is the (N, c) output of :func:`recommender.projection.reduce_svd`
    (unit rows, so euclidean k-means groups by cosine). ``n_clusters`` is capped at N.
    Raises :class:`ConfigError` if ``n_clusters < 1`` and :class:`ArtifactError` for
    an empty or non-2-D array.
    """
    data = np.asarray(svd_vectors, dtype=np.float64)
    if data.ndim != 2 or data.shape[0] == 0:
        raise ArtifactError(f"cannot cluster vectors of shape {data.shape}; need a non-empty (N, c) array")
    if n_clusters < 1:
        raise ConfigError(f"number of clusters must be >= 1, got {n_clusters}")
    kmeans = KMeans(n_clusters=min(n_clusters, data.shape[0]), n_init=KMEANS_RESTARTS, random_state=seed)
    # One OpenMP thread: a few thousand rows take 0.3 s, while two threads on a busy
    # 2-core machine were measured 10x slower (see projection.TSNE_THREADS).
    with threadpool_limits(limits=1, user_api="openmp"):
        raw = kmeans.fit_predict(data)
    # Renumber by size (ties: the cluster whose first movie comes first).
    ids, first_row, sizes = np.unique(raw, return_index=True, return_counts=True)
    order = np.lexsort((first_row, -sizes))
    renumber = np.empty(raw.max() + 1, dtype=np.int32)
    renumber[ids[order]] = np.arange(len(ids), dtype=np.int32)
    return renumber[raw]


def label_clusters(
    labels: np.ndarray,
    vectors: sp.spmatrix | np.ndarray,
    terms: np.ndarray,
    term_labels: np.ndarray,
    genres: Sequence[Iterable[str]],
    directors: Sequence[Iterable[str]],
    n_terms: int = 5,
) -> pd.DataFrame:
    """Describe each cluster: one row per cluster, ordered by cluster number.

    Columns: cluster (int), size (int), label (str, e.g. "heist · bank robbery ·
    Crime"), top_terms (up to ``n_terms`` human-readable labels of the most
    distinctive non-genre, non-director terms: mean weight in the cluster minus mean
    over the catalog, positive only), top_genres (genres whose share in the cluster
    most exceeds their catalog share), top_directors (most frequent directors with
    at least 2 films in the cluster). ``vectors`` is (N, V); ``terms`` and
    ``term_labels`` have V entries; ``genres`` and ``directors`` hold one list of
    names per movie. Raises :class:`ArtifactError` if the lengths disagree.
    """
    labels = np.asarray(labels).ravel()
    n_rows, n_vocab = vectors.shape
    _check_length(labels, "labels", n_rows)
    _check_length(genres, "genres", n_rows)
    _check_length(directors, "directors", n_rows)
    if len(terms) != n_vocab or len(term_labels) != n_vocab:
        raise ArtifactError(
            f"vocabulary has {len(terms)} terms and {len(term_labels)} labels but the vectors have "
            f"{n_vocab} columns; they must come from the same vectorizer"
        )
    if n_terms < 0:
        raise ConfigError(f"number of label terms must be >= 0, got {n_terms}")
    if n_rows == 0:
        return _empty_table()

    clusters, cluster_index = np.unique(labels, return_inverse=True)
    membership = sp.csr_matrix(
        (np.ones(n_rows), (cluster_index, np.arange(n_rows))), shape=(len(clusters), n_rows)
    )
    sizes = np.asarray(membership.sum(axis=1)).ravel()

    term_gain = _distinctiveness(membership, sizes, vectors)
    fields = np.array([str(term).split(":", 1)[0] for term in terms], dtype=object)
    skipped_keywords = {f"keywords:{token}" for token in LABEL_SKIPPED_KEYWORDS}
    skipped = np.isin(fields, list(LABEL_SKIPPED_FIELDS)) | np.isin(np.asarray(terms, dtype=object).astype(str), list(skipped_keywords))
    term_gain[:, skipped] = 0.0
    term_names = np.asarray(terms, dtype=object).astype(str)
    readable = np.asarray(term_labels, dtype=object).astype(str)

    genre_names, genre_counts = _name_counts(membership, genres)
    genre_gain = genre_counts / sizes[:, None] - genre_counts.sum(axis=0) / n_rows
    director_names, director_counts = _name_counts(membership, directors)

    records = []
    for position, cluster in enumerate(clusters):
        top_terms = _ranked(term_gain[position], term_names, readable, n_terms, minimum=_NOISE_FLOOR)
        top_genres = _ranked(genre_gain[position], genre_names, genre_names, TOP_GENRES, minimum=_NOISE_FLOOR)
        top_directors = _ranked(
            director_counts[position], director_names, director_names, TOP_DIRECTORS,
            minimum=MIN_DIRECTOR_FILMS - 0.5,
        )
        records.append(
            {
                "cluster": int(cluster),
                "size": int(sizes[position]),
                "label": _short_label(int(cluster), top_terms, top_genres),
                "top_terms": top_terms,
                "top_genres": top_genres,
                "top_directors": top_directors,
            }
        )
    return pd.DataFrame.from_records(records, columns=_COLUMNS)


def cluster_levels(
    svd_vectors: np.ndarray,
    vectors: sp.spmatrix | np.ndarray,
    terms: np.ndarray,
    term_labels: np.ndarray,
    genres: Sequence[Iterable[str]],
    directors: Sequence[Iterable[str]],
    settings: ClusterSettings,
    seed: int,
) -> tuple[np.ndarray, np.ndarray, pd.DataFrame]:
    """Broad and fine clusters of every movie, and one table describing both.

    Returns (broad labels int32 (N,), fine labels int32 (N,), table) where the table
    is :func:`label_clusters` of each level stacked, with a first column ``level``
    ("broad" or "fine"). ``settings.broad``/``settings.fine`` are the cluster counts
    and ``settings.label_terms`` the number of top terms.
    """
    broad = cluster_rows(svd_vectors, settings.broad, seed)
    fine = cluster_rows(svd_vectors, settings.fine, seed)
    tables = []
    for level, labels in (("broad", broad), ("fine", fine)):
        table = label_clusters(labels, vectors, terms, term_labels, genres, directors, settings.label_terms)
        table.insert(0, "level", level)
        tables.append(table)
    return broad, fine, pd.concat(tables, ignore_index=True)


_COLUMNS = ["cluster", "size", "label", "top_terms", "top_genres", "top_directors"]


def _empty_table() -> pd.DataFrame:
    return pd.DataFrame({column: pd.Series(dtype=object) for column in _COLUMNS}).astype(
        {"cluster": int, "size": int, "label": str}
    )


def _distinctiveness(membership: sp.csr_matrix, sizes: np.ndarray, vectors: sp.spmatrix | np.ndarray) -> np.ndarray:
    """Dense (clusters, V): mean term weight in each cluster minus the catalog mean."""
    totals = membership @ vectors
    totals = totals.toarray() if sp.issparse(totals) else np.asarray(totals)
    catalog_mean = np.asarray(vectors.sum(axis=0)).ravel() / vectors.shape[0]
    return totals / sizes[:, None] - catalog_mean[None, :]


def _name_counts(membership: sp.csr_matrix, names_per_movie: Sequence[Iterable[str]]) -> tuple[np.ndarray, np.ndarray]:
    """Sorted distinct names and a dense (clusters, names) count of movies having each."""
    index: dict[str, int] = {}
    rows: list[int] = []
    columns: list[int] = []
    for movie, names in enumerate(names_per_movie):
        for name in dict.fromkeys(_as_names(names)):  # a name counts once per movie
            rows.append(movie)
            columns.append(index.setdefault(name, len(index)))
    names = np.array(list(index), dtype=str)  # in column order
    indicator = sp.csr_matrix(
        (np.ones(len(rows)), (rows, columns)), shape=(membership.shape[1], len(index))
    )
    counts = (membership @ indicator).toarray()
    order = np.argsort(names, kind="stable")
    return names[order], counts[:, order]


def _ranked(
    scores: np.ndarray, keys: np.ndarray, shown: np.ndarray, limit: int, minimum: float
) -> list[str]:
    """Up to ``limit`` shown names with score > minimum, best first (ties by key),
    skipping names already shown (case-insensitive)."""
    candidates = np.flatnonzero(scores > minimum)
    order = candidates[np.lexsort((keys[candidates], -scores[candidates]))]
    chosen: list[str] = []
    seen: set[str] = set()
    for position in order:
        if len(chosen) >= limit:
            break
        name = str(shown[position])
        if name.casefold() not in seen:
            seen.add(name.casefold())
            chosen.append(name)
    return chosen


def _short_label(cluster: int, top_terms: list[str], top_genres: list[str]) -> str:
    """Two distinctive terms and the most over-represented genre, e.g.
    "heist · bank robbery · Crime"; more terms fill in when there is no genre."""
    parts: list[str] = []
    seen: set[str] = set()
    for name in top_terms[: LABEL_PARTS - 1] + top_genres[:1] + top_terms[LABEL_PARTS - 1 :]:
        if len(parts) >= LABEL_PARTS:
            break
        if name.casefold() not in seen:
            seen.add(name.casefold())
            parts.append(name)
    return LABEL_SEPARATOR.join(parts) if parts else f"cluster {cluster}"


def _as_names(names: Iterable[str] | None) -> list[str]:
    if names is None or (isinstance(names, float) and names != names):
        return []
    if isinstance(names, str):
        return [names] if names else []
    return [str(name) for name in names if name is not None and str(name) != ""]


def _check_length(values: Sequence[object] | np.ndarray, name: str, expected: int) -> None:
    if len(values) != expected:
        raise ArtifactError(
            f"{name} has {len(values)} entries but the vectors have {expected} rows; "
            "both must describe the same catalog rows"
        )
