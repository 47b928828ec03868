"""Sparse movie vectors with scikit-learn's CountVectorizer or TfidfVectorizer.

Both take the ``"field:token"`` terms of :mod:`recommender.features`. After counting
(and sublinear-tf IDF weighting for TF-IDF), each term's column is multiplied by its field weight
and every row is L2-normalised, so that a dot product of two rows is their cosine
similarity. A movie with no terms keeps an all-zero row.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer
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
    counts: sp.csr_matrix | None = None  # raw term counts; ``matrix`` is derived from them

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


def from_counts(
    name: str, counts: sp.csr_matrix, terms: np.ndarray, labels: np.ndarray, config: RecommenderConfig
) -> TermVectors:
    """The weighted, L2-normalised vectors of vectorizer ``name`` from raw term counts.

    Deterministic, so artifacts store only the (small, integer) counts and loading
    derives the same float vectors the build used.
    """
    settings = config.vectorizer(name)
    counts = sp.csr_matrix(counts)
    if name == "tfidf":
        weighted = TfidfTransformer(sublinear_tf=settings.sublinear_tf, norm=None).fit_transform(counts)
    elif name == "count":
        weighted = counts.astype(np.float64)
    else:  # pragma: no cover - config.vectorizer already rejects it
        raise ConfigError(f"unknown vectorizer {name!r}; accepted: {', '.join(VECTORIZERS)}")
    fields = np.asarray(fields_of(terms))
    weighted = sp.csr_matrix(weighted @ sp.diags(field_weight_vector(fields, config.weights)))
    weighted.eliminate_zeros()
    matrix = normalize(weighted, norm="l2", copy=False).astype(np.float32)
    return TermVectors(name=name, matrix=sp.csr_matrix(matrix), terms=terms, labels=labels, fields=fields, counts=counts)


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
    counted: dict[tuple, tuple[sp.csr_matrix, np.ndarray, np.ndarray]] = {}
    result: dict[str, TermVectors] = {}
    for name in names:
        settings = config.vectorizer(name)
        ngram = tuple(settings.ngram_range)
        # The vectorizers differ only in weighting: count once per counting setting.
        key = (ngram, settings.max_features, settings.min_df)
        if key not in counted:
            if ngram not in cache:
                cache[ngram] = tokenize_catalog(catalog, ngram)  # type: ignore[arg-type]
            counted[key] = count_terms(cache[ngram], name, config)
        result[name] = from_counts(name, *counted[key], config)
    return result
