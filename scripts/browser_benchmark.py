#!/usr/bin/env python3
"""How long pages and interactions take in a real browser, next to Streamlit's floor.

    python scripts/browser_benchmark.py --artifacts DIR [--rounds 3] [--out docs/BROWSER_BENCHMARK.md]

Starts the app (``streamlit run streamlit_app.py``, artifacts from ``--artifacts``) and
Streamlit's floor (``streamlit run`` of a two-line app: a title and a button, same
settings) on free ports of 127.0.0.1, and drives both in headless Chromium (Debian's
``/usr/bin/chromium`` through Playwright). Every figure is wall time in the browser,
from the action to the page settled: the server has reported the script run the action
caused finished (the app root's script state went from running to not running), the page
shows no placeholder skeleton and is idle, and the browser has painted two more frames
(charts drawn).

- first page: a fresh browser (nothing cached) opening the recommender of a server
  that is already up; the floor's first page likewise;
- page loads after the first visit (returning browser, frontend cached): each page;
- interactions: on the recommender, another film ("More like this"), the vectorizer,
  a filter (minimum votes) and the rating blend; on the explorer, map type, colour and
  vectorizer; on the overview, a genre of the top chart; on the comparison page, the
  vectorizer; the floor's one interaction is its button.

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
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from scripts.browser_support import APP_IDLE, CHROMIUM, CHROMIUM_ARGS, LOADING, MAIN  # noqa: E402 - needs REPO

VIEWPORT = {"width": 1440, "height": 900}
FLOOR_APP = 'import streamlit as st\nst.title("Floor")\nst.button("Click me")\n'
INTERACTION_TARGET_S = 1.0
FIRST_PAGE_TARGET_S = 2.0
TIMEOUT_S = 60.0

SIDEBAR = '[data-testid="stSidebar"]'
RESULT_BUTTON = f'{MAIN} [data-testid="stElementContainer"][class*="st-key-rec_more_"] button'

# After the server said the script run finished: no placeholder left.
SETTLED = f"() => document.querySelector('{APP_IDLE}') && !document.querySelector('{LOADING}')"
PAGE_SETTLED = f"""() => document.querySelector('{APP_IDLE}') && !document.querySelector('{LOADING}')
  && document.querySelector('{MAIN} [data-testid="stElementContainer"]')"""
TWO_FRAMES = "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(true))))"


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
# painted frames, and it outlives nothing: each document installs its own.
RUN_OBSERVER = """
new MutationObserver(records => {
  for (const record of records) {
    if (record.oldValue === 'running'
        && record.target.getAttribute('data-test-script-state') === 'notRunning') {
      window.movieExplorerRunFinished();
    }
  }
}).observe(document, {subtree: true, attributes: true, attributeOldValue: true,
                      attributeFilter: ['data-test-script-state']});
"""


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


def _settle(page, watcher: RunWatcher, runs_before: int, start: float) -> float:
    while watcher.finished <= runs_before:
        if time.perf_counter() - start > TIMEOUT_S:
            raise TimeoutError(f"no script run finished within {TIMEOUT_S:.0f} s")
        page.wait_for_timeout(5)
    page.wait_for_function(SETTLED, timeout=TIMEOUT_S * 1000, polling="raf")
    page.evaluate(TWO_FRAMES)
    return time.perf_counter() - start


def timed_action(page, watcher: RunWatcher, action: Callable[[], None]) -> float:
    """Seconds from ``action`` to the page settled after the script run it caused."""
    before = watcher.finished
    start = time.perf_counter()
    action()
    return _settle(page, watcher, before, start)


def timed_load(page, watcher: RunWatcher, url: str) -> float:
    """Seconds from navigating to ``url`` to the page settled after its script run."""
    before = watcher.finished
    start = time.perf_counter()
    page.goto(url, wait_until="commit", timeout=TIMEOUT_S * 1000)
    seconds = _settle(page, watcher, before, start)
    page.wait_for_function(PAGE_SETTLED, timeout=TIMEOUT_S * 1000, polling="raf")
    return max(seconds, time.perf_counter() - start)


def radio_option(page, label: str, option: str, scope: str = MAIN):
    group = page.locator(f'{scope} [data-testid="stRadio"]').filter(has_text=label)
    return group.locator("label").filter(has_text=option).first


def other_vectorizer(page):
    """The sidebar's vectorizer option that is not selected now."""
    return page.locator(f'{SIDEBAR} .st-key-vectorizer [role="radiogroup"] label:not(:has(input:checked))').first


def choose_in_selectbox(page, label: str, option: str) -> None:
    box = page.locator(f'{MAIN} [data-testid="stSelectbox"]').filter(has_text=label).first
    box.locator("input").first.click()
    page.locator('[role="option"]').filter(has_text=option).first.click()


def set_number(page, label: str, value: int) -> None:
    field = page.locator(f'{MAIN} [data-testid="stNumberInput"]').filter(has_text=label).locator("input").first
    field.fill(str(value))
    field.press("Enter")


def open_expander(page, label: str) -> None:
    summary = page.locator(f'{MAIN} [data-testid="stExpander"] summary').filter(has_text=label).first
    if summary.get_attribute("aria-expanded") != "true":
        summary.click()


def measure_app(browser, url: str, movie: int | None, rounds: int) -> tuple[dict[str, list[float]], list[str]]:
    """Timings of the app (see the module docstring) and the problems met."""
    results: dict[str, list[float]] = {}
    problems: list[str] = []
    recommender_url = f"{url}/recommender" + (f"?movie={movie}" if movie is not None else "")

    def record(name: str, measure: Callable[[], float]) -> None:
        try:
            seconds = measure()
        except Exception as exc:  # a locator that no longer matches: report it, go on
            problems.append(f"{name}: {type(exc).__name__}: {(str(exc).splitlines() or [''])[0][:160]}")
            return
        results.setdefault(name, []).append(seconds)

    fresh = browser.new_context(viewport=VIEWPORT)
    page = fresh.new_page()
    watcher = RunWatcher(page)
    record("first page (fresh browser): recommender", lambda: timed_load(page, watcher, recommender_url))
    fresh.close()

    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    watcher = RunWatcher(page)
    pages = {
        "recommender": recommender_url, "overview": f"{url}/", "explorer": f"{url}/explorer",
        "compare": f"{url}/compare", "data": f"{url}/data",
    }
    for target in pages.values():  # the first visit: fetch the frontend and each page's code once
        timed_load(page, watcher, target)
    for round_index in range(rounds):
        flip = round_index % 2
        for name, target in pages.items():
            record(f"page load: {name}", lambda target=target: timed_load(page, watcher, target))

        timed_load(page, watcher, recommender_url)
        record("recommender: another film (More like this)",
               lambda: timed_action(page, watcher, lambda: page.locator(RESULT_BUTTON).first.click()))
        record("recommender: vectorizer",
               lambda: timed_action(page, watcher, lambda: other_vectorizer(page).click()))
        record("recommender: filter (minimum votes)",
               lambda: (open_expander(page, "Filters"),
                        timed_action(page, watcher, lambda: set_number(page, "Minimum votes", [500, 100][flip])))[1])
        record("recommender: back to the previous film (browser Back)",
               lambda: timed_action(page, watcher, lambda: page.go_back(wait_until="commit")))

        timed_load(page, watcher, pages["explorer"])
        record("explorer: map type",
               lambda: timed_action(page, watcher, lambda: radio_option(page, "Map type", ["UMAP", "PCA"][flip]).click()))
        record("explorer: colour",
               lambda: timed_action(page, watcher, lambda: choose_in_selectbox(page, "Colour by", ["Decade", "Genre"][flip])))
        record("explorer: vectorizer",
               lambda: timed_action(page, watcher, lambda: other_vectorizer(page).click()))

        timed_load(page, watcher, pages["compare"])
        record("compare: vectorizer",
               lambda: timed_action(page, watcher, lambda: other_vectorizer(page).click()))
    context.close()
    return results, problems


def measure_floor(browser, url: str, rounds: int) -> dict[str, list[float]]:
    results: dict[str, list[float]] = {}
    fresh = browser.new_context(viewport=VIEWPORT)
    page = fresh.new_page()
    watcher = RunWatcher(page)
    results["first page (fresh browser)"] = [timed_load(page, watcher, url)]
    fresh.close()
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    watcher = RunWatcher(page)
    timed_load(page, watcher, url)
    for _ in range(rounds):
        results.setdefault("page load", []).append(timed_load(page, watcher, url))
        button = page.locator(f'{MAIN} [data-testid="stButton"] button').first
        results.setdefault("interaction (button)", []).append(timed_action(page, watcher, button.click))
    context.close()
    return results


def report(app: dict[str, list[float]], floor: dict[str, list[float]], problems: list[str], artifacts: Path,
           n_films: int | None, rounds: int, load_before: tuple[float, ...]) -> tuple[str, bool]:
    """Markdown of the figures and whether every median meets its target."""
    passed = True
    lines = [
        "# Browser benchmark",
        "",
        f"Run {datetime.now(timezone.utc).strftime('%Y-%m-%d %H:%M UTC')} by `scripts/browser_benchmark.py` on "
        f"{platform.machine()} with {os.cpu_count()} cores (load average before the run: "
        f"{', '.join(f'{x:.1f}' for x in load_before)}), headless Chromium, {VIEWPORT['width']}x{VIEWPORT['height']}; "
        f"build `{artifacts.name}`" + (f" ({n_films:,} films)" if n_films else "") + f"; {rounds} rounds.",
        "",
        "Wall time in the browser from the action to the page settled (script run finished, no placeholder, "
        "charts painted). Targets: every page load and interaction within "
        f"{INTERACTION_TARGET_S:.0f} s after the first visit, the first page within {FIRST_PAGE_TARGET_S:.0f} s.",
        "",
        "| | median | worst | target | verdict |",
        "|---|---|---|---|---|",
    ]
    for name, values in app.items():
        target = FIRST_PAGE_TARGET_S if name.startswith("first page") else INTERACTION_TARGET_S
        median = statistics.median(values)
        ok = median <= target
        passed &= ok
        lines.append(f"| {name} | {median:.2f} s | {max(values):.2f} s | {target:.0f} s | {'pass' if ok else 'FAIL'} |")
    lines += ["", "Streamlit's floor in the same run (a two-line app: a title and a button):", "",
              "| | median | worst |", "|---|---|---|"]
    for name, values in floor.items():
        lines.append(f"| {name} | {statistics.median(values):.2f} s | {max(values):.2f} s |")
    if problems:
        passed = False
        lines += ["", "Not measured (the control was not found or did not settle):", ""]
        lines += [f"- {problem}" for problem in problems]
    return "\n".join(lines) + "\n", passed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--artifacts", type=Path, default=Path(os.environ.get("MOVIE_ARTIFACTS", REPO / "artifacts")))
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--movie", type=int, default=None, help="film id of the recommender page (default: the page's)")
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "BROWSER_BENCHMARK.md")
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
            with Server(REPO / "streamlit_app.py", args.artifacts, REPO) as app_server, \
                    Server(floor_script, None, Path(folder)) as floor_server, sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
                try:
                    log(f"app at {app_server.url}, floor at {floor_server.url}")
                    floor = measure_floor(browser, floor_server.url, args.rounds)
                    app, problems = measure_app(browser, app_server.url, args.movie, args.rounds)
                finally:
                    browser.close()
        except RuntimeError as exc:
            log(str(exc))
            return 2
    text, passed = report(app, floor, problems, args.artifacts, n_films, args.rounds, load_before)
    print(text)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    log(f"wrote {args.out}")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
