"""Tests of recommender.agreement: overlap measures of two ranked neighbour lists."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from recommender.agreement import (
    agreement_summary,
    agreement_table,
    jaccard_at_k,
    most_disagreeing,
    rank_biased_overlap,
    top_terms,
    weighted_kendall_tau,
)
from recommender.errors import ArtifactError, ConfigError, UnknownMovieError

# Ranked lists of distinct row indices, as stored neighbour lists are.
ranked_lists = st.lists(st.integers(min_value=0, max_value=25), unique=True, max_size=12)


# --- Jaccard ---------------------------------------------------------------------


def test_jaccard_hand_values() -> None:
    assert jaccard_at_k([1, 2, 3], [2, 3, 4], k=3) == pytest.approx(2 / 4)
    assert jaccard_at_k([1, 2, 3], [1, 2, 4], k=2) == 1.0  # only the first 2 count
    assert jaccard_at_k([1, 2, 3], [3, 2, 1], k=3) == 1.0  # order does not matter
    assert jaccard_at_k([1, 2], [3, 4], k=2) == 0.0


def test_jaccard_ignores_padding_and_defines_empty() -> None:
    assert jaccard_at_k([1, 2, -1, -1], [2, -1, -1, -1], k=4) == pytest.approx(1 / 2)
    assert jaccard_at_k([5, -1], [-1, -1], k=2) == 0.0
    assert math.isnan(jaccard_at_k([-1, -1], [], k=2))


def test_jaccard_rejects_bad_k() -> None:
    with pytest.raises(ConfigError, match="k must be"):
        jaccard_at_k([1], [1], k=0)


# --- Rank-biased overlap ----------------------------------------------------------


def test_rbo_identical_and_disjoint() -> None:
    assert rank_biased_overlap([4, 8, 15, 16], [4, 8, 15, 16]) == pytest.approx(1.0, abs=1e-12)
    assert rank_biased_overlap([1, 2, 3], [4, 5, 6]) == 0.0


def test_rbo_hand_computed_equal_lengths() -> None:
    # p = 0.9, k = 3: RBO_ext = X_3/3 p^3 + (1-p)/p * sum_d X_d/d p^d.
    # [1,2,3] vs [1,3,2]: X = 1, 1, 3 -> 0.729 + (0.9 + 0.405 + 0.729)/9 = 0.955
    assert rank_biased_overlap([1, 2, 3], [1, 3, 2], p=0.9) == pytest.approx(0.955, abs=1e-9)
    # [1,2,3] vs [4,1,2]: X = 0, 1, 2 -> 2/3*0.729 + (0.405 + 0.486)/9 = 0.585
    assert rank_biased_overlap([1, 2, 3], [4, 1, 2], p=0.9) == pytest.approx(0.585, abs=1e-9)
    # p = 0.5, [1,2] vs [2,1]: X = 0, 2 -> 1*0.25 + (0 + 0.25)/1 = 0.5
    assert rank_biased_overlap([1, 2], [2, 1], p=0.5) == pytest.approx(0.5, abs=1e-9)


def test_rbo_hand_computed_uneven_lengths() -> None:
    # S = [1] is a prefix of L = [1, 2]: the extrapolation assumes it keeps agreeing.
    # s=1, l=2, X_1 = X_2 = 1: (0.9 + 0.405 + 0.405)/9 + 0.81 * (0/2 + 1/1) = 1
    assert rank_biased_overlap([1], [1, 2], p=0.9) == pytest.approx(1.0, abs=1e-9)
    # S = [2], L = [1, 2]: X_1 = 0, X_2 = 1: 0.405/9 + 0.81 * (1/2 + 0/1) = 0.45
    assert rank_biased_overlap([2], [1, 2], p=0.9) == pytest.approx(0.45, abs=1e-9)
    # Padding makes lists uneven in the same way.
    assert rank_biased_overlap([2, -1], [1, 2], p=0.9) == pytest.approx(0.45, abs=1e-9)


def test_rbo_top_weighted() -> None:
    # A swap at the top costs more than the same swap at the bottom.
    base = [1, 2, 3, 4, 5, 6]
    assert rank_biased_overlap(base, [2, 1, 3, 4, 5, 6]) < rank_biased_overlap(base, [1, 2, 3, 4, 6, 5])


def test_rbo_empty_lists_and_bad_p() -> None:
    assert math.isnan(rank_biased_overlap([], [-1]))
    assert rank_biased_overlap([], [1, 2]) == 0.0
    with pytest.raises(ConfigError, match=r"\(0, 1\)"):
        rank_biased_overlap([1], [1], p=1.0)


# --- Weighted Kendall tau ---------------------------------------------------------


def test_weighted_tau_identical_reversed_and_single() -> None:
    assert weighted_kendall_tau([3, 1, 2], [3, 1, 2], k=3) == 1.0
    assert weighted_kendall_tau([7], [7], k=1) == 1.0
    assert weighted_kendall_tau([1, 2], [2, 1], k=2) == pytest.approx(-1.0)


def test_weighted_tau_of_lists_sharing_under_two_items_is_not_a_measurement() -> None:
    # Disjoint lists used to give the same value whatever they held (-0.70 at k=10).
    assert math.isnan(weighted_kendall_tau([1], [2], k=1))
    assert math.isnan(weighted_kendall_tau(list(range(10)), list(range(10, 20)), k=10))
    assert math.isnan(weighted_kendall_tau([1, 2, 3], [1, 8, 9], k=3))
    assert not math.isnan(weighted_kendall_tau([1, 2, 3], [1, 2, 9], k=3))


def test_weighted_tau_top_weighted_and_empty() -> None:
    base = [1, 2, 3, 4, 5, 6]
    top_swap = weighted_kendall_tau(base, [2, 1, 3, 4, 5, 6], k=6)
    bottom_swap = weighted_kendall_tau(base, [1, 2, 3, 4, 6, 5], k=6)
    assert top_swap < bottom_swap < 1.0
    assert math.isnan(weighted_kendall_tau([], [1, 2], k=2))
    assert math.isnan(weighted_kendall_tau([-1], [-1], k=2))


# --- Properties -------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(a=ranked_lists, b=ranked_lists, k=st.integers(min_value=1, max_value=12))
def test_metric_ranges_and_symmetry(a: list[int], b: list[int], k: int) -> None:
    both_empty = not a and not b
    jac, jac_swapped = jaccard_at_k(a, b, k), jaccard_at_k(b, a, k)
    rbo, rbo_swapped = rank_biased_overlap(a, b), rank_biased_overlap(b, a)
    if both_empty:
        assert math.isnan(jac) and math.isnan(rbo)
        return
    assert 0.0 <= jac <= 1.0 and jac == pytest.approx(jac_swapped)
    assert 0.0 <= rbo <= 1.0 and rbo == pytest.approx(rbo_swapped, abs=1e-12)
    tau = weighted_kendall_tau(a, b, k)
    if a and b and not math.isnan(tau):
        assert -1.0 - 1e-12 <= tau <= 1.0 + 1e-12
        assert tau == pytest.approx(weighted_kendall_tau(b, a, k), abs=1e-12)


@settings(max_examples=40, deadline=None)
@given(a=ranked_lists.filter(bool))
def test_identical_lists_agree_fully(a: list[int]) -> None:
    k = len(a)
    assert jaccard_at_k(a, a, k) == 1.0
    assert rank_biased_overlap(a, a) == pytest.approx(1.0, abs=1e-12)
    assert weighted_kendall_tau(a, a, k) == 1.0


def _padded(lists: list[list[int]], width: int) -> np.ndarray:
    return np.array([row + [-1] * (width - len(row)) for row in lists], dtype=np.int32)


@settings(max_examples=40, deadline=None)
@given(
    pairs=st.lists(st.tuples(ranked_lists, ranked_lists), min_size=1, max_size=8),
    k=st.integers(min_value=1, max_value=12),
)
def test_table_matches_scalar_functions(pairs: list[tuple[list[int], list[int]]], k: int) -> None:
    neigh_a = _padded([a for a, _ in pairs], 12)
    neigh_b = _padded([b for _, b in pairs], 12)
    table = agreement_table(neigh_a, neigh_b, k)
    for row, (a, b) in enumerate(pairs):
        expected_rbo = rank_biased_overlap(a[:k], b[:k])
        for column, expected in (
            ("jaccard", jaccard_at_k(a, b, k)),
            ("rbo", expected_rbo),
            ("weighted_tau", weighted_kendall_tau(a, b, k)),
        ):
            value = table.loc[row, column]
            if math.isnan(expected):
                assert math.isnan(value)
            else:
                assert value == pytest.approx(expected, abs=1e-9)


# --- Table, summary, most disagreeing ---------------------------------------------


def test_agreement_table_hand_values() -> None:
    neigh_a = np.array([[1, 2, 3, 9], [0, 2, -1, -1], [-1, -1, -1, -1]], dtype=np.int32)
    neigh_b = np.array([[1, 3, 2, 8], [3, 4, -1, -1], [-1, -1, -1, -1]], dtype=np.int32)
    table = agreement_table(neigh_a, neigh_b, k=3)
    assert list(table.columns) == ["row", "jaccard", "rbo", "weighted_tau", "rbo_deep"]
    assert table["row"].tolist() == [0, 1, 2]
    assert table.loc[0, "jaccard"] == 1.0
    assert table.loc[0, "rbo"] == pytest.approx(0.955, abs=1e-9)
    assert table.loc[1, "jaccard"] == 0.0 and table.loc[1, "rbo"] == 0.0
    assert table.loc[2, ["jaccard", "rbo", "weighted_tau", "rbo_deep"]].isna().all()
    # rbo_deep reads all four columns: row 0's lists differ at depth 4 (9 vs 8).
    assert table.loc[0, "rbo_deep"] == pytest.approx(rank_biased_overlap([1, 2, 3, 9], [1, 3, 2, 8]))


def test_lists_disjoint_at_the_top_are_ordered_by_where_they_meet() -> None:
    # Three films whose top-2 lists share nothing (RBO 0, tau NaN): film 1's lists
    # meet at depth 3, film 2's at depth 4, film 0's never. Most disagreeing: 0, 2, 1.
    neigh_a = np.array([[1, 2, 3, 4], [0, 2, 5, 6], [0, 1, 5, 7]], dtype=np.int32)
    neigh_b = np.array([[5, 6, 7, 8], [3, 4, 5, 7], [3, 4, 8, 5]], dtype=np.int32)
    table = agreement_table(neigh_a, neigh_b, k=2)
    assert (table["rbo"] == 0).all() and table["weighted_tau"].isna().all()
    assert table.loc[0, "rbo_deep"] == 0.0
    assert 0 < table.loc[2, "rbo_deep"] < table.loc[1, "rbo_deep"]
    assert most_disagreeing(table, 3)["row"].tolist() == [0, 2, 1]


def test_agreement_table_rejects_mismatched_tables() -> None:
    with pytest.raises(ArtifactError, match="same catalog rows"):
        agreement_table(np.zeros((3, 2), int), np.zeros((4, 2), int), k=2)


def test_summary_and_most_disagreeing() -> None:
    table = pd.DataFrame(
        {
            "row": [0, 1, 2, 3],
            "jaccard": [1.0, 0.5, 0.0, np.nan],
            "rbo": [0.9, 0.1, 0.1, np.nan],
            "weighted_tau": [1.0, 0.0, -1.0, np.nan],
        }
    )
    summary = agreement_summary(table)
    assert set(summary) == {"jaccard", "rbo", "weighted_tau"}
    assert summary["jaccard"]["mean"] == pytest.approx(0.5)
    assert summary["jaccard"]["median"] == pytest.approx(0.5)
    assert summary["jaccard"]["count"] == 3
    assert summary["rbo"]["q50"] == pytest.approx(0.1)
    assert summary["weighted_tau"]["q10"] == pytest.approx(-0.8)
    worst = most_disagreeing(table, 3)
    assert worst["row"].tolist() == [1, 2, 0]
    assert most_disagreeing(table, 10)["row"].tolist() == [1, 2, 0, 3]  # NaN last


def test_summary_requires_metric_columns() -> None:
    with pytest.raises(ArtifactError, match="rbo"):
        agreement_summary(pd.DataFrame({"row": [0], "jaccard": [1.0]}))


# --- Top terms --------------------------------------------------------------------


TERMS = np.array(["overview:space", "genres:sciencefiction", "directors:jamescameron", "overview:ship"])
LABELS = np.array(["space", "Science Fiction", "James Cameron", "ship"])


def test_top_terms_orders_by_weight() -> None:
    vectors = sp.csr_matrix(np.array([[0.2, 0.8, 0.0, 0.2], [0.0, 0.0, 1.0, 0.0]]))
    table = top_terms(vectors, 0, TERMS, LABELS, n=2)
    assert list(table.columns) == ["term", "label", "field", "weight"]
    assert table["term"].tolist() == ["genres:sciencefiction", "overview:ship"]  # ties by term
    assert table["label"].tolist() == ["Science Fiction", "ship"]
    assert table["field"].tolist() == ["genres", "overview"]
    assert table["weight"].tolist() == pytest.approx([0.8, 0.2])
    dense = top_terms(vectors.toarray(), 1, TERMS, LABELS)
    assert dense["label"].tolist() == ["James Cameron"]


def test_top_terms_of_empty_row_and_bad_row() -> None:
    vectors = sp.csr_matrix((2, 4))
    assert top_terms(vectors, 1, TERMS, LABELS).empty
    with pytest.raises(UnknownMovieError, match="accepted rows 0..1"):
        top_terms(vectors, 2, TERMS, LABELS)
    with pytest.raises(ArtifactError, match="same vectorizer"):
        top_terms(vectors, 0, TERMS[:3], LABELS[:3])
