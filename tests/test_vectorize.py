"""term_counts counts terms exactly as scikit-learn's CountVectorizer does."""

from __future__ import annotations

import random

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.feature_extraction.text import CountVectorizer

from recommender.vectorize import term_counts


def _sklearn(docs, min_df, max_features):
    counter = CountVectorizer(
        analyzer=lambda terms: terms, lowercase=False, min_df=min_df, max_features=max_features, dtype=np.int32
    )
    counts = sp.csr_matrix(counter.fit_transform(docs))
    return counts, counter.get_feature_names_out().astype(str)


def test_counts_by_hand():
    docs = [["b", "a", "b"], [], ["c", "a", "b"]]
    counts, terms = term_counts(docs, min_df=1, max_features=None)
    assert terms.tolist() == ["a", "b", "c"]
    assert sp.csr_matrix(counts).toarray().tolist() == [[1, 2, 0], [0, 0, 0], [1, 1, 1]]
    counts, terms = term_counts(docs, min_df=2, max_features=None)  # "c" is in one document only
    assert terms.tolist() == ["a", "b"] and sp.csr_matrix(counts).toarray().tolist() == [[1, 2], [0, 0], [1, 1]]
    counts, terms = term_counts(docs, min_df=1, max_features=1)  # "b" occurs most often (3 times)
    assert terms.tolist() == ["b"] and sp.csr_matrix(counts).toarray().ravel().tolist() == [2, 0, 1]


@pytest.mark.parametrize("seed", range(40))
def test_same_matrix_as_count_vectorizer_bit_for_bit(seed):
    # Ties in frequency (max_features) and the row order of indices included: the build
    # stores the raw arrays, so the artifacts stay identical.
    rng = random.Random(seed)
    vocabulary = [f"f{rng.randint(0, 3)}:t{i}" for i in range(rng.randint(1, 60))]
    docs = [[rng.choice(vocabulary) for _ in range(rng.randint(0, 12))] for _ in range(rng.randint(1, 40))]
    for min_df in (1, 2, 3):
        for max_features in (None, 1, 5, 20, 1000):
            try:
                expected = _sklearn(docs, min_df, max_features)
            except ValueError as exc:
                with pytest.raises(ValueError, match=str(exc)[:20]):
                    term_counts(docs, min_df, max_features)
                continue
            # Counted in chunks of documents (the build's 100,000 at 1,000,000 films): the same.
            for chunk_docs in (100_000, 1, 7):
                counts, terms = term_counts(docs, min_df, max_features, chunk_docs=chunk_docs)
                counts = sp.csr_matrix(counts)
                assert terms.tolist() == expected[1].tolist()
                for part in ("data", "indices", "indptr"):
                    ours, theirs = getattr(counts, part), getattr(expected[0], part)
                    assert ours.dtype == theirs.dtype and np.array_equal(ours, theirs), part
                assert counts.shape == expected[0].shape


def test_empty_vocabulary_raises_like_count_vectorizer():
    with pytest.raises(ValueError, match="empty vocabulary"):
        term_counts([[], []], min_df=1, max_features=None)
