"""Pytest fixtures of the browser tests: one ``streamlit run`` server on the demo build
and one headless Chromium per session, a fresh page per test. Registered by
``pytest_plugins`` in ``tests/test_browser.py``; the helpers they use live in
``scripts/browser_support.py`` (shared with the measuring scripts). A missing browser
fails the tests in CI (``CI`` set) and skips them elsewhere."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from scripts.browser_support import (
    CHROMIUM,
    PAGE_TIMEOUT_S,
    VIEWPORT,
    StreamlitServer,
    catalog_ids,
    launch_chromium,
)


def chromium_or_skip() -> Path:
    """Debian's Chromium; without it the test fails in CI and is skipped elsewhere."""
    if CHROMIUM.exists():
        return CHROMIUM
    reason = f"no browser at {CHROMIUM} (apt-get install chromium, or set CHROMIUM)"
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


def _server(artifacts: Path, name: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[StreamlitServer]:
    log = tmp_path_factory.mktemp(f"streamlit-{name}") / "server.log"
    with StreamlitServer(artifacts, log_path=log) as server:
        yield server
        if server.process is not None and server.process.poll() is not None:
            pytest.fail(f"the streamlit server died during the tests:\n{server.log_tail()}")


@pytest.fixture(scope="session")
def chromium_path() -> Path:
    return chromium_or_skip()


@pytest.fixture(scope="session")
def app_server(
    chromium_path: Path, demo_artifacts: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[StreamlitServer]:
    """``streamlit run`` on the demo build, shared by the browser tests."""
    yield from _server(demo_artifacts, "demo", tmp_path_factory)


@pytest.fixture(scope="session")
def app_url(app_server: StreamlitServer) -> str:
    return app_server.url


@pytest.fixture(scope="session")
def demo_ids(demo_artifacts: Path) -> dict[str, int]:
    """Display title -> id of the demo build ("Toy Story (1995)" -> 2017)."""
    return catalog_ids(demo_artifacts)


@pytest.fixture(scope="session")
def browser(chromium_path: Path):
    """One headless Chromium for the session (each test gets its own context)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    """A fresh browser context and page at 1400x900, with dialogs recorded (and dismissed)."""
    context = browser.new_context(viewport=VIEWPORT, device_scale_factor=1)
    context.set_default_timeout(PAGE_TIMEOUT_S * 1000)
    page = context.new_page()
    page.dialogs = []

    def on_dialog(dialog) -> None:
        page.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    page.on("dialog", on_dialog)
    yield page
    context.close()
