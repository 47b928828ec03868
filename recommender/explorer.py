"""The embedding explorer's data: one row per movie on a 2-D/3-D map.

A :class:`MovieMap` is one drawn map of one vectorizer's space: coordinates, the
per-movie share of true top-k neighbours kept close on the map (``preservation``)
and the map's trustworthiness. It comes precomputed from the artifacts
(:func:`stored_map`) or is recomputed with custom settings (:func:`custom_map`).
:func:`map_frame` joins a map with the catalog, the clusters and the vectorizer
agreement into the table the page draws, with a ``color`` column for the chosen
colouring; :func:`neighbour_segments` gives the lines from a movie to its true
neighbours, marking those the map put far away; :func:`cluster_centroids` places
cluster labels; :func:`selection_table` turns a box/lasso
selection into a table of films, :func:`selection_bounds` and :func:`in_region` the
region a zoomed map shows. It returns data; the app draws it
(``dashboard/figures.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from recommender.config import ProjectionSettings
from recommender.errors import ArtifactError, ConfigError
from recommender.loading import Analysis, MapKey
from recommender.model import RecommenderModel
from recommender.projection import DIMENSIONS, METHODS, custom_projection, map_far_neighbours, neighbour_preservation

CLUSTER_LEVELS: tuple[str, ...] = ("broad", "fine")
# What a map can be coloured by (the ``color_by`` of :func:`map_frame`).
COLORINGS: tuple[str, ...] = (
    "genre", "decade", "cluster_broad", "cluster_fine", "weighted_rating", "rbo", "faithfulness",
)
CONTINUOUS: frozenset[str] = frozenset({"weighted_rating", "rbo", "faithfulness"})
UNKNOWN = "unknown"
NO_VALUE = "no value"

Progress = Callable[[float, str], None]


@dataclass(frozen=True)
class MovieMap:
    """One map of one vectorizer's space.

    ``coords`` is float (N, dims); ``preservation`` float (N,) in [0, 1] (NaN for a
    movie without stored neighbours); ``trustworthiness`` in [0, 1] measured on
    ``trust_points`` movies (NaN if unknown); ``custom`` is True for a map recomputed
    with user settings, described by ``description``.
    """

    method: str
    dims: int
    coords: np.ndarray
    preservation: np.ndarray
    trustworthiness: float
    trust_points: int
    custom: bool = False
    description: str = ""

    @property
    def n_points(self) -> int:
        return int(self.coords.shape[0])


def available_maps(analysis: Analysis, vectorizer: str) -> list[tuple[str, int]]:
    """The (method, dims) maps stored for ``vectorizer``, in :data:`METHODS` order."""
    return [(m, d) for m in METHODS for d in DIMENSIONS if MapKey(vectorizer, m, d) in analysis.maps]


def stored_map(analysis: Analysis, vectorizer: str, method: str, dims: int) -> MovieMap:
    """The precomputed map ``method``/``dims`` of ``vectorizer``.

    Raises :class:`ConfigError` for an unknown method or dims and
    :class:`ArtifactError` when the artifacts lack that map (built with
    ``--skip-maps``, or with other ``projection.methods``).
    """
    _check_method(method, dims)
    if not available_maps(analysis, vectorizer):
        raise ArtifactError(
            f"the artifacts hold no maps for the {vectorizer!r} vectorizer (built with --skip-maps?); "
            "rebuild without --skip-maps"
        )
    stored = analysis.maps.get(MapKey(vectorizer, method, dims))
    if stored is None:
        have = ", ".join(f"{m}/{d}-D" for m, d in available_maps(analysis, vectorizer)) or "none"
        raise ArtifactError(
            f"the artifacts hold no {method} {dims}-D map of {vectorizer!r}; available: {have}"
        )
    return MovieMap(
        method=method,
        dims=dims,
        coords=np.asarray(stored.coords, dtype=np.float64),
        preservation=np.asarray(stored.preservation, dtype=np.float64),
        trustworthiness=float(stored.trustworthiness),
        trust_points=int(stored.trust_points),
    )


def custom_map(
    model: RecommenderModel,
    vectorizer: str,
    method: str,
    dims: int,
    settings: ProjectionSettings,
    seed: int,
    progress: Progress | None = None,
) -> MovieMap:
    """Recompute a map of ``vectorizer``'s vectors with ``settings`` (perplexity,
    n_neighbors, min_dist...), with its trustworthiness and per-movie preservation.

    Deterministic for equal inputs, so callers may cache it. Raises
    :class:`ConfigError` for bad settings and what
    :func:`recommender.projection.custom_projection` raises.
    """
    _check_method(method, dims)
    settings.validate()
    space = model.space(vectorizer)
    result = custom_projection(space.vectors.matrix, method, dims, settings, seed, progress)
    coords = np.asarray(result["coords"], dtype=np.float64)
    preservation = neighbour_preservation(space.neighbours, coords, settings.faithfulness_k).astype(np.float64)
    return MovieMap(
        method=method,
        dims=dims,
        coords=coords,
        preservation=preservation,
        trustworthiness=float(result["trustworthiness"]),
        trust_points=int(result["trust_points"]),
        custom=True,
        description=describe_settings(method, settings),
    )


def map_options(analysis: Analysis, vectorizer: str) -> tuple[list[str], list[int]]:
    """The map types and the dimensions stored for ``vectorizer`` (empty without maps)."""
    pairs = available_maps(analysis, vectorizer)
    return list(dict.fromkeys(m for m, _ in pairs)), sorted({d for _, d in pairs})


def map_metrics(frame: pd.DataFrame, movie_map: MovieMap) -> dict[str, float]:
    """Numbers shown above the map: points drawn, trustworthiness (and the number of
    movies it was measured on), mean faithfulness, and movies without a colour value."""
    colour = frame["color"]
    missing = int(colour.isna().sum()) if colour.dtype.kind == "f" else int((colour.astype(str) == UNKNOWN).sum())
    faithfulness = frame["faithfulness"].to_numpy(dtype=np.float64)
    return {
        "points": int(len(frame)),
        "trustworthiness": float(movie_map.trustworthiness),
        "trust_points": int(movie_map.trust_points),
        "mean_faithfulness": float(np.nanmean(faithfulness)) if np.isfinite(faithfulness).any() else float("nan"),
        "without_colour": missing,
    }


def describe_settings(method: str, settings: ProjectionSettings) -> str:
    """The settings that shape a ``method`` map, as short text ("perplexity 30")."""
    if method == "tsne":
        return f"perplexity {settings.tsne_perplexity:g}"
    if method == "umap":
        return f"n_neighbors {settings.umap_n_neighbors}, min_dist {settings.umap_min_dist:g}"
    return "no settings"


def map_frame(
    catalog: pd.DataFrame,
    analysis: Analysis,
    vectorizer: str,
    movie_map: MovieMap,
    color_by: str,
) -> pd.DataFrame:
    """One row per catalog movie, in catalog order, ready to draw.

    Columns: row, id, display_title, year (Int64), decade ("1990s" or "unknown"),
    genre (first genre or "unknown"), genres and director (text), weighted_rating,
    cluster_broad / cluster_fine (int, -1 if unknown) with *_label ("3: heist ·
    Crime"), rbo (NaN without agreement), faithfulness (``movie_map.preservation``),
    x, y (and z for 3-D) and ``color``: the ``color_by`` column (text for
    categories, float for continuous values). Raises :class:`ConfigError` for an
    unknown ``color_by`` and :class:`ArtifactError` if the map, clusters or
    agreement do not match the catalog.
    """
    if color_by not in COLORINGS:
        raise ConfigError(f"unknown colouring {color_by!r}; accepted: {', '.join(COLORINGS)}")
    n = len(catalog)
    if movie_map.coords.shape != (n, movie_map.dims):
        raise ArtifactError(
            f"the map has shape {movie_map.coords.shape} but the catalog has {n} movies; rebuild the artifacts"
        )
    years = pd.array(catalog["year"].to_numpy(), dtype="Int64")
    frame = pd.DataFrame(
        {
            "row": np.arange(n),
            "id": catalog["id"].to_numpy(dtype=np.int64),
            "display_title": catalog["display_title"].to_numpy(dtype=object),
            "year": years,
            "decade": decades(years),
            "genre": [_first(g) for g in catalog["genres"]],
            "genres": [", ".join(g) for g in catalog["genres"]],
            "director": [", ".join(d) for d in catalog["directors"]],
            "weighted_rating": catalog["weighted_rating"].to_numpy(dtype=np.float64),
        }
    )
    assigned = analysis.cluster_ids.get(vectorizer)
    table = analysis.clusters.get(vectorizer)
    for level in CLUSTER_LEVELS:
        ids = np.full(n, -1, dtype=np.int64) if assigned is None else np.asarray(assigned.level(level), dtype=np.int64)
        if len(ids) != n:
            raise ArtifactError(f"cluster_{level} has {len(ids)} entries but the catalog has {n} movies; rebuild")
        frame[f"cluster_{level}"] = ids
        frame[f"cluster_{level}_label"] = cluster_labels(ids, table, level)
    frame["rbo"] = _agreement_column(analysis.agreement, n, "rbo")
    preservation = np.asarray(movie_map.preservation, dtype=np.float64)
    frame["faithfulness"] = preservation if len(preservation) == n else np.full(n, np.nan)
    for axis, name in enumerate("xyz"[: movie_map.dims]):
        frame[name] = movie_map.coords[:, axis]
    frame["color"] = frame[f"{color_by}_label"] if color_by.startswith("cluster_") else frame[color_by]
    return frame


def decades(years: Iterable[object]) -> list[str]:
    """"1990s" for 1994; "unknown" for a missing year."""
    return [UNKNOWN if year is None or pd.isna(year) else f"{int(year) // 10 * 10}s" for year in years]


def cluster_labels(ids: np.ndarray, table: pd.DataFrame | None, level: str) -> list[str]:
    """Readable label per movie ("3: heist · Crime") from a clusters table's ``level`` rows.

    A movie in a cluster the table does not describe gets "3"; -1 gets "unknown".
    """
    names: dict[int, str] = {}
    if table is not None and len(table):
        part = table[table["level"] == level]
        names = {int(c): f"{int(c)}: {label}" for c, label in zip(part["cluster"], part["label"])}
    return [UNKNOWN if i < 0 else names.get(int(i), str(int(i))) for i in ids]


def cluster_table(table: pd.DataFrame | None, level: str) -> pd.DataFrame:
    """The clusters of one ``level`` for display: cluster, size, label, top terms,
    genres and directors as text. Empty when there is no table."""
    columns = ["cluster", "size", "label", "top_terms", "top_genres", "top_directors"]
    if table is None or not len(table):
        return pd.DataFrame(columns=columns)
    part = table[table["level"] == level].sort_values("cluster")
    result = pd.DataFrame(
        {
            "cluster": part["cluster"].to_numpy(dtype=np.int64),
            "size": part["size"].to_numpy(dtype=np.int64),
            "label": part["label"].astype(str).to_numpy(),
        }
    )
    for column in columns[3:]:
        values = part[column] if column in part.columns else [[]] * len(part)
        result[column] = [", ".join(str(v) for v in _as_list(x)) for x in values]
    return result


def cluster_centroids(frame: pd.DataFrame, level: str) -> pd.DataFrame:
    """Label position of each cluster of ``level`` on the map: the median of its points.

    Median rather than mean, so that a few stray members do not pull the label out
    of the cluster. Columns cluster, label, size, x, y (and z). Unknown (-1) left out.
    """
    if level not in CLUSTER_LEVELS:
        raise ConfigError(f"unknown cluster level {level!r}; accepted: {', '.join(CLUSTER_LEVELS)}")
    axes = [a for a in ("x", "y", "z") if a in frame.columns]
    column = f"cluster_{level}"
    known = frame[frame[column] >= 0]
    grouped = known.groupby(column, sort=True)
    centroids = grouped[axes].median()
    centroids["size"] = grouped.size()
    centroids["label"] = grouped[f"{column}_label"].first()
    centroids = centroids.reset_index().rename(columns={column: "cluster"})
    return centroids.loc[:, ["cluster", "label", "size", *axes]]


def selection_bounds(frame: pd.DataFrame, rows: Sequence[int], pad: float = 0.08) -> tuple[float, float, float, float] | None:
    """The map region (x_min, x_max, y_min, y_max) around the films at ``rows``, padded by
    ``pad`` of its size on each side (a single film gets a region 5% of the map wide);
    None when no row is on the map."""
    wanted = [int(r) for r in rows if 0 <= int(r) < len(frame)]
    if not wanted:
        return None
    x = frame["x"].to_numpy(dtype=np.float64)
    y = frame["y"].to_numpy(dtype=np.float64)
    floor_x, floor_y = 0.05 * float(np.ptp(x) or 1.0), 0.05 * float(np.ptp(y) or 1.0)
    picked_x, picked_y = x[wanted], y[wanted]
    width = max(float(np.ptp(picked_x)), floor_x)
    height = max(float(np.ptp(picked_y)), floor_y)
    middle_x, middle_y = float(picked_x.min() + picked_x.max()) / 2, float(picked_y.min() + picked_y.max()) / 2
    half_x, half_y = width * (0.5 + pad), height * (0.5 + pad)
    return (middle_x - half_x, middle_x + half_x, middle_y - half_y, middle_y + half_y)


def in_region(frame: pd.DataFrame, region: tuple[float, float, float, float]) -> np.ndarray:
    """Boolean mask of the films of ``frame`` inside ``region`` (x_min, x_max, y_min, y_max)."""
    x_min, x_max, y_min, y_max = region
    x = frame["x"].to_numpy(dtype=np.float64)
    y = frame["y"].to_numpy(dtype=np.float64)
    return (x >= x_min) & (x <= x_max) & (y >= y_min) & (y <= y_max)


def neighbour_segments(
    frame: pd.DataFrame, neighbours_row: np.ndarray, scores_row: np.ndarray, movie_row: int, k: int
) -> pd.DataFrame:
    """Lines from ``movie_row`` to its first ``k`` true (stored) neighbours.

    ``far`` marks the neighbours that are not among the movie's ``k`` nearest points
    on the map (:func:`recommender.projection.map_far_neighbours`). Columns rank,
    row, display_title, similarity, far, and x0, y0[, z0] (the movie) / x1, y1[, z1]
    (the neighbour). -1 padding is skipped. Raises :class:`ConfigError` for ``k < 1``
    and :class:`ArtifactError` for a row outside the map.
    """
    if k < 1:
        raise ConfigError(f"number of neighbours must be >= 1, got {k}")
    axes = [a for a in ("x", "y", "z") if a in frame.columns]
    coords = frame[axes].to_numpy(dtype=np.float64)
    if not 0 <= movie_row < len(coords):
        raise ArtifactError(f"movie row {movie_row} is not in the map; accepted 0..{len(coords) - 1}")
    neighbours = np.asarray(neighbours_row)[:k]
    scores = np.asarray(scores_row, dtype=np.float64)[:k]
    valid = neighbours >= 0
    far = map_far_neighbours(neighbours, coords, movie_row, k)
    rows = neighbours[valid].astype(np.int64)
    segments = pd.DataFrame(
        {
            "rank": np.flatnonzero(valid) + 1,
            "row": rows,
            "display_title": frame["display_title"].to_numpy()[rows],
            "similarity": scores[valid],
            "far": far[valid],
        }
    )
    for axis in axes:
        segments[f"{axis}0"] = coords[movie_row, axes.index(axis)]
        segments[f"{axis}1"] = coords[rows, axes.index(axis)]
    return segments


SELECTION_COLUMNS = [
    "display_title", "year", "genres", "director", "weighted_rating",
    "cluster_broad_label", "cluster_fine_label", "faithfulness", "rbo", "id",
]


def selection_table(frame: pd.DataFrame, rows: Sequence[int]) -> pd.DataFrame:
    """The selected films with their metadata (:data:`SELECTION_COLUMNS`), in ``rows``
    order; rows outside the frame are ignored."""
    wanted = [int(r) for r in rows if 0 <= int(r) < len(frame)]
    by_row = frame.set_index("row", drop=False)
    return by_row.loc[wanted, SELECTION_COLUMNS].reset_index(drop=True)


# --------------------------------------------------------------------------- helpers
def _check_method(method: str, dims: int) -> None:
    if method not in METHODS:
        raise ConfigError(f"unknown map type {method!r}; accepted: {', '.join(METHODS)}")
    if dims not in DIMENSIONS:
        raise ConfigError(f"map dimensions must be one of {DIMENSIONS}, got {dims!r}")


def _first(values: object) -> str:
    items = _as_list(values)
    return str(items[0]) if items else UNKNOWN


def _as_list(values: object) -> list:
    if values is None or (isinstance(values, float) and values != values):
        return []
    if isinstance(values, str):
        return [values] if values else []
    return list(values)  # type: ignore[arg-type]


def _agreement_column(agreement: pd.DataFrame | None, n: int, column: str) -> np.ndarray:
    values = np.full(n, np.nan)
    if agreement is None or column not in agreement.columns:
        return values
    rows = agreement["row"].to_numpy(dtype=np.int64)
    if len(rows) and (rows.min() < 0 or rows.max() >= n):
        raise ArtifactError(
            f"agreement table refers to rows up to {rows.max()} but the catalog has {n} movies; rebuild"
        )
    values[rows] = agreement[column].to_numpy(dtype=np.float64)
    return values


@dataclass(frozen=True)
class MapQuality:
    """How faithfully a map keeps films' true neighbours nearby, over the films that
    have neighbours: ``mean`` and ``median`` faithfulness (share of a film's true top-k
    among its k nearest dots), ``share_trustworthy`` the share of films keeping at
    least half (:data:`TRUSTWORTHY`), ``share_lost`` the share keeping none, and
    ``films`` how many films were measured. NaN fields when none was."""

    mean: float
    median: float
    share_trustworthy: float
    share_lost: float
    films: int


TRUSTWORTHY = 0.5


def map_quality(faithfulness: np.ndarray) -> MapQuality:
    """:class:`MapQuality` of per-film faithfulness values in [0, 1] (NaN = no neighbours)."""
    values = np.asarray(faithfulness, dtype=np.float64)
    values = values[np.isfinite(values)]
    if not len(values):
        nan = float("nan")
        return MapQuality(nan, nan, nan, nan, 0)
    return MapQuality(
        mean=float(values.mean()),
        median=float(np.median(values)),
        share_trustworthy=float((values >= TRUSTWORTHY).mean()),
        share_lost=float((values == 0).mean()),
        films=int(len(values)),
    )
