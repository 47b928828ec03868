"""Browser tests: a crafted link and a hostile catalog render as text, in Chromium.

A link anyone can craft carries markdown links, images and HTML in its query
parameters; a catalog anyone can upload carries them in titles, genres, keywords,
directors and languages (and a bare carriage return, and spreadsheet formulas).
The pages must show all of it as characters: no live link to the outside, no image
loaded from it, no element made from the text's tags (a 60 px span), and no request
leaving 127.0.0.1. Every request to another host is blocked and recorded.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from urllib.parse import quote, urlparse

import pytest

pytest.register_assert_rewrite("scripts.browser_support")

from scripts.browser_support import (  # noqa: E402
    MAIN,
    REPO,
    StreamlitServer,
    assert_no_problem,
    catalog_ids,
    open_page,
    settle,
    wait_for,
)

pytest_plugins = ["tests.browser_fixtures"]
pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(600, func_only=True)]

EVIL = "evil.example"
LINK = f"[click me](http://{EVIL}/link)"
IMAGE = f"![pixel](http://{EVIL}/pixel.png)"
TAG_LINK = f'<a href="http://{EVIL}/tag">tag link</a>'
BIG = '<span style="font-size:60px">BIG</span>'
IMG_TAG = f'<img src="http://{EVIL}/img.png">'
FORMULA = f'=HYPERLINK("http://{EVIL}/f","x")'


def _cell(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def hostile_catalog(path: Path) -> Path:
    """Twelve films whose text fields hold links, images, HTML, formulas and a bare CR."""
    header = "id,title,year,genres,directors,cast,keywords,overview,original_language,runtime,vote_average,vote_count"
    rows = [
        [1, f"{TAG_LINK} Film", 1990, f"Drama|{TAG_LINK}", BIG, "Al Finch", f"garden|{IMG_TAG}",
         f"A gardener {LINK} {IMAGE} tends roses.", BIG, 90, 7.1, 200],
        [2, f"{BIG} Night", 1991, f"Drama|{BIG}", TAG_LINK, "Al Finch", "garden|roses",
         "A gardener tends roses at night.", TAG_LINK, 95, 6.9, 150],
        [3, FORMULA, 1992, "Drama|Comedy", "Di Ross", IMG_TAG, "garden|night",
         "Roses and a night garden.", "en", 100, 6.5, 120],
        [4, "Carriage\rReturn", 1993, f"Comedy|{IMAGE}", "Di Ross", "Zoe Park", f"night|{LINK}",
         "A comedy of roses and night gardens.", "fr", 85, 7.4, 300],
    ]
    for i in range(5, 13):
        rows.append([i, f"Plain Film {i}", 1990 + i, "Drama|Comedy", "Di Ross", "Zoe Park", "garden|roses|night",
                     f"Film {i}: a gardener, roses and the night.", "en", 90 + i, 6.0 + i / 10, 100 + i])
    lines = [header] + [",".join(_cell(str(v)) for v in row) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def hostile_server(chromium_path, tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile-catalog")
    out = folder / "artifacts"
    build = subprocess.run(
        [sys.executable, "-m", "recommender", "build", "--catalog", str(hostile_catalog(folder / "hostile.csv")),
         "--out", str(out), "--skip-maps", "--quiet"],
        cwd=REPO, capture_output=True, text=True, timeout=600,
    )
    assert build.returncode == 0, build.stdout + build.stderr
    with StreamlitServer(out, log_path=folder / "server.log") as server:
        server.ids = catalog_ids(out)
        yield server


@pytest.fixture
def guarded(page):
    """The page with every request to a host other than 127.0.0.1 blocked and recorded."""
    outside: list[str] = []

    def route(request_route) -> None:
        host = urlparse(request_route.request.url).hostname or ""
        if host in ("127.0.0.1", "localhost") or request_route.request.url.startswith("data:"):
            request_route.continue_()
        else:
            outside.append(request_route.request.url)
            request_route.abort()

    page.context.route("**/*", route)
    page.outside = outside
    return page


def assert_shown_as_text(page) -> None:
    """No live link or image to the outside, no element made from the text's tags, no
    request that left 127.0.0.1 for the crafted host."""
    links = page.locator(f'a[href*="{EVIL}"]')
    assert links.count() == 0, links.evaluate_all("els => els.map(e => e.outerHTML)")
    images = page.locator(f'img[src*="{EVIL}"], image[href*="{EVIL}"]')
    assert images.count() == 0, images.evaluate_all("els => els.map(e => e.outerHTML)")
    big = page.locator('span[style*="60px"], tspan[style*="60px"]')
    assert big.count() == 0, big.evaluate_all("els => els.map(e => e.outerHTML)")
    assert not [url for url in page.outside if EVIL in url], page.outside


def test_crafted_link_shows_its_values_as_text(guarded, app_url: str) -> None:
    page = guarded
    params = {"movie": f"{LINK}{IMAGE}", "k": f"{IMG_TAG}", "vectorizer": f"{TAG_LINK}"}
    query = "&".join(f"{name}={quote(value, safe='')}" for name, value in params.items())
    open_page(page, f"{app_url}/recommender?{query}")
    alerts = page.locator('[data-testid="stAlert"]')
    wait_for(page, "the warnings about the link", lambda: alerts.count() >= 3)
    # The crafted values are shown as typed, inside the warnings (a zero-width space after
    # "://" keeps a bare URL from being autolinked).
    text = " ".join(alerts.all_inner_texts()).replace("\u200b", "")
    assert f"http://{EVIL}/link" in text and f"http://{EVIL}/pixel.png" in text, text
    assert f"img src=\"http://{EVIL}/img.png\"" in text and "tag link</a>" in text, text
    settle(page)
    assert_shown_as_text(page)
    for path in ("explorer", "compare"):
        open_page(page, f"{app_url}/{path}?movie={quote(LINK + IMAGE, safe='')}")
        wait_for(page, "the warning about the link", lambda: page.locator('[data-testid="stAlert"]').count() >= 1)
        settle(page)
        assert_shown_as_text(page)
    assert_no_problem(page)


def test_hostile_catalog_renders_as_text(guarded, hostile_server) -> None:
    page = guarded
    movie = hostile_server.ids[f"{TAG_LINK} Film"]
    for path in ("", f"recommender?movie={movie}", f"compare?movie={movie}", "data"):
        open_page(page, f"{hostile_server.url}/{path}")
        settle(page)
        wait_for(page, "the page's content", lambda: page.locator(f"{MAIN} h1").count() > 0)
        assert_shown_as_text(page)
        assert_no_problem(page)
    # The overview's charts (their tab) label genres and languages with the catalog's text, as text.
    open_page(page, f"{hostile_server.url}/?overview_tab=The%20catalog%20in%20charts")
    plots = page.locator(f"{MAIN} .js-plotly-plot")
    wait_for(page, "the overview's charts", lambda: plots.count() >= 3)
    settle(page)
    labels = " ".join(plots.evaluate_all("els => els.map(e => e.textContent)"))
    assert "<a href=" in labels and "tag link</a>" in labels, labels[:500]
    assert_shown_as_text(page)
    assert page.dialogs == [], page.dialogs
