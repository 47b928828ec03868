#!/usr/bin/env python3
"""Load test of the recommender page: N concurrent browser sessions against ONE server.

    python scripts/load_test.py                      # phases of 1, 10 and 20 sessions
    python scripts/load_test.py --phases 1,10,20 --interactions 5 --markdown docs/LOAD_TEST.md
    python scripts/load_test.py --url http://127.0.0.1:8501 --pid 1234 --sessions 3 --interactions 2

Each session is a context of one headless Chromium (Playwright async API, Debian's
/usr/bin/chromium) that opens /recommender, waits for the result cards, then makes a
fixed number of interactions, cycling through: pick a film in the searchable selectbox
by typing its title, raise k by one (slider, arrow key), switch the sidebar's
vectorizer, click a result's "More like this", lower k by one. After each it waits for
the page to show the new state (heading, number of cards, ranking caption) and the
script run to end; that wait is the interaction's time. Everything is bounded: a fixed
number of interactions, a per-wait timeout and a global timeout; traffic goes to
127.0.0.1 only.

Without ``--url`` each phase starts a fresh ``streamlit run`` (artifacts from
``--artifacts``), opens one warm-up page so the shared artifacts are loaded, then runs
its sessions; the server's RSS (/proc/<pid>/status VmRSS) is sampled every 0.2 s, so
peak memory per phase shows what each extra session costs. With ``--url`` (and
``--pid`` for memory) it runs one phase of ``--sessions`` against a running server.
Exit status 0 when every interaction succeeded, 1 otherwise, 2 on bad usage.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import platform
import re
import signal
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlparse

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from scripts.browser_support import (  # noqa: E402 - needs the repository on sys.path
    APP,
    APP_IDLE,
    CHROMIUM,
    CHROMIUM_ARGS,
    ERROR_TEXTS,
    EXCEPTION,
    MAIN,
    RESULT_BUTTON,
    VIEWPORT,
    StreamlitServer,
    rss_kib,
)

ACTIONS = ("choose_movie", "k_up", "toggle_vectorizer", "more_like_this", "k_down")
VECTORIZER_LABELS = {"tfidf": "TF-IDF", "count": "Count"}
# Many pages in one headless browser: keep background pages running at full speed.
LOAD_ARGS = [
    *CHROMIUM_ARGS,
    "--disable-renderer-backgrounding",
    "--disable-background-timer-throttling",
    "--disable-backgrounding-occluded-windows",
]


class InteractionFailed(Exception):
    pass


@dataclass
class PhaseResult:
    sessions: int
    interactions_per_session: int
    interactions_done: int = 0
    errors: int = 0
    error_messages: list[str] = field(default_factory=list)
    load_s: list[float] = field(default_factory=list)
    interaction_s: list[float] = field(default_factory=list)
    by_action_s: dict[str, list[float]] = field(default_factory=dict)
    server_reply_s: list[float] = field(default_factory=list)
    rss_idle_mib: float | None = None
    rss_warm_mib: float | None = None
    peak_rss_mib: float | None = None
    server_cpu_s: float | None = None  # server process user+system CPU during the sessions
    ramp_s: float = 0.0
    duration_s: float = 0.0
    loadavg_before: tuple[float, float, float] | None = None
    loadavg_after: tuple[float, float, float] | None = None

    def summary(self) -> dict:
        data = asdict(self)
        data["load_p50_s"], data["load_p95_s"] = percentile(self.load_s, 50), percentile(self.load_s, 95)
        data["p50_s"], data["p95_s"] = percentile(self.interaction_s, 50), percentile(self.interaction_s, 95)
        data["max_s"] = max(self.interaction_s) if self.interaction_s else None
        data["server_reply_p50_s"] = percentile(self.server_reply_s, 50)
        data["server_reply_p95_s"] = percentile(self.server_reply_s, 95)
        data["by_action_p50_s"] = {name: percentile(values, 50) for name, values in self.by_action_s.items()}
        done = self.interactions_done + len(self.load_s)
        data["server_cpu_per_request_s"] = self.server_cpu_s / done if self.server_cpu_s is not None and done else None
        data["server_cpu_share"] = (
            self.server_cpu_s / self.duration_s if self.server_cpu_s is not None and self.duration_s else None
        )
        return data


def percentile(values: list[float], q: float) -> float | None:
    """Nearest-rank percentile (no interpolation: p95 of 20 values is the 19th)."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


def log(message: str) -> None:
    print(f"[load_test] {message}", flush=True)


# --- one browser session -------------------------------------------------------------


class Session:
    """One user: a browser context on the recommender page, with its expected state."""

    def __init__(self, number: int, page, base_url: str, titles: list[str], wait_s: float) -> None:
        self.number, self.page, self.base_url, self.titles, self.wait_s = number, page, base_url, titles, wait_s
        self.k = 0
        self.vectorizer = "tfidf"
        # When websocket messages went to and came from the server, to split an
        # interaction's time between the server's reply and the browser's work.
        self.sent: list[float] = []
        self.received: list[float] = []
        page.on("websocket", self._watch)

    def _watch(self, socket) -> None:
        socket.on("framesent", lambda _payload: self.sent.append(time.monotonic()))
        socket.on("framereceived", lambda _payload: self.received.append(time.monotonic()))

    def server_reply_s(self, start: float, end: float) -> float | None:
        """From the first message sent after ``start`` (the rerun request) to the last
        message received before ``end`` (the run's last delta): the server's part."""
        sent = next((t for t in self.sent if t >= start), None)
        received = [t for t in self.received if sent is not None and sent <= t <= end]
        return received[-1] - sent if received else None

    async def problem(self) -> str | None:
        page = self.page
        if await page.locator(EXCEPTION).count():
            return "exception box: " + (await page.locator(EXCEPTION).first.inner_text())[:500]
        body = await page.evaluate("() => document.body ? document.body.textContent : ''")
        for text in ERROR_TEXTS:
            if text in body:
                return f"the page shows {text!r}"
        state = (
            await page.locator(APP).first.get_attribute("data-test-connection-state")
            if await page.locator(APP).count()
            else None
        )
        if state == "DISCONNECTED_FOREVER":
            return "lost the connection to the server"
        return None

    async def wait(self, what: str, done) -> None:
        """Poll ``done()`` (and the script run being over) every 50 ms until true."""
        from playwright.async_api import Error as PlaywrightError

        deadline = time.monotonic() + self.wait_s
        checks = 0
        while True:
            try:
                if await self.page.locator(APP_IDLE).count() and await done():
                    return
            except PlaywrightError:
                pass
            checks += 1
            if checks % 20 == 0:
                problem = await self.problem()
                if problem:
                    raise InteractionFailed(f"session {self.number}: {problem} (waiting for {what})")
            if time.monotonic() > deadline:
                raise InteractionFailed(
                    f"session {self.number}: timed out after {self.wait_s:.0f} s waiting for {what}; "
                    f"the page shows: {await self.describe()}"
                )
            await asyncio.sleep(0.05)

    async def describe(self) -> str:
        """What the page shows now, for an error message (and a screenshot in the temp folder)."""
        from playwright.async_api import Error as PlaywrightError

        try:
            app = self.page.locator(APP).first
            state = (
                await app.get_attribute("data-test-script-state"),
                await app.get_attribute("data-test-connection-state"),
            )
            shot = Path(tempfile.gettempdir()) / f"load_test-session{self.number}-{int(time.time())}.png"
            await self.page.screenshot(path=str(shot))
            return (
                f"url={self.page.url} heading={await self.heading()!r} cards={await self.cards()} "
                f"script/connection state={state} screenshot={shot}"
            )
        except PlaywrightError as exc:
            return f"(cannot describe the page: {exc})"

    async def heading(self) -> str:
        heading = self.page.locator(f"{MAIN} h2", has_text="Recommendations for")
        return (await heading.first.inner_text()).strip() if await heading.count() else ""

    async def cards(self) -> int:
        return await self.page.locator(RESULT_BUTTON).count()

    async def open(self) -> None:
        await self.page.goto(f"{self.base_url}/recommender", wait_until="commit", timeout=self.wait_s * 1000)
        await self.wait("the first result cards", lambda: self._has_cards())
        self.k = int(await self.page.locator(".st-key-rec_k input[type=range]").get_attribute("value"))
        checked = self.page.locator('[data-testid="stSidebar"] .st-key-vectorizer label:has(input:checked)')
        label = (await checked.inner_text()).strip()
        self.vectorizer = next(name for name, text in VECTORIZER_LABELS.items() if text == label)

    async def _has_cards(self) -> bool:
        return await self.cards() > 0 and (await self.heading()) != ""

    async def act(self, action: str, step: int) -> None:
        page = self.page
        if action == "choose_movie":
            current = await self.heading()
            title = next(
                t
                for t in self.titles[(self.number + step) % len(self.titles) :] + self.titles
                if f"Recommendations for {t}" != current
            )
            box = page.locator(".st-key-rec_movie input")
            await box.click()
            await box.fill(title)
            await page.get_by_role("option", name=title, exact=True).first.click()
            wanted = f"Recommendations for {title}"
            await self.wait(f"the heading {wanted!r}", lambda: self._heading_is(wanted))
        elif action in ("k_up", "k_down"):
            up = action == "k_up" and self.k < 50 or self.k <= 1
            self.k += 1 if up else -1
            slider = page.locator(".st-key-rec_k input[type=range]")
            await slider.focus()
            await page.keyboard.press("ArrowRight" if up else "ArrowLeft")
            await self.wait(f"{self.k} result cards", lambda: self._cards_are(self.k))
        elif action == "toggle_vectorizer":
            self.vectorizer = "count" if self.vectorizer == "tfidf" else "tfidf"
            label = VECTORIZER_LABELS[self.vectorizer]
            await page.locator('[data-testid="stSidebar"] .st-key-vectorizer label', has_text=label).click()
            caption = page.get_by_text(f"Ranked by {label} cosine similarity")
            await self.wait(f"the {label} ranking", lambda: self._count_is(caption, 1))
        elif action == "more_like_this":
            before = await self.heading()
            first = page.locator(RESULT_BUTTON).first
            movie_id = re.search(r"st-key-rec_more_(\d+)", await first.get_attribute("class") or "").group(1)
            # Click that film's own button (a locator is re-resolved at the click).
            await page.locator(f"{MAIN} .st-key-rec_more_{movie_id} button").first.click()
            await self.wait(f"film {movie_id} as the query", lambda: self._query_is(movie_id, before))
        else:  # pragma: no cover - ACTIONS is fixed
            raise ValueError(action)

    async def _heading_is(self, wanted: str) -> bool:
        return await self.heading() == wanted and await self.cards() > 0

    async def _cards_are(self, k: int) -> bool:
        return await self.cards() == k

    async def _count_is(self, locator, n: int) -> bool:
        return await locator.count() == n

    async def _query_is(self, movie_id: str, before: str) -> bool:
        query = parse_qs(urlparse(self.page.url).query)
        heading = await self.heading()
        return query.get("movie", [""])[-1] == movie_id and heading not in ("", before) and await self.cards() > 0


async def run_session(
    browser,
    number: int,
    base_url: str,
    titles: list[str],
    interactions: int,
    wait_s: float,
    result: PhaseResult,
    delay_s: float = 0.0,
) -> None:
    await asyncio.sleep(delay_s)
    context = await browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(wait_s * 1000)
    context.set_default_navigation_timeout(wait_s * 1000)
    page = await context.new_page()
    session = Session(number, page, base_url, titles, wait_s)
    try:
        start = time.monotonic()
        await session.open()
        result.load_s.append(time.monotonic() - start)
        for step in range(interactions):
            action = ACTIONS[step % len(ACTIONS)]
            start = time.monotonic()
            await session.act(action, step)
            end = time.monotonic()
            elapsed = end - start
            result.interaction_s.append(elapsed)
            reply = session.server_reply_s(start, end)
            if reply is not None:
                result.server_reply_s.append(reply)
            result.by_action_s.setdefault(action, []).append(elapsed)
            result.interactions_done += 1
    except Exception as exc:  # noqa: BLE001 - every failure is counted and reported; the session stops
        result.errors += 1
        result.error_messages.append(
            f"session {number}: {type(exc).__name__}: {(str(exc).splitlines() or [''])[0][:300]}"
        )
        log(result.error_messages[-1])
    finally:
        await context.close()


async def sample_rss(pid: int | None, peak: list[float], stop: asyncio.Event, every_s: float = 0.2) -> None:
    """Keep ``peak[0]`` at the largest VmRSS (MiB) of ``pid`` seen until ``stop`` is set."""
    while not stop.is_set():
        value = rss_kib(pid) if pid else None
        if value is not None:
            peak[0] = max(peak[0], value / 1024)
        try:
            await asyncio.wait_for(stop.wait(), timeout=every_s)
        except asyncio.TimeoutError:
            pass


def cpu_seconds(pid: int | None) -> float | None:
    """User + system CPU time of process ``pid`` so far (/proc/<pid>/stat), or None."""
    if not pid:
        return None
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


async def run_phase(
    base_url: str,
    pid: int | None,
    sessions: int,
    interactions: int,
    titles: list[str],
    wait_s: float,
    timeout_s: float,
    warm_up: bool,
    ramp_s: float = 0.0,
) -> PhaseResult:
    from playwright.async_api import async_playwright

    result = PhaseResult(sessions=sessions, interactions_per_session=interactions, ramp_s=ramp_s)
    result.loadavg_before = os.getloadavg()
    result.rss_idle_mib = (rss_kib(pid) or 0) / 1024 if pid else None
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=LOAD_ARGS)
        try:
            if warm_up:  # load the shared artifacts once, as the first visitor after a start does
                warm = PhaseResult(sessions=1, interactions_per_session=0)
                await asyncio.wait_for(run_session(browser, -1, base_url, titles, 0, wait_s, warm), timeout_s)
                if warm.errors:
                    raise InteractionFailed(f"warm-up failed: {warm.error_messages}")
                log(f"warm-up page load {warm.load_s[0]:.1f} s")
            result.rss_warm_mib = (rss_kib(pid) or 0) / 1024 if pid else None
            peak, stop = [result.rss_warm_mib or 0.0], asyncio.Event()
            sampler = asyncio.create_task(sample_rss(pid, peak, stop))
            start, cpu_before = time.monotonic(), cpu_seconds(pid)
            tasks = [
                asyncio.create_task(run_session(browser, n, base_url, titles, interactions, wait_s, result, n * ramp_s))
                for n in range(sessions)
            ]
            done, pending = await asyncio.wait(tasks, timeout=timeout_s)
            for task in pending:
                task.cancel()
            if pending:
                await asyncio.gather(*pending, return_exceptions=True)
                result.errors += len(pending)
                result.error_messages.append(
                    f"{len(pending)} sessions still running at the global timeout ({timeout_s:.0f} s)"
                )
            result.duration_s = time.monotonic() - start
            cpu_after = cpu_seconds(pid)
            if cpu_before is not None and cpu_after is not None:
                result.server_cpu_s = cpu_after - cpu_before
            stop.set()
            await sampler
            result.peak_rss_mib = peak[0] if pid else None
        finally:
            await browser.close()
    result.loadavg_after = os.getloadavg()
    missing = sessions * interactions - result.interactions_done
    if missing and not result.errors:  # defensive: every missing interaction is an error
        result.errors = missing
    return result


# --- reporting -----------------------------------------------------------------------


def machine() -> dict[str, str]:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "?",
    )
    mem_kib = next(
        int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal")
    )
    from importlib.metadata import PackageNotFoundError, version

    try:
        versions = f"streamlit {version('streamlit')}, playwright {version('playwright')}"
    except PackageNotFoundError:  # pragma: no cover
        versions = "?"
    return {
        "cpu": f"{os.cpu_count()} x {cpu}",
        "memory": f"{mem_kib / 1024 / 1024:.1f} GiB",
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "versions": versions,
        "browser": str(CHROMIUM),
    }


def fmt(value: float | None, unit: str = "s", digits: int = 2) -> str:
    return "–" if value is None else f"{value:.{digits}f} {unit}".strip()


def markdown_table(phases: list[dict]) -> str:
    """Three tables: latency and errors, server memory and CPU, latency per action."""
    latency = [
        "| sessions | interactions | errors | p50 / interaction | p95 / interaction | max "
        "| server reply p50 / p95 | page load p50 / p95 | wall time |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    server = [
        "| sessions | RSS idle | RSS after warm-up | peak RSS | + per session "
        "| server CPU / request | server CPU share |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    actions = ["| sessions | " + " | ".join(f"{a} p50" for a in ACTIONS) + " |", "|---:|" + "---:|" * len(ACTIONS)]
    base = next((p for p in phases if p["sessions"] == 1), None)
    for p in phases:
        growth = None
        if base and p["peak_rss_mib"] and base["peak_rss_mib"] and p["sessions"] > 1:
            growth = (p["peak_rss_mib"] - base["peak_rss_mib"]) / (p["sessions"] - 1)
        share = None if p["server_cpu_share"] is None else 100 * p["server_cpu_share"]
        latency.append(
            f"| {p['sessions']} | {p['interactions_done']} of {p['sessions'] * p['interactions_per_session']} "
            f"| {p['errors']} | {fmt(p['p50_s'])} | {fmt(p['p95_s'])} | {fmt(p['max_s'])} "
            f"| {fmt(p['server_reply_p50_s'], '')} / {fmt(p['server_reply_p95_s'])} "
            f"| {fmt(p['load_p50_s'], '', 1)} / {fmt(p['load_p95_s'], 's', 1)} | {fmt(p['duration_s'], 's', 0)} |"
        )
        server.append(
            f"| {p['sessions']} | {fmt(p['rss_idle_mib'], 'MiB', 0)} | {fmt(p['rss_warm_mib'], 'MiB', 0)} "
            f"| {fmt(p['peak_rss_mib'], 'MiB', 0)} | {fmt(growth, 'MiB', 1)} "
            f"| {fmt(p['server_cpu_per_request_s'], 's', 3)} | {fmt(share, '%', 0)} |"
        )
        actions.append(f"| {p['sessions']} | " + " | ".join(fmt(p["by_action_p50_s"].get(a)) for a in ACTIONS) + " |")
    return "\n".join([*latency, "", *server, "", *actions])


# --- main ----------------------------------------------------------------------------


def default_artifacts() -> Path:
    for name in ("MOVIE_TEST_ARTIFACTS", "MOVIE_ARTIFACTS"):
        if os.environ.get(name):
            return Path(os.environ[name])
    return REPO / "artifacts"


def popular_titles(artifacts: Path, n: int = 25) -> list[str]:
    """The display titles of the ``n`` most voted films, which the sessions search for."""
    from recommender.artifacts import ArtifactReader

    catalog = ArtifactReader(artifacts).columns("catalog")
    order = sorted(range(len(catalog)), key=lambda row: -catalog["vote_count"][row])  # stable: ties in catalog order
    return [t for t in (catalog["display_title"][row] for row in order) if t.strip()][:n]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--artifacts",
        type=Path,
        default=default_artifacts(),
        help="artifacts folder (default $MOVIE_TEST_ARTIFACTS, $MOVIE_ARTIFACTS or artifacts/)",
    )
    parser.add_argument(
        "--phases", default="1,10,20", help="session counts, one fresh server each (default %(default)s)"
    )
    parser.add_argument("--interactions", type=int, default=5, help="interactions per session (default %(default)s)")
    parser.add_argument("--url", help="use this running server (127.0.0.1 only) instead of starting one per phase")
    parser.add_argument("--pid", type=int, help="with --url: the server's process id, to sample its memory")
    parser.add_argument("--sessions", type=int, default=3, help="with --url: concurrent sessions (default %(default)s)")
    parser.add_argument(
        "--ramp",
        type=float,
        default=0.5,
        help="seconds between session starts, so that page loads do not all land at once (default %(default)s)",
    )
    parser.add_argument(
        "--wait", type=float, default=180.0, help="seconds to wait for one page state (default %(default)s)"
    )
    parser.add_argument(
        "--timeout", type=float, default=900.0, help="global timeout of one phase in seconds (default %(default)s)"
    )
    parser.add_argument(
        "--streamlit-option",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="extra Streamlit config option for the server, e.g. runner.postScriptGC=false (repeatable)",
    )
    parser.add_argument("--json", type=Path, help="write the raw results as JSON here")
    parser.add_argument(
        "--markdown", type=Path, help="write the results section (Markdown) here, e.g. docs/LOAD_TEST.md"
    )
    args = parser.parse_args(argv)
    # A plain kill must still stop the servers this script started (context managers run).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    if not CHROMIUM.exists():
        log(f"ERROR: no browser at {CHROMIUM} (apt-get install chromium, or set CHROMIUM)")
        return 2
    if args.url and urlparse(args.url).hostname not in ("127.0.0.1", "localhost", "::1"):
        log("ERROR: --url must be a server on this machine (127.0.0.1)")
        return 2
    if not (args.artifacts / "manifest.json").exists():
        log(f"ERROR: no artifacts in {args.artifacts} (python -m recommender build --out {args.artifacts})")
        return 2
    if args.interactions < 0 or args.sessions < 1:
        log("ERROR: --interactions must be >= 0 and --sessions >= 1")
        return 2
    titles = popular_titles(args.artifacts)
    options = dict(option.split("=", 1) for option in args.streamlit_option)
    started = time.monotonic()
    phases: list[dict] = []

    if args.url:
        result = asyncio.run(
            run_phase(
                args.url.rstrip("/"),
                args.pid,
                args.sessions,
                args.interactions,
                titles,
                args.wait,
                args.timeout,
                warm_up=False,
                ramp_s=args.ramp,
            )
        )
        phases.append(result.summary())
    else:
        for sessions in [int(n) for n in args.phases.split(",") if n.strip()]:
            log(f"phase: {sessions} sessions x {args.interactions} interactions, fresh server")
            with StreamlitServer(args.artifacts, options=options) as server:
                result = asyncio.run(
                    run_phase(
                        server.url,
                        server.pid,
                        sessions,
                        args.interactions,
                        titles,
                        args.wait,
                        args.timeout,
                        warm_up=True,
                        ramp_s=args.ramp,
                    )
                )
                if server.process.poll() is not None:
                    result.errors += 1
                    result.error_messages.append(f"the server exited during the phase:\n{server.log_tail(1500)}")
            phases.append(result.summary())
            log(
                f"  done: {result.interactions_done} interactions, {result.errors} errors, "
                f"p50 {fmt(phases[-1]['p50_s'])}, p95 {fmt(phases[-1]['p95_s'])}, "
                f"peak RSS {fmt(result.peak_rss_mib, 'MiB', 0)}"
            )

    report = {
        "streamlit_options": options,
        "machine": machine(),
        "artifacts": str(args.artifacts),
        "interactions": args.interactions,
        "actions": list(ACTIONS),
        "phases": phases,
        "total_s": time.monotonic() - started,
    }
    table = markdown_table(phases)
    print(table)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2, default=list))
    if args.markdown:
        write_markdown(args.markdown, results_section(report, table))
    errors = sum(p["errors"] for p in phases)
    for p in phases:
        for message in p["error_messages"][:10]:
            log(f"error ({p['sessions']} sessions): {message}")
    log(f"{'PASSED' if errors == 0 else 'FAILED'}: {errors} errors in {time.monotonic() - started:.0f} s")
    return 0 if errors == 0 else 1


BEGIN, END = "<!-- load_test.py results: begin -->", "<!-- load_test.py results: end -->"


def write_markdown(path: Path, section: str) -> None:
    """Write ``section`` between the BEGIN/END markers of ``path``, keeping the text
    around them (the hand-written analysis); a new file gets a title and the section."""
    block = f"{BEGIN}\n{section.strip()}\n{END}\n\n"
    text = path.read_text() if path.exists() else ""
    if BEGIN in text and END in text:
        text = text[: text.index(BEGIN)] + block + text[text.index(END) + len(END) :].lstrip("\n")
    else:
        text = "# Load test\n\n" + block
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def results_section(report: dict, table: str) -> str:
    """The Markdown results section: how it was run, on what, and the tables."""
    m, phases = report["machine"], report["phases"]
    loads = ", ".join(f"{p['sessions']}: {p['loadavg_before'][0]:.1f} → {p['loadavg_after'][0]:.1f}" for p in phases)
    command = (
        f"python scripts/load_test.py --phases {','.join(str(p['sessions']) for p in phases)} "
        f"--interactions {report['interactions']} --ramp {phases[0]['ramp_s']:g} --markdown docs/LOAD_TEST.md"
    )
    return f"""## Results

Generated by `{command}`.

Machine: {m["cpu"]}, {m["memory"]} RAM, {m["os"]}, Python {m["python"]}, {m["versions"]},
headless {m["browser"]}. The browser sessions run on the same 2 cores as the server, and the machine is
shared with other work; 1-minute load average per phase (sessions: before → after): {loads}.

Each phase starts a fresh server (`streamlit run streamlit_app.py`, the app as shipped) on the demo build ({report["artifacts"]}) and opens one warm-up
page (the shared artifacts are then loaded, once per process). Then the sessions start,
{phases[0]["ramp_s"]:g} s apart, each in its own context of one headless Chromium: a session opens
/recommender and makes {report["interactions"]} interactions, cycling through {", ".join(report["actions"])}.
An interaction's time runs from the click or key press until the page shows the expected new state
(heading, number of cards, ranking caption) and the script run has ended. RSS is the server process's VmRSS
sampled every 0.2 s; "+ per session" is (peak RSS − peak RSS with 1 session) / (sessions − 1). "Server CPU /
request" is the server process's user+system CPU time during the phase divided by the page loads and
interactions it served; "server CPU share" is that CPU time over the phase's wall time (100 % = one core).
"Server reply" is the part of an interaction between the browser's first websocket message after the click
(the rerun request) and the last message from the server before the new state showed; the rest of the
interaction is the browser's own work (event handling, rendering, and this script's polling).

{table}
"""


if __name__ == "__main__":
    sys.exit(main())
