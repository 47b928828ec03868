#!/usr/bin/env python3
"""Page loads of two checkouts of the app, paired: which one loads a page faster.

    python scripts/paired_loads.py --artifacts DIR --apps A,B [--path explorer] [--loads 20] [--charts 1]

Starts ``streamlit_app.py`` of both checkouts (worktrees, e.g. ``main`` and a branch) on the
same build, and loads ``--path`` by its address in headless Chromium, alternating A, B then
B, A, each in its own browser context, ``--loads`` times each, timed as
``scripts/browser_benchmark.py`` times a page load (to the page settled, ``--charts`` charts
drawn). On this shared 2-core machine two runs of the same code differ by 0.1-0.2 s; loads
taken in turns share the machine's state, so the median of the pairs' differences is the
figure to trust. Prints every load, the medians and that difference.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scripts import browser_benchmark as bench  # noqa: E402
from scripts.browser_support import launch_chromium  # noqa: E402


def paired_summary(first: list[float], second: list[float]) -> dict[str, float]:
    """Medians of each side's seconds and of the pairs' differences (first minus second: positive
    when the second loads faster)."""
    if not first or len(first) != len(second):
        raise ValueError("paired loads need the same, non-zero number of loads on each side")
    differences = [a - b for a, b in zip(first, second)]
    return {
        "first": statistics.median(first),
        "second": statistics.median(second),
        "difference": statistics.median(differences),
        "mean_difference": statistics.mean(differences),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--artifacts", type=Path, required=True)
    parser.add_argument("--apps", required=True, help="two checkouts, comma-separated: A,B")
    parser.add_argument("--path", default="explorer", help="the page's address, e.g. explorer or recommender?movie=19995")
    parser.add_argument("--loads", type=int, default=20)
    parser.add_argument("--charts", type=int, default=1, help="charts the page draws (0 for none)")
    args = parser.parse_args(argv)
    apps = [Path(part).resolve() for part in args.apps.split(",")]
    if len(apps) != 2 or not all((app / "streamlit_app.py").is_file() for app in apps):
        parser.error("--apps takes two checkouts holding streamlit_app.py")
    if args.loads < 1:
        parser.error("--loads must be at least 1")
    from playwright.sync_api import sync_playwright

    with contextlib.ExitStack() as stack:
        servers = [stack.enter_context(bench.Server(app / "streamlit_app.py", args.artifacts, app)) for app in apps]
        playwright = stack.enter_context(sync_playwright())
        browser = launch_chromium(playwright)
        pages = []
        for server in servers:
            page = browser.new_context(viewport=bench.VIEWPORT).new_page()
            watcher = bench.RunWatcher(page)
            for _ in range(2):  # first visits, untimed: the frontend's and plotly's code cached
                bench.timed_load(page, watcher, f"{server.url}/{args.path}", 0)
            pages.append((page, watcher, server))
        seconds: list[list[float]] = [[], []]
        for turn in range(args.loads):
            for side in (0, 1) if turn % 2 == 0 else (1, 0):
                page, watcher, server = pages[side]
                seconds[side].append(bench.timed_load(page, watcher, f"{server.url}/{args.path}", args.charts))
        browser.close()
    summary = paired_summary(seconds[0], seconds[1])
    for app, values in zip(apps, seconds):
        print(f"{app}: median {statistics.median(values):.3f} s; " + " ".join(f"{v:.2f}" for v in values))
    print(f"{apps[1].name} faster than {apps[0].name} by {summary['difference']:.3f} s "
          f"(median of {args.loads} pairs; mean {summary['mean_difference']:.3f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
