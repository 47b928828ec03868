"""Two films side by side: why they are similar, and where each map puts them.

:func:`compare_pair` splits the cosine similarity of two films into the terms they
share, grouped by field (each shared term's product is its exact share of the
score), and lists what each film has that the other lacks. :func:`map_placement`
says where a 2-D or 3-D map puts the second film relative to the first: the rank of
its distance among all the first film's map distances, against its rank by true
similarity, so an analyst sees whether "near on the map" means "similar" for this
pair. Plain numpy, no pandas.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from recommender.errors import ConfigError
from recommender.explain import FIELD_TITLES, contributions
from recommender.model import RecommenderModel


@dataclass(frozen=True)
class FieldShare:
    """One field's part of a pair's similarity: its title, summed share and terms."""

    field: str
    title: str
    share: float
    terms: tuple[str, ...]


@dataclass(frozen=True)
class PairComparison:
    """Why two films are (not) similar in one vectorizer.

    ``similarity`` is their cosine; ``shared`` the fields they share, largest share
    first (shares sum to ``similarity``); ``only_first``/``only_second`` each film's
    heaviest terms the other lacks; ``rank_of_second`` is the second film's rank
    among the first's neighbours by similarity (1 = most similar), None when they
    share nothing.
    """

    first_id: int
    second_id: int
    vectorizer: str
    similarity: float
    shared: tuple[FieldShare, ...]
    only_first: tuple[str, ...]
    only_second: tuple[str, ...]
    rank_of_second: int | None


@dataclass(frozen=True)
class MapPlacement:
    """Where one map puts the second film as seen from the first.

    ``distance`` is in map units; ``map_rank`` the second film's rank by distance
    from the first (1 = nearest of all films); ``true_rank`` its rank by similarity
    (None if they share nothing); ``fraction_nearer`` the share of the catalog the
    map puts nearer to the first film than the second, in [0, 1].
    """

    distance: float
    map_rank: int
    true_rank: int | None
    fraction_nearer: float


def compare_pair(model: RecommenderModel, first_id: int, second_id: int, vectorizer: str, terms_per_field: int = 4, n_unshared: int = 6) -> PairComparison:
    """Compare two films in ``vectorizer``'s space (see :class:`PairComparison`).

    Raises :class:`~recommender.errors.UnknownMovieError` for an unknown id and
    :class:`ConfigError` when both ids are the same film or the vectorizer is unknown.
    """
    if int(first_id) == int(second_id):
        raise ConfigError("choose two different films to compare")
    first, second = model.row_of(first_id), model.row_of(second_id)
    space = model.space(vectorizer)
    vectors = space.vectors
    shares: dict[str, float] = {}
    terms: dict[str, list[str]] = {}
    for item in contributions(vectors, first, second):
        shares[item.field] = shares.get(item.field, 0.0) + item.share
        listed = terms.setdefault(item.field, [])
        if len(listed) < terms_per_field:
            listed.append(item.label)
    shared = tuple(
        FieldShare(field, FIELD_TITLES.get(field, field), shares[field], tuple(terms[field]))
        for field in sorted(shares, key=lambda f: (-shares[f], f))
    )
    similarity = float(space.similarity(first, np.array([second]))[0])
    return PairComparison(
        first_id=int(first_id),
        second_id=int(second_id),
        vectorizer=vectorizer,
        similarity=similarity,
        shared=shared,
        only_first=_unshared(vectors, first, second, n_unshared),
        only_second=_unshared(vectors, second, first, n_unshared),
        rank_of_second=similarity_rank(model, first, second, vectorizer),
    )


def similarity_rank(model: RecommenderModel, row: int, other: int, vectorizer: str) -> int | None:
    """Rank (1 = most similar) of catalog row ``other`` among row ``row``'s neighbours
    by exact cosine; ties count in ``other``'s favour. None if the similarity is 0."""
    space = model.space(vectorizer)
    matrix = space.vectors.matrix
    sims = np.asarray((matrix @ matrix[row].T).toarray()).ravel()
    sims[row] = -np.inf
    target = sims[other]
    if target <= 0:
        return None
    return int((sims > target).sum()) + 1


def map_placement(coords: np.ndarray, first: int, second: int, true_rank: int | None = None) -> MapPlacement:
    """Where a map (``coords``, (N, 2) or (N, 3)) puts catalog row ``second`` seen from
    ``first``. ``true_rank`` is passed through (see :func:`similarity_rank`)."""
    points = np.asarray(coords, dtype=np.float64)
    if points.ndim != 2 or not 0 <= first < len(points) or not 0 <= second < len(points):
        raise ConfigError(f"rows {first} and {second} are not both rows of a map of shape {points.shape}")
    distances = np.linalg.norm(points - points[first], axis=1)
    distances[first] = np.inf
    target = distances[second]
    nearer = int((distances < target).sum())
    others = max(len(points) - 1, 1)
    return MapPlacement(
        distance=float(target), map_rank=nearer + 1, true_rank=true_rank, fraction_nearer=nearer / others
    )


def _unshared(vectors, row: int, other: int, n: int) -> tuple[str, ...]:
    """The heaviest terms of ``row`` that ``other`` lacks, as "Field: label"."""
    matrix = vectors.matrix
    line = matrix[row]
    others = set(matrix[other].indices.tolist())
    order = np.argsort(-line.data, kind="stable")
    found: list[str] = []
    for position in order:
        column = int(line.indices[position])
        if column in others:
            continue
        field = str(vectors.fields[column])
        found.append(f"{FIELD_TITLES.get(field, field)}: {vectors.labels[column]}")
        if len(found) >= n:
            break
    return tuple(found)
