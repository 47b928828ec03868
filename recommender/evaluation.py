"""Proxy measures of recommendation quality, without any user data.

For top-k neighbour lists (rows of movie indices, -1 padding): the share of
recommendations sharing a genre with the query, sharing a director, sharing a cast
member; the mean keyword Jaccard overlap; intra-list diversity (mean pairwise genre
Jaccard distance inside a list, comparable across vectorizers); catalog coverage
(share of movies recommended at least once); novelty (mean self-information
-log2((votes + 1) / (max votes + 1)) of the recommended movies). All are in [0, 1]
except novelty (bits).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

METRICS: tuple[str, ...] = (
    "genre_overlap",
    "director_overlap",
    "cast_overlap",
    "keyword_jaccard",
    "intra_list_diversity",
    "coverage",
    "novelty",
)


def _sets(values: Sequence[Sequence[str]]) -> list[frozenset[str]]:
    return [frozenset(v) for v in values]


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    union = len(a | b)
    return len(a & b) / union if union else 0.0


def proxy_metrics(catalog: pd.DataFrame, neighbours: np.ndarray, k: int) -> dict[str, float]:
    """The :data:`METRICS` of the first k neighbours of every movie.

    Overlaps with directors/cast are averaged over queries that have directors/cast
    (a query without credits cannot share them). NaN where nothing can be measured.
    """
    lists = np.asarray(neighbours)[:, :k]
    genres = _sets(catalog["genres"])
    directors = _sets(catalog["directors"])
    cast = _sets(catalog["cast"])
    keywords = _sets(catalog["keywords"])
    votes = catalog["vote_count"].to_numpy(dtype=np.float64)
    info = -np.log2((votes + 1) / (votes.max(initial=0) + 1))

    genre_hits, director_hits, cast_hits, keyword_scores, diversities = [], [], [], [], []
    for query, recs in enumerate(lists):
        recs = recs[recs >= 0]
        if len(recs) == 0:
            continue
        genre_hits.extend(bool(genres[query] & genres[r]) for r in recs)
        if directors[query]:
            director_hits.extend(bool(directors[query] & directors[r]) for r in recs)
        if cast[query]:
            cast_hits.extend(bool(cast[query] & cast[r]) for r in recs)
        if keywords[query]:
            keyword_scores.extend(_jaccard(keywords[query], keywords[r]) for r in recs)
        if len(recs) > 1:
            distances = [1 - _jaccard(genres[a], genres[b]) for i, a in enumerate(recs) for b in recs[i + 1 :]]
            diversities.append(float(np.mean(distances)))
    valid = lists[lists >= 0]

    def mean(values: list) -> float:
        return float(np.mean(values)) if values else float("nan")

    return {
        "genre_overlap": mean(genre_hits),
        "director_overlap": mean(director_hits),
        "cast_overlap": mean(cast_hits),
        "keyword_jaccard": mean(keyword_scores),
        "intra_list_diversity": mean(diversities),
        "coverage": float(len(np.unique(valid)) / len(catalog)) if len(catalog) else float("nan"),
        "novelty": float(info[valid].mean()) if len(valid) else float("nan"),
    }


def compare_vectorizers(catalog: pd.DataFrame, neighbour_lists: dict[str, np.ndarray], k: int) -> pd.DataFrame:
    """One row per metric, one column per vectorizer."""
    table = {name: proxy_metrics(catalog, lists, k) for name, lists in neighbour_lists.items()}
    frame = pd.DataFrame(table).reindex(list(METRICS))
    frame.index.name = "metric"
    return frame
