"""TF-IDF versus Count: the data of the comparison page.

For one movie, :func:`side_by_side` ranks its neighbours with both vectorizers and
flags the films found by both (``in_both``, ``other_rank``); :func:`movie_agreement`
scores how alike the two lists are (Jaccard@k, rank-biased overlap, weighted Kendall
tau, from :mod:`recommender.agreement`) and :func:`movie_top_terms` shows each
vectorizer's heaviest terms, the usual reason for a disagreement. Catalog-wide,
:func:`disagreement_table` names the films where the two differ most,
:func:`evaluation_table` sets the proxy quality metrics side by side, and
:func:`score_distribution` collects the stored top-1/top-k similarity scores. It returns data; the app draws it (``dashboard/figures.py``).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from recommender.agreement import (
    DEFAULT_RBO_P,
    jaccard_at_k,
    most_disagreeing,
    rank_biased_overlap,
    top_terms,
    weighted_kendall_tau,
)
from recommender.config import VECTORIZERS
from recommender.errors import ArtifactError, ConfigError
from recommender.evaluation import METRICS as EVALUATION_METRICS
from recommender.explain import FIELD_TITLES
from recommender.model import RecommenderModel
from recommender.ranking import RankingOptions, rank

AGREEMENT_METRICS: tuple[str, ...] = ("jaccard", "rbo", "weighted_tau")

# Which direction of each proxy metric is better: "higher", "lower" or "trade-off".
METRIC_DIRECTIONS: dict[str, str] = {
    "genre_overlap": "higher",
    "director_overlap": "higher",
    "cast_overlap": "higher",
    "keyword_jaccard": "higher",
    "intra_list_diversity": "trade-off",
    "coverage": "higher",
    "novelty": "trade-off",
}


def side_by_side(
    model: RecommenderModel, movie_id: int, k: int, vectorizers: Sequence[str] = VECTORIZERS
) -> dict[str, pd.DataFrame]:
    """The top-``k`` neighbours of ``movie_id`` under each of two vectorizers.

    Returns ``{vectorizer: DataFrame}`` with columns rank (1-based), row, id,
    display_title, year, genres (text), similarity (cosine), in_both (also in the
    other vectorizer's list) and other_rank (its rank there, <NA> if absent). A list
    is shorter than ``k`` when fewer films have a positive similarity. Raises
    :class:`~recommender.errors.UnknownMovieError` for an unknown id and
    :class:`ConfigError` for ``k < 1`` or not exactly two vectorizers.
    """
    if len(vectorizers) != 2:
        raise ConfigError(f"side_by_side compares exactly two vectorizers, got {list(vectorizers)!r}")
    if k < 1:
        raise ConfigError(f"k must be >= 1, got {k}")
    ranked = {}
    for name in vectorizers:
        rows, sims, _ = rank(model, movie_id, RankingOptions(vectorizer=name, k=k))
        ranked[name] = (rows, sims)
    first, second = vectorizers
    tables = {}
    for name, other in ((first, second), (second, first)):
        rows, sims = ranked[name]
        other_rank = {int(row): position + 1 for position, row in enumerate(ranked[other][0])}
        table = _movie_columns(model.catalog, rows)
        table.insert(0, "rank", np.arange(1, len(rows) + 1))
        table["similarity"] = sims.astype(np.float64)
        table["other_rank"] = pd.array([other_rank.get(int(row)) for row in rows], dtype="Int64")
        table["in_both"] = table["other_rank"].notna().to_numpy(dtype=bool)
        tables[name] = table.loc[:, SIDE_COLUMNS]
    return tables


SIDE_COLUMNS = ["rank", "row", "id", "display_title", "year", "genres", "similarity", "in_both", "other_rank"]


def movie_agreement(lists: dict[str, pd.DataFrame], k: int, p: float = DEFAULT_RBO_P) -> dict[str, float]:
    """Jaccard@k, RBO and weighted Kendall tau of the two lists of :func:`side_by_side`.

    NaN where a measure is undefined (both lists empty; tau with an empty list).
    Raises :class:`ConfigError` unless exactly two lists are given.
    """
    if len(lists) != 2:
        raise ConfigError(f"agreement needs exactly two lists, got {len(lists)}")
    first, second = (frame["row"].to_numpy() for frame in lists.values())
    return {
        "jaccard": jaccard_at_k(first, second, k),
        "rbo": rank_biased_overlap(first, second, p),
        "weighted_tau": weighted_kendall_tau(first, second, k),
    }


def movie_top_terms(
    model: RecommenderModel, movie_id: int, n: int = 10, vectorizers: Sequence[str] = VECTORIZERS
) -> dict[str, pd.DataFrame]:
    """Each vectorizer's ``n`` heaviest terms for one movie.

    Columns term, label, field, weight (as :func:`recommender.agreement.top_terms`)
    plus display ("Genres: Drama") and terms (how many vocabulary terms the row stands
    for); heaviest first. Terms with the same display are one row, weighted by the norm
    of their weights (:func:`merge_same_display`): the era is a band of several terms,
    all "Era: released close together".
    """
    row = model.row_of(movie_id)
    result = {}
    for name in vectorizers:
        vectors = model.space(name).vectors
        terms = top_terms(vectors.matrix, row, vectors.terms, vectors.labels, vectors.matrix.shape[1])
        terms["display"] = [f"{FIELD_TITLES.get(f, f)}: {label}" for f, label in zip(terms["field"], terms["label"])]
        result[name] = merge_same_display(terms, n)
    return result


def merge_same_display(terms: pd.DataFrame, n: int) -> pd.DataFrame:
    """The ``n`` heaviest rows of ``terms`` (columns term, label, field, weight, display;
    heaviest first) once the rows sharing a display are one: the heaviest one's term, label
    and field kept, ``terms`` counting them, a display ending "(5 terms)" when there are
    several, and as weight the norm of their weights (sqrt of the sum of squares: what they
    add to the film's similarity with itself, as one term of that weight would; a sum
    would rank a band of 13 small era terms above the film's studio). Ties keep the order
    of ``terms``.

    >>> frame = pd.DataFrame({"term": ["era:a3", "genres:drama", "era:a4"], "label": ["close", "Drama", "close"],
    ...                       "field": ["era", "genres", "era"], "weight": [0.3, 0.5, 0.25],
    ...                       "display": ["Era: close", "Genres: Drama", "Era: close"]})
    >>> merged = merge_same_display(frame, 5)
    >>> merged["display"].tolist(), merged["weight"].round(4).tolist(), merged["terms"].tolist()
    (['Genres: Drama', 'Era: close (2 terms)'], [0.5, 0.3905], [1, 2])
    """
    if terms.empty:
        return terms.assign(terms=pd.Series(dtype="int64"))
    groups = terms.groupby("display", sort=False)
    merged = groups.first()
    merged["weight"] = np.sqrt(groups["weight"].apply(lambda weights: float(np.square(weights).sum())))
    merged["terms"] = groups.size()
    merged = merged.reset_index().sort_values("weight", ascending=False, kind="stable").head(n)
    several = merged["terms"] > 1
    merged.loc[several, "display"] = [f"{d} ({c} terms)" for d, c in zip(merged.loc[several, "display"], merged.loc[several, "terms"])]
    return merged[["term", "label", "field", "weight", "display", "terms"]].reset_index(drop=True)


def disagreement_table(catalog: pd.DataFrame, agreement: pd.DataFrame, n: int) -> pd.DataFrame:
    """The ``n`` films whose two neighbour lists agree least (lowest RBO first).

    Columns id, display_title, year, genres, jaccard, rbo, weighted_tau (NaN when the
    lists share fewer than two films: no order to compare) and, when the table has it,
    rbo_deep (RBO over all stored neighbours, which orders the ties at RBO 0). Raises
    :class:`ArtifactError` if the agreement table does not match the catalog.
    """
    _check_agreement(catalog, agreement)
    worst = most_disagreeing(agreement, n)
    table = _movie_columns(catalog, worst["row"].to_numpy()).drop(columns="row")
    for metric in [*AGREEMENT_METRICS, *(["rbo_deep"] if "rbo_deep" in worst.columns else [])]:
        table[metric] = worst[metric].to_numpy(dtype=np.float64)
    return table


def evaluation_table(evaluation: pd.DataFrame, vectorizers: Sequence[str] = VECTORIZERS) -> pd.DataFrame:
    """The proxy quality metrics of the vectorizers side by side.

    ``evaluation`` has one row per metric (a ``metric`` column or index) and one
    column per vectorizer. Returns columns metric (its key, known metrics first in
    :data:`recommender.evaluation.METRICS` order), one per vectorizer, better
    ("higher", "lower" or "trade-off", :data:`METRIC_DIRECTIONS`) and leader (the
    vectorizer ahead where a direction is better, else ""). Raises
    :class:`ArtifactError` if a vectorizer column is missing.
    """
    frame = evaluation.set_index("metric") if "metric" in evaluation.columns else evaluation
    missing = [v for v in vectorizers if v not in frame.columns]
    if missing:
        raise ArtifactError(f"evaluation table lacks column(s) {missing}; it has {list(frame.columns)}")
    known = [m for m in EVALUATION_METRICS if m in frame.index]
    order = known + [m for m in frame.index if m not in EVALUATION_METRICS]
    records = []
    for metric in order:
        better = METRIC_DIRECTIONS.get(metric, "trade-off")
        values = {v: float(frame.at[metric, v]) for v in vectorizers}
        record: dict[str, object] = {"metric": metric}
        record.update(values)
        record["better"] = better
        record["leader"] = _leader(values, better)
        records.append(record)
    return pd.DataFrame(records, columns=["metric", *vectorizers, "better", "leader"])


def _leader(values: dict[str, float], better: str) -> str:
    finite = {v: x for v, x in values.items() if np.isfinite(x)}
    if better not in ("higher", "lower") or len(finite) < 2 or len(set(finite.values())) == 1:
        return ""
    pick = max if better == "higher" else min
    return pick(finite, key=finite.get)


def score_distribution(
    model: RecommenderModel, positions: Sequence[int] = (1, 10), vectorizers: Sequence[str] = VECTORIZERS
) -> pd.DataFrame:
    """Cosine similarity of every movie to its n-th stored neighbour, for each n in ``positions``.

    Long format: columns vectorizer, position (int, 1-based), neighbour ("top-1"),
    score; movies without an n-th neighbour (padding) are left out. Only the asked
    columns are computed (row-wise dot products), never the whole score table.
    Raises :class:`ConfigError` for a position beyond the stored neighbours.
    """
    parts = []
    for name in vectorizers:
        space = model.space(name)
        matrix, stored = space.vectors.matrix, space.neighbours.shape[1]
        for position in positions:
            if not 1 <= position <= stored:
                raise ConfigError(f"neighbour position must be in 1..{stored}, got {position}")
            others = space.neighbours[:, position - 1].astype(np.int64)
            rows = np.flatnonzero(others >= 0)
            scores = np.asarray(matrix[rows].multiply(matrix[others[rows]]).sum(axis=1), dtype=np.float64).ravel()
            parts.append(
                pd.DataFrame(
                    {"vectorizer": name, "position": position, "neighbour": f"top-{position}", "score": scores}
                )
            )
    return pd.concat(parts, ignore_index=True)


def score_summary(scores: pd.DataFrame) -> pd.DataFrame:
    """Median, mean and count of :func:`score_distribution` per neighbour and vectorizer."""
    grouped = scores.groupby(["position", "neighbour", "vectorizer"], sort=True)["score"]
    summary = grouped.agg(["median", "mean", "count"])
    return summary.reset_index().drop(columns="position")


# --------------------------------------------------------------------------- helpers
def _movie_columns(catalog: pd.DataFrame, rows: np.ndarray) -> pd.DataFrame:
    rows = np.asarray(rows, dtype=np.int64)
    part = catalog.iloc[rows]
    return pd.DataFrame(
        {
            "row": rows,
            "id": part["id"].to_numpy(dtype=np.int64),
            "display_title": part["display_title"].to_numpy(dtype=object),
            "year": pd.array(part["year"].to_numpy(), dtype="Int64"),
            "genres": [", ".join(g) for g in part["genres"]],
        }
    )


def _check_agreement(catalog: pd.DataFrame, agreement: pd.DataFrame) -> None:
    if "row" not in agreement.columns:
        raise ArtifactError(f"agreement table lacks the row column; it has {list(agreement.columns)}")
    rows = agreement["row"].to_numpy()
    if len(rows) and (rows.min() < 0 or rows.max() >= len(catalog)):
        raise ArtifactError(
            f"agreement table refers to rows {rows.min()}..{rows.max()} "
            f"but the catalog has {len(catalog)} movies; rebuild"
        )
