"""Run the real app (``streamlit run streamlit_app.py``) and drive it in headless Chromium.

The browser tests (``tests/test_browser.py``, their fixtures in
``tests/browser_fixtures.py``), ``scripts/startup_time.py``, ``scripts/load_test.py`` and
``scripts/browser_smoke.py`` share this module: :class:`StreamlitServer` starts the app on
a free port of 127.0.0.1 with ``MOVIE_ARTIFACTS`` set, waits for ``/_stcore/health``
and stops the process it started; :func:`launch_chromium` opens Debian's
``/usr/bin/chromium`` with Playwright (``playwright install`` cannot download a
browser here); the ``wait_*`` helpers wait for content, never for fixed sleeps. It needs no pytest.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
APP_FILE = REPO / "streamlit_app.py"
# How the app is started: `streamlit run streamlit_app.py`, as `make run` and the Docker
# image do (scripts/startup_time.py adds Streamlit's floor, a two-line app).
LAUNCHERS = {
    "streamlit": [sys.executable, "-m", "streamlit", "run", str(APP_FILE)],
}
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # /dev/shm is small in containers; Chromium then writes shared memory to /tmp.
    "--disable-dev-shm-usage",
]
VIEWPORT = {"width": 1400, "height": 900}

# Streamlit marks its root element with the websocket and script-run states.
APP = '[data-testid="stApp"]'
APP_IDLE = f'{APP}[data-test-connection-state="CONNECTED"][data-test-script-state="notRunning"]'
EXCEPTION = '[data-testid="stException"]'
MAIN = '[data-testid="stMain"]'
# Placeholders shown while a widget's or chart's code is still being fetched.
LOADING = '[data-testid="stSkeleton"], [data-testid="stSkeletonElement"], [data-testid="stAppSkeleton"]'
# The "More like this" button of a recommender result card: its element container has
# the widget key ``rec_more_<movie id>`` as a class, one per card.
RESULT_BUTTON = f'{MAIN} [data-testid="stElementContainer"][class*="st-key-rec_more_"]'
ERROR_TEXTS = ("Traceback", "This app has encountered an error")

# Generous: the machine has 2 cores shared with other engineers.
SERVER_START_TIMEOUT_S = 120.0
PAGE_TIMEOUT_S = 180.0


class AppProblem(AssertionError):
    """The app showed an exception, a traceback or lost its server."""


def free_port() -> int:
    """A TCP port of 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class StreamlitServer:
    """``streamlit run streamlit_app.py`` on a free port of 127.0.0.1, as a subprocess.

    Use as a context manager: entering starts the server and waits until
    ``/_stcore/health`` answers (raising ``RuntimeError`` with the server's log if it
    exits or does not answer within ``timeout_s``); leaving stops it. The server's
    output goes to ``log_path`` (a temporary file by default) so a full pipe never
    blocks it.
    """

    def __init__(
        self,
        artifacts: Path | str,
        *,
        port: int | None = None,
        timeout_s: float = SERVER_START_TIMEOUT_S,
        log_path: Path | None = None,
        extra_env: dict[str, str] | None = None,
        options: dict[str, str] | None = None,
        launcher: str = "streamlit",
    ) -> None:
        if launcher not in LAUNCHERS:
            raise ValueError(f"launcher must be one of {', '.join(LAUNCHERS)}, not {launcher!r}")
        self.launcher = launcher
        self.artifacts = Path(artifacts)
        self.port = port or free_port()
        self.timeout_s = timeout_s
        self.log_path = log_path or Path(tempfile.mkstemp(prefix="streamlit-", suffix=".log")[1])
        self.extra_env = extra_env or {}
        self.options = options or {}  # extra Streamlit config options, e.g. {"runner.postScriptGC": "false"}
        self.process: subprocess.Popen | None = None
        self.started_at: float | None = None
        self.healthy_after_s: float | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        assert self.process is not None, "the server is not started"
        return self.process.pid

    def command(self) -> list[str]:
        return [
            *LAUNCHERS[self.launcher],
            "--server.port",
            str(self.port),
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
            "--browser.gatherUsageStats",
            "false",
            *(f"--{name}={value}" for name, value in self.options.items()),
        ]

    def start(self) -> StreamlitServer:
        """Start the process; returns at once (see :meth:`wait_healthy`)."""
        env = {**os.environ, "MOVIE_ARTIFACTS": str(self.artifacts), **self.extra_env}
        env.setdefault("MOVIE_UPLOADS_DIR", str(Path(tempfile.gettempdir()) / f"movie-uploads-{self.port}"))
        self._log = open(self.log_path, "wb")  # noqa: SIM115 - closed in stop()
        self.started_at = time.monotonic()
        self.process = subprocess.Popen(
            self.command(), cwd=REPO, env=env, stdout=self._log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
        )
        return self

    def wait_healthy(self) -> float:
        """Block until the health endpoint answers "ok"; the seconds since :meth:`start`."""
        assert self.process is not None and self.started_at is not None
        deadline = self.started_at + self.timeout_s
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"streamlit exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as response:
                    if response.status == 200 and response.read().strip() == b"ok":
                        self.healthy_after_s = time.monotonic() - self.started_at
                        return self.healthy_after_s
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(
                    f"streamlit did not answer {self.url}/_stcore/health in {self.timeout_s:.0f} s:\n{self.log_tail()}"
                )
            time.sleep(0.05)

    def stop(self) -> None:
        """Terminate the process this object started (kill it after 15 s)."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=15)
        if getattr(self, "_log", None) is not None and not self._log.closed:
            self._log.close()

    def log_tail(self, chars: int = 4000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return "(no log)"

    def rss_kib(self) -> int | None:
        """The server's resident memory (VmRSS, KiB), or None once it has exited."""
        return rss_kib(self.pid)

    def __enter__(self) -> StreamlitServer:
        self.start()
        try:
            self.wait_healthy()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def rss_kib(pid: int) -> int | None:
    """VmRSS of process ``pid`` in KiB from /proc (None if it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return None


def launch_chromium(playwright, **kwargs):
    """A headless Chromium (Debian's build) launched by a sync or async Playwright."""
    return playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS, **kwargs)


def catalog_ids(artifacts: Path | str) -> dict[str, int]:
    """Display title -> movie id of a build (read from its catalog table, as the app does)."""
    from recommender.artifacts import ArtifactReader

    catalog = ArtifactReader(artifacts).columns("catalog")
    return {str(title): int(movie_id) for movie_id, title in zip(catalog["id"], catalog["display_title"], strict=True)}


# --- waiting on a page (sync Playwright) -------------------------------------------


def page_problem(page) -> str | None:
    """An exception box, a traceback or a lost connection shown by the app, else None."""
    if page.locator(EXCEPTION).count():
        return "the app shows an exception: " + page.locator(EXCEPTION).first.inner_text(timeout=5_000)[:3000]
    # textContent, unlike innerText, needs no layout: cheap while the page is busy.
    body = page.evaluate("() => document.body ? document.body.textContent : ''")
    for text in ERROR_TEXTS:
        if text in body:
            at = body.index(text)
            return f"the page shows {text!r}: {body[at : at + 3000]}"
    app = page.locator(APP)
    if app.count() and app.first.get_attribute("data-test-connection-state") == "DISCONNECTED_FOREVER":
        return "the browser lost its connection to the Streamlit server"
    return None


def assert_no_problem(page) -> None:
    problem = page_problem(page)
    if problem:
        raise AppProblem(f"{page.url}: {problem}")


def wait_for(page, what: str, done, timeout_s: float = PAGE_TIMEOUT_S, poll_ms: int = 100) -> float:
    """Poll ``done()`` until true, failing at once when the app shows an error and
    at the deadline; returns the seconds waited. ``done`` may raise Playwright errors
    while the page re-renders; those count as "not yet"."""
    from playwright.sync_api import Error as PlaywrightError

    start = time.monotonic()
    checks = 0
    while True:
        try:
            if done():
                return time.monotonic() - start
        except PlaywrightError:
            pass
        checks += 1
        if checks % 10 == 0:  # reading the whole body every poll would slow the app down
            assert_no_problem(page)
        if time.monotonic() - start > timeout_s:
            assert_no_problem(page)
            raise AssertionError(f"{page.url}: timed out after {timeout_s:.0f} s waiting for {what}")
        page.wait_for_timeout(poll_ms)


def wait_idle(page, timeout_s: float = PAGE_TIMEOUT_S) -> float:
    """Wait until the script run has finished and the page holds content."""
    return wait_for(
        page,
        "the app to finish its script run",
        lambda: (
            page.locator(APP_IDLE).count() > 0
            and page.locator(f"{MAIN} [data-testid='stElementContainer']").count() > 0
        ),
        timeout_s,
    )


def settle(page, timeout_s: float = 20.0) -> None:
    """Before a screenshot: wait for idle and for lazily loaded placeholders to go."""
    wait_idle(page)
    deadline = time.monotonic() + timeout_s
    while page.locator(LOADING).count() and time.monotonic() < deadline:
        page.wait_for_timeout(200)
    # Let fonts, plotly's layout pass and the progress-bar transitions finish painting.
    page.evaluate("document.fonts.ready.then(() => true)")
    page.wait_for_timeout(800)


def open_page(page, url: str, timeout_s: float = PAGE_TIMEOUT_S) -> None:
    """Go to ``url`` and wait until the app has rendered it without error."""
    page.goto(url, wait_until="domcontentloaded", timeout=int(timeout_s * 1000))
    page.wait_for_selector(APP, state="attached", timeout=int(timeout_s * 1000))
    wait_idle(page, timeout_s)
    assert_no_problem(page)


def heading_text(page) -> str:
    """The text of the recommender page's "Recommendations for ..." heading ("" if none)."""
    heading = page.locator(f"{MAIN} h2", has_text="Recommendations for")
    return heading.first.inner_text(timeout=5_000).strip() if heading.count() else ""


def wait_heading(page, title: str, timeout_s: float = PAGE_TIMEOUT_S) -> float:
    """Wait until the recommender heading names ``title`` and the script run is over."""
    wanted = f"Recommendations for {title}"
    return wait_for(
        page,
        f"the heading {wanted!r}",
        lambda: heading_text(page) == wanted and page.locator(APP_IDLE).count() > 0,
        timeout_s,
    )


def card_titles(page) -> list[str]:
    """The titles of the recommender page's result cards, in rank order ("Toy Story 2 (1999)")."""
    titles = []
    for text in page.locator(f"{MAIN} [data-testid='stMarkdownContainer'] p > strong").all_inner_texts():
        match = re.match(r"^\s*\d+\.\s+(.+)$", text)
        if match:
            titles.append(match.group(1).strip())
    return titles


def card_count(page) -> int:
    """How many result cards the recommender page shows."""
    return page.locator(RESULT_BUTTON).count()


def card_button(page, movie_id: int):
    """The "More like this" button of the result card of ``movie_id``."""
    return page.locator(f"{MAIN} .st-key-rec_more_{int(movie_id)} button").first


def choose_in_selectbox(page, label: str, typed: str, option: str, timeout_s: float = PAGE_TIMEOUT_S) -> None:
    """Type ``typed`` into the selectbox labelled ``label`` and click the option ``option``."""
    box = page.locator('[data-testid="stSelectbox"]', has_text=label).first
    box.locator("input").click()
    box.locator("input").fill(typed)
    choice = page.locator('[role="option"]', has_text=option)
    wait_for(page, f"the option {option!r}", lambda: choice.count() > 0, timeout_s)
    exact = page.get_by_role("option", name=option, exact=True)
    (exact if exact.count() else choice).first.click()
