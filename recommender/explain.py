"""Why a movie was recommended: the terms that contribute most to its similarity.

With L2-normalised rows, cosine(q, r) = sum over terms t of q[t] * r[t], so each
shared term's product is its exact share of the score. Contributions are grouped by
field (genres, keywords, cast, directors, overview words...) for display.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from recommender.vectors import TermVectors

FIELD_TITLES: dict[str, str] = {
    "genres": "Genres",
    "keywords": "Keywords",
    "cast": "Cast",
    "directors": "Director",
    "companies": "Studio",
    "overview": "Story",
    "tagline": "Tagline",
    "era": "Era",
    "language": "Language",
    "rating": "Rating",
}


@dataclass(frozen=True)
class Contribution:
    """One shared term and its part of the cosine similarity."""

    field: str
    label: str
    share: float


def contributions(vectors: TermVectors, query_row: int, other_row: int) -> list[Contribution]:
    """Shared terms of two movies, largest contribution first (shares sum to the cosine)."""
    query = vectors.matrix[query_row]
    other = vectors.matrix[other_row]
    product = query.multiply(other).tocsr()
    product.eliminate_zeros()
    columns, values = product.indices, product.data
    order = np.argsort(-values, kind="stable")
    return [
        Contribution(field=str(vectors.fields[columns[i]]), label=str(vectors.labels[columns[i]]), share=float(values[i]))
        for i in order
    ]


def explain(vectors: TermVectors, query_row: int, other_row: int, per_field: int = 3) -> dict[str, list[str]]:
    """Top shared terms per field, fields ordered by their total contribution."""
    totals: dict[str, float] = {}
    grouped: dict[str, list[str]] = {}
    for item in contributions(vectors, query_row, other_row):
        totals[item.field] = totals.get(item.field, 0.0) + item.share
        labels = grouped.setdefault(item.field, [])
        if len(labels) < per_field and item.label not in labels:  # era terms share decade labels
            labels.append(item.label)
    return {f: grouped[f] for f in sorted(grouped, key=lambda f: -totals[f])}


def why_text(explanation: dict[str, list[str]], max_fields: int = 3) -> str:
    """A short sentence-like summary: "Director: James Cameron · Genres: Action, ..."."""
    parts = [f"{FIELD_TITLES.get(f, f)}: {', '.join(labels)}" for f, labels in list(explanation.items())[:max_fields]]
    return " · ".join(parts) if parts else "no shared terms"


def explain_results(vectors: TermVectors, query_row: int, rows: list[int] | np.ndarray, per_field: int = 3) -> list[dict[str, list[str]]]:
    """:func:`explain` for each recommended row, in order."""
    return [explain(vectors, query_row, int(row), per_field) for row in rows]
