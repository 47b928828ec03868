"""Counting the movies' terms with scikit-learn's CountVectorizer (build time only).

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
from sklearn.feature_extraction.text import CountVectorizer

from recommender.config import VECTORIZERS, RecommenderConfig
from recommender.errors import CatalogError
from recommender.features import MovieTokens, tokenize_catalog
from recommender.vectors import TermVectors, from_counts


def _identity(terms: list[str]) -> list[str]:
    # The analyzer: documents arrive already tokenised as term lists.
    return terms


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
    counter = CountVectorizer(
        analyzer=_identity, lowercase=False, max_features=settings.max_features, min_df=min_df, dtype=np.int32
    )
    try:
        counts = counter.fit_transform(tokens.docs)
    except ValueError as exc:
        raise CatalogError(
            f"no usable terms in the catalog for the {name} vectorizer ({exc}); "
            "movies need an overview, genres, keywords or credits"
        ) from exc
    terms = counter.get_feature_names_out().astype(str)
    labels = np.asarray([tokens.labels.get(t, t.split(":", 1)[1]) for t in terms])
    return sp.csr_matrix(counts), terms, labels


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
