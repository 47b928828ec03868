#!/usr/bin/env python3
"""Browser smoke test of a running Movie Explorer (Streamlit) server.

    python scripts/browser_smoke.py URL [--screenshot PATH] [--timeout S] [--also PAGE ...] [--map]

Opens URL in headless Chromium (Playwright driving Debian's /usr/bin/chromium), waits
until the Streamlit app has rendered, then opens URL/recommender and waits (default up
to 90 s) for the text "Recommendations for"; with ``--map``, then opens URL/explorer and waits
for its map to be drawn (plotly.js, which the app serves itself, loaded and run). Fails as soon as an exception box
(``[data-testid="stException"]``) or the word "Traceback" shows on a page. Saves a
screenshot of the last page opened (and one of the page that failed, on failure).
Exit status: 0 success, 1 smoke failure, 2 bad usage or no browser.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

# One definition of the browser flags and of Streamlit's page markers, shared with the
# browser tests, the load test and the start-up timing.
from scripts.browser_support import APP, APP_IDLE, CHROMIUM_ARGS, EXCEPTION, LOADING  # noqa: E402

ELEMENT = '[data-testid="stMainBlockContainer"] [data-testid="stElementContainer"]'
TARGET_TEXT = "Recommendations for"


class SmokeFailure(Exception):
    pass


def log(message: str) -> None:
    print(f"[browser_smoke] {message}", flush=True)


def page_problem(page) -> str | None:
    """An error shown by the app, or None."""
    if page.locator(EXCEPTION).count():
        text = page.locator(EXCEPTION).first.inner_text(timeout=5_000)
        return f"the app shows an exception:\n{text[:3000]}"
    body = page.locator("body").inner_text(timeout=5_000)
    if "Traceback" in body:
        at = body.index("Traceback")
        return f"the page shows a Traceback:\n{body[at : at + 3000]}"
    state = page.locator(APP).first.get_attribute("data-test-script-state") if page.locator(APP).count() else None
    if state == "compilationError":
        return "the app script failed to compile (script state 'compilationError')"
    conn = page.locator(APP).first.get_attribute("data-test-connection-state") if page.locator(APP).count() else None
    if conn == "DISCONNECTED_FOREVER":
        return "the browser lost its connection to the Streamlit server"
    return None


def wait_until(page, what: str, done, timeout_s: float) -> None:
    """Poll ``done(page)`` until true, failing early on any app error or at the deadline."""
    deadline = time.monotonic() + timeout_s
    while True:
        problem = page_problem(page)
        if problem:
            raise SmokeFailure(f"{page.url}: {problem}")
        if done(page):
            return
        if time.monotonic() > deadline:
            raise SmokeFailure(f"{page.url}: timed out after {timeout_s:.0f} s waiting for {what}")
        page.wait_for_timeout(500)


def rendered(page) -> bool:
    return bool(page.locator(APP_IDLE).count() and page.locator(ELEMENT).count())


def map_drawn(page) -> bool:
    """The explorer's map (dashboard/map_chart.py) holds a plot plotly has drawn."""
    return bool(page.evaluate(
        "() => { const plot = document.querySelector('.movie-map .js-plotly-plot');"
        " return !!(plot && plot._fullLayout && plot._fullData); }"
    ))


def settle(page, timeout_s: float = 15.0) -> None:
    """Best effort before a screenshot: let lazily loaded widgets replace their placeholders."""
    deadline = time.monotonic() + timeout_s
    while page.locator(LOADING).count() and time.monotonic() < deadline:
        page.wait_for_timeout(250)
    page.wait_for_timeout(500)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", help="base URL of the running app, e.g. http://127.0.0.1:8501")
    parser.add_argument(
        "--screenshot",
        type=Path,
        default=Path(tempfile.gettempdir()) / "browser_smoke.png",
        help="where to save the screenshot of the recommender page (default: %(default)s)",
    )
    parser.add_argument("--timeout", type=float, default=90.0, help="seconds to wait for each page (default 90)")
    parser.add_argument(
        "--also",
        action="append",
        default=[],
        metavar="PAGE",
        help="also open URL/PAGE and check it renders without error (repeatable)",
    )
    parser.add_argument(
        "--map", action="store_true",
        help="also open URL/explorer and wait for the map to be drawn (a build with maps)",
    )
    parser.add_argument(
        "--chromium",
        default=os.environ.get("CHROMIUM", "/usr/bin/chromium"),
        help="browser executable (default: $CHROMIUM or /usr/bin/chromium)",
    )
    args = parser.parse_args(argv)

    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError:
        log("ERROR: Python Playwright is not installed (pip install -r requirements-dev.txt)")
        return 2
    if not Path(args.chromium).exists():
        log(f"ERROR: no browser at {args.chromium} (apt-get install chromium, or set CHROMIUM)")
        return 2

    base = args.url.rstrip("/")
    args.screenshot.parent.mkdir(parents=True, exist_ok=True)
    failure_shot = args.screenshot.with_name(args.screenshot.stem + "-failure" + args.screenshot.suffix)
    started = time.monotonic()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=args.chromium, headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        console_errors: list[str] = []
        page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: console_errors.append(f"page error: {e}"))
        try:
            for path, what, done in (
                ("", "the app to render", rendered),
                *((f"/{name.strip('/')}", "the page to render", rendered) for name in args.also),
                (
                    "/recommender",
                    f'the text "{TARGET_TEXT}"',
                    lambda pg: rendered(pg) and pg.get_by_text(TARGET_TEXT).count() > 0,
                ),
                *([("/explorer", "the map to be drawn", map_drawn)] if args.map else []),
            ):
                t0 = time.monotonic()
                url = base + path
                log(f"open {url}")
                page.goto(url, wait_until="domcontentloaded", timeout=int(args.timeout * 1000))
                page.wait_for_selector(APP, state="attached", timeout=int(args.timeout * 1000))
                wait_until(page, what, done, args.timeout)
                log(f"  ok: {what} after {time.monotonic() - t0:.1f} s")
            settle(page)
            problem = page_problem(page)
            if problem:
                raise SmokeFailure(f"{page.url}: {problem}")
            page.screenshot(path=str(args.screenshot), full_page=True)
            log(f"screenshot: {args.screenshot}")
        except (SmokeFailure, PlaywrightError) as exc:
            log(f"FAILED: {exc}")
            try:
                page.screenshot(path=str(failure_shot), full_page=True)
                log(f"screenshot of the failure: {failure_shot}")
            except PlaywrightError:
                pass
            for line in console_errors[-10:]:
                log(f"  browser console: {(line.splitlines() or [''])[0][:300]}")
            return 1
        finally:
            browser.close()
    log(f"PASSED in {time.monotonic() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
