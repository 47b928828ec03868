"""Ranking a movie's neighbours: filters, rating blend and MMR diversity.

Movies are ranked by their similarity to the query plus the audience terms
(:mod:`recommender.audience`: agreement of vote averages, popularity), the order in
which the build stored each movie's top-k neighbours. Candidates come from those
stored neighbours when they suffice, otherwise from an exact on-demand query, so
any k and any filter give exact results.

The rating blend is calibrated: similarities and weighted ratings live on different
scales (a 0.1 gap in similarity separates a sequel from a stranger; a 0.1 gap in
rating is nothing), so the weighted rating is first standardised over the catalog
(z-score) and put on the scale of the query's own similarities: the mean and
standard deviation of the similarities of its stored neighbours. The score is
``(1 - w) * similarity + w * (mean + sd * rating_z)``: at w = 0.1 a film one standard
deviation better rated gains a ninth of a standard deviation of similarity. With a
blend every film of positive similarity is scored (one sparse product), so the
ranking is exact over the whole catalog. Maximal
marginal relevance (MMR) then optionally trades score for diversity. The query
movie never appears in its own results and only movies with a positive similarity
are recommended.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from recommender.columns import ColumnTable
from recommender.config import RankingSettings
from recommender.errors import ConfigError
from recommender.filters import Filters, filter_mask
from recommender.model import RecommenderModel
from recommender.neighbours import exact_neighbours


@dataclass(frozen=True)
class RankingOptions:
    """How to rank: vectorizer, k, rating blend, MMR and filters."""

    vectorizer: str = "tfidf"
    k: int = 10
    rating_weight: float = 0.0
    mmr: bool = False
    mmr_lambda: float = 0.7
    candidate_pool: int = 100
    filters: Filters = field(default_factory=Filters)

    @classmethod
    def from_settings(cls, settings: RankingSettings, **overrides: object) -> "RankingOptions":
        """Options with the config's ranking defaults, then ``overrides``."""
        base = dict(
            k=settings.k,
            rating_weight=settings.rating_weight,
            mmr=settings.mmr,
            mmr_lambda=settings.mmr_lambda,
            candidate_pool=settings.candidate_pool,
        )
        base.update(overrides)
        return cls(**base)  # type: ignore[arg-type]

    def validate(self) -> None:
        if self.k < 1:
            raise ConfigError(f"k must be >= 1, got {self.k}")
        if not 0 <= self.rating_weight <= 1:
            raise ConfigError(f"rating weight must be in [0, 1], got {self.rating_weight}")
        if not 0 <= self.mmr_lambda <= 1:
            raise ConfigError(f"MMR lambda must be in [0, 1], got {self.mmr_lambda}")


def candidates(model: RecommenderModel, row: int, needed: int, vectorizer: str, mask: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """The ``needed`` best movies for ``row`` passing ``mask`` (exact): by similarity
    plus the audience terms (:mod:`recommender.audience`), the order the stored
    neighbours have. Returns (rows, similarities)."""
    space = model.space(vectorizer)
    stored = space.neighbours[row]
    valid = stored >= 0
    complete = not valid.all()  # padding means every positive-similarity movie is stored
    if mask is not None:
        valid &= mask[np.where(stored >= 0, stored, 0)]
    if valid.sum() >= needed or complete:
        rows = stored[valid][:needed]
        return rows, space.similarity(row, rows)
    extra = model.audience.of(row, np.arange(model.n_movies)) if model.audience.active else None
    return exact_neighbours(space.vectors.matrix, row, needed, mask, extra)


def rank(model: RecommenderModel, movie_id: int, options: RankingOptions) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rows, similarities and final scores of the recommendations, best first.

    The score is the similarity plus the audience terms, then blended with the
    weighted rating when ``options.rating_weight`` > 0 (see the module docstring).
    Raises :class:`~recommender.errors.UnknownMovieError` for an unknown id and
    :class:`ConfigError` for bad options.
    """
    options.validate()
    row = model.row_of(movie_id)
    weight = options.rating_weight
    needed = max(options.candidate_pool, options.k) if options.mmr else options.k
    mask = filter_mask(model.movies, options.filters)
    if weight > 0:
        # With a rating blend any movie of positive similarity may rank first: score them all.
        rows, sims = exact_neighbours(model.space(options.vectorizer).vectors.matrix, row, model.n_movies, mask)
    else:
        rows, sims = candidates(model, row, needed, options.vectorizer, mask)
    sims = sims.astype(np.float64)
    scores = sims + model.audience.of(row, rows) if model.audience.active else sims
    if weight > 0:
        centre, spread = similarity_scale(model, row, options.vectorizer)
        scores = rating_blend(scores, model.rating_z[rows], centre, spread, weight)
    order = np.lexsort((rows, -sims, -scores))[:needed]  # MMR re-orders the best ``needed`` only
    rows, sims, scores = rows[order], sims[order], scores[order]
    if options.mmr and len(rows) > 1:
        chosen = mmr_order(model.space(options.vectorizer).vectors.matrix, rows, scores, options.k, options.mmr_lambda)
        rows, sims, scores = rows[chosen], sims[chosen], scores[chosen]
    k = options.k
    return rows[:k].astype(np.int64), sims[:k].astype(np.float64), scores[:k].astype(np.float64)


def rating_blend(scores: np.ndarray, rating_z: np.ndarray, centre: float, spread: float, weight: float) -> np.ndarray:
    """``(1 - weight) * scores + weight * (centre + spread * rating_z)``: the standardised
    weighted ratings ``rating_z`` put on the scale of the query's similarities (their
    mean ``centre`` and standard deviation ``spread``), then blended in."""
    return (1 - weight) * scores + weight * (centre + spread * rating_z)


def similarity_scale(model: RecommenderModel, row: int, vectorizer: str) -> tuple[float, float]:
    """Mean and standard deviation of the similarities of a movie's stored neighbours
    (positive ones): the scale the rating blend puts ratings on. (0, 0) without any."""
    scores = model.space(vectorizer).scores_of(row)
    scores = scores[scores > 0].astype(np.float64)
    if len(scores) == 0:
        return 0.0, 0.0
    return float(scores.mean()), float(scores.std())


def mmr_order(vectors, rows: np.ndarray, relevance: np.ndarray, k: int, lam: float) -> np.ndarray:
    """Maximal marginal relevance: positions into ``rows`` of k picks, greedily
    maximising ``lam * relevance - (1 - lam) * max similarity to those already picked``."""
    block = vectors[rows]
    pairwise = (block @ block.T).toarray()
    picked: list[int] = []
    redundancy = np.zeros(len(rows))
    available = np.ones(len(rows), dtype=bool)
    for _ in range(min(k, len(rows))):
        gain = np.where(available, lam * relevance - (1 - lam) * redundancy, -np.inf)
        best = int(np.argmax(gain))
        picked.append(best)
        available[best] = False
        redundancy = np.maximum(redundancy, pairwise[best])
    return np.asarray(picked, dtype=np.int64)


RESULT_COLUMNS = ["rank", "id", "display_title", "year", "genres", "directors", "similarity", "weighted_rating", "score"]


def ranked_movies(model: RecommenderModel, movie_id: int, options: RankingOptions) -> ColumnTable:
    """Recommendations for ``movie_id`` as columns :data:`RESULT_COLUMNS` (no pandas)."""
    rows, sims, scores = rank(model, movie_id, options)
    table = model.movies.take(rows, ["id", "display_title", "year", "genres", "directors", "weighted_rating"])
    table = table.with_column("rank", "int", range(1, len(rows) + 1), position=0)
    table = table.with_column("similarity", "float", sims.tolist()).with_column("score", "float", scores.tolist())
    return table.select(RESULT_COLUMNS)


def neighbour_ids(model: RecommenderModel, movie_id: int, options: RankingOptions) -> list[int]:
    """Ids of the recommendations, best first (the ``neighbours`` CLI's lists)."""
    rows, _, _ = rank(model, movie_id, options)
    return [int(i) for i in model.ids[rows]]


def languages_of(movies: ColumnTable) -> list[str]:
    """Distinct original languages, most frequent first (ties in catalog order)."""
    counts = Counter(lang for lang in movies["original_language"] if lang)
    return [lang for lang, _ in counts.most_common()]


def genres_of(movies: ColumnTable) -> list[str]:
    """Distinct genres, most frequent first (ties in catalog order)."""
    counts = Counter(genre for genres in movies["genres"] for genre in genres)
    return [genre for genre, _ in counts.most_common()]
