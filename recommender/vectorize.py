"""Sparse movie vectors with scikit-learn's CountVectorizer or TfidfVectorizer.

Both take the ``"field:token"`` terms of :mod:`recommender.features`. After counting
(and IDF weighting for TF-IDF), each term's column is multiplied by its field weight
and every row is L2-normalised, so that a dot product of two rows is their cosine
similarity. A movie with no terms keeps an all-zero row.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.preprocessing import normalize

from recommender.config import VECTORIZERS, FieldWeights, RecommenderConfig
from recommender.errors import CatalogError, ConfigError
from recommender.features import MovieTokens, fields_of, tokenize_catalog



@dataclass
class TermVectors:
    """A vectorizer's output: ``matrix`` (N x V csr float32, rows L2-normalised) and,
    per column, ``terms`` ("field:token"), readable ``labels`` and ``fields``."""

    name: str
    matrix: sp.csr_matrix
    terms: np.ndarray
    labels: np.ndarray
    fields: np.ndarray

    @property
    def n_terms(self) -> int:
        return int(self.matrix.shape[1])


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
    settings = config.vectorizer(name)
    common = dict(analyzer=_identity, lowercase=False, max_features=settings.max_features, dtype=np.float32)
    n_docs = len(tokens.docs)
    # min_df larger than the catalog would reject everything; a tiny catalog keeps all terms.
    min_df = settings.min_df if n_docs >= 2 * settings.min_df else 1
    if name == "tfidf":
        vectorizer = TfidfVectorizer(min_df=min_df, sublinear_tf=settings.sublinear_tf, norm=None, **common)
    elif name == "count":
        vectorizer = CountVectorizer(min_df=min_df, **common)
    else:  # pragma: no cover - config.vectorizer already rejects it
        raise ConfigError(f"unknown vectorizer {name!r}; accepted: {', '.join(VECTORIZERS)}")
    try:
        matrix = vectorizer.fit_transform(tokens.docs)
    except ValueError as exc:
        raise CatalogError(
            f"no usable terms in the catalog for the {name} vectorizer ({exc}); "
            "movies need an overview, genres, keywords or credits"
        ) from exc
    terms = vectorizer.get_feature_names_out().astype(str)
    fields = np.asarray(fields_of(terms))
    column_weights = field_weight_vector(fields, config.weights)
    matrix = sp.csr_matrix(matrix.astype(np.float32) @ sp.diags(column_weights.astype(np.float32)))
    matrix.eliminate_zeros()
    matrix = normalize(matrix, norm="l2", copy=False).astype(np.float32)
    labels = np.asarray([tokens.labels.get(t, t.split(":", 1)[1]) for t in terms])
    return TermVectors(name=name, matrix=sp.csr_matrix(matrix), terms=terms, labels=labels, fields=fields)


def field_weight_vector(fields: np.ndarray, weights: FieldWeights) -> np.ndarray:
    """The weight of each column, from the field of its term."""
    by_field = {field: float(getattr(weights, field)) for field in set(fields.tolist())}
    return np.asarray([by_field[f] for f in fields], dtype=np.float64)


def vectorize_catalog(
    catalog: pd.DataFrame, config: RecommenderConfig, names: tuple[str, ...] = VECTORIZERS
) -> dict[str, TermVectors]:
    """Vectors of every movie for each vectorizer in ``names``; tokenises once per
    distinct n-gram setting."""
    cache: dict[tuple[int, int], MovieTokens] = {}
    result: dict[str, TermVectors] = {}
    for name in names:
        ngram = tuple(config.vectorizer(name).ngram_range)
        if ngram not in cache:
            cache[ngram] = tokenize_catalog(catalog, ngram)  # type: ignore[arg-type]
        result[name] = vectorize(cache[ngram], name, config)
    return result
