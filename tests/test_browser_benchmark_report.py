"""The browser benchmark's report (``scripts/browser_benchmark.py``): verdicts against the
targets, and each figure set against the floor's figure for the same kind of wait."""

from __future__ import annotations

from pathlib import Path

from scripts import browser_benchmark as bench

FLOOR = {
    "first page (fresh browser)": [1.0, 1.2, 1.1],
    "page load": [0.2, 0.2, 0.3],
    "page load at its own path (/at-path)": [0.4, 0.4, 0.4],
    "page load at its own path with the WebGL chart": [0.5, 0.5, 0.6],
    "interaction (button)": [0.1, 0.1, 0.1],
}


def rows(text: str) -> dict[str, list[str]]:
    """The app table's cells by the figure's name."""
    table = text.split("Streamlit's floor")[0]
    return {cells[0]: cells[1:] for line in table.splitlines() if line.startswith("| ") and not line.startswith("| |")
            for cells in [[cell.strip() for cell in line.strip("|").split("|")]]}


def test_each_figure_is_set_against_the_floors_figure_for_the_same_wait() -> None:
    app = {
        "first page (fresh browser): recommender": [1.6, 1.5, 2.4],
        "page load: overview": [0.5, 0.5, 0.5],
        "page load: explorer": [1.1, 1.0, 1.2],
        "page load: data": [0.6, 0.6, 0.6],
        "explorer: colour": [0.3, 0.3, 0.3],
    }
    text, passed = bench.report(app, FLOOR, [], Path("r4ui-tmdb"), 4803, 3, (0.5, 0.5, 0.5))
    table = rows(text)
    assert not passed  # the explorer's median, 1.1 s, is over 1 s
    assert table["page load: explorer"][3] == "FAIL"
    assert table["first page (fresh browser): recommender"][3] == "pass"  # its median, not its worst
    assert table["first page (fresh browser): recommender"][4] == "×1.5 (first page (fresh browser))"  # 1.6 / 1.1
    assert table["page load: overview"][4] == "×2.5 (page load)"  # the root address: 0.5 / 0.2
    assert table["page load: explorer"][4] == "×2.2 (page load at its own path with the WebGL chart)"  # 1.1 / 0.5
    assert table["page load: data"][4] == "×1.5 (page load at its own path (/at-path))"  # 0.6 / 0.4
    assert table["explorer: colour"][4] == "×3.0 (interaction (button))"


def test_a_figure_without_its_floor_figure_has_no_ratio() -> None:
    text, passed = bench.report({"page load: data": [0.6]}, {}, [], Path("demo"), None, 1, (0.1, 0.1, 0.1))
    assert passed
    assert rows(text)["page load: data"][4] == ""
