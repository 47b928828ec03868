"""Top-k cosine neighbours: a hand-checked 4-movie example and invariants."""

import dataclasses
import os
import threading
from collections.abc import Callable

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
from recommender.errors import ConfigError
from recommender.neighbours import (
    block_threads,
    exact_neighbours,
    exact_rows,
    impact_postings,
    postings_per_term,
    pruned_top_neighbours,
    recall_at_k,
    search_neighbours,
    similarities,
    top_neighbours,
)
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


def _recorder() -> tuple[list[tuple[float, str]], set[int], Callable[[float, str], None]]:
    """A progress callback, the reports it was given and the threads it was called from."""
    reports: list[tuple[float, str]] = []
    threads: set[int] = set()

    def report(fraction: float, message: str) -> None:
        reports.append((fraction, message))
        threads.add(threading.get_ident())

    return reports, threads, report


def test_parallel_neighbours_equal_sequential_and_report_from_the_calling_thread() -> None:
    catalog, _ = load_catalog_csv(REPO / "data" / "demo_catalog.csv")
    config = RecommenderConfig()
    vectors = vectorize_catalog(catalog, config)
    reports, threads, report = _recorder()
    found = _all_neighbours({name: v.matrix for name, v in vectors.items()}, config, report)
    assert list(found) == ["tfidf", "count"]
    for name, (index, scores, search) in found.items():
        assert search.method == "exact"  # the demo catalog is far below search.exact_max_films
        expected_index, expected_scores = top_neighbours(
            vectors[name].matrix, config.neighbours_k, chunk_rows=config.chunk_rows, max_block_cells=config.max_block_cells
        )
        np.testing.assert_array_equal(index, expected_index)
        np.testing.assert_array_equal(scores, expected_scores)
    assert threads == {threading.get_ident()}
    assert reports[-1][0] == pytest.approx(1.0)


@pytest.mark.parametrize("parallel_max_films", [100, 10_000])
def test_pruned_searches_in_parallel_or_one_at_a_time_give_the_same_results(parallel_max_films: int) -> None:
    # Above search.parallel_max_films the vectorizers are searched one after the other,
    # each one's blocks in threads, below it in two threads: either way the same lists
    # as each search alone, block by block in this thread; one at a time, the scores
    # are dropped (recomputed on demand); progress is reported from this thread.
    catalog, _ = load_catalog_csv(REPO / "data" / "demo_catalog.csv")
    base = RecommenderConfig()
    config = dataclasses.replace(
        base, chunk_rows=8,
        search=dataclasses.replace(
            base.search, exact_max_films=100, cluster_size=32, probes=4, parallel_max_films=parallel_max_films
        ),
    )
    vectors = vectorize_catalog(catalog, config)
    reports, threads, report = _recorder()
    found = _all_neighbours({name: v.matrix for name, v in vectors.items()}, config, report)
    assert list(found) == ["tfidf", "count"]
    workers = max(1, min(2, os.cpu_count() or 1))
    for name, (index, scores, search) in found.items():
        expected_index, expected_scores, expected = search_neighbours(
            vectors[name].matrix, config.neighbours_k, exact_max_films=100, candidates=config.search.candidates,
            work_per_row=config.search.work_per_row, recall_k=config.search.recall_k,
            recall_sample=config.search.recall_sample, seed=config.seed, chunk_rows=config.chunk_rows // workers,
            max_block_cells=config.max_block_cells // workers, probes=4, cluster_size=32,
            reached=config.search.reached,
        )
        assert search == expected and search.method == "pruned"
        np.testing.assert_array_equal(index, expected_index)
        if parallel_max_films < len(catalog):
            assert scores is None
        else:
            np.testing.assert_array_equal(scores, expected_scores)
    assert threads == {threading.get_ident()}
    assert reports[-1][0] == pytest.approx(1.0)
    assert len(reports) > 2 or parallel_max_films > len(catalog)  # one at a time: after every block


def test_one_at_a_time_uses_the_given_block_runner() -> None:
    # A Dask build passes its own runner: one vectorizer at a time, its blocks go there.
    catalog, _ = load_catalog_csv(REPO / "data" / "demo_catalog.csv")
    base = RecommenderConfig()
    config = dataclasses.replace(
        base, chunk_rows=8,
        search=dataclasses.replace(base.search, exact_max_films=100, cluster_size=32, probes=4, parallel_max_films=100),
    )
    vectors = vectorize_catalog(catalog, config)
    ran: list[int] = []

    def runner(function, shared, blocks):
        ran.append(len(blocks))
        return neighbours.run_blocks_here(function, shared, blocks)

    matrices = {name: v.matrix for name, v in vectors.items()}
    found = _all_neighbours(matrices, config, lambda fraction, message: None, run_blocks=runner)
    assert len(ran) == 2 and all(count > 1 for count in ran)  # both vectorizers' blocks, through it
    here = _all_neighbours(matrices, config, lambda fraction, message: None)
    for name in matrices:
        np.testing.assert_array_equal(found[name][0], here[name][0])


def test_blocks_in_threads_equal_blocks_in_turn() -> None:
    matrix = _catalog_with_frequent_terms(1500, seed=4)
    in_turn = pruned_top_neighbours(matrix, 10, chunk_rows=8, cluster_size=40, probes=3)
    in_threads = pruned_top_neighbours(matrix, 10, chunk_rows=8, cluster_size=40, probes=3, run_blocks=block_threads(2))
    np.testing.assert_array_equal(in_turn[0], in_threads[0])
    np.testing.assert_array_equal(in_turn[1], in_threads[1])
    blocks = [(start, start + 3) for start in range(0, 30, 3)]
    assert list(block_threads(3)(lambda start, stop: (start, stop), (), blocks)) == blocks  # in order


def test_recall_does_not_depend_on_threads_or_chunks() -> None:
    matrix = _catalog_with_frequent_terms(1200, seed=6)
    index, _ = pruned_top_neighbours(matrix, 10, probes=2, cluster_size=40, work_per_row=50, reached=5)
    alone = recall_at_k(matrix, index, 10, sample=300, seed=1)
    assert 0 < alone[0] < 1 and alone[1] == 300
    assert recall_at_k(matrix, index, 10, sample=300, seed=1, max_block_cells=5_000, workers=3) == alone


def test_exact_rows_are_the_dense_products_top_k() -> None:
    matrix = _catalog_with_frequent_terms(300, seed=5)
    rows = np.array([0, 7, 299])
    index, scores = exact_rows(matrix, sp.csr_matrix(matrix.T), rows, 5)
    np.testing.assert_array_equal(exact_rows(matrix, matrix.T.tocsc(), rows, 5)[0], index)  # any format
    full = (matrix @ matrix.T).toarray()
    full[rows, rows] = -np.inf
    for position, row in enumerate(rows):
        np.testing.assert_allclose(scores[position], np.sort(full[row])[::-1][:5], atol=1e-6)  # the 5 best, best first
        np.testing.assert_allclose(full[row, index[position]], scores[position], atol=1e-6)
        assert row not in index[position]


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


# ----------------------------------------------------------------- the pruned search
# Five films over terms t0..t4 with document frequencies 4, 2, 2, 1, 3. Postings
# truncated to 2 films per term keep t0's two heaviest films only.
FIVE = normalize(
    sp.csr_matrix(
        np.array(
            [
                [1, 1, 0, 0, 0],  # A
                [1, 1, 0, 0, 1],  # B
                [1, 0, 1, 0, 1],  # C
                [3, 0, 1, 1, 1],  # D
                [0, 0, 0, 0, 0],  # E: no terms, no neighbours
            ],
            dtype=np.float32,
        )
    )
)


def test_postings_keep_each_terms_heaviest_films():
    postings = impact_postings(FIVE, 2).toarray()
    assert np.flatnonzero(postings[0]).tolist() == [0, 3]  # t0: A (1/sqrt2) and D (3/sqrt12) weigh most
    assert np.flatnonzero(postings[4]).tolist() == [1, 2]  # t4: B and C (1/sqrt3) beat D (1/sqrt12)
    assert np.flatnonzero(postings[3]).tolist() == [3]  # a term of one film keeps it


def test_postings_budget_grows_with_work():
    assert postings_per_term(FIVE, 1) == 1
    # Full postings cost sum(df^2) = 16 + 4 + 4 + 1 + 9 = 34 multiply-adds for 5 films.
    assert postings_per_term(FIVE, 7) == 4
    assert postings_per_term(FIVE, 6) == 3  # cost(3) = 4 + 4 + 1 + 9 + 3 * 4 = 30 <= 30


def test_pruned_equals_exact_when_postings_are_complete():
    exact_index, exact_scores = top_neighbours(FIVE, 3)
    index, scores = pruned_top_neighbours(FIVE, 3, candidates=3, work_per_row=100)
    np.testing.assert_array_equal(index, exact_index)
    np.testing.assert_allclose(scores, exact_scores, atol=1e-6)
    assert index[4].tolist() == [-1, -1, -1]


def test_film_with_too_few_candidates_is_searched_exactly():
    # One film per term: A reaches only itself and D through t0, so with k = 3 it
    # has too few candidates and gets the exact list; B's candidates are A and D.
    index, scores = pruned_top_neighbours(FIVE, 3, candidates=3, work_per_row=1)
    exact_index, _ = top_neighbours(FIVE, 3)
    np.testing.assert_array_equal(index[0], exact_index[0])


def test_pruned_rejects_fewer_candidates_than_k():
    with pytest.raises(ConfigError, match="candidates"):
        pruned_top_neighbours(FIVE, 3, candidates=2)


@settings(max_examples=30, deadline=None)
@given(
    n=st.integers(2, 30),
    v=st.integers(1, 12),
    k=st.integers(1, 8),
    work=st.integers(1, 40),
    seed=st.integers(0, 10_000),
)
def test_pruned_invariants(n, v, k, work, seed):
    rng = np.random.default_rng(seed)
    dense = (rng.random((n, v)) < 0.35) * rng.integers(1, 4, (n, v))
    matrix = normalize(sp.csr_matrix(dense.astype(np.float32)))
    index, scores = pruned_top_neighbours(matrix, k, candidates=k, work_per_row=work, chunk_rows=int(rng.integers(1, 6)))
    full = (matrix @ matrix.T).toarray()
    for row in range(n):
        valid = index[row] >= 0
        assert row not in index[row]  # never its own neighbour
        assert np.all(np.diff(scores[row][valid]) <= 1e-6)  # best first
        assert np.all(index[row][valid.sum():] == -1)  # padding only at the end
        np.testing.assert_allclose(scores[row][valid], full[row, index[row][valid]], atol=1e-5)  # exact scores
        positives = int(np.sum(np.delete(full[row], row) > 1e-6))
        assert valid.sum() == min(k, positives)  # exactly k when k are available


def test_pruned_agrees_with_exact_on_the_demo_catalog():
    catalog, _ = load_catalog_csv(REPO / "data" / "demo_catalog.csv")
    matrix = vectorize_catalog(catalog, RecommenderConfig())["tfidf"].matrix
    exact_index, _ = top_neighbours(matrix, 10)
    # Postings only (no column counts as frequent): 202 films per term. (At 5,000, 168
    # per term, the log era's terms gave a recall of 0.946 and the era in years 0.957.)
    index, _ = pruned_top_neighbours(matrix, 10, candidates=50, work_per_row=6000, dense_share=1.0)
    recall, used = recall_at_k(matrix, index, 10, sample=10_000, seed=0)
    assert used == matrix.shape[0]
    assert recall >= 0.95
    starved, _ = pruned_top_neighbours(matrix, 10, candidates=50, work_per_row=200, dense_share=1.0)
    assert recall_at_k(matrix, starved, 10, sample=10_000, seed=0)[0] < recall
    # recall_at_k of the exact lists is 1, and of lists that miss everything 0.
    assert recall_at_k(matrix, exact_index, 10, sample=10_000, seed=0)[0] == 1.0
    assert recall_at_k(matrix, np.full_like(index, -1), 10, sample=10_000, seed=0)[0] == 0.0


def test_search_switches_to_pruned_above_the_threshold():
    common = dict(candidates=3, work_per_row=100, recall_k=2, recall_sample=5, seed=0, chunk_rows=2, max_block_cells=100)
    _, _, exact = search_neighbours(FIVE, 3, exact_max_films=5, **common)
    index, _, pruned = search_neighbours(FIVE, 3, exact_max_films=4, **common)
    assert exact.to_dict() == {"method": "exact"}
    assert pruned.to_dict() == {"method": "pruned", "recall_k": 2, "recall": 1.0, "recall_sample": 5}
    np.testing.assert_array_equal(index, top_neighbours(FIVE, 3)[0])


def test_clusters_of_the_frequent_terms_find_the_neighbours_postings_miss():
    # The era, language and rating terms are in most films: truncated postings of them
    # reach the same heaviest films for everyone. Clustering the films on those columns
    # and scoring each film against its nearest clusters finds its neighbours.
    catalog, _ = load_catalog_csv(REPO / "data" / "demo_catalog.csv")
    matrix = vectorize_catalog(catalog, RecommenderConfig())["count"].matrix
    postings_only, _ = pruned_top_neighbours(matrix, 10, candidates=50, work_per_row=200, dense_share=1.0)
    clustered, scores = pruned_top_neighbours(matrix, 10, candidates=50, work_per_row=200, cluster_size=40, probes=3)
    before = recall_at_k(matrix, postings_only, 10, sample=10_000, seed=0)[0]
    after = recall_at_k(matrix, clustered, 10, sample=10_000, seed=0)[0]
    assert after >= 0.9 and after > before
    exact = (matrix @ matrix.T).toarray()
    rows = np.arange(matrix.shape[0])[:, None]
    valid = clustered >= 0
    np.testing.assert_allclose(scores[valid], exact[np.broadcast_to(rows, clustered.shape)[valid], clustered[valid]], atol=1e-5)
    assert not np.any(clustered == rows)


def test_dense_clusters_cover_every_film_once():
    dense = np.random.default_rng(0).random((500, 6)).astype(np.float32)
    order, bounds, centres = neighbours.dense_clusters(dense, 50, seed=0)
    assert sorted(order.tolist()) == list(range(500))
    assert bounds[0] == 0 and bounds[-1] == 500 and len(bounds) <= 11 and np.all(np.diff(bounds) > 0)
    for c in range(len(bounds) - 1):  # each centre is its films' mean
        np.testing.assert_allclose(centres[c], dense[order[bounds[c] : bounds[c + 1]]].mean(axis=0), rtol=1e-5)


def _catalog_with_frequent_terms(n: int, seed: int) -> sp.csr_matrix:
    """Films like the synthetic catalogs': a few terms in most films (era, rating,
    genres: the dense part), many rare ones (keywords, names)."""
    rng = np.random.default_rng(seed)
    frequent = (rng.random((n, 12)) < np.linspace(0.5, 0.08, 12)) * rng.random((n, 12))
    rare = sp.random(n, 3000, density=0.003, random_state=seed, format="csr", dtype=np.float64)
    return normalize(sp.csr_matrix(sp.hstack([sp.csr_matrix(frequent), rare]), dtype=np.float32))


def test_probing_all_clusters_is_exact():
    matrix = _catalog_with_frequent_terms(1500, seed=1)
    exact_index, exact_scores = top_neighbours(matrix, 10)
    # Every cluster probed: every film is scored exactly against every other.
    index, scores = pruned_top_neighbours(matrix, 10, probes=10_000, cluster_size=50, work_per_row=1, reached=1)
    np.testing.assert_allclose(scores, exact_scores, atol=1e-6)
    assert recall_at_k(matrix, index, 10, sample=10_000, seed=0)[0] == 1.0


def test_pruned_search_recall_on_a_catalog_with_frequent_terms():
    # The build's path with exact_max_films forced small: recall stored, scores exact.
    matrix = _catalog_with_frequent_terms(4000, seed=2)
    index, scores, report = search_neighbours(
        matrix, 20, exact_max_films=100, candidates=50, work_per_row=300, recall_k=10, recall_sample=400, seed=0,
        chunk_rows=64, max_block_cells=1_000_000, probes=16, cluster_size=64, reached=30,
    )
    assert report.method == "pruned" and report.recall_sample == 400
    assert report.recall >= 0.95
    few, _ = pruned_top_neighbours(matrix, 20, probes=1, cluster_size=64, work_per_row=30, reached=1)
    assert recall_at_k(matrix, few, 10, sample=400, seed=0)[0] < report.recall  # fewer probes, lower recall
    full = (matrix @ matrix.T).toarray()
    rows = np.broadcast_to(np.arange(matrix.shape[0])[:, None], index.shape)
    valid = index >= 0
    assert valid.all() and not np.any(index == rows)
    np.testing.assert_allclose(scores[valid], full[rows[valid], index[valid]], atol=1e-6)  # every score exact
    assert np.all(np.diff(scores, axis=1) <= 1e-7)  # best first


def test_probed_film_without_terms_has_no_neighbours():
    matrix = _catalog_with_frequent_terms(600, seed=3).tolil()
    matrix[5, :] = 0
    index, scores = pruned_top_neighbours(sp.csr_matrix(matrix), 10, probes=4, cluster_size=50)
    assert index[5].tolist() == [-1] * 10 and not np.any(scores[5])
    assert 5 not in index


def test_reordering_by_the_audience_pairs_equals_the_full_rows():
    # The pruned search orders its lists by similarity + audience terms computed for
    # the listed pairs only: the same values, so the same order, as the (rows x N) block.
    from recommender.audience import AudienceTerms
    from recommender.config import AudienceSettings

    rng = np.random.default_rng(4)
    n = 300
    settings = AudienceSettings(**{**AudienceSettings().__dict__, "reception": 0.05, "popularity_agreement": 0.02})
    audience = AudienceTerms.from_votes(rng.uniform(3, 9, n), rng.integers(0, 5000, n).astype(float), settings)
    index = np.argsort(rng.random((n, n)), axis=1)[:, :12].astype(np.int32)
    index[::7, 9:] = -1  # padded rows
    scores = np.where(index >= 0, np.round(rng.random(index.shape), 2), 0).astype(np.float32)
    block = np.take_along_axis(audience.block(0, n), np.where(index >= 0, index, 0), axis=1)
    np.testing.assert_array_equal(np.where(index >= 0, audience.pairs(np.arange(n), index), 0), np.where(index >= 0, block, 0))
    by_block = neighbours._reorder(index, scores, audience.block, 16)
    by_pairs = neighbours._reorder(index, scores, audience.block, 16, audience.pairs)
    np.testing.assert_array_equal(by_block[0], by_pairs[0])
    np.testing.assert_array_equal(by_block[1], by_pairs[1])
    assert np.all(by_pairs[0][::7, 9:] == -1)
    # The search reorders its own lists in place (no second pair of N x k arrays): same result.
    own_index, own_scores = index.copy(), scores.copy()
    in_place = neighbours._reorder(own_index, own_scores, audience.block, 16, audience.pairs, copy=False)
    assert in_place[0] is own_index and in_place[1] is own_scores
    np.testing.assert_array_equal(own_index, by_pairs[0])
    np.testing.assert_array_equal(own_scores, by_pairs[1])
