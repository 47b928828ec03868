"""The server's start-up hook (dashboard/server.py, st.App's lifespan): it loads the
served build into the process, and a broken build is logged, never raised."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from recommender.build import CatalogSource, build

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def built(tmp_path: Path, tiny_catalog_csv: Path) -> Path:
    out = tmp_path / "artifacts"
    build(CatalogSource(catalog=tiny_catalog_csv), out, skip_maps=True)
    return out


def test_server_start_hook_loads_the_build_and_logs_a_broken_one(tmp_path: Path, built: Path) -> None:
    """preload_build (run by st.App's lifespan) loads the served build; a missing build is
    logged for the app's first page to report, never raised into the server."""
    code = (
        "import logging, sys\n"
        "logging.basicConfig(level=logging.WARNING, stream=sys.stdout)\n"
        "from dashboard.server import preload_build\n"
        "from recommender.loading import _shared\n"
        "preload_build()\n"
        "print('loaded', len(_shared))\n"
    )
    for folder, expected in ((tmp_path / "missing", "loaded 0"), (built, "loaded 1")):
        env = {**os.environ, "MOVIE_ARTIFACTS": str(folder)}
        result = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, result.stderr[-3000:]
        assert result.stdout.strip().splitlines()[-1] == expected
        assert ("was not preloaded" in result.stdout) == (folder != built)
