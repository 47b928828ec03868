"""The build's maps step on a large catalog: approximate kNN graph, maps in worker processes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from recommender.build import CatalogSource, build
from recommender.config import ProjectionSettings, RecommenderConfig
from recommender.loading import load_analysis


def _files(folder: Path) -> dict[str, str]:
    """Every artifact's sha256 from the manifest (the manifest itself records timings)."""
    return {name: entry["sha256"] for name, entry in json.loads((folder / "manifest.json").read_text())["files"].items()}


@pytest.mark.slow  # a spawned worker process, and pynndescent's numba compilation in each process
def test_large_catalog_maps_in_worker_processes_equal_one_process(tmp_path):
    """The demo catalog built as a large one with the approximate graph: the vectorizers'
    maps drawn in two processes are those drawn one after the other in one."""

    def settings(processes: int) -> RecommenderConfig:
        return RecommenderConfig(projection=ProjectionSettings(
            large_map_films=100, exact_graph_max_films=100, methods=("tsne", "pca"), map_processes=processes,
        ))

    two = build(CatalogSource.demo(), tmp_path / "two", settings(2))
    one = build(CatalogSource.demo(), tmp_path / "one", settings(1))
    assert sorted(two["maps"]) == ["count/pca/2", "count/pca/3", "count/tsne/2", "tfidf/pca/2", "tfidf/pca/3", "tfidf/tsne/2"]
    for name in ("tfidf", "count"):
        graph = two["map_graphs"][name]
        assert graph["method"] == "nn-descent" and graph["k"] == 90
        assert graph["recall"] >= 0.95 and graph["recall_sample"] == 442  # every film of the demo catalog
        assert f"{name}/knn_graph" in two["analysis_timings_s"]
        assert two["maps"][f"{name}/tsne/2"]["trustworthiness"] > 0.9
    assert two["map_graphs"] == one["map_graphs"]
    assert load_analysis(tmp_path / "two").graphs == two["map_graphs"]
    assert _files(tmp_path / "two") == _files(tmp_path / "one")
