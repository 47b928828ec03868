"""The browser benchmark's clock (``scripts/browser_benchmark.py``), in headless Chromium.

A static page plays a Streamlit run on a timetable (script state "running", then content
and "notRunning", then a canvas sized, then changes that must or must not count), and the
benchmark's figure must be the time of the last change that counts: not the end of the
window it waits for calm, not a canvas's fallback content (never drawn), and not an
earlier change when a later one follows a lull shorter than that window.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from scripts import browser_benchmark as bench

pytest_plugins = ["tests.browser_fixtures"]
pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(120, func_only=True)]

# Times in ms from the page's start (a load) or from the click (an action).
PAGE = """<html><body>
<div data-testid="stApp" data-test-connection-state="CONNECTED" data-test-script-state="initial">
  <div data-testid="stMain"><canvas id="grid" width="10" height="10"></canvas><button id="go">Go</button></div>
</div>
<script>
const app = document.querySelector('[data-testid="stApp"]');
const main = document.querySelector('[data-testid="stMain"]');
const at = (ms, change) => setTimeout(change, ms);
function add(text) {
  const element = document.createElement('div');
  element.setAttribute('data-testid', 'stElementContainer');
  element.textContent = text;
  main.appendChild(element);
}
at(20, () => app.setAttribute('data-test-script-state', 'running'));
at(100, () => { add('result'); app.setAttribute('data-test-script-state', 'notRunning'); });
at(350, () => document.getElementById('grid').setAttribute('width', '200'));  // the grid is drawn
at(700, () => document.getElementById('grid').appendChild(document.createElement('table')));  // its fallback
document.getElementById('go').addEventListener('click', () => {
  at(10, () => app.setAttribute('data-test-script-state', 'running'));
  at(150, () => { add('another result'); app.setAttribute('data-test-script-state', 'notRunning'); });
  at(600, () => add('drawn after a lull'));  // 450 ms after the run's end
});
</script></body></html>
"""


@pytest.fixture
def fake_app(page, tmp_path: Path):
    path = tmp_path / "fake_app.html"
    path.write_text(PAGE, encoding="utf-8")
    return page, bench.RunWatcher(page), path.as_uri()


def test_a_page_load_is_timed_at_its_last_drawn_change(fake_app) -> None:
    page, watcher, url = fake_app
    seconds = bench.timed_load(page, watcher, url)
    # Content at 100 ms, the canvas sized (drawn) at 350 ms, its fallback table at 700 ms
    # (never drawn); the calm window after the last change is the benchmark's wait, not
    # the page's time (the figure is the page's own time of its last change).
    assert 0.33 <= seconds < 0.6
    assert abs(bench.CLOCK_DIFFERENCES[-1]) < 0.1


def test_an_action_is_timed_at_a_change_after_a_lull(fake_app) -> None:
    page, watcher, url = fake_app
    bench.timed_load(page, watcher, url)
    page.wait_for_timeout(1000)  # the load's timetable is over
    seconds = bench.timed_action(page, watcher, lambda: page.click("#go"))
    # The run ended at 150 ms; content changed again at 600 ms, after a 450 ms lull.
    assert 0.58 <= seconds < 1.0
    assert abs(bench.CLOCK_DIFFERENCES[-1]) < 0.1
