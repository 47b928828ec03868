"""Top-k cosine neighbours: a hand-checked 4-movie example and invariants."""

import threading

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.preprocessing import normalize

from recommender import neighbours
from recommender.build import _all_neighbours
from recommender.catalog import load_catalog_csv
from recommender.config import RecommenderConfig
from recommender.neighbours import exact_neighbours, similarities, top_neighbours
from recommender.vectorize import vectorize_catalog

from .conftest import REPO

# A=[1,1,0,0] B=[1,0,1,0] C=[0,0,1,1] D=[1,1,1,1]; on paper:
# cos(A,B)=1/2, cos(A,C)=0, cos(A,D)=cos(B,D)=cos(C,D)=1/sqrt(2), cos(B,C)=1/2.
FOUR = normalize(sp.csr_matrix(np.array([[1, 1, 0, 0], [1, 0, 1, 0], [0, 0, 1, 1], [1, 1, 1, 1]], dtype=np.float32)))
R = 1 / np.sqrt(2)


def test_hand_computed_cosines():
    index, scores = top_neighbours(FOUR, 3)
    assert index[0].tolist() == [3, 1, -1]  # C has zero similarity to A: not a neighbour
    np.testing.assert_allclose(scores[0], [R, 0.5, 0.0], rtol=1e-6)
    assert index[1].tolist() == [3, 0, 2]  # tie A/C at 1/2 broken by the lower index
    np.testing.assert_allclose(scores[1], [R, 0.5, 0.5], rtol=1e-6)
    assert index[3].tolist() == [0, 1, 2]
    np.testing.assert_allclose(scores[3], [R, R, R], rtol=1e-6)


def test_chunking_does_not_change_results():
    matrix = normalize(sp.random(60, 30, density=0.2, random_state=1, format="csr", dtype=np.float32))
    whole = top_neighbours(matrix, 7)
    chunked = top_neighbours(matrix, 7, chunk_rows=4, max_block_cells=100)
    np.testing.assert_array_equal(whole[0], chunked[0])
    np.testing.assert_allclose(whole[1], chunked[1])


def test_exact_on_demand_matches_stored_and_masks():
    index, scores = exact_neighbours(FOUR, 1, 10)
    assert index.tolist() == [3, 0, 2]
    mask = np.array([True, True, True, False])
    index, _ = exact_neighbours(FOUR, 1, 10, mask)
    assert index.tolist() == [0, 2]


def test_k_larger_than_catalog_pads():
    index, scores = top_neighbours(FOUR, 10)
    assert index.shape == (4, 10)
    assert (index[:, 3:] == -1).all() and (scores[:, 3:] == 0).all()


def test_all_zero_row_has_no_neighbours():
    matrix = sp.csr_matrix(np.array([[0, 0], [1, 0], [1, 0]], dtype=np.float32))
    index, _ = top_neighbours(matrix, 2)
    assert index[0].tolist() == [-1, -1]
    assert 0 not in index[1]


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(2, 25),
    v=st.integers(1, 12),
    k=st.integers(1, 30),
    seed=st.integers(0, 10_000),
)
def test_invariants(n, v, k, seed):
    rng = np.random.default_rng(seed)
    dense = (rng.random((n, v)) < 0.35) * rng.integers(1, 4, (n, v))
    matrix = normalize(sp.csr_matrix(dense.astype(np.float32)))
    index, scores = top_neighbours(matrix, k, chunk_rows=int(rng.integers(1, 6)))
    full = (matrix @ matrix.T).toarray()
    np.testing.assert_allclose(full, full.T, atol=1e-6)  # similarity is symmetric
    for row in range(n):
        valid = index[row] >= 0
        assert row not in index[row]  # never its own neighbour
        assert np.all(np.diff(scores[row][valid]) <= 1e-6)  # best first
        positives = int(np.sum(np.delete(full[row], row) > 1e-6))
        assert valid.sum() == min(k, positives)  # exactly k when k are available
        np.testing.assert_allclose(scores[row][valid], full[row, index[row][valid]], atol=1e-5)
        assert np.all((scores[row] >= 0) & (scores[row] <= 1 + 1e-6))
        np.testing.assert_allclose(similarities(matrix, row), full[row], atol=1e-5)


def test_parallel_neighbours_equal_sequential_and_report_from_the_calling_thread() -> None:
    catalog, _ = load_catalog_csv(REPO / "data" / "demo_catalog.csv")
    config = RecommenderConfig()
    vectors = vectorize_catalog(catalog, config)
    reports: list[tuple[float, str]] = []
    threads: set[int] = set()

    def report(fraction: float, message: str) -> None:
        reports.append((fraction, message))
        threads.add(threading.get_ident())

    found = _all_neighbours({name: v.matrix for name, v in vectors.items()}, config, report)
    assert list(found) == ["tfidf", "count"]
    for name, (index, scores) in found.items():
        expected_index, expected_scores = top_neighbours(
            vectors[name].matrix, config.neighbours_k, chunk_rows=config.chunk_rows, max_block_cells=config.max_block_cells
        )
        np.testing.assert_array_equal(index, expected_index)
        np.testing.assert_array_equal(scores, expected_scores)
    assert threads == {threading.get_ident()}
    assert reports[-1][0] == pytest.approx(1.0)


def test_dense_columns_split_keeps_the_product_and_the_neighbours():
    rng = np.random.default_rng(3)
    dense_part = rng.random((60, 3)) * (rng.random((60, 3)) < 0.9)  # in most rows
    sparse_part = rng.random((60, 40)) * (rng.random((60, 40)) < 0.05)
    matrix = sp.csr_matrix(np.hstack([sparse_part, dense_part]))
    rest, dense = neighbours.split_dense_columns(matrix, 0.5)
    assert dense is not None and dense.shape == (60, 3) and rest.shape == (60, 40)
    np.testing.assert_allclose((rest @ rest.T).toarray() + dense @ dense.T, (matrix @ matrix.T).toarray(), atol=1e-12)
    assert neighbours.split_dense_columns(matrix, 1.0)[1] is None
    split = top_neighbours(matrix, 5, dense_share=0.5)
    whole = top_neighbours(matrix, 5, dense_share=1.0)  # no dense part
    np.testing.assert_array_equal(split[0], whole[0])
    np.testing.assert_allclose(split[1], whole[1], rtol=1e-5)
