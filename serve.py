"""Start the app: ``streamlit run streamlit_app.py``, with the app's libraries imported
while the first browser is still loading the page.

    python serve.py [streamlit options, e.g. --server.port 8501]

Streamlit runs the app's script only when a browser's websocket opens, about a second
after the server is up; the script then spends much of its first run importing
numpy, scipy and the recommender core and loading the build. This launcher runs
those imports, and loads the default build, in a background thread once the server
is up, while the browser loads the page, so the first visitor waits for what is left
of that work, not for all of it. The script waits for the thread before its own
imports (``wait_for_warm_imports``), and the app's cache takes the preloaded model
over if it is still the current build. Until then the garbage collector is paused,
and what was loaded is then frozen out of later collections (``pause_gc``/``resume_gc``);
Streamlit's once-per-process REPL check is skipped (``skip_repl_check``).

The recommender page needs no pandas. pandas and pyarrow (about a second of imports,
for the other pages) come next, when no script run is in progress
(``LATER_MODULES``; the script marks its runs with ``begin_script_run`` and
``end_script_run``), so they do not slow a first visitor's recommendations. Nothing
else changes: the options are Streamlit's own, and ``streamlit run streamlit_app.py``
still works.

It sits outside the ``dashboard`` package on purpose: that package's first import
must happen inside a script run (see ``dashboard/__init__.py``).
"""

from __future__ import annotations

import gc
import importlib
import sys
import threading
import time
from pathlib import Path

APP = Path(__file__).resolve().parent / "streamlit_app.py"

# What the first script run needs beyond Streamlit, slowest first. Only modules with
# no Streamlit caching decorators: those must be created once the runtime exists.
WARM_MODULES = (
    "numpy",
    "scipy.sparse",
    "recommender.loading",
    "recommender.ranking",
    "recommender.results",
    "recommender.languages",
)
# What the other pages add (the overview's charts, the analysis tables): imported once
# no script run is in progress, at most ``LATER_IDLE_TIMEOUT_S`` after the first part.
LATER_MODULES = ("pandas", "pyarrow.parquet", "recommender.summary")
LATER_IDLE_TIMEOUT_S = 30.0


_warmed = threading.Event()
_started = False
_runs_lock = threading.Lock()
_active_runs = 0
_no_run_active = threading.Event()  # set while no script run is in progress
_no_run_active.set()
_gc_paused = False  # main() pauses the cyclic GC until the warm-up is done (see resume_gc)


def _server_started(timeout_s: float = 20.0) -> None:
    """Wait until Streamlit's runtime is up (the server answers), at most ``timeout_s``.

    Importing while the server itself starts would only slow that down: both need the
    interpreter (one GIL), and the server's start is on the critical path too.
    """
    from streamlit import runtime
    from streamlit.runtime.runtime import RuntimeState

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if runtime.exists() and runtime.get_instance().state != RuntimeState.INITIAL:
            return
        time.sleep(0.02)


def warm_up(
    modules: tuple[str, ...] = WARM_MODULES,
    server_timeout_s: float = 20.0,
    later: tuple[str, ...] = LATER_MODULES,
    idle_timeout_s: float = LATER_IDLE_TIMEOUT_S,
) -> None:
    """Import ``modules``, then load the default build (``$MOVIE_ARTIFACTS``) for the
    app's cache to take over; a failure is left for the app to report in its own words.
    Then, once no script run is in progress (or after ``idle_timeout_s``), import ``later``."""
    switch_interval = sys.getswitchinterval()
    try:
        _server_started(server_timeout_s)
        # Meanwhile the server sends the browser Streamlit's frontend (~60 files). A thread
        # waiting for the interpreter gets it after at most the switch interval (5 ms by
        # default); 1 ms keeps those requests from queueing behind the imports (first
        # recommendations ~0.2 s sooner, measured with scripts/startup_time.py's method).
        sys.setswitchinterval(0.001)
        for name in modules:
            importlib.import_module(name)
        from recommender.artifacts import default_artifacts_dir
        from recommender.loading import preload_model

        preload_model(default_artifacts_dir())
    except Exception:  # noqa: BLE001, S110 - the script run imports again and shows the error
        pass
    finally:
        sys.setswitchinterval(switch_interval)
        resume_gc()
        _warmed.set()
    # One interpreter: importing while a script runs would slow that run down (the first
    # visitor's recommendations). A page that needs these sooner imports them itself;
    # Python's per-module import locks make either thread wait for a half-done import.
    _no_run_active.wait(idle_timeout_s)
    for name in later:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001, S112 - the page that needs it reports the error
            continue


def begin_script_run() -> None:
    """Called first by the app's script: wait for the warm-up's first part, and mark a run
    in progress (the later imports wait for no run to be in progress)."""
    global _active_runs
    wait_for_warm_imports()
    with _runs_lock:
        _active_runs += 1
        _no_run_active.clear()


def end_script_run() -> None:
    """Called when the app's script ends, however it ends (``st.stop``, a rerun, an error)."""
    global _active_runs
    with _runs_lock:
        _active_runs = max(_active_runs - 1, 0)
        if _active_runs == 0:
            _no_run_active.set()


def pause_gc() -> None:
    """Turn the cyclic garbage collector off while the libraries load (see :func:`resume_gc`)."""
    global _gc_paused
    gc.disable()
    _gc_paused = True


def resume_gc() -> None:
    """Freeze what is loaded so far, then turn the collector back on, if :func:`pause_gc` ran.

    Imports create objects that live as long as the process and almost no garbage
    cycles. With the collector on, the growing heap triggers full collections over all
    of them while Streamlit, pandas and the model load, and again during the first
    script run (a 0.1-0.2 s pause in its first page compile, py-spy). Frozen objects
    are left out of every later collection; reference counting still frees them.
    """
    global _gc_paused
    if _gc_paused:
        gc.freeze()
        gc.enable()
        _gc_paused = False


def wait_for_warm_imports(timeout_s: float = 120.0) -> None:
    """Block until the background imports are done; at once when they were not started.

    The app's script calls this first. Until then a module may be half imported, and
    libraries that look into ``sys.modules`` without importing (plotly does, for
    pandas) would see it half-built.
    """
    if _started and not _warmed.wait(timeout_s):
        resume_gc()  # a stuck warm-up must not leave the collector off for the process's life


def skip_repl_check() -> bool:
    """Spare the first script run Streamlit's "are we in a REPL?" check; True if it was skipped.

    The first element a process sends checks whether Streamlit runs in a REPL, to warn
    that apps need ``streamlit run``: an ``inspect.stack()`` that maps every frame to its
    module by scanning all loaded modules, 0.1-0.25 s of the first visitor's wait
    (py-spy, docs/LOAD_TEST.md). This process is ``streamlit run``, so the warning could
    never apply. The flag is Streamlit's own once-per-process marker; if a Streamlit
    release drops it, nothing breaks and the check simply runs again.
    """
    from streamlit import delta_generator

    if not hasattr(delta_generator, "_use_warning_has_been_displayed"):
        return False
    delta_generator._use_warning_has_been_displayed = True
    return True


def main(argv: list[str] | None = None) -> None:
    global _started
    pause_gc()  # until the warm-up thread is done, whatever happens to it
    # The script imports this module as ``serve``: let it find this instance, event included.
    sys.modules.setdefault("serve", sys.modules[__name__])
    sys.path.insert(0, str(APP.parent))
    # Streamlit first, in this thread: its import configures plotly, which checks pandas.
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.web import cli

    # The app navigates with st.navigation. Streamlit would otherwise treat it as an old-style
    # multipage app (it has a pages/ folder) until st.navigation first runs, so a deep link as
    # the first request would run the page alone and rerun (dashboard/__init__.py handles that
    # case under plain `streamlit run`). Decided before the first session exists.
    PagesManager.uses_pages_directory = False
    skip_repl_check()

    _started = True
    threading.Thread(target=warm_up, name="warm-imports", daemon=True).start()
    sys.argv = ["streamlit", "run", str(APP), *(sys.argv[1:] if argv is None else argv)]
    cli.main()


if __name__ == "__main__":
    main()
