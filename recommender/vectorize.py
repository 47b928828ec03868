"""Counting the movies' terms (build time only), exactly as scikit-learn's
CountVectorizer counts them (:func:`term_counts`; tested against it) but with numpy
instead of a Python loop over every occurrence.

Both vectorizers take the ``"field:token"`` terms of :mod:`recommender.features` and
the same raw counts; :func:`recommender.vectors.from_counts` then weights them
(sublinear-tf IDF for TF-IDF, raw counts for Count), multiplies each column by its
field's weight and L2-normalises every row, so that a dot product of two rows is
their cosine similarity. A movie with no terms keeps an all-zero row.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import scipy.sparse as sp

from recommender.config import VECTORIZERS, RecommenderConfig
from recommender.errors import CatalogError
from recommender.features import MovieTokens, tokenize_catalog
from recommender.vectors import TermVectors, from_counts


def vectorize(
    tokens: MovieTokens, name: str, config: RecommenderConfig
) -> TermVectors:
    """Vectorize the movies' terms with vectorizer ``name`` ('tfidf' or 'count').

    Raises :class:`ConfigError` for an unknown name and :class:`CatalogError` when no
    term survives the settings (empty vocabulary).
    """
    return from_counts(name, *count_terms(tokens, name, config), config)


def count_terms(
    tokens: MovieTokens, name: str, config: RecommenderConfig
) -> tuple[sp.csr_matrix, np.ndarray, np.ndarray]:
    """Raw term counts (N x V int32), terms and labels under vectorizer ``name``'s settings."""
    settings = config.vectorizer(name)
    n_docs = len(tokens.docs)
    # min_df larger than the catalog would reject everything; a tiny catalog keeps all terms.
    min_df = settings.min_df if n_docs >= 2 * settings.min_df else 1
    try:
        counts, terms = term_counts(tokens.docs, min_df, settings.max_features)
    except ValueError as exc:
        raise CatalogError(
            f"no usable terms in the catalog for the {name} vectorizer ({exc}); "
            "movies need an overview, genres, keywords or credits"
        ) from exc
    labels = np.asarray([tokens.labels.get(t, t.split(":", 1)[1]) for t in terms])
    return sp.csr_matrix(counts), terms, labels


def term_counts(
    docs: list[list[str]], min_df: int, max_features: int | None, chunk_docs: int = 100_000
) -> tuple[sp.csr_array, np.ndarray]:
    """What ``CountVectorizer(analyzer=identity, lowercase=False, min_df=min_df,
    max_features=max_features, dtype=np.int32).fit_transform(docs)`` returns, and its
    terms, bit for bit (the same matrix, row order of indices included), without its
    loop over every occurrence: terms are numbered in order of first occurrence as
    there, counted with numpy, then sorted and pruned by the same steps.

    Raises ValueError with scikit-learn's messages for an empty vocabulary.
    """
    vocabulary: dict[str, int] = {}
    number = vocabulary.setdefault
    # One count per distinct (row, term), rows in order and terms by number within a row,
    # as CountVectorizer's matrix after its sort_indices(); counted chunk_docs documents
    # at a time (terms numbered on first occurrence across the chunks, as in one pass):
    # the int64 keys and np.unique's sorted copies of a whole 1,000,000-film catalog
    # took about 3.5 GB at once, the build's peak.
    columns_of_chunks: list[np.ndarray] = []
    counts_of_chunks: list[np.ndarray] = []
    distinct_per_row = np.zeros(len(docs), dtype=np.int64)
    for start in range(0, len(docs), chunk_docs):
        chunk = docs[start : start + chunk_docs]
        columns = np.fromiter((number(term, len(vocabulary)) for doc in chunk for term in doc), dtype=np.int64)
        lengths = np.fromiter((len(doc) for doc in chunk), dtype=np.int64, count=len(chunk))
        rows = np.repeat(np.arange(len(chunk), dtype=np.int64), lengths)
        width = max(1, len(vocabulary))
        cells, counts = np.unique(rows * width + columns, return_counts=True)
        distinct_per_row[start : start + len(chunk)] = np.bincount(cells // width, minlength=len(chunk))
        columns_of_chunks.append((cells % width).astype(np.int32 if width <= np.iinfo(np.int32).max else np.int64))
        counts_of_chunks.append(counts.astype(np.intc))
        del columns, rows, cells, counts
    if not vocabulary:
        raise ValueError("empty vocabulary; perhaps the documents only contain stop words")
    if len(docs) < min_df:
        raise ValueError("max_df corresponds to < documents than min_df")
    n_terms = len(vocabulary)
    n_cells = int(distinct_per_row.sum())
    index_type = np.int32 if n_cells <= np.iinfo(np.int32).max else np.int64
    indptr = np.zeros(len(docs) + 1, dtype=np.int64)
    np.cumsum(distinct_per_row, out=indptr[1:])
    matrix = sp.csr_array(
        (np.concatenate(counts_of_chunks), np.concatenate(columns_of_chunks).astype(index_type, copy=False),
         indptr.astype(index_type)),
        shape=(len(docs), n_terms), dtype=np.int32,
    )
    del columns_of_chunks, counts_of_chunks
    matrix.sort_indices()
    # CountVectorizer.fit_transform from here on: sort the terms by name when it will
    # limit them, keep those in min_df or more documents, the max_features most frequent.
    terms = sorted(vocabulary)
    if max_features is not None:
        matrix = _sorted_by_name(matrix, vocabulary, terms)
    frequency = np.bincount(matrix.indices, minlength=matrix.shape[1])
    mask = (frequency <= len(docs)) & (frequency >= min_df)
    if max_features is not None and mask.sum() > max_features:
        totals = np.asarray(matrix.sum(axis=0)).ravel()
        best = (-totals[mask]).argsort()[:max_features]
        limited = np.zeros(len(frequency), dtype=bool)
        limited[np.where(mask)[0][best]] = True
        mask = limited
    kept = np.where(mask)[0]
    if len(kept) == 0:
        raise ValueError("After pruning, no terms remain. Try a lower min_df or a higher max_df.")
    matrix = matrix[:, kept]
    if max_features is not None:
        return matrix, np.asarray(terms, dtype=object)[kept].astype(str)
    # Unsorted (first occurrence) numbering: keep, then sort the kept terms by name.
    first_seen = np.empty(n_terms, dtype=object)
    first_seen[list(vocabulary.values())] = list(vocabulary)
    kept_terms = first_seen[kept]
    kept_vocabulary = {term: i for i, term in enumerate(kept_terms)}
    ordered = sorted(kept_vocabulary)
    return _sorted_by_name(matrix, kept_vocabulary, ordered), np.asarray(ordered, dtype=object).astype(str)


def _sorted_by_name(matrix: sp.csr_array, vocabulary: dict[str, int], ordered: list[str]) -> sp.csr_array:
    """Columns renumbered in the order of ``ordered`` (the terms sorted by name), as
    CountVectorizer's ``_sort_features``: indices remapped in place, not re-sorted."""
    new_number = np.empty(len(ordered), dtype=matrix.indices.dtype)
    new_number[[vocabulary[term] for term in ordered]] = np.arange(len(ordered), dtype=matrix.indices.dtype)
    matrix.indices = new_number.take(matrix.indices, mode="clip")
    return matrix


def vectorize_catalog(
    catalog: pd.DataFrame,
    config: RecommenderConfig,
    names: tuple[str, ...] = VECTORIZERS,
    tokenize: Callable[..., MovieTokens] = tokenize_catalog,
) -> dict[str, TermVectors]:
    """Vectors of every movie for each vectorizer in ``names``; tokenises once per
    distinct n-gram setting, with ``tokenize`` (:func:`tokenize_catalog` here, or
    :func:`recommender.distributed.tokenizer` on a cluster: same terms)."""
    cache: dict[tuple[int, int], MovieTokens] = {}
    counted: dict[tuple, tuple[sp.csr_matrix, np.ndarray, np.ndarray]] = {}
    result: dict[str, TermVectors] = {}
    for name in names:
        settings = config.vectorizer(name)
        ngram = tuple(settings.ngram_range)
        # The vectorizers differ only in weighting: count once per counting setting.
        key = (ngram, settings.max_features, settings.min_df)
        if key not in counted:
            if ngram not in cache:
                cache[ngram] = tokenize(catalog, ngram, config.features)  # type: ignore[arg-type]
            counted[key] = count_terms(cache[ngram], name, config)
        result[name] = from_counts(name, *counted[key], config)
    return result
