"""Movie vectors as served: weighting and normalisation of stored term counts.

Needs only numpy and scipy, so loading a build does not import scikit-learn or NLTK
(counting the terms of a catalog, :mod:`recommender.vectorize`, does).

:func:`from_counts` turns raw term counts into the vectors both the build and the
app use: TF-IDF weighting (scikit-learn's formula: sublinear tf ``1 + ln(tf)``,
smooth idf ``ln((1 + n) / (1 + df)) + 1``) or raw counts, then the fields are
combined in one of two ways (``config.similarity``):

- ``"field_mean"`` (default): each field's part of a row is L2-normalised on its own
  and scaled by ``sqrt(weight / total weight)``, so that the dot product of two rows
  is the weighted mean of their per-field cosines. A field a movie lacks (no credits,
  no keywords) counts as 0 for it, and a long overview cannot drown its genres.
- ``"cosine"``: each column times its field's weight, then every row L2-normalised,
  so that the dot product of two rows is their cosine similarity.

Either way similarities lie in [0, 1]. A movie with no terms keeps an all-zero row.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from recommender.config import FIELDS, VECTORIZERS, FieldWeights, RecommenderConfig
from recommender.errors import ConfigError


@dataclass
class TermVectors:
    """A vectorizer's output: ``matrix`` (N x V csr float32; the dot product of two
    rows is their similarity, in [0, 1]) and,
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


def term_field(term: str) -> str:
    """The field of a ``"field:token"`` term."""
    return term.split(":", 1)[0]


def fields_of(terms: Sequence[str]) -> list[str]:
    """The field of each term."""
    return [term_field(t) for t in terms]


def field_weight_vector(fields: np.ndarray, weights: FieldWeights) -> np.ndarray:
    """The weight of each column, from the field of its term."""
    by_field = {field: float(getattr(weights, field)) for field in set(fields.tolist())}
    return np.asarray([by_field[f] for f in fields], dtype=np.float64)


def tfidf_weights(counts: sp.csr_matrix, sublinear_tf: bool) -> sp.csr_matrix:
    """TF-IDF of raw counts (float64), as scikit-learn's ``TfidfTransformer(norm=None,
    smooth_idf=True)``: tf is ``1 + ln(count)`` when ``sublinear_tf``, else the count;
    idf is ``ln((1 + n_docs) / (1 + df)) + 1``."""
    weighted = sp.csr_matrix(counts, dtype=np.float64, copy=True)
    weighted.sum_duplicates()
    weighted.eliminate_zeros()
    if sublinear_tf:
        np.log(weighted.data, out=weighted.data)
        weighted.data += 1.0
    n_docs = weighted.shape[0]
    df = np.bincount(weighted.indices, minlength=weighted.shape[1])
    idf = np.log((1.0 + n_docs) / (1.0 + df)) + 1.0
    weighted.data *= idf[weighted.indices]
    return weighted


def l2_normalise_rows(matrix: sp.csr_matrix) -> sp.csr_matrix:
    """Each row divided by its Euclidean norm, in place; all-zero rows stay zero."""
    squares = matrix.multiply(matrix).sum(axis=1).A1 if matrix.nnz else np.zeros(matrix.shape[0])
    norms = np.sqrt(squares)
    norms[norms == 0.0] = 1.0
    matrix.data /= np.repeat(norms, np.diff(matrix.indptr))
    return matrix


def field_mean_rows(
    weighted: sp.csr_matrix,
    fields: np.ndarray,
    column_weights: np.ndarray,
    weights: FieldWeights,
    chunk_rows: int = 50_000,
    *,
    copy: bool = True,
) -> sp.csr_matrix:
    """Rows whose dot products are weighted means of per-field cosines.

    Each (row, field) part is L2-normalised, then scaled by ``sqrt(w_f / W)`` where
    ``W`` is the sum of all field weights (fields absent from the catalog included,
    so a weight means the same in every catalog). Zero-weight fields are dropped.
    ``copy=False`` scales a float64 CSR ``weighted`` in place (one float64 copy of all
    the weights fewer: 0.8 GB at 1,000,000 films).
    """
    total = sum(float(getattr(weights, name)) for name in FIELDS)
    matrix = sp.csr_matrix(weighted, dtype=np.float64, copy=copy)
    field_codes, field_of_column = np.unique(fields, return_inverse=True)
    scale = np.sqrt(column_weights / total)
    # In blocks of rows, in place: the per-entry temporaries (row, field, key, norm) of
    # a whole 1,000,000-film catalog would take about 3 GB at once.
    for start in range(0, matrix.shape[0], chunk_rows):
        stop = min(matrix.shape[0], start + chunk_rows)
        low, high = matrix.indptr[start], matrix.indptr[stop]
        data, columns = matrix.data[low:high], matrix.indices[low:high]
        owner_row = np.repeat(np.arange(stop - start), np.diff(matrix.indptr[start : stop + 1]))
        key = owner_row * len(field_codes) + field_of_column[columns]
        squares = np.bincount(key, weights=data**2, minlength=(stop - start) * len(field_codes))
        norms = np.sqrt(squares)[key]
        data *= scale[columns] / np.where(norms > 0, norms, 1.0)
    matrix.eliminate_zeros()
    return matrix


def from_counts(
    name: str, counts: sp.csr_matrix, terms: np.ndarray, labels: np.ndarray, config: RecommenderConfig
) -> TermVectors:
    """The weighted, L2-normalised vectors of vectorizer ``name`` from raw term counts.

    Deterministic, so artifacts store only the (small, integer) counts and loading
    derives the same float vectors the build used.
    """
    settings = config.vectorizer(name)  # ConfigError for an unknown name
    counts = sp.csr_matrix(counts)
    if name == "tfidf":
        weighted = tfidf_weights(counts, settings.sublinear_tf)
    elif name == "count":
        weighted = sp.csr_matrix(counts, dtype=np.float64, copy=True)
    else:  # pragma: no cover - config.vectorizer already rejects it
        raise ConfigError(f"unknown vectorizer {name!r}; accepted: {', '.join(VECTORIZERS)}")
    fields = np.asarray(fields_of(terms))
    column_weights = field_weight_vector(fields, config.weights)
    if config.similarity == "field_mean":
        # ``weighted`` is this function's own copy of the counts: scaled in place.
        matrix = field_mean_rows(weighted, fields, column_weights, config.weights, copy=False).astype(np.float32)
    else:
        weighted.data *= column_weights[weighted.indices]
        weighted.eliminate_zeros()
        matrix = l2_normalise_rows(weighted).astype(np.float32)
    return TermVectors(name=name, matrix=sp.csr_matrix(matrix), terms=terms, labels=labels, fields=fields, counts=counts)
