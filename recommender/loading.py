"""Reading a build back: the serving model and the analysis, from an artifacts folder.

Kept apart from :mod:`recommender.build` so that serving (the app's first page, the
CLI's queries) imports only numpy and scipy: counting terms, stemming and the maps
(scikit-learn, NLTK, UMAP) are build-time work, and pandas comes in only with the
analysis (its Parquet tables) or a page that asks for ``model.catalog``.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from recommender.artifacts import ArtifactReader, read_manifest
from recommender.config import MAP_DIMENSIONS, MAP_METHODS, VECTORIZERS, RecommenderConfig
from recommender.errors import ArtifactError, ConfigError
from recommender.model import RecommenderModel, VectorSpace
from recommender.popularity import RatingStats
from recommender.vectors import from_counts

if TYPE_CHECKING:
    import pandas as pd

SHARED_BUILDS = 4
_shared: dict[str, tuple[str, RecommenderModel]] = {}  # folder -> (build stamp, model), oldest first
_shared_lock = threading.Lock()

# Neighbours per film in the build's evaluation and TF-IDF/Count agreement tables.
EVALUATION_K = 10
AGREEMENT_K = 10


def vocabulary_key(config: RecommenderConfig, name: str) -> str:
    """Names the counts/terms files of vectorizer ``name``; equal vocabulary settings
    give equal counts, so both vectorizers share the files when their settings agree."""
    settings = config.vectorizer(name)
    low, high = settings.ngram_range
    return f"n{low}{high}_df{settings.min_df}_max{settings.max_features or 'all'}"


# Settings added after builds were made, with the value that reproduces what an older
# build did: its manifest lacks the key, and its stored neighbours and terms were made
# that way (a later default would make the page's stored lists and the computed ones
# disagree, and would misdescribe the build).
_BEFORE_THEY_EXISTED: tuple[tuple[str, str, object], ...] = (
    ("audience", "reception", 0.0),  # "similar reception" did not exist: weight 0
    ("features", "era_scale", "years"),  # the era was counted in years before the log scale
)


def _built_settings(config: dict) -> dict:
    """The settings the artifacts were built with: each key of
    :data:`_BEFORE_THEY_EXISTED` that the manifest's section lacks gets the value that
    reproduces the older build, not today's default."""
    if not isinstance(config, dict):
        return config
    config = dict(config)
    for section, key, value in _BEFORE_THEY_EXISTED:
        settings = config.get(section)
        if isinstance(settings, dict) and key not in settings:
            config[section] = {**settings, key: value}
    return config


def load_model(folder: str | Path, *, verify: bool = True) -> RecommenderModel:
    """Read the artifacts needed to serve recommendations.

    Raises :class:`ArtifactError` (missing, damaged, altered, other schema) naming
    the file and the rebuild command.
    """
    reader = ArtifactReader(folder, read_manifest(folder), verify=verify)
    manifest = reader.manifest
    try:
        config = RecommenderConfig.from_dict(_built_settings(manifest["config"]))
        stats_data = manifest["rating_stats"]
        stats = RatingStats(mean_vote=stats_data["C"], min_votes=stats_data["m"], quantile=stats_data["quantile"])
    except (KeyError, TypeError, ConfigError) as exc:
        raise ArtifactError(f"{Path(folder) / 'manifest.json'}: incomplete or from another version ({exc}); rebuild") from exc
    movies = reader.columns("catalog")
    spaces = {}
    for name in VECTORIZERS:
        key = vocabulary_key(config, name)
        terms = reader.columns(f"terms_{key}")
        vectors = from_counts(
            name,
            reader.sparse(f"counts_{key}"),
            np.asarray(terms["term"], dtype=str),
            np.asarray(terms["label"], dtype=str),
            config,
        )
        spaces[name] = VectorSpace(vectors=vectors, neighbours=reader.index(f"neighbours_{name}"))
    _check_shapes(len(movies), spaces, Path(folder))
    return RecommenderModel(stats=stats, spaces=spaces, config=config, manifest=manifest, movies=movies)


def _check_shapes(n: int, spaces: dict[str, VectorSpace], folder: Path) -> None:
    for name, space in spaces.items():
        if space.vectors.matrix.shape[0] != n or space.neighbours.shape[0] != n:
            raise ArtifactError(f"{folder}: {name} arrays do not match the catalog's {n} movies; rebuild")


@dataclass(frozen=True)
class MapKey:
    """Which map: ``vectorizer``'s space drawn by ``method`` ("tsne", "umap", "pca") in ``dims`` (2 or 3)."""

    vectorizer: str
    method: str
    dims: int

    @property
    def array_name(self) -> str:
        """The map's name in the vectorizer's ``maps_<vectorizer>.npz`` ("tsne_2")."""
        return f"{self.method}_{self.dims}"

    @property
    def manifest_name(self) -> str:
        """The map's entry under ``maps`` in ``manifest.json`` ("tfidf/tsne/2")."""
        return f"{self.vectorizer}/{self.method}/{self.dims}"


@dataclass(frozen=True)
class StoredMap:
    """One precomputed map: ``coords`` float (N, dims); ``preservation`` float (N,) in
    [0, 1], the share of each film's true top-k neighbours the map keeps close (NaN
    without neighbours); ``trustworthiness`` in [0, 1] measured on ``trust_points`` films
    (NaN, 0 when unknown)."""

    coords: np.ndarray
    preservation: np.ndarray
    trustworthiness: float = float("nan")
    trust_points: int = 0


@dataclass(frozen=True)
class ClusterIds:
    """Each film's k-means cluster at the two levels (int (N,), -1 when unknown)."""

    broad: np.ndarray
    fine: np.ndarray

    def level(self, name: str) -> np.ndarray:
        """The ids of level ``name`` ("broad" or "fine"); :class:`ConfigError` otherwise."""
        if name not in ("broad", "fine"):
            raise ConfigError(f"unknown cluster level {name!r}; accepted: broad, fine")
        return self.broad if name == "broad" else self.fine


@dataclass
class Analysis:
    """Precomputed maps, clusters, agreement and evaluation (explorer and comparison pages).

    ``maps`` by :class:`MapKey`; ``svd`` (the reduced vectors the maps were drawn from),
    ``cluster_ids`` and ``clusters`` (one row per cluster and level) by vectorizer.
    """

    maps: dict[MapKey, StoredMap] = field(default_factory=dict)
    svd: dict[str, np.ndarray] = field(default_factory=dict)
    cluster_ids: dict[str, ClusterIds] = field(default_factory=dict)
    clusters: dict[str, pd.DataFrame] = field(default_factory=dict)
    # By vectorizer, the maps' shared kNN graph (large catalogs): method, k, recall.
    graphs: dict[str, dict] = field(default_factory=dict)
    agreement: pd.DataFrame | None = None
    evaluation: pd.DataFrame | None = None

    @property
    def has_maps(self) -> bool:
        return bool(self.maps)

    def map_arrays(self, vectorizer: str) -> dict[str, np.ndarray]:
        """What ``maps_<vectorizer>.npz`` holds: svd, each map and its preservation, the cluster ids."""
        arrays: dict[str, np.ndarray] = {}
        if vectorizer in self.svd:
            arrays["svd"] = self.svd[vectorizer]
        for key, stored in self.maps.items():
            if key.vectorizer == vectorizer:
                arrays[key.array_name] = stored.coords
                arrays[f"preservation_{key.array_name}"] = stored.preservation
        if vectorizer in self.cluster_ids:
            arrays["cluster_broad"] = self.cluster_ids[vectorizer].broad
            arrays["cluster_fine"] = self.cluster_ids[vectorizer].fine
        return arrays

    def quality(self) -> dict[str, dict[str, float]]:
        """The manifest's ``maps`` entry: trustworthiness and points per map."""
        return {
            key.manifest_name: {"trustworthiness": stored.trustworthiness, "points": stored.trust_points}
            for key, stored in self.maps.items()
        }


def load_analysis(folder: str | Path, *, verify: bool = True) -> Analysis:
    """Read the analysis artifacts; all are absent when built with ``--skip-maps``."""
    reader = ArtifactReader(folder, read_manifest(folder), verify=verify)
    quality = reader.manifest.get("maps", {})
    analysis = Analysis()
    if reader.has("agreement.parquet"):
        analysis.agreement = reader.table("agreement")
        analysis.evaluation = reader.table("evaluation")
    for name in VECTORIZERS:
        if not reader.has(f"maps_{name}.npz"):
            continue
        arrays = reader.arrays(f"maps_{name}")
        if "svd" in arrays:
            analysis.svd[name] = arrays["svd"]
        for method in MAP_METHODS:
            for dims in MAP_DIMENSIONS:
                key = MapKey(name, method, dims)
                if key.array_name not in arrays:
                    continue
                coords = arrays[key.array_name]
                preservation = arrays.get(f"preservation_{key.array_name}", np.full(len(coords), np.nan))
                measured = quality.get(key.manifest_name, {})
                analysis.maps[key] = StoredMap(
                    coords, preservation, float(measured.get("trustworthiness", np.nan)), int(measured.get("points", 0))
                )
        if "cluster_broad" in arrays and "cluster_fine" in arrays:
            analysis.cluster_ids[name] = ClusterIds(arrays["cluster_broad"], arrays["cluster_fine"])
        analysis.clusters[name] = reader.table(f"clusters_{name}")
        graphs = reader.manifest.get("map_graphs")  # builds before it existed have none
        if isinstance(graphs, dict) and isinstance(graphs.get(name), dict):
            analysis.graphs[name] = graphs[name]
    return analysis


def manifest_stamp(manifest: dict[str, Any]) -> str:
    """A short key naming one build: its build time and its catalog file's sha256."""
    catalog = manifest.get("files", {}).get("catalog.json.gz", {})
    return f"{manifest.get('built_at')}|{catalog.get('sha256', '')}"


def shared_model(folder: str | Path) -> RecommenderModel:
    """The build in ``folder``, loaded once per process and per build, for every caller.

    The app's server loads the served build when it starts, the pages' cache and the
    JSON API then get the same read-only object. A rebuild (another manifest stamp)
    is loaded anew; the :data:`SHARED_BUILDS` most recently loaded folders are kept.
    Thread-safe: concurrent first calls load once. Raises what :func:`load_model` raises.
    """
    key = str(Path(folder).resolve())
    stamp = manifest_stamp(read_manifest(folder))
    with _shared_lock:
        entry = _shared.get(key)
        if entry is not None and entry[0] == stamp:
            return entry[1]
        model = load_model(folder)
        _shared.pop(key, None)
        _shared[key] = (manifest_stamp(model.manifest), model)
        while len(_shared) > SHARED_BUILDS:
            _shared.pop(next(iter(_shared)))
        return model
