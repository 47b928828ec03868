"""Proxy quality metrics against hand-computed values."""

import math

import numpy as np
import pandas as pd
import pytest

from recommender.evaluation import METRICS, compare_vectorizers, proxy_metrics


@pytest.fixture
def catalog():
    return pd.DataFrame(
        {
            "genres": [["Drama"], ["Drama", "War"], ["Comedy"], ["War"]],
            "directors": [["Ann"], ["Ann"], [], ["Bob"]],
            "cast": [["X"], ["Y"], ["X"], []],
            "keywords": [["a", "b"], ["b"], ["a", "b"], []],
            "vote_count": [0, 1, 3, 7],
        }
    )


def test_metrics_by_hand(catalog):
    # Lists: 0 -> [1, 2]; 1 -> [0, -1]; 2 -> [3, 0]; 3 -> [-1, -1] (nothing).
    lists = np.array([[1, 2], [0, -1], [3, 0], [-1, -1]])
    m = proxy_metrics(catalog, lists, 2)
    # genre: 0-1 yes, 0-2 no, 1-0 yes, 2-3 no, 2-0 no -> 2/5
    assert m["genre_overlap"] == pytest.approx(2 / 5)
    # directors: queries with directors are 0 ([1,2]: yes, no), 1 ([0]: yes) -> 2/3
    assert m["director_overlap"] == pytest.approx(2 / 3)
    # cast: 0 ([1,2]: no, yes), 1 ([0]: no), 2 ([3,0]: no, yes) -> 2/5
    assert m["cast_overlap"] == pytest.approx(2 / 5)
    # keywords Jaccard: 0-1 1/2, 0-2 1, 1-0 1/2, 2-3 0, 2-0 1 -> 3/5
    assert m["keyword_jaccard"] == pytest.approx(3 / 5)
    # diversity: list 0 {D,W} vs {C}: 1; list 2 {W} vs {D}: 1 -> 1
    assert m["intra_list_diversity"] == pytest.approx(1.0)
    # coverage: movies 0,1,2,3 all recommended once -> 1
    assert m["coverage"] == pytest.approx(1.0)
    # novelty: -log2((v+1)/8) averaged over recommended [1,2,0,3,0]
    info = [-math.log2((v + 1) / 8) for v in (1, 3, 0, 7, 0)]
    assert m["novelty"] == pytest.approx(sum(info) / 5)


def test_compare_vectorizers_shape(catalog):
    lists = np.array([[1, 2], [0, -1], [3, 0], [-1, -1]])
    table = compare_vectorizers(catalog, {"tfidf": lists, "count": lists[:, :1]}, 2)
    assert list(table.index) == list(METRICS)
    assert list(table.columns) == ["tfidf", "count"]
    for metric in METRICS:
        if metric != "novelty":
            assert 0 <= table.loc[metric, "tfidf"] <= 1
