"""Evaluation against what real viewers did: co-ratings as the truth for recommendations.

A content-based recommender's lists are compared with the movies that people who rated
a query movie also rated the same way (MovieLens ratings, a development and test input
only: the app never reads them). The protocol, step by step:

1. **Matching** (:func:`match_movies`): a MovieLens movie and a catalog movie are the
   same film when a normalised title (:func:`normalise_title`: accents and punctuation
   folded, "Matrix, The" -> "the matrix", "(a.k.a. ...)" dropped; a title in brackets,
   often the original one, is tried too) equals the catalog's title or original title
   and the years differ by at most one. Each catalog movie takes at most one MovieLens
   movie (the closest year).
2. **Truth** (:func:`corating_truth`): the matched movies with at least
   ``min_ratings`` ratings take part; for each, its ``truth_size`` most similar by adjusted
   cosine on user-mean-centred ratings (sums over the users who rated both), shrunk by
   ``n / (n + shrinkage)`` for ``n`` common raters; only positive similarities count.
3. **Metrics** (:func:`score_lists`): precision@10, recall@20 and nDCG@10 (binary
   relevance) of a ranked list restricted to the movies taking part (others are
   skipped, the query never counts), averaged over the queries.
4. **Split** (:func:`split_queries`): a fixed, seeded half of the query movies to tune
   settings on and the other half to report, so reported figures were not tuned on.

Baselines: :func:`popularity_lists` (the same most-voted list for every query) and
:func:`random_lists` (a seeded shuffle per query).
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

from recommender.config import AudienceSettings, FeatureSettings, FieldWeights, RecommenderConfig
from recommender.errors import CatalogError, ConfigError

METRIC_NAMES: tuple[str, ...] = ("precision@10", "recall@20", "ndcg@10")
# Articles that MovieLens moves to the end of a title ("Matrix, The").
_ARTICLES = ("the", "a", "an", "le", "la", "les", "l'", "el", "il", "lo", "der", "die", "das", "o", "os", "as", "un", "une")
_AKA = re.compile(r"\(\s*a\.?\s*k\.?\s*a\.?[^)]*\)", re.IGNORECASE)
_BRACKETED = re.compile(r"\(([^()]*)\)")
_TRAILING_ARTICLE = re.compile(r"^(.*),\s*(" + "|".join(re.escape(a) for a in _ARTICLES) + r")\s*$", re.IGNORECASE)


def _year_of(value: object) -> int | None:
    """A year as an int; None for None, NaN or pandas' NA."""
    try:
        return int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return None


def _fold(text: str) -> str:
    """Lower-case ASCII letters and digits separated by single spaces."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    ascii_only = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    ascii_only = ascii_only.replace("&", " and ")
    return " ".join(re.sub(r"[^0-9a-z]+", " ", ascii_only).split())


def _article_first(part: str) -> str:
    match = _TRAILING_ARTICLE.match(part.strip())
    if match is None:
        return part
    article = match.group(2)
    joiner = "" if article.endswith("'") else " "
    return f"{article}{joiner}{match.group(1)}"


def normalise_title(title: str) -> str:
    """A title as compared for matching: "Matrix, The" -> "the matrix", "Amélie" -> "amelie".

    Drops "(a.k.a. ...)" and any other bracketed part, moves a trailing article to
    the front, folds accents, case and punctuation. "" for an empty title.
    """
    text = _AKA.sub(" ", str(title))
    text = _BRACKETED.sub(" ", text)
    return _fold(_article_first(text))


def title_variants(title: str) -> list[str]:
    """The normalised forms of a MovieLens title: the title itself, then each bracketed
    alternative title (MovieLens writes original titles there), "(a.k.a. ...)" excluded."""
    variants = [normalise_title(title)]
    for inner in _BRACKETED.findall(_AKA.sub(" ", str(title))):
        folded = _fold(_article_first(inner))
        if folded:
            variants.append(folded)
    return [v for i, v in enumerate(variants) if v and v not in variants[:i]]


@dataclass(frozen=True)
class MatchReport:
    """MovieLens movie id -> catalog movie id, with the counts worth reporting."""

    catalog_of: dict[int, int]
    movielens_movies: int
    catalog_movies: int
    by_original_title: int  # matches found only through the catalog's original title

    @property
    def matched(self) -> int:
        return len(self.catalog_of)


def match_movies(
    movielens: pd.DataFrame,
    catalog_ids: Sequence[int],
    titles: Sequence[str],
    years: Sequence[float | int | None],
    original_titles: Sequence[str] | None = None,
    year_tolerance: int = 1,
) -> MatchReport:
    """Match MovieLens movies (columns ``movieId``, ``title``, ``year``) to catalog movies.

    A pair matches when one of :func:`title_variants` of the MovieLens title equals the
    normalised catalog title or original title and the years differ by at most
    ``year_tolerance`` (movies without a year never match). Each side is used once: a
    catalog movie claimed by several MovieLens movies goes to the closest year (then
    the lowest MovieLens id). Raises :class:`CatalogError` if a column is missing.
    """
    missing = [c for c in ("movieId", "title", "year") if c not in movielens.columns]
    if missing:
        raise CatalogError(f"MovieLens movies lack column(s) {missing}; they have {list(movielens.columns)}")
    original_titles = original_titles if original_titles is not None else [""] * len(catalog_ids)
    if not len(catalog_ids) == len(titles) == len(years) == len(original_titles):
        raise ConfigError("catalog_ids, titles, years and original_titles must have the same length")
    by_title: dict[str, list[tuple[int, int, bool]]] = {}  # normalised title -> (catalog id, year, via original)
    for movie_id, title, original, raw_year in zip(catalog_ids, titles, original_titles, years):
        year = _year_of(raw_year)
        if year is None:
            continue
        own = normalise_title(title)
        for key, via_original in ((own, False), (normalise_title(original or ""), True)):
            if key and not (via_original and key == own):
                by_title.setdefault(key, []).append((int(movie_id), year, via_original))
    claims: list[tuple[int, int, int, bool]] = []  # (year gap, movielens id, catalog id, via original)
    movies = movielens.drop_duplicates("movieId")
    for ml_id, title, raw_year in zip(movies["movieId"], movies["title"], movies["year"]):
        year = _year_of(raw_year)
        if not isinstance(title, str) or year is None:
            continue
        best: tuple[int, int, bool] | None = None
        for key in title_variants(title):
            for catalog_id, catalog_year, via_original in by_title.get(key, []):
                gap = abs(catalog_year - year)
                if gap <= year_tolerance and (best is None or (gap, catalog_id) < best[:2]):
                    best = (gap, catalog_id, via_original)
        if best is not None:
            claims.append((best[0], int(ml_id), best[1], best[2]))
    catalog_of: dict[int, int] = {}
    taken: set[int] = set()
    via_original_count = 0
    for gap, ml_id, catalog_id, via_original in sorted(claims):
        if catalog_id in taken or ml_id in catalog_of:
            continue
        catalog_of[ml_id] = catalog_id
        taken.add(catalog_id)
        via_original_count += via_original
    return MatchReport(
        catalog_of=dict(sorted(catalog_of.items())),
        movielens_movies=int(movies["movieId"].nunique()),
        catalog_movies=len(catalog_ids),
        by_original_title=via_original_count,
    )


@dataclass(frozen=True)
class CoratingTruth:
    """Per query movie (catalog id), its co-rating neighbours (catalog ids), best first."""

    neighbours: dict[int, list[int]]
    candidates: frozenset[int]  # the movies taking part: the only ones that can be relevant
    ratings_of: dict[int, int]  # ratings per movie taking part

    @property
    def queries(self) -> list[int]:
        return sorted(self.neighbours)


def centre_ratings(ratings: pd.DataFrame) -> pd.DataFrame:
    """``ratings`` (``userId``, ``movieId``, ``rating``; a repeated pair keeps its last
    rating) with each rating minus its user's mean rating."""
    missing = [c for c in ("userId", "movieId", "rating") if c not in ratings.columns]
    if missing:
        raise CatalogError(f"ratings lack column(s) {missing}; they have {list(ratings.columns)}")
    frame = ratings.loc[:, ["userId", "movieId", "rating"]].drop_duplicates(["userId", "movieId"], keep="last")
    means = frame.groupby("userId")["rating"].transform("mean")
    return frame.assign(rating=frame["rating"].astype(np.float64) - means)


def adjusted_cosine(ratings: pd.DataFrame, shrinkage: float = 10.0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Shrunk adjusted cosine between every pair of movies of ``ratings``.

    ``ratings`` has columns ``userId``, ``movieId``, ``rating``. Each rating is centred
    on its user's mean rating (over all of that user's ratings); the similarity of
    movies i and j is ``sum(a_ui a_uj) / sqrt(sum(a_ui^2) sum(a_uj^2))`` over the ``n``
    users who rated both, times ``n / (n + shrinkage)``; 0 where ``n`` is 0 or a norm is 0.
    Returns ``(movie_ids, similarity, common)``: sorted ids (M,), float64 (M, M) with a
    zero diagonal, and int (M, M) counts of common raters.
    """
    return shrunk_cosine(centre_ratings(ratings), shrinkage)


def shrunk_cosine(centred: pd.DataFrame, shrinkage: float = 10.0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`adjusted_cosine` of ratings already centred (:func:`centre_ratings`)."""
    if shrinkage < 0:
        raise ConfigError(f"shrinkage must be >= 0, got {shrinkage}")
    movie_ids, movie_rows = np.unique(centred["movieId"].to_numpy(), return_inverse=True)
    _, user_cols = np.unique(centred["userId"].to_numpy(), return_inverse=True)
    shape = (len(movie_ids), int(user_cols.max(initial=-1)) + 1)
    deviations = sp.csr_matrix((centred["rating"].to_numpy(np.float64), (movie_rows, user_cols)), shape=shape).toarray()
    rated = sp.csr_matrix((np.ones(len(centred)), (movie_rows, user_cols)), shape=shape).toarray()
    products = deviations @ deviations.T
    squares = (deviations**2) @ rated.T  # [i, j]: sum of a_ui^2 over the users who rated j too
    common = rated @ rated.T
    with np.errstate(invalid="ignore", divide="ignore"):
        similarity = products / np.sqrt(squares * squares.T)
        similarity = np.where(np.isfinite(similarity), similarity, 0.0) * common / (common + shrinkage)
    similarity = np.nan_to_num(similarity)
    np.fill_diagonal(similarity, 0.0)
    return movie_ids, similarity, np.rint(common).astype(np.int64)


def corating_truth(
    ratings: pd.DataFrame,
    matches: MatchReport,
    *,
    min_ratings: int = 20,
    truth_size: int = 20,
    shrinkage: float = 10.0,
) -> CoratingTruth:
    """The co-rating neighbours of every matched movie with >= ``min_ratings`` ratings.

    Only matched movies with at least ``min_ratings`` ratings take part, as queries and
    as neighbours (ids become catalog ids): below that, co-rating similarities are
    noise. User means are taken over all of a user's ratings. Neighbours are the
    ``truth_size`` movies of highest shrunk adjusted cosine (:func:`adjusted_cosine`),
    positive ones only, ties by the lower catalog id.
    """
    if min_ratings < 1 or truth_size < 1:
        raise ConfigError(f"min_ratings and truth_size must be >= 1, got {min_ratings} and {truth_size}")
    centred = centre_ratings(ratings)
    counts = centred.groupby("movieId").size()
    kept = [ml_id for ml_id in matches.catalog_of if counts.get(ml_id, 0) >= min_ratings]
    centred = centred[centred["movieId"].isin(kept)]
    centred = centred.assign(movieId=centred["movieId"].map(matches.catalog_of))
    movie_ids, similarity, _ = shrunk_cosine(centred, shrinkage)
    truth: dict[int, list[int]] = {}
    for row, movie_id in enumerate(movie_ids):
        sims = similarity[row]
        order = np.lexsort((movie_ids, -sims))[:truth_size]
        best = [int(movie_ids[j]) for j in order if sims[j] > 0]
        if best:
            truth[int(movie_id)] = best
    return CoratingTruth(
        neighbours=truth,
        candidates=frozenset(int(i) for i in movie_ids),
        ratings_of={int(matches.catalog_of[ml_id]): int(counts[ml_id]) for ml_id in kept},
    )


def split_queries(queries: Sequence[int], seed: int, tune_fraction: float = 0.5) -> tuple[list[int], list[int]]:
    """A fixed, seeded split of the query ids into (tune, report), each sorted.

    The same ids and seed always give the same split, whatever their order.
    """
    if not 0 < tune_fraction < 1:
        raise ConfigError(f"tune_fraction must be in (0, 1), got {tune_fraction}")
    ordered = np.asarray(sorted({int(q) for q in queries}), dtype=np.int64)
    shuffled = np.random.default_rng(seed).permutation(ordered)
    cut = round(len(shuffled) * tune_fraction)
    return sorted(int(q) for q in shuffled[:cut]), sorted(int(q) for q in shuffled[cut:])


def restricted(ranked: Sequence[int], query: int, candidates: frozenset[int] | set[int]) -> list[int]:
    """The ranked ids that can be judged: matched movies only, the query and repeats dropped."""
    seen: set[int] = set()
    kept = []
    for movie_id in ranked:
        movie_id = int(movie_id)
        if movie_id != query and movie_id in candidates and movie_id not in seen:
            seen.add(movie_id)
            kept.append(movie_id)
    return kept


def precision_at(ranked: Sequence[int], relevant: set[int], k: int) -> float:
    """Share of the first k ranked ids that are relevant (a short list counts its gaps as misses)."""
    return sum(1 for movie_id in ranked[:k] if movie_id in relevant) / k


def recall_at(ranked: Sequence[int], relevant: set[int], k: int) -> float:
    """Share of the relevant ids found in the first k; 0 when nothing is relevant."""
    if not relevant:
        return 0.0
    return sum(1 for movie_id in ranked[:k] if movie_id in relevant) / len(relevant)


def ndcg_at(ranked: Sequence[int], relevant: set[int], k: int) -> float:
    """Normalised discounted cumulative gain of the first k, binary relevance, in [0, 1]."""
    gains = sum(1.0 / np.log2(position + 2) for position, movie_id in enumerate(ranked[:k]) if movie_id in relevant)
    ideal = sum(1.0 / np.log2(position + 2) for position in range(min(k, len(relevant))))
    return float(gains / ideal) if ideal else 0.0


def score_lists(
    lists: Mapping[int, Sequence[int]], truth: CoratingTruth, queries: Sequence[int]
) -> dict[str, float]:
    """Mean :data:`METRIC_NAMES` over ``queries`` of their ranked lists (catalog ids,
    best first), each restricted to matched movies first (:func:`restricted`).

    Raises :class:`ConfigError` for a query without truth or without a list.
    """
    if not queries:
        raise ConfigError("no query movies to score")
    totals = dict.fromkeys(METRIC_NAMES, 0.0)
    for query in queries:
        if query not in truth.neighbours or query not in lists:
            raise ConfigError(f"query movie {query} has no co-rating truth or no ranked list")
        relevant = set(truth.neighbours[query])
        ranked = restricted(lists[query], query, truth.candidates)
        totals["precision@10"] += precision_at(ranked, relevant, 10)
        totals["recall@20"] += recall_at(ranked, relevant, 20)
        totals["ndcg@10"] += ndcg_at(ranked, relevant, 10)
    return {name: value / len(queries) for name, value in totals.items()}


def popularity_lists(
    queries: Sequence[int], catalog_ids: Sequence[int], popularity: Sequence[float], length: int = 50
) -> dict[int, list[int]]:
    """The baseline that ignores the query: the ``length + 1`` most popular movies (by
    ``popularity``, e.g. vote counts; ties by id) for every query, the query itself dropped."""
    ids = np.asarray(catalog_ids, dtype=np.int64)
    order = np.lexsort((ids, -np.asarray(popularity, dtype=np.float64)))
    top = [int(i) for i in ids[order[: length + 1]]]
    return {int(q): [i for i in top if i != q][:length] for q in queries}


def random_lists(queries: Sequence[int], candidates: Sequence[int], seed: int, length: int = 50) -> dict[int, list[int]]:
    """The chance baseline: for each query, ``length`` candidates in a seeded random order."""
    pool = np.asarray(sorted(int(c) for c in candidates), dtype=np.int64)
    rng = np.random.default_rng(seed)
    lists = {}
    for query in sorted(int(q) for q in queries):
        others = pool[pool != query]
        lists[query] = [int(i) for i in rng.choice(others, size=min(length, len(others)), replace=False)]
    return lists


def proxy_metric_defaults() -> RecommenderConfig:
    """The defaults before this evaluation chose them (proxy metrics had): one cosine
    over all fields, no era, language or rating terms, no audience terms and no catalog
    stop words. The "before" every report compares against."""
    return dataclasses.replace(
        RecommenderConfig(),
        weights=FieldWeights(overview=1, tagline=1, genres=1, keywords=1.5, cast=1, directors=1, companies=1,
                             era=0, language=0, rating=0),
        features=FeatureSettings(name_share=1.0, max_word_share=1.0, max_keyword_share=1.0),
        similarity="cosine",
        audience=AudienceSettings(rating_agreement=0.0, popularity=0.0, popularity_agreement=0.0, reception=0.0),
    )
