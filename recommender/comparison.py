"""TF-IDF versus Count: the comparison page's tables and charts.

For one movie, :func:`side_by_side` ranks its neighbours with both vectorizers and
flags the films found by both (``in_both``, ``other_rank``); :func:`movie_agreement`
scores how alike the two lists are (Jaccard@k, rank-biased overlap, weighted Kendall
tau, from :mod:`recommender.agreement`) and :func:`movie_top_terms` shows each
vectorizer's heaviest terms, the usual reason for a disagreement. Catalog-wide,
:func:`disagreement_table` names the films where the two differ most,
:func:`evaluation_table` sets the proxy quality metrics side by side with a reading
guide, and :func:`score_distribution` collects the stored top-1/top-k similarity
scores. The ``*_figure`` functions draw these as plotly figures; nothing here
imports Streamlit.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

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

VECTORIZER_LABELS: dict[str, str] = {"tfidf": "TF-IDF", "count": "Count"}
VECTORIZER_COLOURS: dict[str, str] = {"tfidf": "#1f77b4", "count": "#ff7f0e"}

AGREEMENT_LABELS: dict[str, str] = {"jaccard": "Jaccard@k", "rbo": "RBO", "weighted_tau": "Weighted Kendall τ"}
AGREEMENT_HELP: dict[str, str] = {
    "jaccard": "Share of films in both lists among the films in either (order ignored); 1 = same films.",
    "rbo": "Rank-biased overlap (p = 0.9): overlap weighted towards the top of the lists; 1 = identical lists.",
    "weighted_tau": "Order agreement, swaps near the top weigh most; 1 = same order, 0 = unrelated, -1 = reversed.",
}

# metric -> (readable name, which direction is better, what it measures)
METRIC_GUIDE: dict[str, tuple[str, str, str]] = {
    "genre_overlap": (
        "Genre overlap",
        "higher",
        "Share of recommendations sharing at least one genre with the film: a proxy for relevance.",
    ),
    "director_overlap": (
        "Director overlap",
        "higher",
        "Share of recommendations by one of the film's directors (films with a director only).",
    ),
    "cast_overlap": (
        "Cast overlap",
        "higher",
        "Share of recommendations sharing a cast member (films with credits only).",
    ),
    "keyword_jaccard": (
        "Keyword Jaccard",
        "higher",
        "Mean Jaccard overlap of keywords between the film and each recommendation.",
    ),
    "intra_list_diversity": (
        "Intra-list diversity",
        "trade-off",
        "Mean genre distance between the recommendations of one list: higher = more varied lists, "
        "usually at some cost in overlap.",
    ),
    "coverage": (
        "Catalog coverage",
        "higher",
        "Share of the catalog recommended at least once: low coverage means a few films are recommended everywhere.",
    ),
    "novelty": (
        "Novelty (bits)",
        "trade-off",
        "Mean self-information of the recommended films from their vote counts: higher = less popular films.",
    ),
}


READING_GUIDE = (
    "How to read this table: these metrics need no user data, so they are proxies. The overlap metrics "
    "(genre, director, cast, keywords) ask whether recommendations share something with the film: higher is better. "
    "Coverage asks how much of the catalog is ever recommended: higher is better. Diversity and novelty are "
    "trade-offs: higher means more varied or less popular recommendations, good for discovery but usually at some "
    "cost in overlap. \"Ahead\" names the vectorizer with the better value where a direction is better."
)
IN_BOTH_STYLE = "background-color: rgba(44, 160, 44, 0.18)"


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


def highlight_in_both(table: pd.DataFrame) -> "pd.io.formats.style.Styler":
    """A Styler of a :func:`side_by_side` table shading the rows found by both
    vectorizers, with display formats (similarity to 3 decimals, missing values "–")."""
    in_both = table["in_both"].to_numpy(dtype=bool)
    styler = table.style.apply(lambda row: [IN_BOTH_STYLE if in_both[row.name] else ""] * len(row), axis=1)
    return styler.format({"similarity": "{:.3f}", "year": "{:d}", "other_rank": "{:d}"}, na_rep="–")


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
    plus display ("Genres: Drama"); heaviest first.
    """
    row = model.row_of(movie_id)
    result = {}
    for name in vectorizers:
        vectors = model.space(name).vectors
        terms = top_terms(vectors.matrix, row, vectors.terms, vectors.labels, n)
        terms["display"] = [f"{FIELD_TITLES.get(f, f)}: {label}" for f, label in zip(terms["field"], terms["label"])]
        result[name] = terms
    return result


def disagreement_table(catalog: pd.DataFrame, agreement: pd.DataFrame, n: int) -> pd.DataFrame:
    """The ``n`` films whose two neighbour lists agree least (lowest RBO first).

    Columns id, display_title, year, genres, jaccard, rbo, weighted_tau. Raises
    :class:`ArtifactError` if the agreement table does not match the catalog.
    """
    _check_agreement(catalog, agreement)
    worst = most_disagreeing(agreement, n)
    table = _movie_columns(catalog, worst["row"].to_numpy()).drop(columns="row")
    for metric in AGREEMENT_LABELS:
        table[metric] = worst[metric].to_numpy(dtype=np.float64)
    return table


def evaluation_table(evaluation: pd.DataFrame, vectorizers: Sequence[str] = VECTORIZERS) -> pd.DataFrame:
    """The proxy quality metrics of the vectorizers side by side, with a reading guide.

    ``evaluation`` has one row per metric (a ``metric`` column or index) and one
    column per vectorizer. Returns columns metric (readable), one per vectorizer,
    better ("higher", "lower" or "trade-off"), leader (the vectorizer ahead where a
    direction is better, else "") and meaning. Raises :class:`ArtifactError` if a
    vectorizer column is missing.
    """
    frame = evaluation.set_index("metric") if "metric" in evaluation.columns else evaluation
    missing = [v for v in vectorizers if v not in frame.columns]
    if missing:
        raise ArtifactError(f"evaluation table lacks column(s) {missing}; it has {list(frame.columns)}")
    known = [m for m in EVALUATION_METRICS if m in frame.index]
    order = known + [m for m in frame.index if m not in EVALUATION_METRICS]
    records = []
    for metric in order:
        name, better, meaning = METRIC_GUIDE.get(metric, (metric, "trade-off", ""))
        values = {v: float(frame.at[metric, v]) for v in vectorizers}
        record: dict[str, object] = {"metric": name}
        record.update(values)
        record["better"] = better
        record["leader"] = _leader(values, better)
        record["meaning"] = meaning
        records.append(record)
    return pd.DataFrame(records, columns=["metric", *vectorizers, "better", "leader", "meaning"])


def metric_guide(metrics: Sequence[str] = EVALUATION_METRICS) -> str:
    """A markdown bullet list: each metric's name, which direction is better, and what it measures."""
    lines = []
    for metric in metrics:
        name, better, meaning = METRIC_GUIDE.get(metric, (metric, "trade-off", ""))
        direction = "a trade-off" if better == "trade-off" else f"{better} is better"
        lines.append(f"- **{name}** ({direction}): {meaning}")
    return "\n".join(lines)


def _leader(values: dict[str, float], better: str) -> str:
    finite = {v: x for v, x in values.items() if np.isfinite(x)}
    if better not in ("higher", "lower") or len(finite) < 2 or len(set(finite.values())) == 1:
        return ""
    pick = max if better == "higher" else min
    best = pick(finite, key=finite.get)
    return VECTORIZER_LABELS.get(best, best)


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
    summary = summary.reset_index().drop(columns="position")
    summary["vectorizer"] = summary["vectorizer"].map(lambda v: VECTORIZER_LABELS.get(v, v))
    return summary


# --------------------------------------------------------------------------- figures
def terms_figure(terms: pd.DataFrame, title: str) -> go.Figure:
    """Horizontal bars of a movie's top terms (heaviest at the top), coloured by field."""
    ordered = terms.iloc[::-1]
    figure = go.Figure(
        go.Bar(
            x=ordered["weight"],
            y=ordered["display"],
            orientation="h",
            marker_color=[_FIELD_COLOURS.get(f, "#7f7f7f") for f in ordered["field"]],
            hovertemplate="%{y}<br>weight %{x:.3f}<extra></extra>",
        )
    )
    figure.update_layout(
        title=title,
        height=max(220, 28 * len(terms) + 80),
        margin=dict(l=10, r=10, t=40, b=10),
        xaxis_title="weight in the movie's vector",
        yaxis=dict(automargin=True),
    )
    return figure


_FIELD_COLOURS = {
    "genres": "#1f77b4",
    "keywords": "#2ca02c",
    "cast": "#9467bd",
    "directors": "#d62728",
    "companies": "#8c564b",
    "overview": "#7f7f7f",
    "tagline": "#bcbd22",
}


def agreement_figure(agreement: pd.DataFrame, bins: int = 20) -> go.Figure:
    """Histograms of Jaccard, RBO and weighted tau over the catalog, side by side."""
    metrics = list(AGREEMENT_LABELS)
    figure = make_subplots(rows=1, cols=len(metrics), subplot_titles=[AGREEMENT_LABELS[m] for m in metrics])
    for column, metric in enumerate(metrics, start=1):
        values = agreement[metric].dropna()
        low = -1.0 if metric == "weighted_tau" else 0.0
        figure.add_trace(
            go.Histogram(
                x=values,
                xbins=dict(start=low, end=1.0 + 1e-9, size=(1.0 - low) / bins),
                marker_color="#4c78a8",
                name=AGREEMENT_LABELS[metric],
                hovertemplate="%{x}: %{y} films<extra></extra>",
            ),
            row=1,
            col=column,
        )
        figure.update_xaxes(range=[low, 1.0], row=1, col=column)
    figure.update_yaxes(title_text="films", row=1, col=1)
    figure.update_layout(showlegend=False, height=300, margin=dict(l=10, r=10, t=40, b=10), bargap=0.05)
    return figure


def scores_figure(scores: pd.DataFrame) -> go.Figure:
    """Overlaid histograms of the stored neighbour scores, one panel per neighbour position."""
    positions = list(dict.fromkeys(scores.sort_values("position")["neighbour"]))
    figure = make_subplots(rows=1, cols=max(len(positions), 1), subplot_titles=[f"{p} neighbour" for p in positions])
    for column, neighbour in enumerate(positions, start=1):
        part = scores[scores["neighbour"] == neighbour]
        for name, group in part.groupby("vectorizer", sort=False):
            figure.add_trace(
                go.Histogram(
                    x=group["score"],
                    xbins=dict(start=0.0, end=1.0 + 1e-9, size=0.025),
                    name=VECTORIZER_LABELS.get(name, name),
                    legendgroup=name,
                    showlegend=column == 1,
                    marker_color=VECTORIZER_COLOURS.get(name),
                    opacity=0.6,
                    hovertemplate="similarity %{x}: %{y} films<extra></extra>",
                ),
                row=1,
                col=column,
            )
        figure.update_xaxes(title_text="cosine similarity", range=[0, 1], row=1, col=column)
    figure.update_yaxes(title_text="films", row=1, col=1)
    figure.update_layout(barmode="overlay", height=320, margin=dict(l=10, r=10, t=40, b=10))
    return figure


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
