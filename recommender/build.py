"""The build pipeline: catalog -> vectors -> neighbours -> analysis -> artifacts.

:func:`build` runs every step with progress reporting and writes the artifacts
atomically; :mod:`recommender.loading` reads them back. The CLI and the app's data page are thin
callers of these functions.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from threadpoolctl import threadpool_limits

from recommender.artifacts import (
    DEMO_CATALOG,
    DEMO_CATALOG_NAME,
    ArtifactWriter,
    atomic_folder,
    check_destination,
    sha256_file,
    write_manifest,
)
from recommender.audience import AudienceTerms
from recommender.catalog import (
    InputLimits,
    LoadReport,
    find_tmdb_files,
    load_catalog_csv,
    load_tmdb,
)
from recommender.columns import ColumnTable
from recommender.config import VECTORIZERS, RecommenderConfig
from recommender.errors import ArtifactError, ConfigError
from recommender.evaluation import compare_vectorizers
from recommender.features import tokenize_catalog
from recommender.inputs import check_regular_file
from recommender.loading import AGREEMENT_K, EVALUATION_K, Analysis, ClusterIds, MapKey, StoredMap, vocabulary_key
from recommender.model import RecommenderModel, VectorSpace
from recommender.neighbours import BlockRunner, ExtraTerm, PairTerm, block_threads, run_blocks_here, search_neighbours
from recommender.popularity import RatingStats, normalised, rating_stats, weighted_rating
from recommender.vectorize import vectorize_catalog

Progress = Callable[[float, str], None]


@dataclass(frozen=True)
class CatalogSource:
    """Where a catalog comes from: TMDB movies (+ credits) files, or one catalog CSV."""

    movies: Path | None = None
    credits: Path | None = None
    catalog: Path | None = None

    @classmethod
    def demo(cls) -> "CatalogSource":
        return cls(catalog=DEMO_CATALOG)

    @classmethod
    def tmdb_dir(cls, folder: str | Path) -> "CatalogSource":
        movies, credits = find_tmdb_files(folder)
        return cls(movies=movies, credits=credits)

    def __post_init__(self) -> None:
        if (self.catalog is None) == (self.movies is None):
            raise ConfigError("give either a catalog CSV or a TMDB movies file (with optional credits), not both/neither")
        if self.credits is not None and self.movies is None:
            raise ConfigError("a credits file needs its movies file")

    @property
    def kind(self) -> str:
        return "catalog" if self.catalog is not None else "tmdb"

    @property
    def name(self) -> str:
        if self.catalog is not None:
            return DEMO_CATALOG_NAME if Path(self.catalog).resolve() == DEMO_CATALOG else Path(self.catalog).name
        return "TMDB 5000" + ("" if self.credits else " (no credits)")

    def files(self) -> list[Path]:
        return [Path(p) for p in (self.catalog, self.movies, self.credits) if p is not None]

    def load(self, top_cast: int, limits: InputLimits | None = None) -> tuple[pd.DataFrame, LoadReport]:
        """The catalog and its load report (see :mod:`recommender.catalog`); ``limits``
        bounds each file's size (the defaults when ``None``)."""
        if self.catalog is not None:
            return load_catalog_csv(self.catalog, limits)
        return load_tmdb(self.movies, self.credits, top_cast=top_cast, limits=limits)  # type: ignore[arg-type]

    def command(self, out: Path) -> str:
        if self.catalog is not None:
            where = f"--catalog {self.catalog}"
        else:
            where = f"--movies {self.movies}" + (f" --credits {self.credits}" if self.credits else "")
        return f"python -m recommender build {where} --out {out}"


class _Steps:
    """Maps each step's own 0..1 progress onto the overall bar and times the steps."""

    def __init__(self, progress: Progress | None, weights: dict[str, float]) -> None:
        self.progress = progress
        total = sum(weights.values())
        self.weights = {k: v / total for k, v in weights.items()}
        self.done = 0.0
        self.timings: dict[str, float] = {}

    @contextmanager
    def step(self, name: str) -> Iterator[Progress]:
        start, base, share = time.perf_counter(), self.done, self.weights.get(name, 0.0)

        def report(fraction: float, message: str = "") -> None:
            if self.progress is not None:
                self.progress(min(1.0, base + share * fraction), message or name)

        report(0.0, name)
        yield report
        self.done = base + share
        self.timings[name] = round(time.perf_counter() - start, 3)
        report(1.0, f"{name} done")


def prepare_catalog(catalog: pd.DataFrame, config: RecommenderConfig) -> tuple[pd.DataFrame, RatingStats]:
    """Add ``weighted_rating`` and ``rating_norm`` columns; return the rating stats."""
    stats = rating_stats(catalog, config.rating_quantile)
    catalog = catalog.copy()
    catalog["weighted_rating"] = weighted_rating(catalog["vote_average"], catalog["vote_count"], stats)
    catalog["rating_norm"] = normalised(catalog["weighted_rating"].to_numpy())
    return catalog, stats


def build_model(
    catalog: pd.DataFrame,
    config: RecommenderConfig,
    progress: Progress | None = None,
    steps: _Steps | None = None,
    client: Any = None,
) -> RecommenderModel:
    """Vectors and top-k neighbours of both vectorizers, in memory.

    With a ``dask.distributed.Client`` the tokenising and the neighbour blocks run on
    its cluster (:mod:`recommender.distributed`); the results are the same.
    """
    steps = steps or _Steps(progress, {"vectorize": 1, "neighbours": 1})
    catalog, stats = prepare_catalog(catalog, config)
    run_blocks: BlockRunner = run_blocks_here
    tokenize = tokenize_catalog
    if client is not None:
        from recommender import distributed

        run_blocks, tokenize = distributed.block_runner(client), distributed.tokenizer(client)
    with steps.step("vectorize") as report:
        vectors = vectorize_catalog(catalog, config, tokenize=tokenize)
        report(1.0)
    audience = AudienceTerms.from_votes(
        catalog["vote_average"].to_numpy(dtype=np.float64, na_value=np.nan),
        catalog["vote_count"].to_numpy(dtype=np.float64, na_value=np.nan),
        config.audience,
    )
    with steps.step("neighbours") as report:
        found = _all_neighbours(
            {name: vectors[name].matrix for name in VECTORIZERS},
            config,
            report,
            audience.block if audience.active else None,
            run_blocks,
            audience.pairs if audience.active else None,
        )
    spaces = {
        name: VectorSpace(vectors=vectors[name], neighbours=index, _scores=scores, search=search.to_dict())
        for name, (index, scores, search) in found.items()
    }
    return RecommenderModel(stats=stats, spaces=spaces, config=config, catalog=catalog)


def _all_neighbours(
    matrices: dict[str, sp.csr_matrix],
    config: RecommenderConfig,
    report: Progress,
    extra: ExtraTerm | None = None,
    run_blocks: BlockRunner = run_blocks_here,
    extra_pairs: PairTerm | None = None,
) -> dict[str, tuple[np.ndarray, np.ndarray | None, Any]]:
    """Top-k neighbours of each vectorizer's vectors: ``{name: (index, scores, report)}``.

    Up to ``search.parallel_max_films`` films: the vectorizers in parallel threads
    (scipy's sparse product, numpy's partition and the pruned search's compiled kernels
    release the GIL, so on two cores the two searches overlap: 0.97 -> 0.61 s on TMDB
    5000). Larger catalogs: one vectorizer after the other, each one's blocks in as many
    threads as there are cores (or on the Dask cluster ``run_blocks`` stands for), so
    that the search's own structures (sparse part, postings, dense rows in cluster
    order: about 1 GB per vectorizer at 1,000,000 films) exist for one vectorizer at a
    time; its scores are then ``None`` (exact dot products, recomputed on demand by
    :class:`VectorSpace`; 0.4 GB per vectorizer at 1,000,000 films). Either way each
    search gets the same share of ``chunk_rows`` and ``max_block_cells``, so the
    blocks, and the results, are the same. Progress is reported from this (the
    caller's) thread only: Streamlit's progress bar belongs to the script thread.
    """
    done = dict.fromkeys(matrices, 0.0)
    workers = max(1, min(len(matrices), os.cpu_count() or 1))
    # The block budget is shared, so running in parallel does not raise the peak memory.
    chunk_rows, max_block_cells = max(1, config.chunk_rows // workers), max(1, config.max_block_cells // workers)

    def search(name: str, matrix: sp.csr_matrix, runner: BlockRunner, here: bool) -> tuple[np.ndarray, np.ndarray, Any]:
        """One vectorizer's search; ``here``: in this thread, alone (its recall check then
        uses every core too)."""

        def progress(fraction: float, _message: str) -> None:
            done[name] = fraction
            if here:  # in the caller's thread
                report(sum(done.values()) / len(done), "neighbours")

        return search_neighbours(
            matrix,
            config.neighbours_k,
            exact_max_films=config.search.exact_max_films,
            candidates=config.search.candidates,
            work_per_row=config.search.work_per_row,
            probes=config.search.probes,
            cluster_size=config.search.cluster_size,
            reached=config.search.reached,
            recall_k=config.search.recall_k,
            recall_sample=config.search.recall_sample,
            seed=config.seed,
            chunk_rows=chunk_rows,
            max_block_cells=max_block_cells,
            progress=progress,
            extra=extra,
            extra_pairs=extra_pairs,
            run_blocks=runner,
            recall_workers=workers if here else 1,
        )

    one_at_a_time = max((m.shape[0] for m in matrices.values()), default=0) > config.search.parallel_max_films
    # One BLAS thread for the whole search, set once here: the limit is process-wide,
    # and each search's own limit then saves and restores this one.
    with threadpool_limits(limits=1, user_api="blas"):
        if one_at_a_time:
            runner = block_threads(workers) if run_blocks is run_blocks_here else run_blocks
            found: dict[str, tuple[np.ndarray, np.ndarray | None, Any]] = {}
            for name, matrix in matrices.items():
                index, scores, search_report = search(name, matrix, runner, True)
                del scores  # freed before the next vectorizer's search
                found[name] = (index, None, search_report)
            return found
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="neighbours") as pool:
            futures = {name: pool.submit(search, name, matrix, run_blocks, False) for name, matrix in matrices.items()}
            pending = set(futures.values())
            while pending:
                _, pending = wait(pending, timeout=0.25, return_when=FIRST_EXCEPTION)
                report(sum(done.values()) / len(done), "neighbours")
                if any(f.done() and f.exception() is not None for f in futures.values()):
                    break
            return {name: future.result() for name, future in futures.items()}


def build(
    source: CatalogSource,
    out: str | Path,
    config: RecommenderConfig | None = None,
    *,
    skip_maps: bool = False,
    progress: Progress | None = None,
    dask: str | None = None,
) -> dict[str, Any]:
    """Build every artifact from ``source`` into ``out`` atomically; return the manifest.

    ``dask`` ("local" or a scheduler address) runs the heavy steps on a Dask cluster
    (:mod:`recommender.distributed`); the artifacts are the same. Raises
    :class:`CatalogError` for bad input and :class:`ConfigError` for bad settings,
    before anything in ``out`` is touched.
    """
    config = (config or RecommenderConfig()).validate()
    if dask is None:
        return _build(source, out, config, skip_maps, progress, None)
    from recommender.distributed import connect

    with connect(dask) as client:
        manifest = _build(source, out, config, skip_maps, progress, client)
    return manifest


def _build(
    source: CatalogSource,
    out: str | Path,
    config: RecommenderConfig,
    skip_maps: bool,
    progress: Progress | None,
    client: Any,
) -> dict[str, Any]:
    out = Path(out)
    for path in source.files():
        check_regular_file(path, "a CSV file (.csv, .csv.gz or .csv.zip)")
    check_destination(out, source.files())
    weights = {"load catalog": 2, "vectorize": 3, "neighbours": 4, "save": 1}
    if not skip_maps:
        weights.update({"evaluate": 2, "maps and clusters": 40})
    steps = _Steps(progress, weights)
    with steps.step("load catalog"):
        inputs = [{"path": str(p.resolve()), "sha256": sha256_file(p), "bytes": p.stat().st_size} for p in source.files()]
        catalog, report = source.load(config.top_cast, config.input_limits())
    model = build_model(catalog, config, steps=steps, client=client)
    analysis: Analysis | None = None
    analysis_timings: dict[str, float] = {}
    if not skip_maps:
        analysis = Analysis()
        with steps.step("evaluate"):
            analysis.evaluation = compare_vectorizers(
                model.catalog, {n: s.neighbours for n, s in model.spaces.items()}, EVALUATION_K
            ).reset_index()
            analysis.agreement = _agreement(model)
        with steps.step("maps and clusters") as step_progress:
            analysis_timings = _analysis(model, config, analysis, step_progress, client)
    try:
        return _write(out, source, config, model, analysis, analysis_timings, report, inputs, steps, skip_maps, client)
    except OSError as exc:  # a read-only folder, a full disk...
        where = exc.filename or out
        raise ArtifactError(
            f"{where}: cannot write the build ({exc.strerror or exc}); nothing in {out} was changed"
        ) from None


def _write(
    out: Path,
    source: CatalogSource,
    config: RecommenderConfig,
    model: RecommenderModel,
    analysis: Analysis | None,
    analysis_timings: dict[str, float],
    report: LoadReport,
    inputs: list[dict[str, Any]],
    steps: _Steps,
    skip_maps: bool,
    client: Any = None,
) -> dict[str, Any]:
    with steps.step("save"), atomic_folder(out) as writer:
        _save(writer, model, analysis)
        manifest = write_manifest(
            writer,
            {
                "catalog": {
                    "name": source.name,
                    "kind": source.kind,
                    "movies": report.movies,
                    "without_overview": report.without_overview,
                    "without_credits": report.without_credits,
                    "warnings": report.warnings,
                },
                "inputs": inputs,
                "build_command": source.command(out),
                "config": config.to_dict(),
                "rating_stats": {"C": model.stats.mean_vote, "m": model.stats.min_votes, "quantile": model.stats.quantile},
                "vectorizers": {n: {"terms": s.vectors.n_terms, "nnz": int(s.vectors.matrix.nnz)} for n, s in model.spaces.items()},
                "neighbour_search": {n: s.search for n, s in model.spaces.items()},
                "maps": analysis.quality() if analysis is not None else {},
                "map_graphs": analysis.graphs if analysis is not None else {},
                "maps_built": not skip_maps,
                "dask": None if client is None else {"workers": len(client.scheduler_info().get("workers", {}))},
                "timings_s": steps.timings,
                "analysis_timings_s": analysis_timings,
            },
        )
    return manifest


def _agreement(model: RecommenderModel) -> pd.DataFrame:
    from recommender.agreement import agreement_table

    return agreement_table(model.spaces["tfidf"].neighbours, model.spaces["count"].neighbours, AGREEMENT_K)


@dataclass
class _SpaceAnalysis:
    """One vectorizer's SVD, maps, clusters, map graph report and step seconds."""

    svd: np.ndarray
    maps: dict[MapKey, StoredMap]
    cluster_ids: ClusterIds
    clusters: pd.DataFrame
    graph: dict[str, Any]
    timings: dict[str, float]


def _analysis(
    model: RecommenderModel,
    config: RecommenderConfig,
    analysis: Analysis,
    progress: Callable[[float, str], None],
    client: Any = None,
) -> dict[str, float]:
    """SVD, every map with its faithfulness, and clusters, for each vectorizer, into
    ``analysis``; returns each step's seconds. With a Dask ``client`` the maps' exact kNN
    graph runs on its cluster. Above ``projection.large_map_films`` films (and without
    Dask) the vectorizers run in up to ``projection.map_processes`` processes at once:
    this one and spawned workers (so a script calling :func:`build` on such a catalog
    needs the ``if __name__ == "__main__":`` guard); the results are the same."""
    settings = config.projection
    n_films = model.catalog.shape[0]
    maps = [(m, d) for m in settings.methods for d in settings.dimensions]
    if n_films > settings.large_map_films:
        maps = [(m, d) for m, d in maps if m != "tsne" or d in settings.large_tsne_dimensions]
    names = list(model.spaces)
    per_space = len(maps) + 2
    total = per_space * len(names)
    genres, directors = model.catalog["genres"].tolist(), model.catalog["directors"].tolist()
    texts = [f"{overview or ''} {tagline or ''}" for overview, tagline in zip(model.catalog["overview"], model.catalog["tagline"])]
    run_blocks = None
    if client is not None:
        from recommender.distributed import block_runner

        run_blocks = block_runner(client)

    def inputs(name: str) -> tuple:
        space = model.spaces[name]
        vectors = space.vectors
        return (name, vectors.matrix, vectors.terms, vectors.labels, space.neighbours, genres, directors, texts, config, maps)

    workers = min(settings.map_processes, len(names)) if client is None and n_films > settings.large_map_films else 1
    here, elsewhere = names[:1] if workers > 1 else names, names[1:] if workers > 1 else []
    results: dict[str, _SpaceAnalysis] = {}
    pool = _map_pool(workers - 1) if elsewhere else None
    try:
        futures = {name: pool.submit(_space_analysis, *inputs(name)) for name in elsewhere} if pool else {}
        for position, name in enumerate(here):

            def report(fraction: float, message: str, base: int = position * per_space) -> None:
                progress((base + fraction * per_space) / total, message)

            results[name] = _space_analysis(*inputs(name), progress=report, run_blocks=run_blocks)
        for position, (name, future) in enumerate(futures.items(), start=len(here)):
            progress(position * per_space / total, f"{name}: maps (in a process of their own)")
            results[name] = future.result()
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
    timings: dict[str, float] = {}
    for name in names:  # in the vectorizers' order whichever process drew them
        result = results[name]
        analysis.svd[name] = result.svd
        analysis.maps.update(result.maps)
        analysis.cluster_ids[name] = result.cluster_ids
        analysis.clusters[name] = result.clusters
        analysis.graphs[name] = result.graph
        timings.update(result.timings)
    progress(1.0, "maps done")
    return timings


def _map_pool(workers: int) -> Any:
    """Worker processes for :func:`_space_analysis`, spawned (not forked: this process
    may hold threads, e.g. the app's build jobs)."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"))


def _space_analysis(
    name: str,
    matrix: sp.csr_matrix,
    terms: np.ndarray,
    term_labels: np.ndarray,
    neighbours: np.ndarray,
    genres: list,
    directors: list,
    texts: list[str],
    config: RecommenderConfig,
    maps: list[tuple[str, int]],
    progress: Progress | None = None,
    run_blocks: BlockRunner | None = None,
) -> _SpaceAnalysis:
    """SVD, the ``maps`` (method, dims) with their faithfulness, and the clusters of one
    vectorizer's vectors. A module-level function of picklable arguments, so that it
    can run in a worker process. One BLAS thread, wherever it runs: the SVD and t-SNE's
    PCA start differ in the last bits with the thread count, and would change the maps."""
    from recommender.clusters import cluster_levels
    from recommender.projection import (
        approximate_knn_graph,
        graph_recall,
        knn_graph,
        neighbour_preservation,
        project,
        reduce_svd,
        trustworthiness_score,
    )

    settings = config.projection
    per_space = len(maps) + 2
    timings: dict[str, float] = {}

    def report(done: int, message: str) -> None:
        if progress is not None:
            progress(done / per_space, f"{name}: {message}")

    def timed(key: str, function: Callable[[], Any]) -> Any:
        start = time.perf_counter()
        value = function()
        timings[f"{name}/{key}"] = round(time.perf_counter() - start, 3)
        return value

    with threadpool_limits(limits=1, user_api="blas"):
        report(0, "SVD")
        svd = timed("svd", lambda: reduce_svd(matrix, settings.svd_components, config.seed))
        knn, graph = None, {}
        if svd.shape[0] > settings.large_map_films and {"tsne", "umap"} & set(settings.methods):
            report(1, "kNN graph for the maps")
            needed = max(int(np.ceil(3 * settings.tsne_perplexity)), settings.umap_n_neighbors)
            if svd.shape[0] > settings.exact_graph_max_films:
                knn = timed("knn_graph", lambda: approximate_knn_graph(svd, needed, config.seed))
                recall = timed(
                    "knn_graph_recall",
                    lambda: graph_recall(svd, knn[0], settings.graph_recall_k, settings.graph_recall_sample, config.seed),
                )
                graph = {"method": "nn-descent", "k": int(knn[0].shape[1]), "recall": round(recall, 4),
                         "recall_k": settings.graph_recall_k, "recall_sample": min(settings.graph_recall_sample, svd.shape[0])}
            else:
                knn = timed("knn_graph", lambda: knn_graph(svd, needed, config.max_block_cells, run_blocks))
                graph = {"method": "exact", "k": int(knn[0].shape[1]), "recall": 1.0}
        stored: dict[MapKey, StoredMap] = {}
        for done, (method, dims) in enumerate(maps, start=1):
            report(done, f"{method} {dims}-D")
            coords = timed(f"{method}/{dims}", lambda: project(svd, method, dims, settings, config.seed, knn=knn))
            trust, points = timed(
                f"{method}/{dims}/trustworthiness",
                lambda: trustworthiness_score(svd, coords, settings.faithfulness_k, seed=config.seed),
            )
            preservation = neighbour_preservation(neighbours, coords, settings.faithfulness_k)
            stored[MapKey(name, method, dims)] = StoredMap(
                coords.astype(np.float32), preservation.astype(np.float32), float(trust), int(points)
            )
        report(per_space - 1, "clusters")
        broad, fine, labels = timed(
            "clusters",
            lambda: cluster_levels(svd, matrix, terms, term_labels, genres, directors, config.clusters, config.seed, texts),
        )
    return _SpaceAnalysis(
        svd=svd, maps=stored, cluster_ids=ClusterIds(broad.astype(np.int32), fine.astype(np.int32)), clusters=labels,
        graph=graph, timings=timings,
    )


def _save(writer: ArtifactWriter, model: RecommenderModel, analysis: Analysis | None) -> None:
    """Serving artifacts (catalog, term counts, terms, neighbour indices), then analysis.

    Only raw integer term counts are stored: the float vectors are derived from them
    on load, and neighbour scores are recomputed from the vectors when needed.
    """
    writer.json_gz("catalog", model.movies_json_chunks())
    for name, space in model.spaces.items():
        key = vocabulary_key(model.config, name)
        if f"counts_{key}.npz" not in writer.files:  # vectorizers with equal settings share one
            writer.sparse(f"counts_{key}", space.vectors.counts)
            terms = {"term": space.vectors.terms.tolist(), "label": space.vectors.labels.tolist()}
            writer.columns(f"terms_{key}", ColumnTable(terms, {"term": "str", "label": "str"}))
        writer.index(f"neighbours_{name}", space.neighbours)
    if analysis is None:
        return
    writer.table("evaluation", analysis.evaluation)
    writer.table("agreement", analysis.agreement)
    for name in analysis.svd:
        writer.arrays(f"maps_{name}", **analysis.map_arrays(name))
        writer.table(f"clusters_{name}", _clusters_for_parquet(analysis.clusters[name]))


def _clusters_for_parquet(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    for column in frame.columns:
        if frame[column].map(lambda v: isinstance(v, (list, tuple, np.ndarray))).any():
            frame[column] = frame[column].map(lambda v: [str(x) for x in v])
    return frame

