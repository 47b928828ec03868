"""Explanations: shared-term contributions sum to the cosine and group by field."""

import numpy as np
import pytest

from recommender.build import build_model
from recommender.catalog import load_catalog_csv
from recommender.explain import contributions, explain, explain_results, why_text
from tests.conftest import WORDS_ONLY


@pytest.fixture
def model(tiny_catalog_csv):
    catalog, _ = load_catalog_csv(tiny_catalog_csv)
    return build_model(catalog, WORDS_ONLY)


def test_contributions_sum_to_cosine(model):
    vectors = model.space("tfidf").vectors
    parts = contributions(vectors, 0, 1)
    cosine = float((vectors.matrix[0] @ vectors.matrix[1].T).toarray()[0, 0])
    assert sum(p.share for p in parts) == pytest.approx(cosine, rel=1e-5)
    assert all(a.share >= b.share for a, b in zip(parts, parts[1:]))


def test_explain_names_shared_people_and_genres(model):
    why = explain(model.space("count").vectors, 0, 1)
    assert why["directors"] == ["Ann Lee"]
    assert set(why["cast"]) == {"Tom Hart", "Mia Sol"}
    assert set(why["genres"]) == {"Science Fiction", "Adventure"}
    assert "overview" in why  # "rebels", "empire", "space"
    text = why_text(why, max_fields=10)
    assert "Director: Ann Lee" in text and "Genres:" in text


def test_no_shared_terms(model):
    assert explain(model.space("tfidf").vectors, 0, 4) == {}
    assert why_text({}) == "no shared terms"


def test_explain_results_in_order(model):
    results = explain_results(model.space("tfidf").vectors, 2, np.array([3, 0]))
    assert "Cast" not in results[1] and results[0]["cast"] == ["Zoe Park"]
