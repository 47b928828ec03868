"""The preloaded-model hand-over of recommender.loading and serve.py's warm-up."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from recommender.build import CatalogSource, build
from recommender.loading import manifest_stamp, preload_model, take_preloaded_model

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def built(tmp_path: Path, tiny_catalog_csv: Path) -> Path:
    out = tmp_path / "artifacts"
    build(CatalogSource(catalog=tiny_catalog_csv), out, skip_maps=True)
    return out


def _stamp(folder: Path) -> str:
    return manifest_stamp(json.loads((folder / "manifest.json").read_text()))


def test_preloaded_model_is_handed_over_once(built: Path) -> None:
    preload_model(built)
    model = take_preloaded_model(built, _stamp(built))
    assert model is not None and model.n_movies == 5
    assert model.ids.tolist() == [1, 2, 3, 4, 5]
    assert take_preloaded_model(built, _stamp(built)) is None  # once: the app's cache owns it now


def test_preloaded_model_of_another_build_is_not_used(built: Path, tmp_path: Path, tiny_catalog_csv: Path) -> None:
    preload_model(built)
    assert take_preloaded_model(built, "another build|0000") is None
    other = tmp_path / "other"
    build(CatalogSource(catalog=tiny_catalog_csv), other, skip_maps=True)
    preload_model(other)
    assert take_preloaded_model(built, _stamp(built)) is None  # nothing preloaded for this folder
    assert take_preloaded_model(other, _stamp(other)) is not None


def test_serve_warm_up_imports_and_preloads_the_default_build(built: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import serve

    monkeypatch.setenv("MOVIE_ARTIFACTS", str(built))
    monkeypatch.setattr(serve, "_warmed", threading.Event())
    serve.warm_up(("recommender.summary",), server_timeout_s=0.0)
    assert serve._warmed.is_set()
    assert take_preloaded_model(built, _stamp(built)) is not None


def test_serve_warm_up_with_broken_artifacts_still_finishes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import serve

    monkeypatch.setenv("MOVIE_ARTIFACTS", str(tmp_path / "missing"))
    monkeypatch.setattr(serve, "_warmed", threading.Event())
    serve.warm_up(("recommender.summary",), server_timeout_s=0.0)  # the app reports the error, not the thread
    assert serve._warmed.is_set()
    serve.wait_for_warm_imports()  # not started by main(): returns at once


def test_serve_warm_up_restores_the_switch_interval(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    import serve

    monkeypatch.setenv("MOVIE_ARTIFACTS", str(tmp_path / "missing"))
    monkeypatch.setattr(serve, "_warmed", threading.Event())
    before = sys.getswitchinterval()
    serve.warm_up(("no.such.module",), server_timeout_s=0.0)  # fails half way: still restored
    assert sys.getswitchinterval() == before
    assert serve._warmed.is_set()


def test_serve_resumes_the_paused_gc_with_what_was_loaded_frozen(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import gc

    import serve

    monkeypatch.setenv("MOVIE_ARTIFACTS", str(tmp_path / "missing"))
    monkeypatch.setattr(serve, "_warmed", threading.Event())
    frozen_before = gc.get_freeze_count()
    serve.pause_gc()
    try:
        assert not gc.isenabled()
        serve.warm_up(("no.such.module",), server_timeout_s=0.0)  # fails half way: the GC still comes back
        assert gc.isenabled()
        assert gc.get_freeze_count() > frozen_before  # the loaded objects left later collections
        serve.resume_gc()  # a second call changes nothing
        assert gc.isenabled()
    finally:
        gc.enable()
        gc.unfreeze()


def test_warm_up_alone_leaves_the_gc_alone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import gc

    import serve

    monkeypatch.setenv("MOVIE_ARTIFACTS", str(tmp_path / "missing"))
    monkeypatch.setattr(serve, "_warmed", threading.Event())
    frozen_before = gc.get_freeze_count()
    serve.warm_up(("recommender.summary",), server_timeout_s=0.0)  # without main()'s pause_gc
    assert gc.isenabled()
    assert gc.get_freeze_count() == frozen_before


def test_serve_skips_streamlits_repl_check(monkeypatch: pytest.MonkeyPatch) -> None:
    from streamlit import delta_generator

    import serve

    # The marker must still exist in the installed Streamlit, or the saving is silently lost.
    assert hasattr(delta_generator, "_use_warning_has_been_displayed")
    monkeypatch.setattr(delta_generator, "_use_warning_has_been_displayed", False)
    assert serve.skip_repl_check() is True
    assert delta_generator._use_warning_has_been_displayed is True


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


def test_a_stuck_warm_up_does_not_leave_the_gc_off(monkeypatch: pytest.MonkeyPatch) -> None:
    import gc

    import serve

    monkeypatch.setattr(serve, "_warmed", threading.Event())  # never set: the warm-up hangs
    monkeypatch.setattr(serve, "_started", True)
    serve.pause_gc()
    try:
        started = time.monotonic()
        serve.wait_for_warm_imports(timeout_s=0.05)  # the script gives up waiting and goes on
        assert time.monotonic() - started < 5
        assert gc.isenabled()
    finally:
        gc.enable()
        gc.unfreeze()


@pytest.fixture
def later_probe(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A module name, importable from ``tmp_path``, that stands for pandas in the later part."""
    import serve

    (tmp_path / "later_probe_mod.py").write_text("IMPORTED = True\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "later_probe_mod", raising=False)
    for name, value in (("_warmed", threading.Event()), ("_no_run_active", threading.Event()), ("_active_runs", 0)):
        monkeypatch.setattr(serve, name, value)
    serve._no_run_active.set()
    monkeypatch.setenv("MOVIE_ARTIFACTS", str(tmp_path / "none"))
    return "later_probe_mod"


def test_later_imports_wait_for_the_script_run_in_progress(later_probe: str) -> None:
    """pandas (here a probe module) is not imported while a script run is in progress:
    the first visitor's recommendations do not share the interpreter with it."""
    import serve

    serve.begin_script_run()
    thread = threading.Thread(target=serve.warm_up, args=((), 0.0, (later_probe,), 30.0))
    thread.start()
    assert serve._warmed.wait(30)  # the first part is done...
    time.sleep(0.3)
    assert later_probe not in sys.modules  # ...the later part waits for the run to end
    serve.end_script_run()
    thread.join(30)
    assert not thread.is_alive() and later_probe in sys.modules


def test_later_imports_go_ahead_when_no_run_is_in_progress_or_a_run_hangs(later_probe: str) -> None:
    import serve

    serve.warm_up((), 0.0, (later_probe,), 30.0)  # no run: at once
    assert later_probe in sys.modules
    del sys.modules[later_probe]
    serve.begin_script_run()  # a run that never ends
    started = time.monotonic()
    serve.warm_up((), 0.0, (later_probe, "no.such.module"), 0.2)  # a missing module is skipped
    assert later_probe in sys.modules and time.monotonic() - started < 10
    serve.end_script_run()
    assert serve._no_run_active.is_set()


def test_the_app_script_ends_its_run_however_it_ends(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """streamlit_app.py marks its run as ended also when a page stops it (st.stop after an
    artifacts error), so the later imports are never held back by a finished run."""
    import serve
    from streamlit.testing.v1 import AppTest

    monkeypatch.setattr(serve, "_active_runs", 0)
    monkeypatch.setattr(serve, "_no_run_active", threading.Event())
    monkeypatch.setenv("MOVIE_ARTIFACTS", str(tmp_path / "no build here"))
    at = AppTest.from_file(str(REPO / "streamlit_app.py"), default_timeout=60)
    at.run()
    assert not at.exception
    assert at.error and "cannot be used" in at.error[0].value  # the page stopped early
    assert serve._active_runs == 0 and serve._no_run_active.is_set()
