#!/usr/bin/env python3
"""How long pages and interactions take in a real browser, next to Streamlit's floor.

    python scripts/browser_benchmark.py --artifacts DIR [--rounds 3] [--out docs/BROWSER_BENCHMARK.md]

Starts the app (``streamlit run streamlit_app.py``, artifacts from ``--artifacts``) and
Streamlit's floor (``streamlit run`` of a two-line app: a title and a button, same
settings) on free ports of 127.0.0.1, and drives both in headless Chromium (Debian's
``/usr/bin/chromium`` through Playwright). Every figure is wall time in the browser,
from the action to the page settled: the server has reported the script run the action
caused finished (the app root's script state went from running to not running), the page
shows no placeholder skeleton and is idle, the browser has painted two more frames, and
the page has neither changed nor run a long task (over 50 ms) for :data:`CALM_S` (a large
chart is parsed and drawn after the run's end reaches the page; the figure is the time of
the last change or long task, not of the wait). A run shorter than one React commit never shows "running" in the DOM:
then the page's last content change counts, once the page has been idle and unchanged
for :data:`QUIET_S` (the figure is the time of that last change, not of the wait). The
floor's button shows a run counter (from ``st.session_state``): its change is the settle
signal. An action that does not settle within :data:`TIMEOUT_S` is reported as not
measured; the run goes on.

- first page: a fresh browser (a new context, nothing cached) opening the recommender of a
  server that is already up, once per round; the floor's first page likewise;
- page loads after the first visit (returning browser, frontend cached): each page,
  opened by its address (a new session, as a bookmark or a shared link opens it), then
  each page reached from the previous one by its sidebar menu entry (a rerun in the open
  session, as an analyst moves between pages);
- interactions: on the recommender, another film ("More like this"), the vectorizer,
  a filter (minimum votes), browser Back and the search box; on the overview, opening
  the tab of the catalog's charts; on the explorer, map type, colour and vectorizer; on
  the comparison page, another film (typed into its film box: "Avatar", "Inception");
- the floor: its first page, its page load alone, with a 3-row table (``st.dataframe``)
  and with a 10-point WebGL chart (what one such element adds), the same page at its own
  path (as every page of the app but the overview) alone and with the chart, and its button.

Each is measured ``--rounds`` times (the app's actions alternate between two values so
each round changes something); the report gives median and worst per action, the
floor's figures from the same run, and the verdict against the targets (interactions
and page loads within 1 s, first page within 2 s). Results go to ``--out`` (Markdown)
and to stdout. Exit status 0 when every median meets its target, 1 otherwise, 2 on
bad usage or when a server does not start.
"""

from __future__ import annotations

import argparse
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Sequence
from datetime import datetime, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

# choose_in_selectbox types, then picks (a long list, such as the films); pick_in_selectbox below only clicks.
from scripts.browser_support import (  # noqa: E402 - needs REPO
    APP_IDLE,
    CHROMIUM,
    CHROMIUM_ARGS,
    LOADING,
    MAIN,
    choose_in_selectbox,
)

VIEWPORT = {"width": 1440, "height": 900}
# A title and a button; the counter of script runs (one caption) tells the benchmark that
# the run a click caused is over, even when it is shorter than one React commit.
# With ``?table`` it also shows a 3-row table (``st.dataframe``), with ``?chart`` a plotly
# WebGL chart of 10 points: what one such element alone adds to a page load. The same page
# is also at its own path (``/at-path``, navigation hidden), as the app's pages other than
# the overview are: Streamlit's frontend first looks for the server at the page's path and
# waits 0.1 s before it tries the root, so such a page loads about 0.1 s later.
FLOOR_APP = (
    "import streamlit as st\n"
    "def floor():\n"
    '    st.title("Floor")\n    st.button("Click me")\n'
    '    st.session_state["runs"] = st.session_state.get("runs", 0) + 1\n    st.caption(f"Runs: {st.session_state.runs}")\n'
    '    if "table" in st.query_params:\n        st.dataframe({"a": [1, 2, 3], "b": ["x", "y", "z"]})\n'
    '    if "chart" in st.query_params:\n        import plotly.graph_objects as go\n'
    '        st.plotly_chart(go.Figure(go.Scattergl(x=list(range(10)), y=list(range(10)), mode="markers")))\n'
    "def at_path():\n    floor()\n"
    'st.navigation([st.Page(floor, title="Floor", default=True), st.Page(at_path, title="Floor", url_path="at-path")],'
    ' position="hidden").run()\n'
)
INTERACTION_TARGET_S = 1.0
FIRST_PAGE_TARGET_S = 2.0
TIMEOUT_S = 60.0
# Idle and unchanged this long after a content change: a run too short to show "running" is over.
QUIET_S = 1.0
# A page is settled once it has neither changed nor run a long task for this long (the figure
# is the time of the last of them, so the window costs the benchmark time, not the page), and
# before an action it must have been so (untimed), so that the end of the previous action's
# drawing is not taken for the new action's. 0.3 s was too short: a data grid's last DOM update
# and a page switch's last blocks came 0.3 s after a lull (checked with the page's own clock).
CALM_S = 1.0

SIDEBAR = '[data-testid="stSidebar"]'
RESULT_BUTTON = f'{MAIN} [data-testid="stElementContainer"][class*="st-key-rec_more_"] button'

# After the server said the script run finished: no placeholder left.
SETTLED = f"() => document.querySelector('{APP_IDLE}') && !document.querySelector('{LOADING}')"
PAGE_SETTLED = f"""() => document.querySelector('{APP_IDLE}') && !document.querySelector('{LOADING}')
  && document.querySelector('{MAIN} [data-testid="stElementContainer"]')"""
TWO_FRAMES = "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(true))))"
# JavaScript conditions (with their argument) that hold once an action's or a page's charts are drawn.
Drawn = Sequence[tuple[str, object]]


def log(message: str) -> None:
    print(f"[browser_benchmark] {message}", flush=True)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """``streamlit run SCRIPT`` on a free port; stopped (by its pid) on exit."""

    def __init__(self, script: Path, artifacts: Path | None, cwd: Path) -> None:
        self.script, self.artifacts, self.cwd = script, artifacts, cwd
        self.port = free_port()
        self.log = tempfile.NamedTemporaryFile(prefix="bench-streamlit-", suffix=".log", delete=False)
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Server:
        env = dict(os.environ)
        if self.artifacts is not None:
            env["MOVIE_ARTIFACTS"] = str(self.artifacts)
        command = [
            sys.executable, "-m", "streamlit", "run", str(self.script), "--server.port", str(self.port),
            "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false",
        ]
        self.process = subprocess.Popen(command, cwd=self.cwd, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.script} exited; see {self.log.name}")
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as reply:
                    if reply.status == 200:
                        return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"{self.script} did not answer in 120 s; see {self.log.name}")

    def __exit__(self, *exc: object) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()


# Counts, in the page, the app's script runs that end: the app root's
# ``data-test-script-state`` attribute going from "running" to "notRunning". A mutation
# observer sees every committed change, even a run that starts and ends between two
# painted frames, and it outlives nothing: each document installs its own. It also keeps
# the time (performance.now()) and count of the main area's last content change: a run
# that starts and ends within one React commit never shows "running", but what it drew
# changes the page.
RUN_OBSERVER = """
window.movieExplorerChanges = 0;
window.movieExplorerLastChange = performance.now();
window.movieExplorerLastBusy = 0;
try {
  new PerformanceObserver(list => {
    for (const entry of list.getEntries()) {
      window.movieExplorerLastBusy = Math.max(window.movieExplorerLastBusy, entry.startTime + entry.duration);
    }
  }).observe({type: 'longtask', buffered: true});
} catch (error) {}
new MutationObserver(records => {
  for (const record of records) {
    if (record.oldValue === 'running'
        && record.target.getAttribute('data-test-script-state') === 'notRunning') {
      window.movieExplorerRunFinished();
    }
  }
}).observe(document, {subtree: true, attributes: true, attributeOldValue: true,
                      attributeFilter: ['data-test-script-state']});
const movieExplorerChanged = () => {
  window.movieExplorerChanges += 1;
  window.movieExplorerLastChange = performance.now();
};
new MutationObserver(records => {
  for (const record of records) {
    const node = record.target.nodeType === 1 ? record.target : record.target.parentElement;
    // A canvas's children are its fallback content, never drawn (a data grid updates its
    // accessibility table there about 0.3 s after it painted the grid).
    if (node && node.closest('[data-testid="stMain"]') && !node.closest('canvas')) {
      movieExplorerChanged();
      return;
    }
  }
}).observe(document, {subtree: true, childList: true, characterData: true});
// A canvas is drawn in the frame that sizes it: its size attributes changing count as a change
// (a data grid's last paint came 3-10 ms after them).
new MutationObserver(records => {
  for (const record of records) {
    if (record.target.tagName === 'CANVAS' && record.target.closest('[data-testid="stMain"]')) {
      movieExplorerChanged();
      return;
    }
  }
}).observe(document, {subtree: true, attributes: true, attributeFilter: ['width', 'height', 'style']});
"""
# [changes so far, ms since the last change or long task (>50 ms of the main thread), the page's clock now]
PAGE_CHANGES = """() => [window.movieExplorerChanges || 0,
  performance.now() - Math.max(window.movieExplorerLastChange || 0, window.movieExplorerLastBusy || 0),
  performance.now()]"""


class RunWatcher:
    """Counts the script runs one page saw finish (the app root's script state going
    from running to not running, read in the page's DOM by :data:`RUN_OBSERVER`). The
    count lives here, so it keeps counting across navigations."""

    def __init__(self, page) -> None:
        self.finished = 0
        page.expose_function("movieExplorerRunFinished", self._finished)
        page.add_init_script(RUN_OBSERVER)

    def _finished(self) -> None:
        self.finished += 1


class NotSettled(TimeoutError):
    """The action's script run did not finish, nor the page change, within TIMEOUT_S."""


def _page_changes(page) -> tuple[int, float, float]:
    try:
        changes, quiet_ms, now_ms = page.evaluate(PAGE_CHANGES)
        return int(changes), float(quiet_ms), float(now_ms)
    except Exception:  # navigating: the old document is gone, the new one not ready
        return 0, 0.0, 0.0


def _settle(
    page, watcher: RunWatcher, runs_before: int, start: float, changes_before: int | None = None, *,
    settled: str = SETTLED, drawn: Drawn = (),
) -> float:
    """Seconds from ``start`` to the page settled after the script run an action caused.

    The run's end as the DOM shows it (:data:`RUN_OBSERVER`); failing that (a run shorter
    than one React commit shows no "running"), the main area's last content change once
    the app is idle and the page unchanged (no DOM change, no long task) for :data:`QUIET_S`;
    then the page's drawing: no change and no long task for :data:`CALM_S`. ``changes_before``: the
    page's change count before the action (None after a navigation: any change counts);
    ``settled``: what the page shows once the run is over; ``drawn``: conditions met once its
    charts are drawn (waited for as soon as the run is over, so that the time they are seen
    drawn is theirs, not that of the calm window after them).
    """
    url_before, url_changed_at = page.url, None
    while watcher.finished <= runs_before:
        elapsed = time.perf_counter() - start
        changes, quiet_ms, now_ms = _page_changes(page)
        if url_changed_at is None and page.url != url_before:
            url_changed_at = elapsed  # a run that changed the URL only (e.g. a setting the page does not show)
        if elapsed > TIMEOUT_S:
            raise NotSettled(
                f"no script run finished and the page did not settle within {TIMEOUT_S:.0f} s (content changes "
                f"{changes - (changes_before or 0)}, last {quiet_ms / 1000:.1f} s ago, app idle "
                f"{bool(page.locator(APP_IDLE).count())}, placeholders {page.locator(LOADING).count()})"
            )
        moved = changes > (changes_before or 0) if changes_before is not None else changes > 0
        idle = lambda: page.locator(APP_IDLE).count() and not page.locator(LOADING).count() \
            and page.locator(f"{MAIN} [data-testid='stElementContainer']").count()  # noqa: E731
        if moved and quiet_ms >= QUIET_S * 1000 and idle():
            # The run was over before "running" was ever drawn: its time is the last change's
            # (charts already drawn were drawn by then: drawing changes the page).
            seconds = max(elapsed - quiet_ms / 1000, url_changed_at or 0.0, 0.0)
            if not _wait_drawn(page, drawn, start):
                return seconds
            return _until_calm(page, start, time.perf_counter() - start, "its charts were drawn")
        if not moved and url_changed_at is not None and elapsed - url_changed_at >= QUIET_S and idle():
            return url_changed_at
        page.wait_for_timeout(5)
    page.wait_for_function(settled, timeout=TIMEOUT_S * 1000, polling="raf")
    page.evaluate(TWO_FRAMES)
    reached, what = time.perf_counter() - start, "the run finished"
    if _wait_drawn(page, drawn, start):
        page.evaluate(TWO_FRAMES)
        reached, what = time.perf_counter() - start, "its charts were drawn"
    # The run is over, but the browser may still be drawing what it sent (a large figure is
    # parsed and drawn after the run's end reaches the DOM).
    return _until_calm(page, start, reached, what)


def _wait_drawn(page, drawn: Drawn, start: float) -> bool:
    """Wait until every condition of ``drawn`` holds; True when one of them was not met yet."""
    waited = False
    for condition, arg in drawn:
        if not page.evaluate(condition, arg):
            waited = True
            page.wait_for_function(condition, arg=arg, polling=20,
                                   timeout=max(TIMEOUT_S - (time.perf_counter() - start), 1) * 1000)
    return waited


def _calm(page, bound_s: float = 5.0) -> None:
    """Untimed: wait (at most ``bound_s``) until the main area has not changed for :data:`CALM_S`."""
    deadline = time.perf_counter() + bound_s
    while _page_changes(page)[1] < CALM_S * 1000 and time.perf_counter() < deadline:
        page.wait_for_timeout(20)


# An action that changes a chart marks the plots drawn before it with what they showed, and
# is settled only when as many plots show something else. Streamlit draws a changed figure
# as a new chart (a new element: nothing marked); the explorer's map (dashboard/map_chart.py)
# draws it into the same plot (Plotly.react: plotly replaces the plot's _fullData). A large
# figure can reach the page seconds after the run's end does.
MARK_CHARTS = f"() => document.querySelectorAll('{MAIN} .js-plotly-plot').forEach(el => el.movieExplorerOld = el._fullData)"
NEW_CHARTS_DRAWN = f"""(wanted) => [...document.querySelectorAll('{MAIN} .js-plotly-plot')]
  .filter(el => el._fullLayout && el._fullData && el._fullData !== el.movieExplorerOld).length >= wanted"""


# Every chart element of the main area holds a drawn plotly plot (a page load: the charts it
# draws, however many the page version being measured has).
ALL_CHARTS_DRAWN = f"""() => [...document.querySelectorAll('{MAIN} [data-testid="stPlotlyChart"], {MAIN} .movie-map')]
  .every(el => {{ const plot = el.querySelector('.js-plotly-plot'); return plot && plot._fullLayout && plot._fullData; }})"""


# Each figure against the page's own clock: seconds from the same start to the page's last
# change or long task as the page itself timed them (performance.now(); a page load counts
# from the navigation's start). The report gives the largest difference.
CLOCK_DIFFERENCES: list[float | None] = []  # every timed load and action, in order
CLOCK_BY_NAME: dict[str, list[float | None]] = {}  # the reported ones, by the figure's name
PAGE_CLOCK = """() => [performance.timeOrigin, performance.now(),
  Math.max(window.movieExplorerLastChange || 0, window.movieExplorerLastBusy || 0)]"""


def _keep_clock(name: str, before: int) -> None:
    """File the clock difference of measurement ``name`` (the last load or action it timed:
    those before were untimed steps, such as leaving the page a sidebar switch returns to)."""
    if len(CLOCK_DIFFERENCES) > before:
        CLOCK_BY_NAME.setdefault(name, []).append(CLOCK_DIFFERENCES[-1])


def _check_clock(page, seconds: float, started_ms: float, *, since_origin: bool) -> float:
    """Record ``seconds`` minus the page's own figure; ``started_ms``: the start as an epoch
    time (``since_origin``, a navigation: the new document's clock starts at it) or as the
    page's performance.now() (an action in the open document)."""
    origin, _, last = page.evaluate(PAGE_CLOCK)
    own_ms = origin + last - started_ms if since_origin else last - started_ms
    # None: nothing in the main area changed after the start (a setting the page does not
    # show, such as the old comparison page's vectorizer), timed by the script run's end.
    CLOCK_DIFFERENCES.append(seconds - own_ms / 1000 if own_ms > 0 else None)
    return seconds


def timed_action(page, watcher: RunWatcher, action: Callable[[], None], charts: int = 0) -> float:
    """Seconds from ``action`` to the page settled after the script run it caused; ``charts``:
    how many charts the action redraws (the page is settled once they are drawn)."""
    _calm(page)
    page.evaluate(MARK_CHARTS)
    before = watcher.finished
    changes_before = _page_changes(page)[0]
    started_ms = page.evaluate(PAGE_CLOCK)[1]
    start = time.perf_counter()
    action()
    seconds = _settle(page, watcher, before, start, changes_before, drawn=[(NEW_CHARTS_DRAWN, charts)] if charts else [])
    return _check_clock(page, seconds, started_ms, since_origin=False)


def timed_load(page, watcher: RunWatcher, url: str, charts: int = 0) -> float:
    """Seconds from navigating to ``url`` to the page settled after its script run, with
    at least ``charts`` charts drawn (a large figure can reach the page after the run's end)
    and every chart element the page holds then drawn."""
    before = watcher.finished
    started_ms = time.time() * 1000
    start = time.perf_counter()
    page.goto(url, wait_until="commit", timeout=TIMEOUT_S * 1000)
    drawn = ([(NEW_CHARTS_DRAWN, charts)] if charts else []) + [(ALL_CHARTS_DRAWN, None)]
    seconds = _settle(page, watcher, before, start, settled=PAGE_SETTLED, drawn=drawn)
    return _check_clock(page, seconds, started_ms, since_origin=True)


def _until_calm(page, start: float, reached: float, what: str) -> float:
    """Seconds from ``start`` until the page neither changed nor ran a long task for
    CALM_S: the time of the last of them, at least ``reached`` (when ``what`` happened)."""
    while True:
        _, quiet_ms, _ = _page_changes(page)
        elapsed = time.perf_counter() - start
        if quiet_ms >= CALM_S * 1000:
            return max(reached, elapsed - quiet_ms / 1000)
        if elapsed > TIMEOUT_S:
            raise NotSettled(f"the page kept changing for {TIMEOUT_S:.0f} s after {what}")
        page.wait_for_timeout(20)


def timed_counter(page, action: Callable[[], None], counter_text: str) -> float:
    """Seconds from ``action`` until the floor's run counter shows ``counter_text``."""
    start = time.perf_counter()
    action()
    page.wait_for_function(
        f"() => document.querySelector('{MAIN}') && document.querySelector('{MAIN}').textContent.includes({counter_text!r})",
        timeout=TIMEOUT_S * 1000, polling="raf",
    )
    page.wait_for_function(SETTLED, timeout=TIMEOUT_S * 1000, polling="raf")
    page.evaluate(TWO_FRAMES)
    return time.perf_counter() - start


def radio_option(page, label: str, option: str, scope: str = MAIN):
    group = page.locator(f'{scope} [data-testid="stRadio"]').filter(has_text=label)
    return group.locator("label").filter(has_text=option).first


def other_vectorizer(page):
    """The sidebar's vectorizer option that is not selected now."""
    return page.locator(f'{SIDEBAR} .st-key-vectorizer [role="radiogroup"] label:not(:has(input:checked))').first


def pick_in_selectbox(page, label: str, option: str) -> None:
    """Open the select box labelled ``label`` and click ``option`` (a short list: no typing)."""
    box = page.locator(f'{MAIN} [data-testid="stSelectbox"]').filter(has_text=label).first
    box.locator("input").first.click()
    page.locator('[role="option"]').filter(has_text=option).first.click()


def set_number(page, label: str, value: int) -> None:
    field = page.locator(f'{MAIN} [data-testid="stNumberInput"]').filter(has_text=label).locator("input").first
    field.fill(str(value))
    field.press("Enter")


def search(page, text: str) -> None:
    """Type ``text`` into the recommender's search box and press Enter."""
    field = page.locator(f'{MAIN} [data-testid="stTextInput"]').filter(has_text="Search films").locator("input").first
    field.fill(text)
    field.press("Enter")


# The sidebar menu's entry of each page measured (streamlit_app.py's st.navigation titles).
MENU_ENTRIES = {
    "recommender": "Recommender", "overview": "Overview", "explorer": "Embedding explorer",
    "compare": "TF-IDF vs Count", "data": "Data",
}


def sidebar_link(page, name: str):
    return page.locator('[data-testid="stSidebarNav"] a').filter(has_text=MENU_ENTRIES[name]).first


def switch_page(page, watcher: RunWatcher, name: str, charts: int) -> float:
    """Seconds to reach page ``name`` by its sidebar menu entry from another page (first
    left, untimed, when it is the open one: ``--only`` may skip the previous switch)."""
    if sidebar_link(page, name).get_attribute("aria-current") == "page":
        other = next(n for n in MENU_ENTRIES if n != name)
        timed_action(page, watcher, lambda: sidebar_link(page, other).click())
    return timed_action(page, watcher, lambda: sidebar_link(page, name).click(), charts)


def open_tab(page, label: str) -> None:
    page.locator(f'{MAIN} [role="tab"]').filter(has_text=label).first.click()


def open_expander(page, label: str) -> None:
    summary = page.locator(f'{MAIN} [data-testid="stExpander"] summary').filter(has_text=label).first
    if summary.get_attribute("aria-expanded") != "true":
        summary.click()


def first_page(browser, url: str) -> float:
    """A page load in a new browser context: nothing cached (the frontend's code is fetched)."""
    fresh = browser.new_context(viewport=VIEWPORT)
    try:
        page = fresh.new_page()
        return timed_load(page, RunWatcher(page), url)
    finally:
        fresh.close()


def measure_app(
    browser, url: str, movie: int | None, rounds: int, only: tuple[str, ...] = ()
) -> tuple[dict[str, list[float]], list[str]]:
    """Timings of the app (see the module docstring) and the problems met; ``only``: measure
    just the figures whose name contains one of these strings (all when empty)."""
    results: dict[str, list[float]] = {}
    problems: list[str] = []
    recommender_url = f"{url}/recommender" + (f"?movie={movie}" if movie is not None else "")

    def record(name: str, measure: Callable[[], float]) -> None:
        untimed = "(untimed)" in name or "not reported" in name
        if only and not untimed and not any(part in name for part in only):
            return
        before = len(CLOCK_DIFFERENCES)
        try:
            seconds = measure()
        except Exception as exc:  # a locator that no longer matches: report it, go on
            problems.append(f"{name}: {type(exc).__name__}: {(str(exc).splitlines() or [''])[0][:160]}")
            return
        results.setdefault(name, []).append(seconds)
        if not untimed:
            _keep_clock(name, before)

    for _ in range(rounds):  # a new context each time: nothing cached
        record("first page (fresh browser): recommender", lambda: first_page(browser, recommender_url))

    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    watcher = RunWatcher(page)
    pages = {
        "recommender": recommender_url, "overview": f"{url}/", "explorer": f"{url}/explorer",
        "compare": f"{url}/compare", "data": f"{url}/data",
    }
    # Charts a page load waits for at least (the explorer's map: a large figure reaches the
    # page after the run's end); any other chart element a page holds is waited for too.
    charts = {"explorer": 1}
    for name, target in pages.items():  # the first visit: fetch the frontend and each page's code once
        record(f"first visit (not reported): {name}", lambda target=target: timed_load(page, watcher, target))
    for round_index in range(rounds):
        flip = round_index % 2
        for name, target in pages.items():
            record(f"page load: {name}", lambda name=name, target=target: timed_load(
                page, watcher, target, charts.get(name, 0)))

        # The same pages reached as an analyst moves between them: a click in the sidebar's
        # menu reruns the script in the open session (no new page, session or frontend).
        for name in pages:
            record(f"page switch (sidebar menu): {name}", lambda name=name: switch_page(page, watcher, name, charts.get(name, 0)))

        record("(untimed) open the recommender", lambda: timed_load(page, watcher, recommender_url))
        record("recommender: another film (More like this)",
               lambda: timed_action(page, watcher, lambda: page.locator(RESULT_BUTTON).first.click()))
        record("recommender: vectorizer",
               lambda: timed_action(page, watcher, lambda: other_vectorizer(page).click()))
        record("recommender: filter (minimum votes)",
               lambda: (open_expander(page, "Filters"),
                        timed_action(page, watcher, lambda: set_number(page, "Minimum votes", [500, 100][flip])))[1])
        record("recommender: back to the previous film (browser Back)",
               lambda: timed_action(page, watcher, lambda: page.go_back(wait_until="commit")))
        record("recommender: search box (a person, a keyword)",
               lambda: timed_action(page, watcher, lambda: search(page, ["Tom Hanks", "heist"][flip])))

        record("(untimed) open the overview", lambda: timed_load(page, watcher, pages["overview"]))
        record("overview: the catalog's charts (their tab)",
               lambda: timed_action(page, watcher, lambda: open_tab(page, "The catalog in charts"), 3))

        record("(untimed) open the explorer", lambda: timed_load(page, watcher, pages["explorer"]))
        record("explorer: map type",
               lambda: timed_action(page, watcher, lambda: radio_option(page, "Map type", ["UMAP", "PCA"][flip]).click(), 1))
        record("explorer: colour",
               lambda: timed_action(page, watcher, lambda: pick_in_selectbox(page, "Colour by", ["Decade", "Cluster (broad)"][flip]), 1))
        record("explorer: vectorizer",
               lambda: timed_action(page, watcher, lambda: other_vectorizer(page).click(), 1))

        record("(untimed) open the comparison", lambda: timed_load(page, watcher, pages["compare"]))
        # Another film (full TMDB titles; the sidebar has no vectorizer here: both are shown).
        record("compare: another film",
               lambda: timed_action(page, watcher, lambda: choose_in_selectbox(
                   page, "Film", *[("Avatar", "Avatar"), ("Inception", "Inception")][flip])))
    context.close()
    return {name: values for name, values in results.items() if "not reported" not in name and "(untimed)" not in name}, problems


def measure_floor(browser, url: str, rounds: int) -> tuple[dict[str, list[float]], list[str]]:
    """The floor's first page, page loads and button clicks, and the problems met."""
    results: dict[str, list[float]] = {}
    problems: list[str] = []

    def record(name: str, measure: Callable[[], float]) -> None:
        before = len(CLOCK_DIFFERENCES)
        try:
            results.setdefault(name, []).append(measure())
            if "not reported" not in name:
                _keep_clock(f"floor, {name}", before)
        except Exception as exc:  # one lost measurement is reported, never the end of the run
            problems.append(f"floor, {name}: {type(exc).__name__}: {(str(exc).splitlines() or [''])[0][:160]}")

    for _ in range(rounds):
        record("first page (fresh browser)", lambda: first_page(browser, url))
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    watcher = RunWatcher(page)
    for query in ("?table", "?chart", "", "at-path"):  # the first visit fetches the table's and the chart's code too
        record("first visit (not reported)", lambda query=query: timed_load(page, watcher, f"{url}/{query}"))
    results.pop("first visit (not reported)", None)
    button = page.locator(f'{MAIN} [data-testid="stButton"] button').first
    runs = 1  # the counter of this document's session
    for _ in range(rounds):
        record("page load with a table (3 rows)", lambda: timed_load(page, watcher, f"{url}/?table"))
        record("page load with a WebGL chart (10 points)", lambda: timed_load(page, watcher, f"{url}/?chart", 1))
        record("page load at its own path (/at-path)", lambda: timed_load(page, watcher, f"{url}/at-path"))
        record("page load at its own path with the WebGL chart",
               lambda: timed_load(page, watcher, f"{url}/at-path?chart", 1))
        record("page load", lambda: timed_load(page, watcher, url))  # last: the button is clicked on it
        runs = 1  # a page load is a new session: its counter starts again
        counter = f"Runs: {runs + 1}"
        record("interaction (button)", lambda counter=counter: timed_counter(page, button.click, counter))
        runs += 1
    context.close()
    return {name: values for name, values in results.items() if values}, problems


def floor_of(name: str) -> str:
    """The floor's figure that an app figure is set against (the same kind of wait in the same
    run): a first page against its first page, a page load by address against its page load at
    the same kind of address (the explorer's with its WebGL chart), anything that reruns the
    open page's script against its button."""
    if name.startswith("first page"):
        return "first page (fresh browser)"
    if name == "page load: overview":  # the app's first page, at its root address
        return "page load"
    if name == "page load: explorer":
        return "page load at its own path with the WebGL chart"
    if name.startswith("page load: "):
        return "page load at its own path (/at-path)"
    return "interaction (button)"


def report(app: dict[str, list[float]], floor: dict[str, list[float]], problems: list[str], artifacts: Path,
           n_films: int | None, rounds: int, load_before: tuple[float, ...], code: str = "",
           load_after: tuple[float, ...] | None = None) -> tuple[str, bool]:
    """Markdown of the figures and whether every median meets its target."""
    passed = True
    lines = [
        "# Browser benchmark",
        "",
        f"Run {datetime.now(timezone.utc).strftime('%Y-%m-%d %H:%M UTC')} by `scripts/browser_benchmark.py` on "
        f"{platform.machine()} with {os.cpu_count()} cores (load average before the run: "
        f"{', '.join(f'{x:.1f}' for x in load_before)}), headless Chromium, {VIEWPORT['width']}x{VIEWPORT['height']}; "
        f"build `{artifacts.name}`" + (f" ({n_films:,} films)" if n_films else "") + f"; {rounds} rounds"
        + (f"; app code {code}" if code else "")
        + (f"; load average after the run: {', '.join(f'{x:.1f}' for x in load_after)}" if load_after else "") + ".",
        "",
        "Wall time in the browser from the action to the page settled (script run finished, no placeholder, "
        "charts painted). Targets: every page load and interaction within "
        f"{INTERACTION_TARGET_S:.0f} s after the first visit, the first page within {FIRST_PAGE_TARGET_S:.0f} s.",
        "",
        "The last column is the median over the floor's median for the same kind of wait (below), a "
        "figure that the machine's speed and load move less than the seconds.",
        "",
        "| | median | worst | target | verdict | against the floor |",
        "|---|---|---|---|---|---|",
    ]
    for name, values in app.items():
        target = FIRST_PAGE_TARGET_S if name.startswith("first page") else INTERACTION_TARGET_S
        median = statistics.median(values)
        ok = median <= target
        passed &= ok
        base_name = floor_of(name)
        base = floor.get(base_name)
        ratio = f"×{median / statistics.median(base):.1f} ({base_name})" if base else ""
        lines.append(f"| {name} | {median:.2f} s | {max(values):.2f} s | {target:.0f} s | {'pass' if ok else 'FAIL'} | {ratio} |")
    lines += ["", "Streamlit's floor in the same run (a two-line app: a title and a button):", "",
              "| | median | worst |", "|---|---|---|"]
    for name, values in floor.items():
        lines.append(f"| {name} | {statistics.median(values):.2f} s | {max(values):.2f} s |")
    differences = [(name, value) for name, values in CLOCK_BY_NAME.items() for value in values if value is not None]
    unchanged = sorted({name for name, values in CLOCK_BY_NAME.items() if None in values})
    if differences:
        worst_name, worst = max(differences, key=lambda pair: abs(pair[1]))
        lines += ["", f"Checked against the page's own clock (its last change or long task, timed by the page): "
                  f"the {len(differences)} timed page loads and actions that changed the main area differ from it "
                  f"by {statistics.median(value for _, value in differences):+.2f} s (median), by {worst:+.2f} s at "
                  f"most ({worst_name})."
                  + (f" Changing nothing in the main area, timed by their script run's end: {', '.join(unchanged)}."
                     if unchanged else "")]
    if problems:
        passed = False
        lines += ["", "Not measured (the control was not found or did not settle):", ""]
        lines += [f"- {problem}" for problem in problems]
    return "\n".join(lines) + "\n", passed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--artifacts", type=Path, default=Path(os.environ.get("MOVIE_ARTIFACTS", REPO / "artifacts")))
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--app", type=Path, default=REPO,
        help="the checkout whose streamlit_app.py is served (default: this one), e.g. another worktree for a before/after",
    )
    parser.add_argument("--movie", type=int, default=None, help="film id of the recommender page (default: the page's)")
    parser.add_argument(
        "--only", default="", help="comma-separated parts of the names to measure, e.g. 'explorer,recommender' "
        "(default: everything; the untimed first visits always run)",
    )
    # Not docs/BROWSER_BENCHMARK.md: that report keeps every run, with what changed between them.
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "browser_benchmark_last_run.md")
    args = parser.parse_args(argv)
    if args.rounds < 1 or not (args.artifacts / "manifest.json").exists() or not CHROMIUM.exists():
        log(f"need --rounds >= 1, a build in {args.artifacts} and a browser at {CHROMIUM}")
        return 2
    from playwright.sync_api import sync_playwright

    n_films = None
    try:
        import json

        n_films = json.loads((args.artifacts / "manifest.json").read_text()).get("catalog", {}).get("movies")
    except (OSError, ValueError, AttributeError):
        pass
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="bench-floor-") as folder:
        floor_script = Path(folder) / "floor_app.py"
        floor_script.write_text(FLOOR_APP, encoding="utf-8")
        (Path(folder) / ".streamlit").mkdir()
        config = REPO / ".streamlit" / "config.toml"
        if config.exists():  # same settings as the app
            (Path(folder) / ".streamlit" / "config.toml").write_text(config.read_text(encoding="utf-8"), encoding="utf-8")
        try:
            with Server(args.app / "streamlit_app.py", args.artifacts, args.app) as app_server, \
                    Server(floor_script, None, Path(folder)) as floor_server, sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
                try:
                    log(f"app at {app_server.url}, floor at {floor_server.url}")
                    floor, floor_problems = measure_floor(browser, floor_server.url, args.rounds)
                    app, problems = measure_app(
                        browser, app_server.url, args.movie, args.rounds,
                        tuple(part.strip() for part in args.only.split(",") if part.strip()),
                    )
                finally:
                    browser.close()
        except RuntimeError as exc:
            log(str(exc))
            return 2
    code = ""
    try:
        code = subprocess.run(
            ["git", "-C", str(args.app), "describe", "--always", "--dirty"], capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        pass
    text, passed = report(
        app, floor, floor_problems + problems, args.artifacts, n_films, args.rounds, load_before, code, os.getloadavg()
    )
    print(text)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    log(f"wrote {args.out}")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
