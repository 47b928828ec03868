"""Serving-side vectors (recommender.vectors): the numpy/scipy weighting matches
scikit-learn's, by hand on a tiny matrix and on the whole demo catalog, and the
serving path imports neither scikit-learn nor NLTK."""

from __future__ import annotations

import math
import subprocess
import sys

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfTransformer
from sklearn.preprocessing import normalize

from recommender.catalog import load_catalog_csv
from recommender.config import FIELDS, FieldWeights, RecommenderConfig
from recommender.features import tokenize_catalog
from recommender.vectorize import count_terms
from recommender.vectors import field_weight_vector, from_counts, tfidf_weights

from .conftest import REPO

TERMS = np.array(["genres:drama", "overview:love", "overview:war"])
LABELS = np.array(["Drama", "love", "war"])


def test_tfidf_by_hand() -> None:
    # 3 films; "drama" in all 3, "love" twice in film 0, "war" once in film 1; film 2 has only drama.
    counts = sp.csr_matrix(np.array([[1, 2, 0], [1, 0, 1], [1, 0, 0]], dtype=np.int32))
    weighted = tfidf_weights(counts, sublinear_tf=True).toarray()
    idf_all = math.log(4 / 4) + 1  # in every film: idf 1
    idf_one = math.log(4 / 2) + 1  # in one film of three
    assert weighted[0, 0] == pytest.approx(1 * idf_all)
    assert weighted[0, 1] == pytest.approx((1 + math.log(2)) * idf_one)
    assert weighted[1, 2] == pytest.approx(1 * idf_one)
    assert weighted[2].tolist() == pytest.approx([1.0, 0.0, 0.0])
    plain = tfidf_weights(counts, sublinear_tf=False).toarray()
    assert plain[0, 1] == pytest.approx(2 * idf_one)


def test_rows_are_unit_length_field_weighted_and_empty_rows_stay_zero() -> None:
    counts = sp.csr_matrix(np.array([[2, 0, 0], [1, 0, 1], [0, 0, 0]], dtype=np.int32))
    config = RecommenderConfig(weights=FieldWeights(genres=3.0, overview=1.0), similarity="cosine")
    vectors = from_counts("count", counts, TERMS, LABELS, config)
    dense = vectors.matrix.toarray()
    assert vectors.matrix.dtype == np.float32
    assert dense[0].tolist() == pytest.approx([1.0, 0.0, 0.0])
    # film 1: genre count 1 x weight 3, war count 1 x weight 1 -> (3, 0, 1) / sqrt(10)
    assert dense[1].tolist() == pytest.approx([3 / math.sqrt(10), 0.0, 1 / math.sqrt(10)])
    assert dense[2].tolist() == [0.0, 0.0, 0.0]
    assert vectors.fields.tolist() == ["genres", "overview", "overview"]


@pytest.mark.parametrize("name", ["tfidf", "count"])
def test_matches_scikit_learn_on_the_demo_catalog(name: str) -> None:
    catalog, _ = load_catalog_csv(REPO / "data" / "demo_catalog.csv")
    config = RecommenderConfig(weights=FieldWeights(keywords=1.5, cast=0.7), similarity="cosine")
    counts, terms, labels = count_terms(tokenize_catalog(catalog), name, config)
    ours = from_counts(name, counts, terms, labels, config).matrix

    settings = config.vectorizer(name)
    reference = (
        TfidfTransformer(sublinear_tf=settings.sublinear_tf, norm=None).fit_transform(counts)
        if name == "tfidf"
        else counts.astype(np.float64)
    )
    reference = normalize(sp.csr_matrix(reference @ sp.diags(field_weight_vector(np.asarray([t.split(":")[0] for t in terms]), config.weights))))
    assert ours.shape == reference.shape
    assert np.abs(ours.toarray() - reference.toarray()).max() < 1e-6


def test_field_mean_is_the_weighted_mean_of_per_field_cosines_by_hand() -> None:
    # Film 0: genre drama, overview love x2; film 1: drama, war; film 2: drama only.
    counts = sp.csr_matrix(np.array([[1, 2, 0], [1, 0, 1], [1, 0, 0]], dtype=np.int32))
    weights = FieldWeights(**{**dict.fromkeys(FIELDS, 0.0), "genres": 3.0, "overview": 1.0})
    config = RecommenderConfig(weights=weights, similarity="field_mean")
    matrix = from_counts("count", counts, TERMS, LABELS, config).matrix.toarray().astype(np.float64)
    similarity = matrix @ matrix.T
    # Genres: cosine 1 for every pair; overview: love vs war 0, and film 2 has none.
    assert similarity[0, 1] == pytest.approx((3 * 1 + 1 * 0) / 4)
    assert similarity[0, 2] == pytest.approx(3 / 4)
    # A film with every field present is fully similar to itself; one lacking a field is not.
    assert similarity[0, 0] == pytest.approx(1.0)
    assert similarity[2, 2] == pytest.approx(3 / 4)
    assert np.all(similarity <= 1 + 1e-6) and np.all(similarity >= 0)


def test_field_mean_counts_every_field_weight_even_when_the_catalog_lacks_the_field() -> None:
    counts = sp.csr_matrix(np.array([[1, 1, 0], [1, 1, 0]], dtype=np.int32))
    config = RecommenderConfig(weights=FieldWeights(**dict.fromkeys(FIELDS, 1.0)), similarity="field_mean")
    matrix = from_counts("count", counts, TERMS, LABELS, config).matrix.toarray().astype(np.float64)
    # Genres and overview agree fully; the other fields (no terms here) count as 0.
    assert (matrix @ matrix.T)[0, 1] == pytest.approx(2 / len(FIELDS))


def test_serving_imports_neither_scikit_learn_nor_nltk() -> None:
    # What the app's first page and load_model import: scikit-learn and NLTK (about
    # 1.2 s of imports) belong to building only.
    code = (
        "import sys\n"
        "import dashboard.cache, dashboard.sidebar, dashboard.state\n"
        "import recommender.loading, recommender.results, recommender.ranking, recommender.summary\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'sklearn', 'nltk', 'umap', 'numba'}))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
