"""Artifacts: round trip, no pickle, atomic writes, and damage detection."""

from __future__ import annotations

import gzip
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from recommender.artifacts import (
    SCHEMA_VERSION,
    _remove_abandoned_staging,
    atomic_folder,
    changed_inputs,
    read_manifest,
)
from recommender.build import CatalogSource, build
from recommender.errors import ArtifactError, CatalogError
from recommender.loading import load_model
from recommender.ranking import RankingOptions, neighbour_ids

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def built(tmp_path, tiny_catalog_csv) -> Path:
    out = tmp_path / "artifacts"
    build(CatalogSource(catalog=tiny_catalog_csv), out, skip_maps=True)
    return out


def test_round_trip_gives_the_same_recommendations(tmp_path, tiny_catalog_csv, built):
    from recommender.build import build_model
    from recommender.catalog import load_catalog_csv
    from recommender.config import RecommenderConfig

    in_memory = build_model(load_catalog_csv(tiny_catalog_csv)[0], RecommenderConfig())
    loaded = load_model(built)
    for name in ("tfidf", "count"):
        np.testing.assert_array_equal(in_memory.space(name).neighbours, loaded.space(name).neighbours)
        np.testing.assert_allclose(in_memory.space(name).vectors.matrix.toarray(), loaded.space(name).vectors.matrix.toarray(), atol=1e-7)
        np.testing.assert_allclose(in_memory.space(name).scores, loaded.space(name).scores, atol=1e-6)
    for movie in (1, 2, 3, 4, 5):
        assert neighbour_ids(in_memory, movie, RankingOptions(k=4)) == neighbour_ids(loaded, movie, RankingOptions(k=4))


def test_manifest_contents(built, tiny_catalog_csv):
    manifest = read_manifest(built)
    assert manifest["schema_version"] == SCHEMA_VERSION
    assert manifest["inputs"][0]["path"] == str(tiny_catalog_csv.resolve())
    assert len(manifest["inputs"][0]["sha256"]) == 64
    assert manifest["config"]["neighbours_k"] == 100
    assert "scikit-learn" in manifest["packages"]
    assert manifest["catalog"]["movies"] == 5
    assert all(len(f["sha256"]) == 64 for f in manifest["files"].values())


def test_no_pickle_in_any_array(built):
    for path in built.glob("*.npz"):
        with np.load(path, allow_pickle=False) as data:  # would raise on object arrays
            for key in data.files:
                assert data[key].dtype != object


def test_missing_file(built):
    victim = next(built.glob("neighbours_*.npz"))
    victim.unlink()
    with pytest.raises(ArtifactError, match=f"{victim.name}: missing artifact file; rebuild with: python -m recommender build"):
        load_model(built)


def test_truncated_file(built):
    victim = built / "catalog.json.gz"
    victim.write_bytes(victim.read_bytes()[:100])
    with pytest.raises(ArtifactError, match="catalog.json.gz: 100 bytes, expected .* \\(truncated\\?\\); rebuild with"):
        load_model(built)


@pytest.mark.parametrize(
    "damage, reason",
    [
        (lambda raw: raw[:100], "Compressed file ended|end-of-stream"),
        (lambda raw: b"not gzip at all", "Not a gzipped file"),
        (lambda raw: gzip.compress(b'{"format": "something else"}'), "not a movie-explorer/columns-1 table"),
        (lambda raw: gzip.compress(b"[1, 2"), "not JSON"),
    ],
)
def test_unreadable_columns_file_without_verification(built, damage, reason):
    """With the sha256 check off (``verify=False``), a damaged catalog still gives an
    ArtifactError naming the file, never a gzip or JSON traceback."""
    victim = built / "catalog.json.gz"
    victim.write_bytes(damage(victim.read_bytes()))
    with pytest.raises(ArtifactError, match=f"catalog.json.gz: cannot be read \\(.*({reason}).*\\); rebuild with"):
        load_model(built, verify=False)


def test_altered_file(built):
    victim = next(built.glob("counts_*.npz"))
    data = bytearray(victim.read_bytes())
    data[-30] ^= 0xFF
    victim.write_bytes(bytes(data))
    with pytest.raises(ArtifactError, match="content differs from the build"):
        load_model(built)


def test_other_schema_version(built):
    manifest_path = built / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["schema_version"] = SCHEMA_VERSION + 1
    manifest_path.write_text(json.dumps(manifest))
    with pytest.raises(ArtifactError, match=f"schema version {SCHEMA_VERSION + 1}.*reads version {SCHEMA_VERSION}.*rebuild with: python -m recommender build --catalog"):
        load_model(built)


def test_artifacts_built_before_similar_reception_load_without_it(built):
    # Their stored lists were ranked without the term: the loaded model must not add it
    # when it computes longer lists, or the page and the command would disagree.
    manifest_path = built / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    assert manifest["config"]["audience"]["reception"] > 0  # today's default
    del manifest["config"]["audience"]["reception"]
    manifest_path.write_text(json.dumps(manifest))
    loaded = load_model(built)
    assert loaded.config.audience.reception == 0.0
    assert loaded.config.audience.rating_agreement == manifest["config"]["audience"]["rating_agreement"]


def test_artifacts_built_before_the_log_era_load_as_built_in_years(built):
    manifest_path = built / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    assert manifest["config"]["features"]["era_scale"] == "log"  # today's default
    del manifest["config"]["features"]["era_scale"]
    manifest_path.write_text(json.dumps(manifest))
    loaded = load_model(built)
    assert loaded.config.features.era_scale == "years"
    assert loaded.config.features.era_span == manifest["config"]["features"]["era_span"]


def test_damaged_manifest(built):
    (built / "manifest.json").write_text("{not json")
    with pytest.raises(ArtifactError, match="manifest.json: damaged"):
        load_model(built)


def test_missing_folder(tmp_path):
    with pytest.raises(ArtifactError, match="no artifacts folder"):
        load_model(tmp_path / "nothing")


def test_changed_inputs_are_reported(built, tiny_catalog_csv):
    assert changed_inputs(read_manifest(built)) == []
    tiny_catalog_csv.write_text(tiny_catalog_csv.read_text().replace("Space Wars II", "Space Wars 2"))
    assert changed_inputs(read_manifest(built)) == [str(tiny_catalog_csv.resolve())]


def test_bad_input_leaves_previous_artifacts_intact(built, tmp_path):
    before = {p.name: p.read_bytes() for p in built.iterdir()}
    bad = REPO / "tests" / "bad_inputs" / "duplicate_ids.csv"
    with pytest.raises(CatalogError):
        build(CatalogSource(catalog=bad), built, skip_maps=True)
    assert {p.name: p.read_bytes() for p in built.iterdir()} == before
    assert not [p for p in built.parent.iterdir() if p.name.startswith(".")]  # no staging left behind
    load_model(built)


def test_atomic_folder_failure_keeps_destination(tmp_path):
    destination = tmp_path / "out"
    destination.mkdir()
    (destination / "keep.txt").write_text("old")
    with pytest.raises(RuntimeError):
        with atomic_folder(destination) as writer:
            (writer.folder / "half.txt").write_text("new")
            raise RuntimeError("killed")
    assert [p.name for p in destination.iterdir()] == ["keep.txt"]


def test_process_killed_while_writing_leaves_previous_artifacts(built):
    """SIGKILL a process inside the artifact swap's staging step: the old build still
    loads, and the next build removes the abandoned staging folder."""
    before = read_manifest(built)["built_at"]
    script = (
        "import os, signal, sys\n"
        "from recommender.artifacts import atomic_folder\n"
        "with atomic_folder(sys.argv[1]) as writer:\n"
        "    (writer.folder / 'manifest.json').write_text('{half written')\n"
        "    os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    result = subprocess.run([sys.executable, "-c", script, str(built)], cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)})
    assert result.returncode == -signal.SIGKILL
    assert list(built.parent.glob(f".{built.name}.building-*")), "the killed process left its staging folder"
    assert read_manifest(built)["built_at"] == before
    assert load_model(built).n_movies == 5
    _remove_abandoned_staging(built)  # what the next build does first
    assert not list(built.parent.glob(f".{built.name}.building-*"))


@pytest.mark.slow
def test_build_killed_half_way_leaves_previous_artifacts_working(built):
    """SIGKILL a real ``python -m recommender build`` mid-way: the old artifacts still load."""
    before = read_manifest(built)["built_at"]
    process = subprocess.Popen(
        [sys.executable, "-m", "recommender", "build", "--out", str(built), "--quiet"],  # demo catalog with maps
        cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    time.sleep(8)  # well inside the maps step
    assert process.poll() is None, "the build finished before it could be killed"
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert read_manifest(built)["built_at"] == before
    assert load_model(built).n_movies == 5


def test_streamed_json_gz_is_the_one_shot_gzip(tmp_path):
    # The build writes the catalog's JSON as it is encoded; the file must be the bytes
    # gzip.compress(whole text, 9, mtime=0) gives, however the text is cut.
    text = json.dumps({"overview": ["Amélie – 東京 " * 3, *(f"film {i}" for i in range(5000))]}, ensure_ascii=False)
    pieces = [text[i : i + 777] for i in range(0, len(text), 777)]
    with atomic_folder(tmp_path / "out") as writer:
        writer.json_gz("pieces", pieces)
        writer.json_gz("whole", [text])
    for name in ("pieces", "whole"):
        raw = (tmp_path / "out" / f"{name}.json.gz").read_bytes()
        assert raw == gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0)
