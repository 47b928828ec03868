"""The build on a Dask cluster (dask.distributed.LocalCluster) gives the local build's artifacts."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from recommender.build import CatalogSource, build
from recommender.catalog import load_catalog_csv
from recommender.config import RecommenderConfig, SearchSettings
from recommender.errors import ConfigError
from recommender.features import tokenize_catalog

from .conftest import REPO

pytestmark = pytest.mark.slow  # a LocalCluster of two worker processes takes a few seconds to start

distributed = pytest.importorskip("dask.distributed")


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as local, distributed.Client(local) as client:
        yield local, client


def _files(folder: Path) -> dict[str, str]:
    """Every artifact's sha256 from the manifest (the manifest itself records timings)."""
    return {name: entry["sha256"] for name, entry in json.loads((folder / "manifest.json").read_text())["files"].items()}


@pytest.mark.parametrize("exact_max_films", [20_000, 100], ids=["exact search", "pruned search"])
def test_cluster_build_equals_local_build(cluster, tmp_path, exact_max_films):
    local, _ = cluster
    config = RecommenderConfig(search=SearchSettings(exact_max_films=exact_max_films, work_per_row=500, cluster_size=64, probes=2))
    here = build(CatalogSource.demo(), tmp_path / "here", config, skip_maps=True)
    there = build(CatalogSource.demo(), tmp_path / "there", config, skip_maps=True, dask=local.scheduler_address)
    assert here["neighbour_search"] == there["neighbour_search"]
    assert here["neighbour_search"]["tfidf"]["method"] == ("exact" if exact_max_films > 442 else "pruned")
    assert there["dask"] == {"workers": 2} and here["dask"] is None
    assert _files(tmp_path / "here") == _files(tmp_path / "there")


def test_partitioned_tokenising_equals_local(cluster):
    from recommender.distributed import tokenizer

    _, client = cluster
    catalog, _ = load_catalog_csv(REPO / "data" / "demo_catalog.csv")
    local = tokenize_catalog(catalog)
    parted = tokenizer(client, partition_rows=50)(catalog)  # 9 partitions
    assert parted.docs == local.docs
    assert parted.labels == local.labels


def test_block_runner_returns_blocks_in_order(cluster):
    from recommender.distributed import block_runner

    _, client = cluster
    table = np.arange(12).reshape(3, 4)  # broadcast to the workers, as the vectors are
    # Each block calls np.take(table, start, axis=stop): row 2, then column 1.
    results = list(block_runner(client)(np.take, (table,), [(2, 0), (1, 1)]))
    assert [r.tolist() for r in results] == [[8, 9, 10, 11], [1, 5, 9]]


def test_unreachable_scheduler_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="tcp://127.0.0.1:1"):
        build(CatalogSource.demo(), tmp_path / "out", skip_maps=True, dask="tcp://127.0.0.1:1")


def test_large_catalog_maps_on_the_cluster_equal_local(cluster, tmp_path):
    """The demo catalog built as a large one (shared exact kNN graph, openTSNE, no 3-D
    t-SNE), the kNN graph's blocks on the cluster: the same maps as the local build."""
    from recommender.config import ProjectionSettings

    local, _ = cluster
    config = RecommenderConfig(projection=ProjectionSettings(large_map_films=100, methods=("tsne", "pca")))
    here = build(CatalogSource.demo(), tmp_path / "here", config)
    build(CatalogSource.demo(), tmp_path / "there", config, dask=local.scheduler_address)
    assert sorted(here["maps"]) == ["count/pca/2", "count/pca/3", "count/tsne/2", "tfidf/pca/2", "tfidf/pca/3", "tfidf/tsne/2"]
    assert "tfidf/knn_graph" in here["analysis_timings_s"]
    # Below projection.exact_graph_max_films the graph is exact (its blocks on the cluster);
    # locally the count maps were drawn in a worker process, on Dask in the build's own.
    assert here["map_graphs"]["tfidf"] == {"method": "exact", "k": 90, "recall": 1.0}
    assert _files(tmp_path / "here") == _files(tmp_path / "there")
