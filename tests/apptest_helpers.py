"""Helpers shared by the pages' AppTests: start the real app (``streamlit_app.py``)
on the demo build, optionally with URL query parameters, and open a page.

AppTest starts every run as Streamlit does a fresh server's first request (it resets
the "pages/ folder, v1 app" decision), so ``switch_page("pages/recommender.py")`` runs
the page file alone and every page test also drives ``shell.page_in_shell``."""

from __future__ import annotations

import asyncio
import concurrent.futures
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from recommender.loading import load_model
from recommender.model import RecommenderModel

APP = Path(__file__).resolve().parent.parent / "streamlit_app.py"


def new_app(monkeypatch: pytest.MonkeyPatch, artifacts: Path, params: dict[str, str] | None = None) -> AppTest:
    """The app on the build in ``artifacts`` with URL ``params``, not yet run."""
    monkeypatch.setenv("MOVIE_ARTIFACTS", str(artifacts))
    at = AppTest.from_file(str(APP), default_timeout=120)
    for name, value in (params or {}).items():
        at.query_params[name] = value
    return at


def start_app(
    monkeypatch: pytest.MonkeyPatch,
    artifacts: Path,
    page: str | None = None,
    params: dict[str, str] | None = None,
) -> AppTest:
    """Run the app once (the overview page, which also draws the shared sidebar),
    then switch to ``page`` (e.g. ``"pages/recommender.py"``) and run it."""
    at = new_app(monkeypatch, artifacts, params)
    at.run()
    assert not at.exception, at.exception
    if page is not None:
        at.switch_page(page).run()
        assert not at.exception, at.exception
    return at


_models: dict[str, RecommenderModel] = {}


def demo_model(artifacts: Path) -> RecommenderModel:
    """The demo build as the app sees it, to compute expectations (loaded once)."""
    key = str(artifacts)
    if key not in _models:
        _models[key] = load_model(artifacts)
    return _models[key]


def no_html(at: AppTest) -> None:
    """Assert that no element renders raw HTML (``unsafe_allow_html`` / ``st.html``)."""
    assert len(at.get("html")) == 0
    for element in [*at.markdown, *at.caption]:
        assert not element.proto.allow_html, element.value


def asgi_get(app: Any, url: str) -> tuple[int, dict[bytes, bytes], bytes]:
    """GET ``url`` from the ASGI ``app`` (e.g. a Starlette app of the server's routes) in
    process: status, headers, body."""
    path, _, query = url.partition("?")
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET", "scheme": "http",
        "path": path, "raw_path": path.encode(), "query_string": query.encode(), "root_path": "",
        "headers": [(b"host", b"testserver")], "client": ("127.0.0.1", 1), "server": ("testserver", 80),
    }
    sent: list[dict] = []
    requested = False

    async def receive() -> dict:
        nonlocal requested
        if requested:  # the client stays connected (a response may listen for a disconnect)
            await asyncio.Event().wait()
        requested = True
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict) -> None:
        sent.append(message)

    # In a thread of its own: a test before may have left an event loop running in this one
    # (Playwright's sync API does).
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as worker:
        worker.submit(asyncio.run, app(scope, receive, send)).result()
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], dict(start["headers"]), body
