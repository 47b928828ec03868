"""Browser tests: the real app (``streamlit run``) driven in headless Chromium.

Each test opens the pages as a person would and checks what they show: a film picked
by typing part of its title, a result clicked to become the query, the embedding map
drawn with its metrics, both vectorizers' lists compared, a shared link restored, a
bad link answered with a warning, and catalog titles holding HTML shown as text.
Screenshots of every page are checked and, with ``SCREENSHOTS_DIR`` set (e.g.
``SCREENSHOTS_DIR=docs/screenshots``), saved for the README. ``test_load_smoke`` runs
``scripts/load_test.py`` with a few sessions. Chromium missing: failure in CI, skip
elsewhere (see :func:`tests.browser_fixtures.chromium_or_skip`).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

pytest.register_assert_rewrite("scripts.browser_support")  # its helpers assert too

from scripts.browser_support import (  # noqa: E402
    APP_IDLE,
    EXCEPTION,
    MAIN,
    REPO,
    VIEWPORT,
    StreamlitServer,
    assert_no_problem,
    card_button,
    card_count,
    card_titles,
    catalog_ids,
    choose_in_selectbox,
    heading_text,
    open_page,
    settle,
    wait_for,
    wait_heading,
    wait_idle,
)

# The fixtures (app_server, app_url, demo_ids, browser, page, chromium_path) are in tests/browser_fixtures.py.
pytest_plugins = ["tests.browser_fixtures"]
pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(600, func_only=True)]

HTML_TITLES_CSV = REPO / "tests" / "bad_inputs" / "html_titles.csv"
SCRIPT_TITLE = "<script>alert(1)</script>"
BOLD_TITLE = "<b>Bold</b> & <i>Co</i>"


def click_row(frame, row: int = 0) -> None:
    """Select row ``row`` (0 = first) of a single-row-selection ``st.dataframe``: a click
    on its row marker (the grid is a canvas; 35 px rows under a 35 px header)."""
    frame.scroll_into_view_if_needed()
    box = frame.bounding_box()
    frame.page.mouse.click(box["x"] + 16, box["y"] + 35 * (row + 1) + 17)


def query_of(page) -> dict[str, str]:
    return {key: values[-1] for key, values in parse_qs(urlparse(page.url).query).items()}


def metrics(page) -> dict[str, str]:
    """Label -> value of every ``st.metric`` on the page."""
    shown = {}
    for tile in page.locator(f'{MAIN} [data-testid="stMetric"]').all():
        label = tile.locator('[data-testid="stMetricLabel"]').inner_text().strip()
        shown[label] = tile.locator('[data-testid="stMetricValue"]').inner_text().strip()
    return shown


def grid_column(frame, column: int) -> list[str]:
    """The cells of ``column`` (0-based) of the ``st.dataframe`` located by ``frame``,
    read from the grid's accessible table (the visible grid is a canvas; only the rows
    scrolled into view are listed)."""
    cells = frame.first.locator(f'[role="gridcell"][aria-colindex="{column + 1}"]')
    return [text.strip() for text in cells.all_inner_texts()]


def dataframes(page, under_heading: str | None = None):
    """The page's ``st.dataframe`` grids, or those in the column headed ``under_heading``."""
    scope = f'{MAIN} [data-testid="stColumn"]:has(h3:has-text("{under_heading}"))' if under_heading else MAIN
    return page.locator(f'{scope} [data-testid="stDataFrame"]')


def hidden_width(frame) -> int:
    """How many pixels of the ``st.dataframe`` located by ``frame`` are only reached by
    scrolling sideways (0 when every column fits)."""
    scroller = frame.first.locator(".dvn-scroller")  # the grid's scrolling element
    return int(scroller.evaluate("el => el.scrollWidth - el.clientWidth"))


def full_page_screenshot(page, path: Path) -> tuple[int, int]:
    """Screenshot the whole app, not just the viewport.

    Streamlit scrolls inside ``stMain`` (the body never scrolls, so Playwright's
    ``full_page`` would stop at the viewport): grow the viewport to the content's
    height at the same width, let the layout settle, shoot, restore.
    """
    height_js = (
        "Math.max(...[...document.querySelectorAll('[data-testid=stMain], [data-testid=stSidebarContent]')]"
        ".map(e => e.scrollHeight))"
    )
    height = VIEWPORT["height"]
    for _ in range(5):  # plotly and the grids re-layout after a resize
        wanted = max(VIEWPORT["height"], int(page.evaluate(height_js)))
        if wanted == height:
            break
        height = wanted
        page.set_viewport_size({"width": VIEWPORT["width"], "height": height})
        page.wait_for_timeout(700)
    settle(page)
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), animations="disabled")
    page.set_viewport_size(VIEWPORT)
    return VIEWPORT["width"], height


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


# --- navigation ----------------------------------------------------------------------

# Sidebar link -> (URL path, page title). The default page (overview) is served at "/".
PAGES = {
    "Overview": ("", "Catalog overview"),
    "Recommender": ("recommender", "Recommender"),
    "Embedding explorer": ("explorer", "Embedding explorer"),
    "TF-IDF vs Count": ("compare", "TF-IDF vs Count"),
    "Data": ("data", "Data"),
}


def page_title(page) -> str:
    title = page.locator(f"{MAIN} h1")
    return title.first.inner_text().strip() if title.count() else ""


def test_sidebar_navigation_opens_every_page(page, app_url: str) -> None:
    open_page(page, f"{app_url}/")
    for link, (path, title) in PAGES.items():
        page.locator('[data-testid="stSidebarNav"] a', has_text=link).first.click()
        wait_for(page, f"the {link} page", lambda t=title: page_title(page) == t and page.locator(APP_IDLE).count() > 0)
        assert urlparse(page.url).path.strip("/") == path, page.url
        assert page.locator('[role="dialog"]').count() == 0, page.locator('[role="dialog"]').all_inner_texts()
        assert_no_problem(page)


@pytest.mark.parametrize("path", ["overview", "home"])
def test_overview_url_opens_without_dialog(page, app_url: str, path: str) -> None:
    """/overview as a link (and /home, a common guess) opens the overview at "/" with its
    menu entry highlighted and no "Page not found" dialog (Streamlit serves the default
    page only at "/"; the app registers both paths as hidden pages that switch to it), and
    the menu still lists each page once. The other pages' URLs are checked by the
    screenshot tests."""
    open_page(page, f"{app_url}/{path}")
    wait_for(page, "the page title", lambda: page_title(page) == "Catalog overview")
    settle(page)
    assert page.locator('[role="dialog"]').count() == 0, page.locator('[role="dialog"]').all_inner_texts()
    assert urlparse(page.url).path.strip("/") == "", page.url
    menu = page.locator('[data-testid="stSidebarNav"] a')
    assert menu.count() == len(PAGES), menu.all_inner_texts()
    for link in PAGES:
        assert menu.filter(has_text=link).count() == 1, (link, menu.all_inner_texts())
    current = page.locator('[data-testid="stSidebarNav"] a[aria-current="page"]')
    assert current.count() == 1 and current.first.inner_text().endswith("Overview"), current.all_inner_texts()
    assert_no_problem(page)


# --- recommender -------------------------------------------------------------------


def test_deep_link_as_the_first_request_of_a_fresh_server(
    page, demo_artifacts: Path, demo_ids: dict[str, int], tmp_path: Path
) -> None:
    """A shared /recommender link opened as the very first request after a start gets the
    whole app: the shell's menu (each page once, not Streamlit's old file-based list),
    sidebar and the linked film (Streamlit runs that first request as an old-style
    multipage app, and the page runs the shell: dashboard/shell.py)."""
    movie = demo_ids["Toy Story"]
    with StreamlitServer(demo_artifacts, log_path=tmp_path / "server.log") as server:
        open_page(page, f"{server.url}/recommender?movie={movie}")
        wait_for(page, "the result cards", lambda: card_count(page) > 0)
        settle(page)
        menu = page.locator('[data-testid="stSidebarNav"] a')
        assert menu.count() == len(PAGES), menu.all_inner_texts()
        for link in PAGES:
            assert menu.filter(has_text=link).count() == 1, (link, menu.all_inner_texts())
        assert page.get_by_text("Movie Explorer").count() > 0
        assert str(movie) == query_of(page).get("movie"), page.url
        assert urlparse(page.url).path.strip("/") == "recommender", page.url
        assert_no_problem(page)


def test_recommender_search_then_more_like_this(page, app_url: str, demo_ids: dict[str, int]) -> None:
    open_page(page, f"{app_url}/recommender")
    wait_for(page, "the first result cards", lambda: card_count(page) > 0)

    choose_in_selectbox(page, "Find a film", "toy sto", "Toy Story")
    wait_heading(page, "Toy Story")
    titles = card_titles(page)
    assert "Toy Story 2 (1999)" in titles, titles
    assert not any(t.startswith("Toy Story (1995)") for t in titles), "the query is among its own results"
    assert query_of(page)["movie"] == str(demo_ids["Toy Story"])

    sequel = demo_ids["Toy Story 2"]
    card_button(page, sequel).click()
    wait_heading(page, "Toy Story 2")
    assert query_of(page)["movie"] == str(sequel)
    wait_for(
        page, "the sequel's result cards", lambda: card_count(page) > 0 and "Toy Story (1995)" in card_titles(page)
    )
    assert not any(t.startswith("Toy Story 2 ") for t in card_titles(page))
    assert_no_problem(page)


def test_search_by_person_then_back_returns_to_the_previous_film(page, app_url: str, demo_ids: dict[str, int]) -> None:
    open_page(page, f"{app_url}/recommender")
    wait_for(page, "the first result cards", lambda: card_count(page) > 0)
    first_heading = heading_text(page)
    first_movie = query_of(page)["movie"]
    box = page.locator(f'{MAIN} [data-testid="stTextInput"] input').first
    box.fill("Nolan")
    box.press("Enter")
    hits = page.locator(f'{MAIN} [data-testid="stDataFrame"]').first
    wait_for(page, "the search hits", lambda: "Christopher Nolan (director)" in " ".join(grid_column(hits, 1)))
    second_hit = grid_column(hits, 0)[1]
    click_row(hits, 1)  # one click on a hit makes it the query
    wait_heading(page, second_hit)
    chosen = query_of(page)["movie"]
    assert chosen != first_movie
    # More like this, then Back twice: the Nolan film, then the first film again.
    wait_for(page, "result cards", lambda: card_count(page) > 0)
    page.locator(f"{MAIN} [class*='st-key-rec_more_'] button").first.click()
    wait_for(page, "the next film", lambda: query_of(page)["movie"] not in (chosen, first_movie))
    wait_idle(page)
    page.go_back()
    wait_for(page, "Back to the Nolan film", lambda: query_of(page).get("movie") == chosen and card_count(page) > 0)
    page.go_back()
    wait_for(page, "Back to the first film", lambda: heading_text(page) == first_heading)
    assert_no_problem(page)


@pytest.fixture(scope="module")
def searched_boxes_url(chromium_path, demo_artifacts: Path, tmp_path_factory) -> Iterator[str]:
    """The app on the demo build with every film select box searched on the server
    (``MOVIE_SELECT_FULL_LIST=0``), as a catalog of more than 1,000 films has them."""
    log = tmp_path_factory.mktemp("streamlit-searched") / "server.log"
    with StreamlitServer(demo_artifacts, log_path=log, extra_env={"MOVIE_SELECT_FULL_LIST": "0"}) as server:
        yield server.url


def test_a_searched_select_box_finds_by_typing_and_back_returns(page, searched_boxes_url: str, demo_ids) -> None:
    """Typed text + Enter in "Find a film" searches the whole catalog on the server: the best
    match opens, the box lists the other matches with their reason, and Back returns."""
    open_page(page, f"{searched_boxes_url}/recommender")
    wait_for(page, "the first result cards", lambda: card_count(page) > 0)
    first_heading = heading_text(page)
    field = page.locator(f'{MAIN} [data-testid="stSelectbox"]').filter(has_text="Find a film").locator("input").first
    field.click()
    assert page.locator('[role="option"]').count() <= 1  # the chosen film only, not the catalog
    field.fill("amelie")
    field.press("Enter")
    wait_heading(page, "Amélie")
    assert query_of(page)["movie"] == str(demo_ids["Amélie"])
    field.click()
    field.fill("Nolan")
    field.press("Enter")
    wait_for(page, "a Nolan film", lambda: heading_text(page) not in ("", "Recommendations for Amélie"))
    wait_idle(page)
    field.click()
    options = page.locator('[role="option"]')
    wait_for(page, "the listed matches", lambda: options.filter(has_text="Christopher Nolan (director)").count() > 1)
    page.keyboard.press("Escape")
    page.go_back()
    wait_heading(page, "Amélie")
    page.go_back()
    wait_for(page, "Back to the first film", lambda: heading_text(page) == first_heading)
    assert_no_problem(page)


def test_a_top_chart_row_opens_the_film_in_the_recommender(page, app_url: str) -> None:
    open_page(page, f"{app_url}/")
    chart = page.locator(f'{MAIN} .st-key-top_chart [data-testid="stDataFrame"]').first
    chart.scroll_into_view_if_needed()
    wait_for(page, "the top chart", lambda: len(grid_column(chart, 1)) > 0)
    first_film = grid_column(chart, 1)[0]
    click_row(chart, 0)
    wait_for(page, "the recommender", lambda: "/recommender" in page.url and heading_text(page).startswith("Recommendations for"))
    wait_heading(page, first_film)
    wait_idle(page)
    assert query_of(page)["vectorizer"] == "tfidf"  # the page's full URL, written by the click itself
    # One Back returns to the overview: arriving added no second history entry.
    page.go_back()
    wait_for(page, "Back on the overview", lambda: "/recommender" not in page.url and chart.count() > 0)
    assert_no_problem(page)


def test_shared_link_restores_the_view(page, app_url: str, demo_ids: dict[str, int]) -> None:
    movie = demo_ids["The Dark Knight"]
    open_page(page, f"{app_url}/recommender?movie={movie}&k=5&vectorizer=count")
    wait_heading(page, "The Dark Knight")
    wait_for(page, "5 result cards", lambda: card_count(page) == 5)
    assert len(card_titles(page)) == 5
    assert page.locator(".st-key-rec_k input[type=range]").get_attribute("value") == "5"
    checked = page.locator('[data-testid="stSidebar"] .st-key-vectorizer label:has(input:checked)')
    assert checked.inner_text().strip() == "Count"
    assert page.get_by_text("Ranked by Count similarity", exact=False).count() == 1
    shown = query_of(page)
    assert {name: shown[name] for name in ("movie", "k", "vectorizer")} == {"movie": str(movie), "k": "5", "vectorizer": "count"}
    assert page.locator('[data-testid="stAlert"]').count() == 0, page.locator(
        '[data-testid="stAlert"]'
    ).all_inner_texts()


def test_bad_link_warns_without_exception(page, app_url: str) -> None:
    open_page(page, f"{app_url}/recommender?movie=abc&k=0")
    alerts = page.locator(f'{MAIN} [data-testid="stAlert"]')
    wait_for(page, "the warnings about the link", lambda: alerts.count() >= 2)
    text = " ".join(alerts.all_inner_texts())
    assert "'abc'" in text and "'0'" in text, text
    # It falls back to a working view: the default film and k.
    wait_for(page, "the fallback's result cards", lambda: card_count(page) > 0)
    assert heading_text(page).startswith("Recommendations for ")
    assert page.locator(EXCEPTION).count() == 0
    assert "Traceback" not in page.locator("body").inner_text()


# --- explorer and compare ------------------------------------------------------------


def test_explorer_draws_the_map(page, app_url: str, demo_ids: dict[str, int]) -> None:
    open_page(page, f"{app_url}/explorer")
    plot = page.locator(f"{MAIN} .js-plotly-plot")
    wait_for(
        page, "the map", lambda: plot.count() > 0 and plot.first.locator("canvas, .scatterlayer .point").count() > 0
    )
    # Plotly keeps the figure's traces on the chart's element: every film is a point.
    # (``_fullData`` holds them decoded; the figure arrives base64-encoded.)
    points = plot.first.evaluate(
        "el => el._fullData.filter(t => t.visible !== false && (t.mode || '').includes('markers')"
        " && !(t.name || '').includes('★')).reduce((n, t) => n + (t._length || 0), 0)"
    )
    assert points >= len(demo_ids), (points, len(demo_ids))
    shown = metrics(page)
    assert shown.get("Films drawn") == f"{len(demo_ids):,}", shown
    kept = shown["Neighbours kept nearby"]
    assert kept.endswith("%") and 0 <= int(kept[:-1]) <= 100, shown
    assert page.get_by_text("How far to trust this map").count() == 1
    assert_no_problem(page)


def test_the_map_redraws_in_place_and_follows_the_theme(page, app_url: str) -> None:
    """Another colouring is drawn into the same plot (Plotly.react: no new element, no new
    WebGL contexts); the map takes the app's text colour and offers full screen."""
    open_page(page, f"{app_url}/explorer")
    plot = page.locator(f"{MAIN} .js-plotly-plot").first
    wait_for(page, "the map", lambda: plot.count() > 0 and plot.locator("canvas").count() > 0)
    settle(page)
    text_colour = plot.evaluate("el => getComputedStyle(el).getPropertyValue('--st-text-color').trim()")
    assert text_colour and plot.evaluate("el => el._fullLayout.font.color") == text_colour
    assert plot.evaluate("el => el._fullLayout.paper_bgcolor").replace(" ", "") == "rgba(0,0,0,0)"
    buttons = plot.evaluate("el => [...el.querySelectorAll('.modebar-btn')].map(b => b.getAttribute('data-title'))")
    assert "Full screen" in buttons and not any("Share" in b for b in buttons), buttons  # nothing sent to a cloud
    canvases = plot.locator("canvas").count()
    plot.evaluate("el => { el.testMark = true; el.testOldData = el._fullData; }")
    choose_in_selectbox(page, "Colour by", "Decade", "Decade")
    wait_for(page, "the map in decades", lambda: plot.evaluate("el => el._fullData !== el.testOldData"))
    settle(page)
    assert plot.evaluate("el => el.testMark === true")  # the same plot
    assert plot.locator("canvas").count() == canvases
    key = plot.evaluate("el => el.querySelector('.annotation[data-index]') && el.layout.annotations.find(n => n.name === 'key').text")
    assert key.startswith("<b>Decade</b>") and re.search(r"\d{4}s", key), key
    assert page.locator(f"{MAIN} .js-plotly-plot").count() == 1
    # Full screen: the map takes the screen, and its place in the page again after.
    width = plot.evaluate("el => el._fullLayout.width")
    plot.scroll_into_view_if_needed()
    plot.hover()
    plot.locator('.modebar-btn[data-title="Full screen"]').click()
    wait_for(page, "the map full screen", lambda: plot.evaluate("el => el._fullLayout.width") > width)
    assert plot.evaluate("el => el._fullLayout.height") > 720 - 100 and page.evaluate("!!document.fullscreenElement")
    page.evaluate("document.exitFullscreen()")
    wait_for(page, "the map back in the page", lambda: plot.evaluate("el => el._fullLayout.width") == width)
    assert plot.evaluate("el => el._fullLayout.height") == 720
    assert_no_problem(page)


@pytest.mark.parametrize("scale", [1, 2])
def test_the_map_is_drawn_at_the_screens_resolution(browser, app_url: str, scale: int) -> None:
    """The map's WebGL canvas has as many pixels as the screen shows of it: sharp on a
    high-DPI screen, and not plotly's default of twice them on an ordinary one."""
    context = browser.new_context(viewport=VIEWPORT, device_scale_factor=scale)
    try:
        page = context.new_page()
        open_page(page, f"{app_url}/explorer")
        canvas = page.locator(f"{MAIN} .js-plotly-plot canvas.gl-canvas-context")
        wait_for(page, "the map's WebGL canvas", lambda: canvas.count() == 1)
        pixels, css = canvas.evaluate("el => [el.width, el.getBoundingClientRect().width]")
        assert pixels == round(css * scale), (pixels, css, scale)
        assert_no_problem(page)
    finally:
        context.close()


# The map's most isolated film dot, in pixels of the page: plotly keeps the drawn traces
# (``_fullData``) and the axes' data-to-pixel functions (``_fullLayout``) on the chart's element.
ISOLATED_DOT = """el => {
  const xa = el._fullLayout.xaxis, ya = el._fullLayout.yaxis, dots = [];
  for (const t of el._fullData) {
    if (!(t.mode || '').includes('markers') || !t.customdata) continue;
    for (let i = 0; i < t._length; i++) {
      if (typeof t.customdata[i][0] !== 'number') continue;
      dots.push({x: xa._offset + xa.l2p(t.x[i]), y: ya._offset + ya.l2p(t.y[i]), title: t.customdata[i][1]});
    }
  }
  let best = null, bestGap = -1;
  for (const d of dots) {
    if (d.x < xa._offset + 30 || d.x > xa._offset + xa._length - 30
        || d.y < ya._offset + 30 || d.y > ya._offset + ya._length - 30) continue;
    let gap = Infinity;
    for (const o of dots) if (o !== d) gap = Math.min(gap, Math.hypot(o.x - d.x, o.y - d.y));
    if (gap > bestGap) { bestGap = gap; best = d; }
  }
  const box = el.getBoundingClientRect();
  return {x: box.left + best.x, y: box.top + best.y, title: best.title, gap: bestGap};
}"""


def test_a_click_on_a_map_dot_opens_its_film(page, app_url: str, demo_ids: dict[str, int]) -> None:
    """One click on a real dot of the 2-D map (WebGL) opens that film in the recommender;
    the map's box and lasso tools are still offered."""
    open_page(page, f"{app_url}/explorer")
    plot = page.locator(f"{MAIN} .js-plotly-plot").first
    wait_for(page, "the map", lambda: plot.locator("canvas").count() > 0)
    settle(page)
    plot.scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    assert plot.locator('.modebar-btn[data-val="select"]').count() == 1  # box select
    assert plot.locator('.modebar-btn[data-val="lasso"]').count() == 1
    dot = plot.evaluate(ISOLATED_DOT)
    assert dot["gap"] > 8, dot  # no other dot under the pointer
    page.mouse.move(dot["x"], dot["y"])
    page.mouse.click(dot["x"], dot["y"])
    wait_for(page, "the recommender", lambda: "/recommender" in page.url)
    title = dot["title"].replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")
    wait_heading(page, title)
    assert query_of(page)["movie"] == str(demo_ids[title])
    assert_no_problem(page)


def test_a_box_selection_lists_films_and_zooms_the_map_with_finer_labels(
    page, app_url: str, tmp_path: Path
) -> None:
    """The box tool over part of the map lists the films inside; "Zoom to these films"
    redraws the map on them with the fine clusters' labels of the films in view."""
    open_page(page, f"{app_url}/explorer")
    plot = page.locator(f"{MAIN} .js-plotly-plot").first
    wait_for(page, "the map", lambda: plot.locator("canvas").count() > 0)
    settle(page)
    plot.scroll_into_view_if_needed()
    labels_before = len(plot.evaluate("el => el.layout.annotations || []"))
    plot.hover()  # the modebar shows on hover
    plot.locator('.modebar-btn[data-val="select"]').click()
    wait_for(page, "the box tool", lambda: plot.evaluate("el => el._fullLayout.dragmode") == "select")
    page.wait_for_timeout(500)
    area = plot.locator(".nsewdrag").first.bounding_box()
    start = (area["x"] + area["width"] * 0.3, area["y"] + area["height"] * 0.3)
    end = (area["x"] + area["width"] * 0.6, area["y"] + area["height"] * 0.6)
    page.mouse.move(*start)
    page.mouse.down()
    page.mouse.move(*end, steps=10)
    page.mouse.up()
    zoom_button = page.locator(f"{MAIN} .st-key-exp_zoom_in button").first
    wait_for(page, "the selection's table and zoom button", lambda: zoom_button.count() == 1)
    assert page.get_by_text("films selected", exact=False).count() == 1
    zoom_button.click()
    wait_for(page, "the zoomed map", lambda: page.get_by_text("Zoomed in", exact=False).count() == 1
             and page.locator(APP_IDLE).count() > 0)
    assert "zoom" in query_of(page)
    plot = page.locator(f"{MAIN} .js-plotly-plot").first
    wait_for(page, "the zoomed map's labels", lambda: len(plot.evaluate("el => el.layout.annotations || []")) > 0)
    zoomed_range = plot.evaluate("el => el.layout.xaxis.range")
    assert zoomed_range and zoomed_range[0] < zoomed_range[1]
    labels_after = len(plot.evaluate("el => el.layout.annotations || []"))
    assert labels_after >= labels_before, (labels_before, labels_after)
    settle(page)
    folder = Path(os.environ.get("SCREENSHOTS_DIR") or tmp_path)
    target = (folder if folder.is_absolute() else REPO / folder) / "explorer_zoom.png"
    target.parent.mkdir(parents=True, exist_ok=True)
    plot.scroll_into_view_if_needed()
    page.screenshot(path=str(target))
    page.locator(f"{MAIN} .st-key-exp_unzoom button").first.click()
    wait_for(page, "the whole map", lambda: page.get_by_text("Zoomed in", exact=False).count() == 0
             and page.locator(APP_IDLE).count() > 0)
    assert "zoom" not in query_of(page)
    assert_no_problem(page)


@pytest.mark.parametrize(
    ("path", "tables"),
    [
        ("data", 1),  # the catalog, its default columns
        ("recommender?table=true", 1),  # the table view
        ("recommender?table=true&with={avatar}&blend=0.5", 1),  # with the score and "closest to" columns
        ("explorer?tab=Clusters", 1),  # the clusters table
        ("compare?movie={avatar}", 2),  # the two lists
        ("compare?section=Across%20the%20catalog", 1),  # the films where the two vectorizers disagree most
        ("", 1),  # the overview's top chart
    ],
)
def test_tables_fit_a_1280_px_window(page, app_url: str, demo_ids: dict[str, int], path: str, tables: int) -> None:
    """Every column of the pages' tables is in view at 1280 px, the narrowest width the
    tables are made for (wider windows stretch them)."""
    page.set_viewport_size({"width": 1280, "height": 900})
    try:
        open_page(page, f"{app_url}/{path.format(avatar=demo_ids['Avatar'])}")
        frames = dataframes(page)
        wait_for(page, f"{tables} table(s)", lambda: frames.count() >= tables and len(grid_column(frames.nth(tables - 1), 1)) > 0)
        for index in range(frames.count()):
            frame = frames.nth(index)
            frame.scroll_into_view_if_needed()
            hidden = hidden_width(frame)
            assert hidden == 0, f"table {index} of /{path} scrolls sideways by {hidden} px at 1280 px"
        assert_no_problem(page)
    finally:
        page.set_viewport_size(VIEWPORT)


# What of the main area does not fit its place: a horizontal radio whose options wrap to a
# second line, a metric's label or value or a widget's label cut with an ellipsis.
DOES_NOT_FIT = f"""() => {{
  const main = document.querySelector('{MAIN}'), out = [];
  for (const group of main.querySelectorAll('[role="radiogroup"]')) {{
    const lines = new Set([...group.querySelectorAll('label')].map(l => Math.round(l.getBoundingClientRect().top)));
    if (lines.size > 1) out.push('radio wraps: ' + group.textContent);
  }}
  const cut = '[data-testid="stMetricLabel"] [data-testid="stMarkdownContainer"], '
    + '[data-testid="stMetricValue"] [data-testid="stMarkdownContainer"], [data-testid="stWidgetLabel"] [data-testid="stMarkdownContainer"]';
  for (const el of main.querySelectorAll(cut)) {{
    if (el.scrollWidth > el.clientWidth) out.push('cut: ' + el.textContent);
  }}
  return out;
}}"""


# Pairs of the map's cluster labels whose boxes overlap on screen, and how many labels are drawn.
LABELS_OVERLAP = """el => {
  const boxes = (el.layout.annotations || []).map((note, i) => [note, i]).filter(([note]) => note.name === 'cluster label')
    .map(([, i]) => el.querySelector(`.annotation[data-index="${i}"] rect.bg`).getBoundingClientRect());
  const pairs = [];
  boxes.forEach((a, i) => boxes.slice(i + 1).forEach((b, j) => {
    if (a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom) pairs.push([i, i + 1 + j]);
  }));
  return [boxes.length, pairs];
}"""


@pytest.mark.parametrize("width", [1280, 1920])
@pytest.mark.parametrize("query", ["?color=cluster_fine", "?map=pca&labels=fine"])
def test_cluster_labels_do_not_overlap(page, app_url: str, width: int, query: str) -> None:
    """The labels the map shows do not cover one another, in the narrowest window the app is
    made for and in a wide one (they are placed for the map's real scale: as many pixels
    per unit across as up)."""
    page.set_viewport_size({"width": width, "height": 900})
    try:
        open_page(page, f"{app_url}/explorer{query}")
        plot = page.locator(f"{MAIN} .js-plotly-plot").first
        wait_for(page, "the map's labels", lambda: plot.count() > 0 and plot.locator(".annotation").count() > 1)
        settle(page)
        labels, overlapping = plot.evaluate(LABELS_OVERLAP)
        assert labels >= 3 and overlapping == [], (labels, overlapping)
        assert_no_problem(page)
    finally:
        page.set_viewport_size(VIEWPORT)


@pytest.mark.parametrize("query", ["", "?map=pca&movie={avatar}", "?dims=3&color=decade"])
def test_explorer_controls_fit_a_1280_px_window(page, app_url: str, demo_ids: dict[str, int], query: str) -> None:
    """At 1280 px no map-type option wraps to a second line and no tile's label is cut."""
    page.set_viewport_size({"width": 1280, "height": 900})
    try:
        open_page(page, f"{app_url}/explorer{query.format(avatar=demo_ids['Avatar'])}")
        wait_for(page, "the map's tiles", lambda: "Neighbours kept nearby" in metrics(page))
        assert page.evaluate(DOES_NOT_FIT) == []
        assert_no_problem(page)
    finally:
        page.set_viewport_size(VIEWPORT)


def test_compare_shows_both_lists_and_metrics(page, app_url: str, demo_ids: dict[str, int]) -> None:
    movie = demo_ids["The Dark Knight"]
    open_page(page, f"{app_url}/compare?movie={movie}")
    for name in ("TF-IDF top", "Count top"):
        wait_for(page, f"the {name} list", lambda n=name: len(grid_column(dataframes(page, n), 1)) >= 10)
    tfidf, count = grid_column(dataframes(page, "TF-IDF top"), 1), grid_column(dataframes(page, "Count top"), 1)
    assert "Batman Begins" in tfidf and "Batman Begins" in count, (tfidf, count)
    assert "The Dark Knight" not in tfidf + count
    subheadings = page.locator(f"{MAIN} h3").all_inner_texts()
    assert any(h.startswith("TF-IDF top") for h in subheadings) and any(h.startswith("Count top") for h in subheadings)
    shown = metrics(page)
    for word in ("Jaccard", "RBO", "Kendall"):
        label = next((label for label in shown if word in label and not label.startswith("Median")), None)
        assert label is not None, (word, shown)
        low = -1.0 if word == "Kendall" else 0.0  # a weighted tau can be negative
        assert low <= float(shown[label]) <= 1.0, shown
    # Every column of the two lists and of the disagreement table fits at 1400 px.
    tables = {"TF-IDF list": dataframes(page, "TF-IDF top"), "Count list": dataframes(page, "Count top")}
    for name, frame in tables.items():
        assert hidden_width(frame) == 0, f"the {name} scrolls sideways by {hidden_width(frame)} px"
    # The catalog-wide section runs when its tab is opened, and the tab goes into the URL.
    page.get_by_role("tab", name="Across the catalog").click()
    worst = dataframes(page).filter(has=page.locator('[role="columnheader"]', has_text="Weighted τ"))
    wait_for(page, "the disagreement table", lambda: len(grid_column(worst, 6)) > 0)
    assert hidden_width(worst) == 0, f"the disagreement table scrolls sideways by {hidden_width(worst)} px"
    assert query_of(page).get("section") == "Across the catalog"
    assert_no_problem(page)


# --- titles holding HTML -----------------------------------------------------------


@pytest.fixture(scope="module")
def html_server(chromium_path, tmp_path_factory):
    """A second server on a tiny catalog whose titles hold HTML (built without maps)."""
    out = tmp_path_factory.mktemp("html-titles") / "artifacts"
    build = subprocess.run(
        [
            sys.executable,
            "-m",
            "recommender",
            "build",
            "--catalog",
            str(HTML_TITLES_CSV),
            "--out",
            str(out),
            "--skip-maps",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert build.returncode == 0, build.stdout + build.stderr
    log = tmp_path_factory.mktemp("streamlit-html") / "server.log"
    with StreamlitServer(out, log_path=log) as server:
        server.ids = catalog_ids(out)
        yield server


def test_html_titles_show_as_text(page, html_server) -> None:
    movie = html_server.ids[SCRIPT_TITLE]
    open_page(page, f"{html_server.url}/recommender?movie={movie}")
    wait_heading(page, SCRIPT_TITLE)
    wait_for(page, "the result cards", lambda: card_count(page) > 0)
    assert BOLD_TITLE in " ".join(card_titles(page))
    # Shown as characters: no element was made from the titles' tags.
    assert page.locator(f"{MAIN} b, {MAIN} i").filter(has_text="Bold").count() == 0
    assert page.locator("script").filter(has_text="alert(1)").count() == 0
    selected = page.locator(".st-key-rec_movie input").input_value()
    assert selected == SCRIPT_TITLE

    for path in ("overview", f"compare?movie={movie}", "explorer", "data"):
        open_page(page, f"{html_server.url}/{path}")
        settle(page)
        assert_no_problem(page)
    assert page.dialogs == [], page.dialogs


# --- screenshots ---------------------------------------------------------------------

# (page, URL path and query, what must be visible before the shot)
SHOTS = {
    "overview": ("", "the top chart"),  # the default page is served at the root
    "overview_charts": ("?overview_tab=The catalog in charts", "the catalog's three charts"),  # a tab run when opened
    "recommender": ("recommender?movie={The Dark Knight}&k=6", "six result cards"),
    "explorer": ("explorer?color=cluster_broad&movie={The Dark Knight}", "the map with the film highlighted"),
    "compare": ("compare?movie={The Dark Knight}", "both lists and the top terms"),
    "data": ("data", "the catalog table"),
}


def _ready(page, name: str, ids: dict[str, int]) -> bool:
    plots = page.locator(f"{MAIN} .js-plotly-plot")
    if name == "overview":
        return len(grid_column(dataframes(page), 1)) > 0
    if name == "overview_charts":
        return plots.count() >= 3
    if name == "recommender":
        return heading_text(page) == "Recommendations for The Dark Knight" and card_count(page) == 6
    if name == "explorer":
        return (
            plots.count() == 1
            and plots.first.locator("canvas").count() > 0
            and page.get_by_text("Neighbours kept nearby").count() > 0
        )
    if name == "compare":
        # The two lists, then each vectorizer's top terms (tables too).
        terms = dataframes(page).nth(3)
        return len(grid_column(dataframes(page, "Count top"), 1)) > 0 and len(grid_column(terms, 0)) > 0
    return len(grid_column(dataframes(page), 1)) > 0


@pytest.mark.parametrize("name", list(SHOTS))
def test_screenshot(page, app_url: str, demo_ids: dict[str, int], name: str, tmp_path: Path) -> None:
    path_template, what = SHOTS[name]
    path = re.sub(r"\{([^}]+)\}", lambda m: str(demo_ids[m.group(1)]), path_template)
    open_page(page, f"{app_url}/{path}")
    wait_for(page, what, lambda: _ready(page, name, demo_ids) and page.locator(APP_IDLE).count() > 0)
    settle(page)
    assert_no_problem(page)
    assert page.locator('[role="dialog"]').count() == 0, page.locator('[role="dialog"]').all_inner_texts()
    folder = Path(os.environ.get("SCREENSHOTS_DIR") or tmp_path)
    target = (folder if folder.is_absolute() else REPO / folder) / f"{name}.png"
    width, height = full_page_screenshot(page, target)
    assert png_size(target) == (width, height)
    assert height >= VIEWPORT["height"]
    assert target.stat().st_size > 20_000, "an almost empty screenshot"


# --- load ----------------------------------------------------------------------------


def test_load_smoke(app_server: StreamlitServer, tmp_path: Path) -> None:
    """scripts/load_test.py with 3 sessions x 2 interactions against the running server."""
    report = tmp_path / "load.json"
    started = time.monotonic()
    run = subprocess.run(
        [
            sys.executable,
            str(REPO / "scripts" / "load_test.py"),
            "--artifacts",
            str(app_server.artifacts),
            "--url",
            app_server.url,
            "--pid",
            str(app_server.pid),
            "--sessions",
            "3",
            "--interactions",
            "2",
            "--timeout",
            "400",
            "--json",
            str(report),
        ],
        cwd=REPO,
        env={k: v for k, v in os.environ.items() if k not in ("MOVIE_TEST_ARTIFACTS", "MOVIE_ARTIFACTS")},
        capture_output=True,
        text=True,
        timeout=480,
    )
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-4000:]
    result = json.loads(report.read_text())
    phase = result["phases"][0]
    assert phase["sessions"] == 3 and phase["errors"] == 0, phase
    assert phase["interactions_done"] == 3 * 2
    assert phase["peak_rss_mib"] > 0
    assert time.monotonic() - started < 480


def test_startup_time_smoke(demo_artifacts: Path, chromium_path) -> None:
    """scripts/startup_time.py: one cold and one returning-browser start of each launcher.

    Only that it measures all of them and reports a verdict and the distance to
    Streamlit's floor: the times themselves depend on the machine (exit status 1 means a
    median above the target, not a failure of the script).
    """
    run = subprocess.run(
        [
            sys.executable,
            str(REPO / "scripts" / "startup_time.py"),
            "--artifacts",
            str(demo_artifacts),
            "--runs",
            "1",
            "--launcher",
            "all",
            "--timeout",
            "120",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert run.returncode in (0, 1), run.stdout[-4000:] + run.stderr[-4000:]
    for browser in ("cold browser", "returning browser"):
        for launcher in ("streamlit run", "Streamlit floor"):
            line = re.search(rf"{launcher}, {browser}: median of 1: first result card ([0-9.]+) s", run.stdout)
            assert line, run.stdout[-4000:]
            assert 0.1 < float(line.group(1)) < 120
        assert re.search(rf"\(streamlit run\), {browser}, (meets|misses) the 3 s target", run.stdout)
        assert re.search(rf"{browser}: the app takes [+-][0-9.]+ s over Streamlit's floor", run.stdout)
    assert "speed probe" in run.stdout
