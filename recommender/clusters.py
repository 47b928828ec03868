"""Groups of similar movies on the map, and words that say what each group is about.

K-means on the SVD vectors (:func:`cluster_rows`) splits the catalog into clusters at
two levels of detail, broad and fine (:func:`cluster_levels`). Each cluster is then
described by :func:`label_clusters`: its most distinctive terms, its
over-represented genres, its recurring directors and a short label built from them,
e.g. "heist · bank robbery · Crime". A term is distinctive when the share of the
cluster's films having it is well above its share in the catalog: scored
``(p_cluster - p_catalog) * log(p_cluster / p_catalog)``, at least
:data:`MIN_LIFT` times the catalog share, so words every kind of film uses ("man",
"young", "life") do not win. Labels prefer TMDB keywords (curated topics), then
story words; story words used by more than :data:`GENERIC_SHARE` of all films, and
spread over the clusters, never stand alone in a label, and two story words that the cluster's overviews mostly use
side by side become one phrase in their real order ("new york", not "york · new").
Studios and TMDB's housekeeping keywords ("duringcreditsstinger", "woman director",
"based on novel") never label a cluster. Cluster numbers are ordered by size,
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

# Term fields left out of top_terms: genres and directors have their own columns, and
# a studio says who paid for a film, not what it is about (a studio-only label told
# an analyst nothing). Era, language and rating terms are similarity signals, not
# topics: "released close together" describes a pair of films, never a cluster.
LABEL_SKIPPED_FIELDS: frozenset[str] = frozenset(
    {"genres", "directors", "companies", "era", "language", "rating"}
)
# TMDB keywords about how a film was made or released, not what it is about; they are
# distinctive of big groups (every Marvel film has "duringcreditsstinger") and would
# crowd the labels. Still used for similarity. Collapsed as in the terms ("keywords:3d").
LABEL_SKIPPED_KEYWORDS: frozenset[str] = frozenset(
    {
        "duringcreditsstinger", "aftercreditsstinger", "womandirector", "independentfilm", "3d", "imax",
        "basedonnovel", "sequel", "remake", "nudity",
    }
)
# Fields whose terms are free story words (as opposed to curated keywords).
STORY_FIELDS: frozenset[str] = frozenset({"overview", "tagline"})
# A term must be this many times more common in the cluster than in the catalog.
MIN_LIFT = 1.5
# Story words in more than this share of all films are too generic to stand alone,
# unless most of the films using them (GENERIC_CONCENTRATION) are in the one cluster.
GENERIC_SHARE = 0.10
GENERIC_CONCENTRATION = 0.5
# Two story words become a phrase when, in the cluster's films having both, at least
# this share have them side by side (in the order seen most).
PHRASE_SHARE = 0.5
# How many of a cluster's best story words are tried as phrase halves.
PHRASE_CANDIDATES = 8
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
    texts: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Describe each cluster: one row per cluster, ordered by cluster number.

    Columns: cluster (int), size (int), label (str, e.g. "heist · bank robbery ·
    Crime"), top_terms (up to ``n_terms`` human-readable labels of the most
    distinctive terms, keywords before story words; see the module docstring),
    top_genres (genres whose share in the cluster most exceeds their catalog share),
    top_directors (most frequent directors with at least 2 films in the cluster).
    ``vectors`` is (N, V); ``terms`` and ``term_labels`` have V entries; ``genres``
    and ``directors`` hold one list of names per movie; ``texts`` (optional, one
    overview and tagline per movie) lets story words join into phrases. Raises
    :class:`ArtifactError` if the lengths disagree.
    """
    labels = np.asarray(labels).ravel()
    n_rows, n_vocab = vectors.shape
    _check_length(labels, "labels", n_rows)
    _check_length(genres, "genres", n_rows)
    _check_length(directors, "directors", n_rows)
    if texts is not None:
        _check_length(texts, "texts", n_rows)
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

    term_gain, catalog_share, concentration = _distinctiveness(membership, sizes, vectors)
    fields = np.array([str(term).split(":", 1)[0] for term in terms], dtype=object)
    skipped_keywords = {f"keywords:{token}" for token in LABEL_SKIPPED_KEYWORDS}
    skipped = np.isin(fields, list(LABEL_SKIPPED_FIELDS)) | np.isin(np.asarray(terms, dtype=object).astype(str), list(skipped_keywords))
    term_gain[:, skipped] = 0.0
    term_names = np.asarray(terms, dtype=object).astype(str)
    readable = np.asarray(term_labels, dtype=object).astype(str)
    story = np.isin(fields, list(STORY_FIELDS))
    generic = story[None, :] & (catalog_share[None, :] > GENERIC_SHARE) & (concentration < GENERIC_CONCENTRATION)
    words_of_movie = _text_words(texts) if texts is not None else None

    genre_names, genre_counts = _name_counts(membership, genres)
    genre_gain = genre_counts / sizes[:, None] - genre_counts.sum(axis=0) / n_rows
    director_names, director_counts = _name_counts(membership, directors)

    records = []
    for position, cluster in enumerate(clusters):
        top_terms = _top_terms(
            term_gain[position], term_names, readable, story, generic[position], n_terms,
            None if words_of_movie is None else [words_of_movie[r] for r in np.flatnonzero(cluster_index == position)],
        )
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
    texts: Sequence[str] | None = None,
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
        table = label_clusters(labels, vectors, terms, term_labels, genres, directors, settings.label_terms, texts)
        table.insert(0, "level", level)
        tables.append(table)
    return broad, fine, pd.concat(tables, ignore_index=True)


_COLUMNS = ["cluster", "size", "label", "top_terms", "top_genres", "top_directors"]


def _empty_table() -> pd.DataFrame:
    return pd.DataFrame({column: pd.Series(dtype=object) for column in _COLUMNS}).astype(
        {"cluster": int, "size": int, "label": str}
    )


def _distinctiveness(
    membership: sp.csr_matrix, sizes: np.ndarray, vectors: sp.spmatrix | np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Dense (clusters, V) scores ``(p_c - p) * log(p_c / p)`` where ``p_c`` is the
    share of a cluster's films having a term and ``p`` its catalog share (0 unless
    ``p_c >= MIN_LIFT * p``); the catalog shares (V,); and dense (clusters, V) the
    share of each term's films that are in each cluster."""
    present = sp.csr_matrix(vectors) if not sp.issparse(vectors) else vectors.tocsr()
    present = present.copy()
    present.data = (present.data != 0).astype(np.float64)
    present.eliminate_zeros()
    counts = membership @ present
    counts = counts.toarray() if sp.issparse(counts) else np.asarray(counts)
    share_cluster = counts / sizes[:, None]
    share_catalog = np.asarray(present.sum(axis=0)).ravel() / present.shape[0]
    with np.errstate(divide="ignore", invalid="ignore"):
        lift = np.where(share_catalog[None, :] > 0, share_cluster / share_catalog[None, :], 0.0)
        score = (share_cluster - share_catalog[None, :]) * np.log(np.where(lift > 0, lift, 1.0))
    score = np.where(lift >= MIN_LIFT, score, 0.0)
    totals = counts.sum(axis=0)
    concentration = np.divide(counts, totals[None, :], out=np.zeros_like(counts), where=totals[None, :] > 0)
    return score, share_catalog, concentration


def _text_words(texts: Sequence[str]) -> list[list[str]]:
    """Each text's words as the vocabulary labels spell them (lower case, no stop words)."""
    from recommender.features import text_words  # build time only, like this module

    return [text_words(text if isinstance(text, str) else "") for text in texts]


def _top_terms(
    gain: np.ndarray,
    names: np.ndarray,
    readable: np.ndarray,
    story: np.ndarray,
    generic: np.ndarray,
    limit: int,
    cluster_words: list[list[str]] | None,
) -> list[str]:
    """A cluster's label terms: keywords and other names first, then story words (and
    phrases), each group best first; generic story words only inside a phrase."""
    curated = _without_repeats(_ranked(np.where(story, 0.0, gain), names, readable, 2 * limit, minimum=_NOISE_FLOOR))[:limit]
    story_gain = np.where(story, gain, 0.0)
    candidates = np.flatnonzero(story_gain > _NOISE_FLOOR)
    candidates = candidates[np.lexsort((names[candidates], -story_gain[candidates]))][: max(limit, PHRASE_CANDIDATES)]
    words = [(str(readable[i]), float(story_gain[i]), bool(generic[i])) for i in candidates]
    if cluster_words is not None:
        words = _join_phrases(words, cluster_words)
    chosen = list(curated)
    for text, _, is_generic in words:
        if len(chosen) >= limit:
            break
        if not is_generic and _without_repeats([*chosen, text]) == [*chosen, text]:
            chosen.append(text)
    return chosen


def _without_repeats(names: list[str]) -> list[str]:
    """``names`` without those whose words repeat an earlier name's ("fbi agent" after
    "fbi", "new york city" after "new york"), in order."""
    kept: list[str] = []
    kept_words: list[set[str]] = []
    for name in names:
        words = set(name.casefold().split())
        if any(words <= other or other <= words for other in kept_words):
            continue
        kept.append(name)
        kept_words.append(words)
    return kept


def _join_phrases(words: list[tuple[str, float, bool]], cluster_words: list[list[str]]) -> list[tuple[str, float, bool]]:
    """Join pairs of candidate words that the cluster's texts mostly use side by side,
    in the order they appear most ("new york"); a phrase scores as its better word and
    is generic only if both words are. Best first."""
    index = {text: position for position, (text, _, _) in enumerate(words)}
    together: dict[tuple[int, int], int] = {}
    both: dict[tuple[int, int], int] = {}
    for film in cluster_words:
        present = sorted({index[w] for w in film if w in index})
        for a_pos, a in enumerate(present):
            for b in present[a_pos + 1 :]:
                both[(a, b)] = both.get((a, b), 0) + 1
        adjacent = {(index[x], index[y]) for x, y in zip(film, film[1:]) if x in index and y in index and x != y}
        for pair in adjacent:
            together[pair] = together.get(pair, 0) + 1
    pairs = []
    for (a, b), count in both.items():
        forward, backward = together.get((a, b), 0), together.get((b, a), 0)
        if max(forward, backward) >= PHRASE_SHARE * count:
            first, second = (a, b) if forward >= backward else (b, a)
            pairs.append((-(words[a][1] + words[b][1]), first, second))
    used: set[int] = set()
    result = []
    for _, first, second in sorted(pairs):
        if first in used or second in used:
            continue
        used.update((first, second))
        text = f"{words[first][0]} {words[second][0]}"
        result.append((text, max(words[first][1], words[second][1]), words[first][2] and words[second][2]))
    result += [word for position, word in enumerate(words) if position not in used]
    return sorted(result, key=lambda word: -word[1])


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
