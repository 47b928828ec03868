"""Start the app: ``streamlit run streamlit_app.py``, with the app's libraries imported
while the first browser is still loading the page.

    python serve.py [streamlit options, e.g. --server.port 8501]

Streamlit runs the app's script only when a browser's websocket opens, about a second
after the server is up; the script then spends most of its first run importing
pandas, pyarrow, scipy and the recommender core. This launcher runs those imports, and
loads the default build, in a background thread once the server is up, while the
browser loads the page, so the first visitor waits for what is left of that work, not
for all of it. The script waits for the thread before its own imports
(``wait_for_warm_imports``), and the app's cache takes the preloaded model over if it
is still the current build. Until then the garbage collector is paused, and what was
loaded is then frozen out of later collections (``pause_gc``/``resume_gc``); Streamlit's
once-per-process REPL check is skipped (``skip_repl_check``). Nothing else changes: the
options are Streamlit's own, and ``streamlit run streamlit_app.py`` still works.

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
    "pandas",
    "pyarrow.parquet",
    "scipy.sparse",
    "recommender.loading",
    "recommender.ranking",
    "recommender.results",
    "recommender.summary",
)


_warmed = threading.Event()
_started = False
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


def warm_up(modules: tuple[str, ...] = WARM_MODULES, server_timeout_s: float = 20.0) -> None:
    """Import ``modules``, then load the default build (``$MOVIE_ARTIFACTS``) for the
    app's cache to take over; a failure is left for the app to report in its own words."""
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
