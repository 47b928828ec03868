"""recommender.loading: the build shared by the app's pages, its JSON API and its
start-up hook (one load per process and build), and what serving imports."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from recommender.build import CatalogSource, build
from recommender.loading import load_model, shared_model

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def built(tmp_path: Path, tiny_catalog_csv: Path) -> Path:
    out = tmp_path / "artifacts"
    build(CatalogSource(catalog=tiny_catalog_csv), out, skip_maps=True)
    return out


def test_shared_model_is_loaded_once_per_build(built: Path) -> None:
    model = shared_model(built)
    assert shared_model(built) is model
    assert model.n_movies == load_model(built).n_movies == 5


def test_a_rebuild_is_loaded_anew(built: Path, tiny_catalog_csv: Path) -> None:
    before = shared_model(built)
    time.sleep(1.1)  # the build stamp has one-second resolution
    build(CatalogSource(catalog=tiny_catalog_csv), built, skip_maps=True)
    after = shared_model(built)
    assert after is not before and shared_model(built) is after


def test_concurrent_first_calls_load_once(built: Path) -> None:
    models: list[object] = []
    threads = [threading.Thread(target=lambda: models.append(shared_model(built))) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(models) == 4 and all(m is models[0] for m in models)


def test_first_recommender_run_loads_no_emoji_catalog_and_no_pandas(demo_artifacts: Path) -> None:
    """The recommender page as a fresh process's first run (a first visitor's deep link)
    imports neither Streamlit's emoji catalog nor pandas or pyarrow.

    An emoji page or menu icon makes Streamlit import its emoji catalog, which compiles a
    regex over ~4,000 emoji; pandas and pyarrow are about a second of imports. The
    page reads the catalog as plain columns (``model.movies``)."""
    code = (
        "import sys\n"
        "from streamlit.testing.v1 import AppTest\n"
        "at = AppTest.from_file('streamlit_app.py', default_timeout=120)\n"
        "at.switch_page('pages/recommender.py').run()\n"
        "assert not at.exception, at.exception\n"
        "assert at.title and at.title[0].value == 'Recommender', [t.value for t in at.title]\n"
        "assert len(at.button) >= 10, 'no result cards'\n"
        "print(sorted(m for m in ('streamlit.emojis', 'pandas', 'pyarrow') if m in sys.modules))\n"
    )
    env = {**os.environ, "MOVIE_ARTIFACTS": str(demo_artifacts)}
    run = [sys.executable, "-c", code]
    result = subprocess.run(run, cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip().splitlines()[-1] == "[]"
