"""`make artifacts` (scripts/demo_artifacts.py): what it keeps, rebuilds and refuses."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from recommender.build import CatalogSource, build
from scripts.demo_artifacts import BUILD, KEEP, ForeignBuildError, decide, main
from tests.conftest import WORDS_ONLY


def _copy(source: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "artifacts"
    shutil.copytree(source, folder)
    return folder


def _set_schema(folder: Path, version: object) -> None:
    path = folder / "manifest.json"
    manifest = json.loads(path.read_text())
    manifest["schema_version"] = version
    path.write_text(json.dumps(manifest))


def test_no_build_is_built(tmp_path: Path) -> None:
    assert decide(tmp_path / "absent")[0] == BUILD
    (tmp_path / "empty").mkdir()
    assert decide(tmp_path / "empty")[0] == BUILD


def test_a_loadable_demo_build_is_kept(demo_artifacts: Path, tmp_path: Path) -> None:
    assert decide(_copy(demo_artifacts, tmp_path)) == (KEEP, f"artifacts present in {tmp_path / 'artifacts'}")


def test_a_demo_build_of_an_older_schema_is_rebuilt(demo_artifacts: Path, tmp_path: Path) -> None:
    folder = _copy(demo_artifacts, tmp_path)
    _set_schema(folder, 1)
    action, why = decide(folder)
    assert action == BUILD
    assert "schema version 1" in why and "demo build" in why


def test_a_damaged_demo_build_is_rebuilt(demo_artifacts: Path, tmp_path: Path) -> None:
    folder = _copy(demo_artifacts, tmp_path)
    (folder / "catalog.json.gz").write_bytes(b"not the catalog")
    assert decide(folder)[0] == BUILD
    (folder / "manifest.json").write_text("{not json")  # the manifest no longer names its catalog
    assert decide(folder)[0] == BUILD


@pytest.fixture
def own_build(tiny_catalog_csv: Path, tmp_path: Path) -> Path:
    out = tmp_path / "own"
    build(CatalogSource(catalog=tiny_catalog_csv), out, WORDS_ONLY, skip_maps=True)
    return out


def test_a_loadable_build_of_another_catalog_is_kept(own_build: Path) -> None:
    assert decide(own_build)[0] == KEEP


def test_a_stale_build_of_another_catalog_is_refused_and_left_alone(own_build: Path, capsys) -> None:
    _set_schema(own_build, 1)
    before = {p.name: p.read_bytes() for p in own_build.iterdir()}
    with pytest.raises(ForeignBuildError, match="tiny.csv"):
        decide(own_build)
    assert main([str(own_build)]) == 2
    err = capsys.readouterr().err
    assert "schema version 1" in err and "does not replace" in err and "rebuild with: python -m recommender build" in err
    assert {p.name: p.read_bytes() for p in own_build.iterdir()} == before
